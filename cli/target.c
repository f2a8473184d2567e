/*
 * The common part of the verbs: options, the processes one at a time,
 * the calls and what is shown of them.
 */
#include <ctype.h>
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
#include "target.h"

#define DEFAULT_TIMEOUT_MS 5000
#define MAX_TIMEOUT_MS (24 * 3600 * 1000)

/* A dry run's results stand in as this plus the call's number. */
#define STANDIN_BASE (1L << 40)

/* ---- options -------------------------------------------------------- */

enum { O_VERBOSE = -100, O_JSON, O_DRY, O_STOP, O_PGREP, O_PIDOF,
       O_TIMEOUT, O_NOSECCOMP, O_HELP, O_HELP_SHORT, O_VSHORT };

static const struct vopt common[] = {
	{ "-v", 0, O_VSHORT }, { "--verbose", 0, O_VERBOSE },
	{ "--json", 0, O_JSON }, { "--dry-run", 0, O_DRY },
	{ "--stop-on-error", 0, O_STOP }, { "--pgrep", 1, O_PGREP },
	{ "--pidof", 1, O_PIDOF }, { "--timeout", 1, O_TIMEOUT },
	{ "--no-seccomp-check", 0, O_NOSECCOMP }, { "-h", 0, O_HELP_SHORT },
	{ "--help", 0, O_HELP }, { NULL, 0, 0 }
};

void verb_complain(const char *verb, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "scremote %s: ", verb);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* The option named by word ("--pgrep=x" names "--pgrep"), or NULL. */
static const struct vopt *find_opt(const struct vopt *tab, const char *word)
{
	for (; tab && tab->name; tab++) {
		size_t n = strlen(tab->name);

		if (strncmp(word, tab->name, n) == 0 &&
		    (word[n] == '\0' || (tab->takes_value && word[n] == '=')))
			return tab;
	}
	return NULL;
}

static int parse_timeout(const char *verb, const char *s, int *ms)
{
	long v = 0;

	for (const char *c = s; *c; c++) {
		if (*c < '0' || *c > '9' || v > MAX_TIMEOUT_MS) {
			v = -1;
			break;
		}
		v = v * 10 + (*c - '0');
	}
	if (!*s || v < 0 || v > MAX_TIMEOUT_MS) {
		verb_complain(verb, "--timeout '%s' is not a number of "
			      "milliseconds (0..%d)", s, MAX_TIMEOUT_MS);
		return -1;
	}
	*ms = (int)v;
	return 0;
}

static int set_common(const struct vparse *vp, struct vopts *o, int id,
		      const char *value)
{
	switch (id) {
	case O_VSHORT:
	case O_VERBOSE: o->verbose = 1; break;
	case O_JSON: o->json = 1; break;
	case O_DRY: o->dry_run = 1; break;
	case O_STOP: o->stop_on_error = 1; break;
	case O_PGREP: o->pgrep = value; break;
	case O_PIDOF: o->pidof = value; break;
	case O_NOSECCOMP:
		o->attach_flags |= SCR_ATTACH_SECCOMP_UNCHECKED;
		break;
	case O_TIMEOUT:
		return parse_timeout(vp->verb, value, &o->timeout_ms);
	}
	return 0;
}

int verb_options(int argc, char **argv, const struct vparse *vp,
		 struct vopts *o, char **pos, int *npos)
{
	int dashdash = 0, help = 0;

