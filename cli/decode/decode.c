/*
 * The decoder registry (decode.h): structs and call hooks by name, and
 * what is generic about pointed-to data: arrays of them ("int[2]",
 * iovecs with their count), and the scalar types a pointer may point to
 * (int, gid_t, loff_t).
 */
#include <stdlib.h>
#include <string.h>

#include "decode.h"
#include "expr.h"
#include "util.h"

const struct dstruct *decode_struct(const char *name)
{
	for (size_t i = 0; decoders[i]; i++)
		for (const struct dstruct *s = decoders[i]->structs;
		     s && s->name; s++)
			if (strcmp(s->name, name) == 0)
				return s;
	return NULL;
}

static int in_list(const char *list, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = list; *p;) {
		const char *e = strchr(p, ',');
		size_t len = e ? (size_t)(e - p) : strlen(p);

		if (len == n && !memcmp(p, name, n))
			return 1;
		if (!e)
			break;
		p = e + 1;
	}
	return 0;
}

const struct callhook *decode_hook(const char *call)
{
	for (size_t i = 0; decoders[i]; i++)
		for (const struct callhook *h = decoders[i]->hooks;
		     h && h->calls; h++)
			if (in_list(h->calls, call))
				return h;
	return NULL;
}

/* ---- scalar types ----------------------------------------------------------- */

struct scalar {
	const char *name;
	unsigned char size;	/* 0: the ABI's word */
	unsigned char is_signed;
};

static const struct scalar scalars[] = {
	{ "int", 4, 1 }, { "unsigned int", 4, 0 }, { "unsigned", 4, 0 },
	{ "u32", 4, 0 }, { "__u32", 4, 0 }, { "s32", 4, 1 },
	{ "uid_t", 4, 0 }, { "gid_t", 4, 0 }, { "pid_t", 4, 1 },
	{ "old_uid_t", 2, 0 }, { "old_gid_t", 2, 0 },
	{ "timer_t", 4, 1 }, { "key_serial_t", 4, 1 },
	{ "old_time32_t", 4, 1 }, { "__kernel_old_time_t", 0, 1 },
	{ "long", 0, 1 }, { "unsigned long", 0, 0 }, { "size_t", 0, 0 },
	{ "off_t", 0, 1 }, { "loff_t", 8, 1 }, { "u64", 8, 0 },
	{ "old_sigset_t", 0, 0 }, { "char", 1, 1 },
	{ "unsigned char", 1, 0 },
};

static const struct scalar *scalar_of(const char *name)
{
	for (size_t i = 0; i < sizeof(scalars) / sizeof(scalars[0]); i++)
		if (strcmp(scalars[i].name, name) == 0)
			return &scalars[i];
	return NULL;
}

/* "int[2]": base "int", count 2; "stat": count 1. */
static void split_name(const char *name, char *base, size_t size,
		       size_t *count)
{
	const char *br = strchr(name, '[');
	size_t n = br ? (size_t)(br - name) : strlen(name);

	if (n >= size)
		n = size - 1;
	memcpy(base, name, n);
	base[n] = '\0';
	*count = br ? strtoul(br + 1, NULL, 10) : 1;
	if (!*count)
		*count = 1;
}

static size_t elem_size(const struct sys_abi *abi, const char *base)
{
	const struct dstruct *s = decode_struct(base);
	const struct scalar *sc;

	if (s) {
		if (s->size)
			return s->size(abi);
		if (s->desc && s->desc(abi))
			return sdesc_size(s->desc(abi), abi);
		return 0;
	}
	sc = scalar_of(base);
	if (sc)
		return sc->size ? sc->size : abi->word_size;
	return 0;
}

size_t decode_size(const struct sys_abi *abi, const char *name)
{
	char base[64];
	size_t count;

	split_name(name, base, sizeof(base), &count);
	return elem_size(abi, base) * count;
}

static void print_one(struct emit *e, const struct dctx *x, const char *base,
		      const unsigned char *p, size_t len)
{
	const struct dstruct *s = decode_struct(base);
	const struct scalar *sc;

	if (s && s->print) {
		s->print(e, x, p, len);
		return;
	}
	if (s && s->desc && s->desc(x->abi)) {
		sdesc_print(e, x, s->desc(x->abi), p, len);
		return;
	}
	sc = scalar_of(base);
	if (sc) {
		unsigned int n = sc->size ? sc->size : x->abi->word_size;
		unsigned long long v = get_le(p, n);

		if (sc->is_signed && n < 8 && (v >> (n * 8 - 1) & 1))
			v |= ~0ULL << (n * 8);
		if (sc->is_signed)
			emit_int(e, (long long)v);
		else
			emit_uint(e, v);
		return;
	}
	emit_str(e, p, len);
}

