/* x86_64 facts: registers, the syscall instruction, restart rules. */
#include <asm/unistd_64.h>
#include <elf.h>
#include <errno.h>
#include <linux/audit.h>
#include <linux/futex.h>
#include <sys/ptrace.h>
#include <string.h>
#include <sys/uio.h>

#include "x86_abi.h"

#define ERESTARTNOHAND		514
#define ERESTART_RESTARTBLOCK	516

#define X86_EFLAGS_TF 0x100UL
#define X86_EFLAGS_DF 0x400UL

static const unsigned char syscall_insn[] = { 0x0f, 0x05 };

const struct x86_abi arch_x86_abi_64 = {
	.abi = {
		.name = "x86_64",
		.insn = syscall_insn,
		.insn_len = sizeof(syscall_insn),
		.insn_align = 1,
		.can_step = true,
		.nr_mmap = __NR_mmap,
		.nr_munmap = __NR_munmap,
		.nr_restart_syscall = __NR_restart_syscall,
		.nr_exit_group = __NR_exit_group,
		.nr_execve = __NR_execve,
		.nr_execveat = __NR_execveat,
		.word_size = 8,
		.audit_arch = AUDIT_ARCH_X86_64,
		.nr_seccomp = __NR_seccomp,
		.nr_prctl = __NR_prctl,
		.nr_rseq = __NR_rseq,
		.nr_rt_tgsigqueueinfo = __NR_rt_tgsigqueueinfo,
		.red_zone = 128,
		.strict_ok = { __NR_read, __NR_write, __NR_exit,
			       __NR_rt_sigreturn },
	},
	.compat = false,
	.nanosleep = __NR_nanosleep,
	.clock_nanosleep = __NR_clock_nanosleep,
	.clock_nanosleep64 = -1,
	.restart_syscall = __NR_restart_syscall,
	.sigreturn = -1,
	.rt_sigreturn = __NR_rt_sigreturn,
	.futex = __NR_futex,
	.futex64 = -1,
	.poll = __NR_poll,
	.rt_sigprocmask = __NR_rt_sigprocmask,
	.sigprocmask = -1,
	.ssetmask = -1,
	.rt_sigaction = __NR_rt_sigaction,
	.sigaction = -1,
	.signal = -1,
	.execve = __NR_execve,
	.execveat = __NR_execveat,
	.epoll_wait = __NR_epoll_wait,
	.epoll_pwait = __NR_epoll_pwait,
	.epoll_pwait2 = __NR_epoll_pwait2,
	.rt_sigtimedwait = __NR_rt_sigtimedwait,
	.rt_sigtimedwait64 = -1,
	.semop = __NR_semop,
	.semtimedop = __NR_semtimedop,
	.semtimedop64 = -1,
};

/* The user code segment of 32-bit processes (GDT_ENTRY_DEFAULT_USER32_CS). */
#define USER32_CS 0x23

static const struct x86_abi *x86(const struct arch_abi *abi)
{
	return (const struct x86_abi *)abi;
}

static bool compat(const struct arch_regs *r)
{
	return r->r.cs == USER32_CS;
}

/* A number in a register, as the ABI reads it. */
static long reg_long(const struct arch_regs *r, unsigned long v)
{
	return compat(r) ? (long)(int)v : (long)v;
}

/* Is nr one of the listed numbers (ignoring the ABI's -1 holes)? */
static bool one_of(long nr, const long *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (list[i] >= 0 && list[i] == nr)
			return true;
	return false;
}
#define ONE_OF(nr, ...) \
	one_of(nr, (const long[]){ __VA_ARGS__ }, \
	       sizeof((const long[]){ __VA_ARGS__ }) / sizeof(long))

int arch_get_regs(pid_t tid, struct arch_regs *r)
{
	return ptrace(PTRACE_GETREGS, tid, 0, &r->r) ? -errno : 0;
}

int arch_set_regs(pid_t tid, const struct arch_regs *r)
{
	return ptrace(PTRACE_SETREGS, tid, 0, &r->r) ? -errno : 0;
}

