/*
 * Text and JSON output of calls (format.h).  What an argument shows
 * follows from its type: numbers by kind, constants by family, pointed
 * data through the decoders (decode_print), never by struct name here.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>

#include "emit.h"
#include "format.h"
#include "util.h"

const char *errno_name(int err)
{
	return err > 0 ? strerrorname_np(err) : NULL;
}

const char *signal_name(int sig)
{
	const char *abbrev = sig > 0 ? sigabbrev_np(sig) : NULL;
	static char buf[16];

	if (!abbrev)
		return NULL;
	snprintf(buf, sizeof(buf), "SIG%s", abbrev);
	return buf;
}

static void json_cstr(FILE *f, const char *s)
{
	if (s)
		fmt_json_string(f, (const unsigned char *)s, strlen(s));
	else
		fputs("null", f);
}

/* ---- arguments -------------------------------------------------------- */

/* A register value shown for what the argument is. */
static void emit_value(struct emit *e, const struct dctx *x,
		       const struct argtype *t, unsigned long v)
{
	char buf[1024];
	const char *name;

	switch (t->kind) {
	case SCR_ARG_FLAGS:
	case SCR_ARG_ENUM:
		emit_family(e, x->abi, t->detail, v);
		return;
	case SCR_ARG_SIGNAL:
		name = sym_name(x->abi, "signal", v);
		if (name)
			emit_sym(e, name);
		else
			emit_int(e, (long)v);
		return;
	case SCR_ARG_MODE:
		if (t->detail)	/* a file type: mknod's S_IFIFO|0644 */
			sym_mode(x->abi, v, buf, sizeof(buf));
		else
			snprintf(buf, sizeof(buf), "%#03lo", v);
		emit_sym(e, buf);
		return;
	case SCR_ARG_DIRFD:
		name = sym_name(x->abi, "dirfd",
				(unsigned long long)(long long)(int)v);
		if (name) {
			emit_sym(e, name);
			return;
		}
		/* fall through */
	case SCR_ARG_FD:
		emit_int(e, (int)v);
		return;
	case SCR_ARG_ADDR:
	case SCR_ARG_PTR:
	case SCR_ARG_PATH:
	case SCR_ARG_STR:
	case SCR_ARG_IN:
	case SCR_ARG_OUT:
	case SCR_ARG_INOUT:
	case SCR_ARG_STRV:
		if (v)
			emit_hex(e, v);
		else
			emit_null(e);
		return;
	case SCR_ARG_SIZE:
	case SCR_ARG_COUNT:
		emit_uint(e, v);
		return;
	case SCR_ARG_INT:
		if (v && t->detail && (!strcmp(t->detail, "hex") ||
				       !strcmp(t->detail, "unknown"))) {
			emit_hex(e, v);
			return;
		}
		if (t->detail && !strcmp(t->detail, "dev") && !e->json) {
			snprintf(buf, sizeof(buf), "makedev(%#x, %#x)",
				 major(v), minor(v));
			emit_sym(e, buf);
			return;
		}
		break;
	}
	emit_int(e, (long)v);
}

/* How much of a buffer the call filled: what it says it produced, for
 * calls returning a size, else all of it.  The return value comes from
 * the target's kernel but is clamped all the same. */
static size_t shown_len(const struct call *c, const struct outcome *o,
			size_t size)
{
	long r = o->ret.sr_retval[0];

	if (c->ret.kind != SCR_ARG_SIZE)
		return size;
	if (r <= 0)
		return 0;
	if ((unsigned long)r < size)
		size = (size_t)r;
	if (c->ret.detail && !strcmp(c->ret.detail, "cstr") && size)
		size--;		/* getcwd counts its NUL */
	return size;
}

/* How much of an output array the call filled, for calls whose result
 * counts its elements (epoll_wait's events, getgroups' list): strace
 * shows those, not the zeroes after them. */
