/*
 * The system call ABIs scremote attaches to: names, numbers, signatures
 * and named constants, from libscremote's generated tables (systab.h);
 * generic code only looks things up.
 */
#ifndef CLI_ABI_H
#define CLI_ABI_H

#include <stddef.h>

#include "systab.h"

/* The build's own ABI. */
const struct sys_abi *abi_default(void);

/* The attachable ABI of executables of that ELF machine and class. */
const struct sys_abi *abi_for_elf(unsigned int machine, unsigned int class);

/*
 * The ABI of the program process pid runs, from the ELF header of
 * /proc/PID/exe, into *abi.  Returns 0, -ENOEXEC when no table matches,
 * or another negative errno when the header cannot be read (no such
 * process, no permission, a kernel thread).
 */
int abi_of_pid(long pid, const struct sys_abi **abi);

/* Number of system call name (len bytes), or -1. */
long abi_sysnr(const struct sys_abi *abi, const char *name, size_t len);

/* Name of system call nr, or NULL. */
const char *abi_sysname(const struct sys_abi *abi, long nr);

/* Value of constant name (0 found, -1 unknown). */
int abi_const(const struct sys_abi *abi, const char *name, size_t len,
	      long long *value);

/* The known name closest to name, or NULL when none is close enough. */
const char *abi_suggest_sys(const struct sys_abi *abi, const char *name,
			    size_t len);
const char *abi_suggest_const(const struct sys_abi *abi, const char *name,
			      size_t len);

#endif
