/* Integer expressions (expr.h): a precedence-climbing parser that
 * emits postfix operations, constant folding, evaluation. */
#include <arpa/inet.h>
#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>

#include "abi.h"
#include "expr.h"
#include "util.h"

enum {
	OP_NUM, OP_REF, OP_NEG, OP_NOT, OP_OR, OP_XOR, OP_AND, OP_SHL,
	OP_SHR, OP_ADD, OP_SUB, OP_MUL, OP_HTONS, OP_HTONL, OP_MKDEV,
};

static void emit(struct expr *e, unsigned char kind, unsigned long v)
{
	if (e->n == e->cap) {
		e->cap = e->cap ? e->cap * 2 : 4;
		e->ops = xrealloc(e->ops, e->cap * sizeof(*e->ops));
	}
	e->ops[e->n].kind = kind;
	e->ops[e->n].v = v;
	e->n++;
}

/* Postfix evaluation stack; expr_parse refuses what would not fit. */
#define EXPR_STACK 256

static int parse_or(struct cur *c, const struct expr_ctx *x, struct expr *e);

/* ---- named constants --------------------------------------------------- */

void expr_describe_family(const struct sys_abi *abi,
			  const struct sys_family *f, char *buf, size_t size)
{
	const char *first = f->nmembers ? abi->consts->c[f->members[0]].name : "";
	size_t pre = strlen(first), len;
	unsigned int stray = 0;
	int n;

	/*
	 * "open_flags (O_*)" when the names share a prefix.  The hint leaves
	 * out a stray or two of a large family (FASYNC, strace's name for
	 * O_ASYNC): it tells where to look, the check is by membership.
	 */
	for (size_t i = 1; i < f->nmembers; i++) {
		const char *m = abi->consts->c[f->members[i]].name;
		size_t j = 0;

		while (j < pre && m[j] == first[j])
			j++;
		if (j < 2 && f->nmembers > 8 && stray < 2)
			stray++;
		else
			pre = j;
	}
	if (f->nmembers > 1 && pre >= 2) {
		snprintf(buf, size, "%s (%.*s*)", f->name, (int)pre, first);
		return;
	}
	n = snprintf(buf, size, "%s (", f->name);
	len = n > 0 ? (size_t)n : 0;
	for (size_t i = 0; i < f->nmembers && i < 3 && len < size; i++) {
		n = snprintf(buf + len, size - len, "%s%s", i ? ", " : "",
			     abi->consts->c[f->members[i]].name);
		len += n > 0 ? (size_t)n : 0;
	}
	if (len < size)
		snprintf(buf + len, size - len, "%s)",
			 f->nmembers > 3 ? "..." : "");
}

/* Is constant k allowed here?  If not, say why. */
static int check_family(struct cur *c, const struct expr_ctx *x,
			const struct sys_const *k, size_t pos, size_t len)
{
	const struct sys_abi *abi = c->abi;
	char want[160];

	if (x->any || !k->fam[0])
		return 0;	/* in no family: a number by another name */
	for (unsigned int i = 0; i < x->nfam; i++)
		if (scr__const_in(abi, k, x->fam[i]))
			return 0;
	if (x->nfam)
		expr_describe_family(abi, x->fam[0], want, sizeof(want));
	else
		snprintf(want, sizeof(want), "%s", x->expects);
	return lex_fail(c, pos, len, "%s takes %s%s; %.*s is a constant of "
			"%s", x->what, x->nfam ? "constants of " : "", want,
			SHOW(c, pos, len),
			abi->consts->fam[k->fam[0] - 1].name);
}

static int parse_const(struct cur *c, const struct expr_ctx *x,
		       struct expr *e)
{
	size_t start = c->pos, n = lex_ident_len(c);
	const struct sys_const *k;
	const char *near;

	c->pos += n;
	if (n == 4 && memcmp(c->s + start, "NULL", 4) == 0) {
		emit(e, OP_NUM, 0);
		return 0;
	}
	k = scr__const_by_name(c->abi, c->s + start, n);
	if (k) {
		if (check_family(c, x, k, start, n) < 0)
			return -1;
		emit(e, OP_NUM, (unsigned long)k->value);
		return 0;
	}
	near = abi_suggest_const(c->abi, c->s + start, n);
	if (near)
		return lex_fail(c, start, n, "unknown constant '%.*s' (did you "
				"mean '%s'?)", SHOW(c, start, n), near);
	return lex_fail(c, start, n, "unknown constant '%.*s'",
			SHOW(c, start, n));
}