static size_t filled_len(const struct dctx *x, const struct call *c,
			 const struct outcome *o, const struct arg *a,
			 size_t len)
{
	long r = o->ret.sr_retval[0];
	size_t size = a->t.detail ? decode_size(x->abi, a->t.detail) : 0;
	unsigned int i = (unsigned int)(a - c->args);

	/* A size the call rewrote says how much it wrote: getsockname's
	 * [128 => 2] for an unnamed AF_UNIX socket's {sa_family=AF_UNIX}. */
	for (unsigned int j = 0; j < c->nargs; j++) {
		const struct arg *s = &c->args[j];

		if (j != i && s->t.ref == (int)i && s->t.kind == SCR_ARG_INOUT &&
		    s->form == ARG_BLOB && o->out[j] && o->outlen[j] == 4 &&
		    get_le(o->out[j], 4) < len)
			len = get_le(o->out[j], 4);
	}
	if (c->ret.kind != SCR_ARG_COUNT || a->t.kind != SCR_ARG_OUT ||
	    a->t.ref < 0 || (unsigned int)a->t.ref >= c->nargs ||
	    c->args[a->t.ref].t.kind != SCR_ARG_COUNT || !size)
		return len;
	if (r <= 0)
		return 0;
	if ((unsigned long)r < len / size)
		len = (size_t)r * size;
	return len;
}

/*
 * The timeout of select, pselect6 and ppoll: the kernel writes the time
 * left into it (so it is where the call writes, and no raw address is
 * taken for it), but strace shows it as passed; ppoll's time left
 * follows its result.
 */
static int timeout_as_passed(const struct call *c, const struct argtype *t)
{
	static const char *const calls[] = {
		"select", "pselect6", "pselect6_time32", "ppoll",
		"ppoll_time32", NULL
	};

	if (t->kind != SCR_ARG_INOUT || !t->name ||
	    (strcmp(t->name, "tsp") && strcmp(t->name, "tvp")))
		return 0;
	for (size_t k = 0; calls[k]; k++)
		if (!strcmp(c->name, calls[k]))
			return 1;
	return 0;
}

static void emit_strv(struct emit *e, const struct dctx *x,
		      const struct blob *b)
{
	unsigned int w = x->abi->word_size;

	emit_arr_begin(e);
	for (size_t off = 0; off + w <= b->len; off += w) {
		const struct blob *s = NULL;

		for (unsigned int i = 0; i < b->nrel; i++)
			if (b->rel[i].off == off)
				s = b->rel[i].to;
		if (!s)
			break;	/* the NULL at the end */
		emit_str(e, s->data, s->len ? s->len - 1 : 0);
	}
	emit_arr_end(e);
}

/* An array (its count in another argument, or more than one element)
 * is shown as one, even of one element; a single struct as itself. */
static size_t elements(const struct dctx *x, const struct call *c,
		       const struct arg *a, size_t len)
{
	size_t size = decode_size(x->abi, a->t.detail);
	int counted = a->t.ref >= 0 && (unsigned int)a->t.ref < c->nargs &&
		      c->args[a->t.ref].t.kind == SCR_ARG_COUNT;

	if (!size || strchr(a->t.detail, '['))
		return 0;
	if (counted || len > size)
		return len / size ? len / size : 1;
	return 0;
}

/* Argument i, after the call (or before it ran, for JSON of a call
 * that could not run: o NULL). */
