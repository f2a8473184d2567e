/*
 * Structs described by their fields (decode.h): offsets for an ABI
 * (its word size and how it aligns 64-bit values), shown in text or
 * JSON, read from a literal.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <time.h>

#include "decode.h"
#include "expr.h"
#include "util.h"

#define MAX_FIELDS 128
#define BUF_JSON_MAX (64 * 1024)

static size_t align_of(const struct field *f, const struct sys_abi *abi);

static size_t type_size(const struct field *f, const struct sys_abi *abi)
{
	switch (f->type) {
	case FT_I8: case FT_U8: return 1;
	case FT_I16: case FT_U16: return 2;
	case FT_I32: case FT_U32: return 4;
	case FT_I64: case FT_U64: return 8;
	case FT_LONG: case FT_ULONG: case FT_PTR: return abi->word_size;
	case FT_CHARS: case FT_BYTES: case FT_PAD: return f->n;
	case FT_STRUCT: return sdesc_size(f->sub, abi);
	}
	return 0;
}

/* i386 aligns 64-bit members of structs to 4 bytes. */
static size_t align_of(const struct field *f, const struct sys_abi *abi)
{
	size_t s;

	switch (f->type) {
	case FT_CHARS: case FT_BYTES: case FT_PAD:
		return 1;
	case FT_STRUCT: {
		size_t a = 1;

		for (unsigned int i = 0; i < f->sub->n; i++) {
			size_t b = f->sub->f[i].flags & FF_PACKED ? 1 :
				   align_of(&f->sub->f[i], abi);

			if (b > a)
				a = b;
		}
		return a;
	}
	}
	s = type_size(f, abi);
	return s > abi->word_size ? abi->word_size : s;
}

/* Offsets of d's fields into off[]; returns the struct's size. */
static size_t layout(const struct sdesc *d, const struct sys_abi *abi,
		     size_t *off)
{
	size_t pos = 0, maxa = 1;

	for (unsigned int i = 0; i < d->n && i < MAX_FIELDS; i++) {
		const struct field *f = &d->f[i];
		size_t a = f->flags & FF_PACKED ? 1 : align_of(f, abi);

		if (a > maxa)
			maxa = a;
		if ((f->flags & FF_SAME) && i > 0) {
			off[i] = off[i - 1];
			if (pos < off[i] + type_size(f, abi))
				pos = off[i] + type_size(f, abi);
			continue;
		}
		pos = (pos + a - 1) / a * a;
		off[i] = pos;
		pos += type_size(f, abi);
	}
	return (pos + maxa - 1) / maxa * maxa;
}

size_t sdesc_size(const struct sdesc *d, const struct sys_abi *abi)
{
	size_t off[MAX_FIELDS];

	return layout(d, abi, off);
}

static int is_signed(const struct field *f)
{
	return f->type == FT_I8 || f->type == FT_I16 || f->type == FT_I32 ||
	       f->type == FT_I64 || f->type == FT_LONG;
}

/* The value of an integer field, sign-extended when signed. */
static unsigned long long field_value(const struct field *f, size_t size,
				      const unsigned char *p)
{
	unsigned long long v = get_le(p, (unsigned int)size);

	if (f->bits)
		return v >> f->bit & ((1ULL << f->bits) - 1);
	if (is_signed(f) && size < 8 && (v >> (size * 8 - 1) & 1))
		v |= ~0ULL << (size * 8);
	return v;
}

/* ---- printing ------------------------------------------------------------- */

void emit_date_note(struct emit *e, long long t, unsigned long long ns)
{
	struct tm tm;
	time_t tt = (time_t)t;
	char buf[80];
	size_t n;

	if (e->json || !gmtime_r(&tt, &tm) ||
	    !(n = strftime(buf, sizeof(buf), " /* %Y-%m-%dT%H:%M:%S", &tm)))
		return;
	if (ns && ns < 1000000000)
		snprintf(buf + n, sizeof(buf) - n, ".%09llu+0000 */", ns);
	else
		snprintf(buf + n, sizeof(buf) - n, "+0000 */");
	emit_text_only(e, buf);
}

static void print_time(struct emit *e, long long t, unsigned long long ns)
{
	emit_int(e, t);
	emit_date_note(e, t, ns);
}