/* ---- functions ----------------------------------------------------------- */

/* inet_addr("1.2.3.4"): the address as the bytes of a struct in_addr. */
static int parse_inet_addr(struct cur *c, struct expr *e)
{
	size_t start = c->pos;
	unsigned char *s;
	size_t len;
	struct in_addr a;

	if (lex_peek(c) != '"')
		return lex_fail(c, c->pos, lex_token_len(c, c->pos),
				"inet_addr() takes a \"dotted.quad\" string");
	if (lex_string(c, &s, &len) < 0)
		return -1;
	s = xrealloc(s, len + 1);
	s[len] = '\0';
	if (strlen((char *)s) != len || inet_pton(AF_INET, (char *)s, &a) != 1) {
		free(s);
		return lex_fail(c, start, c->pos - start, "%.*s is not an IPv4 "
				"address like \"127.0.0.1\"",
				SHOW(c, start, c->pos - start));
	}
	free(s);
	emit(e, OP_NUM, a.s_addr);
	return 0;
}

static int parse_func(struct cur *c, const struct expr_ctx *x,
		      struct expr *e, size_t start, size_t n)
{
	const char *w = c->s + start;
	unsigned char op;

	if (lex_expect(c, '(', "after the function name") < 0)
		return -1;
	if (n == 9 && !memcmp(w, "inet_addr", 9)) {
		if (parse_inet_addr(c, e) < 0)
			return -1;
		return lex_expect(c, ')', "to close inet_addr(");
	}
	if (parse_or(c, x, e) < 0)
		return -1;
	if (n == 7 && !memcmp(w, "makedev", 7)) {
		if (lex_expect(c, ',', "between the major and minor "
			       "numbers of makedev()") < 0 ||
		    parse_or(c, x, e) < 0)
			return -1;
		op = OP_MKDEV;
	} else if (w[4] == 's') {	/* htons, ntohs */
		op = OP_HTONS;
	} else {
		op = OP_HTONL;
	}
	emit(e, op, 0);
	return lex_expect(c, ')', "to close the function's argument");
}

static int is_func(const char *w, size_t n)
{
	static const char *const f[] = { "htons", "htonl", "ntohs", "ntohl",
					  "makedev", "inet_addr" };

	for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++)
		if (strlen(f[i]) == n && memcmp(w, f[i], n) == 0)
			return 1;
	return 0;
}

/* ---- the grammar --------------------------------------------------------- */

static int parse_ref(struct cur *c, const struct expr_ctx *x,
		     struct expr *e)
{
	size_t start = c->pos;
	unsigned long n = 0;

	c->pos++;	/* '$' */
	if (!isdigit((unsigned char)lex_peek(c)))
		return lex_fail(c, start, lex_token_len(c, start),
				"'$' must be followed by a call number, as in $1");
	while (isdigit((unsigned char)lex_peek(c))) {
		if (n < 100000000)
			n = n * 10 + (unsigned long)(lex_peek(c) - '0');
		c->pos++;
	}
	if (lex_is_ident(lex_peek(c)))
		return lex_fail(c, start, lex_token_len(c, start),
				"'%.*s' is not a call reference like $1",
				SHOW(c, start, lex_token_len(c, start)));
	if (!x->refs_ok)
		return lex_fail(c, start, c->pos - start, "$%lu cannot be used "
				"inside a struct or an array: give the value", n);
	if (n == 0 || n >= c->index) {
		if (c->index == 1)
			return lex_fail(c, start, c->pos - start,
					"$%lu: this is the first call; $N means "
					"the result of an earlier call", n);
		return lex_fail(c, start, c->pos - start,
				"$%lu: this is call %u, so $N can only be "
				"$1..$%u (results of earlier calls)",
				n, c->index, c->index - 1);
	}
	emit(e, OP_REF, n);
	return 0;
}

static int parse_prim(struct cur *c, const struct expr_ctx *x,
		      struct expr *e)
{
	char ch = lex_peek(c);
	unsigned long v;
	size_t n;

