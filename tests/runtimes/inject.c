/*
 * inject: the engine against a real program that checks itself.
 *
 *   inject [-p PORT] [-s FILE] [-w STATE,...] PID SECONDS
 *
 * For at least SECONDS (and at least MIN_ATTACHES cycles), again and
 * again: attach to PID, check that every one of its threads is stopped,
 * run harmless but real system calls in randomly chosen threads, check
 * every result against what the kernel says from outside (the injector's
 * own calls, /proc/PID/...), detach, check that every thread is released,
 * and let the target run a little.  The calls: getpid, gettid, getppid,
 * clock_gettime (between two readings of our own), fstat of a random fd
 * (same object as /proc/PID/fd/N), fcntl and lseek against
 * /proc/PID/fdinfo/N, getsockopt and getsockname on the target's
 * listening socket (-p PORT, on 127.0.0.1), uname, the thread's signal mask
 * (against SigBlk in /proc before we touched it), and batches of these
 * with dup/fstat/fcntl/close chained through scr_batch references.
 * With -s FILE it also sends SIGUSR2 at random moments, attached or not,
 * one at a time, and checks that the target counted every one in FILE.
 *
 * The thread each call lands in is classified by what it was doing when
 * it was stopped (/proc/PID/task/TID/syscall): in user mode, in futex,
 * epoll, poll/select, a sleep, restart_syscall (a timed wait that an
 * earlier attach broke), or another system call; -w names the
 * states that must have been met, so that a run that never caught a
 * thread blocked where it should does not pass.
 *
 * Prints "inject: FAIL ..." and exits 1 at the first wrong result, refused
 * call, failed attach or detach, thread left running or left traced; at
 * the end "inject: PASS ..." with the counts.  SCREMOTE_RUNTIMES_SEED=N
 * replays the random choices.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "scremote.h"

#define MAX_THREADS	1024
#define MAX_FDS		1024
#define MIN_ATTACHES	300
#define MIN_CALLS	3000
#define SCRATCH_SIZE	4096
#define POISON		0xa5

/* Where a thread was when we stopped it. */
enum where { W_USER, W_FUTEX, W_EPOLL, W_POLL, W_SLEEP, W_RESTART, W_OTHER,
	     W_N };
static const char *const where_name[W_N] = {
	"user mode", "futex", "epoll", "poll/select", "sleep",
	"restart_syscall", "other syscall"
};

enum op { OP_GETPID, OP_GETTID, OP_GETPPID, OP_CLOCK, OP_FSTAT, OP_FDINFO,
	  OP_SOCK, OP_UNAME, OP_SIGMASK, OP_BATCH, OP_N };
static const char *const op_name[OP_N] = {
	"getpid", "gettid", "getppid", "clock_gettime", "fstat", "fcntl/lseek",
	"getsockopt/getsockname", "uname", "rt_sigprocmask", "batch"
};

struct stats {
	unsigned long attaches, calls, batched, ops[OP_N], where[W_N];
	unsigned long seen[MAX_THREADS];	/* distinct tids met */
	size_t nseen, max_threads;
	double attach_max_ms, cycle_max_ms;
};

/* One attach cycle. */
struct cycle {
	struct scr_proc *p;
	pid_t pid, ppid;
	pid_t tids[MAX_THREADS];
	enum where where[MAX_THREADS];
	uint64_t sigblk[MAX_THREADS];	/* SigBlk before any call */
	uint64_t sigpnd[MAX_THREADS];	/* SigPnd when attached */
	bool touched[MAX_THREADS];	/* a call ran in it this cycle */
	int nt;
	int fds[MAX_FDS];
	int nfd;
	int listen_fd;			/* -1: none */
	unsigned long scratch;		/* 0: not mapped yet */
	pid_t cur_tid;			/* for messages */
	enum where cur_where;
};

static struct stats st;
static uint64_t rng_state;
static unsigned long cycle_no;
static int listen_port;
static const char *ack_file;	/* -s: the target counts SIGUSR2 here */
static unsigned long sig_sent, sig_attached;
static unsigned long listen_ino;	/* socket inode, found once */

static uint64_t rnd(void)
{
	uint64_t x = rng_state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	rng_state = x;
	return x * 0x2545f4914f6cdd1dULL;
}

