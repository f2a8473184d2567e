/*
 * Executes calls through the session API in chunks (run.h).  Pointer
 * arguments are placed in the session's scratch area, reset before
 * every chunk (results of earlier calls are values, never pointers into
 * it).
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "format.h"
#include "run.h"
#include "util.h"

static void say(const struct run_opts *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void say(const struct run_opts *o, const char *fmt, ...)
{
	FILE *f = o->err ? o->err : stderr;
	va_list ap;

	fputs("scremote: ", f);
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	fputc('\n', f);
}

/* ---- placing data ------------------------------------------------------- */

/* Copies b (and first what it points to) into the target; b->addr is
 * its address there. */
static int place_blob(struct scr_proc *p, const struct sys_abi *abi,
		      struct blob *b, unsigned int depth)
{
	unsigned char *data;
	int r;

	if (depth > LEX_MAX_DEPTH + 2)
		return -EINVAL;
	for (unsigned int i = 0; i < b->nrel; i++) {
		r = place_blob(p, abi, b->rel[i].to, depth + 1);
		if (r < 0)
			return r;
	}
	if (!b->nrel)
		return scr_push(p, b->data, b->len ? b->len : 1, &b->addr);
	data = malloc(b->len);
	if (!data)
		return -ENOMEM;
	/* Our copy gets the addresses too, so that what is shown after
	 * the call points where the target's copy does. */
	for (unsigned int i = 0; i < b->nrel; i++) {
		unsigned long a = b->rel[i].to->addr;

		for (unsigned int k = 0; k < abi->word_size; k++)
			b->data[b->rel[i].off + k] = (unsigned char)(a >> (8 * k));
	}
	memcpy(data, b->data, b->len);
	r = scr_push(p, data, b->len, &b->addr);
	free(data);
	return r;
}

/* Zeroed, so what is shown afterwards is what the call wrote (or 0). */
static int place_zeroes(struct scr_proc *p, size_t len, unsigned long *addr)
{
	void *z = calloc(1, len ? len : 1);
	int r;

	if (!z)
		return -ENOMEM;
	r = scr_push(p, z, len ? len : 1, addr);
	free(z);
	return r;
}

/* The value of argument i (a pointer once its data is placed).  A plain
 * $N of the same chunk goes to the batch as a reference. */
static int materialize(struct runner *r, const struct call *c, size_t first,
		       struct scr_call *sc, unsigned long *argv)
{
	const struct sys_abi *abi = r->o->abi;

	for (unsigned int i = 0; i < c->nargs; i++) {
		struct arg *a = (struct arg *)&c->args[i];
		unsigned long *v = &sc->args[i];
		unsigned long ref;
		int e = 0;

		switch (a->form) {
		case ARG_INT:
			ref = expr_plain_ref(&a->expr);
			if (ref && ref > first) {
				*v = ref - first - 1;
				sc->ref_mask |= 1u << i;
			} else {
				*v = expr_eval(&a->expr, r->results);
			}
			break;
		case ARG_STR:
		case ARG_BYTES:
		case ARG_BLOB:
			e = place_blob(r->p, abi, a->blob, 0);
			*v = a->blob->addr;
			break;
		case ARG_BUF:
		case ARG_OUT:
			e = place_zeroes(r->p, a->size, v);
			break;
		case ARG_INTPTR:
			e = scr_push(r->p, &a->ival, sizeof(a->ival), v);
			break;
		}
		if (e == -EINTR && *r->o->stop)
			return e;	/* the caller reports the signal */
		if (e < 0) {
			say(r->o, "%s: cannot place argument %u (%s) in the "
			    "target's memory: %s", c->name, i + 1, a->text,
			    strerror(-e));
			return e;
		}
		argv[i] = *v;
	}
	sc->nr = c->nr;
	sc->nargs = c->nargs;
	return 0;
}

static size_t data_bytes(const struct blob *b)
{
	size_t n = b ? b->len : 0;

	for (unsigned int i = 0; b && i < b->nrel; i++)
		n += data_bytes(b->rel[i].to);
	return n;
}

static size_t call_bytes(const struct call *c)
{
	size_t n = 0;

	for (unsigned int i = 0; i < c->nargs; i++)
		n += c->args[i].size + data_bytes(c->args[i].blob) + 16;
	return n;
}

