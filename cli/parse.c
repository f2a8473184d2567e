/*
 * Parser of the call language (parse.h).  Each argument is parsed
 * knowing what the call takes there: the signature from the tables,
 * refined by the decoders' hooks; the forms it may have (a string, a
 * struct, an expression) and the constants it may name follow from
 * that.
 */
#include <ctype.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"
#include "util.h"

/* ---- what an argument takes -------------------------------------------- */

static const char *kind_word(int kind)
{
	switch (kind) {
	case SCR_ARG_FD: return "a file descriptor";
	case SCR_ARG_DIRFD: return "a directory file descriptor or AT_FDCWD";
	case SCR_ARG_PATH: return "a path (a \"string\")";
	case SCR_ARG_STR: return "a \"string\"";
	case SCR_ARG_MODE: return "a file mode (0644, S_IRUSR|S_IWUSR)";
	case SCR_ARG_SIGNAL: return "a signal (SIGTERM)";
	case SCR_ARG_PID: return "a process id";
	case SCR_ARG_SIZE: return "a size in bytes";
	case SCR_ARG_COUNT: return "a number of elements";
	case SCR_ARG_IN: return "data for the call";
	case SCR_ARG_OUT: return "a place for the call to write";
	case SCR_ARG_INOUT: return "data the call reads and rewrites";
	case SCR_ARG_STRV: return "an array of strings: [\"a\", \"b\", NULL]";
	}
	return "a number";
}

static int is_pointer(int kind)
{
	return kind == SCR_ARG_PATH || kind == SCR_ARG_STR ||
	       kind == SCR_ARG_IN || kind == SCR_ARG_OUT ||
	       kind == SCR_ARG_INOUT || kind == SCR_ARG_STRV;
}

/* An integer argument that may carry a pointer: a register-sized
 * "unsigned long" (prctl's arg2, ioctl's arg), as the kernel declares
 * them; not an off_t or an int. */
static int may_point(const struct argtype *t)
{
	return t->kind == SCR_ARG_INT && t->ctype &&
	       (!strcmp(t->ctype, "unsigned long") || !strcmp(t->ctype, "long"));
}

static void add_family(struct expr_ctx *x, const struct sys_abi *abi,
		       const char *name)
{
	const struct sys_family *f = abi->consts ? scr__family(abi, name) : NULL;

	if (!f || x->nfam == 3)
		return;
	x->fam[x->nfam++] = f;
	if (f->mask_family >= 0 && x->nfam < 3 &&
	    &abi->consts->fam[f->mask_family] != f)
		x->fam[x->nfam++] = &abi->consts->fam[f->mask_family];
}

/* The constants argument type t accepts. */
static void ctx_for(const struct sys_abi *abi, const struct argtype *t,
		    const char *what, struct expr_ctx *x)
{
	memset(x, 0, sizeof(*x));
	x->what = what;
	x->expects = kind_word(t->kind);
	x->refs_ok = 1;
	switch (t->kind) {
	case SCR_ARG_FLAGS:
	case SCR_ARG_ENUM:
		add_family(x, abi, t->detail);
		x->any = x->nfam == 0;	/* a family the headers lack */
		break;
	case SCR_ARG_MODE:
		add_family(x, abi, "mode");
		add_family(x, abi, "file_type");
		break;
	case SCR_ARG_SIGNAL:
		add_family(x, abi, "signal");
		break;
	case SCR_ARG_FD:
		add_family(x, abi, "fd");
		break;
	case SCR_ARG_DIRFD:
		add_family(x, abi, "dirfd");
		add_family(x, abi, "fd");
		break;
	case SCR_ARG_PID:
	case SCR_ARG_PATH:
	case SCR_ARG_STR:
	case SCR_ARG_IN:
	case SCR_ARG_OUT:
	case SCR_ARG_INOUT:
	case SCR_ARG_STRV:
		break;
	default:
		x->any = 1;
	}
}