	memset(o, 0, sizeof(*o));
	o->timeout_ms = DEFAULT_TIMEOUT_MS;
	*npos = 0;
	for (int i = 1; i < argc; i++) {
		const char *w = argv[i], *value = NULL;
		const struct vopt *opt;
		int own;

		if (dashdash || w[0] != '-' || w[1] == '\0') {
			pos[(*npos)++] = argv[i];
			continue;
		}
		if (strcmp(w, "--") == 0) {
			dashdash = 1;
			continue;
		}
		opt = find_opt(vp->opts, w);
		own = opt != NULL;
		if (!opt)
			opt = find_opt(common, w);
		if (!opt) {
			verb_complain(vp->verb, "unknown option '%s' (see "
				      "scremote %s --help)", w, vp->verb);
			return -1;
		}
		if (opt->takes_value) {
			size_t n = strlen(opt->name);

			if (w[n] == '=')
				value = w + n + 1;
			else if (i + 1 < argc)
				value = argv[++i];
			else {
				verb_complain(vp->verb, "option %s needs a "
					      "value", opt->name);
				return -1;
			}
		}
		if (opt->id == O_HELP || opt->id == O_HELP_SHORT)
			help = 1;
		else if (own ? vp->set(vp->data, opt->id, value) < 0 :
			       set_common(vp, o, opt->id, value) < 0)
			return -1;
	}
	if (help) {
		fputs(vp->usage, stdout);
		fputs("\nCommon options:\n"
		      "  -v, --verbose  show the calls made, strace-style, "
		      "on stderr\n"
		      "  --json         one JSON object per process\n"
		      "  --dry-run      show the calls that would be made; "
		      "attach nothing\n"
		      "  --pgrep PATTERN, --pidof NAME\n"
		      "                 the processes, instead of PID (which "
		      "may be a list: 1,2)\n"
		      "  --stop-on-error  leave the other processes once one "
		      "fails\n"
		      "  --timeout MS   bound on one call (default 5000)\n"
		      "  --no-seccomp-check  run calls unjudged when the "
		      "seccomp filters cannot\n"
		      "                 be read (see scremote --help)\n"
		      "  -h, --help     this text\n"
		      "Processes are attached, acted on and released one at a "
		      "time.  See scremote(1).\n", stdout);
		return 1;
	}
	if (o->pgrep && o->pidof) {
		verb_complain(vp->verb, "--pgrep and --pidof both choose the "
			      "processes: give one of them");
		return -1;
	}
	return 0;
}

int verb_pids(const struct vopts *o, const char *verb, char **pos,
	      int *npos, struct pidlist *l)
{
	if (o->pgrep || o->pidof)
		return pids_resolve(NULL, o->pgrep, o->pidof, l);
	if (*npos < 1) {
		verb_complain(verb, "missing PID (a process id, a list "
			      "1234,1240, or --pgrep/--pidof; see scremote "
			      "%s --help)", verb);
		return VEXIT_USAGE;
	}
	{
		const char *w = pos[0];
		int r;

		memmove(pos, pos + 1, (size_t)(*npos - 1) * sizeof(*pos));
		(*npos)--;
		r = pids_resolve(w, NULL, NULL, l);
		return r;
	}
}

char **verb_args(int argc, char **argv, const struct vparse *vp,
		 struct vopts *o, int *npos, struct pidlist *l, int *rc)
{
	char **pos = xmalloc((size_t)argc * sizeof(*pos));
	int r = verb_options(argc, argv, vp, o, pos, npos);

	if (r) {
		*rc = r > 0 ? 0 : VEXIT_USAGE;
	} else {
		*rc = verb_pids(o, vp->verb, pos, npos, l);
		if (!*rc)
			return pos;
	}
	free(pos);
	return NULL;
}

int parse_fds(const char *verb, const char *text, int *fds, size_t max,
	      size_t *n)
{
	const char *s = text;

	*n = 0;
	for (;;) {
		size_t len = strcspn(s, ",");
		long v = 0;
		size_t i;

		for (i = 0; i < len && s[i] >= '0' && s[i] <= '9' &&
			    v <= INT_MAX; i++)
			v = v * 10 + (s[i] - '0');
		if (len == 0 || i < len || v > INT_MAX) {
			verb_complain(verb, "'%.*s' is not a descriptor number"
				      " (as listed by scremote fds PID; several"
				      " as 1,2)", (int)len, s);
			return -1;
		}
		for (i = 0; i < *n; i++)
			if (fds[i] == (int)v) {
				verb_complain(verb, "descriptor %ld is named "
					      "twice in '%s'", v, text);
				return -1;
			}
		if (*n == max) {
			verb_complain(verb, "at most %zu descriptors at once",
				      max);
			return -1;
		}
		fds[(*n)++] = (int)v;
		if (!s[len])
			return 0;
		s += len + 1;
	}
}

/* ---- output --------------------------------------------------------- */

