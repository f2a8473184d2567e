/* The text and JSON writer (emit.h). */
#include <inttypes.h>
#include <string.h>

#include "emit.h"

void emit_init(struct emit *e, FILE *f, int json)
{
	memset(e, 0, sizeof(*e));
	e->f = f;
	e->json = json;
	e->first[0] = 1;
}

/* Before a value or a key: the separator from the previous one. */
static void sep(struct emit *e)
{
	if (e->keyed) {
		e->keyed = 0;
		return;
	}
	if (!e->first[e->depth])
		fputs(e->json ? "," : ", ", e->f);
	e->first[e->depth] = 0;
}

static void open_(struct emit *e, char ch)
{
	sep(e);
	fputc(ch, e->f);
	if (e->depth + 1 < EMIT_DEPTH)
		e->depth++;
	e->first[e->depth] = 1;
}

static void close_(struct emit *e, char ch)
{
	fputc(ch, e->f);
	if (e->depth)
		e->depth--;
}

void emit_obj_begin(struct emit *e) { open_(e, '{'); }
void emit_obj_end(struct emit *e) { close_(e, '}'); }
void emit_arr_begin(struct emit *e) { open_(e, '['); }
void emit_arr_end(struct emit *e) { close_(e, ']'); }

void emit_key(struct emit *e, const char *name)
{
	sep(e);
	if (e->json) {
		fmt_json_string(e->f, (const unsigned char *)name,
				strlen(name));
		fputc(':', e->f);
	} else {
		fprintf(e->f, "%s=", name);
	}
	e->keyed = 1;
}

void emit_int(struct emit *e, long long v)
{
	sep(e);
	fprintf(e->f, "%lld", v);
}

void emit_uint(struct emit *e, unsigned long long v)
{
	sep(e);
	fprintf(e->f, "%llu", v);
}

void emit_hex(struct emit *e, unsigned long long v)
{
	sep(e);
	fprintf(e->f, e->json ? "%llu" : "%#llx", v);
}

void emit_oct(struct emit *e, unsigned long long v)
{
	sep(e);
	fprintf(e->f, e->json ? "%llu" : "%#llo", v);
}

void emit_sym(struct emit *e, const char *text)
{
	sep(e);
	if (e->json)
		fmt_json_string(e->f, (const unsigned char *)text,
				strlen(text));
	else
		fputs(text, e->f);
}

void emit_str(struct emit *e, const void *data, size_t len)
{
	sep(e);
	if (e->json)
		fmt_json_string(e->f, data, len);
	else
		fmt_quoted(e->f, data, len, EMIT_TEXT_MAX);
}

void emit_str_hex(struct emit *e, const void *data, size_t len)
{
	const unsigned char *p = data;
	size_t n = len < EMIT_TEXT_MAX ? len : EMIT_TEXT_MAX;

	sep(e);
	if (e->json) {
		fmt_json_string(e->f, data, len);
		return;
	}
	fputc('"', e->f);
	for (size_t i = 0; i < n; i++)
		fprintf(e->f, "\\x%02x", p[i]);
	fputc('"', e->f);
	if (n < len)
		fputs("...", e->f);
}

void emit_text_only(struct emit *e, const char *text)
{
	if (!e->json)
		fputs(text, e->f);
}

void emit_null(struct emit *e)
{
	sep(e);
	fputs(e->json ? "null" : "NULL", e->f);
}

void emit_bool(struct emit *e, int v)
{
	sep(e);
	fputs(v ? "true" : "false", e->f);
}

/* strace's escaping: octal for other bytes, three digits when a digit
 * follows so that "\0" "1" is not read back as "\01". */
static void put_escaped(FILE *f, unsigned char ch, int next)
{
	switch (ch) {
	case '"': fputs("\\\"", f); return;
	case '\\': fputs("\\\\", f); return;
	case '\n': fputs("\\n", f); return;
	case '\t': fputs("\\t", f); return;
	case '\r': fputs("\\r", f); return;
	case '\v': fputs("\\v", f); return;
	case '\f': fputs("\\f", f); return;
	}
	if (ch >= 0x20 && ch < 0x7f)
		fputc(ch, f);
	else if (next >= '0' && next <= '7')
		fprintf(f, "\\%03o", ch);
	else
		fprintf(f, "\\%o", ch);
}

void fmt_quoted(FILE *f, const unsigned char *data, size_t len, size_t max)
{
	size_t n = len < max ? len : max;

	fputc('"', f);
	for (size_t i = 0; i < n; i++)
		put_escaped(f, data[i], i + 1 < n ? data[i + 1] : -1);
	fputc('"', f);
	if (n < len)
		fputs("...", f);
}

/* Length of the valid UTF-8 sequence at p (0 if invalid). */
static size_t utf8_len(const unsigned char *p, size_t left)
{
	size_t n;
	unsigned int cp;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		n = 2, cp = p[0] & 0x1f;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		n = 3, cp = p[0] & 0x0f;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		n = 4, cp = p[0] & 0x07;
	else
		return 0;
	if (n > left)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	/* Overlong forms, surrogates and values past U+10FFFF. */
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return n;
}

void fmt_json_string(FILE *f, const unsigned char *data, size_t len)
{
	fputc('"', f);
	for (size_t i = 0; i < len;) {
		unsigned char ch = data[i];
		size_t n = utf8_len(data + i, len - i);

		if (ch == '"' || ch == '\\')
			fprintf(f, "\\%c", ch);
		else if (ch == '\n')
			fputs("\\n", f);
		else if (ch == '\t')
			fputs("\\t", f);
		else if (ch < 0x20 || ch == 0x7f || n == 0)
			fprintf(f, "\\u%04x", ch);
		else {
			fwrite(data + i, 1, n, f);
			i += n;
			continue;
		}
		i++;
	}
	fputc('"', f);
}
