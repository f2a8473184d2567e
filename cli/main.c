/*
 * scremote(1): run system calls inside a running process.
 *
 *   scremote [OPTIONS] PID SYSCALL [ARG...]
 *   scremote [OPTIONS] PID -e 'CALL' [-e 'CALL'...]
 *   scremote [OPTIONS] PID -f FILE
 *
 * Order of work: parse and check everything, then attach, run the calls,
 * and always detach.  With --json every outcome, errors included, is a
 * JSON object on standard output.  Exit status: 0 ok, 1 a call failed, 2 usage or
 * parse error (nothing attached), 3 could not attach or run, 128+N
 * interrupted by signal N (after releasing the target).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "abi.h"
#include "diag.h"
#include "format.h"
#include "interrupt.h"
#include "list.h"
#include "multi.h"
#include "parse.h"
#include "run.h"
#include "scremote.h"
#include "script.h"
#include "util.h"
#include "verbs.h"

#define EXIT_CALL_FAILED 1
#define EXIT_USAGE 2
#define EXIT_NORUN 3
#define DEFAULT_TIMEOUT_MS 5000
#define MAX_TIMEOUT_MS (24 * 3600 * 1000)

struct opts {
	const char *pid_text;
	char **pid_arg;		/* where pid_text is in argv */
	const char *tid_text;
	const char *timeout_text;
	const char *file;	/* -f FILE */
	int json, list, help, version, no_seccomp_check;
	const char **exprs;	/* -e CALL... */
	unsigned int nexprs;
	char **words;		/* positional form: SYSCALL ARG... */
	size_t nwords;
};

/* --json was given: errors go to stdout as JSON objects too. */
static int json_mode;

static void usage(FILE *f)
{
	fputs(
"usage: scremote [OPTIONS] PID SYSCALL [ARG...]\n"
"       scremote [OPTIONS] PID -e 'CALL' [-e 'CALL'...]\n"
"       scremote [OPTIONS] PID -f FILE\n"
"       scremote --list [PID|ABI] [SYSCALL...]\n"
"       scremote VERB [OPTIONS] PID ...   (the verbs are listed below)\n"
"\n"
"Run system calls inside a running process, as if it had made them.\n"
"The process is stopped for the calls and then left as it was.\n"
"\n"
"  -e CALL        a call in C syntax: 'openat(AT_FDCWD, \"/tmp/x\", O_RDONLY)',\n"
"                 or a line of strace's output; several -e run in order in\n"
"                 one attach; stops at a failure\n"
"  -f FILE        the calls of FILE, one a line (# comments; - for standard\n"
"                 input), all in one attach; stops at a failure\n"
"  -t TID         run the calls in thread TID (default: the main thread)\n"
"  --timeout MS   give up on a call blocked longer than MS ms (default 5000,\n"
"                 0: wait forever); the target is restored unchanged\n"
"  --no-seccomp-check\n"
"                 do not judge calls against the target's seccomp filters\n"
"                 (reading them needs CAP_SYS_ADMIN; without it calls into\n"
"                 a filtered target are refused); a call the filter kills\n"
"                 or traps then kills the target or hits it with SIGSYS\n"
"  --json         one JSON object per call, and per error, on standard output\n"
"  --list         the system calls of the target's ABI (or of x86_64, i386,\n"
"                 aarch64, riscv64), with numbers and arguments\n"
"  PID may be a list, 1234,1240, or --pgrep PATTERN / --pidof NAME: the\n"
"                 calls run in each process in turn, output prefixed\n"
"                 [pid N]; --stop-on-error leaves the rest after a failure\n"
"  -h, --help     this text\n"
"  -V, --version  the versions of scremote and libscremote\n"
"\n"
"Arguments: 42, -1, 0x1f, 0644, 'c'; constants O_WRONLY|O_CREAT, AT_FDCWD,\n"
"SOL_SOCKET... (checked against what the argument takes); expressions with\n"
"| & ^ ~ + - << >> ( ) and $1, $2... (results of earlier calls): $1|O_NONBLOCK;\n"
"\"strings\" with C escapes; structs and arrays as strace shows them:\n"
"{rlim_cur=4096, rlim_max=8192}, [\"/bin/sh\", \"-c\", \"x\", NULL];\n"
"bytes(\"\\x01\\x02\") raw input; buf(N) an N-byte output buffer; int(N) an\n"
"int in/out shown as [N]; NULL.  Wrong numbers of arguments are refused.\n"
"System calls by name, or by number as syscall_231 or #231 (unchecked).\n"
"\n"
"Exit status: 0 success, 1 a call failed, 2 usage error (nothing done),\n"
"3 could not attach or run (also: a call ended the process), 128+N\n"
"interrupted by signal N (the call in flight is broken off and the target\n"
"released first).\n"
"\n"
"Examples:\n"
"  scremote 1234 close 7\n"
"  scremote 1234 -e 'openat(AT_FDCWD, \"/tmp/log\", O_WRONLY|O_CREAT|O_APPEND, 0644)' \\\n"
"                -e 'dup2($1, 1)' -e 'close($1)'\n"
"  scremote 1234 lseek 3 0 SEEK_CUR\n", f);
	verbs_usage(f);
}

