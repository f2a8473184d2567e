/*
 * System call ABIs scremote knows: names and numbers of the calls, and
 * the named constants accepted in arguments.  Every ABI is a table
 * generated at build time from the kernel and libc headers (see
 * gen-syscalls.sh, gen-consts.sh); generic code only looks things up.
 */
#ifndef CLI_ABI_H
#define CLI_ABI_H

#include <stddef.h>

struct cli_sysent {
	const char *name;
	long nr;
};

struct cli_const {
	const char *name;
	long long value;
};

struct cli_abi {
	const char *name;		/* "x86_64" */
	unsigned short elf_machine;	/* e_machine of its executables */
	unsigned char elf_class;	/* ELFCLASS32 or ELFCLASS64 */
	const struct cli_sysent *sys;	/* sorted by name */
	size_t nsys;
	const struct cli_const *consts;	/* sorted by name */
	const size_t *nconsts;
};

/* Every ABI built in, NULL-terminated; the first is the host's. */
extern const struct cli_abi *const cli_abis[];

const struct cli_abi *abi_default(void);
const struct cli_abi *abi_for_elf(unsigned int machine, unsigned int class);

/*
 * The ABI of the program process pid runs, from the ELF header of
 * /proc/PID/exe, into *abi.  Returns 0, -ENOEXEC when no table matches,
 * or another negative errno when the header cannot be read (no such
 * process, no permission, a kernel thread).
 */
int abi_of_pid(long pid, const struct cli_abi **abi);

/* Number of system call name, or -1. */
long abi_sysnr(const struct cli_abi *abi, const char *name, size_t len);

/* Name of system call nr, or NULL. */
const char *abi_sysname(const struct cli_abi *abi, long nr);

/* Value of constant name (0 found, -1 unknown). */
int abi_const(const struct cli_abi *abi, const char *name, size_t len,
	      long long *value);

/* The known name closest to name, or NULL when none is close enough. */
const char *abi_suggest_sys(const struct cli_abi *abi, const char *name,
			    size_t len);
const char *abi_suggest_const(const struct cli_abi *abi, const char *name,
			      size_t len);

#endif