void decode_print(struct emit *e, const struct dctx *x, const char *name,
		  const unsigned char *p, size_t len, size_t count)
{
	char base[64];
	size_t n, size;
	const struct dstruct *s;

	split_name(name, base, sizeof(base), &n);
	if (count)
		n = count;
	size = elem_size(x->abi, base);
	s = decode_struct(base);
	/* A struct alone is shown as itself; scalars and arrays in []. */
	if (s && !count && n == 1 && !strchr(name, '[')) {
		print_one(e, x, base, p, len);
		return;
	}
	emit_arr_begin(e);
	for (size_t i = 0; i < n && size && (i + 1) * size <= len; i++)
		print_one(e, x, base, p + i * size, size);
	emit_arr_end(e);
}

/* ---- literals ------------------------------------------------------------- */

static int parse_scalar(struct cur *c, const struct scalar *sc,
			struct blob *b, size_t off)
{
	struct expr_ctx x = { .any = 1, .what = "an array element",
			      .expects = "a number" };
	struct expr e;
	unsigned int n = sc->size ? sc->size : c->abi->word_size;

	if (expr_parse(c, &x, &e) < 0)
		return -1;
	blob_put(b, off, n, expr_value(&e));
	expr_free(&e);
	return 0;
}

static int parse_one(struct cur *c, const char *base, struct blob *b,
		     size_t off)
{
	const struct dstruct *s = decode_struct(base);
	const struct scalar *sc;

	if (s && s->parse)
		return s->parse(c, c->abi, b, off);
	if (s && s->desc && s->desc(c->abi))
		return sdesc_parse(c, s->desc(c->abi), b, off);
	sc = scalar_of(base);
	if (sc)
		return parse_scalar(c, sc, b, off);
	return lex_fail(c, c->pos, lex_token_len(c, c->pos), "scremote does "
			"not know the layout of %s: pass buf(N) or bytes(\"...\")",
			base);
}

int decode_parse(struct cur *c, const struct sys_abi *abi, const char *name,
		 size_t count, struct blob *b)
{
	char base[64];
	size_t n, size, i = 0, start;
	int r = -1;

	(void)abi;
	split_name(name, base, sizeof(base), &n);
	if (strchr(name, '['))
		count = n;
	size = elem_size(c->abi, base);
	lex_skip_ws(c);
	if (lex_peek(c) != '[') {
		if (strchr(name, '[') && count > 1)
			return lex_fail(c, c->pos, lex_token_len(c, c->pos),
					"expected an array of %zu %s: [...]",
					count, base);
		return parse_one(c, base, b, 0);
	}
	/* A struct of its own bracket syntax (sigset_t's [INT TERM]). */
	if (decode_struct(base) && decode_struct(base)->parse &&
	    !strchr(name, '[') && count <= 1)
		return parse_one(c, base, b, 0);
	start = c->pos;
	if (++c->depth > LEX_MAX_DEPTH)
		return lex_fail(c, c->pos, 1, "arrays nested too deep");
	c->pos++;
	lex_skip_ws(c);
	while (lex_peek(c) != ']') {
		if (count && i == count) {
			lex_fail(c, c->pos, lex_token_len(c, c->pos), "too many "
				 "elements: %s takes %zu", name, count);
			goto out;
		}
		if (i >= 4096) {
			lex_fail(c, c->pos, 1, "arrays have at most 4096 "
				 "elements here");
			goto out;
		}
		if (c->pos + 3 <= c->end && !memcmp(c->s + c->pos, "...", 3)) {
			lex_fail(c, c->pos, 3, "strace left elements out here "
				 "(\"...\"): give them all (strace -v shows "
				 "them)");
			goto out;
		}
		if (parse_one(c, base, b, i * size) < 0)
			goto out;
		i++;
		blob_grow(b, i * size);
		lex_skip_ws(c);
		/* strace's [110 => 17]: what the call made of it, not input. */
		if (c->pos + 2 <= c->end && !memcmp(c->s + c->pos, "=>", 2)) {
			struct blob *after = blob_new(0);
			int e;

			c->pos += 2;
			lex_skip_ws(c);
			e = parse_one(c, base, after, 0);
			blob_free(after);
			if (e < 0)
				goto out;
			lex_skip_ws(c);
		}
		if (lex_peek(c) == ',') {
			c->pos++;
			lex_skip_ws(c);
			continue;
		}
		if (lex_peek(c) != ']') {
			lex_fail(c, c->pos, lex_token_len(c, c->pos),
				 lex_at_end(c) ? "array has no closing ']'" :
				 "expected ',' or ']' in the array");
			goto out;
		}
	}
	c->pos++;
	if (count && i < count && strchr(name, '[')) {
		lex_fail(c, start, c->pos - start, "%s takes %zu elements, "
			 "got %zu", name, count, i);
		goto out;
	}
	r = 0;
out:
	c->depth--;
	return r;
}

int decode_parse_at(struct cur *c, const char *name, struct blob *b,
		    size_t off)
{
	struct blob *t = blob_new(0);
	int r = decode_parse(c, c->abi, name, 0, t);

	if (r == 0) {
		blob_grow(b, off + t->len);
		memcpy(b->data + off, t->data, t->len);
	}
	blob_free(t);
	return r;
}