/* sun_path=@"name": text shows the @; JSON a string starting with @. */
static void emit_sunpath_abstract(struct emit *e, const unsigned char *p,
				  size_t n)
{
	unsigned char *b = xmalloc(n + 1);

	b[0] = '@';
	memcpy(b + 1, p, n);
	if (e->json) {
		emit_str(e, b, n + 1);
	} else {
		emit_sym(e, "@");
		fmt_quoted(e->f, p, n, EMIT_TEXT_MAX);
	}
	free(b);
}

static void print_chars(struct emit *e, const unsigned char *p, size_t n)
{
	emit_str(e, p, strnlen((const char *)p, n));
}

/* iov_base: the bytes it points to, as many as the next field says. */
static void print_buf(struct emit *e, const struct dctx *x,
		      unsigned long addr, unsigned long long len)
{
	/* Text shows EMIT_TEXT_MAX bytes and "..."; JSON up to 64 KiB of
	 * each buffer a struct points to (the pointer's length comes from
	 * the target and is not trusted). */
	size_t cap = e->json ? BUF_JSON_MAX : EMIT_TEXT_MAX + 1;
	size_t want = len > cap ? cap : (size_t)len;
	unsigned char *b;
	long got;

	if (!x->read || !addr) {
		if (addr)
			emit_hex(e, addr);
		else
			emit_null(e);
		return;
	}
	if (x->left && (unsigned long)*x->left < want)
		want = (size_t)*x->left;
	b = xmalloc(want ? want : 1);
	got = want ? x->read(x->opaque, addr, b, want) : 0;
	if (got < 0) {
		emit_hex(e, addr);
	} else {
		emit_str(e, b, (size_t)got);
		if (x->left)
			*x->left -= got;
	}
	free(b);
}

static void print_in6(struct emit *e, const unsigned char *p)
{
	char a[INET6_ADDRSTRLEN], buf[INET6_ADDRSTRLEN + 48];

	if (!inet_ntop(AF_INET6, p, a, sizeof(a)))
		snprintf(a, sizeof(a), "?");
	if (e->json) {
		emit_sym(e, a);
		return;
	}
	snprintf(buf, sizeof(buf), "inet_pton(AF_INET6, \"%s\", &sin6_addr)", a);
	emit_sym(e, buf);
}

static void print_field(struct emit *e, const struct dctx *x,
			const struct field *f, const unsigned char *p,
			size_t size, const unsigned char *next)
{
	const struct sys_abi *abi = x->abi;
	unsigned long long v;
	char buf[1024];

	if (f->type == FT_STRUCT) {
		sdesc_print(e, x, f->sub, p, size);
		return;
	}
	if (f->type == FT_CHARS || f->type == FT_BYTES) {
		if (f->show == SH_IN6ADDR && size == 16) {
			print_in6(e, p);
		} else if (f->show == SH_SUNPATH && size > 1 && !p[0] && p[1]) {
			/* Abstract: a leading NUL, then bytes. */
			size_t n = size - 1;

			while (n && !p[n])
				n--;
			emit_sunpath_abstract(e, p + 1, n);
		} else if (f->type == FT_CHARS) {
			print_chars(e, p, size);
		} else {
			emit_str(e, p, size);
		}
		return;
	}
	if (f->show == SH_SIGSET) {
		decode_print(e, x, "sigset_t", p, size, 0);
		return;
	}
	v = field_value(f, size, p);
	switch (f->show) {
	case SH_HEX:
		emit_hex(e, v);
		break;
	case SH_PTR:
		if (v)
			emit_hex(e, v);
		else
			emit_null(e);
		break;
	case SH_OCT:
		emit_oct(e, v);
		break;
	case SH_SYM:
		emit_family(e, abi, f->family, v);
		break;
	case SH_MODE:
		sym_mode(abi, v, buf, sizeof(buf));
		emit_sym(e, buf);
		break;
	case SH_DEV:
		if (e->json) {
			emit_obj_begin(e);
			emit_key(e, "major");
			emit_uint(e, major(v));
			emit_key(e, "minor");
			emit_uint(e, minor(v));
			emit_obj_end(e);
		} else {
			snprintf(buf, sizeof(buf), "makedev(%#x, %#x)",
				 major(v), minor(v));
			emit_sym(e, buf);
		}
		break;
	case SH_TIME:
		print_time(e, (long long)v, 0);
		break;
	case SH_TIMENS:
		print_time(e, (long long)v,
			   next ? get_le(next, abi->word_size) : 0);
		break;
	case SH_PORT: {
		/* In network order: htons() for 16 bits, htonl() for 32. */
		unsigned long h = size == 2 ? ntohs((uint16_t)v) :
				  ntohl((uint32_t)v);

		if (e->json) {
			emit_uint(e, h);
		} else {
			snprintf(buf, sizeof(buf), "hton%c(%lu)",
				 size == 2 ? 's' : 'l', h);
			emit_sym(e, buf);
		}
		break;
	}
	case SH_INADDR: {
		struct in_addr a = { (uint32_t)v };
		char s[INET_ADDRSTRLEN];

		inet_ntop(AF_INET, &a, s, sizeof(s));
		if (e->json) {
			emit_sym(e, s);
		} else {
			snprintf(buf, sizeof(buf), "inet_addr(\"%s\")", s);
			emit_sym(e, buf);
		}
		break;
	}
	case SH_BUF:
		print_buf(e, x, (unsigned long)v,
			  next ? get_le(next, abi->word_size) : 0);
		break;
	case SH_NAMES: {
		size_t n = 0;

		while (f->names[n])
			n++;
		if (v < n)
			emit_sym(e, f->names[v]);
		else
			emit_uint(e, v);
		break;
	}
	case SH_RLIM:
		if (!e->json && (size < 8 ? v == (1ULL << (size * 8)) - 1 :
				 v == ~0ULL)) {
			emit_sym(e, f->family);
		} else if (!e->json && v > 1024 && v % 1024 == 0) {
			snprintf(buf, sizeof(buf), "%llu*1024", v / 1024);
			emit_sym(e, buf);
		} else {
			emit_uint(e, v);
		}
		break;
	default:
		if (is_signed(f))
			emit_int(e, (long long)v);
		else
			emit_uint(e, v);
	}
}

