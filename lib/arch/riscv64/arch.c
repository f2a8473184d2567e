/*
 * riscv64 facts: registers, the ecall instruction, restart rules.
 *
 * - No PTRACE_SINGLESTEP (EIO): .can_step is false and the engine runs a
 *   call with PTRACE_SYSCALL entry and exit stops over an ecall found in
 *   the vDSO, writing no code.
 * - Like arm64, the kernel rewinds an interrupted call before a signal
 *   stop (arch/riscv/kernel/signal.c): pc is back on the ecall and a0
 *   holds orig_a0 again.  The rest of its decision (EINTR for a handler,
 *   restart_syscall for -516) comes from locals of that do_signal() that
 *   an injected call replaces; arch_keep_call_effects() redoes the
 *   restart_syscall part.
 * - orig_a0 is not visible: an exit stop whose a0 is a restart code is
 *   not a safe place.
 * - A system call discards the vector state: the extended state is saved
 *   around every call where the kernel exposes vectors.
 */
#include <asm/unistd.h>
#include <elf.h>
#include <errno.h>
#include <linux/audit.h>
#include <linux/futex.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/ptrace.h>
#include <sys/uio.h>

#include "arch.h"
#include "arch/asm-generic/rules.h"

#define ERESTARTSYS		512
#define ERESTART_RESTARTBLOCK	516

#ifndef NT_RISCV_VECTOR
#define NT_RISCV_VECTOR 0x901
#endif
#define HWCAP_ISA_V (1UL << ('V' - 'A'))
#define ECALL 0x00000073U

/* ecall, little-endian. */
static const unsigned char ecall_insn[] = { 0x73, 0x00, 0x00, 0x00 };

static const struct arch_abi abi_riscv64 = {
	.name = "riscv64",
	.insn = ecall_insn,
	.insn_len = sizeof(ecall_insn),
	.insn_align = 4,
	.can_step = false,
	.word_size = 8,
	.audit_arch = AUDIT_ARCH_RISCV64,
	GENERIC_ABI_NUMBERS,
	.restart_before_stop = true,
};

int arch_get_regs(pid_t tid, struct arch_regs *r)
{
	struct iovec iov = { &r->r, sizeof(r->r) };
	long word;

	memset(r, 0, sizeof(*r));
	if (ptrace(PTRACE_GETREGSET, tid, NT_PRSTATUS, &iov))
		return -errno;
	if (iov.iov_len != sizeof(r->r))
		return -EINVAL;
	/* With compressed instructions around it, an ecall (4 bytes) may
	 * sit at any even address, even across two words. */
	unsigned int shift = 8 * (unsigned int)(r->r.pc & 7);
	unsigned long insn;

	errno = 0;
	word = ptrace(PTRACE_PEEKTEXT, tid, r->r.pc & ~7UL, 0);
	if (errno || (r->r.pc & 1))
		return 0;
	insn = (unsigned long)word >> shift;
	if (shift > 32) {
		word = ptrace(PTRACE_PEEKTEXT, tid, (r->r.pc & ~7UL) + 8, 0);
		if (errno)
			return 0;
		insn |= (unsigned long)word << (64 - shift);
	}
	r->at_ecall = (unsigned int)insn == ECALL;
	return 0;
}

int arch_set_regs(pid_t tid, const struct arch_regs *r)
{
	struct iovec iov = { (void *)&r->r, sizeof(r->r) };

	return ptrace(PTRACE_SETREGSET, tid, NT_PRSTATUS, &iov) ? -errno : 0;
}

const struct arch_abi *arch_abi_of(const struct arch_regs *r)
{
	(void)r;
	return &abi_riscv64;
}

unsigned long arch_sp(const struct arch_regs *r)
{
	return r->r.sp;
}

unsigned long arch_pc(const struct arch_regs *r)
{
	return r->r.pc;
}

/* Meaningful at syscall stops only: the kernel keeps no visible mark. */
long arch_cur_syscall(const struct arch_regs *r)
{
	return (long)r->r.a7;
}

long arch_retval(const struct arch_regs *r)
{
	return (long)r->r.a0;
}

static void args_of(const struct arch_regs *r, unsigned long a[6])
{
	a[0] = r->r.a0;
	a[1] = r->r.a1;
	a[2] = r->r.a2;
	a[3] = r->r.a3;
	a[4] = r->r.a4;
	a[5] = r->r.a5;
}

bool arch_restart_block_pending(const struct arch_regs *r)
{
	unsigned long a[6];

	if (arch_retval(r) == -ERESTART_RESTARTBLOCK)
		return true;	/* a syscall-exit stop */
	/* At a signal stop a rewound call sits on its ecall with a0 its
	 * first argument again: whether it was -516 cannot be seen, so a
	 * call that may resume through restart_block counts as pending. */
	args_of(r, a);
	return r->at_ecall && ((long)r->r.a7 == __NR_restart_syscall ||
			       generic_restarts_through_block((long)r->r.a7, a));
}

