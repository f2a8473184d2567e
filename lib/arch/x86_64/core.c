/*
 * What an x86_64 core says of its machine: the register sets the kernel
 * writes for each thread (arch/x86/kernel/ptrace.c, x86_64_regsets), in
 * its order.  The i386 view is in core_i386.c.
 */
#include <asm/unistd_64.h>
#include <elf.h>

#include "x86_abi.h"

#ifndef NT_X86_SHSTK
#define NT_X86_SHSTK 0x204
#endif

extern const struct arch_core arch_x86_core_i386;

static const struct arch_core_note notes_64[] = {
	{ NT_PRFPREG, "CORE" },		/* fxsave area */
	{ NT_X86_XSTATE, "LINUX" },	/* xsave area: AVX, AVX-512... */
	{ NT_386_IOPERM, "LINUX" },	/* only after ioperm() */
	{ NT_X86_SHSTK, "LINUX" },	/* only with a shadow stack */
};

static const struct arch_core core_64 = {
	.machine = EM_X86_64,
	.uid_size = 4,
	.notes = notes_64,
	.nnotes = sizeof(notes_64) / sizeof(notes_64[0]),
	.nr_clone = __NR_clone,
	.nr_wait4 = __NR_wait4,
};

const struct arch_core *arch_core_of(const struct arch_abi *abi)
{
	return abi == &arch_x86_abi_i386.abi ? &arch_x86_core_i386 : &core_64;
}
