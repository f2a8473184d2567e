/*
 * The target never notices: registers, vector state, signal masks and
 * dispositions, pending signals, restarts, stop state, memory map and
 * code are what they were, checked by the target itself where it can.
 */
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "arch.h"
#include "harness.h"
#include "scremote.h"
#include "spin.h"
#include "targets.h"

static void on_usr1_stop(int sig)
{
	(void)sig;
	spin_stop_now();
}

static void spinner(struct target *t, void *arg)
{
	char why[256];

	(void)arg;
	signal(SIGUSR1, on_usr1_stop);
	say(t, "READY");
	if (spin_and_check(why, sizeof(why)))
		say(t, "BAD %s", why);
	else
		say(t, "OK");
}

TEST(spinning_target_keeps_every_register)
{
	struct ptrace_sc_remote pscr = { .pscr_syscall = SYS_getpid };
	struct target t;
	int status;

	if (!spin_supported())
		SKIP("no vector registers to check on this CPU");
	target_start(&t, spinner, NULL);
	expect_ready(&t);
	msleep(30);
	for (int round = 0; round < 3; round++) {
		struct scr_proc *p;

		CHECK_OK(scr_attach(t.pid, 0, &p));
		for (int i = 0; i < 100; i++)
			CHECK_EQ(rcall(p, 0, SYS_getpid, 0), t.pid);
		exercise(p, &t, 0);
		CHECK_OK(scr_detach(p));
		msleep(5);
	}
	/* The FreeBSD entry point too, at an interrupt stop. */
	CHECK_EQ(ptrace(PTRACE_SEIZE, t.pid, 0, 0), 0);
	CHECK_EQ(ptrace(PTRACE_INTERRUPT, t.pid, 0, 0), 0);
	CHECK_EQ(waitpid(t.pid, &status, __WALL), t.pid);
	for (int i = 0; i < 100; i++) {
		CHECK_EQ(scr_sc_remote(t.pid, &pscr), 0);
		CHECK_EQ(pscr.pscr_ret.sr_retval[0], t.pid);
	}
	CHECK_EQ(ptrace(PTRACE_DETACH, t.pid, 0, 0), 0);
	msleep(5);
	CHECK_EQ(kill(t.pid, SIGUSR1), 0);
	expect_ok(&t, 3000);
	target_kill(&t);
}


TEST(extended_state_identical_after_calls)
{
	static struct arch_ext before, after;
	struct scr_proc *p;
	struct target t;

	target_start(&t, target_idle, NULL);
	expect_ready(&t);
	CHECK_OK(scr_attach(t.pid, 0, &p));
	CHECK_OK(arch_get_ext(t.pid, &before));
	exercise(p, &t, 0);
	CHECK_OK(arch_get_ext(t.pid, &after));
	CHECK_EQ(after.len, before.len);
	CHECK(memcmp(before.buf, after.buf, before.len) == 0,
	      "extended state differs");
	CHECK_OK(scr_detach(p));
	target_kill(&t);
}

/* SIGTRAP blocked (mode 'b') or ignored ('i'), and a handler installed
 * for it in mode 'b': afterwards all must be as it was, none pending. */
static void trap_keeper(struct target *t, void *arg)
{
	long mode = (long)arg;
	struct sigaction sa = { .sa_handler = SIG_IGN }, now;
	sigset_t set, cur, pend;
	char c;

	if (mode == 'b') {
		sa.sa_handler = on_usr1_stop;	/* any handler */
		sigemptyset(&set);
		sigaddset(&set, SIGTRAP);
		sigprocmask(SIG_BLOCK, &set, NULL);
	}
	sigaction(SIGTRAP, &sa, NULL);
	say(t, "READY");
	if (read(t->tgt_in, &c, 1) != 1)
		_exit(1);
	sigaction(SIGTRAP, NULL, &now);
	sigprocmask(SIG_SETMASK, NULL, &cur);
	sigpending(&pend);
	if (now.sa_handler != sa.sa_handler)
		say(t, "BAD SIGTRAP disposition changed to %p",
		    (void *)now.sa_handler);
	else if (mode == 'b' && !sigismember(&cur, SIGTRAP))
		say(t, "BAD SIGTRAP no longer blocked");
	else if (mode != 'b' && sigismember(&cur, SIGTRAP))
		say(t, "BAD SIGTRAP became blocked");
	else if (sigismember(&pend, SIGTRAP))
		say(t, "BAD a SIGTRAP is pending");
	else
		say(t, "OK");
}