/* ---- reading back --------------------------------------------------------- */

struct readctx {
	struct scr_proc *p;
	const struct call *c;
	int alive;	/* the process still has the memory we placed */
};

static const struct blob *find_blob(const struct blob *b, unsigned long addr)
{
	if (!b)
		return NULL;
	if (b->addr && addr >= b->addr && addr < b->addr + b->len)
		return b;
	for (unsigned int i = 0; i < b->nrel; i++) {
		const struct blob *f = find_blob(b->rel[i].to, addr);

		if (f)
			return f;
	}
	return NULL;
}

/* What a pointer refers to: our own copy of what we placed, else the
 * target's memory (bounded by the caller). */
static long read_mem(void *opaque, unsigned long addr, void *buf, size_t len)
{
	struct readctx *rc = opaque;
	ssize_t n;

	if (!rc->alive) {
		for (unsigned int i = 0; i < rc->c->nargs; i++) {
			const struct blob *b = find_blob(rc->c->args[i].blob, addr);

			if (b) {
				size_t off = addr - b->addr;
				size_t m = b->len - off < len ? b->len - off : len;

				memcpy(buf, b->data + off, m);
				return (long)m;
			}
		}
		return -1;
	}
	n = scr_read(rc->p, addr, buf, len);
	return n < 0 ? -1 : (long)n;
}

static void read_back(struct scr_proc *p, const struct call *c,
		      struct outcome *o)
{
	for (unsigned int i = 0; i < c->nargs; i++) {
		const struct arg *a = &c->args[i];
		size_t want;
		unsigned char *b;
		ssize_t got;

		switch (a->form) {
		case ARG_INTPTR:
			want = sizeof(int);
			break;
		case ARG_BUF:
		case ARG_OUT:
			want = a->size;
			break;
		case ARG_BLOB:
			if (a->t.kind != SCR_ARG_INOUT)
				continue;
			want = a->blob->len;
			break;
		default:
			continue;
		}
		b = malloc(want ? want : 1);
		if (!b)
			continue;
		got = want ? scr_read(p, o->argv[i], b, want) : 0;
		if (got < 0) {
			free(b);
			continue;
		}
		o->out[i] = b;
		o->outlen[i] = (size_t)got;
	}
}

/* ---- explaining what did not run ------------------------------------------- */

/* The seccomp mode of the thread (Seccomp: in /proc), or -1. */
static int seccomp_mode(pid_t pid, pid_t tid)
{
	char path[96], line[128];
	int mode = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/status", (int)pid,
		 (int)(tid ? tid : pid));
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, "Seccomp:", 8) == 0) {
			mode = atoi(line + 8);
			break;
		}
	fclose(f);
	return mode;
}

static int is_exec(const struct call *c)
{
	return strcmp(c->name, "execve") == 0 ||
	       strcmp(c->name, "execveat") == 0;
}

static void explain_seccomp(const struct call *c, int err,
			    const struct run_opts *o, char *m, size_t size)
{
	int strict = seccomp_mode(o->pid, o->tid) == 1;

	if (err == -EPERM && strict)
		snprintf(m, size, "%s refused: process %d is in seccomp strict "
			 "mode, in which this call would kill it (only read, "
			 "write, exit and sigreturn are allowed).  It was not "
			 "run; the process is unchanged", c->name, (int)o->pid);
	else if (err == -EPERM)
		snprintf(m, size, "%s refused: the seccomp filter of process %d "
			 "answers this call (with these arguments) by killing "
			 "it, raising SIGSYS or suspending it for a supervisor."
			 "  It was not run; the process is unchanged.  Its own "
			 "policy forbids the call: choose one the filter allows",
			 c->name, (int)o->pid);
	else
		snprintf(m, size, "%s refused: process %d has seccomp filters, "
			 "and reading them to check that this call is safe needs "
			 "CAP_SYS_ADMIN, which scremote lacks; a filter could "
			 "kill the process for this call.  Run scremote as root "
			 "(or with CAP_SYS_ADMIN), or pass --no-seccomp-check to "
			 "run it unchecked at the process's risk.  Nothing was "
			 "run", c->name, (int)o->pid);
}

