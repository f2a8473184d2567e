#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "targets.h"

double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

void msleep(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

void target_start(struct target *t, target_fn fn, void *arg)
{
	int rep[2], out[2], in[2];

	CHECK(pipe2(rep, O_CLOEXEC) == 0 && pipe(out) == 0 && pipe(in) == 0);
	t->tgt_out = out[1];
	t->tgt_in = in[0];
	t->pid = fork();
	CHECK(t->pid >= 0, "fork: %s", strerror(errno));
	if (t->pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		close(rep[0]);
		close(out[0]);
		close(in[1]);
		t->rep = rep[1];
		fn(t, arg);
		_exit(0);
	}
	close(rep[1]);
	close(out[1]);
	close(in[0]);
	t->rep = rep[0];
	t->out = out[0];
	t->in = in[1];
}

void target_idle(struct target *t, void *arg)
{
	(void)arg;
	say(t, "READY");
	for (;;)
		pause();
}

void target_reader(struct target *t, void *arg)
{
	char buf[16] = { 0 };
	ssize_t n;

	(void)arg;
	say(t, "READY");
	n = read(t->tgt_in, buf, 5);
	if (n != 5 || memcmp(buf, "hello", 5) != 0)
		say(t, "BAD read returned %zd (%s) '%s'", n,
		    n < 0 ? strerror(errno) : "", buf);
	else
		say(t, "OK");
}

void say(struct target *t, const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	if (n > (int)sizeof(buf) - 2)
		n = (int)sizeof(buf) - 2;
	buf[n++] = '\n';
	if (write(t->rep, buf, (size_t)n) < 0)
		_exit(3);
}

static void read_bounded(int fd, char *buf, size_t n, int timeout_ms,
			 bool line, const char *what)
{
	size_t got = 0;
	double end = now_s() + timeout_ms / 1000.0;

	while (got < n) {
		struct pollfd pfd = { fd, POLLIN, 0 };
		int left = (int)((end - now_s()) * 1000);

		CHECK(left > 0, "no %s from the target within %d ms (got %zu bytes)",
		      what, timeout_ms, got);
		if (poll(&pfd, 1, left) <= 0)
			continue;
		ssize_t r = read(fd, buf + got, line ? 1 : n - got);

		CHECK(r > 0, "target closed its %s pipe (got %zu bytes)", what,
		      got);
		got += (size_t)r;
		if (line && buf[got - 1] == '\n') {
			buf[got - 1] = '\0';
			return;
		}
	}
	if (line)
		buf[n - 1] = '\0';
}

void expect_line(struct target *t, char *buf, size_t len, int timeout_ms)
{
	read_bounded(t->rep, buf, len, timeout_ms, true, "report");
}

void expect_ready(struct target *t)
{
	char buf[256];

	expect_line(t, buf, sizeof(buf), 5000);
	CHECK(strcmp(buf, "READY") == 0, "target said '%s', not READY", buf);
}

void expect_ok(struct target *t, int timeout_ms)
{
	char buf[512];

	expect_line(t, buf, sizeof(buf), timeout_ms);
	CHECK(strncmp(buf, "OK", 2) == 0, "target reports: %s", buf);
}

void expect_out(struct target *t, const char *data, size_t n)
{
	char buf[256];

	CHECK(n <= sizeof(buf));
	read_bounded(t->out, buf, n, 2000, false, "output");
	CHECK(memcmp(buf, data, n) == 0, "target wrote '%.*s'", (int)n, buf);
}

static bool proc_line(pid_t pid, const char *file, char *buf, size_t len)
{
	char path[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return false;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	return true;
}

void wait_in_syscall(pid_t tid, long nr, int timeout_ms)
{
	double end = now_s() + timeout_ms / 1000.0;
	char buf[512];

	for (;;) {
		long now = proc_line(tid, "syscall", buf, sizeof(buf)) ?
				   strtol(buf, NULL, 10) : -2;

		/* A call may be resumed through restart_syscall. */
		if (now == nr || now == SYS_restart_syscall)
			break;
		CHECK(now_s() < end, "thread %d not in syscall %ld after %d ms "
		      "(/proc says '%.40s')", (int)tid, nr, timeout_ms, buf);
		msleep(2);
	}
	msleep(20);	/* let it settle into its sleep */
}

void wait_state(pid_t pid, char c, int timeout_ms)
{
	double end = now_s() + timeout_ms / 1000.0;
	char buf[512];

	for (;;) {
		char *p;

		if (proc_line(pid, "stat", buf, sizeof(buf)) &&
		    (p = strrchr(buf, ')')) && p[1] && p[2] == c)
			return;
		CHECK(now_s() < end, "process %d never reached state %c",
		      (int)pid, c);
		msleep(2);
	}
}

void target_kill(struct target *t)
{
	if (t->pid > 0) {
		kill(t->pid, SIGKILL);
		waitpid(t->pid, NULL, __WALL);
	}
}

long rcall(struct scr_proc *p, pid_t tid, long nr, int nargs, ...)
{
	unsigned long args[6] = { 0 };
	struct ptrace_sc_ret ret;
	va_list ap;
	int e;

	va_start(ap, nargs);
	for (int i = 0; i < nargs; i++)
		args[i] = va_arg(ap, unsigned long);
	va_end(ap);
	e = scr_syscall(p, tid, nr, args, (unsigned int)nargs, &ret);
	CHECK(e == 0, "scr_syscall(%ld) = %d (%s)", nr, e, strerror(-e));
	CHECK(ret.sr_error == 0, "remote syscall %ld failed: %s", nr,
	      strerror(ret.sr_error));
	return ret.sr_retval[0];
}

void exercise(struct scr_proc *p, struct target *t, pid_t tid)
{
	unsigned long path, addr;
	char back[64];
	long fd, a;

	CHECK_EQ(rcall(p, tid, SYS_getpid, 0), t->pid);
	CHECK_EQ(rcall(p, tid, SYS_getppid, 0), getpid());
	CHECK_EQ(rcall(p, tid, SYS_gettid, 0), tid ? tid : t->pid);
	CHECK_EQ(rcall(p, tid, SYS_write, 3, (unsigned long)t->tgt_out,
		       0UL, 0UL), 0);
	CHECK_OK(scr_push(p, "ping", 4, &addr));
	CHECK_EQ(rcall(p, tid, SYS_write, 3, (unsigned long)t->tgt_out, addr,
		       4UL), 4);
	expect_out(t, "ping", 4);
	CHECK_OK(scr_push(p, "/dev/null", 10, &path));
	fd = rcall(p, tid, SYS_openat, 3, (unsigned long)AT_FDCWD, path,
		   (unsigned long)O_RDONLY);
	CHECK(fd >= 0);
	CHECK_EQ(rcall(p, tid, SYS_close, 1, (unsigned long)fd), 0);
	a = rcall(p, tid, SYS_mmap, 6, 0UL, 4096UL,
		  (unsigned long)(PROT_READ | PROT_WRITE),
		  (unsigned long)(MAP_PRIVATE | MAP_ANONYMOUS), -1UL, 0UL);
	CHECK(a > 0 && (a & 4095) == 0, "mmap gave %lx", a);
	CHECK_EQ(scr_write(p, (unsigned long)a, "remote memory", 14), 14);
	CHECK_EQ(scr_read(p, (unsigned long)a, back, 14), 14);
	CHECK(memcmp(back, "remote memory", 14) == 0);
	CHECK_EQ(rcall(p, tid, SYS_munmap, 2, (unsigned long)a, 4096UL), 0);
	scr_scratch_reset(p);
}