int arg_known(const struct arg *a)
{
	return a->form != ARG_INT || !expr_has_refs(&a->expr);
}

/* The type of argument i: the signature's, then the decoders' say. */
static void type_of(const struct sys_abi *abi, const struct call *call,
		    unsigned int i, struct argtype *t)
{
	const struct sys_sig *s = call->sc ? call->sc->sig : NULL;
	const struct callhook *h;
	unsigned long v[CLI_MAX_ARGS] = { 0 };
	unsigned char known[CLI_MAX_ARGS] = { 0 };

	memset(t, 0, sizeof(*t));
	t->ref = -1;
	if (!s || i >= s->nargs)
		return;
	t->kind = s->args[i].kind;
	t->detail = s->args[i].detail;
	t->name = s->args[i].name;
	t->ctype = s->args[i].type;
	t->ref = s->args[i].ref;
	h = decode_hook(call->name);
	if (!h || !h->arg)
		return;
	for (unsigned int j = 0; j < i; j++) {
		const struct arg *a = &call->args[j];

		known[j] = a->form == ARG_INT && arg_known(a);
		v[j] = known[j] ? expr_value(&a->expr) : 0;
	}
	h->arg(abi, i, v, known, t);
}

/* ---- forms -------------------------------------------------------------- */

/* Skips a balanced {...} or [...] (strings inside too): what strace
 * showed where the call writes. */
static int skip_balanced(struct cur *c)
{
	size_t start = c->pos;
	char stack[LEX_MAX_DEPTH];
	unsigned int depth = 0;

	while (!lex_at_end(c)) {
		char ch = lex_peek(c);

		if (ch == '"') {
			unsigned char *s;
			size_t len;

			if (lex_string(c, &s, &len) < 0)
				return -1;
			free(s);
			continue;
		}
		if (ch == '{' || ch == '[') {
			if (depth == LEX_MAX_DEPTH)
				return lex_fail(c, c->pos, 1, "nested too deep");
			stack[depth++] = ch == '{' ? '}' : ']';
		} else if (ch == '}' || ch == ']') {
			if (!depth || stack[depth - 1] != ch)
				return lex_fail(c, c->pos, 1, "unbalanced '%c'", ch);
			depth--;
		}
		c->pos++;
		if (!depth)
			return 0;
	}
	return lex_fail(c, start, c->pos - start, "'%c' is never closed",
			c->s[start]);
}

/* strace's "..." after a string it cut short. */
static int cut_short(struct cur *c)
{
	return c->pos + 3 <= c->end && !memcmp(c->s + c->pos, "...", 3);
}

static int parse_string_arg(struct cur *c, const char *what,
			    const struct argtype *t, struct arg *a)
{
	size_t start = c->pos;
	unsigned char *d;
	size_t len;

	if (lex_string(c, &d, &len) < 0)
		return -1;
	if (t->kind == SCR_ARG_OUT) {
		/* What strace showed the call write: a buffer stands for
		 * it, sized by the length argument. */
		free(d);
		if (cut_short(c))
			c->pos += 3;
		a->form = ARG_OUT;
		return 0;
	}
	if (cut_short(c)) {
		free(d);
		return lex_fail(c, start, c->pos + 3 - start, "strace cut this "
				"string short (the \"...\" after it): run strace "
				"with -s 65536 to see it whole, and paste that");
	}
	if (t->kind && !is_pointer(t->kind) && t->kind != SCR_ARG_PTR &&
	    !may_point(t)) {
		free(d);
		return lex_fail(c, start, c->pos - start, "%s takes %s, not a "
				"string", what, kind_word(t->kind));
	}
	if (t->kind == SCR_ARG_INOUT && t->detail && decode_struct(t->detail)) {
		free(d);
		return lex_fail(c, start, c->pos - start, "%s takes a struct "
				"%s: {field=value, ...}", what, t->detail);
	}
	if (t->kind == SCR_ARG_IN && t->detail && decode_struct(t->detail)) {
		/* strace shows the bytes of a struct it does not decode
		 * there (setsockopt's SO_RCVTIMEO_OLD): those bytes, no
		 * NUL; the call only reads them. */
		a->blob = blob_of(d, len);
		a->size = len;
		free(d);
		a->form = ARG_BYTES;
		return 0;
	}
	/* The system call sees a C string: add its NUL. */
	d = xrealloc(d, len + 1);
	d[len] = '\0';
	a->blob = blob_of(d, len + 1);
	free(d);
	a->form = ARG_STR;
	return 0;
}

