/*
 * The call language of scremote(1):
 *
 *   call := NAME [ "(" [ arg { "," arg } ] ")" ]
 *   NAME := syscall name | "syscall_" N | "#" N
 *   arg  := term { "|" term }        integers, 'c', constants: O_WRONLY|0100
 *         | "string"                 C escapes; pushed with its NUL
 *         | bytes("...")             raw bytes, no NUL added
 *         | buf(N)                   N-byte output buffer, shown afterwards
 *         | int(N)                   a C int in and out, shown as [N]
 *         | $N                       return value of call N
 *         | NULL
 *
 * Everything is checked here, before anything touches the target.
 */
#ifndef CLI_PARSE_H
#define CLI_PARSE_H

#include <stddef.h>

#include "abi.h"

#define CLI_MAX_ARGS 6			/* Linux system calls take <= 6 */
#define CLI_MAX_CALLS 64		/* -e expressions per invocation */
#define CLI_DATA_MAX (1024 * 1024)	/* bytes in one buf/string */

enum arg_kind {
	ARG_INT,	/* integer, 'c', constants, NULL: value */
	ARG_REF,	/* $N: value is N, 1-based */
	ARG_STR,	/* "string": data, len includes the NUL */
	ARG_BYTES,	/* bytes("..."): data, len */
	ARG_BUF,	/* buf(N): value is N */
	ARG_INTPTR,	/* int(N): value is N */
};

struct arg {
	enum arg_kind kind;
	unsigned long value;
	unsigned char *data;
	size_t len;
	char *text;		/* how to show it: as the user wrote it */
};

struct call {
	long nr;
	char *name;		/* table name, or syscall_N */
	unsigned int nargs;
	struct arg args[CLI_MAX_ARGS];
};

/* Where and why parsing stopped: the span [pos, pos+len) of the text. */
struct parse_err {
	size_t pos, len;
	char msg[320];
};

/*
 * Parse call number index (1-based; $N must refer to an earlier one)
 * from text.  Returns 0, or -1 with *err filled and *c left empty.
 */
int parse_call(const struct sys_abi *abi, const char *text,
	       unsigned int index, struct call *c, struct parse_err *err);

/*
 * The positional form: words[0] is the name, the others one argument
 * each.  Error positions are offsets in the words joined by one space.
 */
int parse_words(const struct sys_abi *abi, char *const *words, size_t n,
		struct call *c, struct parse_err *err);

void call_free(struct call *c);

#endif