/* The message on stderr; with --json, {"error":kind,...} on stdout. */
static void complain_as(const char *kind, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void complain_as(const char *kind, const char *fmt, ...)
{
	char *msg = NULL;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	fprintf(stderr, "scremote: %s\n", msg ? msg : fmt);
	if (json_mode)
		print_json_error(stdout, kind, msg ? msg : fmt, NULL);
	free(msg);
}

#define complain(...) complain_as("usage", __VA_ARGS__)

/* A whole decimal number in [min, max]; no sign, no spaces, no suffix. */
static int parse_uint(const char *s, long min, long max, long *out)
{
	long v = 0;

	if (!*s)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		if (v > (max - (*s - '0')) / 10)
			return -1;
		v = v * 10 + (*s - '0');
	}
	if (v < min)
		return -1;
	*out = v;
	return 0;
}

/* "-t 5", "-t5", "--timeout 5", "--timeout=5": the value, or NULL. */
static const char *opt_value(int argc, char **argv, int *i, const char *opt)
{
	const char *a = argv[*i];
	size_t n = strlen(opt);

	if (a[n] == '=' && a[1] == '-')
		return a + n + 1;
	if (a[n] && a[1] != '-')
		return a + n;
	if (*i + 1 >= argc) {
		complain("option %s needs a value", opt);
		return NULL;
	}
	return argv[++*i];
}

static int is_opt(const char *a, const char *opt)
{
	size_t n = strlen(opt);

	if (strncmp(a, opt, n) != 0)
		return 0;
	if (a[n] == '\0')
		return 1;
	/* Short options take glued values, long ones take "=value". */
	return opt[1] == '-' ? a[n] == '=' : 1;
}

/*
 * Options may come anywhere before the positional system call name;
 * everything after that name is an argument (so "close -1" works).
 */
static int parse_options(int argc, char **argv, struct opts *o)
{
	int dashdash = 0;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!dashdash && strcmp(a, "--") == 0) {
			dashdash = 1;
			continue;
		}
		if (dashdash || a[0] != '-' || a[1] == '\0') {
			if (!o->pid_text) {
				o->pid_text = argv[i];
				o->pid_arg = argv + i;
				continue;
			}
			if (o->nexprs || o->file) {
				complain("unexpected '%s' after %s: write each "
					 "call as -e 'CALL'", argv[i],
					 o->file ? "-f FILE" : "-e");
				return -1;
			}
			if (o->list) {	/* --list [PID|ABI] [SYSCALL...] */
				o->words = argv + i;
				o->nwords = (size_t)(argc - i);
				return 0;
			}
			o->words = argv + i;
			o->nwords = (size_t)(argc - i);
			return 0;
		}
		if (strcmp(a, "--json") == 0) {
			o->json = 1;
		} else if (strcmp(a, "--no-seccomp-check") == 0) {
			o->no_seccomp_check = 1;
		} else if (strcmp(a, "--list") == 0) {
			o->list = 1;
		} else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			o->help = 1;
		} else if (strcmp(a, "-V") == 0 ||
			   strcmp(a, "--version") == 0) {
			o->version = 1;
		} else if (is_opt(a, "-t") || is_opt(a, "--tid")) {
			o->tid_text = opt_value(argc, argv, &i,
						a[1] == '-' ? "--tid" : "-t");
			if (!o->tid_text)
				return -1;
		} else if (is_opt(a, "--timeout")) {
			o->timeout_text = opt_value(argc, argv, &i,
						    "--timeout");
			if (!o->timeout_text)
				return -1;
		} else if (is_opt(a, "-e")) {
			const char *e = opt_value(argc, argv, &i, "-e");

			if (!e)
				return -1;
			o->exprs = xrealloc(o->exprs,
					    (o->nexprs + 1) * sizeof(*o->exprs));
			o->exprs[o->nexprs++] = e;
		} else if (is_opt(a, "-f")) {
			if (o->file) {
				complain("-f given twice: put the calls in one "
					 "file");
				return -1;
			}
			o->file = opt_value(argc, argv, &i, "-f");
			if (!o->file)
				return -1;
		} else {
			complain("unknown option '%s' (see scremote --help)",
				 a);
			return -1;
		}
	}
	return 0;
}

