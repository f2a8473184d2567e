/*
 * Robustness: many threads, threads coming and going, deadlock escape,
 * targets that die or change image during a call, signal storms, pid
 * reuse.  Where a test needs to see the target through its real parent's
 * eyes, the target is a grandchild, so that what its parent observes is
 * not mixed up with what we observe as its tracer.
 */
#include <dirent.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "scremote.h"
#include "targets.h"

/* ---- many threads ------------------------------------------------- */

#define NTHREADS 200
#define SMALL_STACK (64 * 1024)	/* room for the library's calls only */

static volatile unsigned long counters[NTHREADS];

static void *count_forever(void *arg)
{
	volatile unsigned long *c = arg;

	for (;;) {
		(*c)++;
		if ((*c & 0x3ff) == 0)
			sched_yield();
	}
	return NULL;
}

static void threads200(struct target *t, void *arg)
{
	unsigned long before[NTHREADS];
	pthread_attr_t attr;
	pthread_t th;
	char c;

	(void)arg;
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 65536);
	for (int i = 0; i < NTHREADS; i++) {
		int e = pthread_create(&th, &attr, count_forever,
				       (void *)&counters[i]);

		if (e) {
			say(t, "BAD pthread_create %d: %s", i, strerror(e));
			return;
		}
	}
	say(t, "READY");
	say(t, "%lx", (unsigned long)counters);
	if (read(t->tgt_in, &c, 1) != 1)
		_exit(1);
	memcpy(before, (void *)counters, sizeof(before));
	msleep(300);
	for (int i = 0; i < NTHREADS; i++)
		if (counters[i] == before[i]) {
			say(t, "BAD thread %d stopped running", i);
			return;
		}
	say(t, "OK");
}

TEST_T(two_hundred_threads_all_stopped_then_all_running, 60)
{
	static unsigned long snap1[NTHREADS], snap2[NTHREADS];
	static pid_t tids[NTHREADS + 8];
	struct scr_proc *p;
	struct target t;
	char addr[64];
	int n;

	target_start(&t, threads200, NULL);
	expect_ready(&t);
	expect_line(&t, addr, sizeof(addr), 2000);
	unsigned long where = strtoul(addr, NULL, 16);

	for (int round = 0; round < 3; round++) {
		CHECK_OK(scr_attach(t.pid, 0, &p));
		n = scr_threads(p, tids, NTHREADS + 8);
		CHECK_EQ(n, NTHREADS + 1);
		CHECK_EQ(scr_read(p, where, snap1, sizeof(snap1)),
			 (long)sizeof(snap1));
		for (int i = 0; i < n; i += 17)
			CHECK_EQ(rcall(p, tids[i], SYS_gettid, 0), tids[i]);
		exercise(p, &t, tids[n - 1]);
		/* Nothing ran but the calls: no counter moved. */
		CHECK_EQ(scr_read(p, where, snap2, sizeof(snap2)),
			 (long)sizeof(snap2));
		CHECK(memcmp(snap1, snap2, sizeof(snap1)) == 0,
		      "a thread ran while the process was attached");
		CHECK_OK(scr_detach(p));
	}
	CHECK(write(t.in, "x", 1) == 1);
	expect_ok(&t, 5000);
	target_kill(&t);
}

static void *short_life(void *arg)
{
	(void)arg;
	return NULL;
}

static void *spawner(void *arg)
{
	(void)arg;
	for (;;) {
		pthread_t th;

		if (pthread_create(&th, NULL, short_life, NULL) == 0)
			pthread_join(th, NULL);
	}
	return NULL;
}

static void churner(struct target *t, void *arg)
{
	pthread_t th;
	char c;

	(void)arg;
	for (int i = 0; i < 3; i++)
		pthread_create(&th, NULL, spawner, NULL);
	say(t, "READY");
	if (read(t->tgt_in, &c, 1) != 1)
		_exit(1);
	say(t, "OK");
}