/* EBUSY has two causes, and retrying helps with neither as such. */
static void explain_busy(struct scr_proc *p, const struct call *c,
			 const struct run_opts *o, char *m, size_t size)
{
	pid_t tids[2];
	int nthreads = scr_threads(p, tids, 2);
	pid_t tid = o->tid ? o->tid : o->pid;

	if (is_exec(c) && nthreads > 1)
		snprintf(m, size, "%s not run: process %d has other threads, "
			 "and the kernel would wait for ever for them to die "
			 "while scremote keeps them stopped.  execve can only "
			 "be run in a single-threaded process; the process is "
			 "unchanged", c->name, (int)o->pid);
	else
		snprintf(m, size, "%s not run: thread %d is stopped inside a "
			 "system call the kernel will resume (restart_syscall: "
			 "an interrupted sleep or wait with a timeout), and %s "
			 "would overwrite the state that call resumes from.  The "
			 "thread is unchanged; run %s in another thread (-t TID,"
			 " see /proc/%d/task), or once the thread has left that "
			 "call", c->name, (int)tid, c->name, c->name, (int)o->pid);
}

static void explain_unrun(struct scr_proc *p, const struct call *c, int err,
			  const struct run_opts *o, char *m, size_t size)
{
	m[0] = '\0';
	switch (err) {
	case -EINTR:
		if (*o->stop)
			snprintf(m, size, "%s was interrupted by signal %d; the "
				 "target is unchanged", c->name, (int)*o->stop);
		else
			snprintf(m, size, "%s was interrupted; the target is "
				 "unchanged", c->name);
		break;
	case -ETIMEDOUT:
		snprintf(m, size, "%s did not complete in time and was "
			 "interrupted; the target is unchanged.  It may be "
			 "waiting for something another (stopped) thread holds;"
			 " raise --timeout or pick the thread with -t", c->name);
		break;
	case -EBUSY:
		explain_busy(p, c, o, m, size);
		break;
	case -EPERM:
	case -EACCES:
		explain_seccomp(c, err, o, m, size);
		break;
	case -ESRCH:
		if (o->tid)
			snprintf(m, size, "%s: thread %d is gone (it exited, or "
				 "is not a thread of process %d)", c->name,
				 (int)o->tid, (int)o->pid);
		else
			snprintf(m, size, "%s: process %d exited during the call",
				 c->name, (int)o->pid);
		break;
	case -ECANCELED:
		snprintf(m, size, "%s not run: an earlier call failed", c->name);
		break;
	case -EREMOTEIO:
		snprintf(m, size, "%s raised a fault signal in the target "
			 "(SIGSEGV, SIGBUS, SIGILL, SIGFPE or SIGSYS: a bad "
			 "address or a call the process forbids itself), and "
			 "was taken back: not executed, the thread restored and "
			 "the signal dropped", c->name);
		break;
	case -EOPNOTSUPP:
		snprintf(m, size, "%s not run: thread %d never returns to user "
			 "mode (an io_uring or io-wq kernel worker); choose "
			 "another thread with -t", c->name,
			 (int)(o->tid ? o->tid : o->pid));
		break;
	default:
		snprintf(m, size, "%s could not be run: %s", c->name,
			 strerror(-err));
	}
}

/* The program the process runs now, from /proc/PID/exe: a path of the
 * target's choosing, bounded here and escaped when shown. */
static char *program_of(pid_t pid)
{
	char path[64], *buf = malloc(PATH_MAX);
	ssize_t n;

	if (!buf)
		return NULL;
	snprintf(path, sizeof(path), "/proc/%d/exe", (int)pid);
	n = readlink(path, buf, PATH_MAX - 1);
	if (n <= 0) {
		free(buf);
		return NULL;
	}
	buf[n] = '\0';
	return buf;
}

static void note_new_program(const struct run_opts *o, const char *exe)
{
	fprintf(stderr, "scremote: process %d now runs a new program", (int)o->pid);
	if (exe) {
		fputs(", ", stderr);
		for (const char *s = exe; *s; s++) {
			unsigned char ch = (unsigned char)*s;

			if (isprint(ch) && ch != '\\')
				fputc(ch, stderr);
			else
				fprintf(stderr, "\\x%02x", ch);
		}
	}
	fputs("; later calls of this run go to it\n", stderr);
}

