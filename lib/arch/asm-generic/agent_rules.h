/*
 * The in-target agent's call rules for the asm-generic system call table
 * (aarch64, riscv64), included by their agent_arch.c; x86_64's takes the
 * range rule, whose calls have the same names and arguments there.
 */
#ifndef SCR_ASM_GENERIC_AGENT_RULES_H
#define SCR_ASM_GENERIC_AGENT_RULES_H

#include <asm/unistd.h>
#include <stdbool.h>
#include <sys/mman.h>

#include "agent.h"

#define GENERIC_AGENT_NUMBERS					\
	.nr_memfd_create = __NR_memfd_create,			\
	.nr_mmap = __NR_mmap,					\
	.nr_munmap = __NR_munmap,				\
	.nr_close = __NR_close,					\
	.nr_close_range = 436,	/* __NR_close_range, 5.9 */	\
	.nr_futex = __NR_futex,					\
	.nr_sched_yield = __NR_sched_yield,			\
	.nr_rt_sigreturn = __NR_rt_sigreturn

/* Not in the agent: calls that replace the image, end or clone the
 * thread, load its registers, or change its own mask or filters. */
static inline bool generic_agent_may_run(long nr)
{
	switch (nr) {
	case __NR_rt_sigreturn:
	case __NR_execve:
	case __NR_execveat:
	case __NR_exit:
	case __NR_exit_group:
	case __NR_clone:
	case 435:		/* __NR_clone3 */
	case __NR_seccomp:
	case __NR_prctl:
	case __NR_rt_sigprocmask:
		return false;
	default:
		return true;
	}
}

/* The range a call may unmap or re-protect (see arch_agent_range()). */
static inline bool generic_agent_range(long nr, const unsigned long *args,
				       unsigned int nargs, unsigned long *addr,
				       unsigned long *len, unsigned int *refs)
{
	unsigned long a[6] = { 0 };

	for (unsigned int i = 0; i < nargs && i < 6; i++)
		a[i] = args[i];
	*refs = 0x3;
	*addr = a[0];
	*len = a[1];
	switch (nr) {
	case __NR_munmap:
	case __NR_mprotect:
	case __NR_pkey_mprotect:
	case __NR_madvise:
	case __NR_remap_file_pages:
		return true;
	case __NR_mremap:
		if (a[3] & 2 /* MREMAP_FIXED */) {
			*refs = 0x1f;
			*len = ~0UL;
		}
		return true;
	case __NR_mmap:
		*refs = 0xb;
		return (a[3] & MAP_FIXED) != 0;
	case __NR_shmat:
		*refs = 0x6;
		*addr = a[1];
		*len = ~0UL;
		return (a[2] & 040000 /* SHM_REMAP */) != 0;
	default:
		return false;
	}
}

#endif