static void emit_arg(struct emit *e, const struct dctx *x, const struct call *c,
		     const struct outcome *o, unsigned int i)
{
	const struct arg *a = &c->args[i];
	const struct argtype *t = &a->t;
	int ok = o && !o->ret.sr_error && !o->ended;
	const char *type = t->detail;

	switch (a->form) {
	case ARG_INT:
		if (o)
			emit_value(e, x, t, o->argv[i]);
		else if (arg_known(a))
			emit_value(e, x, t, expr_value(&a->expr));
		else
			emit_sym(e, a->text);
		return;
	case ARG_STR:
		emit_str(e, a->blob->data, a->blob->len ? a->blob->len - 1 : 0);
		return;
	case ARG_BYTES:
		emit_str(e, a->blob->data, a->blob->len);
		return;
	case ARG_BLOB:
		if (t->kind == SCR_ARG_STRV) {
			emit_strv(e, x, a->blob);
		} else if (type && timeout_as_passed(c, t)) {
			decode_print(e, x, type, a->blob->data, a->blob->len,
				     elements(x, c, a, a->blob->len));
		} else if (ok && o->out[i] && type && !e->json &&
			   t->kind == SCR_ARG_INOUT && !strcmp(type, "int") &&
			   a->blob->len == sizeof(int) &&
			   o->outlen[i] == sizeof(int) &&
			   memcmp(a->blob->data, o->out[i], sizeof(int))) {
			int in, out;	/* strace's socklen: [110 => 16] */
			char buf[64];

			memcpy(&in, a->blob->data, sizeof(in));
			memcpy(&out, o->out[i], sizeof(out));
			snprintf(buf, sizeof(buf), "[%d => %d]", in, out);
			emit_sym(e, buf);
		} else if (ok && o->out[i] && type && !e->json &&
			   t->kind == SCR_ARG_INOUT && !strcmp(type, "loff_t") &&
			   a->blob->len == 8 && o->outlen[i] == 8) {
			/* An offset: sendfile's [2] => [7] when it moved;
			 * splice's and copy_file_range's as they went in. */
			long long in = (long long)get_le(a->blob->data, 8);
			long long out = (long long)get_le(o->out[i], 8);
			char buf[64];

			if (in != out && !strncmp(c->name, "sendfile", 8))
				snprintf(buf, sizeof(buf), "[%lld] => [%lld]",
					 in, out);
			else
				snprintf(buf, sizeof(buf), "[%lld]", in);
			emit_sym(e, buf);
		} else if (ok && o->out[i] && type) {
			decode_print(e, x, type, o->out[i], o->outlen[i],
				     elements(x, c, a, o->outlen[i]));
		} else if (type) {
			decode_print(e, x, type, a->blob->data, a->blob->len,
				     elements(x, c, a, a->blob->len));
		} else {
			emit_str(e, a->blob->data, a->blob->len);
		}
		return;
	case ARG_INTPTR:
		if (ok && o->out[i] && o->outlen[i] == sizeof(int)) {
			int v;

			memcpy(&v, o->out[i], sizeof(v));
			emit_arr_begin(e);
			emit_int(e, v);
			emit_arr_end(e);
		} else {
			emit_sym(e, a->text);
		}
		return;
	case ARG_BUF:
	case ARG_OUT:
		if (!ok || !o->out[i]) {
			emit_sym(e, a->text);
		} else if (type && decode_size(x->abi, type)) {
			size_t len = filled_len(x, c, o, a, o->outlen[i]);

			decode_print(e, x, type, o->out[i], len,
				     elements(x, c, a, len));
		} else if (type && decode_struct(type)) {
			/* As long as the call says (a CPU mask). */
			decode_print(e, x, type, o->out[i],
				     shown_len(c, o, o->outlen[i]), 0);
		} else if (a->t.detail && !strcmp(a->t.detail, "hex")) {
			emit_str_hex(e, o->out[i],
				     shown_len(c, o, o->outlen[i]));
		} else {
			emit_str(e, o->out[i], shown_len(c, o, o->outlen[i]));
		}
		return;
	}
}

static void print_args_text(FILE *f, const struct call *c,
			    const struct outcome *o, const struct dctx *x)
{
	struct emit e;

	emit_init(&e, f, 0);
	for (unsigned int i = 0; i < c->nargs; i++)
		emit_arg(&e, x, c, o, i);
}

/* ---- return values ------------------------------------------------------ */

static void print_ret_text(FILE *f, const struct call *c,
			   const struct outcome *o, const struct dctx *x)
{
	long r = o->ret.sr_retval[0];
	const struct callhook *h;
	const char *name;
	char buf[1024];

	if (o->ret.sr_error) {
		name = errno_name(o->ret.sr_error);
		if (name)
			fprintf(f, " = -1 %s (%s)\n", name,
				strerror(o->ret.sr_error));
		else
			fprintf(f, " = -1 errno %d (%s)\n", o->ret.sr_error,
				strerror(o->ret.sr_error));
		return;
	}
	switch (c->ret.kind) {
	case SCR_ARG_ADDR:
		fprintf(f, " = %#lx\n", (unsigned long)r);
		return;
	case SCR_ARG_FLAGS:
		sym_format(x->abi, c->ret.detail, (unsigned long)r, buf,
			   sizeof(buf));
		if (!strcmp(buf, "0"))
			break;	/* strace: "= 0", not "= 0 (flags 0)" */
		fprintf(f, " = %#lx (flags %s)\n", (unsigned long)r, buf);
		return;
	case SCR_ARG_ENUM:
		name = sym_name(x->abi, c->ret.detail, (unsigned long)r);
		if (name) {
			fprintf(f, " = %ld (%s)\n", r, name);
			return;
		}
		break;
	case SCR_ARG_MODE:	/* umask's: strace's "= 022" */
		fprintf(f, " = %#03lo\n", (unsigned long)r);
		return;
	}
	fprintf(f, " = %ld", r);
	h = decode_hook(c->name);
	if (h && h->result)
		h->result(f, x, c->name, r, o->argv, o->out, o->outlen);
	fputc('\n', f);
}

