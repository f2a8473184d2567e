/*
 * What an x86_64 core says of its machine: the register sets the kernel
 * writes for each thread (arch/x86/kernel/ptrace.c, x86_64_regsets), in
 * its order.  The i386 view is in core_i386.c.
 */
#include <asm/unistd_64.h>
#include <cpuid.h>
#include <elf.h>
#include <string.h>

#include "x86_abi.h"

#ifndef NT_X86_SHSTK
#define NT_X86_SHSTK 0x204
#endif
#ifndef NT_X86_XSAVE_LAYOUT
#define NT_X86_XSAVE_LAYOUT 0x205
#endif
#define XSTATE_CPUID 0xd
#define OSXSAVE (1u << 27)	/* CPUID.1:ECX */

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

/* One part of the XSAVE area in NT_X86_XSAVE_LAYOUT (Linux 6.11). */
struct xfeat_component {
	uint32_t type, size, offset, flags;
};

/*
 * Where each part the process can use (XCR0, as the kernel's
 * fpu_user_cfg.max_features) sits in the NT_X86_XSTATE of this CPU, from
 * CPUID leaf 0xd, as the kernel's elf_coredump_extra_notes_write() gives
 * it: AMD's layout is not Intel's, and a debugger needs to know.  The
 * tracer runs on the same CPUs as the process.
 */
size_t arch_core_extra_note(const struct arch_abi *abi, uint32_t *type,
			    void *buf, size_t len)
{
	unsigned int a, b, c, d, xcr0_lo, xcr0_hi;
	size_t n = 0;

	(void)abi;
	if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & OSXSAVE))
		return 0;
	__asm__ volatile("xgetbv" : "=a"(xcr0_lo), "=d"(xcr0_hi) : "c"(0));
	uint64_t xcr0 = ((uint64_t)xcr0_hi << 32) | xcr0_lo;

	for (unsigned int i = 2; i < 64; i++) {
		struct xfeat_component xc = { i, 0, 0, 0 };

		if (!(xcr0 & (1ULL << i)) || (n + 1) * sizeof(xc) > len)
			continue;
		__cpuid_count(XSTATE_CPUID, i, a, b, c, d);
		xc.size = a;
		xc.offset = b;
		memcpy((char *)buf + n * sizeof(xc), &xc, sizeof(xc));
		n++;
	}
	*type = NT_X86_XSAVE_LAYOUT;
	return n * sizeof(struct xfeat_component);
}