static void trap_case(long mode)
{
	struct ptrace_sc_remote pscr = { .pscr_syscall = SYS_getpid };
	struct scr_proc *p;
	struct target t;
	int status;

	target_start(&t, trap_keeper, (void *)mode);
	expect_ready(&t);
	wait_in_syscall(t.pid, SYS_read, 2000);
	CHECK_OK(scr_attach(t.pid, 0, &p));
	exercise(p, &t, 0);
	/* A call that runs under the target's own mask, SIGTRAP included. */
	uint64_t none = 0;
	unsigned long a_none;
	CHECK_OK(scr_push(p, &none, 8, &a_none));
	CHECK_EQ(rcall(p, 0, SYS_rt_sigprocmask, 4, (unsigned long)SIG_BLOCK,
		       a_none, 0UL, 8UL), 0);
	CHECK_OK(scr_detach(p));
	/* And through the FreeBSD entry point, at a signal-delivery-stop. */
	CHECK_EQ(ptrace(PTRACE_ATTACH, t.pid, 0, 0), 0);
	CHECK_EQ(waitpid(t.pid, &status, __WALL), t.pid);
	for (int i = 0; i < 20; i++) {
		CHECK_EQ(scr_sc_remote(t.pid, &pscr), 0);
		CHECK_EQ(pscr.pscr_ret.sr_retval[0], t.pid);
	}
	CHECK_EQ(ptrace(PTRACE_DETACH, t.pid, 0, 0), 0);
	CHECK(write(t.in, "x", 1) == 1);
	expect_ok(&t, 2000);
	target_kill(&t);
}

TEST(sigtrap_blocked_with_handler_stays_so)
{
	trap_case('b');
}

TEST(sigtrap_ignored_stays_ignored)
{
	trap_case('i');
}

static volatile sig_atomic_t n_usr1, n_alrm, n_rt, rt_sum;

static void count_sig(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	if (sig == SIGUSR1)
		n_usr1++;
	else if (sig == SIGALRM)
		n_alrm++;
	else {
		n_rt++;
		rt_sum += si->si_value.sival_int;
	}
}

static void counter(struct target *t, void *arg)
{
	struct sigaction sa = { .sa_sigaction = count_sig,
				.sa_flags = SA_SIGINFO | SA_RESTART };
	char buf[8];

	(void)arg;
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGALRM, &sa, NULL);
	sigaction(SIGRTMIN, &sa, NULL);
	say(t, "READY");
	if (read(t->tgt_in, buf, 1) != 1)
		say(t, "BAD read: %s", strerror(errno));
	else if (n_usr1 < 1 || n_alrm < 1 || n_rt != 5 || rt_sum != 15)
		say(t, "BAD handlers saw usr1 %d alrm %d rt %d (sum %d)",
		    (int)n_usr1, (int)n_alrm, (int)n_rt, (int)rt_sum);
	else
		say(t, "OK");
}

TEST(signals_sent_during_a_call_are_delivered_after)
{
	struct timespec ts = { 0, 300000000L };
	unsigned long addr;
	struct scr_proc *p;
	struct target t;
	pid_t sender;

	target_start(&t, counter, NULL);
	expect_ready(&t);
	wait_in_syscall(t.pid, SYS_read, 2000);
	CHECK_OK(scr_attach(t.pid, 0, &p));
	sender = fork();
	if (sender == 0) {
		msleep(100);
		kill(t.pid, SIGUSR1);
		kill(t.pid, SIGALRM);
		for (int i = 1; i <= 5; i++)
			sigqueue(t.pid, SIGRTMIN, (union sigval){ .sival_int = i });
		_exit(0);
	}
	/* A remote call that lasts while the signals arrive. */
	CHECK_OK(scr_push(p, &ts, sizeof(ts), &addr));
	double t0 = now_s();
	CHECK_EQ(rcall(p, 0, SYS_nanosleep, 2, addr, 0UL), 0);
	CHECK(now_s() - t0 >= 0.29, "remote nanosleep ended early");
	CHECK_EQ(waitpid(sender, NULL, 0), sender);
	exercise(p, &t, 0);
	CHECK_OK(scr_detach(p));
	msleep(50);
	CHECK(write(t.in, "x", 1) == 1);
	expect_ok(&t, 2000);
	target_kill(&t);
}

static void raw_sleeper(struct target *t, void *arg)
{
	struct timespec req = { 1, 0 };
	double t0 = now_s(), took;
	long r;

	(void)arg;
	say(t, "READY");
	r = syscall(SYS_nanosleep, &req, NULL);
	took = now_s() - t0;
	if (r != 0)
		say(t, "BAD nanosleep returned %ld (%s)", r, strerror(errno));
	else if (took < 1.0 || took > 1.8)
		say(t, "BAD slept %.3f s instead of 1", took);
	else
		say(t, "OK");
}