void put_safe(FILE *f, const char *s)
{
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch >= 0x20 && ch < 0x7f && ch != '\\')
			fputc(ch, f);
		else
			fprintf(f, "\\x%02x", ch);
	}
}

void sb_add_safe(struct sb *b, const char *s)
{
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch >= 0x20 && ch < 0x7f && ch != '\\')
			sb_addc(b, (char)ch);
		else
			sb_addf(b, "\\x%02x", ch);
	}
}

void put_json_str(FILE *f, const char *s)
{
	fmt_json_string(f, (const unsigned char *)s, strlen(s));
}

char *c_string(const char *s)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return xstrndup("\"?\"", 3);
	fmt_quoted(f, (const unsigned char *)s, strlen(s), strlen(s));
	fclose(f);
	return buf;
}

static void sb_json_str(struct sb *b, const char *s)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return;
	put_json_str(f, s);
	fclose(f);
	sb_add(b, buf, len);
	free(buf);
}

const char *human_size(unsigned long long bytes, char *buf, size_t size)
{
	static const char *const unit[] = { "KiB", "MiB", "GiB", "TiB" };
	double v = (double)bytes;
	int u = -1;

	if (bytes < 1024) {
		snprintf(buf, size, "%llu bytes", bytes);
		return buf;
	}
	while (v >= 1024 && u < 3) {
		v /= 1024;
		u++;
	}
	snprintf(buf, size, "%.1f %s", v, unit[u]);
	return buf;
}

int same_fs_view(pid_t pid)
{
	char a[64], b[64];
	struct stat x, y;

	snprintf(a, sizeof(a), "/proc/%d/ns/mnt", (int)pid);
	snprintf(b, sizeof(b), "/proc/%d/root", (int)pid);
	if (stat(a, &x) < 0 || stat("/proc/self/ns/mnt", &y) < 0 ||
	    x.st_ino != y.st_ino || x.st_dev != y.st_dev)
		return 0;
	if (stat(b, &x) < 0 || stat("/", &y) < 0)
		return 0;
	return x.st_ino == y.st_ino && x.st_dev == y.st_dev;
}

char *absolute_path(const char *path)
{
	char *cwd;
	char *r;

	if (path[0] == '/')
		return xstrndup(path, strlen(path));
	cwd = getcwd(NULL, 0);
	if (!cwd)
		return xstrndup(path, strlen(path));
	r = xasprintf("%s/%s", strcmp(cwd, "/") ? cwd : "", path);
	free(cwd);
	return r;
}

static void prefix(struct target *t, FILE *f)
{
	if (t->multi)
		fprintf(f, "[pid %d] ", (int)t->pid);
}