	if (isdigit((unsigned char)ch)) {
		if (lex_magnitude(c, &v) < 0)
			return -1;
		emit(e, OP_NUM, v);
		return 0;
	}
	if (ch == '\'') {
		if (lex_char(c, &v) < 0)
			return -1;
		emit(e, OP_NUM, v);
		return 0;
	}
	if (ch == '$')
		return parse_ref(c, x, e);
	if (ch == '(') {
		int r;

		if (++c->depth > LEX_MAX_DEPTH)
			return lex_fail(c, c->pos, 1, "parentheses nested too "
					"deep (at most %d)", LEX_MAX_DEPTH);
		c->pos++;
		lex_skip_ws(c);
		r = parse_or(c, x, e);
		c->depth--;
		if (r < 0)
			return -1;
		return lex_expect(c, ')', "to close the parenthesis");
	}
	if (lex_is_ident_start(ch)) {
		size_t start = c->pos;
		struct cur look = *c;

		n = lex_ident_len(c);
		look.pos += n;
		lex_skip_ws(&look);
		if (is_func(c->s + start, n) && lex_peek(&look) == '(') {
			int r;

			if (++c->depth > LEX_MAX_DEPTH)
				return lex_fail(c, start, n, "functions nested "
						"too deep");
			c->pos = look.pos;
			r = parse_func(c, x, e, start, n);
			c->depth--;
			return r;
		}
		return parse_const(c, x, e);
	}
	if (ch == '"')
		return lex_fail(c, c->pos, lex_token_len(c, c->pos),
				"%s takes %s, not a string", x->what,
				x->expects);
	if (ch == '/' || ch == '.' || ch == '~')
		return lex_fail(c, c->pos, lex_token_len(c, c->pos),
				"strings need double quotes: \"%.*s\" (in a "
				"shell, quote them again: '\"%.*s\"')",
				SHOW(c, c->pos, lex_token_len(c, c->pos)),
				SHOW(c, c->pos, lex_token_len(c, c->pos)));
	if (lex_at_end(c) || ch == ',' || ch == ')')
		return lex_fail(c, c->pos, 1, "missing value");
	return lex_fail(c, c->pos, lex_token_len(c, c->pos),
			"expected a number, 'c', a constant, $N or NULL");
}

static int parse_unary(struct cur *c, const struct expr_ctx *x,
		       struct expr *e)
{
	char ch = lex_peek(c);

	if (ch == '~' || ch == '-') {
		int r;

		c->pos++;
		lex_skip_ws(c);
		if (lex_at_end(c) || strchr(",)|&", lex_peek(c)))
			return lex_fail(c, c->pos - 1, 1, "'%c' needs a value "
					"after it", ch);
		if (ch == '-' && isdigit((unsigned char)lex_peek(c))) {
			/* A negative number: its magnitude must fit. */
			size_t start = c->pos - 1;
			unsigned long m;

			if (lex_magnitude(c, &m) < 0)
				return -1;
			if (m > (unsigned long)LONG_MAX + 1)
				return lex_fail(c, start, c->pos - start, "'%.*s' "
						"is below the smallest 64-bit "
						"integer", SHOW(c, start,
						c->pos - start));
			emit(e, OP_NUM, 0 - m);
			lex_skip_ws(c);
			return 0;
		}
		if (++c->depth > LEX_MAX_DEPTH)
			return lex_fail(c, c->pos - 1, 1, "too many '%c' in a "
					"row", ch);
		r = parse_unary(c, x, e);
		c->depth--;
		if (r < 0)
			return -1;
		emit(e, ch == '~' ? OP_NOT : OP_NEG, 0);
		return 0;
	}
	if (parse_prim(c, x, e) < 0)
		return -1;
	lex_skip_ws(c);
	return 0;
}

/* Binary levels, loosest first: each a set of operators. */
static const struct level {
	const char *ops[2];
	unsigned char kind[2];
} levels[] = {
	{ { "|" }, { OP_OR } },
	{ { "^" }, { OP_XOR } },
	{ { "&" }, { OP_AND } },
	{ { "<<", ">>" }, { OP_SHL, OP_SHR } },
	{ { "+", "-" }, { OP_ADD, OP_SUB } },
	{ { "*" }, { OP_MUL } },
};

static int parse_level(struct cur *c, const struct expr_ctx *x,
		       struct expr *e, size_t lv)
{
	if (lv == sizeof(levels) / sizeof(levels[0]))
		return parse_unary(c, x, e);
	if (parse_level(c, x, e, lv + 1) < 0)
		return -1;
	for (;;) {
		const struct level *l = &levels[lv];
		int k = -1;

		for (int i = 0; i < 2 && l->ops[i]; i++) {
			size_t n = strlen(l->ops[i]);

			if (c->pos + n <= c->end &&
			    !memcmp(c->s + c->pos, l->ops[i], n) &&
			    /* "|" is not the start of "||", "<" not of "<<" */
			    (n == 2 || c->pos + 1 >= c->end ||
			     c->s[c->pos + 1] != l->ops[i][0]))
				k = i;
		}
		if (k < 0)
			return 0;
		c->pos += strlen(l->ops[k]);
		lex_skip_ws(c);
		if (lex_at_end(c) || strchr(",)", lex_peek(c)))
			return lex_fail(c, c->pos ? c->pos - 1 : 0, 1,
					"'%s' needs a value after it",
					l->ops[k]);
		if (parse_level(c, x, e, lv + 1) < 0)
			return -1;
		emit(e, l->kind[k], 0);
	}
}

