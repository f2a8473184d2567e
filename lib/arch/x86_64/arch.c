/* x86_64 facts: registers, the syscall instruction, restart rules. */
#include <asm/unistd_64.h>
#include <elf.h>
#include <errno.h>
#include <linux/audit.h>
#include <linux/futex.h>
#include <sys/ptrace.h>
#include <sys/uio.h>

#include "arch.h"

#define ERESTARTNOHAND		514
#define ERESTART_RESTARTBLOCK	516

#define X86_EFLAGS_TF 0x100UL
#define X86_EFLAGS_DF 0x400UL

static const unsigned char syscall_insn[] = { 0x0f, 0x05 };

static const struct arch_abi abi_x86_64 = {
	.name = "x86_64",
	.insn = syscall_insn,
	.insn_len = sizeof(syscall_insn),
	.insn_align = 1,
	.can_step = true,
	.nr_mmap = __NR_mmap,
	.nr_munmap = __NR_munmap,
	.nr_rt_tgsigqueueinfo = __NR_rt_tgsigqueueinfo,
	.word_size = 8,
	.audit_arch = AUDIT_ARCH_X86_64,
	.nr_seccomp = __NR_seccomp,
	.nr_prctl = __NR_prctl,
	.strict_ok = { __NR_read, __NR_write, __NR_exit, __NR_rt_sigreturn },
};

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
	(void)r;
	return &abi_x86_64;
}

unsigned long arch_pc(const struct arch_regs *r)
{
	return r->r.rip;
}

long arch_cur_syscall(const struct arch_regs *r)
{
	return (long)r->r.orig_rax;
}

long arch_retval(const struct arch_regs *r)
{
	return (long)r->r.rax;
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

static bool restartable_eintr(long nr, const unsigned long args[6])
{
	switch (nr) {
	case __NR_epoll_wait:
	case __NR_epoll_pwait:
		return (int)args[3] < 0;
	case __NR_epoll_pwait2:
	case __NR_semtimedop:
		return args[3] == 0;
	case __NR_rt_sigtimedwait:
		return args[2] == 0;
	case __NR_semop:
		return true;
	default:
		return false;
	}
}

bool arch_undo_eintr(struct arch_regs *r)
{
	unsigned long args[6] = { r->r.rdi, r->r.rsi, r->r.rdx,
				  r->r.r10, r->r.r8, r->r.r9 };

	if (arch_cur_syscall(r) < 0 || arch_retval(r) != -EINTR ||
	    !restartable_eintr(arch_cur_syscall(r), args))
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
	r->r.rdi = a[0];
	r->r.rsi = a[1];
	r->r.rdx = a[2];
	r->r.r10 = a[3];
	r->r.r8 = a[4];
	r->r.r9 = a[5];
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
	(void)abi;
	switch (nr) {
	case __NR_nanosleep:
	case __NR_clock_nanosleep:
	case __NR_restart_syscall:
	case __NR_rt_sigreturn:
		return true;
	case __NR_futex:
		return futex_timed_wait(args, nargs);
	case __NR_poll:		/* whatever its timeout */
		return true;
	default:
		return false;
	}
}

bool arch_uses_sigmask(const struct arch_abi *abi, long nr)
{
	(void)abi;
	return nr == __NR_rt_sigprocmask;
}

bool arch_changes_disposition(const struct arch_abi *abi, long nr)
{
	(void)abi;
	return nr == __NR_rt_sigaction || nr == __NR_execve ||
	       nr == __NR_execveat;
}

bool arch_changes_ext(const struct arch_abi *abi, long nr)
{
	(void)abi;
	return nr == __NR_rt_sigreturn;
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
