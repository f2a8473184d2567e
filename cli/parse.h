/*
 * The call language of scremote(1):
 *
 *   call := NAME [ "(" [ arg { "," arg } ] ")" [ "=" ANYTHING ] ]
 *   NAME := syscall name | "syscall_" N | "#" N
 *   arg  := expr                     integers, 'c', constants, $N, NULL,
 *                                    | & ^ ~ + - << >> ( ), htons()...
 *                                    (see expr.h)
 *         | "string"                 C escapes; pushed with its NUL
 *         | {field=value, ...}       a struct, as strace shows it
 *         | [elem, ...]              an array (argv, iovecs, int[2])
 *         | bytes("...")             raw bytes, no NUL added
 *         | buf(N)                   N-byte output buffer, shown afterwards
 *         | int(N)                   a C int in and out, shown as [N]
 *
 * A line of strace's output is a call: what follows " = " is ignored,
 * and where the call writes (read's buffer, fstat's struct) what strace
 * showed stands for a buffer of the right size.
 *
 * Each argument is checked against the call's signature (systab.h),
 * refined by the decoders (fcntl's third argument after F_SETFL takes
 * open flags): the number of arguments, the family of every named
 * constant, strings and structs only where pointers go.  Everything is
 * checked here, before anything touches the target.
 */
#ifndef CLI_PARSE_H
#define CLI_PARSE_H

#include <stddef.h>

#include "abi.h"
#include "blob.h"
#include "decode/decode.h"
#include "expr.h"
#include "lex.h"

#define CLI_MAX_ARGS 6			/* Linux system calls take <= 6 */
#define CLI_DATA_MAX (1024 * 1024)	/* bytes in one buf/string */

enum arg_form {
	ARG_INT,	/* an expression: expr */
	ARG_STR,	/* "string": blob, with its NUL */
	ARG_BYTES,	/* bytes("..."): blob */
	ARG_BLOB,	/* a struct or array literal: blob */
	ARG_BUF,	/* buf(N): size zeroed bytes, shown afterwards */
	ARG_INTPTR,	/* int(N): a C int in and out */
	ARG_OUT,	/* where the call writes: size zeroed bytes (a pasted
			   strace value stands for it) */
};

struct arg {
	enum arg_form form;
	struct expr expr;	/* ARG_INT */
	struct blob *blob;	/* ARG_STR, ARG_BYTES, ARG_BLOB */
	size_t size;		/* ARG_BUF, ARG_OUT: bytes */
	int ival;		/* ARG_INTPTR */
	char *text;		/* as written */
	size_t pos, len;	/* where, in the parsed text */
	struct argtype t;	/* what the call takes here */
};

struct call {
	long nr;
	char *name;			/* table name, or syscall_N */
	const struct sys_call *sc;	/* NULL: a raw number */
	unsigned int index;		/* 1-based number of the call */
	unsigned int nargs;
	struct arg args[CLI_MAX_ARGS];
	struct argtype ret;		/* what it returns */
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

/* The signature of a call, "(int dfd, const char *filename, int flags[,
 * umode_t mode])", for messages and --list. */
void call_prototype(const struct sys_sig *s, char *buf, size_t size);

/* Is the value of argument i known before the calls run? */
int arg_known(const struct arg *a);

void call_free(struct call *c);

#endif
