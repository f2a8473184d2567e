#ifndef SCR_ARCH_REGS_H
#define SCR_ARCH_REGS_H

#include <asm/ptrace.h>

/*
 * NT_PRSTATUS (x0-x30, sp, pc, pstate) and the number of the system call
 * the thread is in (NT_ARM_SYSTEM_CALL, -1 when none): the kernel decides
 * restarts from it, and syscall stops report it.
 */
struct arch_regs {
	struct user_pt_regs r;
	long syscallno;
};

/* A tag word, then NT_ARM_SVE (which holds the FP/SIMD registers too) or,
 * without SVE, NT_PRFPREG.  SVE at its largest vector length (2048 bits)
 * takes about 9 KiB. */
#define ARCH_EXT_MAX 16384

#endif
