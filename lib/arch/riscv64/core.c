/*
 * What a riscv64 core says of its machine: the register sets the kernel
 * writes for each thread (arch/riscv/kernel/ptrace.c, riscv_user_regset),
 * in its order.  The vector set exists only where the CPU has V and the
 * thread has used it.
 */
#include <asm/unistd.h>
#include <elf.h>

#include "arch.h"

#ifndef NT_RISCV_VECTOR
#define NT_RISCV_VECTOR 0x901
#endif
#ifndef NT_RISCV_TAGGED_ADDR_CTRL
#define NT_RISCV_TAGGED_ADDR_CTRL 0x902
#endif
#ifndef EM_RISCV
#define EM_RISCV 243
#endif

static const struct arch_core_note notes[] = {
	{ NT_PRFPREG, "CORE" },		/* f0-f31, fcsr */
	{ NT_RISCV_VECTOR, "LINUX" },
	{ NT_RISCV_TAGGED_ADDR_CTRL, "LINUX" },
};

static const struct arch_core core = {
	.machine = EM_RISCV,
	.uid_size = 4,
	.notes = notes,
	.nnotes = sizeof(notes) / sizeof(notes[0]),
	.nr_clone = __NR_clone,
	.nr_wait4 = __NR_wait4,
};

const struct arch_core *arch_core_of(const struct arch_abi *abi)
{
	(void)abi;
	return &core;
}

size_t arch_core_extra_note(const struct arch_abi *abi, uint32_t *type,
			    void *buf, size_t len)
{
	(void)abi, (void)type, (void)buf, (void)len;
	return 0;
}