static unsigned int below(unsigned int n)
{
	return (unsigned int)(rnd() % n);
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void sleep_us(long us)
{
	struct timespec ts = { us / 1000000, (us % 1000000) * 1000 };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static struct cycle *cur;	/* for fail() */

static void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Reports the first wrong thing, releases the target, exits. */
static void fail(const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (cur && cur->cur_tid)
		printf("inject: FAIL attach #%lu, thread %d (stopped in %s): "
		       "%s\n", cycle_no, (int)cur->cur_tid,
		       where_name[cur->cur_where], msg);
	else
		printf("inject: FAIL attach #%lu: %s\n", cycle_no, msg);
	printf("inject: replay with SCREMOTE_RUNTIMES_SEED=0x%" PRIx64 "\n",
	       (uint64_t)strtoull(getenv("SCREMOTE_RUNTIMES_SEED") ?
				  getenv("SCREMOTE_RUNTIMES_SEED") : "0",
				  NULL, 0));
	fflush(stdout);
	if (cur && cur->p) {
		int e = scr_detach(cur->p);

		cur->p = NULL;
		if (e)
			printf("inject: and detach failed too: %s\n",
			       strerror(-e));
	}
	exit(1);
}

/* ---- what /proc says ------------------------------------------------ */

static int read_file(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;
	size_t got = 0;

	if (fd < 0)
		return -errno;
	while (got + 1 < len && (n = read(fd, buf + got, len - 1 - got)) > 0)
		got += (size_t)n;
	close(fd);
	buf[got] = 0;
	return (int)got;
}

/* The value of "Field:" in a /proc status-style text, or NULL. */
static const char *field(const char *text, const char *name)
{
	size_t n = strlen(name);

	for (const char *l = text; l && *l;) {
		if (strncmp(l, name, n) == 0 && l[n] == ':')
			return l + n + 1;
		l = strchr(l, '\n');
		l = l ? l + 1 : NULL;
	}
	return NULL;
}

static void task_status(pid_t pid, pid_t tid, char *buf, size_t len)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/task/%d/status", (int)pid,
		 (int)tid);
	if (read_file(path, buf, len) < 0)
		buf[0] = 0;
}

static enum where classify(pid_t pid, pid_t tid)
{
	char path[64], buf[256];
	long nr;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/syscall", (int)pid,
		 (int)tid);
	if (read_file(path, buf, sizeof(buf)) <= 0)
		fail("cannot read %s", path);
	if (strncmp(buf, "running", 7) == 0)
		fail("thread %d is running while attached", (int)tid);
	nr = strtol(buf, NULL, 10);
	switch (nr) {
	case -1:
		return W_USER;
	case SYS_futex:
#ifdef SYS_futex_waitv
	case SYS_futex_waitv:
#endif
		return W_FUTEX;
#ifdef SYS_epoll_wait
	case SYS_epoll_wait:
#endif
	case SYS_epoll_pwait:
#ifdef SYS_epoll_pwait2
	case SYS_epoll_pwait2:
#endif
		return W_EPOLL;
#ifdef SYS_poll
	case SYS_poll:
#endif
#ifdef SYS_select
	case SYS_select:
#endif
	case SYS_ppoll:
	case SYS_pselect6:
		return W_POLL;
	case SYS_nanosleep:
	case SYS_clock_nanosleep:
		return W_SLEEP;
	case SYS_restart_syscall:	/* a timed wait we broke earlier */
		return W_RESTART;
	default:
		return W_OTHER;
	}
}

/*
 * A thread on its way out: stopped at its exit event, which comes before
 * the kernel sets PF_EXITING, so inside exit or exit_group; or past it.
 */
static bool exiting(pid_t pid, pid_t tid)
{
	char path[64], buf[1024];
	unsigned long flags = 0;
	const char *r;
	long nr;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/syscall", (int)pid,
		 (int)tid);
	if (read_file(path, buf, sizeof(buf)) <= 0)
		return true;	/* gone already */
	nr = strtol(buf, NULL, 10);
	if (nr == SYS_exit || nr == SYS_exit_group)
		return true;
	snprintf(path, sizeof(path), "/proc/%d/task/%d/stat", (int)pid,
		 (int)tid);
	if (read_file(path, buf, sizeof(buf)) <= 0 || !(r = strrchr(buf, ')')))
		return true;
	/* ") S ppid pgrp session tty_nr tpgid flags" */
	if (sscanf(r + 1, " %*c %*d %*d %*d %*d %*d %lu", &flags) != 1)
		fail("cannot parse %s", path);
	return flags & 0x4;	/* PF_EXITING */
}