TEST(pending_restart_block_is_never_clobbered)
{
	struct timespec ts = { 0, 1000000L };
	struct ptrace_sc_ret ret;
	unsigned long addr, args[6];
	struct scr_proc *p;
	struct target t;

	target_start(&t, raw_sleeper, NULL);
	expect_ready(&t);
	wait_in_syscall(t.pid, SYS_nanosleep, 2000);
	CHECK_OK(scr_attach(t.pid, 0, &p));
	CHECK_OK(scr_push(p, &ts, sizeof(ts), &addr));
	args[0] = addr;
	args[1] = 0;
	CHECK_EQ(scr_syscall(p, 0, SYS_nanosleep, args, 2, &ret), -EBUSY);
	args[0] = CLOCK_MONOTONIC;
	args[1] = 0;
	args[2] = addr;
	args[3] = 0;
	CHECK_EQ(scr_syscall(p, 0, SYS_clock_nanosleep, args, 4, &ret), -EBUSY);
	CHECK_EQ(scr_syscall(p, 0, SYS_restart_syscall, args, 0, &ret), -EBUSY);
#ifdef SYS_poll
	args[0] = 0;
	args[1] = 0;
	args[2] = 0;
	CHECK_EQ(scr_syscall(p, 0, SYS_poll, args, 3, &ret), -EBUSY);
#endif
	exercise(p, &t, 0);
	CHECK_OK(scr_detach(p));
	expect_ok(&t, 3000);
	target_kill(&t);
}

TEST(stopped_process_stays_stopped)
{
	struct scr_proc *p;
	struct target t;

	target_start(&t, target_idle, NULL);
	expect_ready(&t);
	CHECK_EQ(kill(t.pid, SIGSTOP), 0);
	wait_state(t.pid, 'T', 2000);
	CHECK_OK(scr_attach(t.pid, 0, &p));
	exercise(p, &t, 0);
	CHECK_OK(scr_detach(p));
	msleep(50);
	wait_state(t.pid, 'T', 2000);
	CHECK_EQ(kill(t.pid, SIGCONT), 0);
	wait_state(t.pid, 'S', 2000);
	target_kill(&t);
}

static char *slurp(pid_t pid, const char *file)
{
	static char bufs[2][65536];
	static int which;
	char path[64], *buf = bufs[which++ & 1];
	ssize_t n, got = 0;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
	fd = open(path, O_RDONLY);
	CHECK(fd >= 0);
	while ((n = read(fd, buf + got, sizeof(bufs[0]) - 1 - (size_t)got)) > 0)
		got += n;
	close(fd);
	buf[got] = '\0';
	return buf;
}

TEST(memory_map_same_after_scratch_use)
{
	char before[65536];
	unsigned long addr;
	struct scr_proc *p;
	struct target t;
	static char big[300000];

	target_start(&t, target_idle, NULL);
	expect_ready(&t);
	strcpy(before, slurp(t.pid, "maps"));
	CHECK_OK(scr_attach(t.pid, 0, &p));
	exercise(p, &t, 0);
	memset(big, 'x', sizeof(big));
	CHECK_OK(scr_push(p, big, sizeof(big), &addr));
	CHECK_OK(scr_push(p, "small", 6, &addr));
	CHECK(strcmp(before, slurp(t.pid, "maps")) != 0, "no scratch mapped?");
	CHECK_OK(scr_detach(p));
	CHECK(strcmp(before, slurp(t.pid, "maps")) == 0,
	      "maps differ after detach");
	target_kill(&t);
}

/*
 * Sums the anonymous pages of the read-only executable mappings in
 * /proc/PID/smaps: a write through ptrace leaves a private copy of the
 * page, anonymous memory in a file mapping.  Not the dirty counts: the
 * page cache of a program just linked is dirty until written back, and
 * each page of it the process maps counts, written or not (that made
 * this check fail when the test ran right after the build).
 */
static long written_code_kb(pid_t pid)
{
	char *s = slurp(pid, "smaps");
	long total = 0;
	bool exec = false;

	for (char *line = strtok(s, "\n"); line; line = strtok(NULL, "\n")) {
		char perms[8];

		if (sscanf(line, "%*x-%*x %7s", perms) == 1 && strchr(line, '-') <
		    strchr(line, ' '))
			exec = perms[2] == 'x' && perms[1] != 'w';
		else if (exec && !strncmp(line, "Anonymous:", 10))
			total += strtol(line + 10, NULL, 10);
		else if (exec && !strncmp(line, "Swap:", 5))
			total += strtol(line + 5, NULL, 10);	/* such a copy swapped out */
	}
	return total;
}