void sdesc_print(struct emit *e, const struct dctx *x, const struct sdesc *d,
		 const unsigned char *p, size_t len)
{
	size_t off[MAX_FIELDS];

	layout(d, x->abi, off);
	emit_obj_begin(e);
	for (unsigned int i = 0; i < d->n && i < MAX_FIELDS; i++) {
		const struct field *f = &d->f[i];
		size_t size = type_size(f, x->abi);
		const unsigned char *next = NULL;

		/* A string field cut short (an address shorter than its
		 * struct: sockaddr_un) shows the bytes there are. */
		if ((f->type == FT_CHARS || f->type == FT_BYTES) &&
		    off[i] < len && off[i] + size > len)
			size = len - off[i];
		if (f->show == SH_HIDE || off[i] + size > len)
			continue;
		if (i + 1 < d->n && off[i + 1] + x->abi->word_size <= len)
			next = p + off[i + 1];
		/* strace shows an IPv6 address without its name (and an
		 * address cut short as the bytes there are, named). */
		if (f->show != SH_IN6ADDR || size != 16 || e->json)
			emit_key(e, f->name);
		print_field(e, x, f, p + off[i], size, next);
	}
	emit_obj_end(e);
}

void sdesc_print_field(struct emit *e, const struct dctx *x,
		       const struct sdesc *d, const unsigned char *p,
		       size_t len, const char *name)
{
	size_t off[MAX_FIELDS];

	layout(d, x->abi, off);
	for (unsigned int i = 0; i < d->n && i < MAX_FIELDS; i++) {
		const struct field *f = &d->f[i];
		size_t size = type_size(f, x->abi);

		if (strcmp(f->name, name) || off[i] + size > len)
			continue;
		emit_key(e, f->name);
		print_field(e, x, f, p + off[i], size,
			    i + 1 < d->n && off[i + 1] + x->abi->word_size <= len ?
			    p + off[i + 1] : NULL);
		return;
	}
}

void sdesc_print_fields(struct emit *e, const struct dctx *x,
			const struct sdesc *d, const unsigned char *p,
			size_t len, const char *const *names)
{
	emit_obj_begin(e);
	for (; *names; names++)
		sdesc_print_field(e, x, d, p, len, *names);
	emit_obj_end(e);
}

int sdesc_value(const struct sdesc *d, const struct sys_abi *abi,
		const unsigned char *p, size_t len, const char *name,
		unsigned long long *v)
{
	size_t off[MAX_FIELDS];

	layout(d, abi, off);
	for (unsigned int i = 0; i < d->n && i < MAX_FIELDS; i++) {
		size_t size = type_size(&d->f[i], abi);

		if (strcmp(d->f[i].name, name))
			continue;
		if (off[i] + size > len)
			return -1;
		*v = field_value(&d->f[i], size, p + off[i]);
		return 0;
	}
	return -1;
}

