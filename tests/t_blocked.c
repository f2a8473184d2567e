/*
 * A target blocked in a system call is attached to, made to run a battery
 * of remote calls, and released; then it is woken the normal way and
 * checks by itself that its call returned exactly what it would have:
 * the data, the right time, no EINTR it would not have seen anyway.
 */
#include <fcntl.h>
#include <linux/futex.h>
#include <poll.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <netinet/in.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "scremote.h"
#include "targets.h"

/* The calls glibc makes for poll() and pause() where the
 * kernel lacks the old ones (the asm-generic table). */
#ifdef SYS_poll
#define NR_POLL SYS_poll
#else
#define NR_POLL SYS_ppoll
#endif
#ifdef SYS_pause
#define NR_PAUSE SYS_pause
#else
#define NR_PAUSE SYS_ppoll
#endif

/* Attach, run the battery (twice, in two sessions), detach. */
static void visit(struct target *t)
{
	for (int i = 0; i < 2; i++) {
		struct scr_proc *p;

		CHECK_OK(scr_attach(t->pid, 0, &p));
		exercise(p, t, 0);
		CHECK_OK(scr_detach(p));
	}
}


TEST(blocked_in_read_gets_its_data)
{
	struct target t;

	target_start(&t, target_reader, NULL);
	expect_ready(&t);
	wait_in_syscall(t.pid, SYS_read, 2000);
	visit(&t);
	wait_in_syscall(t.pid, SYS_read, 2000);
	CHECK(write(t.in, "hello", 5) == 5);
	expect_ok(&t, 2000);
	target_kill(&t);
}

/* Sleeps 1.5 s one way or another and checks it took 1.5 s + slack. */
static void sleeper(struct target *t, void *arg)
{
	struct timespec req = { 1, 500000000L }, rem = { 0, 0 };
	long kind = (long)arg;
	double t0 = now_s(), took;
	int r;

	say(t, "READY");
	switch (kind) {
	case 0:
		r = nanosleep(&req, &rem);
		break;
	case 1:
		r = clock_nanosleep(CLOCK_MONOTONIC, 0, &req, &rem);
		break;
	default: {
		struct timespec end;

		clock_gettime(CLOCK_MONOTONIC, &end);
		end.tv_sec += 1;
		end.tv_nsec += 500000000L;
		if (end.tv_nsec >= 1000000000L) {
			end.tv_sec++;
			end.tv_nsec -= 1000000000L;
		}
		r = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &end, NULL);
		break;
	}
	}
	took = now_s() - t0;
	if (r != 0)
		say(t, "BAD sleep returned %d (%s)", r, strerror(r < 0 ? errno : r));
	else if (took < 1.5 || took > 2.3)
		say(t, "BAD slept %.3f s instead of 1.5", took);
	else
		say(t, "OK slept %.3f s", took);
}

static void sleep_case(long kind, long nr)
{
	struct target t;

	target_start(&t, sleeper, (void *)kind);
	expect_ready(&t);
	wait_in_syscall(t.pid, nr, 2000);
	visit(&t);
	expect_ok(&t, 4000);
	target_kill(&t);
}

TEST(blocked_in_nanosleep_wakes_on_time)
{
	sleep_case(0, SYS_clock_nanosleep);	/* glibc's nanosleep */
}

TEST(blocked_in_clock_nanosleep_wakes_on_time)
{
	sleep_case(1, SYS_clock_nanosleep);
}

TEST(blocked_in_absolute_clock_nanosleep_wakes_on_time)
{
	sleep_case(2, SYS_clock_nanosleep);
}

TEST(blocked_in_raw_nanosleep_wakes_on_time)
{
	struct target t;

	target_start(&t, sleeper, (void *)3L);
	expect_ready(&t);
	wait_in_syscall(t.pid, SYS_clock_nanosleep, 2000);
	visit(&t);
	expect_ok(&t, 4000);
	target_kill(&t);
}

static void raw_nanosleeper(struct target *t, void *arg)
{
	struct timespec req = { 1, 500000000L };
	double t0 = now_s(), took;
	long r;

	(void)arg;
	say(t, "READY");
	r = syscall(SYS_nanosleep, &req, NULL);
	took = now_s() - t0;
	if (r != 0)
		say(t, "BAD nanosleep returned %ld (%s)", r, strerror(errno));
	else if (took < 1.5 || took > 2.3)
		say(t, "BAD slept %.3f s instead of 1.5", took);
	else
		say(t, "OK");
}