static void print_version(void)
{
	if (json_mode)
		printf("{\"scremote\":\"%s\",\"libscremote\":\"%s\"}\n",
		       SCREMOTE_VERSION, scr_version());
	else
		printf("scremote %s (libscremote %s)\n", SCREMOTE_VERSION,
		       scr_version());
}

/* Shows the parsed text with a caret under the blamed span; with
 * --json, the error as an object too.  where: "-e 2: ", "FILE:12: ". */
static void show_parse_error(const char *where, const char *text,
			     const struct parse_err *e, unsigned int index,
			     unsigned long line)
{
	size_t len = strlen(text), pos = e->pos > len ? len : e->pos;

	fprintf(stderr, "scremote: %s%s\n  ", where, e->msg);
	for (const char *s = text; *s; s++)
		fputc((unsigned char)*s < 0x20 ? ' ' : *s, stderr);
	fputs("\n  ", stderr);
	for (size_t i = 0; i < pos; i++)
		fputc(' ', stderr);
	fputc('^', stderr);
	for (size_t i = 1; i < e->len && pos + i < len; i++)
		fputc('~', stderr);
	fputc('\n', stderr);
	if (json_mode) {
		char *extra = NULL;
		FILE *m;
		size_t size = 0;

		m = open_memstream(&extra, &size);
		if (m) {
			fputs(",\"text\":", m);
			fmt_json_string(m, (const unsigned char *)text, len);
			fprintf(m, ",\"column\":%zu,\"length\":%zu,\"call\":%u",
				pos + 1, e->len, index);
			if (line)
				fprintf(m, ",\"line\":%lu", line);
			fclose(m);
		}
		print_json_error(stdout, "parse", e->msg, extra);
		free(extra);
	}
}

static char *join_words(char *const *w, size_t n)
{
	struct sb b = { 0 };

	for (size_t i = 0; i < n; i++) {
		if (i)
			sb_addc(&b, ' ');
		sb_add(&b, w[i], strlen(w[i]));
	}
	return sb_take(&b);
}

/* The calls of the command line (positional or -e), parsed into a new
 * array of *n. */
static struct call *parse_all(const struct sys_abi *abi, const struct opts *o,
			      unsigned int *n)
{
	struct call *calls = xmalloc((o->nexprs + 1) * sizeof(*calls));
	struct parse_err e;

	*n = 0;
	if (o->nwords) {
		if (parse_words(abi, o->words, o->nwords, &calls[0], &e) < 0) {
			char *text = join_words(o->words, o->nwords);

			show_parse_error("", text, &e, 1, 0);
			free(text);
			free(calls);
			return NULL;
		}
		*n = 1;
		return calls;
	}
	for (unsigned int i = 0; i < o->nexprs; i++) {
		if (parse_call(abi, o->exprs[i], i + 1, &calls[i], &e) < 0) {
			char where[32];

			snprintf(where, sizeof(where), "-e %u: ", i + 1);
			show_parse_error(o->nexprs > 1 ? where : "",
					 o->exprs[i], &e, i + 1, 0);
			while (i--)
				call_free(&calls[i]);
			free(calls);
			return NULL;
		}
	}
	*n = o->nexprs;
	return calls;
}

/* -f FILE: every line checked before anything runs; returns the number
 * of calls, or -1 (said). */
