/*
 * Parser of the call language (see parse.h).  A cursor walks a bounded
 * span of the text; every error records the span it blames so the user
 * sees a caret under the offending characters.
 */
#include <ctype.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"
#include "util.h"

struct cur {
	const char *s;
	size_t pos, end;
	const struct sys_abi *abi;
	unsigned int index;	/* 1-based number of the call */
	struct parse_err *err;
};

static int fail(struct cur *c, size_t pos, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int fail(struct cur *c, size_t pos, size_t len, const char *fmt, ...)
{
	va_list ap;

	c->err->pos = pos;
	c->err->len = len ? len : 1;
	va_start(ap, fmt);
	vsnprintf(c->err->msg, sizeof(c->err->msg), fmt, ap);
	va_end(ap);
	return -1;
}

static int at_end(const struct cur *c)
{
	return c->pos >= c->end;
}

static char peek(const struct cur *c)
{
	return at_end(c) ? '\0' : c->s[c->pos];
}

static void skip_ws(struct cur *c)
{
	while (!at_end(c) && isspace((unsigned char)c->s[c->pos]))
		c->pos++;
}

static int is_ident_start(char ch)
{
	return isalpha((unsigned char)ch) || ch == '_';
}

static int is_ident(char ch)
{
	return isalnum((unsigned char)ch) || ch == '_';
}

static size_t ident_len(const struct cur *c)
{
	size_t n = 0;

	if (!is_ident_start(peek(c)))
		return 0;
	while (c->pos + n < c->end && is_ident(c->s[c->pos + n]))
		n++;
	return n;
}

/* The rest of the current token, for messages: up to a separator. */
static size_t token_len(const struct cur *c, size_t pos)
{
	size_t n = 0;

	while (pos + n < c->end && !strchr(",)| \t\n", c->s[pos + n]))
		n++;
	return n;
}

/* Messages quote user text; keep them to one readable line. */
#define SHOW(c, pos, len) (int)((len) > 40 ? 40 : (len)), (c)->s + (pos)

/* ---- numbers ------------------------------------------------------- */

static int digit_value(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return 99;
}

/*
 * An unsigned magnitude in C notation: 0x hex, leading-0 octal, decimal.
 * Any identifier character glued to it (08, 12abc, 10UL) is an error
 * rather than silently ignored.
 */
static int parse_magnitude(struct cur *c, unsigned long *out)
{
	size_t start = c->pos;
	unsigned int base = 10;
	unsigned long v = 0;
	size_t ndig = 0;

	if (peek(c) == '0' && c->pos + 1 < c->end &&
	    (c->s[c->pos + 1] == 'x' || c->s[c->pos + 1] == 'X')) {
		base = 16;
		c->pos += 2;
	} else if (peek(c) == '0') {
		base = 8;
	}
	while (!at_end(c) && is_ident(peek(c))) {
		int d = digit_value(peek(c));

		if (d >= (int)base)
			return fail(c, start, token_len(c, start),
				    "'%.*s' is not a valid %s number",
				    SHOW(c, start, token_len(c, start)),
				    base == 16 ? "hexadecimal" :
				    base == 8 ? "octal (leading 0)" :
				    "decimal");
		if (v > (ULONG_MAX - (unsigned long)d) / base)
			return fail(c, start, token_len(c, start),
				    "'%.*s' does not fit in 64 bits",
				    SHOW(c, start, token_len(c, start)));
		v = v * base + (unsigned long)d;
		ndig++;
		c->pos++;
	}
	if (ndig == 0)
		return fail(c, start, token_len(c, start),
			    "'%.*s' has no digits",
			    SHOW(c, start, token_len(c, start)));
	*out = v;
	return 0;
}

/* A signed or unsigned integer; values are kept as the register sees
 * them (two's complement for negatives). */
static int parse_integer(struct cur *c, unsigned long *out)
{
	size_t start = c->pos;
	int neg = 0;
	unsigned long m = 0;

	if (peek(c) == '-') {
		neg = 1;
		c->pos++;
		if (!isdigit((unsigned char)peek(c)))
			return fail(c, start, token_len(c, start),
				    "expected digits after '-'");
	}
	if (parse_magnitude(c, &m) < 0)
		return -1;
	if (neg && m > (unsigned long)LONG_MAX + 1)
		return fail(c, start, c->pos - start,
			    "'%.*s' is below the smallest 64-bit integer",
			    SHOW(c, start, c->pos - start));
	*out = neg ? 0 - m : m;
	return 0;
}

/* ---- escapes, characters, strings ---------------------------------- */

/* One C escape sequence after the backslash at c->pos. */
static int parse_escape(struct cur *c, unsigned char *out)
{
	size_t start = c->pos;
	char ch;

	c->pos++;	/* the backslash */
	if (at_end(c))
		return fail(c, start, 1, "'\\' at the end of the text");
	ch = c->s[c->pos++];
	switch (ch) {
	case 'n': *out = '\n'; return 0;
	case 't': *out = '\t'; return 0;
	case 'r': *out = '\r'; return 0;
	case 'v': *out = '\v'; return 0;
	case 'f': *out = '\f'; return 0;
	case 'a': *out = '\a'; return 0;
	case 'b': *out = '\b'; return 0;
	case 'e': *out = 0x1b; return 0;
	case '\\': case '\'': case '"': case '?':
		*out = (unsigned char)ch;
		return 0;
	case 'x': {
		unsigned int v = 0, n = 0;

		/* Two digits at most, so "\x41BC" is "ABC" as people mean. */
		while (n < 2 && !at_end(c) && isxdigit((unsigned char)peek(c))) {
			v = v * 16 + (unsigned int)digit_value(peek(c));
			c->pos++;
			n++;
		}
		if (n == 0)
			return fail(c, start, 2, "'\\x' needs hexadecimal digits");
		*out = (unsigned char)v;
		return 0;
	}
	default:
		if (ch >= '0' && ch <= '7') {
			unsigned int v = (unsigned int)(ch - '0'), n = 1;

			while (n < 3 && peek(c) >= '0' && peek(c) <= '7') {
				v = v * 8 + (unsigned int)(peek(c) - '0');
				c->pos++;
				n++;
			}
			if (v > 0xff)
				return fail(c, start, c->pos - start,
					    "octal escape '%.*s' is over \\377",
					    SHOW(c, start, c->pos - start));
			*out = (unsigned char)v;
			return 0;
		}
		return fail(c, start, 2, "unknown escape '\\%c'",
			    isprint((unsigned char)ch) ? ch : '?');
	}
}

static int parse_char(struct cur *c, unsigned long *out)
{
	size_t start = c->pos;
	unsigned char ch;

	c->pos++;	/* the opening quote */
	if (at_end(c) || peek(c) == '\'')
		return fail(c, start, 2, "empty character constant");
	if (peek(c) == '\\') {
		if (parse_escape(c, &ch) < 0)
			return -1;
	} else {
		ch = (unsigned char)c->s[c->pos++];
	}
	if (peek(c) != '\'')
		return fail(c, start, token_len(c, start),
			    "a character constant holds one character: "
			    "use \"...\" for a string");
	c->pos++;
	*out = ch;
	return 0;
}

/* A "..." literal: its bytes go to *data and *len (no NUL added). */
static int parse_string(struct cur *c, unsigned char **data, size_t *len)
{
	size_t start = c->pos;
	struct sb b = { 0 };

	c->pos++;	/* the opening quote */
	for (;;) {
		unsigned char ch;

		if (at_end(c)) {
			sb_free(&b);
			return fail(c, start, c->pos - start,
				    "string has no closing '\"'");
		}
		if (peek(c) == '"')
			break;
		if (peek(c) == '\\') {
			if (parse_escape(c, &ch) < 0) {
				sb_free(&b);
				return -1;
			}
		} else {
			ch = (unsigned char)c->s[c->pos++];
		}
		if (b.len >= CLI_DATA_MAX) {
			sb_free(&b);
			return fail(c, start, 1,
				    "string longer than the limit of %d bytes",
				    CLI_DATA_MAX);
		}
		sb_addc(&b, (char)ch);
	}
	c->pos++;	/* the closing quote */
	*len = b.len;
	*data = (unsigned char *)sb_take(&b);
	return 0;
}

/* ---- arguments ----------------------------------------------------- */

static int parse_const(struct cur *c, unsigned long *out)
{
	size_t start = c->pos, n = ident_len(c);
	long long v;
	const char *near;

	c->pos += n;
	if (n == 4 && memcmp(c->s + start, "NULL", 4) == 0) {
		*out = 0;
		return 0;
	}
	if (abi_const(c->abi, c->s + start, n, &v) == 0) {
		*out = (unsigned long)v;
		return 0;
	}
	near = abi_suggest_const(c->abi, c->s + start, n);
	if (near)
		return fail(c, start, n,
			    "unknown constant '%.*s' (did you mean '%s'?)",
			    SHOW(c, start, n), near);
	return fail(c, start, n, "unknown constant '%.*s'",
		    SHOW(c, start, n));
}

static int parse_term(struct cur *c, unsigned long *out)
{
	char ch = peek(c);

	if (ch == '-' || isdigit((unsigned char)ch))
		return parse_integer(c, out);
	if (ch == '\'')
		return parse_char(c, out);
	if (is_ident_start(ch))
		return parse_const(c, out);
	if (ch == '/' || ch == '.' || ch == '~')
		return fail(c, c->pos, token_len(c, c->pos),
			    "strings need double quotes: \"%.*s\" (in a shell,"
			    " quote them again: '\"%.*s\"')",
			    SHOW(c, c->pos, token_len(c, c->pos)),
			    SHOW(c, c->pos, token_len(c, c->pos)));
	if (at_end(c) || ch == ',' || ch == ')')
		return fail(c, c->pos, 1, "missing argument");
	return fail(c, c->pos, token_len(c, c->pos),
		    "expected a number, 'c', a constant, \"string\", buf(N),"
		    " bytes(\"...\"), int(N), $N or NULL");
}

/* term { "|" term }: the text shown is the terms joined by "|". */
static int parse_or(struct cur *c, struct arg *a)
{
	struct sb text = { 0 };
	unsigned long v = 0;

	for (;;) {
		size_t start = c->pos;
		unsigned long t;

		if (parse_term(c, &t) < 0) {
			sb_free(&text);
			return -1;
		}
		v |= t;
		sb_add(&text, c->s + start, c->pos - start);
		skip_ws(c);
		if (peek(c) != '|')
			break;
		sb_addc(&text, '|');
		c->pos++;
		skip_ws(c);
	}
	a->kind = ARG_INT;
	a->value = v;
	a->text = sb_take(&text);
	return 0;
}

static int parse_ref(struct cur *c, struct arg *a)
{
	size_t start = c->pos;
	unsigned long n = 0;

	c->pos++;	/* '$' */
	if (!isdigit((unsigned char)peek(c)))
		return fail(c, start, token_len(c, start),
			    "'$' must be followed by a call number, as in $1");
	while (isdigit((unsigned char)peek(c))) {
		if (n < 100000)
			n = n * 10 + (unsigned long)(peek(c) - '0');
		c->pos++;
	}
	if (is_ident(peek(c)))
		return fail(c, start, token_len(c, start),
			    "'%.*s' is not a call reference like $1",
			    SHOW(c, start, token_len(c, start)));
	if (n == 0 || n >= c->index) {
		if (c->index == 1)
			return fail(c, start, c->pos - start,
				    "$%lu: this is the first call; $N means "
				    "the result of an earlier -e call", n);
		return fail(c, start, c->pos - start,
			    "$%lu: this is call %u, so $N can only be "
			    "$1..$%u (results of earlier calls)",
			    n, c->index, c->index - 1);
	}
	a->kind = ARG_REF;
	a->value = n;
	a->text = xstrndup(c->s + start, c->pos - start);
	return 0;
}

static int expect(struct cur *c, char ch, const char *what)
{
	skip_ws(c);
	if (peek(c) != ch)
		return fail(c, c->pos, token_len(c, c->pos),
			    "expected '%c' %s", ch, what);
	c->pos++;
	skip_ws(c);
	return 0;
}

/* buf(N), int(N), bytes("..."): name is the word before the '('. */
static int parse_func(struct cur *c, struct arg *a, size_t start, size_t n)
{
	const char *w = c->s + start;
	unsigned long v;
	size_t vpos;

	if (expect(c, '(', "after the function name") < 0)
		return -1;
	vpos = c->pos;
	if (n == 5 && memcmp(w, "bytes", 5) == 0) {
		if (peek(c) != '"')
			return fail(c, c->pos, token_len(c, c->pos),
				    "bytes() takes a \"string\"");
		if (parse_string(c, &a->data, &a->len) < 0)
			return -1;
		a->kind = ARG_BYTES;
		a->text = xstrndup(c->s + vpos, c->pos - vpos);
	} else {
		if (peek(c) != '-' && !isdigit((unsigned char)peek(c)))
			return fail(c, c->pos, token_len(c, c->pos),
				    "%.*s() takes a number, as in %.*s(%s)",
				    (int)n, w, (int)n, w,
				    n == 3 && w[0] == 'b' ? "4096" : "1");
		if (parse_integer(c, &v) < 0)
			return -1;
		if (n == 3 && memcmp(w, "buf", 3) == 0) {
			if (v == 0 || v > CLI_DATA_MAX)
				return fail(c, vpos, c->pos - vpos,
					    "buf(%.*s): the size must be 1.."
					    "%d bytes", SHOW(c, vpos,
					    c->pos - vpos), CLI_DATA_MAX);
			a->kind = ARG_BUF;
			a->text = xasprintf("buf(%lu)", v);
		} else {
			long sv = (long)v;

			if (sv < INT_MIN || sv > (long)UINT_MAX)
				return fail(c, vpos, c->pos - vpos,
					    "int(%.*s): out of the range of a "
					    "C int", SHOW(c, vpos,
					    c->pos - vpos));
			a->kind = ARG_INTPTR;
			a->text = xasprintf("[%d]", (int)v);
		}
		a->value = v;
	}
	if (expect(c, ')', "to close the argument") < 0) {
		free(a->data);
		free(a->text);
		a->data = NULL;
		a->text = NULL;
		return -1;
	}
	return 0;
}

static int is_func(const char *w, size_t n)
{
	return (n == 3 && memcmp(w, "buf", 3) == 0) ||
	       (n == 3 && memcmp(w, "int", 3) == 0) ||
	       (n == 5 && memcmp(w, "bytes", 5) == 0);
}

static int parse_arg(struct cur *c, struct arg *a)
{
	size_t start;

	memset(a, 0, sizeof(*a));
	skip_ws(c);
	start = c->pos;
	if (peek(c) == '"') {
		unsigned char *d;
		size_t len;

		if (parse_string(c, &d, &len) < 0)
			return -1;
		/* The system call sees a C string: add its NUL. */
		a->data = xrealloc(d, len + 1);
		a->data[len] = '\0';
		a->len = len + 1;
		a->kind = ARG_STR;
		a->text = xstrndup(c->s + start, c->pos - start);
		return 0;
	}
	if (peek(c) == '$')
		return parse_ref(c, a);
	if (is_ident_start(peek(c))) {
		size_t n = ident_len(c);
		struct cur look = *c;

		look.pos += n;
		skip_ws(&look);
		if (is_func(c->s + start, n) && peek(&look) == '(') {
			c->pos += n;
			return parse_func(c, a, start, n);
		}
	}
	return parse_or(c, a);
}

/* ---- calls --------------------------------------------------------- */

static int all_digits(const char *s, size_t n)
{
	if (n == 0)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return 0;
	return 1;
}

static int number_of(struct cur *c, size_t pos, size_t n, long *nr)
{
	unsigned long v = 0;

	for (size_t i = 0; i < n; i++) {
		v = v * 10 + (unsigned long)(c->s[pos + i] - '0');
		if (v > INT_MAX)
			return fail(c, pos, n, "system call number too large");
	}
	*nr = (long)v;
	return 0;
}

/* NAME, syscall_N or #N; fills c->nr and the name shown. */
static int parse_name(struct cur *c, struct call *call)
{
	size_t start = c->pos, n;
	const char *near, *name;

	if (peek(c) == '#') {
		c->pos++;
		n = 0;
		while (c->pos + n < c->end && isdigit((unsigned char)c->s[c->pos + n]))
			n++;
		if (n == 0)
			return fail(c, start, 1,
				    "'#' must be followed by a system call "
				    "number, as in #39");
		if (number_of(c, c->pos, n, &call->nr) < 0)
			return -1;
		c->pos += n;
	} else {
		n = ident_len(c);
		if (n == 0)
			return fail(c, start, token_len(c, start),
				    "expected a system call name");
		if (n > 8 && memcmp(c->s + start, "syscall_", 8) == 0 &&
		    all_digits(c->s + start + 8, n - 8)) {
			if (number_of(c, start + 8, n - 8, &call->nr) < 0)
				return -1;
		} else {
			call->nr = abi_sysnr(c->abi, c->s + start, n);
		}
		c->pos += n;
		if (call->nr < 0) {
			near = abi_suggest_sys(c->abi, c->s + start, n);
			if (near)
				return fail(c, start, n,
					    "unknown system call '%.*s' (did "
					    "you mean '%s'?)",
					    SHOW(c, start, n), near);
			return fail(c, start, n,
				    "unknown system call '%.*s' for %s "
				    "(see scremote --list)",
				    SHOW(c, start, n), c->abi->name);
		}
	}
	name = abi_sysname(c->abi, call->nr);
	call->name = name ? xstrndup(name, strlen(name)) :
		xasprintf("syscall_%ld", call->nr);
	return 0;
}

static int add_arg(struct cur *c, struct call *call)
{
	size_t start;

	skip_ws(c);
	start = c->pos;
	if (call->nargs == CLI_MAX_ARGS)
		return fail(c, start, token_len(c, start),
			    "too many arguments: a system call takes at most "
			    "%d", CLI_MAX_ARGS);
	if (parse_arg(c, &call->args[call->nargs]) < 0)
		return -1;
	call->nargs++;
	skip_ws(c);
	return 0;
}

static int parse_arglist(struct cur *c, struct call *call)
{
	c->pos++;	/* '(' */
	skip_ws(c);
	if (peek(c) == ')') {
		c->pos++;
		return 0;
	}
	for (;;) {
		if (add_arg(c, call) < 0)
			return -1;
		if (peek(c) == ')') {
			c->pos++;
			return 0;
		}
		if (peek(c) != ',')
			return fail(c, c->pos, token_len(c, c->pos),
				    at_end(c) ? "missing ')' at the end" :
				    "expected ',' or ')' after an argument");
		c->pos++;
	}
}

int parse_call(const struct sys_abi *abi, const char *text,
	       unsigned int index, struct call *call, struct parse_err *err)
{
	struct cur c = { text, 0, strlen(text), abi, index, err };

	memset(call, 0, sizeof(*call));
	skip_ws(&c);
	if (parse_name(&c, call) < 0)
		goto bad;
	skip_ws(&c);
	if (peek(&c) == '(' && parse_arglist(&c, call) < 0)
		goto bad;
	skip_ws(&c);
	if (!at_end(&c)) {
		fail(&c, c.pos, c.end - c.pos,
		     "unexpected text after the call: '%.*s'",
		     SHOW(&c, c.pos, c.end - c.pos));
		goto bad;
	}
	return 0;
bad:
	call_free(call);
	return -1;
}

int parse_words(const struct sys_abi *abi, char *const *words, size_t n,
		struct call *call, struct parse_err *err)
{
	struct sb joined = { 0 };
	size_t *start = xmalloc((n ? n : 1) * sizeof(*start));
	struct cur c;
	int rc = -1;

	memset(call, 0, sizeof(*call));
	for (size_t i = 0; i < n; i++) {
		if (i)
			sb_addc(&joined, ' ');
		start[i] = joined.len;
		sb_add(&joined, words[i], strlen(words[i]));
	}
	/* The cursor sees one word at a time: c.end stops it at the word's
	 * end, so an argument can never run into the next word. */
	c = (struct cur){ joined.s, 0, 0, abi, 1, err };
	if (n == 0) {
		fail(&c, 0, 1, "missing system call name");
		goto out;
	}
	c.end = strlen(words[0]);
	if (parse_name(&c, call) < 0)
		goto out;
	if (!at_end(&c)) {
		fail(&c, c.pos, c.end - c.pos,
		     strchr(words[0], '(') ?
		     "for the C-like form use -e, as in -e 'close(3)'" :
		     "unexpected text after the system call name");
		goto out;
	}
	for (size_t i = 1; i < n; i++) {
		c.pos = start[i];
		c.end = start[i] + strlen(words[i]);
		/* "scremote PID read 0 buf(9) 9 --timeout 200": no call takes
		 * an argument spelt like an option; say where options go. */
		if (words[i][0] == '-' && words[i][1] == '-' && words[i][2]) {
			fail(&c, c.pos, c.end - c.pos,
			     "options go before the PID: scremote [OPTIONS] "
			     "PID SYSCALL [ARG...]");
			goto out;
		}
		if (add_arg(&c, call) < 0)
			goto out;
		if (!at_end(&c)) {
			fail(&c, c.pos, c.end - c.pos,
			     "unexpected text in the argument: '%.*s' (one "
			     "argument per word)", SHOW(&c, c.pos, c.end - c.pos));
			goto out;
		}
	}
	rc = 0;
out:
	if (rc < 0)
		call_free(call);
	free(start);
	sb_free(&joined);
	return rc;
}

void call_free(struct call *c)
{
	for (unsigned int i = 0; i < c->nargs; i++) {
		free(c->args[i].data);
		free(c->args[i].text);
	}
	free(c->name);
	memset(c, 0, sizeof(*c));
}