/* ["a", "b", NULL]: an array of pointers to strings. */
static int parse_strv(struct cur *c, struct arg *a)
{
	unsigned int word = c->abi->word_size, n = 0;
	struct blob *b = blob_new(0);

	c->pos++;	/* '[' */
	lex_skip_ws(c);
	while (lex_peek(c) != ']') {
		if (n == 4096) {
			lex_fail(c, c->pos, 1, "at most 4096 strings");
			goto bad;
		}
		if (lex_peek(c) == '"') {
			unsigned char *s;
			size_t len;

			if (lex_string(c, &s, &len) < 0)
				goto bad;
			s = xrealloc(s, len + 1);
			s[len] = '\0';
			blob_put(b, (size_t)n * word, word, 0);
			blob_point(b, (size_t)n * word, blob_of(s, len + 1));
			free(s);
		} else if (lex_word(c, "NULL")) {
			blob_put(b, (size_t)n * word, word, 0);
		} else {
			lex_fail(c, c->pos, lex_token_len(c, c->pos),
				 cut_short(c) ? "strace left strings out here "
				 "(\"...\"): run it with -v and paste that" :
				 "expected a \"string\" or NULL");
			goto bad;
		}
		n++;
		lex_skip_ws(c);
		if (cut_short(c)) {
			lex_fail(c, c->pos, 3, "strace cut this short: run it "
				 "with -v -s 65536 and paste that");
			goto bad;
		}
		if (lex_peek(c) == ',') {
			c->pos++;
			lex_skip_ws(c);
		} else if (lex_peek(c) != ']') {
			lex_fail(c, c->pos, lex_token_len(c, c->pos),
				 lex_at_end(c) ? "array has no closing ']'" :
				 "expected ',' or ']'");
			goto bad;
		}
	}
	c->pos++;
	/* argv ends with NULL; strace shows it without. */
	if (!n || get_le(b->data + (size_t)(n - 1) * word, word) ||
	    (b->nrel && b->rel[b->nrel - 1].off == (size_t)(n - 1) * word))
		blob_put(b, (size_t)n * word, word, 0);
	a->blob = b;
	a->form = ARG_BLOB;
	return 0;
bad:
	blob_free(b);
	return -1;
}

static int parse_literal(struct cur *c, const char *what,
			 const struct argtype *t, struct arg *a)
{
	size_t start = c->pos;
	int k = t->kind;

	if (k == SCR_ARG_OUT) {
		if (skip_balanced(c) < 0)
			return -1;
		a->form = ARG_OUT;
		return 0;
	}
	if (k == SCR_ARG_STRV && lex_peek(c) == '[')
		return parse_strv(c, a);
	if ((k == SCR_ARG_IN || k == SCR_ARG_INOUT) && t->detail &&
	    decode_size(c->abi, t->detail)) {
		a->blob = blob_new(0);
		a->form = ARG_BLOB;
		if (decode_parse(c, c->abi, t->detail, 0, a->blob) < 0)
			return -1;
		/* strace's "[2] => [7]": the value after the call, not input. */
		lex_skip_ws(c);
		if (k == SCR_ARG_INOUT && c->pos + 2 <= c->end &&
		    !memcmp(c->s + c->pos, "=>", 2)) {
			c->pos += 2;
			lex_skip_ws(c);
			return skip_balanced(c);
		}
		return 0;
	}
	if (k == SCR_ARG_IN || k == SCR_ARG_INOUT || k == SCR_ARG_PTR ||
	    k == SCR_ARG_INT || !k)
		return lex_fail(c, start, lex_token_len(c, start), "%s: "
				"scremote does not know the layout of what it "
				"points to; pass bytes(\"...\") or buf(N)",
				what);
	return lex_fail(c, start, lex_token_len(c, start), "%s takes %s, "
			"not a %s", what, kind_word(k),
			lex_peek(c) == '{' ? "struct" : "array");
}

