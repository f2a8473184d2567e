/*
 * The 32-bit (i386) target of t_i386 (and of scremote(1) in the qemu
 * guests: mode "wait"): one state per mode, reporting to
 * fd 3 ("READY", then "OK" or "BAD why"), reading fd 4, writing fd 5.
 * Built with gcc -m32 -static; judged by the target itself.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define REP 3
#define IN 4

static void say(const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf) - 1, fmt, ap);
	va_end(ap);
	if (n < 0 || n > (int)sizeof(buf) - 2)
		n = (int)sizeof(buf) - 2;
	buf[n++] = '\n';
	if (write(REP, buf, (size_t)n) < 0)
		_exit(3);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int mode_read(void)
{
	char buf[8] = { 0 };
	ssize_t n;

	say("READY");
	n = read(IN, buf, 5);
	if (n != 5 || memcmp(buf, "hello", 5))
		say("BAD read returned %d (%s)", (int)n, n < 0 ? strerror(errno) : buf);
	else
		say("OK");
	return 0;
}

static int mode_sleep(long nr)
{
	struct timespec req = { 1, 500000000L };
	double t0 = now(), took;
	long r;

	say("READY");
	if (nr == SYS_nanosleep)
		r = syscall(SYS_nanosleep, &req, NULL);
	else
		r = clock_nanosleep(CLOCK_MONOTONIC, 0, &req, NULL);
	took = now() - t0;
	if (r != 0 || took < 1.5 || took > 2.5)
		say("BAD sleep returned %ld after %.3f s", r, took);
	else
		say("OK");
	return 0;
}

static int mode_futex(void)
{
	static int word;
	struct timespec ts = { 1, 500000000L };
	double t0 = now(), took;
	long r;

	say("READY");
	r = syscall(SYS_futex, &word, 0 /* FUTEX_WAIT */, 0, &ts, NULL, 0);
	took = now() - t0;
	if (r != -1 || errno != ETIMEDOUT || took < 1.5 || took > 2.5)
		say("BAD futex returned %ld (%s) after %.3f s", r,
		    strerror(errno), took);
	else
		say("OK");
	return 0;
}

static int mode_poll(void)
{
	struct pollfd pfd = { IN, POLLIN, 0 };
	int r;

	say("READY");
	r = poll(&pfd, 1, -1);
	say(r == 1 && pfd.revents == POLLIN ? "OK" : "BAD poll");
	return 0;
}

void spin32(const unsigned int *in, unsigned int *out);
extern volatile unsigned int spin32_stop;

static void stop_spin(int sig)
{
	(void)sig;
	spin32_stop = 1;
}

static int mode_spin(void)
{
	static const char *const names[] = { "eax", "ebx", "ecx", "edx",
					     "esi", "edi", "ebp" };
	unsigned int in[41], out[41];

	signal(SIGUSR1, stop_spin);
	for (int i = 0; i < 41; i++)
		in[i] = 0x9e3779b9u * (unsigned int)(i + 1) ^ 0x5a5a0000u;
	in[7] = 0x7f80;		/* MXCSR: round toward zero */
	memset(out, 0, sizeof(out));
	say("READY");
	spin32(in, out);
	for (int i = 0; i < 7; i++)
		if (out[i] != in[i]) {
			say("BAD %s is %#x, was %#x", names[i], out[i], in[i]);
			return 0;
		}
	if (!(out[7] & 0x400)) {
		say("BAD DF cleared");
		return 0;
	}
	for (int i = 8; i < 40; i++)
		if (out[i] != in[i]) {
			say("BAD xmm%d word %d changed", (i - 8) / 4, (i - 8) % 4);
			return 0;
		}
	say((out[40] & 0xffff) == 0x7f80 ? "OK" : "BAD MXCSR changed");
	return 0;
}

static volatile sig_atomic_t usr1_value, usr1_code, usr1_count;

static void on_usr1(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	usr1_value = si->si_value.sival_int;
	usr1_code = si->si_code;
	usr1_count++;
}

/* SIGTRAP blocked with a handler, then a queued SIGUSR1 the tracer stops
 * on: both must come out as they went in. */
static int mode_signals(void)
{
	struct sigaction sa = { .sa_sigaction = on_usr1, .sa_flags = SA_SIGINFO };
	struct sigaction trap = { .sa_handler = stop_spin }, now_trap;
	sigset_t set, cur;
	char c;

	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGTRAP, &trap, NULL);
	sigemptyset(&set);
	sigaddset(&set, SIGTRAP);
	sigprocmask(SIG_BLOCK, &set, NULL);
	say("READY");
	if (read(IN, &c, 1) != 1)
		return 1;
	sigqueue(getpid(), SIGUSR1, (union sigval){ .sival_int = 4242 });
	sigaction(SIGTRAP, NULL, &now_trap);
	sigprocmask(SIG_SETMASK, NULL, &cur);
	if (usr1_count != 1 || usr1_value != 4242 || usr1_code != SI_QUEUE)
		say("BAD SIGUSR1 seen %d times, value %d code %d",
		    (int)usr1_count, (int)usr1_value, (int)usr1_code);
	else if (now_trap.sa_handler != stop_spin || !sigismember(&cur, SIGTRAP))
		say("BAD SIGTRAP disposition or mask changed");
	else
		say("OK");
	return 0;
}

static void wake(int sig)
{
	(void)sig;
}

/* For scremote(1) in the qemu guests (tests/qemu/cli_e2e.c): an i386
 * process that waits in pause(), out of the way of any call, for a
 * minute at most. */
static int mode_wait(void)
{
	double end = now() + 60;

	signal(SIGALRM, wake);
	say("READY");
	while (now() < end) {
		alarm(1);
		pause();
	}
	return 0;
}

int main(int argc, char **argv)
{
	const char *m = argc > 1 ? argv[1] : "";

	if (!strcmp(m, "read"))
		return mode_read();
	if (!strcmp(m, "nanosleep"))
		return mode_sleep(SYS_nanosleep);
	if (!strcmp(m, "clock_nanosleep"))
		return mode_sleep(SYS_clock_nanosleep);
	if (!strcmp(m, "futex"))
		return mode_futex();
	if (!strcmp(m, "poll"))
		return mode_poll();
	if (!strcmp(m, "spin"))
		return mode_spin();
	if (!strcmp(m, "signals"))
		return mode_signals();
	if (!strcmp(m, "wait"))
		return mode_wait();
	say("BAD unknown mode '%s'", m);
	return 2;
}
