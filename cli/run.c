/*
 * Executes calls through the session API.  Pointer arguments are placed
 * in the session's scratch area, reset before every call (results of
 * earlier calls are values, never pointers into it).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "format.h"
#include "run.h"

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void say(const char *fmt, ...)
{
	va_list ap;

	fputs("scremote: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* Copy data into the target; returns its address there through *addr. */
static int place(struct scr_proc *p, const void *data, size_t len,
		 unsigned long *addr)
{
	return scr_push(p, data, len, addr);
}

/* Zeroed, so what is shown afterwards is what the call wrote (or 0). */
static int place_zeroes(struct scr_proc *p, size_t len, unsigned long *addr)
{
	void *z = calloc(1, len);
	int r;

	if (!z)
		return -ENOMEM;
	r = place(p, z, len, addr);
	free(z);
	return r;
}

static int materialize(struct scr_proc *p, const struct call *c,
		       const long *results, struct outcome *o)
{
	for (unsigned int i = 0; i < c->nargs; i++) {
		const struct arg *a = &c->args[i];
		unsigned long *v = &o->argv[i];
		int r = 0;

		switch (a->kind) {
		case ARG_INT:
			*v = a->value;
			break;
		case ARG_REF:
			/* The parser checked 1 <= N < this call's number. */
			*v = (unsigned long)results[a->value - 1];
			break;
		case ARG_STR:
		case ARG_BYTES:
			r = place(p, a->data, a->len, v);
			break;
		case ARG_BUF:
			r = place_zeroes(p, a->value, v);
			break;
		case ARG_INTPTR: {
			int x = (int)a->value;

			r = place(p, &x, sizeof(x), v);
			break;
		}
		}
		if (r < 0) {
			say("%s: cannot place argument %u (%s) in the target's "
			    "memory: %s", c->name, i + 1, a->text,
			    strerror(-r));
			return r;
		}
	}
	return 0;
}

/* How many bytes of buf(N) to show: what the call says it produced, for
 * read-like calls, else all N.  The return value comes from the target's
 * kernel but is clamped all the same. */
static size_t shown_len(const struct call *c, const struct outcome *o,
			size_t size)
{
	long r = o->ret.sr_retval[0];

	if (!(sys_flags(c->name) & SYS_RET_LEN))
		return size;
	if (r <= 0)
		return 0;
	return (unsigned long)r < size ? (size_t)r : size;
}

static void read_back(struct scr_proc *p, const struct call *c,
		      struct outcome *o)
{
	for (unsigned int i = 0; i < c->nargs; i++) {
		const struct arg *a = &c->args[i];

		if (a->kind == ARG_INTPTR) {
			int x;

			if (scr_read(p, o->argv[i], &x, sizeof(x)) ==
			    (ssize_t)sizeof(x)) {
				o->outint[i] = x;
				o->have_int[i] = 1;
			}
		} else if (a->kind == ARG_BUF) {
			size_t want = shown_len(c, o, a->value);
			unsigned char *b = malloc(want ? want : 1);
			ssize_t got;

			if (!b)
				continue;
			got = want ? scr_read(p, o->argv[i], b, want) : 0;
			if (got < 0) {
				free(b);
				continue;
			}
			o->out[i] = b;
			o->outlen[i] = (size_t)got;
			if (sys_flags(c->name) & SYS_RET_CSTR)
				o->outlen[i] = strnlen((char *)b, (size_t)got);
		}
	}
}

static void outcome_free(struct outcome *o)
{
	for (unsigned int i = 0; i < CLI_MAX_ARGS; i++)
		free(o->out[i]);
}

static void explain_unrun(const struct call *c, int err, pid_t tid)
{
	switch (err) {
	case -ETIMEDOUT:
		say("%s did not complete in time and was interrupted; the "
		    "target is unchanged.  It may be waiting for something "
		    "another (stopped) thread holds; raise --timeout or pick "
		    "the thread with -t", c->name);
		break;
	case -EBUSY:
		say("%s: the thread is not at a point where a system call can "
		    "be run safely (e.g. in the middle of fork or exec); try "
		    "again", c->name);
		break;
	case -ESRCH:
		if (tid)
			say("%s: thread %d is gone (it exited, or is not part "
			    "of the process)", c->name, (int)tid);
		else
			say("%s: the target exited during the call", c->name);
		break;
	default:
		say("%s could not be run: %s", c->name, strerror(-err));
	}
}

static int run_one(struct scr_proc *p, const struct call *c,
		   unsigned int index, long *results, const struct run_opts *o)
{
	struct outcome oc;
	int r;

	memset(&oc, 0, sizeof(oc));
	scr_scratch_reset(p);
	r = materialize(p, c, results, &oc);
	if (r == 0) {
		r = scr_syscall(p, o->tid, c->nr, oc.argv, c->nargs, &oc.ret);
		if (r < 0)
			explain_unrun(c, r, o->tid);
	}
	if (r < 0) {
		if (o->json)
			print_json_unrun(o->out, index, c, r);
		return 3;
	}
	if (!oc.ret.sr_error)
		read_back(p, c, &oc);
	if (o->json)
		print_json(o->out, index, c, &oc);
	else
		print_text(o->out, c, &oc);
	fflush(o->out);
	results[index - 1] = oc.ret.sr_retval[0];
	outcome_free(&oc);
	return oc.ret.sr_error ? 1 : 0;
}

int run_calls(struct scr_proc *p, struct call *calls, unsigned int n,
	      const struct run_opts *o)
{
	long results[CLI_MAX_CALLS];

	for (unsigned int i = 0; i < n && i < CLI_MAX_CALLS; i++) {
		int rc;

		if (*o->stop)
			return 128 + *o->stop;
		rc = run_one(p, &calls[i], i + 1, results, o);
		if (rc)
			return rc;
	}
	return 0;
}