void t_out(struct target *t, const char *fmt, ...)
{
	va_list ap;

	if (t->o->json)
		return;
	prefix(t, stdout);
	va_start(ap, fmt);
	vfprintf(stdout, fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
}

void t_err(struct target *t, int status, const char *fmt, ...)
{
	va_list ap;
	char *msg;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (n < 0)
		msg = NULL;
	fputs("scremote: ", stderr);
	prefix(t, stderr);
	fprintf(stderr, "%s\n", msg ? msg : "(out of memory)");
	if (msg) {
		if (t->errors.len)
			sb_addc(&t->errors, ',');
		sb_json_str(&t->errors, msg);
	}
	free(msg);
	if (status > t->status)
		t->status = status;
}

/* ---- calls ---------------------------------------------------------- */

int t_is_standin(long v)
{
	return v > STANDIN_BASE && v < STANDIN_BASE + 100000;
}

const char *t_val(struct target *t, long v)
{
	char *b = t->vbuf[t->vnext++ % 4];

	if (t_is_standin(v))
		snprintf(b, sizeof(t->vbuf[0]), "$%ld", v - STANDIN_BASE);
	else
		snprintf(b, sizeof(t->vbuf[0]), "%ld", v);
	return b;
}

/* "= 5", "= -1 EBADF (Bad file descriptor)", "= ? (not run: ...)". */
static void outcome_text(struct sb *b, long result, int unrun)
{
	if (unrun) {
		sb_addf(b, " = ? (not run: %s)", strerror(-unrun));
	} else if (result < 0 && result > -4096) {
		const char *name = errno_name((int)-result);

		sb_addf(b, " = -1 %s (%s)", name ? name : "E?",
			strerror((int)-result));
	} else {
		sb_addf(b, " = %ld", result);
	}
}

static void record_json(struct target *t, const char *text, int local,
			long result, int unrun, int standin)
{
	if (t->calls.len)
		sb_addc(&t->calls, ',');
	sb_add(&t->calls, "{\"call\":", 8);
	sb_json_str(&t->calls, text);
	if (local)
		sb_addf(&t->calls, ",\"local\":true");
	if (standin)
		sb_addf(&t->calls, ",\"result\":\"$%u\"", t->ncalls);
	else if (unrun)
		sb_addf(&t->calls, ",\"executed\":false,\"errno\":%d",
			-unrun);
	else if (result < 0 && result > -4096)
		sb_addf(&t->calls, ",\"result\":-1,\"errno\":%ld,"
			"\"errname\":\"%s\"", -result,
			errno_name((int)-result) ? errno_name((int)-result) :
						  "");
	else
		sb_addf(&t->calls, ",\"result\":%ld", result);
	sb_addc(&t->calls, '}');
}

/* Shows one call: text is "name(args)". */
static void show(struct target *t, const char *text, int local, long result,
		 int unrun)
{
	int dry = t->o->dry_run;
	struct sb line = { 0 };

	t->ncalls++;
	if (t->o->json) {
		if (dry || t->o->verbose)
			record_json(t, text, local, result, unrun, dry);
		return;
	}
	if (!dry && !t->o->verbose)
		return;
	if (local)
		sb_addf(&line, "(local) ");
	sb_add(&line, text, strlen(text));
	if (dry)
		sb_addf(&line, " = $%u", t->ncalls);
	else
		outcome_text(&line, result, unrun);
	prefix(t, dry ? stdout : stderr);
	fprintf(dry ? stdout : stderr, "%s\n", line.s);
	sb_free(&line);
}

static void explain_unrun(struct target *t, const char *name, int err)
{
	switch (err) {
	case -EINTR:
		if (cli_stop_sig)
			return;		/* the signal is reported */
		t_err(t, VEXIT_NORUN, "%s was interrupted; the process is "
		      "unchanged", name);
		return;
	case -ETIMEDOUT:
		t_err(t, VEXIT_NORUN, "%s did not complete within the "
		      "timeout and was broken off; the process is unchanged "
		      "(raise --timeout)", name);
		return;
	case -EPERM:
		t_err(t, VEXIT_NORUN, "%s refused: the process's seccomp "
		      "policy would kill it or raise SIGSYS for this call; "
		      "it was not run", name);
		return;
	case -EACCES:
		t_err(t, VEXIT_NORUN, "%s refused: the process has seccomp "
		      "filters that scremote cannot read without "
		      "CAP_SYS_ADMIN; run as root, or pass "
		      "--no-seccomp-check to run it unchecked", name);
		return;
	case -ESRCH:
		t_err(t, VEXIT_NORUN, "%s: the process exited", name);
		return;
	case -EBUSY:
		t_err(t, VEXIT_NORUN, "%s: the process is at a point where "
		      "no call can run safely (in the middle of an exec, "
		      "or with a pending restart); nothing was done", name);
		return;
	case -EREMOTEIO:
		t_err(t, VEXIT_NORUN, "%s raised a fault signal (SIGSEGV, "
		      "SIGBUS...) in the process: it was not executed, and "
		      "the process is unchanged", name);
		return;
	case -EOPNOTSUPP:
		t_err(t, VEXIT_NORUN, "%s: the process's main thread never "
		      "returns to user mode (a kernel-side thread); nothing "
		      "was done", name);
		return;
	}
	t_err(t, VEXIT_NORUN, "%s could not be run: %s", name,
	      strerror(-err));
}

long t_nr(const struct target *t, const char *name)
{
	long nr = scr_syscall_nr(t->abi, name);

	return nr < 0 ? -1 : nr;
}

long t_call(struct target *t, const char *name, const unsigned long *args,
	    unsigned int nargs, const char *fmt, ...)
{
	struct sb text = { 0 };
	struct ptrace_sc_ret ret;
	va_list ap;
	char *argtext = NULL;
	long nr, result;
	int r;

	va_start(ap, fmt);
	if (vasprintf(&argtext, fmt, ap) < 0)
		argtext = NULL;
	va_end(ap);
	sb_addf(&text, "%s(%s)", name, argtext ? argtext : "...");
	free(argtext);
	if (t->o->dry_run) {
		show(t, text.s, 0, 0, 0);
		sb_free(&text);
		return STANDIN_BASE + t->ncalls;
	}
	nr = t->p ? t_nr(t, name) : -1;
	if (nr < 0) {
		t_err(t, VEXIT_NORUN, "%s: no such system call for this "
		      "process's ABI (%s)", name,
		      scr_abi_name(t->abi) ? scr_abi_name(t->abi) : "?");
		sb_free(&text);
		return T_UNRUN;
	}
	r = cli_stop_sig ? -EINTR : scr_syscall(t->p, 0, nr, args, nargs, &ret);
	if (r < 0) {
		show(t, text.s, 0, 0, r);
		explain_unrun(t, name, r);
		sb_free(&text);
		return T_UNRUN;
	}
	result = ret.sr_error ? -(long)ret.sr_error : ret.sr_retval[0];
	show(t, text.s, 0, result, 0);
	sb_free(&text);
	return result;
}

void t_show(struct target *t, const char *text,
	    const struct ptrace_sc_ret *ret, int status)
{
	long result = 0;

	if (status == 0 && ret)
		result = ret->sr_error ? -(long)ret->sr_error :
					 ret->sr_retval[0];
	show(t, text, 0, result, status < 0 ? status : 0);
}

long t_local(struct target *t, long result, const char *fmt, ...)
{
	char *text;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&text, fmt, ap);
	va_end(ap);
	if (n >= 0) {
		show(t, text, 1, result, 0);
		free(text);
	}
	return t->o->dry_run ? STANDIN_BASE + t->ncalls : result;
}