/* ---- parsing -------------------------------------------------------------- */

static void store(struct blob *b, size_t off, const struct field *f,
		  size_t size, unsigned long long v)
{
	if (f->bits) {
		unsigned long long m = ((1ULL << f->bits) - 1) << f->bit;
		unsigned long long old;

		blob_grow(b, off + size);
		old = get_le(b->data + off, (unsigned int)size);
		v = (old & ~m) | ((v << f->bit) & m);
	}
	blob_put(b, off, (unsigned int)size, v);
}

static int parse_string_into(struct cur *c, struct blob *b, size_t off,
			     const struct field *f, size_t size)
{
	size_t start = c->pos, len;
	unsigned char *s;

	if (lex_string(c, &s, &len) < 0)
		return -1;
	/* A char array keeps its NUL. */
	if (len + (f->type == FT_CHARS) > size) {
		free(s);
		return lex_fail(c, start, c->pos - start, "%s holds at most "
				"%zu bytes, this string has %zu", f->name,
				size - (f->type == FT_CHARS), len);
	}
	blob_grow(b, off + size);
	memcpy(b->data + off, s, len);
	free(s);
	return 0;
}

/* "::1" or inet_pton(AF_INET6, "::1"[, &sin6_addr]). */
static int parse_in6(struct cur *c, struct blob *b, size_t off)
{
	size_t start;
	unsigned char *s, a[16];
	size_t len;
	int ok;

	if (lex_word(c, "inet_pton")) {
		if (lex_expect(c, '(', "after inet_pton") < 0)
			return -1;
		if (!lex_word(c, "AF_INET6"))
			return lex_fail(c, c->pos, lex_token_len(c, c->pos),
					"an IPv6 address: inet_pton(AF_INET6, "
					"\"::1\")");
		if (lex_expect(c, ',', "after AF_INET6") < 0)
			return -1;
	}
	start = c->pos;
	if (lex_peek(c) != '"')
		return lex_fail(c, c->pos, lex_token_len(c, c->pos),
				"expected an IPv6 address in quotes, as \"::1\"");
	if (lex_string(c, &s, &len) < 0)
		return -1;
	s = xrealloc(s, len + 1);
	s[len] = '\0';
	ok = strlen((char *)s) == len && inet_pton(AF_INET6, (char *)s, a) == 1;
	free(s);
	if (!ok)
		return lex_fail(c, start, c->pos - start, "not an IPv6 address");
	blob_grow(b, off + 16);
	memcpy(b->data + off, a, 16);
	lex_skip_ws(c);
	if (lex_peek(c) == ',' && c->pos + 1 < c->end) {
		/* strace's third argument, &sin6_addr, says where it goes. */
		struct cur look = *c;

		look.pos++;
		lex_skip_ws(&look);
		if (lex_peek(&look) == '&') {
			look.pos++;
			look.pos += lex_ident_len(&look);
			*c = look;
		}
	}
	lex_skip_ws(c);
	if (lex_peek(c) == ')')
		c->pos++;
	return 0;
}

static void fill_ctx(struct expr_ctx *x, const struct sys_abi *abi,
		     const struct field *f, const char *sname, char *what,
		     size_t size)
{
	const struct sys_family *fam;

	memset(x, 0, sizeof(*x));
	snprintf(what, size, "field %s of %s", f->name, sname);
	x->what = what;
	x->expects = "a number";
	if (f->show == SH_SYM && (fam = abi->consts ?
				  scr__family(abi, f->family) : NULL)) {
		x->fam[x->nfam++] = fam;
		if (fam->mask_family >= 0)
			x->fam[x->nfam++] = &abi->consts->fam[fam->mask_family];
	} else if (f->show == SH_MODE && abi->consts) {
		if ((fam = scr__family(abi, "mode")))
			x->fam[x->nfam++] = fam;
		if ((fam = scr__family(abi, "file_type")))
			x->fam[x->nfam++] = fam;
	} else {
		x->any = 1;
	}
}

/* iov_base="bytes" (the bytes go elsewhere, the field points there) or
 * buf(N) for a buffer the call fills. */