/* Every thread of the process is stopped by us (or on its way out). */
static void check_all_stopped(struct cycle *c)
{
	char path[64], buf[4096];
	struct dirent *d;
	DIR *dir;
	int n = 0;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)c->pid);
	dir = opendir(path);
	if (!dir)
		fail("the target is gone (%s: %s)", path, strerror(errno));
	while ((d = readdir(dir))) {
		pid_t tid = (pid_t)atoi(d->d_name);
		const char *state, *tracer;
		bool listed = false;

		if (tid <= 0)
			continue;
		n++;
		task_status(c->pid, tid, buf, sizeof(buf));
		state = field(buf, "State");
		tracer = field(buf, "TracerPid");
		if (!state || !tracer)
			continue;	/* reaped just now */
		state += strspn(state, " \t");
		for (int i = 0; i < c->nt; i++) {
			const char *v = field(buf, "SigBlk");

			if (c->tids[i] != tid)
				continue;
			listed = true;
			if (!v)
				fail("no SigBlk for thread %d", (int)tid);
			c->sigblk[i] = strtoull(v, NULL, 16);
			v = field(buf, "SigPnd");
			c->sigpnd[i] = v ? strtoull(v, NULL, 16) : 0;
		}
		if (*state == 'Z' || *state == 'X')
			continue;
		if (*state != 't' || atoi(tracer) != getpid())
			fail("thread %d is not stopped by us while attached "
			     "(State: %.20s, TracerPid: %d)", (int)tid, state,
			     atoi(tracer));
		/* A thread stopped at its exit event is no longer one
		 * that calls can run in. */
		if (!listed && !exiting(c->pid, tid))
			fail("thread %d is stopped but not in scr_threads()",
			     (int)tid);
	}
	closedir(dir);
	if (n < c->nt)
		fail("scr_threads() lists %d threads, /proc %d", c->nt, n);
}

/* After detach: no thread is traced or left in a tracing stop. */
static void check_all_released(pid_t pid)
{
	char path[64], buf[4096];
	struct dirent *d;
	DIR *dir;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	dir = opendir(path);
	if (!dir)
		fail("the target is gone after detach (%s)", strerror(errno));
	while ((d = readdir(dir))) {
		pid_t tid = (pid_t)atoi(d->d_name);
		const char *state, *tracer;

		if (tid <= 0)
			continue;
		task_status(pid, tid, buf, sizeof(buf));
		state = field(buf, "State");
		tracer = field(buf, "TracerPid");
		if (!state || !tracer)
			continue;
		state += strspn(state, " \t");
		if (atoi(tracer) != 0 || *state == 't' || *state == 'T')
			fail("thread %d not released after detach (State: "
			     "%.20s, TracerPid: %d)", (int)tid, state,
			     atoi(tracer));
	}
	closedir(dir);
}

static pid_t parent_of(pid_t pid)
{
	char path[64], buf[1024];
	const char *r;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (read_file(path, buf, sizeof(buf)) <= 0 || !(r = strrchr(buf, ')')))
		fail("cannot read %s", path);
	return (pid_t)atoi(r + 4);	/* ") S PPID" */
}

/* The socket inode listening on 127.0.0.1:port, from /proc/PID/net/tcp. */
static unsigned long find_listen_ino(pid_t pid, int port)
{
	char path[64], line[512];
	unsigned long ino = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/net/tcp", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		unsigned int la, lp, ra, rp, state;
		unsigned long i;
		int n = sscanf(line, " %*d: %x:%x %x:%x %x %*x:%*x %*x:%*x "
			       "%*x %*u %*d %lu", &la, &lp, &ra, &rp, &state,
			       &i);

		if (n == 6 && (int)lp == port && state == 0x0a &&
		    la == htonl(INADDR_LOOPBACK)) {
			ino = i;
			break;
		}
	}
	fclose(f);
	return ino;
}

/* The target's open fds, and which one is the listening socket. */
static void list_fds(struct cycle *c)
{
	char path[64], link[128], want[64];
	struct dirent *d;
	DIR *dir;

	c->nfd = 0;
	c->listen_fd = -1;
	if (listen_port && !listen_ino)
		listen_ino = find_listen_ino(c->pid, listen_port);
	snprintf(want, sizeof(want), "socket:[%lu]", listen_ino);
	snprintf(path, sizeof(path), "/proc/%d/fd", (int)c->pid);
	dir = opendir(path);
	if (!dir)
		fail("cannot list %s: %s", path, strerror(errno));
	while ((d = readdir(dir)) && c->nfd < MAX_FDS) {
		char *end;
		long fd = strtol(d->d_name, &end, 10);
		ssize_t n;

		if (*end || fd < 0 || d->d_name[0] == 0)
			continue;
		c->fds[c->nfd++] = (int)fd;
		snprintf(path, sizeof(path), "/proc/%d/fd/%ld", (int)c->pid,
			 fd);
		n = readlink(path, link, sizeof(link) - 1);
		if (n > 0 && listen_ino) {
			link[n] = 0;
			if (strcmp(link, want) == 0)
				c->listen_fd = (int)fd;
		}
	}
	closedir(dir);
	if (c->nfd == 0)
		fail("the target has no open fd");
	if (listen_port && c->listen_fd < 0)
		fail("no fd of the target listens on 127.0.0.1:%d",
		     listen_port);
}

/* flags and pos of /proc/PID/fdinfo/FD. */
static void fdinfo(struct cycle *c, int fd, unsigned long *flags,
		   long long *pos)
{
	char path[64], buf[4096];
	const char *v;

	snprintf(path, sizeof(path), "/proc/%d/fdinfo/%d", (int)c->pid, fd);
	if (read_file(path, buf, sizeof(buf)) <= 0)
		fail("cannot read %s", path);
	v = field(buf, "flags");
	if (!v)
		fail("%s has no flags", path);
	*flags = strtoul(v, NULL, 8);
	v = field(buf, "pos");
	*pos = v ? strtoll(v, NULL, 10) : -1;
}

