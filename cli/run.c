/*
 * Executes calls through the session API.  Pointer arguments are placed
 * in the session's scratch area, reset before every call (results of
 * earlier calls are values, never pointers into it).
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
		       const long *results, struct outcome *o,
		       const struct run_opts *ro)
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
		if (r == -EINTR && *ro->stop)
			return r;	/* the caller reports the signal */
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

static void explain_seccomp(const struct call *c, int err,
			    const struct run_opts *o)
{
	int strict = seccomp_mode(o->pid, o->tid) == 1;

	if (err == -EPERM && strict)
		say("%s refused: process %d is in seccomp strict mode, in "
		    "which this call would kill it (only read, write, exit "
		    "and sigreturn are allowed).  It was not run; the process"
		    " is unchanged", c->name, (int)o->pid);
	else if (err == -EPERM)
		say("%s refused: the seccomp filter of process %d answers "
		    "this call (with these arguments) by killing it, raising "
		    "SIGSYS or suspending it for a supervisor.  It was not "
		    "run; the process is unchanged.  Its own policy forbids "
		    "the call: choose one the filter allows",
		    c->name, (int)o->pid);
	else
		say("%s refused: process %d has seccomp filters, and reading "
		    "them to check that this call is safe needs "
		    "CAP_SYS_ADMIN, which scremote lacks; a filter could kill"
		    " the process for this call.  Run scremote as root (or "
		    "with CAP_SYS_ADMIN), or pass --no-seccomp-check to run "
		    "it unchecked at the process's risk.  Nothing was run",
		    c->name, (int)o->pid);
}

static void explain_unrun(const struct call *c, int err,
			  const struct run_opts *o)
{
	switch (err) {
	case -EINTR:
		if (*o->stop)
			break;	/* the caller reports the signal */
		say("%s was interrupted; the target is unchanged", c->name);
		break;
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
	case -EPERM:
	case -EACCES:
		explain_seccomp(c, err, o);
		break;
	case -ESRCH:
		if (o->tid)
			say("%s: thread %d is gone (it exited, or is not a "
			    "thread of process %d)", c->name, (int)o->tid,
			    (int)o->pid);
		else
			say("%s: process %d exited during the call", c->name,
			    (int)o->pid);
		break;
	default:
		say("%s could not be run: %s", c->name, strerror(-err));
	}
}

static int is_exec(const struct call *c)
{
	return strcmp(c->name, "execve") == 0 ||
	       strcmp(c->name, "execveat") == 0;
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

static void print_outcome(const struct run_opts *o, unsigned int index,
			  const struct call *c, const struct outcome *oc)
{
	if (o->json)
		print_json(o->out, index, c, oc);
	else
		print_text(o->out, c, oc);
	fflush(o->out);
}

static int run_one(struct scr_proc *p, const struct call *c,
		   unsigned int index, long *results, const struct run_opts *o)
{
	struct outcome oc;
	int r;

	memset(&oc, 0, sizeof(oc));
	scr_scratch_reset(p);
	r = materialize(p, c, results, &oc, o);
	if (r == 0) {
		r = scr_syscall(p, o->tid, c->nr, oc.argv, c->nargs, &oc.ret);
		if (r == -ESRCH && scr_exit_status(p, &oc.wstatus) == 0) {
			/* The call, or a signal during it, ended the
			 * process: report it as strace does. */
			oc.ended = 1;
			print_outcome(o, index, c, &oc);
			return 3;
		}
		if (r < 0)
			explain_unrun(c, r, o);
	}
	if (r < 0) {
		if (o->json)
			print_json_unrun(o->out, index, c, r);
		return 3;
	}
	if (!oc.ret.sr_error)
		read_back(p, c, &oc);
	if (!oc.ret.sr_error && is_exec(c))
		oc.new_exe = program_of(o->pid);
	print_outcome(o, index, c, &oc);
	if (!oc.ret.sr_error && is_exec(c) && !o->json)
		note_new_program(o, oc.new_exe);
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