static long check_script(const struct sys_abi *abi, struct script *s)
{
	struct parse_err e;
	struct call c;
	const char *line;
	unsigned int n = 0;

	while ((line = script_next(s))) {
		if (n == UINT_MAX - 1) {
			complain("%s: too many calls (at most %u)", s->name,
				 UINT_MAX - 1);
			return -1;
		}
		if (parse_call(abi, line, n + 1, &c, &e) < 0) {
			char where[64];

			snprintf(where, sizeof(where), "%.40s:%lu: ", s->name,
				 s->line);
			show_parse_error(where, line, &e, n + 1, s->line);
			return -1;
		}
		call_free(&c);
		n++;
	}
	if (errno) {
		complain_as("input", "%s: %s%s", s->name, errno == EILSEQ ? "line " : "",
			 errno == EILSEQ ? "has a NUL byte: not a text file" :
			 strerror(errno));
		return -1;
	}
	if (n == 0) {
		complain("%s has no calls", s->name);
		return -1;
	}
	return n;
}

/* -f FILE, once attached: a line at a time, through the runner. */
static int run_script(struct scr_proc *p, struct script *s,
		      const struct run_opts *ro)
{
	struct runner r;
	struct parse_err e;
	const char *line;
	unsigned int n = 0;
	int rc = 0;

	if (script_rewind(s) < 0) {
		complain_as("input", "%s: %s", s->name, strerror(errno));
		return EXIT_NORUN;
	}
	runner_init(&r, p, ro);
	while (!rc && (line = script_next(s))) {
		struct call *c = xmalloc(sizeof(*c));

		/* Checked already: it parses the same way again. */
		if (parse_call(ro->abi, line, ++n, c, &e) < 0) {
			free(c);
			complain_as("input", "%s changed while it ran (line %lu)",
				    s->name, s->line);
			rc = EXIT_NORUN;
			break;
		}
		rc = runner_add(&r, c);
	}
	if (!rc)
		rc = runner_finish(&r);
	runner_free(&r);
	return rc;
}

/* The ABI of the target decides the names and numbers; when /proc does
 * not tell (no such process, no permission), the attach will fail anyway
 * or the host ABI is the right guess. */
static const struct sys_abi *target_abi(pid_t pid)
{
	const struct sys_abi *abi;
	int r = abi_of_pid(pid, &abi);

	if (r == -ENOEXEC) {
		complain_as("target", "process %d runs a program of an ABI scremote has "
			 "no system call table for (see /proc/%d/exe)",
			 (int)pid, (int)pid);
		return NULL;
	}
	return r < 0 ? abi_default() : abi;
}

/* The process a thread belongs to (Tgid in /proc/TID/status), or -1. */
static long tgid_of(pid_t tid)
{
	char v[32];

	if (proc_status_field(tid, "Tgid", v, sizeof(v)) < 0)
		return -1;
	return strtol(v, NULL, 10);
}

static void complain_not_thread(pid_t pid, pid_t tid)
{
	long owner = tgid_of(tid);

	if (owner > 0 && owner != pid)
		complain_as("target", "-t %d: thread %d is not a thread of process %d (it "
			 "belongs to process %ld; the threads of %d are "
			 "listed in /proc/%d/task)", (int)tid, (int)tid,
			 (int)pid, owner, (int)pid, (int)pid);
	else
		complain_as("target", "-t %d: thread %d is not a thread of process %d (its"
			 " threads are listed in /proc/%d/task)", (int)tid,
			 (int)tid, (int)pid, (int)pid);
}

static int check_tid(pid_t pid, pid_t tid)
{
	char path[64];
	struct stat st;

	snprintf(path, sizeof(path), "/proc/%d/task/%d", (int)pid, (int)tid);
	if (stat(path, &st) == 0)
		return 0;
	if (errno == ENOENT) {
		snprintf(path, sizeof(path), "/proc/%d", (int)pid);
		if (stat(path, &st) < 0)
			complain_as("target", "no process %d (check the PID with ps or "
				 "pgrep)", (int)pid);
		else
			complain_not_thread(pid, tid);
		return -1;
	}
	return 0;	/* cannot tell: let the attach decide */
}

/* After attaching, the session's own list of threads is the truth. */
static int session_has_thread(struct scr_proc *p, pid_t tid)
{
	pid_t tids[4096];
	int n = scr_threads(p, tids, sizeof(tids) / sizeof(tids[0]));

	if (n > (int)(sizeof(tids) / sizeof(tids[0])))
		return 1;	/* too many to list: let the call decide */
	for (int i = 0; i < n; i++)
		if (tids[i] == tid)
			return 1;
	return 0;
}