/* No thread of the process is left in a tracing stop. */
static void none_traced(pid_t pid)
{
	char path[320], buf[512];
	struct dirent *d;
	DIR *dir;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	dir = opendir(path);
	CHECK(dir);
	while ((d = readdir(dir))) {
		if (d->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/%d/task/%s/status",
			 (int)pid, d->d_name);
		int fd = open(path, O_RDONLY);

		if (fd < 0)
			continue;	/* gone meanwhile */
		ssize_t n = read(fd, buf, sizeof(buf) - 1);

		close(fd);
		buf[n > 0 ? n : 0] = '\0';
		char *tp = strstr(buf, "TracerPid:");

		CHECK(!tp || strtol(tp + 10, NULL, 10) == 0,
		      "thread %s still traced", d->d_name);
	}
	closedir(dir);
}

TEST_T(threads_born_and_dying_during_attach, 60)
{
	struct scr_proc *p;
	struct target t;

	target_start(&t, churner, NULL);
	expect_ready(&t);
	for (int i = 0; i < 30; i++) {
		pid_t tids[64];

		CHECK_OK(scr_attach(t.pid, 0, &p));
		int n = scr_threads(p, tids, 64);

		CHECK(n >= 4, "%d threads", n);
		CHECK_EQ(rcall(p, 0, SYS_getpid, 0), t.pid);
		CHECK_EQ(rcall(p, tids[1], SYS_gettid, 0), tids[1]);
		CHECK_OK(scr_detach(p));
	}
	msleep(50);
	none_traced(t.pid);
	CHECK(write(t.in, "x", 1) == 1);
	expect_ok(&t, 5000);
	target_kill(&t);
}

/* ---- deadlock escape ---------------------------------------------- */

static int *lock_word;

static void *lock_holder(void *arg)
{
	struct target *t = arg;
	char c;

	__atomic_store_n(lock_word, 1, __ATOMIC_SEQ_CST);	/* locked */
	/* Hold the lock until told, then release it properly. */
	if (read(t->tgt_in, &c, 1) != 1)
		_exit(1);
	__atomic_store_n(lock_word, 0, __ATOMIC_SEQ_CST);
	syscall(SYS_futex, lock_word, FUTEX_WAKE, 1, NULL, NULL, 0);
	return NULL;
}

static void locker(struct target *t, void *arg)
{
	pthread_t th;
	long r;

	(void)arg;
	lock_word = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	pthread_create(&th, NULL, lock_holder, t);
	/* The main thread waits for the lock like any program would. */
	while (__atomic_load_n(lock_word, __ATOMIC_SEQ_CST) == 0)
		sched_yield();
	/* Only this thread reports, so that the lines come in order. */
	say(t, "READY");
	say(t, "%lx", (unsigned long)lock_word);
	do
		r = syscall(SYS_futex, lock_word, FUTEX_WAIT, 1, NULL, NULL, 0);
	while (__atomic_load_n(lock_word, __ATOMIC_SEQ_CST) != 0);
	pthread_join(th, NULL);
	say(t, r == 0 || errno == EAGAIN ? "OK" : "BAD futex failed");
}

TEST(deadlocked_call_escapes_on_timeout)
{
	struct ptrace_sc_ret ret;
	struct scr_proc *p;
	struct target t;
	char addr[64];
	double t0;

	target_start(&t, locker, NULL);
	expect_ready(&t);
	expect_line(&t, addr, sizeof(addr), 2000);
	wait_in_syscall(t.pid, SYS_futex, 2000);
	CHECK_OK(scr_attach(t.pid, 0, &p));
	scr_set_timeout(p, 200);
	/* Wait, in the main thread, for the lock the suspended thread
	 * holds: it can never come, since that thread does not run. */
	unsigned long args[6] = { strtoul(addr, NULL, 16), FUTEX_WAIT, 1,
				  0, 0, 0 };
	t0 = now_s();
	CHECK_EQ(scr_syscall(p, 0, SYS_futex, args, 6, &ret), -ETIMEDOUT);
	CHECK(now_s() - t0 < 1.5);
	exercise(p, &t, 0);
	CHECK_OK(scr_detach(p));
	/* The target finishes its own work as if nothing had happened. */
	CHECK(write(t.in, "x", 1) == 1);
	expect_ok(&t, 3000);
	target_kill(&t);
}