static int parse_or(struct cur *c, const struct expr_ctx *x, struct expr *e)
{
	return parse_level(c, x, e, 0);
}

/* ---- evaluation -------------------------------------------------------- */

static unsigned long apply(unsigned char op, unsigned long a, unsigned long b)
{
	switch (op) {
	case OP_OR: return a | b;
	case OP_XOR: return a ^ b;
	case OP_AND: return a & b;
	case OP_SHL: return b >= 64 ? 0 : a << b;
	case OP_SHR: return b >= 64 ? 0 : a >> b;
	case OP_ADD: return a + b;
	case OP_SUB: return a - b;
	case OP_MUL: return a * b;
	case OP_MKDEV: return (unsigned long)makedev(a, b);
	}
	return 0;
}

unsigned long expr_eval(const struct expr *e, const long *results)
{
	unsigned long st[EXPR_STACK];
	unsigned int sp = 0;

	for (unsigned int i = 0; i < e->n; i++) {
		const struct op *o = &e->ops[i];

		switch (o->kind) {
		case OP_NUM:
			st[sp++] = o->v;
			break;
		case OP_REF:
			st[sp++] = results ? (unsigned long)results[o->v - 1] : 0;
			break;
		case OP_NEG:
			st[sp - 1] = 0 - st[sp - 1];
			break;
		case OP_NOT:
			st[sp - 1] = ~st[sp - 1];
			break;
		case OP_HTONS:
			st[sp - 1] = htons((uint16_t)st[sp - 1]);
			break;
		case OP_HTONL:
			st[sp - 1] = htonl((uint32_t)st[sp - 1]);
			break;
		default:
			sp--;
			st[sp - 1] = apply(o->kind, st[sp - 1], st[sp]);
		}
	}
	return sp ? st[0] : 0;
}

/* Postfix depth never exceeds the nesting the parser allows. */
static unsigned int depth_of(const struct expr *e)
{
	unsigned int sp = 0, max = 0;

	for (unsigned int i = 0; i < e->n; i++) {
		unsigned char k = e->ops[i].kind;

		if (k == OP_NUM || k == OP_REF)
			sp++;
		else if (k >= OP_OR && k != OP_HTONS && k != OP_HTONL)
			sp--;
		if (sp > max)
			max = sp;
	}
	return max;
}

int expr_parse(struct cur *c, const struct expr_ctx *x, struct expr *e)
{
	size_t start;

	memset(e, 0, sizeof(*e));
	lex_skip_ws(c);
	start = c->pos;
	if (parse_or(c, x, e) < 0)
		goto bad;
	if (depth_of(e) > EXPR_STACK) {
		lex_fail(c, start, c->pos - start, "expression nested too deep");
		goto bad;
	}
	e->byteswapped = e->n && (e->ops[e->n - 1].kind == OP_HTONS ||
				  e->ops[e->n - 1].kind == OP_HTONL);
	if (!expr_has_refs(e)) {	/* fold */
		unsigned long v = expr_eval(e, NULL);

		e->n = 0;
		emit(e, OP_NUM, v);
	}
	return 0;
bad:
	expr_free(e);
	return -1;
}

int expr_has_refs(const struct expr *e)
{
	for (unsigned int i = 0; i < e->n; i++)
		if (e->ops[i].kind == OP_REF)
			return 1;
	return 0;
}

unsigned long expr_value(const struct expr *e)
{
	return expr_eval(e, NULL);
}

unsigned long expr_plain_ref(const struct expr *e)
{
	return e->n == 1 && e->ops[0].kind == OP_REF ? e->ops[0].v : 0;
}

unsigned long expr_max_ref(const struct expr *e)
{
	unsigned long m = 0;

	for (unsigned int i = 0; i < e->n; i++)
		if (e->ops[i].kind == OP_REF && e->ops[i].v > m)
			m = e->ops[i].v;
	return m;
}

void expr_free(struct expr *e)
{
	free(e->ops);
	memset(e, 0, sizeof(*e));
}