const struct arch_abi *arch_abi_of(const struct arch_regs *r)
{
	return compat(r) ? &arch_x86_abi_i386.abi : &arch_x86_abi_64.abi;
}

unsigned long arch_pc(const struct arch_regs *r)
{
	return r->r.rip;
}

unsigned long arch_sp(const struct arch_regs *r)
{
	return compat(r) ? r->r.rsp & 0xffffffffUL : r->r.rsp;
}

/*
 * i386's siginfo (compat_siginfo_t): 32-bit words, the union at offset
 * 12.  The fields of the kinds a deferred signal can be: sent by kill,
 * tkill or sigqueue (pid, uid, an int value), or raised for a fault
 * (an address).
 */
size_t arch_siginfo_for_abi(const struct arch_abi *abi, const siginfo_t *si,
			    unsigned char out[128])
{
	int32_t w[32] = { si->si_signo, si->si_errno, si->si_code };

	if (!x86(abi)->compat) {
		memcpy(out, si, sizeof(*si));
		return sizeof(*si);
	}
	if (si->si_code > 0 && (si->si_signo == SIGSEGV ||
				si->si_signo == SIGBUS ||
				si->si_signo == SIGILL ||
				si->si_signo == SIGFPE ||
				si->si_signo == SIGTRAP)) {
		w[3] = (int32_t)(uintptr_t)si->si_addr;
	} else {
		w[3] = si->si_pid;
		w[4] = (int32_t)si->si_uid;
		w[5] = si->si_value.sival_int;
	}
	memcpy(out, w, sizeof(w));
	return sizeof(w);
}

long arch_cur_syscall(const struct arch_regs *r)
{
	return reg_long(r, r->r.orig_rax);
}

long arch_retval(const struct arch_regs *r)
{
	unsigned int v = (unsigned int)r->r.rax;

	if (!compat(r))
		return (long)r->r.rax;
	/* 32 bits: -4095..-1 are errors, anything else is a value, such
	 * as an address above 2 GiB, to be read unsigned. */
	return v >= (unsigned int)-4095 ? (long)(int)v : (long)v;
}

bool arch_restart_block_pending(const struct arch_regs *r)
{
	return arch_cur_syscall(r) >= 0 &&
	       arch_retval(r) == -ERESTART_RESTARTBLOCK;
}

bool arch_exit_stop_safe(const struct arch_regs *r)
{
	/* orig_rax is visible and restored: the restart survives. */
	(void)r;
	return true;
}

static bool restartable_eintr(const struct x86_abi *x, long nr,
			      const unsigned long args[6])
{
	if (ONE_OF(nr, x->epoll_wait, x->epoll_pwait))
		return (int)args[3] < 0;
	if (ONE_OF(nr, x->epoll_pwait2, x->semtimedop, x->semtimedop64))
		return args[3] == 0;
	if (ONE_OF(nr, x->rt_sigtimedwait, x->rt_sigtimedwait64))
		return args[2] == 0;
	return ONE_OF(nr, x->semop);
}

bool arch_undo_eintr(struct arch_regs *r)
{
	const struct x86_abi *x = x86(arch_abi_of(r));
	unsigned long args[6] = { r->r.rdi, r->r.rsi, r->r.rdx,
				  r->r.r10, r->r.r8, r->r.r9 };

	if (x->compat) {
		unsigned long a32[6] = { r->r.rbx, r->r.rcx, r->r.rdx,
					 r->r.rsi, r->r.rdi, r->r.rbp };

		memcpy(args, a32, sizeof(args));
	}
	if (arch_cur_syscall(r) < 0 || arch_retval(r) != -EINTR ||
	    !restartable_eintr(x, arch_cur_syscall(r), args))
		return false;
	/* The kernel's own signal code then restarts it, or makes it
	 * EINTR if a handler runs first: exactly the untraced outcome. */
	r->r.rax = (unsigned long)-ERESTARTNOHAND;
	return true;
}

