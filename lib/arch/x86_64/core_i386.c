/*
 * What the core of an i386 process says of its machine: the kernel's
 * ia32 view (arch/x86/kernel/ptrace.c, x86_32_regsets), which is also
 * what PTRACE_GETREGSET gives for a 32-bit thread, so that every note
 * has the 32-bit layout.  pr_uid and pr_gid are 16 bits there
 * (__compat_uid_t).
 */
#include <asm/unistd_32.h>
#include <elf.h>

#include "x86_abi.h"

extern const struct arch_core arch_x86_core_i386;

static const struct arch_core_note notes_i386[] = {
	{ NT_PRFPREG, "CORE" },		/* user_i387_ia32_struct */
	{ NT_PRXFPREG, "LINUX" },	/* fxsave area */
	{ NT_X86_XSTATE, "LINUX" },
	{ NT_386_TLS, "LINUX" },	/* the three TLS descriptors */
	{ NT_386_IOPERM, "LINUX" },
};

const struct arch_core arch_x86_core_i386 = {
	.machine = EM_386,
	.uid_size = 2,
	.notes = notes_i386,
	.nnotes = sizeof(notes_i386) / sizeof(notes_i386[0]),
	.nr_clone = __NR_clone,
	.nr_wait4 = __NR_wait4,
};
