/*
 * What every verb shares: its common options, the processes it acts on
 * (one at a time: attached, acted on and released before the next), the
 * calls it makes in them (shown strace-style under -v, only shown under
 * --dry-run), and its output ("[pid N] " prefixes when there are several
 * processes, one JSON object per process with --json).
 */
#ifndef CLI_TARGET_H
#define CLI_TARGET_H

#include <limits.h>
#include <stdio.h>
#include <sys/types.h>

#include "pids.h"
#include "scremote.h"
#include "util.h"

/* Exit statuses, as for the system call form. */
#define VEXIT_OK 0
#define VEXIT_FAILED 1		/* an action failed or was refused */
#define VEXIT_USAGE 2		/* bad input: nothing was done */
#define VEXIT_NORUN 3		/* could not attach, or a call could not run */

/* Options every verb takes. */
struct vopts {
	int verbose;		/* -v: the calls made, on stderr */
	int json;		/* --json: one object per process */
	int dry_run;		/* --dry-run: show the calls, attach nothing */
	int stop_on_error;	/* --stop-on-error: skip the processes left */
	unsigned int attach_flags;	/* --no-seccomp-check */
	int timeout_ms;		/* --timeout */
	const char *pgrep, *pidof;
};

/* An option of one verb: "--undo", or "--mode" taking a value. */
struct vopt {
	const char *name;
	int takes_value;
	int id;
};

struct vparse {
	const char *verb;
	const char *usage;		/* the verb's --help text */
	const struct vopt *opts;	/* ends with a NULL name; or NULL */
	/* Takes one of opts; 0, or -1 after saying why. */
	int (*set)(void *data, int id, const char *value);
	void *data;
};

/*
 * Parses a verb's words (argv[0] is the verb): options anywhere, "--"
 * ends them.  The other words are left, in order, in pos[0..*npos).
 * Returns 0; 1 when --help was printed; or -1 after saying what is wrong.
 */
int verb_options(int argc, char **argv, const struct vparse *vp,
		 struct vopts *o, char **pos, int *npos);

/*
 * The processes: from --pgrep/--pidof, or else the first word of pos,
 * which is then taken off.  0, or an exit status after saying why.
 */
int verb_pids(const struct vopts *o, const char *verb, char **pos,
	      int *npos, struct pidlist *l);

/*
 * Both of the above, as every verb begins: returns the words left after
 * the options and the processes (*npos of them; the caller frees the
 * array, and l), or NULL with *rc the exit status (0 after --help).
 */
char **verb_args(int argc, char **argv, const struct vparse *vp,
		 struct vopts *o, int *npos, struct pidlist *l, int *rc);

/* "3" or "1,2": descriptor numbers, each once, at most max.  0, or -1
 * after saying why. */
int parse_fds(const char *verb, const char *text, int *fds, size_t max,
	      size_t *n);

/* "scremote: VERB: ..." on stderr, for bad input before any process. */
void verb_complain(const char *verb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* One process being acted on. */
struct target {
	pid_t pid;
	const struct vopts *o;
	int multi;		/* several processes: prefix the output */
	struct scr_proc *p;	/* attached, or NULL */
	int pidfd;
	int abi;
	int status;		/* worst exit status for this process */
	unsigned int ncalls;	/* calls shown: $N of a dry run */
	FILE *json;		/* the verb's JSON fields (",\"k\":v") */
	char *json_buf;
	size_t json_len;
	struct sb calls;	/* JSON items: the calls, with -v or a dry run */
	struct sb errors;	/* JSON items: what went wrong */
	char vbuf[4][24];	/* t_val's answers */
	unsigned int vnext;
};

/*
 * Runs act on each process in turn (one that does not exist is reported
 * and skipped).  act attaches (t_attach) only when
 * it must; whatever it leaves attached is released before the next
 * process is touched.  A failure does not skip the others unless
 * --stop-on-error.  Returns the worst exit status.
 */
int verb_each(const struct vopts *o, const struct pidlist *l,
	      int (*act)(struct target *t, void *data), void *data);

/* Attach (nothing in a dry run).  0, or VEXIT_NORUN after saying why. */
int t_attach(struct target *t);
/* Release; 0, or VEXIT_NORUN after saying why. */
int t_detach(struct target *t);

/* The number of system call name in the attached process's ABI, or -1. */
long t_nr(const struct target *t, const char *name);

/* What t_call returns for a call that was not executed (explained on
 * stderr, t->status raised to VEXIT_NORUN). */
#define T_UNRUN LONG_MIN

/*
 * Runs system call name in the main thread and returns its result, or
 * -errno when it failed, or T_UNRUN.  fmt and what follows make the
 * argument text shown under -v: "%d, %s" gives "dup3(5, 1, 0)".
 * In a dry run nothing runs: the line is printed on stdout and the
 * result is a stand-in that t_val shows as $N (N: the call's number).
 */
long t_call(struct target *t, const char *name, const unsigned long *args,
	    unsigned int nargs, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

/* Shows a call made some other way (a batch): the text, then its
 * outcome (ret, or status < 0: not executed). */
void t_show(struct target *t, const char *text,
	    const struct ptrace_sc_ret *ret, int status);

/* Shows an operation scremote makes itself, outside the target
 * ("(local) open(...)"): result >= 0, or -errno.  Returns result, or in
 * a dry run (where nothing was done) a stand-in as t_call does. */
long t_local(struct target *t, long result, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* A result as shown in later calls: "5", or "$2" in a dry run. */
const char *t_val(struct target *t, long v);
int t_is_standin(long v);

/* Scratch memory in the target (a dry run places nothing: address 0). */
int t_push(struct target *t, const void *data, size_t len,
	   unsigned long *addr);

/* A line on stdout, prefixed "[pid N] " when there are several; not in
 * --json mode. */
void t_out(struct target *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* "scremote: [pid N] ..." on stderr; recorded for --json too.  Raises
 * t->status to status. */
void t_err(struct target *t, int status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Bytes of the target (names, paths) for a text line: printable ASCII
 * as it is, everything else \xNN. */
void put_safe(FILE *f, const char *s);
/* The same into a string buffer. */
void sb_add_safe(struct sb *b, const char *s);
/* s as a C string literal, escaped as strace does, in a new string:
 * what a path argument looks like in a call shown. */
char *c_string(const char *s);

/* A JSON string of s (any bytes). */
void put_json_str(FILE *f, const char *s);

/* "1.5 MiB" into buf. */
const char *human_size(unsigned long long bytes, char *buf, size_t size);

/* Does process pid see the same file system tree as scremote (mount
 * namespace and root)?  Then a path can be checked here first. */
int same_fs_view(pid_t pid);

/* Makes a path the user typed absolute, against scremote's own working
 * directory (what it means at the user's shell), as a new string. */
char *absolute_path(const char *path);

#endif
