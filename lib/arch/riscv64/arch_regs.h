#ifndef SCR_ARCH_REGS_H
#define SCR_ARCH_REGS_H

#include <asm/ptrace.h>

/*
 * NT_PRSTATUS (pc, x1-x31), and whether the instruction at pc is an
 * ecall: neither orig_a0 nor the kernel's "in a system call" mark is in
 * the register set, and a call the kernel has rewound before a signal
 * stop shows as pc on its ecall.
 */
struct arch_regs {
	struct user_regs_struct r;
	unsigned long at_ecall;
};

/* A 16-byte header, NT_PRFPREG (264 bytes), then NT_RISCV_VECTOR where
 * the kernel has it (a header and 32 registers of vlenb bytes). */
#define ARCH_EXT_MAX 16384

#endif
