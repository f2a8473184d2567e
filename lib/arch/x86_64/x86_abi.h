/*
 * The two system call ABIs an x86_64 kernel runs: x86_64 itself and i386
 * (IA32 emulation).  Each is described by the numbers the engine's rules
 * need; a number an ABI lacks is -1.  Defined in one file per ABI, since
 * <asm/unistd_64.h> and <asm/unistd_32.h> cannot meet in one file.
 */
#ifndef SCR_X86_ABI_H
#define SCR_X86_ABI_H

#include "arch.h"

struct x86_abi {
	struct arch_abi abi;		/* first: the generic view */
	bool compat;			/* i386: args in ebx, ecx, edx... */
	long nanosleep, clock_nanosleep, clock_nanosleep64, restart_syscall;
	long sigreturn, rt_sigreturn, futex, futex64, poll;
	long rt_sigprocmask, sigprocmask, ssetmask;
	long rt_sigaction, sigaction, signal, execve, execveat;
	long epoll_wait, epoll_pwait, epoll_pwait2;
	long rt_sigtimedwait, rt_sigtimedwait64;
	long semop, semtimedop, semtimedop64;
};

extern const struct x86_abi arch_x86_abi_64;
extern const struct x86_abi arch_x86_abi_i386;

#endif