/* ---- faults --------------------------------------------------------- */

/*
 * A target as a grandchild: the middle process is its real parent and
 * reports, on the report pipe, the wait status it gets.
 */
struct grand {
	struct target t;	/* t.pid is the grandchild */
	pid_t middle;
	int status_fd;		/* the middle process writes "STATUS n" */
};

static void grand_start(struct grand *g, target_fn fn, void *arg)
{
	int sp[2], pp[2];

	CHECK(pipe(sp) == 0 && pipe(pp) == 0);
	g->middle = fork();
	CHECK(g->middle >= 0);
	if (g->middle == 0) {
		struct target t;
		int status;

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		close(sp[0]);
		close(pp[0]);
		target_start(&t, fn, arg);
		/* Hand the target's pipes and pid to the test. */
		dprintf(pp[1], "%d\n", (int)t.pid);
		while (waitpid(t.pid, &status, 0) < 0 && errno == EINTR)
			;
		dprintf(sp[1], "STATUS %d\n", status);
		_exit(0);
	}
	close(sp[1]);
	close(pp[1]);
	g->status_fd = sp[0];
	char buf[32] = { 0 };
	ssize_t n = read(pp[0], buf, sizeof(buf) - 1);

	CHECK(n > 0);
	close(pp[0]);
	g->t.pid = (pid_t)atoi(buf);
	g->t.rep = -1;
}

/* The wait status the real parent got, bounded. */
static int grand_status(struct grand *g, int timeout_ms)
{
	struct target tmp = { .rep = g->status_fd };
	char buf[64];

	expect_line(&tmp, buf, sizeof(buf), timeout_ms);
	CHECK(strncmp(buf, "STATUS ", 7) == 0, "%s", buf);
	return atoi(buf + 7);
}

static void grand_kill(struct grand *g)
{
	kill(g->t.pid, SIGKILL);
	kill(g->middle, SIGKILL);
	waitpid(g->middle, NULL, 0);
}

static void *sleep_forever(void *arg)
{
	(void)arg;
	for (;;)
		pause();
	return NULL;
}

static void quiet(struct target *t, void *arg)
{
	pthread_t th;

	(void)t;
	for (long i = 0; i < (long)arg; i++)
		pthread_create(&th, NULL, sleep_forever, NULL);
	for (;;)
		pause();
}

TEST(target_killed_during_a_call)
{
	struct ptrace_sc_ret ret;
	struct scr_proc *p;
	struct grand g;
	int pfd[2];
	double t0;

	grand_start(&g, quiet, (void *)3L);
	msleep(50);
	CHECK_OK(scr_attach(g.t.pid, 0, &p));
	/* A remote read on a pipe nobody writes to: it blocks. */
	unsigned long buf;

	CHECK_OK(scr_scratch_alloc(p, 16, &buf));
	CHECK(pipe(pfd) == 0);
	long fd = rcall(p, 0, SYS_pipe2, 2, buf, 0UL);

	CHECK_EQ(fd, 0);
	int fds[2];

	CHECK_EQ(scr_read(p, buf, fds, sizeof(fds)), 8);
	unsigned long args[3] = { (unsigned long)fds[0], buf, 8 };
	pid_t killer = fork();

	if (killer == 0) {
		msleep(150);
		kill(g.t.pid, SIGKILL);
		_exit(0);
	}
	t0 = now_s();
	CHECK_EQ(scr_syscall(p, 0, SYS_read, args, 3, &ret), -ESRCH);
	CHECK(now_s() - t0 < 2.0, "took %.2f s", now_s() - t0);
	int e = scr_detach(p);

	CHECK(e == 0 || e == -ESRCH, "scr_detach: %d", e);
	int status = grand_status(&g, 3000);

	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
	      "parent saw status %#x", status);
	waitpid(killer, NULL, 0);
	grand_kill(&g);
}