/* buf(N), int(N), bytes("..."). */
static int parse_func(struct cur *c, const char *what,
		      const struct argtype *t, struct arg *a, size_t start,
		      size_t n)
{
	const char *w = c->s + start;
	unsigned long v = 0;
	size_t vpos;
	int neg = 0, k = t->kind;

	if (lex_expect(c, '(', "after the function name") < 0)
		return -1;
	vpos = c->pos;
	if (n == 5 && !memcmp(w, "bytes", 5)) {
		unsigned char *d;

		if (k && k != SCR_ARG_IN && k != SCR_ARG_INOUT &&
		    k != SCR_ARG_PTR && k != SCR_ARG_INT && k != SCR_ARG_STR)
			return lex_fail(c, start, n, "%s takes %s, not bytes",
					what, kind_word(k));
		if (lex_peek(c) != '"')
			return lex_fail(c, c->pos, lex_token_len(c, c->pos),
					"bytes() takes a \"string\"");
		if (lex_string(c, &d, &a->size) < 0)
			return -1;
		a->blob = blob_of(d, a->size);
		free(d);
		a->form = ARG_BYTES;
		return lex_expect(c, ')', "to close bytes(");
	}
	if (k && k != SCR_ARG_OUT && k != SCR_ARG_INOUT && k != SCR_ARG_PTR &&
	    k != SCR_ARG_INT && k != SCR_ARG_IN)
		return lex_fail(c, start, n, "%s takes %s, not a buffer", what,
				kind_word(k));
	if (lex_peek(c) == '-') {
		neg = 1;
		c->pos++;
	}
	if (!isdigit((unsigned char)lex_peek(c)))
		return lex_fail(c, c->pos, lex_token_len(c, c->pos),
				"%.*s() takes a number, as in %.*s(%s)", (int)n,
				w, (int)n, w, n == 3 && w[0] == 'b' ? "4096" : "1");
	if (lex_magnitude(c, &v) < 0)
		return -1;
	if (n == 3 && !memcmp(w, "buf", 3)) {
		if (neg || v == 0 || v > CLI_DATA_MAX)
			return lex_fail(c, vpos, c->pos - vpos, "buf(%.*s): "
					"the size must be 1..%d bytes",
					SHOW(c, vpos, c->pos - vpos), CLI_DATA_MAX);
		a->form = ARG_BUF;
		a->size = v;
	} else {
		if ((!neg && v > UINT_MAX) || (neg && v > (unsigned long)INT_MAX + 1))
			return lex_fail(c, vpos, c->pos - vpos, "int(%.*s): out "
					"of the range of a C int",
					SHOW(c, vpos, c->pos - vpos));
		a->form = ARG_INTPTR;
		a->ival = neg ? (int)(0 - v) : (int)(unsigned int)v;
	}
	return lex_expect(c, ')', "to close the argument");
}

static int is_func(const char *w, size_t n)
{
	return (n == 3 && !memcmp(w, "buf", 3)) ||
	       (n == 3 && !memcmp(w, "int", 3)) ||
	       (n == 5 && !memcmp(w, "bytes", 5));
}