/* strace's last line for a process that is gone. */
static void print_end_text(FILE *f, int status)
{
	if (WIFEXITED(status)) {
		fprintf(f, "+++ exited with %d +++\n", WEXITSTATUS(status));
	} else if (WIFSIGNALED(status)) {
		const char *name = signal_name(WTERMSIG(status));

		if (name)
			fprintf(f, "+++ killed by %s%s +++\n", name,
				WCOREDUMP(status) ? " (core dumped)" : "");
		else
			fprintf(f, "+++ killed by signal %d%s +++\n",
				WTERMSIG(status),
				WCOREDUMP(status) ? " (core dumped)" : "");
	} else {
		fprintf(f, "+++ ended (wait status %#x) +++\n",
			(unsigned int)status);
	}
}

void print_text(FILE *f, const struct call *c, const struct outcome *o,
		const struct dctx *x)
{
	fprintf(f, "%s(", c->name);
	print_args_text(f, c, o, x);
	fputc(')', f);
	if (o->ended) {
		fputs(" = ?\n", f);
		print_end_text(f, o->wstatus);
		return;
	}
	print_ret_text(f, c, o, x);
}

/* ---- JSON --------------------------------------------------------------- */

/* The text form of argument i, as a JSON string. */
static void json_arg_text(FILE *f, const struct dctx *x, const struct call *c,
			  const struct outcome *o, unsigned int i)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	struct emit e;

	if (!m) {
		fputs("null", f);
		return;
	}
	emit_init(&e, m, 0);
	emit_arg(&e, x, c, o, i);
	fclose(m);
	fmt_json_string(f, (unsigned char *)buf, len);
	free(buf);
}

/* Pointed data, decoded: "decoded" in the argument's object. */
static int has_decoded(const struct call *c, const struct outcome *o,
		       unsigned int i)
{
	const struct arg *a = &c->args[i];

	if (a->form == ARG_INT)
		return 0;
	if (a->form == ARG_BUF || a->form == ARG_OUT || a->form == ARG_INTPTR)
		return o && !o->ret.sr_error && !o->ended && o->out[i];
	return 1;
}

static void print_json_args(FILE *f, const struct call *c,
			    const struct outcome *o, const struct dctx *x)
{
	fputs(",\"args\":[", f);
	for (unsigned int i = 0; i < c->nargs; i++) {
		const struct arg *a = &c->args[i];

		fprintf(f, "%s{\"name\":", i ? "," : "");
		json_cstr(f, a->t.name);
		long left = x->left ? *x->left : 0;

		fputs(",\"text\":", f);
		json_arg_text(f, x, c, o, i);
		if (x->left)	/* "decoded" shows the same bytes again */
			*x->left = left;
		fputs(",\"input\":", f);
		json_cstr(f, a->text);
		if (o)
			fprintf(f, ",\"value\":%ld", (long)o->argv[i]);
		else if (a->form == ARG_INT && arg_known(a))
			fprintf(f, ",\"value\":%ld", (long)expr_value(&a->expr));
		if (has_decoded(c, o, i)) {
			struct emit e;

			fputs(",\"decoded\":", f);
			emit_init(&e, f, 1);
			emit_arg(&e, x, c, o, i);
		}
		fputc('}', f);
	}
	fputc(']', f);
}

/* buf(N) and int(N) read back, as before the decoders: kept for the
 * scripts that read them. */