TEST(exit_group_reports_the_exit_status)
{
	struct ptrace_sc_ret ret;
	unsigned long args[1] = { 7 };
	struct scr_proc *p;
	struct grand g;
	int status;

	grand_start(&g, quiet, (void *)4L);
	msleep(50);
	CHECK_OK(scr_attach(g.t.pid, 0, &p));
	CHECK_EQ(scr_exit_status(p, &status), -EAGAIN);
	CHECK_EQ(scr_syscall(p, 0, SYS_exit_group, args, 1, &ret), -ESRCH);
	CHECK_OK(scr_exit_status(p, &status));
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 7,
	      "status %#x", status);
	int e = scr_detach(p);

	CHECK(e == 0 || e == -ESRCH, "scr_detach: %d", e);
	status = grand_status(&g, 3000);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 7,
	      "parent saw status %#x", status);
	grand_kill(&g);
}

TEST(execve_gives_a_new_image_that_calls_still_reach)
{
	unsigned long path, a1, a2, argv[3];
	struct scr_proc *p;
	struct target t;
	char exe[256];

	target_start(&t, target_idle, NULL);
	expect_ready(&t);
	CHECK_OK(scr_attach(t.pid, 0, &p));
	CHECK_OK(scr_push(p, "/bin/sleep", 11, &path));
	CHECK_OK(scr_push(p, "sleep", 6, &a1));
	CHECK_OK(scr_push(p, "1000", 5, &a2));
	argv[0] = a1;
	argv[1] = a2;
	argv[2] = 0;
	unsigned long av;

	CHECK_OK(scr_push(p, argv, sizeof(argv), &av));
	CHECK_EQ(rcall(p, 0, SYS_execve, 3, path, av, 0UL), 0);
	/* The same process, a new program, still reachable, with scratch
	 * memory of its own (the old went with the old image). */
	CHECK_EQ(rcall(p, 0, SYS_getpid, 0), t.pid);
	CHECK_EQ(rcall(p, 0, SYS_getppid, 0), getpid());
	CHECK_OK(scr_push(p, "/", 2, &path));
	CHECK_EQ(rcall(p, 0, SYS_chdir, 1, path), 0);
	CHECK_OK(scr_detach(p));
	snprintf(exe, sizeof(exe), "/proc/%d/exe", (int)t.pid);
	char link[256] = { 0 };

	CHECK(readlink(exe, link, sizeof(link) - 1) > 0);
	CHECK(strstr(link, "sleep"), "exe is %s", link);
	wait_state(t.pid, 'S', 2000);
	target_kill(&t);
}

/* ---- signal storm --------------------------------------------------- */

static volatile sig_atomic_t storm_usr1, storm_alrm, storm_rt;

static void storm_handler(int sig)
{
	if (sig == SIGUSR1)
		storm_usr1++;
	else if (sig == SIGALRM)
		storm_alrm++;
	else
		storm_rt++;
}