/*
 * Pins the target: a pidfd refers to this process and no other, even if
 * it dies and its PID is reused before we attach.  Done right after the
 * PID is parsed, before anything slow.  Returns the pidfd, or -1 with
 * errno (ENOSYS: a kernel before 5.3, attach by PID then).
 */
static int pin_target(pid_t pid)
{
	return (int)syscall(SYS_pidfd_open, pid, 0);
}

static void attach_failed(pid_t pid, int err);

static void explain_pin(pid_t pid, int err)
{
	long owner;

	switch (err) {
	case ESRCH:
		attach_failed(pid, -ESRCH);
		break;
	case EINVAL:	/* a thread, not a process (ENOENT on some kernels) */
	case ENOENT:
		owner = tgid_of(pid);
		if (owner > 0 && owner != pid) {
			complain_as("target", "%d is a thread of process %ld, not a "
				 "process: use 'scremote %ld -t %d ...'",
				 (int)pid, owner, owner, (int)pid);
			break;
		}
		/* fall through */
	default:
		complain_as("target", "cannot open a handle on process %d (pidfd_open): %s",
			 (int)pid, strerror(err));
	}
}

/* Why the attach failed (diag.c), on stderr; with --json as an object
 * with the errno too. */
static void attach_failed(pid_t pid, int err)
{
	char *text = NULL, *extra = NULL;
	size_t len = 0, elen = 0;
	FILE *m = open_memstream(&text, &len);

	if (!m) {
		explain_attach(stderr, pid, err);
		return;
	}
	explain_attach(m, pid, err);
	fclose(m);
	fputs(text, stderr);
	if (json_mode) {
		const char *prefix = "scremote: ";
		char *msg = text;

		/* The message without the program's name and last newline. */
		if (!strncmp(msg, prefix, strlen(prefix)))
			msg += strlen(prefix);
		if (len && text[len - 1] == '\n')
			text[len - 1] = '\0';
		m = open_memstream(&extra, &elen);
		if (m) {
			fprintf(m, ",\"pid\":%d,\"errno\":", (int)pid);
			fmt_json_string(m, (const unsigned char *)
					(errno_name(-err) ? errno_name(-err) : "?"),
					strlen(errno_name(-err) ? errno_name(-err) : "?"));
			fclose(m);
		}
		print_json_error(stdout, "attach", msg, extra);
		free(extra);
	}
	free(text);
}

/* Has the pinned process ended?  A pidfd polls readable once it has. */
static int pin_ended(int pidfd)
{
	struct pollfd pfd = { pidfd, POLLIN, 0 };

	return poll(&pfd, 1, 0) == 1;
}

static void explain_attach_pinned(pid_t pid, int pidfd, int err)
{
	char state[64];

	if (err != -ESRCH || pidfd < 0 || !pin_ended(pidfd)) {
		attach_failed(pid, err);
		return;
	}
	if (proc_status_field(pid, "State", state, sizeof(state)) < 0) {
		complain_as("attach", "process %d exited before scremote could attach; "
			 "nothing was done", (int)pid);
		return;
	}
	if (state[0] == 'Z' || state[0] == 'X') {
		attach_failed(pid, err);
		return;
	}
	complain_as("attach", "process %d exited before scremote could attach, and its "
		 "PID now belongs to another process, which was left alone; "
		 "nothing was done", (int)pid);
}

/* Output and messages kept in memory while the process is stopped. */
struct held {
	char *out, *err;
	size_t outlen, errlen;
};

static void hold_output(struct held *h, struct run_opts *ro)
{
	FILE *out, *err;

	memset(h, 0, sizeof(*h));
	out = open_memstream(&h->out, &h->outlen);
	err = out ? open_memstream(&h->err, &h->errlen) : NULL;
	if (!err) {		/* no memory: write as we go */
		if (out)
			fclose(out);
		free(h->out);
		h->out = NULL;
		return;
	}
	ro->out = out;
	ro->err = err;
}

/* Writes what was held, output first: a run stops at the first call
 * that fails, so its message came last. */