static int parse_expr_arg(struct cur *c, const char *what,
			  const struct argtype *t, struct arg *a)
{
	struct expr_ctx x;
	size_t start = c->pos;

	ctx_for(c->abi, t, what, &x);
	if (expr_parse(c, &x, &a->expr) < 0)
		return -1;
	a->form = ARG_INT;
	/* An int that may be an address the call writes through (ioctl's
	 * argument for a request not known here): below the lowest address
	 * a process can map (vm.mmap_min_addr, 64 KiB) it cannot be one. */
	if (t->kind == SCR_ARG_INT && t->detail && !strcmp(t->detail, "unknown") &&
	    (expr_has_refs(&a->expr) || expr_value(&a->expr) >= 0x10000)) {
		expr_free(&a->expr);
		return lex_fail(c, start, c->pos - start, "%s looks like an "
				"address, and scremote does not know whether this "
				"request writes there (it would write over the "
				"process's memory): give buf(N) for what it "
				"writes, or bytes(\"...\") for what it reads",
				what);
	}
	/* A number where the call writes would write over whatever the
	 * process keeps at that address. */
	if ((t->kind == SCR_ARG_OUT || t->kind == SCR_ARG_INOUT) &&
	    (expr_has_refs(&a->expr) || expr_value(&a->expr))) {
		expr_free(&a->expr);
		return lex_fail(c, start, c->pos - start, "%s is where the call "
				"writes: give buf(N)%s or NULL, not an address "
				"(the call would write over the process's "
				"memory there)", what,
				t->detail ? ", a {...} or [...] placeholder" : "");
	}
	return 0;
}

static int parse_arg(struct cur *c, struct call *call, unsigned int i,
		     struct arg *a)
{
	struct argtype *t = &a->t;
	char what[96];
	size_t start;
	int r;

	memset(a, 0, sizeof(*a));
	lex_skip_ws(c);
	start = c->pos;
	type_of(c->abi, call, i, t);
	if (t->name)
		snprintf(what, sizeof(what), "%s's %s", call->name, t->name);
	else
		snprintf(what, sizeof(what), "argument %u of %s", i + 1,
			 call->name);
	if (lex_peek(c) == '"') {
		r = parse_string_arg(c, what, t, a);
	} else if (lex_peek(c) == '{' || lex_peek(c) == '[' ||
		   (lex_peek(c) == '~' && lex_peek2(c) == '[')) {
		r = parse_literal(c, what, t, a);
	} else {
		size_t n = lex_ident_len(c);
		struct cur look = *c;

		look.pos += n;
		lex_skip_ws(&look);
		if (n && is_func(c->s + start, n) && lex_peek(&look) == '(') {
			c->pos += n;
			r = parse_func(c, what, t, a, start, n);
		} else {
			r = parse_expr_arg(c, what, t, a);
		}
	}
	if (r < 0)
		return -1;
	a->pos = start;
	a->len = c->pos - start;
	while (a->len && isspace((unsigned char)c->s[start + a->len - 1]))
		a->len--;
	a->text = xstrndup(c->s + start, a->len);
	return 0;
}

/* ---- after the arguments ------------------------------------------------ */

void call_prototype(const struct sys_sig *s, char *buf, size_t size)
{
	struct sb b = { 0 };
	char *t;

	sb_addc(&b, '(');
	for (unsigned int i = 0; i < s->nargs; i++) {
		const char *type = s->args[i].type;
		size_t tl = strlen(type);

		if (i == s->nreq)
			sb_addc(&b, '[');
		sb_addf(&b, "%s%s%s%s", i ? ", " : "", type,
			tl && type[tl - 1] == '*' ? "" : " ", s->args[i].name);
	}
	if (s->nreq < s->nargs)
		sb_addc(&b, ']');
	sb_addc(&b, ')');
	t = sb_take(&b);
	snprintf(buf, size, "%s", t);
	free(t);
}