TEST(no_byte_of_code_is_written)
{
	unsigned long start, end;
	static unsigned char v1[65536], v2[65536];
	struct scr_proc *p;
	struct target t;
	char *maps, *l;

	target_start(&t, target_idle, NULL);
	expect_ready(&t);
	long written = written_code_kb(t.pid);
	maps = slurp(t.pid, "maps");
	l = strstr(maps, "[vdso]");
	CHECK(l, "no vDSO");
	while (l > maps && l[-1] != '\n')
		l--;
	CHECK(sscanf(l, "%lx-%lx", &start, &end) == 2);
	CHECK(end - start <= sizeof(v1));
	struct iovec lo = { v1, end - start }, re = { (void *)start, end - start };
	CHECK_EQ(process_vm_readv(t.pid, &lo, 1, &re, 1, 0), (long)(end - start));
	CHECK_OK(scr_attach(t.pid, 0, &p));
	for (int i = 0; i < 50; i++)
		exercise(p, &t, 0);
	CHECK_OK(scr_detach(p));
	lo.iov_base = v2;
	CHECK_EQ(process_vm_readv(t.pid, &lo, 1, &re, 1, 0), (long)(end - start));
	CHECK(memcmp(v1, v2, end - start) == 0, "vDSO bytes changed");
	CHECK_EQ(written_code_kb(t.pid), written);
	target_kill(&t);
}


TEST(call_blocking_past_its_timeout_is_broken_and_undone)
{
	struct ptrace_sc_ret ret;
	unsigned long buf, args[3];
	struct scr_proc *p;
	struct target t;
	double t0, took;

	target_start(&t, target_reader, NULL);
	expect_ready(&t);
	wait_in_syscall(t.pid, SYS_read, 2000);
	CHECK_OK(scr_attach(t.pid, 0, &p));
	CHECK_OK(scr_scratch_alloc(p, 16, &buf));
	scr_set_timeout(p, 200);
	args[0] = (unsigned long)t.tgt_in;
	args[1] = buf;
	args[2] = 5;
	t0 = now_s();
	CHECK_EQ(scr_syscall(p, 0, SYS_read, args, 3, &ret), -ETIMEDOUT);
	took = now_s() - t0;
	CHECK(took >= 0.19 && took < 1.5, "timed out after %.3f s", took);
	exercise(p, &t, 0);
	CHECK_OK(scr_detach(p));
	CHECK(write(t.in, "hello", 5) == 5);
	expect_ok(&t, 2000);
	target_kill(&t);
}

TEST(sigprocmask_call_defines_the_mask)
{
	uint64_t set = 1ULL << (SIGUSR2 - 1), old = 0;
	unsigned long a_set, a_old;
	struct scr_proc *p;
	struct target t;
	char *status;

	target_start(&t, target_idle, NULL);
	expect_ready(&t);
	CHECK_OK(scr_attach(t.pid, 0, &p));
	CHECK_OK(scr_push(p, &set, 8, &a_set));
	CHECK_OK(scr_push(p, &old, 8, &a_old));
	CHECK_EQ(rcall(p, 0, SYS_rt_sigprocmask, 4, (unsigned long)SIG_BLOCK,
		       a_set, a_old, 8UL), 0);
	CHECK_EQ(scr_read(p, a_old, &old, 8), 8);
	CHECK_EQ(old, 0);	/* the target's own mask, not ours */
	exercise(p, &t, 0);
	CHECK_OK(scr_detach(p));
	status = slurp(t.pid, "status");
	CHECK(strstr(status, "SigBlk:\t0000000000000800"), "%s",
	      strstr(status, "SigBlk"));
	target_kill(&t);
}

static void *thread_loop(void *arg)
{
	volatile unsigned long *counter = arg;

	for (;;) {
		(*counter)++;
		if ((*counter & 0xfff) == 0)
			sched_yield();
	}
	return NULL;
}

static void threaded(struct target *t, void *arg)
{
	static unsigned long counters[4];
	pthread_t th;

	(void)arg;
	for (int i = 0; i < 4; i++)
		pthread_create(&th, NULL, thread_loop, &counters[i]);
	say(t, "READY");
	char c;

	if (read(t->tgt_in, &c, 1) != 1)
		_exit(1);
	unsigned long before[4];

	memcpy(before, counters, sizeof(before));
	/* Each must move again; a guest whose host is busy may take a
	 * while to schedule them all, a thread left stopped never does. */
	for (int i = 0; i < 4; i++) {
		for (int ms = 0; counters[i] == before[i]; ms += 10) {
			if (ms >= 3000) {
				say(t, "BAD thread %d no longer runs", i);
				return;
			}
			msleep(10);
		}
	}
	say(t, "OK");
}