/* ---- calls ---------------------------------------------------------- */

static unsigned long scratch(struct cycle *c)
{
	if (!c->scratch) {
		int e = scr_scratch_alloc(c->p, SCRATCH_SIZE, &c->scratch);

		if (e)
			fail("scr_scratch_alloc: %s", strerror(-e));
	}
	return c->scratch;
}

static void poison(struct cycle *c, unsigned long addr, size_t len)
{
	unsigned char buf[SCRATCH_SIZE];

	memset(buf, POISON, len);
	if (scr_write(c->p, addr, buf, len) != (ssize_t)len)
		fail("scr_write of %zu bytes failed", len);
}

static void fetch(struct cycle *c, unsigned long addr, void *buf, size_t len)
{
	if (scr_read(c->p, addr, buf, len) != (ssize_t)len)
		fail("scr_read of %zu bytes failed", len);
}

/* Counts where thread i was stopped, the first time a call lands in it. */
static void touch(struct cycle *c, int i)
{
	c->cur_tid = c->tids[i];
	c->cur_where = c->where[i];
	if (c->touched[i])
		return;
	c->touched[i] = true;
	st.where[c->where[i]]++;
}

/* ", with SIGSEGV pending when stopped": what the thread had queued
 * (/proc SigPnd at attach), which explains some refusals. */
static const char *pending_text(struct cycle *c)
{
	static char buf[160];
	size_t n = 0;

	buf[0] = 0;
	for (int i = 0; i < c->nt; i++) {
		if (c->tids[i] != c->cur_tid || !c->sigpnd[i])
			continue;
		n += (size_t)snprintf(buf, sizeof(buf), ", with");
		for (int sig = 1; sig <= 64 && n < sizeof(buf) - 16; sig++)
			if (c->sigpnd[i] & (1ULL << (sig - 1)))
				n += (size_t)snprintf(buf + n, sizeof(buf) - n,
						      " %s", sig < 32 ?
						      sigabbrev_np(sig) : "RT");
		snprintf(buf + n, sizeof(buf) - n, " pending when stopped");
	}
	return buf;
}

/* One call that must run and succeed; its return value. */
static long call(struct cycle *c, pid_t tid, const char *name, long nr,
		 unsigned int nargs, unsigned long a0, unsigned long a1,
		 unsigned long a2, unsigned long a3, unsigned long a4)
{
	unsigned long args[6] = { a0, a1, a2, a3, a4, 0 };
	struct ptrace_sc_ret r;
	int e;

	memset(&r, 0x5a, sizeof(r));
	e = scr_syscall(c->p, tid, nr, args, nargs, &r);
	if (e)
		fail("%s: not executed: %s%s", name, strerror(-e),
		     pending_text(c));
	st.calls++;
	if (r.sr_error)
		fail("%s failed in the target: %s", name, strerror(r.sr_error));
	return r.sr_retval[0];
}

static void expect_eq(const char *what, long long got, long long want)
{
	if (got != want)
		fail("%s = %lld, expected %lld", what, got, want);
}

static void op_clock(struct cycle *c, pid_t tid)
{
	static const clockid_t clocks[] = { CLOCK_MONOTONIC, CLOCK_BOOTTIME,
					    CLOCK_REALTIME };
	clockid_t clk = clocks[below(3)];
	unsigned long a = scratch(c);
	struct timespec before, got, after;

	poison(c, a, sizeof(got));
	clock_gettime(clk, &before);
	call(c, tid, "clock_gettime", SYS_clock_gettime, 2,
	     (unsigned long)clk, a, 0, 0, 0);
	clock_gettime(clk, &after);
	fetch(c, a, &got, sizeof(got));
	/* REALTIME may be stepped by someone else: only the others are
	 * bounded on both sides. */
	if (got.tv_nsec < 0 || got.tv_nsec >= 1000000000L ||
	    (clk != CLOCK_REALTIME &&
	     ((got.tv_sec < before.tv_sec ||
	       (got.tv_sec == before.tv_sec && got.tv_nsec < before.tv_nsec)) ||
	      (got.tv_sec > after.tv_sec ||
	       (got.tv_sec == after.tv_sec && got.tv_nsec > after.tv_nsec)))))
		fail("clock_gettime(%d) = %lld.%09ld, not within our "
		     "%lld.%09ld .. %lld.%09ld", (int)clk,
		     (long long)got.tv_sec, got.tv_nsec,
		     (long long)before.tv_sec, before.tv_nsec,
		     (long long)after.tv_sec, after.tv_nsec);
}