static void storm_target(struct target *t, void *arg)
{
	struct sigaction sa = { .sa_handler = storm_handler,
				.sa_flags = SA_RESTART };
	char line[64];
	size_t got = 0;

	(void)arg;
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGALRM, &sa, NULL);
	sigaction(SIGRTMIN, &sa, NULL);
	say(t, "READY");
	/* "M": the storm is over, the final round comes next. */
	for (;;) {
		char c;

		if (read(t->tgt_in, &c, 1) != 1)
			_exit(1);
		if (c == 'M') {
			storm_usr1 = storm_alrm = 0;
			say(t, "ACK");
			continue;
		}
		line[got++] = c;
		if (c == '\n' || got == sizeof(line) - 1)
			break;
	}
	line[got] = '\0';
	long sent = strtol(line, NULL, 10);

	if (storm_usr1 < 1 || storm_alrm < 1 || storm_rt != sent)
		say(t, "BAD after the last send: usr1 %d alrm %d; rt %d of %ld",
		    (int)storm_usr1, (int)storm_alrm, (int)storm_rt, sent);
	else
		say(t, "OK rt %ld", sent);
}

TEST_T(ten_thousand_calls_in_a_signal_storm, 120)
{
	struct target t;
	int stop[2], count[2];
	long sent = 0;
	pid_t sender;

	target_start(&t, storm_target, NULL);
	expect_ready(&t);
	CHECK(pipe(stop) == 0 && pipe(count) == 0);
	sender = fork();
	if (sender == 0) {
		long rt = 0;

		fcntl(stop[0], F_SETFL, O_NONBLOCK);
		for (;;) {
			char c;

			kill(t.pid, SIGUSR1);
			kill(t.pid, SIGALRM);
			if (sigqueue(t.pid, SIGRTMIN,
				     (union sigval){ .sival_int = 1 }) == 0)
				rt++;
			if (read(stop[0], &c, 1) == 1)
				break;
			usleep(50);
		}
		dprintf(count[1], "%ld\n", rt);
		_exit(0);
	}
	for (int s = 0; s < 100; s++) {
		struct scr_proc *p;

		CHECK_OK(scr_attach(t.pid, 0, &p));
		for (int i = 0; i < 100; i++)
			CHECK_EQ(rcall(p, 0, SYS_getpid, 0), t.pid);
		CHECK_OK(scr_detach(p));
	}
	CHECK(write(stop[1], "x", 1) == 1);
	char buf[32] = { 0 };

	CHECK(read(count[0], buf, sizeof(buf) - 1) > 0);
	sent = atol(buf);
	CHECK_EQ(waitpid(sender, NULL, 0), sender);
	CHECK(sent > 100, "only %ld real-time signals sent", sent);
	/* The final round, after the target has cleared its counts. */
	CHECK(write(t.in, "M", 1) == 1);
	char ack[16];

	expect_line(&t, ack, sizeof(ack), 5000);
	CHECK(strcmp(ack, "ACK") == 0);
	kill(t.pid, SIGUSR1);
	kill(t.pid, SIGALRM);
	dprintf(t.in, "%ld\n", sent);
	expect_ok(&t, 5000);
	target_kill(&t);
}

/* ---- pid reuse ------------------------------------------------------ */

TEST(pidfd_pins_the_process)
{
	struct scr_proc *p;
	struct target t;
	int pidfd;

	target_start(&t, target_idle, NULL);
	expect_ready(&t);
	pidfd = (int)syscall(SYS_pidfd_open, t.pid, 0);
	CHECK(pidfd >= 0);
	CHECK_OK(scr_attach_pidfd(pidfd, 0, &p));
	CHECK_EQ(rcall(p, 0, SYS_getpid, 0), t.pid);
	CHECK_OK(scr_detach(p));
	target_kill(&t);
	/* Dead and reaped: the pidfd no longer reaches a process. */
	CHECK_EQ(scr_attach_pidfd(pidfd, 0, &p), -ESRCH);

	/* Make the kernel hand the same pid to a new process (root only):
	 * attaching through the old pidfd must refuse, not take it. */
	FILE *f = fopen("/proc/sys/kernel/ns_last_pid", "w");

	if (!f)
		SKIP("cannot steer pid allocation (%s): reuse not forced",
		     strerror(errno));
	fprintf(f, "%d", (int)t.pid - 1);
	if (fclose(f) != 0)
		SKIP("cannot steer pid allocation: reuse not forced");
	struct target u;

	target_start(&u, target_idle, NULL);
	if (u.pid != t.pid) {
		target_kill(&u);
		SKIP("another process took the pid first");
	}
	expect_ready(&u);
	CHECK_EQ(scr_attach_pidfd(pidfd, 0, &p), -ESRCH);
	close(pidfd);
	target_kill(&u);
}