TEST(calls_in_each_thread_of_a_threaded_target)
{
	pid_t tids[16];
	struct scr_proc *p;
	struct target t;
	int n;

	target_start(&t, threaded, NULL);
	expect_ready(&t);
	CHECK_OK(scr_attach(t.pid, 0, &p));
	n = scr_threads(p, tids, 16);
	CHECK_EQ(n, 5);
	for (int i = 0; i < n; i++) {
		CHECK_EQ(rcall(p, tids[i], SYS_gettid, 0), tids[i]);
		CHECK_EQ(rcall(p, tids[i], SYS_getpid, 0), t.pid);
	}
	exercise(p, &t, tids[2]);
	struct ptrace_sc_ret ret;

	CHECK_EQ(scr_syscall(p, getpid(), SYS_getpid, NULL, 0, &ret), -ESRCH);
	CHECK_OK(scr_detach(p));
	CHECK(write(t.in, "x", 1) == 1);
	expect_ok(&t, 5000);
	target_kill(&t);
}

/* A process without a vDSO (it unmapped its own): the instruction comes
 * from its other code, libc's, still without writing a byte. */
static void no_vdso(struct target *t, void *arg)
{
	char line[512];
	unsigned long s = 0, e = 0;
	FILE *f = fopen("/proc/self/maps", "r");

	(void)arg;
	while (f && fgets(line, sizeof(line), f))
		if (strstr(line, "[vdso]"))
			sscanf(line, "%lx-%lx", &s, &e);
	if (f)
		fclose(f);
	if (!s || munmap((void *)s, e - s)) {
		say(t, "BAD could not unmap the vDSO");
		return;
	}
	target_reader(t, NULL);
}

TEST(target_without_vdso)
{
	struct scr_proc *p;
	struct target t;

	target_start(&t, no_vdso, NULL);
	expect_ready(&t);
	CHECK(!strstr(slurp(t.pid, "maps"), "[vdso]"));
	wait_in_syscall(t.pid, SYS_read, 2000);
	long written = written_code_kb(t.pid);

	CHECK_OK(scr_attach(t.pid, 0, &p));
	exercise(p, &t, 0);
	CHECK_OK(scr_detach(p));
	CHECK_EQ(written_code_kb(t.pid), written);
	CHECK(write(t.in, "hello", 5) == 5);
	expect_ok(&t, 2000);
	target_kill(&t);
}

/* A signal mask line ("SigBlk", ...) of a /proc status text. */
static uint64_t status_mask(const char *st, const char *field)
{
	const char *l = strstr(st, field);

	CHECK(l && l[strlen(field)] == ':', "no %s in status", field);
	return strtoull(l + strlen(field) + 1, NULL, 16);
}

/* Calls that block or ignore SIGTRAP themselves: the single-step trap
 * would undo them, so the engine must not use it (found by review). */
TEST(calls_that_block_or_ignore_sigtrap_keep_their_effect)
{
	uint64_t trap = 1ULL << (SIGTRAP - 1);
	struct sigaction_k { unsigned long handler, flags, restorer, mask; }
		ign = { (unsigned long)SIG_IGN, 0, 0, 0 };
	unsigned long a_set, a_act;
	struct scr_proc *p;
	struct target t;
	char *st;

	target_start(&t, target_idle, NULL);
	expect_ready(&t);
	CHECK_OK(scr_attach(t.pid, 0, &p));
	CHECK_OK(scr_push(p, &trap, 8, &a_set));
	CHECK_OK(scr_push(p, &ign, sizeof(ign), &a_act));
	CHECK_EQ(rcall(p, 0, SYS_rt_sigprocmask, 4, (unsigned long)SIG_BLOCK,
		       a_set, 0UL, 8UL), 0);
	CHECK_EQ(rcall(p, 0, SYS_rt_sigaction, 4, (unsigned long)SIGTRAP,
		       a_act, 0UL, 8UL), 0);
	exercise(p, &t, 0);
	CHECK_OK(scr_detach(p));
	st = slurp(t.pid, "status");
	/* Other bits may come from the environment; SIGTRAP's is ours. */
	CHECK(status_mask(st, "SigBlk") & trap, "SIGTRAP not blocked");
	CHECK(status_mask(st, "SigIgn") & trap, "SIGTRAP not ignored");
	CHECK(!(status_mask(st, "SigPnd") & trap), "a SIGTRAP is pending");
	target_kill(&t);
}
