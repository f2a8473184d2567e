/* The system call form on several processes, one after the other. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "multi.h"
#include "pids.h"
#include "util.h"

/* What the words of the command line say about the processes. */
struct multi_words {
	const char *pids;	/* the PID word, "1,2" */
	int pid_at;		/* its index, or -1 */
	const char *pgrep, *pidof;
	int stop_on_error, json, tid, list;
	int drop[8];		/* indexes of our own options and values */
	int ndrop;
};

/* Options of the system call form that take the next word. */
static int takes_value(const char *w)
{
	return strcmp(w, "-t") == 0 || strcmp(w, "--tid") == 0 ||
	       strcmp(w, "--timeout") == 0 || strcmp(w, "-e") == 0;
}

static void drop(struct multi_words *m, int i)
{
	if (m->ndrop < (int)(sizeof(m->drop) / sizeof(m->drop[0])))
		m->drop[m->ndrop++] = i;
}

/* Our options' value: "--pgrep X" or "--pgrep=X". */
static const char *own_value(int argc, char **argv, int *i, const char *opt)
{
	size_t n = strlen(opt);

	if (argv[*i][n] == '=')
		return argv[*i] + n + 1;
	if (*i + 1 < argc) {
		(*i)++;
		return argv[*i];
	}
	return NULL;
}

static int is_own(const char *w, const char *opt)
{
	size_t n = strlen(opt);

	return strncmp(w, opt, n) == 0 && (w[n] == '\0' || w[n] == '=');
}

/* Scans the words before the system call name.  -1: an option of ours
 * lacks its value (said why). */
static int scan(int argc, char **argv, struct multi_words *m)
{
	memset(m, 0, sizeof(*m));
	m->pid_at = -1;
	for (int i = 1; i < argc; i++) {
		const char *w = argv[i];

		if (strcmp(w, "--") == 0)
			break;
		if (is_own(w, "--pgrep") || is_own(w, "--pidof")) {
			int at = i, grep = is_own(w, "--pgrep");
			const char *v = own_value(argc, argv, &i,
						  grep ? "--pgrep" : "--pidof");

			if (!v) {
				fprintf(stderr, "scremote: option %s needs a "
					"value\n", grep ? "--pgrep" : "--pidof");
				return -1;
			}
			if (grep)
				m->pgrep = v;
			else
				m->pidof = v;
			drop(m, at);
			if (i != at)
				drop(m, i);
		} else if (strcmp(w, "--stop-on-error") == 0) {
			m->stop_on_error = 1;
			drop(m, i);
		} else if (w[0] == '-' && w[1]) {
			m->json |= strcmp(w, "--json") == 0;
			m->list |= strcmp(w, "--list") == 0;
			m->tid |= strncmp(w, "-t", 2) == 0 ||
				  strncmp(w, "--tid", 5) == 0;
			if (takes_value(w))
				i++;
		} else if (!m->pgrep && !m->pidof && m->pid_at < 0) {
			m->pids = w;
			m->pid_at = i;
		} else {
			break;		/* the system call name */
		}
	}
	return 0;
}

static int dropped(const struct multi_words *m, int i)
{
	for (int k = 0; k < m->ndrop; k++)
		if (m->drop[k] == i)
			return 1;
	return 0;
}

/* argv for one process: ours taken out, its PID where the list was (or
 * first, for --pgrep and --pidof). */
static char **argv_for(int argc, char **argv, const struct multi_words *m,
		       char *pidword, int *n)
{
	char **v = xmalloc((size_t)(argc + 2) * sizeof(*v));
	int k = 0;

	v[k++] = argv[0];
	if (m->pid_at < 0)
		v[k++] = pidword;
	for (int i = 1; i < argc; i++) {
		if (dropped(m, i))
			continue;
		v[k++] = i == m->pid_at ? pidword : argv[i];
	}
	v[k] = NULL;
	*n = k;
	return v;
}

/* ---- signals: passed on to the run in progress ---------------------- */

static volatile sig_atomic_t stop_sig;
static volatile pid_t running;

static void on_signal(int sig)
{
	pid_t c = running;

	if (!stop_sig)
		stop_sig = sig;
	if (c > 0)
		kill(c, sig);
}

static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGPIPE };
static struct sigaction saved[sizeof(sigs) / sizeof(sigs[0])];

/* A signal ignored by whoever started us stays ignored (nohup, or
 * SIGINT for a background job), here and in the runs. */
static void install_handlers(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		if (sigaction(sigs[i], NULL, &saved[i]) == 0 &&
		    saved[i].sa_handler == SIG_IGN)
			continue;
		sigaction(sigs[i], &sa, NULL);
	}
}

/* In a run: the dispositions scremote started with; and if scremote
 * itself dies, SIGTERM, on which the run releases its process. */
static void child_signals(pid_t parent)
{
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &saved[i], NULL);
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	if (getppid() != parent)
		raise(SIGTERM);
}

/* ---- relaying a run's output ---------------------------------------- */

struct stream {
	int fd;
	FILE *to;
	int err;		/* stderr: "scremote: [pid N] ..." */
	struct sb line;
};

static void emit(struct stream *s, pid_t pid, int json)
{
	const char *l = s->line.s ? s->line.s : "";

	if (s->err && strncmp(l, "scremote: ", 10) == 0)
		fprintf(s->to, "scremote: [pid %d] %s", (int)pid, l + 10);
	else if (!s->err && json && l[0] == '{')
		fprintf(s->to, "{\"pid\":%d,%s", (int)pid, l + 1);
	else
		fprintf(s->to, "[pid %d] %s", (int)pid, l);
	fflush(s->to);
	sb_free(&s->line);
}