void arch_prepare_call(struct arch_regs *r, unsigned long pc, long nr,
		       const unsigned long *args, unsigned int nargs)
{
	unsigned long a[6] = { 0 };

	for (unsigned int i = 0; i < nargs && i < 6; i++)
		a[i] = args[i];
	r->r.rax = (unsigned long)nr;
	if (compat(r)) {
		r->r.rbx = a[0] & 0xffffffffUL;
		r->r.rcx = a[1] & 0xffffffffUL;
		r->r.rdx = a[2] & 0xffffffffUL;
		r->r.rsi = a[3] & 0xffffffffUL;
		r->r.rdi = a[4] & 0xffffffffUL;
		r->r.rbp = a[5] & 0xffffffffUL;
	} else {
		r->r.rdi = a[0];
		r->r.rsi = a[1];
		r->r.rdx = a[2];
		r->r.r10 = a[3];
		r->r.r8 = a[4];
		r->r.r9 = a[5];
	}
	r->r.rip = pc;
	/* Not in a system call: the kernel must not "restart" at pc. */
	r->r.orig_rax = (unsigned long)-1;
	/* The kernel sets TF itself for a single step; DF must be clear
	 * at any kernel entry by the ABI. */
	r->r.eflags &= ~(X86_EFLAGS_TF | X86_EFLAGS_DF);
}

bool arch_after_insn(const struct arch_regs *r, unsigned long pc, size_t len)
{
	return r->r.rip == pc + len;
}

void arch_keep_call_effects(struct arch_regs *saved,
			    const struct arch_regs *after)
{
	/* arch_prctl(ARCH_SET_FS/GS) is the one call that defines these. */
	saved->r.fs_base = after->r.fs_base;
	saved->r.gs_base = after->r.gs_base;
	saved->r.fs = after->r.fs;
	saved->r.gs = after->r.gs;
}

static bool futex_timed_wait(const unsigned long *args, unsigned int nargs)
{
	int cmd = nargs > 1 ? (int)(args[1] & FUTEX_CMD_MASK) : 0;

	if (cmd != FUTEX_WAIT && cmd != FUTEX_WAIT_BITSET &&
	    cmd != FUTEX_WAIT_REQUEUE_PI)
		return false;
	return nargs > 3 && args[3] != 0;
}

bool arch_writes_restart_block(const struct arch_abi *abi, long nr,
			       const unsigned long *args, unsigned int nargs)
{
	const struct x86_abi *x = x86(abi);

	if (ONE_OF(nr, x->nanosleep, x->clock_nanosleep, x->clock_nanosleep64,
		   x->restart_syscall, x->sigreturn, x->rt_sigreturn,
		   x->poll))	/* poll: whatever its timeout */
		return true;
	if (ONE_OF(nr, x->futex, x->futex64))
		return futex_timed_wait(args, nargs);
	return false;
}

bool arch_uses_sigmask(const struct arch_abi *abi, long nr)
{
	const struct x86_abi *x = x86(abi);

	return ONE_OF(nr, x->rt_sigprocmask, x->sigprocmask, x->ssetmask);
}

bool arch_changes_disposition(const struct arch_abi *abi, long nr)
{
	const struct x86_abi *x = x86(abi);

	return ONE_OF(nr, x->rt_sigaction, x->sigaction, x->signal,
		      x->execve, x->execveat);
}

bool arch_changes_ext(const struct arch_abi *abi, long nr)
{
	const struct x86_abi *x = x86(abi);

	return ONE_OF(nr, x->sigreturn, x->rt_sigreturn);
}

int arch_get_ext(pid_t tid, struct arch_ext *e)
{
	struct iovec iov = { e->buf, sizeof(e->buf) };

	if (ptrace(PTRACE_GETREGSET, tid, NT_X86_XSTATE, &iov))
		return -errno;
	e->len = iov.iov_len;
	return 0;
}

int arch_set_ext(pid_t tid, const struct arch_ext *e)
{
	struct iovec iov = { (void *)e->buf, e->len };

	return ptrace(PTRACE_SETREGSET, tid, NT_X86_XSTATE, &iov) ? -errno : 0;
}
