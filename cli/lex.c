/*
 * The lexical layer of the call language (lex.h): characters, names,
 * numbers, C strings.
 */
#include <ctype.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lex.h"
#include "parse.h"
#include "util.h"

int lex_fail(struct cur *c, size_t pos, size_t len, const char *fmt, ...)
{
	va_list ap;

	c->err->pos = pos;
	c->err->len = len ? len : 1;
	va_start(ap, fmt);
	vsnprintf(c->err->msg, sizeof(c->err->msg), fmt, ap);
	va_end(ap);
	return -1;
}

int lex_at_end(const struct cur *c)
{
	return c->pos >= c->end;
}

char lex_peek(const struct cur *c)
{
	return lex_at_end(c) ? '\0' : c->s[c->pos];
}

/* Spaces, and C comments: strace -v writes the date of a time after
 * it in one ("st_atime=0 / * 1970-01-01... * /" without the spaces),
 * and a pasted line keeps it. */
void lex_skip_ws(struct cur *c)
{
	for (;;) {
		while (!lex_at_end(c) && isspace((unsigned char)c->s[c->pos]))
			c->pos++;
		if (c->pos + 1 < c->end && c->s[c->pos] == '/' &&
		    c->s[c->pos + 1] == '*') {
			const char *e = NULL;

			for (size_t k = c->pos + 2; k + 1 < c->end; k++)
				if (c->s[k] == '*' && c->s[k + 1] == '/') {
					e = c->s + k;
					break;
				}
			if (!e)
				return;	/* unclosed: left for the caller */
			c->pos = (size_t)(e - c->s) + 2;
			continue;
		}
		return;
	}
}

int lex_is_ident_start(char ch)
{
	return isalpha((unsigned char)ch) || ch == '_';
}

int lex_is_ident(char ch)
{
	return isalnum((unsigned char)ch) || ch == '_';
}

size_t lex_ident_len(const struct cur *c)
{
	size_t n = 0;

	if (!lex_is_ident_start(lex_peek(c)))
		return 0;
	while (c->pos + n < c->end && lex_is_ident(c->s[c->pos + n]))
		n++;
	return n;
}

/* The rest of the current token, for messages: up to a separator. */
size_t lex_token_len(const struct cur *c, size_t pos)
{
	size_t n = 0;

	while (pos + n < c->end && !strchr(",)|&^+<>]}= \t\n", c->s[pos + n]))
		n++;
	return n;
}


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
int lex_magnitude(struct cur *c, unsigned long *out)
{
	size_t start = c->pos;
	unsigned int base = 10;
	unsigned long v = 0;
	size_t ndig = 0;

	if (lex_peek(c) == '0' && c->pos + 1 < c->end &&
	    (c->s[c->pos + 1] == 'x' || c->s[c->pos + 1] == 'X')) {
		base = 16;
		c->pos += 2;
	} else if (lex_peek(c) == '0') {
		base = 8;
	}
	while (!lex_at_end(c) && lex_is_ident(lex_peek(c))) {
		int d = digit_value(lex_peek(c));

		if (d >= (int)base)
			return lex_fail(c, start, lex_token_len(c, start),
				    "'%.*s' is not a valid %s number",
				    SHOW(c, start, lex_token_len(c, start)),
				    base == 16 ? "hexadecimal" :
				    base == 8 ? "octal (leading 0)" :
				    "decimal");
		if (v > (ULONG_MAX - (unsigned long)d) / base)
			return lex_fail(c, start, lex_token_len(c, start),
				    "'%.*s' does not fit in 64 bits",
				    SHOW(c, start, lex_token_len(c, start)));
		v = v * base + (unsigned long)d;
		ndig++;
		c->pos++;
	}
	if (ndig == 0)
		return lex_fail(c, start, lex_token_len(c, start),
			    "'%.*s' has no digits",
			    SHOW(c, start, lex_token_len(c, start)));
	*out = v;
	return 0;
}

/* ---- escapes, characters, strings ---------------------------------- */

/* One C escape sequence after the backslash at c->pos. */
static int parse_escape(struct cur *c, unsigned char *out)
{
	size_t start = c->pos;
	char ch;

	c->pos++;	/* the backslash */
	if (lex_at_end(c))
		return lex_fail(c, start, 1, "'\\' at the end of the text");
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
		while (n < 2 && !lex_at_end(c) && isxdigit((unsigned char)lex_peek(c))) {
			v = v * 16 + (unsigned int)digit_value(lex_peek(c));
			c->pos++;
			n++;
		}
		if (n == 0)
			return lex_fail(c, start, 2, "'\\x' needs hexadecimal digits");
		*out = (unsigned char)v;
		return 0;
	}
	default:
		if (ch >= '0' && ch <= '7') {
			unsigned int v = (unsigned int)(ch - '0'), n = 1;

			while (n < 3 && lex_peek(c) >= '0' && lex_peek(c) <= '7') {
				v = v * 8 + (unsigned int)(lex_peek(c) - '0');
				c->pos++;
				n++;
			}
			if (v > 0xff)
				return lex_fail(c, start, c->pos - start,
					    "octal escape '%.*s' is over \\377",
					    SHOW(c, start, c->pos - start));
			*out = (unsigned char)v;
			return 0;
		}
		return lex_fail(c, start, 2, "unknown escape '\\%c'",
			    isprint((unsigned char)ch) ? ch : '?');
	}
}

int lex_char(struct cur *c, unsigned long *out)
{
	size_t start = c->pos;
	unsigned char ch;

	c->pos++;	/* the opening quote */
	if (lex_at_end(c) || lex_peek(c) == '\'')
		return lex_fail(c, start, 2, "empty character constant");
	if (lex_peek(c) == '\\') {
		if (parse_escape(c, &ch) < 0)
			return -1;
	} else {
		ch = (unsigned char)c->s[c->pos++];
	}
	if (lex_peek(c) != '\'')
		return lex_fail(c, start, lex_token_len(c, start),
			    "a character constant holds one character: "
			    "use \"...\" for a string");
	c->pos++;
	*out = ch;
	return 0;
}

/* A "..." literal: its bytes go to *data and *len (no NUL added). */
int lex_string(struct cur *c, unsigned char **data, size_t *len)
{
	size_t start = c->pos;
	struct sb b = { 0 };

	c->pos++;	/* the opening quote */
	for (;;) {
		unsigned char ch;

		if (lex_at_end(c)) {
			sb_free(&b);
			return lex_fail(c, start, c->pos - start,
				    "string has no closing '\"'");
		}
		if (lex_peek(c) == '"')
			break;
		if (lex_peek(c) == '\\') {
			if (parse_escape(c, &ch) < 0) {
				sb_free(&b);
				return -1;
			}
		} else {
			ch = (unsigned char)c->s[c->pos++];
		}
		if (b.len >= CLI_DATA_MAX) {
			sb_free(&b);
			return lex_fail(c, start, 1,
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

char lex_peek2(const struct cur *c)
{
	return c->pos + 1 < c->end ? c->s[c->pos + 1] : '\0';
}

int lex_word(struct cur *c, const char *word)
{
	size_t n = strlen(word);

	if (lex_ident_len(c) != n || memcmp(c->s + c->pos, word, n) != 0)
		return 0;
	c->pos += n;
	lex_skip_ws(c);
	return 1;
}

int lex_expect(struct cur *c, char ch, const char *what)
{
	lex_skip_ws(c);
	if (lex_peek(c) != ch)
		return lex_fail(c, c->pos, lex_token_len(c, c->pos),
				"expected '%c' %s", ch, what);
	c->pos++;
	lex_skip_ws(c);
	return 0;
}