static int check_arity(struct cur *c, const struct call *call, size_t endpos)
{
	const struct sys_sig *s = call->sc ? call->sc->sig : NULL;
	char proto[400], range[32];
	size_t pos, len;

	if (!s || (call->nargs >= s->nreq && call->nargs <= s->nargs))
		return 0;
	if (s->nreq == s->nargs)
		snprintf(range, sizeof(range), "%u argument%s", s->nargs,
			 s->nargs == 1 ? "" : "s");
	else
		snprintf(range, sizeof(range), "%u to %u arguments", s->nreq,
			 s->nargs);
	call_prototype(s, proto, sizeof(proto));
	if (call->nargs > s->nargs) {
		pos = call->args[s->nargs].pos;
		len = call->args[call->nargs - 1].pos +
		      call->args[call->nargs - 1].len - pos;
	} else {
		pos = endpos;
		len = 1;
	}
	return lex_fail(c, pos, len, "%s takes %s %s, got %u (to pass "
			"anything, call it by number: #%ld)", call->name, range,
			proto, call->nargs, call->nr);
}

/* Where the call writes, with what strace showed standing in for it:
 * the bytes its size argument says, or the struct's size.  Neither
 * known (statfs's buf: a struct of no layout here), the call is
 * refused: the kernel would write the whole struct past a guess. */
static int size_outputs(struct cur *c, struct call *call)
{
	for (unsigned int i = 0; i < call->nargs; i++) {
		struct arg *a = &call->args[i];
		const struct argtype *t = &a->t;
		size_t size = 0, count = 0, rewritten = 0;

		if (a->form != ARG_OUT)
			continue;
		if (t->ref >= 0 && (unsigned int)t->ref < call->nargs &&
		    call->args[t->ref].form == ARG_INT &&
		    arg_known(&call->args[t->ref]))
			count = expr_value(&call->args[t->ref].expr);
		/* A size the call reads and rewrites: getsockopt's [16]. */
		else if (t->ref >= 0 && (unsigned int)t->ref < call->nargs &&
			 call->args[t->ref].form == ARG_BLOB &&
			 call->args[t->ref].blob->len == 4)
			rewritten = count = get_le(call->args[t->ref].blob->data, 4);
		if (t->detail && decode_size(c->abi, t->detail)) {
			size = decode_size(c->abi, t->detail);
			if (t->ref >= 0 && call->args[t->ref].t.kind ==
			    SCR_ARG_COUNT)
				size *= count ? count : 1;
			/* The kernel writes as much as that size says, which
			 * may be more than the layout here (an option taken
			 * for an int that is a struct, a longer tcp_info). */
			if (rewritten > size)
				size = rewritten;
		} else {
			size = count;
		}
		if (!size || size > CLI_DATA_MAX)
			return lex_fail(c, a->pos, a->len, "%s's %s: the size "
					"of this buffer is not known here (%s "
					"has no layout in scremote); give buf(N) "
					"with the size the call writes",
					call->name,
					t->name ? t->name : "argument",
					t->detail ? t->detail : "what it points to");
		a->size = size;
	}
	return 0;
}

/*
 * Data given where the call also writes (poll's array, an offset) must
 * be as long as its size or count argument says: the kernel writes
 * that much, past what was given otherwise.
 */
static int check_lengths(struct cur *c, struct call *call)
{
	for (unsigned int i = 0; i < call->nargs; i++) {
		const struct arg *a = &call->args[i];
		const struct argtype *t = &a->t;
		const struct arg *r = NULL;
		size_t elem, need, have;

		if ((t->kind != SCR_ARG_INOUT && t->kind != SCR_ARG_OUT) ||
		    !a->blob)
			continue;
		elem = t->detail ? decode_size(c->abi, t->detail) : 0;
		need = elem;
		if (t->ref >= 0 && (unsigned int)t->ref < call->nargs) {
			r = &call->args[t->ref];
			if (r->form != ARG_INT || !arg_known(r))
				continue;
			need = expr_value(&r->expr);
			if (r->t.kind == SCR_ARG_COUNT)
				need *= elem ? elem : 1;
			else if (need < elem)
				r = NULL;	/* sendfile's offset: a loff_t */
			if (!r)
				need = elem;
		}
		have = a->blob->len;
		if (need > have)
			return lex_fail(c, a->pos, a->len, "%s's %s holds %zu "
					"bytes, but the call may write %zu there "
					"(%s %s): give all of it", call->name,
					t->name ? t->name : "argument", have, need,
					r ? "as" : "a", r ? (r->t.name ? r->t.name :
					"its size") : t->detail);
	}
	return 0;
}

