/*
 * System call rules of the asm-generic table, shared by the architectures
 * that use it (aarch64, riscv64).  Included by their arch.c (one file per
 * architecture), it also defines three functions of lib/arch.h for them.
 */
#ifndef SCR_ASM_GENERIC_RULES_H
#define SCR_ASM_GENERIC_RULES_H

#include <asm/unistd.h>
#include <linux/futex.h>
#include <stdbool.h>
#include <string.h>

/* The numbers of struct arch_abi, the same in every asm-generic ABI. */
#define GENERIC_ABI_NUMBERS						\
	.nr_mmap = __NR_mmap,						\
	.nr_munmap = __NR_munmap,					\
	.nr_restart_syscall = __NR_restart_syscall,			\
	.nr_exit_group = __NR_exit_group,				\
	.nr_execve = __NR_execve,					\
	.nr_execveat = __NR_execveat,					\
	.nr_seccomp = __NR_seccomp,					\
	.nr_prctl = __NR_prctl,						\
	.nr_rseq = __NR_rseq,						\
	.nr_rt_tgsigqueueinfo = __NR_rt_tgsigqueueinfo,			\
	.strict_ok = { __NR_read, __NR_write, __NR_exit,		\
		       __NR_rt_sigreturn }

/* A FUTEX_WAIT* with a timeout: interrupted, it writes restart_block. */
/* asm-generic ABIs are 64-bit here: the tracer's siginfo is theirs. */
size_t arch_siginfo_for_abi(const struct arch_abi *abi, const siginfo_t *si,
			    unsigned char out[128])
{
	(void)abi;
	memcpy(out, si, sizeof(*si));
	return sizeof(*si);
}

static inline bool generic_futex_timed_wait(const unsigned long *args,
					    unsigned int nargs)
{
	int cmd = nargs > 1 ? (int)(args[1] & FUTEX_CMD_MASK) : 0;

	if (cmd != FUTEX_WAIT && cmd != FUTEX_WAIT_BITSET &&
	    cmd != FUTEX_WAIT_REQUEUE_PI)
		return false;
	return nargs > 3 && args[3] != 0;
}

/* Does call nr, interrupted, return -ERESTART_RESTARTBLOCK (and leave
 * its remaining work in restart_block)? */
static inline bool generic_restarts_through_block(long nr,
						  const unsigned long *a)
{
	int cmd = (int)(a[1] & FUTEX_CMD_MASK);

	switch (nr) {
	case __NR_nanosleep:
		return true;
	case __NR_clock_nanosleep:
		return !(a[1] & 1);	/* TIMER_ABSTIME restarts as is */
	case __NR_futex:
		return (cmd == FUTEX_WAIT || cmd == FUTEX_WAIT_BITSET) &&
		       a[3] != 0;
	default:
		return false;
	}
}

static inline bool generic_writes_restart_block(long nr,
						const unsigned long *args,
						unsigned int nargs)
{
	switch (nr) {
	case __NR_nanosleep:
	case __NR_clock_nanosleep:
	case __NR_restart_syscall:
	case __NR_rt_sigreturn:
		return true;
	case __NR_futex:
		return generic_futex_timed_wait(args, nargs);
	default:
		return false;
	}
}

static inline bool generic_uses_sigmask(long nr)
{
	return nr == __NR_rt_sigprocmask;
}

static inline bool generic_changes_disposition(long nr)
{
	return nr == __NR_rt_sigaction || nr == __NR_execve ||
	       nr == __NR_execveat;
}

bool arch_writes_restart_block(const struct arch_abi *abi, long nr,
			       const unsigned long *args, unsigned int nargs)
{
	(void)abi;
	return generic_writes_restart_block(nr, args, nargs);
}

bool arch_uses_sigmask(const struct arch_abi *abi, long nr)
{
	(void)abi;
	return generic_uses_sigmask(nr);
}

bool arch_changes_disposition(const struct arch_abi *abi, long nr)
{
	(void)abi;
	return generic_changes_disposition(nr);
}

#endif
