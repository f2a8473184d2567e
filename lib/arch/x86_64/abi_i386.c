/* The i386 ABI, for 32-bit processes on an x86_64 kernel. */
#include <asm/unistd_32.h>
#include <linux/audit.h>

#include "x86_abi.h"

/* int $0x80: found in the 32-bit vDSO's __kernel_vsyscall. */
static const unsigned char int80[] = { 0xcd, 0x80 };

const struct x86_abi arch_x86_abi_i386 = {
	.abi = {
		.name = "i386",
		.insn = int80,
		.insn_len = sizeof(int80),
		.insn_align = 1,
		.can_step = true,
		.nr_mmap = __NR_mmap2,	/* offset 0 either way */
		.nr_munmap = __NR_munmap,
		.nr_restart_syscall = __NR_restart_syscall,
		.nr_exit_group = __NR_exit_group,
		.nr_execve = __NR_execve,
		.nr_execveat = __NR_execveat,
		.word_size = 4,
		.audit_arch = AUDIT_ARCH_I386,
		.nr_seccomp = __NR_seccomp,
		.nr_prctl = __NR_prctl,
		.nr_rseq = __NR_rseq,
		.nr_rt_tgsigqueueinfo = __NR_rt_tgsigqueueinfo,
		.red_zone = 0,
		.strict_ok = { __NR_read, __NR_write, __NR_exit,
			       __NR_sigreturn },
	},
	.compat = true,
	.nanosleep = __NR_nanosleep,
	.clock_nanosleep = __NR_clock_nanosleep,
	.clock_nanosleep64 = __NR_clock_nanosleep_time64,
	.restart_syscall = __NR_restart_syscall,
	.sigreturn = __NR_sigreturn,
	.rt_sigreturn = __NR_rt_sigreturn,
	.futex = __NR_futex,
	.futex64 = __NR_futex_time64,
	.poll = __NR_poll,
	.rt_sigprocmask = __NR_rt_sigprocmask,
	.sigprocmask = __NR_sigprocmask,
	.ssetmask = __NR_ssetmask,
	.rt_sigaction = __NR_rt_sigaction,
	.sigaction = __NR_sigaction,
	.signal = __NR_signal,
	.execve = __NR_execve,
	.execveat = __NR_execveat,
	.epoll_wait = __NR_epoll_wait,
	.epoll_pwait = __NR_epoll_pwait,
	.epoll_pwait2 = __NR_epoll_pwait2,
	.rt_sigtimedwait = __NR_rt_sigtimedwait,
	.rt_sigtimedwait64 = __NR_rt_sigtimedwait_time64,
	.semop = -1,			/* through ipc(2) only */
	.semtimedop = -1,
	.semtimedop64 = __NR_semtimedop_time64,
};
