#ifndef SCR_ARCH_REGS_H
#define SCR_ARCH_REGS_H

#include <sys/user.h>

struct arch_regs {
	struct user_regs_struct r;
};

/* NT_X86_XSTATE is at most a few KiB (AVX-512 with AMX tiles ~11 KiB). */
#define ARCH_EXT_MAX 16384

#endif