static void same_file(int fd, const struct stat *got, const struct stat *want)
{
	if (got->st_dev != want->st_dev || got->st_ino != want->st_ino ||
	    got->st_mode != want->st_mode || got->st_rdev != want->st_rdev)
		fail("fstat(%d) in the target: dev %lx ino %lu mode %o; "
		     "/proc says dev %lx ino %lu mode %o", fd,
		     (unsigned long)got->st_dev, (unsigned long)got->st_ino,
		     got->st_mode, (unsigned long)want->st_dev,
		     (unsigned long)want->st_ino, want->st_mode);
}

static void local_stat(struct cycle *c, int fd, struct stat *sb)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/fd/%d", (int)c->pid, fd);
	if (stat(path, sb))
		fail("stat %s: %s", path, strerror(errno));
}

static void op_fstat(struct cycle *c, pid_t tid)
{
	int fd = c->fds[below((unsigned int)c->nfd)];
	unsigned long a = scratch(c);
	struct stat want, got;

	local_stat(c, fd, &want);
	poison(c, a, sizeof(got));
	call(c, tid, "fstat", SYS_fstat, 2, (unsigned long)fd, a, 0, 0, 0);
	fetch(c, a, &got, sizeof(got));
	same_file(fd, &got, &want);
}

static void op_fdinfo(struct cycle *c, pid_t tid)
{
	int fd = c->fds[below((unsigned int)c->nfd)];
	unsigned long flags;
	long long pos;
	struct stat sb;
	long fl, fdfl;

	fdinfo(c, fd, &flags, &pos);
	fdfl = call(c, tid, "fcntl(F_GETFD)", SYS_fcntl, 2, (unsigned long)fd,
		    F_GETFD, 0, 0, 0);
	fl = call(c, tid, "fcntl(F_GETFL)", SYS_fcntl, 2, (unsigned long)fd,
		  F_GETFL, 0, 0, 0);
	if (((unsigned long)fl | ((fdfl & FD_CLOEXEC) ? O_CLOEXEC : 0)) !=
	    flags)
		fail("fd %d: F_GETFL %lo, F_GETFD %ld; fdinfo flags %lo", fd,
		     fl, fdfl, flags);
	local_stat(c, fd, &sb);
	if (!S_ISREG(sb.st_mode))
		return;
	/* The offset, read before and after: another process that shares
	 * the open file (a log appended to) may move it meanwhile. */
	long long off = call(c, tid, "lseek", SYS_lseek, 3, (unsigned long)fd,
			     0, SEEK_CUR, 0, 0);
	long long after;

	fdinfo(c, fd, &flags, &after);
	if ((off < pos && off < after) || (off > pos && off > after))
		fail("fd %d: lseek(SEEK_CUR) says %lld, fdinfo pos %lld then "
		     "%lld", fd, off, pos, after);
}

static void op_sock(struct cycle *c, pid_t tid)
{
	unsigned long a = scratch(c), len = a + 64;
	struct sockaddr_in sin;
	socklen_t n;
	int v;

	if (c->listen_fd < 0) {
		op_fstat(c, tid);
		return;
	}
	static const struct { int opt, want; const char *name; } opts[] = {
		{ SO_ACCEPTCONN, 1, "SO_ACCEPTCONN" },
		{ SO_TYPE, SOCK_STREAM, "SO_TYPE" },
		{ SO_DOMAIN, AF_INET, "SO_DOMAIN" },
	};
	unsigned int k = below(3);

	n = sizeof(v);
	poison(c, a, 128);
	if (scr_write(c->p, len, &n, sizeof(n)) != sizeof(n))
		fail("scr_write failed");
	call(c, tid, "getsockopt", SYS_getsockopt, 5,
	     (unsigned long)c->listen_fd, SOL_SOCKET,
	     (unsigned long)opts[k].opt, a, len);
	fetch(c, a, &v, sizeof(v));
	expect_eq(opts[k].name, v, opts[k].want);

	n = sizeof(sin);
	poison(c, a, 128);
	if (scr_write(c->p, len, &n, sizeof(n)) != sizeof(n))
		fail("scr_write failed");
	call(c, tid, "getsockname", SYS_getsockname, 3,
	     (unsigned long)c->listen_fd, a, len, 0, 0);
	fetch(c, a, &sin, sizeof(sin));
	fetch(c, len, &n, sizeof(n));
	if (n != sizeof(sin) || sin.sin_family != AF_INET ||
	    ntohs(sin.sin_port) != listen_port ||
	    sin.sin_addr.s_addr != htonl(INADDR_LOOPBACK))
		fail("getsockname(%d): family %d port %d addr %08x len %u",
		     c->listen_fd, sin.sin_family, ntohs(sin.sin_port),
		     ntohl(sin.sin_addr.s_addr), n);
}

