/* scremote --list: the system calls of an ABI, with their signatures. */
#ifndef CLI_LIST_H
#define CLI_LIST_H

#include <stdio.h>

#include "systab.h"

/* Name of an argument kind, as --list and --json show it: "fd". */
const char *kind_name(int kind);

/*
 * Lists the calls of abi (or only those named in names[0..n)), one a
 * line "NAME NUMBER (PROTOTYPE)", or as one JSON object.  Returns 0, or
 * 2 when a name is not a call of abi (said on stderr, or in the JSON).
 */
int print_list(FILE *f, const struct sys_abi *abi, char *const *names,
	       size_t n, int json);

#endif