static void print_json_buffers(FILE *f, const struct call *c,
			       const struct outcome *o)
{
	int first = 1;

	fputs(",\"buffers\":[", f);
	for (unsigned int i = 0; i < c->nargs; i++) {
		const struct arg *a = &c->args[i];
		size_t len;

		if (!o->out[i] || (a->form != ARG_BUF && a->form != ARG_INTPTR &&
				   a->form != ARG_OUT) ||
		    (a->form == ARG_OUT && a->t.detail))
			continue;	/* structs are in "decoded" */
		fprintf(f, "%s{\"arg\":%u", first ? "" : ",", i);
		first = 0;
		if (a->form == ARG_INTPTR) {
			int v;

			memcpy(&v, o->out[i], sizeof(v));
			fprintf(f, ",\"int\":%d}", v);
			continue;
		}
		len = a->t.detail && a->form == ARG_OUT ? o->outlen[i] :
		      shown_len(c, o, o->outlen[i]);
		fprintf(f, ",\"len\":%zu,\"data\":", len);
		fmt_json_string(f, o->out[i], len);
		fputs(",\"hex\":\"", f);
		for (size_t j = 0; j < len; j++)
			fprintf(f, "%02x", o->out[i][j]);
		fputs("\"}", f);
	}
	fputc(']', f);
}

static void print_json_end(FILE *f, int status)
{
	fputs(",\"ended\":{", f);
	if (WIFEXITED(status)) {
		fprintf(f, "\"exited\":%d", WEXITSTATUS(status));
	} else if (WIFSIGNALED(status)) {
		fprintf(f, "\"signal\":%d,\"signame\":", WTERMSIG(status));
		json_cstr(f, signal_name(WTERMSIG(status)));
		fprintf(f, ",\"core\":%s", WCOREDUMP(status) ? "true" : "false");
	} else {
		fprintf(f, "\"wait_status\":%d", status);
	}
	fputc('}', f);
}

static void print_json_head(FILE *f, const struct call *c)
{
	fprintf(f, "{\"call\":%u,\"syscall\":", c->index);
	json_cstr(f, c->name);
	fprintf(f, ",\"nr\":%ld", c->nr);
}

static void print_json_ret(FILE *f, const struct call *c,
			   const struct outcome *o, const struct dctx *x)
{
	long r = o->ret.sr_retval[0];
	char buf[1024];
	const char *name;

	if (c->ret.kind == SCR_ARG_FLAGS) {
		sym_format(x->abi, c->ret.detail, (unsigned long)r, buf,
			   sizeof(buf));
		fputs(",\"retval_text\":", f);
		json_cstr(f, buf);
	} else if (c->ret.kind == SCR_ARG_ENUM &&
		   (name = sym_name(x->abi, c->ret.detail, (unsigned long)r))) {
		fputs(",\"retval_text\":", f);
		json_cstr(f, name);
	}
}

void print_json(FILE *f, const struct call *c, const struct outcome *o,
		const struct dctx *x)
{
	int err = o->ret.sr_error;

	print_json_head(f, c);
	print_json_args(f, c, o, x);
	if (o->ended) {
		fputs(",\"executed\":true,\"retval\":null,\"errno\":null,"
		      "\"errname\":null,\"strerror\":null", f);
		print_json_end(f, o->wstatus);
		fputs(",\"buffers\":[]}\n", f);
		return;
	}
	fprintf(f, ",\"executed\":true,\"retval\":%ld,\"errno\":%d,"
		"\"errname\":", err ? -1L : o->ret.sr_retval[0], err);
	json_cstr(f, errno_name(err));
	fputs(",\"strerror\":", f);
	json_cstr(f, err ? strerror(err) : NULL);
	if (!err)
		print_json_ret(f, c, o, x);
	print_json_buffers(f, c, o);
	if (o->new_exe) {
		fputs(",\"new_program\":", f);
		json_cstr(f, o->new_exe);
	}
	fputs("}\n", f);
}

void print_json_unrun(FILE *f, const struct call *c, int err,
		      const char *message, const struct dctx *x)
{
	print_json_head(f, c);
	print_json_args(f, c, NULL, x);
	fputs(",\"executed\":false,\"error\":", f);
	json_cstr(f, errno_name(-err));
	fputs(",\"strerror\":", f);
	json_cstr(f, strerror(-err));
	fputs(",\"message\":", f);
	json_cstr(f, message);
	fputs("}\n", f);
}

void print_json_error(FILE *f, const char *kind, const char *message,
		      const char *extra)
{
	fputs("{\"error\":", f);
	json_cstr(f, kind);
	fputs(",\"message\":", f);
	json_cstr(f, message);
	if (extra)
		fputs(extra, f);
	fputs("}\n", f);
	fflush(f);
}