bool arch_exit_stop_safe(const struct arch_regs *r)
{
	long v = arch_retval(r);

	/* The kernel would restart with orig_a0, which we cannot see nor
	 * put back once our own call has replaced it. */
	return !(v <= -ERESTARTSYS && v >= -ERESTART_RESTARTBLOCK);
}

bool arch_undo_eintr(struct arch_regs *r)
{
	/* Re-issuing needs the call's first argument, and a0 now holds
	 * -EINTR over it (orig_a0 is not visible). */
	(void)r;
	return false;
}

void arch_prepare_call(struct arch_regs *r, unsigned long pc, long nr,
		       const unsigned long *args, unsigned int nargs)
{
	unsigned long a[6] = { 0 };

	for (unsigned int i = 0; i < nargs && i < 6; i++)
		a[i] = args[i];
	r->r.a0 = a[0];
	r->r.a1 = a[1];
	r->r.a2 = a[2];
	r->r.a3 = a[3];
	r->r.a4 = a[4];
	r->r.a5 = a[5];
	r->r.a7 = (unsigned long)nr;
	r->r.pc = pc;
	r->at_ecall = 1;
}

bool arch_after_insn(const struct arch_regs *r, unsigned long pc, size_t len)
{
	return r->r.pc == pc + len;
}

void arch_keep_call_effects(struct arch_regs *saved,
			    const struct arch_regs *after)
{
	unsigned long a[6];

	/* No system call defines a register of the thread here. */
	(void)after;
	/*
	 * Saved on the ecall of a call the kernel has rewound: had the
	 * thread not left that do_signal() to run our call, it would now
	 * turn a -ERESTART_RESTARTBLOCK into restart_syscall, which
	 * resumes the call with the time it had left.  Do it for it.
	 */
	args_of(saved, a);
	if (saved->at_ecall && generic_restarts_through_block((long)saved->r.a7, a))
		saved->r.a7 = __NR_restart_syscall;
}

/* The tracer runs on the same CPUs as its tracee. */
static bool have_vector(void)
{
	return (getauxval(AT_HWCAP) & HWCAP_ISA_V) != 0;
}

bool arch_changes_ext(const struct arch_abi *abi, long nr)
{
	(void)abi;
	/* Every call discards the vector registers. */
	return have_vector() || nr == __NR_rt_sigreturn;
}

/*
 * The blob: a 16-byte header holding the lengths of the FP and vector
 * parts, then NT_PRFPREG, then NT_RISCV_VECTOR (absent: length 0).
 */
#define EXT_HDR 16

int arch_get_ext(pid_t tid, struct arch_ext *e)
{
	unsigned int len[2] = { 0, 0 };
	size_t room = (sizeof(e->buf) - EXT_HDR) & ~7UL;
	struct iovec iov = { e->buf + EXT_HDR, room };

	memset(e->buf, 0, EXT_HDR);
	if (ptrace(PTRACE_GETREGSET, tid, NT_PRFPREG, &iov))
		return -errno;
	len[0] = (unsigned int)iov.iov_len;
	if (have_vector()) {
		iov.iov_base = e->buf + EXT_HDR + len[0];
		iov.iov_len = (room - len[0]) & ~7UL;
		if (ptrace(PTRACE_GETREGSET, tid, NT_RISCV_VECTOR, &iov) == 0)
			len[1] = (unsigned int)iov.iov_len;
		else if (errno != EINVAL && errno != ENODEV && errno != EIO)
			return -errno;
	}
	memcpy(e->buf, len, sizeof(len));
	e->len = EXT_HDR + len[0] + len[1];
	return 0;
}

int arch_set_ext(pid_t tid, const struct arch_ext *e)
{
	unsigned int len[2];
	struct iovec iov;

	if (e->len < EXT_HDR)
		return -EINVAL;
	memcpy(len, e->buf, sizeof(len));
	if (EXT_HDR + (size_t)len[0] + len[1] != e->len)
		return -EINVAL;
	iov.iov_base = (void *)(e->buf + EXT_HDR);
	iov.iov_len = len[0];
	if (ptrace(PTRACE_SETREGSET, tid, NT_PRFPREG, &iov))
		return -errno;
	if (len[1]) {
		iov.iov_base = (void *)(e->buf + EXT_HDR + len[0]);
		iov.iov_len = len[1];
		if (ptrace(PTRACE_SETREGSET, tid, NT_RISCV_VECTOR, &iov))
			return -errno;
	}
	return 0;
}