static void op_uname(struct cycle *c, pid_t tid)
{
	unsigned long a = scratch(c);
	struct utsname want, got;

	if (uname(&want))
		fail("uname: %s", strerror(errno));
	poison(c, a, sizeof(got));
	call(c, tid, "uname", SYS_uname, 1, a, 0, 0, 0, 0);
	fetch(c, a, &got, sizeof(got));
	if (memcmp(&got, &want, sizeof(got)) != 0)
		fail("uname in the target differs from ours");
}

static void op_sigmask(struct cycle *c, int i)
{
	unsigned long a = scratch(c);
	uint64_t got;

	poison(c, a, sizeof(got));
	call(c, c->tids[i], "rt_sigprocmask", SYS_rt_sigprocmask, 4,
	     SIG_BLOCK, 0, a, 8, 0);
	fetch(c, a, &got, sizeof(got));
	if (got != c->sigblk[i])
		fail("the call saw signal mask %016" PRIx64 ", the thread's "
		     "is %016" PRIx64, got, c->sigblk[i]);
}

/*
 * A batch: a few plain calls, then dup(fd) and the new fd used through
 * references by fstat, fcntl(F_GETFD) and close.
 */
static void op_batch(struct cycle *c, pid_t tid)
{
	struct scr_call b[12];
	int fd = c->fds[below((unsigned int)c->nfd)];
	unsigned long a = scratch(c);
	size_t n = 0, nplain = 1 + below(5), dup_at;
	long want[12];
	struct stat sb, got;
	int r;

	memset(b, 0, sizeof(b));
	for (size_t k = 0; k < nplain; k++, n++) {
		switch (below(3)) {
		case 0:
			b[n].nr = SYS_getpid;
			want[n] = c->pid;
			break;
		case 1:
			b[n].nr = SYS_gettid;
			want[n] = tid ? tid : c->pid;
			break;
		default:
			b[n].nr = SYS_getppid;
			want[n] = c->ppid;
			break;
		}
	}
	dup_at = n;
	b[n++] = (struct scr_call){ .nr = SYS_dup, .nargs = 1,
				    .args = { (unsigned long)fd } };
	b[n++] = (struct scr_call){ .nr = SYS_fstat, .nargs = 2,
				    .ref_mask = 1, .args = { dup_at, a } };
	b[n++] = (struct scr_call){ .nr = SYS_fcntl, .nargs = 2,
				    .ref_mask = 1,
				    .args = { dup_at, F_GETFD } };
	b[n++] = (struct scr_call){ .nr = SYS_close, .nargs = 1,
				    .ref_mask = 1, .args = { dup_at } };
	local_stat(c, fd, &sb);
	poison(c, a, sizeof(got));
	r = scr_batch(c->p, tid, b, n, SCR_BATCH_STOP_ON_ERROR);
	if (r < 0)
		fail("scr_batch: %s", strerror(-r));
	st.calls += (unsigned long)r;
	st.batched += (unsigned long)r;
	for (size_t k = 0; k < n; k++)
		if (b[k].status || b[k].ret.sr_error)
			fail("batch call %zu (nr %ld): status %s, error %s", k,
			     b[k].nr, strerror(-b[k].status),
			     strerror(b[k].ret.sr_error));
	if ((size_t)r != n)
		fail("scr_batch ran %d calls of %zu", r, n);
	for (size_t k = 0; k < nplain; k++)
		expect_eq("batch: getpid/gettid/getppid", b[k].ret.sr_retval[0],
			  want[k]);
	long nfd = b[dup_at].ret.sr_retval[0];

	for (int k = 0; k < c->nfd; k++)
		if (c->fds[k] == nfd)
			fail("dup(%d) returned %ld, an fd already open", fd,
			     nfd);
	fetch(c, a, &got, sizeof(got));
	same_file((int)nfd, &got, &sb);
	expect_eq("fcntl(dup, F_GETFD)", b[dup_at + 2].ret.sr_retval[0], 0);
	expect_eq("close(dup)", b[dup_at + 3].ret.sr_retval[0], 0);
}

static void note_thread(pid_t tid)
{
	for (size_t i = 0; i < st.nseen; i++)
		if (st.seen[i] == (unsigned long)tid)
			return;
	if (st.nseen < MAX_THREADS)
		st.seen[st.nseen++] = (unsigned long)tid;
}