static void release_output(struct held *h, struct run_opts *ro)
{
	if (ro->out == stdout)
		return;
	fclose(ro->out);
	fclose(ro->err);
	ro->out = stdout;
	ro->err = NULL;
	fwrite(h->out, 1, h->outlen, stdout);
	fflush(stdout);
	fwrite(h->err, 1, h->errlen, stderr);
	free(h->out);
	free(h->err);
}

/* Attach, run, detach.  Returns the exit status. */
static int attach_and_run(pid_t pid, int pidfd, pid_t tid, int timeout_ms,
			  const struct opts *o, const struct sys_abi *abi,
			  struct call *calls, unsigned int n, struct script *s)
{
	struct run_opts ro = { pid, tid, o->json, stdout, NULL, abi,
			       &cli_stop_sig };
	unsigned int flags = o->no_seccomp_check ?
			     SCR_ATTACH_SECCOMP_UNCHECKED : 0;
	struct held held;
	struct scr_proc *p;
	int rc, r;

	cli_catch_signals(true);
	if (cli_stop_sig)
		return 128 + cli_stop_sig;
	r = pidfd >= 0 ? scr_attach_pidfd(pidfd, flags, &p) :
			 scr_attach(pid, flags, &p);
	if (r < 0) {
		explain_attach_pinned(pid, pidfd, r);
		return cli_stop_sig ? 128 + cli_stop_sig : EXIT_NORUN;
	}
	cli_hold(p);
	/* Calls given on the command line print once the process runs
	 * again: writing (and the reader it wakes) stays out of the stop.
	 * A file of calls streams, chunk by chunk. */
	if (!s)
		hold_output(&held, &ro);
	scr_set_timeout(p, timeout_ms);
	if (tid && !session_has_thread(p, tid)) {
		complain_not_thread(pid, tid);
		rc = EXIT_NORUN;
	} else if (s) {
		rc = run_script(p, s, &ro);
	} else {
		rc = run_calls(p, calls, n, &ro);
	}
	cli_hold(NULL);
	r = scr_detach(p);
	if (!s)
		release_output(&held, &ro);
	if (r < 0 && rc != EXIT_NORUN) {
		if (r == -ESRCH)
			complain_as("detach", "process %d exited before it could be "
				 "released", (int)pid);
		else
			complain_as("detach", "releasing process %d failed: %s", (int)pid,
				 strerror(-r));
		rc = EXIT_NORUN;
	}
	if (cli_stop_sig) {
		complain_as("interrupted", "interrupted by signal %d (%s); process %d released",
			 cli_stop_sig, strsignal(cli_stop_sig), (int)pid);
		rc = 128 + cli_stop_sig;
	}
	return rc;
}
static int validate(const struct opts *o, long *pid, long *tid, long *tmo)
{
	if (!o->pid_text) {
		complain("missing PID (usage: scremote PID SYSCALL [ARG...],"
			 " see --help)");
		return -1;
	}
	if (parse_uint(o->pid_text, 1, INT_MAX, pid) < 0) {
		complain("'%s' is not a process id (a positive number, as "
			 "shown by ps or pgrep)", o->pid_text);
		return -1;
	}
	if (*pid == getpid()) {
		complain("%ld is scremote itself; a process cannot trace "
			 "itself", *pid);
		return -1;
	}
	*tid = 0;
	if (o->tid_text && parse_uint(o->tid_text, 1, INT_MAX, tid) < 0) {
		complain("-t '%s' is not a thread id (see /proc/%ld/task)",
			 o->tid_text, *pid);
		return -1;
	}
	*tmo = DEFAULT_TIMEOUT_MS;
	if (o->timeout_text &&
	    parse_uint(o->timeout_text, 0, MAX_TIMEOUT_MS, tmo) < 0) {
		complain("--timeout '%s' is not a number of milliseconds "
			 "(0..%d)", o->timeout_text, MAX_TIMEOUT_MS);
		return -1;
	}
	if (!o->nwords && !o->nexprs && !o->file) {
		complain("nothing to run: give a SYSCALL [ARG...], -e 'CALL' "
			 "or -f FILE after the PID");
		return -1;
	}
	if (o->nexprs && o->file) {
		complain("give the calls with -e or in a file with -f, not both");
		return -1;
	}
	return 0;
}