/* ---- interruption by the caller ------------------------------------- */

static struct scr_proc *to_interrupt;

static void on_alarm(int sig)
{
	(void)sig;
	scr_interrupt(to_interrupt);
}

TEST(interrupt_from_a_signal_handler_breaks_the_call)
{
	struct sigaction sa = { .sa_handler = on_alarm };
	struct ptrace_sc_ret ret;
	unsigned long buf, args[3];
	struct scr_proc *p;
	struct target t;
	double t0;

	target_start(&t, target_reader, NULL);
	expect_ready(&t);
	wait_in_syscall(t.pid, SYS_read, 2000);
	CHECK_OK(scr_attach(t.pid, 0, &p));
	scr_set_timeout(p, 0);		/* no bound: only the interrupt */
	CHECK_OK(scr_scratch_alloc(p, 16, &buf));
	to_interrupt = p;
	sigaction(SIGALRM, &sa, NULL);
	args[0] = (unsigned long)t.tgt_in;
	args[1] = buf;
	args[2] = 5;
	t0 = now_s();
	alarm(1);
	CHECK_EQ(scr_syscall(p, 0, SYS_read, args, 3, &ret), -EINTR);
	CHECK(now_s() - t0 < 2.0, "took %.2f s", now_s() - t0);
	CHECK_EQ(scr_syscall(p, 0, SYS_getpid, NULL, 0, &ret), -EINTR);
	CHECK_OK(scr_detach(p));
	CHECK(write(t.in, "hello", 5) == 5);
	expect_ok(&t, 2000);
	target_kill(&t);
}

/* SIGSTOP cannot be blocked: sent during a call, it must still stop the
 * process once we are gone, and SIGCONT resume it, the call unharmed. */
TEST(sigstop_during_a_call_takes_effect_after)
{
	struct timespec ts = { 0, 300000000L };
	unsigned long addr;
	struct scr_proc *p;
	struct target t;
	pid_t sender;

	target_start(&t, target_reader, NULL);
	expect_ready(&t);
	wait_in_syscall(t.pid, SYS_read, 2000);
	CHECK_OK(scr_attach(t.pid, 0, &p));
	CHECK_OK(scr_push(p, &ts, sizeof(ts), &addr));
	sender = fork();
	if (sender == 0) {
		msleep(100);
		kill(t.pid, SIGSTOP);
		_exit(0);
	}
	CHECK_EQ(rcall(p, 0, SYS_nanosleep, 2, addr, 0UL), 0);
	CHECK_EQ(waitpid(sender, NULL, 0), sender);
	CHECK_EQ(rcall(p, 0, SYS_getpid, 0), t.pid);
	CHECK_OK(scr_detach(p));
	wait_state(t.pid, 'T', 2000);
	CHECK_EQ(kill(t.pid, SIGCONT), 0);
	wait_state(t.pid, 'S', 2000);
	CHECK(write(t.in, "hello", 5) == 5);
	expect_ok(&t, 2000);
	target_kill(&t);
}

static void *exits_when_told(void *arg)
{
	(void)arg;
	for (;;)
		pause();
	return NULL;
}

static void two_threads(struct target *t, void *arg)
{
	pthread_t th;

	(void)arg;
	pthread_create(&th, NULL, exits_when_told, NULL);
	target_reader(t, NULL);
}

/* exit in one thread ends that thread, not the process; execve in a
 * process with other threads is refused, not deadlocked (both found by
 * review). */