/* One call (or batch) in a random thread. */
static void one(struct cycle *c)
{
	int i = (int)below((unsigned int)c->nt);
	enum op op = (enum op)below(OP_N);
	pid_t tid = c->tids[i];
	/* tid 0 names the main thread: use it now and then. */
	pid_t arg = tid == c->pid && below(2) ? 0 : tid;

	touch(c, i);
	note_thread(tid);
	st.ops[op]++;
	switch (op) {
	case OP_GETPID:
		expect_eq("getpid", call(c, arg, "getpid", SYS_getpid, 0,
					 0, 0, 0, 0, 0), c->pid);
		break;
	case OP_GETTID:
		expect_eq("gettid", call(c, arg, "gettid", SYS_gettid, 0,
					 0, 0, 0, 0, 0), tid);
		break;
	case OP_GETPPID:
		expect_eq("getppid", call(c, arg, "getppid", SYS_getppid, 0,
					  0, 0, 0, 0, 0), c->ppid);
		break;
	case OP_CLOCK:
		op_clock(c, arg);
		break;
	case OP_FSTAT:
		op_fstat(c, arg);
		break;
	case OP_FDINFO:
		op_fdinfo(c, arg);
		break;
	case OP_SOCK:
		op_sock(c, arg);
		break;
	case OP_UNAME:
		op_uname(c, arg);
		break;
	case OP_SIGMASK:
		op_sigmask(c, i);
		break;
	case OP_BATCH:
		op_batch(c, arg);
		break;
	default:
		break;
	}
	c->cur_tid = 0;
}

/*
 * Signals from outside (-s FILE): SIGUSR2 to the process or to one of
 * its threads, at a random moment: while it is stopped by us, between
 * two calls, or while it runs.  The target counts each one it receives
 * in FILE, and the next is sent only when it has, so that none can merge
 * with another: at the end every signal sent must have been counted.
 */
static unsigned long acked(void)
{
	char buf[64];

	if (read_file(ack_file, buf, sizeof(buf)) <= 0)
		return 0;
	return strtoul(buf, NULL, 10);
}

static void maybe_signal(struct cycle *c, bool attached)
{
	unsigned long got;
	int r;

	if (!ack_file || below(3) != 0)
		return;
	got = acked();
	if (got > sig_sent)
		fail("the target counted %lu SIGUSR2, %lu were sent", got,
		     sig_sent);
	if (got < sig_sent)
		return;		/* the last one is still on its way */
	/* To the process, or to its main thread: not to another thread,
	 * which may block it for ever (a thread pool's) or end before it
	 * takes it (Go and Node make and end threads all along), and
	 * the signal would be lost with it, as the kernel says. */
	bool to_main = false;

	for (int i = 0; i < c->nt; i++)
		if (c->tids[i] == c->pid)
			to_main = !(c->sigblk[i] & (1ULL << (SIGUSR2 - 1)));
	if (to_main && below(2))
		r = (int)syscall(SYS_tgkill, c->pid, c->pid, SIGUSR2);
	else
		r = kill(c->pid, SIGUSR2);
	if (r)
		fail("sending SIGUSR2: %s", strerror(errno));
	sig_sent++;
	sig_attached += attached;
}

/* At the end: every signal sent arrives (bounded wait). */
static void signals_all_counted(void)
{
	double end = now_ms() + 30000;
	unsigned long got;

	while ((got = acked()) < sig_sent && now_ms() < end)
		sleep_us(10000);
	if (got != sig_sent)
		fail("the target counted %lu SIGUSR2 of the %lu sent (%lu "
		     "of them while it was attached)", got, sig_sent,
		     sig_attached);
}

static struct cycle cyc;

static void attach_cycle(pid_t pid)
{
	struct cycle *c = &cyc;
	double t0 = now_ms(), t1;
	unsigned int ncalls;
	int e;

	memset(c, 0, sizeof(*c));
	c->pid = pid;
	c->listen_fd = -1;
	cur = c;
	e = scr_attach(pid, 0, &c->p);
	if (e)
		fail("scr_attach: %s", strerror(-e));
	t1 = now_ms();
	st.attaches++;
	if (t1 - t0 > st.attach_max_ms)
		st.attach_max_ms = t1 - t0;
	c->nt = scr_threads(c->p, c->tids, MAX_THREADS);
	if (c->nt <= 0 || c->nt > MAX_THREADS)
		fail("scr_threads: %d", c->nt);
	if ((size_t)c->nt > st.max_threads)
		st.max_threads = (size_t)c->nt;
	check_all_stopped(c);
	for (int i = 0; i < c->nt; i++)
		c->where[i] = classify(pid, c->tids[i]);
	c->ppid = parent_of(pid);
	list_fds(c);

	/* Mostly a few calls, sometimes many; now and then the target is
	 * held a while, as a person at the command line would. */
	ncalls = below(8) == 0 ? 10 + below(30) : 1 + below(6);
	maybe_signal(c, true);
	for (unsigned int k = 0; k < ncalls; k++) {
		one(c);
		if (k == ncalls / 2)
			maybe_signal(c, true);
	}
	if (below(32) == 0)
		sleep_us(2000 + below(10000));
	e = scr_detach(c->p);
	c->p = NULL;
	if (e)
		fail("scr_detach: %s", strerror(-e));
	check_all_released(pid);
	maybe_signal(c, false);
	if (now_ms() - t0 > st.cycle_max_ms)
		st.cycle_max_ms = now_ms() - t0;
	cur = NULL;
}