static void outcome_free(struct outcome *o)
{
	for (unsigned int i = 0; i < CLI_MAX_ARGS; i++)
		free(o->out[i]);
	free(o->new_exe);
}

/* ---- chunks --------------------------------------------------------------- */

void runner_init(struct runner *r, struct scr_proc *p,
		 const struct run_opts *o)
{
	memset(r, 0, sizeof(*r));
	r->p = p;
	r->o = o;
}

static void record(struct runner *r, const struct call *c, long v)
{
	if (c->index > r->cap) {
		size_t cap = r->cap ? r->cap : 64;

		while (cap < c->index)
			cap *= 2;
		r->results = xrealloc(r->results, cap * sizeof(*r->results));
		memset(r->results + r->cap, 0, (cap - r->cap) * sizeof(long));
		r->cap = cap;
	}
	r->results[c->index - 1] = v;
	if (c->index > r->nresults)
		r->nresults = c->index;
}

static void print_outcome(struct runner *r, const struct call *c,
			  const struct outcome *oc, int alive)
{
	const struct run_opts *o = r->o;
	struct readctx rc = { r->p, c, alive };
	long left = oc->ret.sr_retval[0];
	struct dctx x = { o->abi, read_mem, &rc, left,
			  !oc->ret.sr_error && left >= 0 ? &left : NULL };

	if (o->json) {
		print_json(o->out, c, oc, &x);
	} else {
		print_text(o->out, c, oc, &x);
	}
	fflush(o->out);
}

static void report_unrun(struct runner *r, const struct call *c, int err)
{
	const struct run_opts *o = r->o;
	struct readctx rc = { r->p, c, 0 };
	struct dctx x = { o->abi, read_mem, &rc, 0, NULL };
	char m[1024];

	explain_unrun(r->p, c, err, o, m, sizeof(m));
	if (!(err == -EINTR && *o->stop))
		say(o, "%s", m);
	if (o->json) {
		print_json_unrun(o->out, c, err, m, &x);
		fflush(o->out);
	}
}

/* One executed call: read back, print, remember.  Returns the exit
 * status it stops with, or 0. */
static int finish_one(struct runner *r, const struct call *c,
		      struct outcome *oc)
{
	int err = oc->ret.sr_error;

	if (!err)
		read_back(r->p, c, oc);
	if (!err && is_exec(c))
		oc->new_exe = program_of(r->o->pid);
	print_outcome(r, c, oc, !(is_exec(c) && !err));
	if (!err && is_exec(c) && !r->o->json)
		note_new_program(r->o, oc->new_exe);
	record(r, c, oc->ret.sr_retval[0]);
	return err ? 1 : 0;
}

static int run_chunk(struct runner *r)
{
	size_t n = r->n, first = r->chunk[0]->index - 1;
	struct scr_call sc[RUN_CHUNK];
	struct outcome oc[RUN_CHUNK];
	int got, rc = 0, placed_rc = 0;

	memset(sc, 0, sizeof(sc));
	memset(oc, 0, sizeof(oc));
	scr_scratch_reset(r->p);
	for (size_t k = 0; k < n; k++) {
		int e = materialize(r, r->chunk[k], first, &sc[k], oc[k].argv);

		if (e < 0) {
			if (e == -EINTR && *r->o->stop)
				return 128 + *r->o->stop;
			/* Run what came before it, then stop. */
			n = k;
			placed_rc = 3;
			break;
		}
	}
	got = n ? scr_batch(r->p, r->o->tid, sc, n, SCR_BATCH_STOP_ON_ERROR) : 0;
	if (got < 0)
		for (size_t k = 0; k < n; k++)
			sc[k].status = got;
	for (size_t k = 0; k < n && !rc; k++) {
		struct call *c = r->chunk[k];

		if (sc[k].status == 0) {
			oc[k].ret = sc[k].ret;
			for (unsigned int i = 0; i < c->nargs; i++)
				if (sc[k].ref_mask & (1u << i))
					oc[k].argv[i] = (unsigned long)
						sc[sc[k].args[i]].ret.sr_retval[0];
			rc = finish_one(r, c, &oc[k]);
		} else if (sc[k].status == -ECANCELED) {
			break;
		} else if (sc[k].status == -ESRCH &&
			   scr_exit_status(r->p, &oc[k].wstatus) == 0) {
			/* The call, or a signal during it, ended the process:
			 * report it as strace does. */
			oc[k].ended = 1;
			print_outcome(r, c, &oc[k], 0);
			rc = 3;
		} else {
			if (sc[k].status == -EINTR && *r->o->stop)
				rc = 128 + *r->o->stop;
			report_unrun(r, c, sc[k].status);
			if (!rc)
				rc = 3;
		}
	}
	for (size_t k = 0; k < RUN_CHUNK; k++)
		outcome_free(&oc[k]);
	return rc ? rc : placed_rc;
}