TEST(blocked_in_nanosleep_syscall_wakes_on_time)
{
	struct target t;

	target_start(&t, raw_nanosleeper, NULL);
	expect_ready(&t);
	wait_in_syscall(t.pid, SYS_nanosleep, 2000);
	visit(&t);
	expect_ok(&t, 4000);
	target_kill(&t);
}

static int *futex_word;

static void futex_waiter(struct target *t, void *arg)
{
	long r;

	(void)arg;
	say(t, "READY");
	do
		r = syscall(SYS_futex, futex_word, FUTEX_WAIT, 0, NULL, NULL, 0);
	while (r == -1 && errno == EAGAIN && *futex_word == 0);
	if (r != 0 || *futex_word != 1)
		say(t, "BAD futex returned %ld (%s), word %d", r,
		    r ? strerror(errno) : "", *futex_word);
	else
		say(t, "OK");
}

TEST(blocked_in_futex_wait_wakes_on_wake)
{
	struct target t;

	futex_word = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
			  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	CHECK(futex_word != MAP_FAILED);
	target_start(&t, futex_waiter, NULL);
	expect_ready(&t);
	wait_in_syscall(t.pid, SYS_futex, 2000);
	visit(&t);
	wait_in_syscall(t.pid, SYS_futex, 2000);
	__atomic_store_n(futex_word, 1, __ATOMIC_SEQ_CST);
	CHECK_EQ(syscall(SYS_futex, futex_word, FUTEX_WAKE, 1, NULL, NULL, 0), 1);
	expect_ok(&t, 2000);
	target_kill(&t);
}

static void timed_futex_waiter(struct target *t, void *arg)
{
	struct timespec ts = { 1, 500000000L };
	double t0 = now_s(), took;
	long r;

	(void)arg;
	say(t, "READY");
	r = syscall(SYS_futex, futex_word, FUTEX_WAIT, 0, &ts, NULL, 0);
	took = now_s() - t0;
	if (r != -1 || errno != ETIMEDOUT)
		say(t, "BAD futex returned %ld (%s)", r, strerror(errno));
	else if (took < 1.5 || took > 2.3)
		say(t, "BAD waited %.3f s instead of 1.5", took);
	else
		say(t, "OK");
}

TEST(blocked_in_timed_futex_times_out_on_time)
{
	struct target t;

	futex_word = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
			  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	CHECK(futex_word != MAP_FAILED);
	target_start(&t, timed_futex_waiter, NULL);
	expect_ready(&t);
	wait_in_syscall(t.pid, SYS_futex, 2000);
	visit(&t);
	expect_ok(&t, 4000);
	target_kill(&t);
}

static void poller(struct target *t, void *arg)
{
	struct pollfd pfd = { t->tgt_in, POLLIN, 0 };
	int timeout = (int)(long)arg, r;

	say(t, "READY");
	r = poll(&pfd, 1, timeout);
	if (r != 1 || pfd.revents != POLLIN)
		say(t, "BAD poll returned %d (%s) revents %x", r,
		    r < 0 ? strerror(errno) : "", pfd.revents);
	else
		say(t, "OK");
}

static void poll_case(long timeout)
{
	struct target t;

	target_start(&t, poller, (void *)timeout);
	expect_ready(&t);
	wait_in_syscall(t.pid, NR_POLL, 2000);
	visit(&t);
	wait_in_syscall(t.pid, NR_POLL, 2000);
	CHECK(write(t.in, "x", 1) == 1);
	expect_ok(&t, 2000);
	target_kill(&t);
}

TEST(blocked_in_poll_sees_its_event)
{
	poll_case(-1);
}

TEST(blocked_in_poll_with_timeout_sees_its_event)
{
	poll_case(8000);
}

/* Where epoll_wait is epoll_pwait (asm-generic), its EINTR cannot be
 * undone: the first argument is not visible at the stop (orig_x0). */
