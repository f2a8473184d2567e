/*
 * aarch64 facts: registers, the svc instruction, restart rules.
 *
 * Differences from x86_64 that shape this file:
 * - No PTRACE_GETREGS: NT_PRSTATUS through PTRACE_GETREGSET, and the
 *   number of the current system call through NT_ARM_SYSTEM_CALL.
 * - The kernel applies a restart *before* it stops the thread for a
 *   signal (arch/arm64/kernel/signal.c, do_signal): at signal, group and
 *   interrupt stops pc is already back on the svc and x0 holds orig_x0,
 *   so restoring those registers re-issues the interrupted call.  What
 *   the kernel would still have done after get_signal() (EINTR for a
 *   handler without SA_RESTART, restart_syscall for -516) is decided from
 *   locals of that do_signal() call and is lost once the thread has left
 *   it to run our call.  We redo the restart_syscall part
 *   (arch_keep_call_effects); a handler without SA_RESTART sees the call
 *   re-issued after it instead of EINTR.
 * - orig_x0 is not visible: at a syscall-exit stop whose x0 is a restart
 *   code the first argument is gone, so such a stop is not safe.
 * - At syscall stops x7 reads 0 (entry) or 1 (exit) and the kernel puts
 *   the real x7 back on resume, whatever we write there.
 * - A system call discards the upper part of the SVE registers: the
 *   extended state is saved around every call where SVE exists.
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

#ifndef NT_ARM_SYSTEM_CALL
#define NT_ARM_SYSTEM_CALL 0x404
#endif
#ifndef NT_ARM_SVE
#define NT_ARM_SVE 0x405
#endif
#define DBG_SPSR_SS (1ULL << 21)
#ifndef HWCAP_SVE
#define HWCAP_SVE (1UL << 22)
#endif

/* svc #0, little-endian. */
static const unsigned char svc_insn[] = { 0x01, 0x00, 0x00, 0xd4 };

static const struct arch_abi abi_aarch64 = {
	.name = "aarch64",
	.insn = svc_insn,
	.insn_len = sizeof(svc_insn),
	.insn_align = 4,
	.can_step = true,
	.word_size = 8,
	.audit_arch = AUDIT_ARCH_AARCH64,
	GENERIC_ABI_NUMBERS,
	.restart_before_stop = true,
};

int arch_get_regs(pid_t tid, struct arch_regs *r)
{
	struct iovec iov = { &r->r, sizeof(r->r) };
	int nr = -1;
	struct iovec iov_nr = { &nr, sizeof(nr) };

	memset(r, 0, sizeof(*r));
	if (ptrace(PTRACE_GETREGSET, tid, NT_PRSTATUS, &iov))
		return -errno;
	if (iov.iov_len != sizeof(r->r))
		return -EINVAL;		/* an AArch32 task */
	if (ptrace(PTRACE_GETREGSET, tid, NT_ARM_SYSTEM_CALL, &iov_nr))
		return -errno;
	r->syscallno = nr;
	/* PSTATE.SS is the kernel's: it sets it on every write while the
	 * thread is being single-stepped (valid_user_regs), and the step
	 * flag stays until the tracer resumes the thread otherwise. */
	r->r.pstate &= ~DBG_SPSR_SS;
	return 0;
}

int arch_set_regs(pid_t tid, const struct arch_regs *r)
{
	struct iovec iov = { (void *)&r->r, sizeof(r->r) };
	int nr = (int)r->syscallno;
	struct iovec iov_nr = { &nr, sizeof(nr) };

	if (ptrace(PTRACE_SETREGSET, tid, NT_PRSTATUS, &iov))
		return -errno;
	return ptrace(PTRACE_SETREGSET, tid, NT_ARM_SYSTEM_CALL, &iov_nr) ?
		       -errno : 0;
}

const struct arch_abi *arch_abi_of(const struct arch_regs *r)
{
	(void)r;
	return &abi_aarch64;
}

unsigned long arch_sp(const struct arch_regs *r)
{
	return r->r.sp;
}

unsigned long arch_pc(const struct arch_regs *r)
{
	return r->r.pc;
}

/* At syscall stops the number; at signal stops the kernel has already
 * forgotten it (-1). */
long arch_cur_syscall(const struct arch_regs *r)
{
	return r->syscallno;
}

long arch_retval(const struct arch_regs *r)
{
	return (long)r->r.regs[0];
}

/* Can call nr with these arguments return -ERESTART_RESTARTBLOCK? */
static bool may_restart_through_block(long nr, const unsigned long *args)
{
	switch (nr) {
	case __NR_restart_syscall:
	case __NR_nanosleep:
	case __NR_clock_nanosleep:
		return true;
	case __NR_futex:
		return generic_futex_timed_wait(args, 6);
	default:
		return false;
	}
}