static void drop_chunk(struct runner *r)
{
	for (size_t k = 0; k < r->n; k++) {
		call_free(r->chunk[k]);
		free(r->chunk[k]);
	}
	r->n = 0;
	r->bytes = 0;
}

/* Output nobody reads: results of a chunk run now would be lost (the
 * batch runs every call before the first is printed), so stop as the
 * first write would, with SIGPIPE. */
static void check_output(FILE *out)
{
	struct pollfd pfd = { fileno(out), POLLOUT, 0 };

	if (poll(&pfd, 1, 0) == 1 && (pfd.revents & POLLERR))
		raise(SIGPIPE);
}

static int flush(struct runner *r)
{
	int rc;

	if (!r->n || r->rc)
		return r->rc;
	check_output(stdout);	/* where the output goes in the end */
	if (*r->o->stop) {
		r->rc = 128 + *r->o->stop;
		return r->rc;
	}
	rc = run_chunk(r);
	drop_chunk(r);
	if (!rc && *r->o->stop)
		rc = 128 + *r->o->stop;
	r->rc = rc;
	return rc;
}

/* Calls that replace the process's memory or end it, or hand control
 * back to what the kernel saved: alone in their chunk. */
static int runs_alone(const struct call *c)
{
	static const char *const names[] = {
		"execve", "execveat", "exit", "exit_group", "rt_sigreturn",
		"sigreturn", "fork", "vfork", "clone", "clone3", "munmap",
		"mremap", "brk",
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(c->name, names[i]))
			return 1;
	return 0;
}

/* Does c need a value the chunk has not computed yet? */
static int needs_chunk_value(const struct runner *r, const struct call *c)
{
	size_t first;

	if (!r->n)
		return 0;
	first = r->chunk[0]->index;
	for (unsigned int i = 0; i < c->nargs; i++) {
		const struct arg *a = &c->args[i];

		if (a->form == ARG_INT && !expr_plain_ref(&a->expr) &&
		    expr_max_ref(&a->expr) >= first)
			return 1;
	}
	return 0;
}

int runner_add(struct runner *r, struct call *c)
{
	size_t bytes = call_bytes(c);

	if (r->rc) {
		call_free(c);
		free(c);
		return r->rc;
	}
	if (r->n == RUN_CHUNK || (r->n && r->bytes + bytes > RUN_CHUNK_BYTES) ||
	    needs_chunk_value(r, c) || runs_alone(c) ||
	    (r->n && runs_alone(r->chunk[r->n - 1]))) {
		if (flush(r)) {
			call_free(c);
			free(c);
			return r->rc;
		}
	}
	r->chunk[r->n++] = c;
	r->bytes += bytes;
	return 0;
}

int runner_finish(struct runner *r)
{
	return flush(r);
}

void runner_free(struct runner *r)
{
	drop_chunk(r);
	free(r->results);
	r->results = NULL;
}

int run_calls(struct scr_proc *p, struct call *calls, unsigned int n,
	      const struct run_opts *o)
{
	struct runner r;
	int rc = 0;

	runner_init(&r, p, o);
	for (unsigned int i = 0; i < n && !rc; i++) {
		struct call *c = xmalloc(sizeof(*c));

		*c = calls[i];
		memset(&calls[i], 0, sizeof(calls[i]));
		rc = runner_add(&r, c);
	}
	if (!rc)
		rc = runner_finish(&r);
	runner_free(&r);
	return rc;
}