static void type_ret(const struct sys_abi *abi, struct call *call)
{
	const struct sys_sig *s = call->sc ? call->sc->sig : NULL;
	const struct callhook *h;
	unsigned long v[CLI_MAX_ARGS] = { 0 };
	unsigned char known[CLI_MAX_ARGS] = { 0 };

	memset(&call->ret, 0, sizeof(call->ret));
	call->ret.ref = -1;
	call->ret.kind = s ? s->ret : SCR_ARG_INT;
	call->ret.detail = s ? s->ret_detail : NULL;
	h = decode_hook(call->name);
	if (!s || !h || !h->ret)
		return;
	for (unsigned int j = 0; j < call->nargs; j++) {
		const struct arg *a = &call->args[j];

		known[j] = a->form == ARG_INT && arg_known(a);
		v[j] = known[j] ? expr_value(&a->expr) : 0;
	}
	h->ret(abi, call->nargs, v, known, &call->ret);
}

static int finish_call(struct cur *c, struct call *call, size_t endpos)
{
	if (check_arity(c, call, endpos) < 0 || size_outputs(c, call) < 0 ||
	    check_lengths(c, call) < 0)
		return -1;
	type_ret(c->abi, call);
	return 0;
}

/* ---- names ------------------------------------------------------------- */

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
			return lex_fail(c, pos, n, "system call number too large");
	}
	*nr = (long)v;
	return 0;
}

/* NAME, syscall_N or #N; fills nr, the name shown, and the table entry
 * (only for names: a number is a promise to pass anything). */