#ifdef SYS_epoll_wait
static void epoller(struct target *t, void *arg)
{
	struct epoll_event ev = { .events = EPOLLIN }, got;
	int ep = epoll_create1(0), r;

	(void)arg;
	ev.data.u64 = 77;
	epoll_ctl(ep, EPOLL_CTL_ADD, t->tgt_in, &ev);
	say(t, "READY");
	r = epoll_wait(ep, &got, 1, -1);
	if (r != 1 || got.data.u64 != 77)
		say(t, "BAD epoll_wait returned %d (%s)", r,
		    r < 0 ? strerror(errno) : "");
	else
		say(t, "OK");
}

TEST(blocked_in_epoll_wait_sees_its_event)
{
	struct target t;

	target_start(&t, epoller, NULL);
	expect_ready(&t);
	wait_in_syscall(t.pid, SYS_epoll_wait, 2000);
	visit(&t);
	wait_in_syscall(t.pid, SYS_epoll_wait, 2000);
	CHECK(write(t.in, "x", 1) == 1);
	expect_ok(&t, 2000);
	target_kill(&t);
}
#endif

static void acceptor(struct target *t, void *arg)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t len = sizeof(sa);
	int s = socket(AF_INET, SOCK_STREAM, 0), c;

	(void)arg;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (s < 0 || bind(s, (struct sockaddr *)&sa, sizeof(sa)) ||
	    listen(s, 1) || getsockname(s, (struct sockaddr *)&sa, &len)) {
		say(t, "BAD socket setup: %s", strerror(errno));
		return;
	}
	say(t, "READY");
	say(t, "%d", ntohs(sa.sin_port));
	c = accept(s, NULL, NULL);
	if (c < 0)
		say(t, "BAD accept: %s", strerror(errno));
	else
		say(t, "OK");
}

TEST(blocked_in_accept_gets_its_connection)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	struct target t;
	char port[32];
	int c;

	target_start(&t, acceptor, NULL);
	expect_ready(&t);
	expect_line(&t, port, sizeof(port), 2000);
	wait_in_syscall(t.pid, SYS_accept, 2000);
	visit(&t);
	wait_in_syscall(t.pid, SYS_accept, 2000);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sa.sin_port = htons((unsigned short)atoi(port));
	c = socket(AF_INET, SOCK_STREAM, 0);
	CHECK_EQ(connect(c, (struct sockaddr *)&sa, sizeof(sa)), 0);
	expect_ok(&t, 2000);
	close(c);
	target_kill(&t);
}

static volatile sig_atomic_t got_usr1;

static void on_usr1(int sig)
{
	(void)sig;
	got_usr1++;
}

static void pauser(struct target *t, void *arg)
{
	long suspend = (long)arg;
	sigset_t mask, old, during;
	int r;

	signal(SIGUSR1, on_usr1);
	sigemptyset(&mask);
	sigaddset(&mask, SIGUSR1);
	sigaddset(&mask, SIGUSR2);
	sigprocmask(SIG_BLOCK, &mask, &old);
	sigemptyset(&during);
	sigaddset(&during, SIGUSR2);
	say(t, "READY");
	if (suspend) {
		r = sigsuspend(&during);
	} else {
		sigprocmask(SIG_SETMASK, &old, NULL);
		r = pause();
	}
	sigset_t now;

	sigprocmask(SIG_SETMASK, NULL, &now);
	if (r != -1 || errno != EINTR || got_usr1 != 1)
		say(t, "BAD returned %d (%s), handler ran %d times", r,
		    strerror(errno), (int)got_usr1);
	else if (suspend && (!sigismember(&now, SIGUSR1) ||
			     !sigismember(&now, SIGUSR2)))
		say(t, "BAD mask after sigsuspend lost USR1/USR2");
	else
		say(t, "OK");
}

static void pause_case(long suspend, long nr)
{
	struct target t;

	target_start(&t, pauser, (void *)suspend);
	expect_ready(&t);
	wait_in_syscall(t.pid, nr, 2000);
	visit(&t);
	wait_in_syscall(t.pid, nr, 2000);
	/* Must still be waiting for its signal: nothing woke it. */
	CHECK_EQ(kill(t.pid, SIGUSR1), 0);
	expect_ok(&t, 2000);
	target_kill(&t);
}

TEST(blocked_in_pause_wakes_on_its_signal)
{
	pause_case(0, NR_PAUSE);
}

TEST(blocked_in_sigsuspend_wakes_on_its_signal_and_mask)
{
	pause_case(1, SYS_rt_sigsuspend);
}