int t_push(struct target *t, const void *data, size_t len,
	   unsigned long *addr)
{
	if (t->o->dry_run || !t->p) {
		*addr = 0;
		return 0;
	}
	return scr_push(t->p, data, len, addr);
}

/* ---- attach, release ------------------------------------------------ */

/* Has the pinned process ended?  A pidfd polls readable once it has. */
static int pin_ended(int pidfd)
{
	struct pollfd pfd = { pidfd, POLLIN, 0 };

	return pidfd >= 0 && poll(&pfd, 1, 0) == 1;
}

/* explain_attach's lines, on stderr and in the JSON errors. */
static void attach_failed(struct target *t, int err)
{
	char *buf = NULL, *line, *next;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f) {
		explain_attach(stderr, t->pid, err);
		t->status = VEXIT_NORUN;
		return;
	}
	explain_attach(f, t->pid, err);
	fclose(f);
	for (line = buf; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (strncmp(line, "scremote: ", 10) == 0)
			t_err(t, VEXIT_NORUN, "%s", line + 10);
		else
			fprintf(stderr, "%s\n", line);
	}
	free(buf);
	t->status = VEXIT_NORUN;
}

int t_attach(struct target *t)
{
	int r;

	if (t->o->dry_run || t->p)
		return 0;
	if (cli_stop_sig)
		return 128 + cli_stop_sig;
	/* A pidfd pins this process: if it ended and its PID went to
	 * another, the attach fails instead of acting on the wrong one. */
	if (t->pidfd < 0) {
		t->pidfd = (int)syscall(SYS_pidfd_open, t->pid, 0);
		if (t->pidfd < 0 && errno == EINVAL) {
			t_err(t, VEXIT_NORUN, "%d is a thread, not a process "
			      "(its process is the Tgid in /proc/%d/status)",
			      (int)t->pid, (int)t->pid);
			return VEXIT_NORUN;
		}
		if (t->pidfd < 0 && errno != ENOSYS) {
			attach_failed(t, -ESRCH);
			return VEXIT_NORUN;
		}
	}
	r = t->pidfd >= 0 ? scr_attach_pidfd(t->pidfd, t->o->attach_flags,
					     &t->p) :
			    scr_attach(t->pid, t->o->attach_flags, &t->p);
	if (r < 0) {
		t->p = NULL;
		if (r == -ESRCH && pin_ended(t->pidfd))
			t_err(t, VEXIT_NORUN, "process %d exited before "
			      "scremote could attach; nothing was done",
			      (int)t->pid);
		else
			attach_failed(t, r);
		return VEXIT_NORUN;
	}
	cli_hold(t->p);
	scr_set_timeout(t->p, t->o->timeout_ms);
	t->abi = scr_abi(t->p);
	return 0;
}

