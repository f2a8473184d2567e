/*
 * What an aarch64 core says of its machine: the register sets the kernel
 * writes for each thread (arch/arm64/kernel/ptrace.c, aarch64_regsets),
 * in its order.  Those this CPU or kernel lacks fail to read and are
 * left out.  The pointer authentication keys (NT_ARM_PACA_KEYS,
 * NT_ARM_PACG_KEYS), which a kernel built for checkpointing also writes,
 * are left out on purpose: they are the process's secrets, no debugger
 * needs them, and cores travel.
 */
#include <asm/unistd.h>
#include <elf.h>

#include "arch.h"

#ifndef NT_ARM_PAC_ENABLED_KEYS
#define NT_ARM_PAC_ENABLED_KEYS 0x40a
#endif
#ifndef NT_ARM_SSVE
#define NT_ARM_SSVE 0x40b
#endif
#ifndef NT_ARM_ZA
#define NT_ARM_ZA 0x40c
#endif
#ifndef NT_ARM_ZT
#define NT_ARM_ZT 0x40d
#endif
#ifndef NT_ARM_FPMR
#define NT_ARM_FPMR 0x40e
#endif
#ifndef NT_ARM_POE
#define NT_ARM_POE 0x40f
#endif
#ifndef NT_ARM_GCS
#define NT_ARM_GCS 0x410
#endif

static const struct arch_core_note notes[] = {
	{ NT_PRFPREG, "CORE" },		/* v0-v31, fpsr, fpcr */
	{ NT_ARM_TLS, "LINUX" },
	{ NT_ARM_HW_BREAK, "LINUX" },
	{ NT_ARM_HW_WATCH, "LINUX" },
	{ NT_ARM_FPMR, "LINUX" },
	{ NT_ARM_SYSTEM_CALL, "LINUX" },
	{ NT_ARM_SVE, "LINUX" },
	{ NT_ARM_SSVE, "LINUX" },
	{ NT_ARM_ZA, "LINUX" },
	{ NT_ARM_ZT, "LINUX" },
	{ NT_ARM_PAC_MASK, "LINUX" },
	{ NT_ARM_PAC_ENABLED_KEYS, "LINUX" },
	{ NT_ARM_TAGGED_ADDR_CTRL, "LINUX" },
	{ NT_ARM_POE, "LINUX" },
	{ NT_ARM_GCS, "LINUX" },
};

static const struct arch_core core = {
	.machine = EM_AARCH64,
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