/* Lets the target run: often not at all, mostly briefly. */
static void pause_between(void)
{
	switch (below(4)) {
	case 0:
		break;
	case 1:
	case 2:
		sleep_us(100 + below(2000));
		break;
	default:
		sleep_us(2000 + below(15000));
		break;
	}
}

static void report(double secs)
{
	printf("inject: %lu attaches, %lu calls (%lu in batches) in "
	       "%.1f s, into %zu threads (at most %zu at once)\n",
	       st.attaches, st.calls, st.batched, secs, st.nseen,
	       st.max_threads);
	printf("inject: threads were stopped in:");
	for (int w = 0; w < W_N; w++)
		printf("%s %s %lu", w ? "," : "", where_name[w], st.where[w]);
	printf("\ninject: ops:");
	for (int o = 0; o < OP_N; o++)
		printf("%s %s %lu", o ? "," : "", op_name[o], st.ops[o]);
	printf("\ninject: longest attach %.1f ms, longest cycle %.1f ms\n",
	       st.attach_max_ms, st.cycle_max_ms);
	if (ack_file)
		printf("inject: %lu SIGUSR2 sent (%lu while attached), each "
		       "one received\n", sig_sent, sig_attached);
}

/* "futex,epoll": the states that calls must have landed in. */
static unsigned int parse_states(const char *list)
{
	unsigned int mask = 0;
	char buf[256], *save = NULL;

	snprintf(buf, sizeof(buf), "%s", list);
	for (char *t = strtok_r(buf, ",", &save); t;
	     t = strtok_r(NULL, ",", &save)) {
		int w;

		for (w = 0; w < W_N; w++)
			if (strncmp(where_name[w], t, strlen(t)) == 0)
				break;
		if (w == W_N) {
			fprintf(stderr, "inject: unknown state '%s'\n", t);
			exit(2);
		}
		mask |= 1u << w;
	}
	return mask;
}

static void usage(void)
{
	fprintf(stderr, "usage: inject [-p PORT] [-s FILE] [-w STATE,...] PID "
		"SECONDS\n"
		"  -p PORT   the target listens on 127.0.0.1:PORT\n"
		"  -s FILE   send SIGUSR2 now and then; the target counts them"
		" in FILE\n"
		"  -w STATES calls must have landed in threads stopped in each"
		" (futex, epoll, poll, sleep, restart, user, other)\n");
	exit(2);
}

int main(int argc, char **argv)
{
	const char *seed_env = getenv("SCREMOTE_RUNTIMES_SEED");
	unsigned int want_states = 0;
	double start, secs;
	uint64_t seed;
	pid_t pid;
	int o;

	while ((o = getopt(argc, argv, "p:s:w:")) != -1) {
		if (o == 'p')
			listen_port = atoi(optarg);
		else if (o == 's')
			ack_file = optarg;
		else if (o == 'w')
			want_states = parse_states(optarg);
		else
			usage();
	}
	if (argc - optind != 2)
		usage();
	pid = (pid_t)atoi(argv[optind]);
	secs = atof(argv[optind + 1]);
	if (pid <= 0 || secs <= 0 || listen_port < 0 || listen_port > 65535)
		usage();
	if (seed_env) {
		seed = strtoull(seed_env, NULL, 0);
	} else {
		struct timespec ts;
		char buf[32];

		clock_gettime(CLOCK_REALTIME, &ts);
		seed = ((uint64_t)ts.tv_nsec << 20) ^ (uint64_t)ts.tv_sec ^
		       ((uint64_t)getpid() << 40);
		snprintf(buf, sizeof(buf), "0x%" PRIx64, seed);
		setenv("SCREMOTE_RUNTIMES_SEED", buf, 1);
	}
	rng_state = seed ? seed : 1;
	printf("inject: pid %d for %.0f s, seed 0x%" PRIx64 "\n", (int)pid,
	       secs, seed);
	fflush(stdout);

	start = now_ms();
	while ((now_ms() - start) / 1e3 < secs || st.attaches < MIN_ATTACHES ||
	       st.calls < MIN_CALLS) {
		/* Hundreds of cycles take a few seconds; this is a hang. */
		if ((now_ms() - start) / 1e3 > 3 * secs + 30)
			fail("only %lu attaches and %lu calls in %.0f s",
			     st.attaches, st.calls, (now_ms() - start) / 1e3);
		cycle_no = st.attaches + 1;
		attach_cycle(pid);
		pause_between();
	}
	if (ack_file)
		signals_all_counted();
	report((now_ms() - start) / 1e3);
	for (int w = 0; w < W_N; w++)
		if ((want_states & (1u << w)) && st.where[w] == 0)
			fail("no call landed in a thread stopped in %s: the "
			     "run did not exercise what it should",
			     where_name[w]);
	printf("inject: PASS\n");
	return 0;
}