static int parse_bufptr(struct cur *c, struct blob *b, size_t off,
			const struct sys_abi *abi, size_t *len)
{
	struct blob *child;
	unsigned long n;
	size_t start = c->pos;

	if (lex_peek(c) == '"') {
		unsigned char *s;
		size_t slen;

		if (lex_string(c, &s, &slen) < 0)
			return -1;
		child = blob_of(s, slen);
		free(s);
		*len = slen;
	} else if (lex_word(c, "buf")) {
		if (lex_expect(c, '(', "after buf") < 0 ||
		    lex_magnitude(c, &n) < 0 ||
		    lex_expect(c, ')', "to close buf(") < 0)
			return -1;
		if (n == 0 || n > (1u << 20))
			return lex_fail(c, start, c->pos - start, "buf(N): "
					"the size must be 1..%u bytes", 1u << 20);
		child = blob_new(n);
		*len = n;
	} else if (lex_word(c, "NULL")) {
		blob_put(b, off, abi->word_size, 0);
		*len = 0;
		return 0;
	} else {
		return lex_fail(c, c->pos, lex_token_len(c, c->pos), "expected "
				"\"bytes\", buf(N) or NULL");
	}
	blob_put(b, off, abi->word_size, 0);
	blob_point(b, off, child);
	return 0;
}

/* "..." where a field could be: strace's abbreviation, skipped. */
static int skip_dots(struct cur *c)
{
	if (c->pos + 3 <= c->end && !memcmp(c->s + c->pos, "...", 3)) {
		c->pos += 3;
		lex_skip_ws(c);
		return 1;
	}
	return 0;
}

static int parse_value(struct cur *c, const struct sdesc *d,
		       const struct field *f, struct blob *b, size_t off,
		       size_t size, int *bufset, size_t *buflen)
{
	const struct sys_abi *abi = c->abi;
	struct expr_ctx x;
	struct expr e;
	char what[128];
	unsigned long long v;

	switch (f->type) {
	case FT_STRUCT:
		return sdesc_parse(c, f->sub, b, off);
	case FT_CHARS:
	case FT_BYTES:
		if (f->show == SH_IN6ADDR)
			return parse_in6(c, b, off);
		if (f->show == SH_SUNPATH && lex_peek(c) == '@') {
			/* An abstract name: a NUL, then the bytes. */
			c->pos++;
			if (size < 2 || lex_peek(c) != '"')
				return lex_fail(c, c->pos, 1, "expected "
						"@\"name\" for an abstract "
						"socket");
			return parse_string_into(c, b, off + 1, f, size - 1);
		}
		if (lex_peek(c) != '"')
			return lex_fail(c, c->pos, lex_token_len(c, c->pos),
					"%s takes a \"string\"", f->name);
		return parse_string_into(c, b, off, f, size);
	}
	if (f->show == SH_SIGSET) {
		struct blob *s = blob_new(0);
		int r = decode_parse(c, abi, "sigset_t", 1, s);

		if (r == 0) {
			blob_grow(b, off + size);
			memcpy(b->data + off, s->data, s->len < size ? s->len : size);
		}
		blob_free(s);
		return r;
	}
	if (f->show == SH_BUF) {
		*bufset = 1;
		return parse_bufptr(c, b, off, abi, buflen);
	}
	if (f->show == SH_INADDR && lex_peek(c) == '"') {
		/* A plain "127.0.0.1" as well as inet_addr("127.0.0.1"). */
		size_t start = c->pos, len;
		unsigned char *s;
		struct in_addr a;
		int ok;

		if (lex_string(c, &s, &len) < 0)
			return -1;
		s = xrealloc(s, len + 1);
		s[len] = '\0';
		ok = strlen((char *)s) == len &&
		     inet_pton(AF_INET, (char *)s, &a) == 1;
		free(s);
		if (!ok)
			return lex_fail(c, start, c->pos - start, "not an IPv4 "
					"address like \"127.0.0.1\"");
		store(b, off, f, size, a.s_addr);
		return 0;
	}
	if (f->show == SH_NAMES && lex_ident_len(c)) {
		size_t n = lex_ident_len(c);

		for (unsigned long k = 0; f->names[k]; k++)
			if (strlen(f->names[k]) == n &&
			    !memcmp(f->names[k], c->s + c->pos, n)) {
				c->pos += n;
				store(b, off, f, size, k);
				return 0;
			}
	}
	if (f->show == SH_RLIM && lex_word(c, f->family)) {
		store(b, off, f, size, ~0ULL);
		return 0;
	}
	fill_ctx(&x, abi, f, d->name, what, sizeof(what));
	if (expr_parse(c, &x, &e) < 0)
		return -1;
	v = expr_value(&e);
	/* A port is in network order; a plain number means the port. */
	if (f->show == SH_PORT && !e.byteswapped)
		v = size == 2 ? htons((uint16_t)v) : htonl((uint32_t)v);
	expr_free(&e);
	store(b, off, f, size, v);
	return 0;
}

