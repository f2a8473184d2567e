/* What attaching reads before the stop (prestop.c). */
#ifndef SCR_PRESTOP_H
#define SCR_PRESTOP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "arch.h"

struct scr_prestop {
	bool leftovers;			/* an agent a dead tool left behind */
	unsigned long vdso;		/* 0: none */
	size_t vdso_len;
	unsigned char *vdso_copy;	/* its bytes */
	int status_fd;			/* /proc/PID/status, opened; -1: none */
};

/* What /proc/PID/status says, read after the stop. */
struct scr_prestatus {
	unsigned long long threads;	/* live threads of the process */
	uint64_t sigign;		/* ignored signals */
	int seccomp;			/* the main thread's mode */
};

/* One pass over /proc/PID/maps, and a copy of the vDSO. */
int scr__prestop_read(pid_t pid, struct scr_prestop *ps);

/* After the stop: a system call instruction of abi in the vDSO, found in
 * the copy and checked in the target's memory; 0 when there is none. */
unsigned long scr__prestop_insn(pid_t pid, const struct scr_prestop *ps,
				const struct arch_abi *abi);

/* After the stop: /proc/PID/status read again through the descriptor
 * opened before it (the path lookup stays out of the stop). */
int scr__prestop_status(const struct scr_prestop *ps, struct scr_prestatus *st);

void scr__prestop_free(struct scr_prestop *ps);

#endif
