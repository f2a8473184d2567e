/*
 * The system call tables of libscremote: for every ABI each call's name,
 * number and signature, and for the ABIs this build attaches to the
 * named constants, grouped in families (open_flags, signal...).  The
 * data is generated at build time (lib/gen/gen-systab.sh) from the
 * kernel's own prototypes and the system headers; systab.c answers the
 * public lookups (scr_syscall_nr() ...), and scremote(1), which links
 * the static library, reads the tables directly through this header.
 * The layouts here are internal: the public API returns only scalars
 * and strings.
 */
#ifndef SCR_SYSTAB_H
#define SCR_SYSTAB_H

#include <stddef.h>

#include "scremote.h"

/* One argument of a system call. */
struct sys_arg {
	const char *name;	/* as in the kernel's prototype: "fd" */
	const char *type;	/* its C type there: "unsigned int" */
	const char *detail;	/* family (flags, enum), struct (in, out,
				   inout: "stat", "int[2]"), or NULL */
	unsigned char kind;	/* SCR_ARG_* */
	signed char ref;	/* a size or count: the pointer it measures;
				   a pointer: its size or count; -1: none */
};

struct sys_sig {
	const struct sys_arg *args;
	unsigned char nargs;	/* 0..6 */
	unsigned char nreq;	/* the first nreq may not be left out */
	unsigned char ret;	/* SCR_ARG_* of the return value */
	const char *ret_detail;
};

struct sys_call {
	const char *name;
	int nr;
	const struct sys_sig *sig;	/* NULL: the tables do not know it */
};

/* A family of constants: its members, in the order output prefers. */
struct sys_family {
	const char *name;	/* "open_flags" */
	int is_flags;		/* 0: one value; else bits OR-ed, and
				 * 2: shown in member order (else by value),
				 * 4: none set shown by the member for 0 */
	long long mask;		/* these bits hold one value ... */
	int mask_family;	/* ... of this family (index), -1: none */
	const unsigned short *members;	/* indices into sys_consts.c */
	size_t nmembers;
};

struct sys_const {
	const char *name;
	long long value;
	unsigned char fam[4];	/* family index + 1 of each family it is
				   in; 0 ends the list */
};

struct sys_consts {
	const struct sys_const *c;	/* sorted by name */
	size_t n;
	const struct sys_family *fam;
	size_t nfam;
};

struct sys_abi {
	int id;				/* enum scr_abi_id */
	const char *name;		/* "x86_64" */
	unsigned short elf_machine;	/* e_machine of its executables */
	unsigned char elf_class;	/* ELFCLASS32 or ELFCLASS64 */
	unsigned char word_size;	/* bytes in a register, a long */
	const struct sys_call *calls;	/* sorted by name */
	const unsigned short *bynr;	/* indices into calls, by number */
	size_t ncalls;
	size_t nsigned;			/* calls with a signature */
	const struct sys_consts *consts; /* NULL: not an ABI of this build */
};

/* Indexed by enum scr_abi_id (entry 0 is NULL), every ABI. */
extern const struct sys_abi *const scr__abis[SCR_ABI_RISCV64 + 1];

/* The ABIs this build can attach to, the build's own first; NULL ends. */
extern const struct sys_abi *const scr__host_abis[];

/* The ABI of id, or NULL. */
const struct sys_abi *scr__sys_abi(int id);

/* The call named name (len bytes, not NUL-terminated) or numbered nr. */
const struct sys_call *scr__call_by_name(const struct sys_abi *abi,
					const char *name, size_t len);
const struct sys_call *scr__call_by_nr(const struct sys_abi *abi, long nr);

/* Constants: by name (len bytes), or NULL; NULL too for an ABI without
 * constants. */
const struct sys_const *scr__const_by_name(const struct sys_abi *abi,
					  const char *name, size_t len);

/* The family named name, or NULL. */
const struct sys_family *scr__family(const struct sys_abi *abi,
				    const char *name);

/* Is constant c in family f? */
int scr__const_in(const struct sys_abi *abi, const struct sys_const *c,
		 const struct sys_family *f);

#endif
