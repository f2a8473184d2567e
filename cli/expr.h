/*
 * Integer expressions of the call language:
 *
 *   expr := or;   or := xor {"|" xor};   xor := and {"^" and}
 *   and := shift {"&" shift};   shift := sum {("<<" | ">>") sum}
 *   sum := prod {("+" | "-") prod};   prod := unary {"*" unary}
 *   unary := ("~" | "-") unary | prim
 *   prim := NUMBER | 'c' | CONSTANT | NULL | $N | "(" expr ")"
 *         | htons(e) | htonl(e) | ntohs(e) | ntohl(e) | makedev(e, e)
 *         | inet_addr("1.2.3.4")
 *
 * Values are what a register holds (64 bits, two's complement).  An
 * expression without $N is folded to its value when parsed; one with $N
 * is kept (as postfix operations) and evaluated when the calls before
 * it have run.  Named constants are checked against what the argument
 * takes (its family) before anything runs.
 */
#ifndef CLI_EXPR_H
#define CLI_EXPR_H

#include "lex.h"
#include "systab.h"

struct op {
	unsigned char kind;
	unsigned long v;	/* number, or N of $N */
};

struct expr {
	struct op *ops;
	unsigned int n, cap;
	int byteswapped;	/* its last step is htons() or htonl() */
};

/* Which named constants an expression may use. */
struct expr_ctx {
	int any;			/* every constant */
	const struct sys_family *fam[3];/* else those of these families */
	unsigned int nfam;
	const char *what;		/* "openat's flags", for messages */
	const char *expects;		/* what it takes: "a file descriptor" */
	int refs_ok;			/* $N allowed */
};

int expr_parse(struct cur *c, const struct expr_ctx *x, struct expr *e);

/* Does it use $N?  Its value when it does not. */
int expr_has_refs(const struct expr *e);
unsigned long expr_value(const struct expr *e);

/* N when the expression is exactly $N, else 0. */
unsigned long expr_plain_ref(const struct expr *e);

/* The value, with results[N-1] the result of call N. */
unsigned long expr_eval(const struct expr *e, const long *results);

/* The calls an expression refers to: the largest N of its $N, or 0. */
unsigned long expr_max_ref(const struct expr *e);

void expr_free(struct expr *e);

/* "open_flags (O_RDONLY, O_WRONLY, O_RDWR...)", for messages. */
void expr_describe_family(const struct sys_abi *abi,
			  const struct sys_family *f, char *buf, size_t size);

#endif