static const struct field *find_field(const struct sdesc *d, const char *name,
				      size_t len, unsigned int *idx)
{
	for (unsigned int i = 0; i < d->n; i++)
		if (d->f[i].show != SH_HIDE && strlen(d->f[i].name) == len &&
		    !memcmp(d->f[i].name, name, len)) {
			*idx = i;
			return &d->f[i];
		}
	return NULL;
}

static int unknown_field(struct cur *c, const struct sdesc *d, size_t pos,
			 size_t len)
{
	char names[240];
	size_t n = 0;

	names[0] = '\0';
	for (unsigned int i = 0; i < d->n && n + 40 < sizeof(names); i++) {
		int w;

		if (d->f[i].show == SH_HIDE)
			continue;
		w = snprintf(names + n, sizeof(names) - n, "%s%s",
			     n ? ", " : "", d->f[i].name);
		n += w > 0 ? (size_t)w : 0;
	}
	return lex_fail(c, pos, len, "%s has no field '%.*s' (it has: %s)",
			d->name, SHOW(c, pos, len), names);
}

int sdesc_parse(struct cur *c, const struct sdesc *d, struct blob *b,
		size_t off)
{
	size_t offs[MAX_FIELDS], size = layout(d, c->abi, offs);
	unsigned char given[MAX_FIELDS] = { 0 };
	int r = -1;

	lex_skip_ws(c);
	if (lex_peek(c) != '{')
		return lex_fail(c, c->pos, lex_token_len(c, c->pos),
				"expected '{' to start a struct %s", d->name);
	if (++c->depth > LEX_MAX_DEPTH)
		return lex_fail(c, c->pos, 1, "structs nested too deep");
	c->pos++;
	blob_grow(b, off + size);
	lex_skip_ws(c);
	while (lex_peek(c) != '}') {
		size_t start = c->pos, n = lex_ident_len(c);
		const struct field *f;
		unsigned int i;
		int bufset = 0;
		size_t buflen = 0;

		if (skip_dots(c))
			goto next;
		if (n == 9 && !memcmp(c->s + start, "inet_pton", 9) &&
		    (f = find_field(d, "sin6_addr", 9, &i))) {
			/* strace's inet_pton(AF_INET6, "::1", &sin6_addr) */
			if (parse_in6(c, b, off + offs[i]) < 0)
				goto out;
			goto next;
		}
		if (!n) {
			lex_fail(c, start, lex_token_len(c, start),
				 lex_at_end(c) ? "struct %s has no closing '}'" :
				 "expected field=value in struct %s", d->name);
			goto out;
		}
		f = find_field(d, c->s + start, n, &i);
		if (!f) {
			unknown_field(c, d, start, n);
			goto out;
		}
		c->pos += n;
		if (lex_expect(c, '=', "after the field name") < 0)
			goto out;
		if (given[i]) {
			lex_fail(c, start, n, "%s given twice", f->name);
			goto out;
		}
		given[i] = 1;
		if (parse_value(c, d, f, b, off + offs[i],
				type_size(f, c->abi), &bufset, &buflen) < 0)
			goto out;
		/* The length after a buffer pointer, unless given. */
		if (bufset && i + 1 < d->n && !given[i + 1])
			store(b, off + offs[i + 1], &d->f[i + 1],
			      type_size(&d->f[i + 1], c->abi), buflen);
next:
		lex_skip_ws(c);
		if (lex_peek(c) == ',') {
			c->pos++;
			lex_skip_ws(c);
			continue;
		}
		if (lex_peek(c) != '}') {
			lex_fail(c, c->pos, lex_token_len(c, c->pos),
				 lex_at_end(c) ? "struct %s has no closing '}'" :
				 "expected ',' or '}' in struct %s", d->name);
			goto out;
		}
	}
	c->pos++;
	r = 0;
out:
	c->depth--;
	return r;
}