bool arch_restart_block_pending(const struct arch_regs *r)
{
	const unsigned long *x = (const unsigned long *)r->r.regs;

	if (r->syscallno >= 0)	/* a syscall stop: x0 is the outcome */
		return arch_retval(r) == -ERESTART_RESTARTBLOCK;
	/*
	 * A signal, group or interrupt stop: an interrupted call has been
	 * rewound already and x0 is its first argument again, so whether it
	 * was -516 cannot be seen.  If x8 names a call that can resume
	 * through restart_block (restart_syscall itself, or one that may
	 * have left its state there), assume it is pending: refusing a
	 * nanosleep is harmless, clobbering the block is not.
	 */
	return (r->r.pc & 3) == 0 && may_restart_through_block((long)x[8], x);
}

bool arch_exit_stop_safe(const struct arch_regs *r)
{
	long v = arch_retval(r);

	/* The kernel would restart with orig_x0, which we cannot see nor
	 * put back once our own call has replaced it. */
	return !(v <= -ERESTARTSYS && v >= -ERESTART_RESTARTBLOCK);
}

bool arch_undo_eintr(struct arch_regs *r)
{
	/* Re-issuing needs the call's first argument, and x0 now holds
	 * -EINTR over it (orig_x0 is not visible). */
	(void)r;
	return false;
}

void arch_prepare_call(struct arch_regs *r, unsigned long pc, long nr,
		       const unsigned long *args, unsigned int nargs)
{
	unsigned int i;

	for (i = 0; i < 6; i++)
		r->r.regs[i] = i < nargs ? args[i] : 0;
	r->r.regs[8] = (unsigned long)nr;
	r->r.pc = pc;
	/* Not in a system call: the kernel must not "restart" at pc. */
	r->syscallno = -1;
	/* We jump, we do not branch: no BTI landing pad is due. */
	r->r.pstate &= ~(unsigned long long)PSR_BTYPE_MASK;
}

bool arch_after_insn(const struct arch_regs *r, unsigned long pc, size_t len)
{
	return r->r.pc == pc + len;
}

void arch_keep_call_effects(struct arch_regs *saved,
			    const struct arch_regs *after)
{
	const unsigned long *x = (const unsigned long *)saved->r.regs;

	/* No system call defines a register of the thread here (the
	 * thread pointer, TPIDR_EL0, is not in NT_PRSTATUS). */
	(void)after;
	/*
	 * Saved at a signal, group or interrupt stop in a call the kernel
	 * has rewound: had the thread not left that do_signal() to run our
	 * call, it would now turn a -ERESTART_RESTARTBLOCK into
	 * restart_syscall (which resumes the call where it was, e.g. with
	 * the time left to sleep).  Do it for it; re-issuing the call
	 * would start its timeout over.  Injected calls that would clobber
	 * the restart_block are refused (arch_restart_block_pending).
	 */
	if (saved->syscallno < 0 && (saved->r.pc & 3) == 0 &&
	    generic_restarts_through_block((long)x[8], x))
		saved->r.regs[8] = __NR_restart_syscall;
}

/* The tracer runs on the same CPUs as its tracee. */
static bool have_sve(void)
{
	return (getauxval(AT_HWCAP) & HWCAP_SVE) != 0;
}

bool arch_changes_ext(const struct arch_abi *abi, long nr)
{
	(void)abi;
	/* Every call discards the SVE registers beyond their low 128 bits. */
	return have_sve() || nr == __NR_rt_sigreturn;
}

/*
 * The blob: the regset's note type in the first 16 bytes (regset data
 * must come in multiples of its 16-byte unit), then the regset.
 */
#define EXT_HDR 16
#define EXT_UNIT 16

int arch_get_ext(pid_t tid, struct arch_ext *e)
{
	unsigned int type = have_sve() ? NT_ARM_SVE : NT_PRFPREG;
	size_t room = (sizeof(e->buf) - EXT_HDR) / EXT_UNIT * EXT_UNIT;
	struct iovec iov = { e->buf + EXT_HDR, room };

	memset(e->buf, 0, EXT_HDR);
	memcpy(e->buf, &type, sizeof(type));
	if (ptrace(PTRACE_GETREGSET, tid, type, &iov))
		return -errno;
	if (type == NT_ARM_SVE) {
		struct user_sve_header h;

		if (iov.iov_len < sizeof(h))
			return -EIO;
		memcpy(&h, e->buf + EXT_HDR, sizeof(h));
		if (h.size > iov.iov_len)
			return -E2BIG;		/* would be cut short */
		/* Only what the header covers: the rest is not state. */
		iov.iov_len = (h.size + EXT_UNIT - 1) / EXT_UNIT * EXT_UNIT;
		memset(e->buf + EXT_HDR + h.size, 0, iov.iov_len - h.size);
	}
	e->len = EXT_HDR + iov.iov_len;
	return 0;
}

int arch_set_ext(pid_t tid, const struct arch_ext *e)
{
	unsigned int type;

	if (e->len < EXT_HDR)
		return -EINVAL;
	memcpy(&type, e->buf, sizeof(type));
	struct iovec iov = { (void *)(e->buf + EXT_HDR), e->len - EXT_HDR };

	return ptrace(PTRACE_SETREGSET, tid, type, &iov) ? -errno : 0;
}