int t_detach(struct target *t)
{
	int r;

	if (!t->p)
		return 0;
	cli_hold(NULL);
	r = scr_detach(t->p);
	t->p = NULL;
	if (r == 0)
		return 0;
	if (r == -ESRCH)
		t_err(t, VEXIT_NORUN, "process %d exited before it could be "
		      "released", (int)t->pid);
	else
		t_err(t, VEXIT_NORUN, "releasing process %d failed: %s",
		      (int)t->pid, strerror(-r));
	return VEXIT_NORUN;
}

/* ---- one process after the other ------------------------------------ */

static void print_object(struct target *t)
{
	printf("{\"pid\":%d", (int)t->pid);
	if (t->o->dry_run)
		fputs(",\"dry_run\":true", stdout);
	if (t->json_len)
		fwrite(t->json_buf, 1, t->json_len, stdout);
	if (t->o->dry_run || t->o->verbose)
		printf(",\"calls\":[%s]", t->calls.s ? t->calls.s : "");
	if (t->errors.len)
		printf(",\"errors\":[%s]", t->errors.s);
	printf(",\"status\":%d}\n", t->status);
}

static int gone(pid_t pid)
{
	char path[32];
	struct stat st;

	snprintf(path, sizeof(path), "/proc/%d", (int)pid);
	return stat(path, &st) < 0 && errno == ENOENT;
}

static int act_on(const struct vopts *o, pid_t pid, int multi,
		  int (*act)(struct target *, void *), void *data)
{
	struct target t;
	int rc = 0;

	memset(&t, 0, sizeof(t));
	t.pid = pid;
	t.o = o;
	t.multi = multi;
	t.pidfd = -1;
	t.json = open_memstream(&t.json_buf, &t.json_len);
	if (!t.json) {
		fputs("scremote: out of memory\n", stderr);
		return VEXIT_NORUN;
	}
	if (gone(pid))
		t_err(&t, VEXIT_NORUN, "no process %d (check the PID with ps "
		      "or pgrep)", (int)pid);
	else
		rc = act(&t, data);
	if (rc > t.status)
		t.status = rc;
	/* Released whatever the verb did, before anything else. */
	if (t.p && t_detach(&t) > t.status)
		t.status = VEXIT_NORUN;
	if (cli_stop_sig) {
		t_err(&t, 128 + cli_stop_sig, "interrupted by signal %d (%s); "
		      "process %d released", cli_stop_sig, strsignal(cli_stop_sig),
		      (int)pid);
	}
	fclose(t.json);
	if (o->json)
		print_object(&t);
	fflush(stdout);
	free(t.json_buf);
	sb_free(&t.calls);
	sb_free(&t.errors);
	if (t.pidfd >= 0)
		close(t.pidfd);
	return t.status;
}

int verb_each(const struct vopts *o, const struct pidlist *l,
	      int (*act)(struct target *t, void *data), void *data)
{
	int worst = 0;

	cli_catch_signals(true);
	for (size_t i = 0; i < l->n; i++) {
		int rc;

		if (cli_stop_sig)
			return 128 + cli_stop_sig;
		rc = act_on(o, l->v[i], l->n > 1, act, data);
		if (rc > worst)
			worst = rc;
		if (cli_stop_sig)
			return 128 + cli_stop_sig;
		if (rc && o->stop_on_error && i + 1 < l->n) {
			fprintf(stderr, "scremote: --stop-on-error: %zu "
				"process%s left untouched\n", l->n - i - 1,
				l->n - i - 1 == 1 ? "" : "es");
			break;
		}
	}
	return worst;
}