/* --list [PID|ABI] [SYSCALL...] */
static int do_list(const struct opts *o)
{
	const struct sys_abi *abi = abi_default();
	char *const *names = o->words;
	size_t n = o->nwords;
	long pid;

	if (o->pid_text && parse_uint(o->pid_text, 1, INT_MAX, &pid) == 0) {
		abi = target_abi((pid_t)pid);
		if (!abi)
			return EXIT_NORUN;
	} else if (o->pid_text) {
		abi = NULL;
		for (int id = SCR_ABI_X86_64; id <= SCR_ABI_RISCV64 && !abi; id++)
			if (!strcmp(o->pid_text, scr_abi_name(id)))
				abi = scr__sys_abi(id);
		if (!abi) {
			/* Not a PID nor an ABI: the first call name. */
			abi = abi_default();
			names = o->pid_arg;
			n++;
		}
	}
	if (o->nexprs || o->file || o->tid_text || o->timeout_text) {
		complain("--list takes [PID|ABI] [SYSCALL...] only");
		return EXIT_USAGE;
	}
	return print_list(stdout, abi, names, n, o->json);
}

/* --json before anything else, so that even a bad option comes as JSON. */
static void find_json(int argc, char **argv)
{
	for (int i = 1; i < argc && strcmp(argv[i], "--"); i++)
		if (!strcmp(argv[i], "--json"))
			json_mode = 1;
}

/* The system call form, on one process. */
static int syscall_form(int argc, char **argv)
{
	struct call *calls = NULL;
	const struct sys_abi *abi;
	struct script script, *sp = NULL;
	struct opts o;
	unsigned int n = 0;
	long pid, tid, tmo;
	int rc, pidfd, pin_err;

	memset(&o, 0, sizeof(o));
	find_json(argc, argv);
	if (parse_options(argc, argv, &o) < 0) {
		free(o.exprs);
		return EXIT_USAGE;
	}
	if (o.help) {
		usage(stdout);
		free(o.exprs);
		return 0;
	}
	if (o.version) {
		print_version();
		free(o.exprs);
		return 0;
	}
	if (o.list) {
		rc = do_list(&o);
		free(o.exprs);
		return rc;
	}
	if (validate(&o, &pid, &tid, &tmo) < 0) {
		free(o.exprs);
		return EXIT_USAGE;
	}
	if (o.file && script_open(&script, o.file) < 0) {
		complain_as("input", "cannot read %s: %s", !strcmp(o.file, "-") ?
			 "standard input" : o.file, strerror(errno));
		free(o.exprs);
		return EXIT_USAGE;
	}
	if (o.file)
		sp = &script;
	pidfd = pin_target((pid_t)pid);
	pin_err = pidfd < 0 ? errno : 0;
	abi = target_abi((pid_t)pid);
	if (!abi)
		rc = EXIT_NORUN;
	else if (sp ? check_script(abi, sp) < 0 :
		 !(calls = parse_all(abi, &o, &n)))
		rc = EXIT_USAGE;	/* bad input wins over a dead PID */
	else if (pin_err && pin_err != ENOSYS) {
		explain_pin((pid_t)pid, pin_err);
		rc = EXIT_NORUN;
	} else if (tid && check_tid((pid_t)pid, (pid_t)tid) < 0)
		rc = EXIT_NORUN;
	else
		rc = attach_and_run((pid_t)pid, pidfd, (pid_t)tid, (int)tmo,
				    &o, abi, calls, n, sp);
	for (unsigned int i = 0; i < n; i++)
		call_free(&calls[i]);
	free(calls);
	free(o.exprs);
	if (sp)
		script_close(sp);
	if (pidfd >= 0)
		close(pidfd);
	return rc;
}

int main(int argc, char **argv)
{
	int rc;

	/* We act on other processes with our caller's authority; a setuid
	 * install would lend the owner's instead.  _exit: run no exit-time
	 * code (sanitizer leak checks ptrace us) with borrowed credentials. */
	if (getuid() != geteuid() || getgid() != getegid()) {
		complain("refusing to run setuid or setgid: install scremote "
			 "as a normal program and run it as a user allowed "
			 "to trace the target");
		_exit(EXIT_USAGE);
	}
	if (verb_dispatch(argc, argv, &rc))
		return rc;
	if (multi_dispatch(argc, argv, syscall_form, &rc))
		return rc;
	return syscall_form(argc, argv);
}