TEST(thread_exit_and_multithreaded_execve)
{
	struct ptrace_sc_ret ret;
	unsigned long args[3] = { 7, 0, 0 };
	struct scr_proc *p;
	struct target t;
	pid_t tids[4];
	int status;

	target_start(&t, two_threads, NULL);
	expect_ready(&t);
	wait_in_syscall(t.pid, SYS_read, 2000);
	CHECK_OK(scr_attach(t.pid, 0, &p));
	CHECK_EQ(scr_threads(p, tids, 4), 2);
	CHECK_EQ(scr_syscall(p, 0, SYS_execve, args, 3, &ret), -EBUSY);
	pid_t other = tids[0] == t.pid ? tids[1] : tids[0];

	CHECK_EQ(scr_syscall(p, other, SYS_exit, args, 1, &ret), -ESRCH);
	CHECK_EQ(scr_exit_status(p, &status), -EAGAIN);
	CHECK_EQ(rcall(p, 0, SYS_getpid, 0), t.pid);
	CHECK_OK(scr_detach(p));
	CHECK(write(t.in, "hello", 5) == 5);
	expect_ok(&t, 2000);
	target_kill(&t);
}

/*
 * A process another tracer holds: EBUSY, as scr_attach(3) promises (the
 * kernel itself says EPERM), and the other tracer keeps it.
 */
TEST(attach_to_a_process_someone_traces_is_ebusy)
{
	struct scr_proc *p = NULL;
	struct target t;
	int ready[2], done[2];
	pid_t tracer;
	char c;

	target_start(&t, target_idle, NULL);
	expect_ready(&t);
	CHECK(pipe(ready) == 0 && pipe(done) == 0);
	tracer = fork();
	CHECK(tracer >= 0);
	if (tracer == 0) {
		if (ptrace(PTRACE_SEIZE, t.pid, 0, 0) ||
		    write(ready[1], "s", 1) != 1 || read(done[0], &c, 1) < 0)
			_exit(1);
		_exit(0);
	}
	CHECK(read(ready[0], &c, 1) == 1);
	CHECK_EQ(scr_attach(t.pid, 0, &p), -EBUSY);
	CHECK(p == NULL);
	CHECK(write(done[1], "e", 1) == 1);
	CHECK_EQ(waitpid(tracer, NULL, 0), tracer);
	target_kill(&t);
}

/* The library from a thread with a small stack (as musl's, or a
 * runtime's own threads): what it touches in advance to keep page
 * faults out of the pause must fit there, or not be touched. */
struct small_stack_run {
	pid_t pid;
	int attach, call, detach;
	long ret;
};

static void *small_stack_body(void *arg)
{
	struct small_stack_run *r = arg;
	struct ptrace_sc_ret ret = { { 0 }, 0 };
	struct scr_proc *p;

	r->attach = scr_attach(r->pid, 0, &p);
	if (r->attach)
		return NULL;
	r->call = scr_syscall(p, 0, SYS_getpid, NULL, 0, &ret);
	r->ret = ret.sr_retval[0];
	r->detach = scr_detach(p);
	return NULL;
}

TEST(a_thread_with_a_small_stack_can_attach)
{
	struct small_stack_run r = { 0, -1, -1, -1, 0 };
	pthread_attr_t attr;
	struct target t;
	pthread_t th;

	target_start(&t, target_idle, NULL);
	expect_ready(&t);
	r.pid = t.pid;
	CHECK(pthread_attr_init(&attr) == 0);
	CHECK(pthread_attr_setstacksize(&attr, SMALL_STACK) == 0);
	CHECK(pthread_create(&th, &attr, small_stack_body, &r) == 0);
	CHECK(pthread_join(th, NULL) == 0);
	pthread_attr_destroy(&attr);
	CHECK_OK(r.attach);
	CHECK_OK(r.call);
	CHECK_EQ(r.ret, t.pid);
	CHECK_OK(r.detach);
	target_kill(&t);
}