static int parse_name(struct cur *c, struct call *call)
{
	size_t start = c->pos, n;
	const char *near, *name;

	call->sc = NULL;
	if (lex_peek(c) == '#') {
		c->pos++;
		n = 0;
		while (c->pos + n < c->end && isdigit((unsigned char)c->s[c->pos + n]))
			n++;
		if (n == 0)
			return lex_fail(c, start, 1, "'#' must be followed by a "
					"system call number, as in #39");
		if (number_of(c, c->pos, n, &call->nr) < 0)
			return -1;
		c->pos += n;
	} else {
		n = lex_ident_len(c);
		if (n == 0)
			return lex_fail(c, start, lex_token_len(c, start),
					"expected a system call name");
		if (n > 8 && !memcmp(c->s + start, "syscall_", 8) &&
		    all_digits(c->s + start + 8, n - 8)) {
			if (number_of(c, start + 8, n - 8, &call->nr) < 0)
				return -1;
		} else {
			call->sc = scr__call_by_name(c->abi, c->s + start, n);
			call->nr = call->sc ? call->sc->nr : -1;
		}
		c->pos += n;
		if (call->nr < 0) {
			near = abi_suggest_sys(c->abi, c->s + start, n);
			if (near)
				return lex_fail(c, start, n, "unknown system call "
						"'%.*s' (did you mean '%s'?)",
						SHOW(c, start, n), near);
			return lex_fail(c, start, n, "unknown system call '%.*s' "
					"for %s (see scremote --list)",
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

	lex_skip_ws(c);
	start = c->pos;
	if (call->nargs == CLI_MAX_ARGS)
		return lex_fail(c, start, lex_token_len(c, start),
				"too many arguments: a system call takes at "
				"most %d", CLI_MAX_ARGS);
	if (parse_arg(c, call, call->nargs, &call->args[call->nargs]) < 0) {
		struct arg *a = &call->args[call->nargs];

		/* What the argument had taken before it failed. */
		expr_free(&a->expr);
		blob_free(a->blob);
		free(a->text);
		memset(a, 0, sizeof(*a));
		return -1;
	}
	call->nargs++;
	lex_skip_ws(c);
	return 0;
}

static int parse_arglist(struct cur *c, struct call *call)
{
	c->pos++;	/* '(' */
	lex_skip_ws(c);
	if (lex_peek(c) == ')') {
		c->pos++;
		return 0;
	}
	for (;;) {
		if (add_arg(c, call) < 0)
			return -1;
		if (lex_peek(c) == ')') {
			c->pos++;
			return 0;
		}
		if (lex_peek(c) != ',')
			return lex_fail(c, c->pos, lex_token_len(c, c->pos),
					lex_at_end(c) ? "missing ')' at the end" :
					"expected ',' or ')' after an argument");
		c->pos++;
	}
}

/* strace -f's "[pid  1234] " before a call. */
static void skip_pid_prefix(struct cur *c)
{
	struct cur look = *c;

	if (lex_peek(&look) != '[')
		return;
	look.pos++;
	lex_skip_ws(&look);
	if (!lex_word(&look, "pid"))
		return;
	while (isdigit((unsigned char)lex_peek(&look)))
		look.pos++;
	lex_skip_ws(&look);
	if (lex_peek(&look) != ']')
		return;
	look.pos++;
	lex_skip_ws(&look);
	*c = look;
}

int parse_call(const struct sys_abi *abi, const char *text,
	       unsigned int index, struct call *call, struct parse_err *err)
{
	struct cur c = { text, 0, strlen(text), abi, index, err, 0 };
	size_t endpos;

	memset(call, 0, sizeof(*call));
	call->index = index;
	lex_skip_ws(&c);
	skip_pid_prefix(&c);
	if (parse_name(&c, call) < 0)
		goto bad;
	lex_skip_ws(&c);
	endpos = c.pos;
	if (lex_peek(&c) == '(') {
		if (parse_arglist(&c, call) < 0)
			goto bad;
		endpos = c.pos - 1;
	}
	lex_skip_ws(&c);
	/* strace's " = 3", " = -1 ENOENT (...)", " = ?": the result of
	 * the traced call, not part of this one. */
	if (lex_peek(&c) == '=')
		c.pos = c.end;
	if (!lex_at_end(&c)) {
		lex_fail(&c, c.pos, c.end - c.pos,
			 "unexpected text after the call: '%.*s'",
			 SHOW(&c, c.pos, c.end - c.pos));
		goto bad;
	}
	if (finish_call(&c, call, endpos) < 0)
		goto bad;
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
	call->index = 1;
	for (size_t i = 0; i < n; i++) {
		if (i)
			sb_addc(&joined, ' ');
		start[i] = joined.len;
		sb_add(&joined, words[i], strlen(words[i]));
	}
	/* The cursor sees one word at a time: c.end stops it at the word's
	 * end, so an argument can never run into the next word. */
	c = (struct cur){ joined.s, 0, 0, abi, 1, err, 0 };
	if (n == 0) {
		lex_fail(&c, 0, 1, "missing system call name");
		goto out;
	}
	c.end = strlen(words[0]);
	if (parse_name(&c, call) < 0)
		goto out;
	if (!lex_at_end(&c)) {
		lex_fail(&c, c.pos, c.end - c.pos,
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
			lex_fail(&c, c.pos, c.end - c.pos,
				 "options go before the PID: scremote [OPTIONS] "
				 "PID SYSCALL [ARG...]");
			goto out;
		}
		if (add_arg(&c, call) < 0)
			goto out;
		if (!lex_at_end(&c)) {
			lex_fail(&c, c.pos, c.end - c.pos,
				 "unexpected text in the argument: '%.*s' (one "
				 "argument per word)", SHOW(&c, c.pos, c.end - c.pos));
			goto out;
		}
	}
	c.end = joined.len;
	if (finish_call(&c, call, joined.len) < 0)
		goto out;
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
		expr_free(&c->args[i].expr);
		blob_free(c->args[i].blob);
		free(c->args[i].text);
	}
	free(c->name);
	memset(c, 0, sizeof(*c));
}