/* Reads what is there; 0 at the end of the stream. */
static int pump(struct stream *s, pid_t pid, int json)
{
	char buf[4096];
	ssize_t n = read(s->fd, buf, sizeof(buf));

	if (n < 0 && errno == EINTR)
		return 1;
	if (n <= 0) {
		if (s->line.len) {
			sb_addc(&s->line, '\n');
			emit(s, pid, json);
		}
		return 0;
	}
	for (ssize_t i = 0; i < n; i++) {
		sb_addc(&s->line, buf[i]);
		/* A JSON object may be long: a line is a line. */
		if (buf[i] == '\n')
			emit(s, pid, json);
	}
	return 1;
}

static void relay(int out, int err, pid_t pid, int json)
{
	struct stream s[2] = { { out, stdout, 0, { 0 } },
			       { err, stderr, 1, { 0 } } };
	int open = 2;

	while (open) {
		struct pollfd p[2];
		int k = 0;

		for (int i = 0; i < 2; i++)
			if (s[i].fd >= 0) {
				p[k].fd = s[i].fd;
				p[k].events = POLLIN;
				p[k++].revents = 0;
			}
		if (poll(p, (nfds_t)k, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		for (int i = 0, j = 0; i < 2; i++) {
			if (s[i].fd < 0)
				continue;
			if (p[j++].revents && !pump(&s[i], pid, json)) {
				close(s[i].fd);
				s[i].fd = -1;
				open--;
			}
		}
	}
	for (int i = 0; i < 2; i++) {
		if (s[i].fd >= 0)
			close(s[i].fd);
		sb_free(&s[i].line);
	}
}

/* One process: a child runs single() with its output piped back. */
static int run_one(pid_t pid, int argc, char **argv, const struct multi_words *m,
		   int (*single)(int, char **))
{
	char pidword[16];
	int out[2], err[2], n, status;
	pid_t c, parent = getpid();
	char **v;

	snprintf(pidword, sizeof(pidword), "%d", (int)pid);
	if (pipe2(out, O_CLOEXEC) < 0 || pipe2(err, O_CLOEXEC) < 0) {
		fprintf(stderr, "scremote: pipe: %s\n", strerror(errno));
		return 3;
	}
	v = argv_for(argc, argv, m, pidword, &n);
	fflush(stdout);
	fflush(stderr);
	c = fork();
	if (c < 0) {
		fprintf(stderr, "scremote: fork: %s\n", strerror(errno));
		free(v);
		close(out[0]), close(out[1]), close(err[0]), close(err[1]);
		return 3;
	}
	if (c == 0) {
		child_signals(parent);
		if (dup2(out[1], STDOUT_FILENO) < 0 ||
		    dup2(err[1], STDERR_FILENO) < 0)
			_exit(3);
		exit(single(n, v));
	}
	running = c;
	if (stop_sig)
		kill(c, stop_sig);
	close(out[1]);
	close(err[1]);
	relay(out[0], err[0], pid, m->json);
	while (waitpid(c, &status, 0) < 0 && errno == EINTR)
		;
	running = 0;
	free(v);
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

int multi_dispatch(int argc, char **argv, int (*single)(int, char **),
		   int *rc)
{
	struct multi_words m;
	struct pidlist l;
	int worst = 0;

	if (scan(argc, argv, &m) < 0) {
		*rc = 2;
		return 1;
	}
	if (!m.pgrep && !m.pidof && !m.stop_on_error &&
	    !(m.pids && strchr(m.pids, ',')))
		return 0;
	if (m.list) {
		fprintf(stderr, "scremote: --list names one process (the "
			"ABI of its program)\n");
		*rc = 2;
		return 1;
	}
	if (m.pgrep && m.pidof) {
		fprintf(stderr, "scremote: --pgrep and --pidof both choose "
			"the processes: give one of them\n");
		*rc = 2;
		return 1;
	}
	if ((m.pgrep || m.pidof) && m.pids) {
		fprintf(stderr, "scremote: give the processes once: '%s' or "
			"--pgrep/--pidof\n", m.pids);
		*rc = 2;
		return 1;
	}
	if (!m.pgrep && !m.pidof && !m.pids) {
		fprintf(stderr, "scremote: missing PID (usage: scremote PID "
			"SYSCALL [ARG...], see --help)\n");
		*rc = 2;
		return 1;
	}
	*rc = pids_resolve(m.pgrep || m.pidof ? NULL : m.pids, m.pgrep,
			   m.pidof, &l);
	if (*rc)
		return 1;
	if (m.tid && l.n > 1) {
		fprintf(stderr, "scremote: -t names a thread of one process; "
			"with several processes, the calls run in each one's "
			"main thread\n");
		pids_free(&l);
		*rc = 2;
		return 1;
	}
	install_handlers();
	for (size_t i = 0; i < l.n && !stop_sig; i++) {
		int r = run_one(l.v[i], argc, argv, &m, single);

		if (r > worst)
			worst = r;
		if (r == 2 || stop_sig)
			break;		/* the same bad input for all */
		if (r && m.stop_on_error && i + 1 < l.n) {
			fprintf(stderr, "scremote: --stop-on-error: %zu "
				"process%s left untouched\n", l.n - i - 1,
				l.n - i - 1 == 1 ? "" : "es");
			break;
		}
	}
	pids_free(&l);
	*rc = stop_sig ? 128 + stop_sig : worst;
	return 1;
}
