/*
 * The in-target agent: where it runs (PR_SET_MDWE, vm.memfd_noexec=2),
 * where it must not and the batch falls back (seccomp forbidding
 * memfd_create), what the target sees afterwards (registers, vector
 * state, mask, signals, memory map, descriptors), and the tool dying in
 * the middle of a batch (SIGKILL): the thread puts itself back.  The
 * targets check themselves.
 */
#include <dirent.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/rseq.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "rseq_spin.h"
#include "scremote.h"
#include "spin.h"
#include "targets.h"

#ifndef PR_SET_MDWE
#define PR_SET_MDWE			65
#define PR_GET_MDWE			66
#define PR_MDWE_REFUSE_EXEC_GAIN	1
#endif
#ifndef MFD_EXEC
#define MFD_EXEC			0x0010U
#endif

/* A timespec at the same address in the test and its forked targets. */
static const struct timespec one_ms = { 0, 1000000L };

/* /proc/PID/NAME, whole (any length); the caller frees it. */
static char *proc_text(pid_t pid, const char *name)
{
	char path[64], *buf = NULL;
	size_t len = 0, cap = 0;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, name);
	fd = open(path, O_RDONLY);
	CHECK(fd >= 0, "%s: %s", path, strerror(errno));
	do {
		if (cap - len < 4096) {
			cap = cap ? cap * 2 : 65536;
			buf = realloc(buf, cap);
			CHECK(buf);
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n > 0)
			len += (size_t)n;
	} while (n > 0);
	close(fd);
	buf[len] = '\0';
	return buf;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The descriptors of a process, as sorted "fd -> target" lines (no
 * shell or ls needed: the qemu guests have neither). */
static char *fd_list(pid_t pid)
{
	char path[64], link[4096], *lines[1024], *out;
	struct dirent *d;
	size_t n = 0, len = 1;
	DIR *dir;

	snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
	dir = opendir(path);
	CHECK(dir, "%s: %s", path, strerror(errno));
	while ((d = readdir(dir)) && n < 1024) {
		char full[384];
		ssize_t l;

		if (d->d_name[0] == '.')
			continue;
		snprintf(full, sizeof(full), "%s/%s", path, d->d_name);
		l = readlink(full, link, sizeof(link) - 1);
		link[l > 0 ? l : 0] = '\0';
		CHECK(asprintf(&lines[n], "%s -> %s\n", d->d_name, link) > 0);
		len += strlen(lines[n++]);
	}
	closedir(dir);
	qsort(lines, n, sizeof(lines[0]), by_name);
	out = calloc(1, len);
	CHECK(out);
	for (size_t i = 0; i < n; i++) {
		strcat(out, lines[i]);
		free(lines[i]);
	}
	return out;
}

static bool has(pid_t pid, const char *file, const char *text)
{
	char *s = proc_text(pid, file);
	bool r = strstr(s, text) != NULL;

	free(s);
	return r;
}

static struct scr_call *calls_of(size_t n, long nr)
{
	struct scr_call *c = calloc(n, sizeof(*c));

	CHECK(c);
	for (size_t i = 0; i < n; i++)
		c[i].nr = nr;
	return c;
}

/* Runs n calls through the agent and through ptrace: same outcomes.
 * Returns the agent's status. */
static int same_both_ways(struct scr_proc *p, struct scr_call *c, size_t n)
{
	struct scr_call *o = malloc(n * sizeof(*o));
	int st;

	CHECK(o);
	memcpy(o, c, n * sizeof(*o));
	CHECK_EQ(scr_batch(p, 0, c, n, 0), (long)n);
	st = scr_agent_status(p, NULL);
	CHECK_EQ(scr_batch(p, 0, o, n, SCR_BATCH_PTRACE), (long)n);
	for (size_t i = 0; i < n; i++)
		CHECK(c[i].ret.sr_retval[0] == o[i].ret.sr_retval[0] &&
		      c[i].ret.sr_error == o[i].ret.sr_error,
		      "call %zu differs", i);
	free(o);
	return st;
}

/* ---- where the agent runs, where it falls back ---- */

#define LOAD_NR BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr))

#define LOAD_ARG(n) BPF_STMT(BPF_LD | BPF_W | BPF_ABS, \
			    offsetof(struct seccomp_data, args[n]))

/*
 * Targets where the agent cannot be placed, each at a different step:
 * memfd_create fails with EPERM ('e') or would kill the process ('k');
 * mmap with PROT_EXEC fails with EACCES ('x'), after the ring is mapped;
 * the ring itself finds no address space left ('m', RLIMIT_AS).
 */
static void unplaceable(struct target *t, void *arg)
{
	long mode = (long)arg;
	uint32_t action = mode == 'k' ? SECCOMP_RET_KILL_PROCESS :
			  SECCOMP_RET_ERRNO | EPERM;
	struct sock_filter memfd[] = {
		LOAD_NR,
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_memfd_create, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, action),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_filter noexec[] = {
		LOAD_NR,
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_mmap, 0, 3),
		LOAD_ARG(2),
		BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, PROT_EXEC, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EACCES),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { sizeof(memfd) / sizeof(memfd[0]), memfd };

	if (mode == 'x')
		prog = (struct sock_fprog){ sizeof(noexec) / sizeof(noexec[0]),
					    noexec };
	if (mode == 'm') {
		char *st = proc_text(getpid(), "status"), *v = strstr(st, "VmSize:");
		struct rlimit rl;

		/* What it has, and 64 KiB more: less than a ring. */
		rl.rlim_cur = rl.rlim_max = ((v ? strtoul(v + 7, NULL, 10) : 0)
					     + 64) * 1024;
		free(st);
		if (!v || setrlimit(RLIMIT_AS, &rl)) {
			say(t, "BAD RLIMIT_AS: %s", strerror(errno));
			return;
		}
	} else if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ||
		   syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog)) {
		say(t, "%s seccomp: %s", errno == ENOSYS || errno == EINVAL ?
		    "SKIP no" : "BAD", strerror(errno));
		return;
	}
	target_idle(t, NULL);
}

/* The batch runs through ptrace with the same results, the status says
 * why, and the target is left with its map and descriptors as they
 * were: what placement made before it failed is undone. */
static void fallback_case(long mode, int status, const char *word)
{
	struct scr_call *c = calls_of(64, SYS_getpid);
	const char *why = NULL;
	struct scr_proc *p;
	struct target t;
	char *maps, *fds;

	char line[256];

	target_start(&t, unplaceable, (void *)mode);
	expect_line(&t, line, sizeof(line), 5000);
	if (!strncmp(line, "SKIP", 4))
		SKIP("%s (a kernel without seccomp)", line + 5);
	CHECK(!strcmp(line, "READY"), "target said '%s'", line);
	maps = proc_text(t.pid, "maps");
	fds = fd_list(t.pid);
	CHECK_OK(scr_attach(t.pid, 0, &p));
	c[10].nr = SYS_gettid;
	CHECK_EQ(same_both_ways(p, c, 64), status);
	CHECK_EQ(scr_agent_status(p, &why), status);
	CHECK(why && strstr(why, word), "reason: %s", why);
	CHECK_EQ(c[0].ret.sr_retval[0], t.pid);
	CHECK_EQ(c[10].ret.sr_retval[0], t.pid);
	/* It is not tried again in this session. */
	CHECK_EQ(scr_batch(p, 0, c, 64, 0), 64);
	CHECK_EQ(scr_agent_status(p, NULL), status);
	CHECK_OK(scr_detach(p));
	wait_state(t.pid, 'S', 2000);	/* alive, in its pause() */
	char *m2 = proc_text(t.pid, "maps"), *f2 = fd_list(t.pid);

	CHECK(strcmp(maps, m2) == 0, "maps differ:\n%s--\n%s", maps, m2);
	CHECK(strcmp(fds, f2) == 0, "descriptors differ:\n%s--\n%s", fds, f2);
	free(maps);
	free(m2);
	free(fds);
	free(f2);
	free(c);
	target_kill(&t);
}

TEST(seccomp_errno_on_memfd_create_falls_back_with_same_results)
{
	fallback_case('e', -EPERM, "memfd_create");
}

TEST(seccomp_kill_on_memfd_create_falls_back_and_the_target_lives)
{
	fallback_case('k', -EPERM, "memfd_create");
}

TEST(prot_exec_refused_falls_back_and_the_ring_is_undone)
{
	fallback_case('x', -EACCES, "PROT_EXEC");
}

TEST(no_address_space_for_the_ring_falls_back)
{
	fallback_case('m', -ENOMEM, "no memory");
}

static void mdwe(struct target *t, void *arg)
{
	(void)arg;
	if (prctl(PR_SET_MDWE, PR_MDWE_REFUSE_EXEC_GAIN, 0, 0, 0)) {
		say(t, "SKIP PR_SET_MDWE: %s", strerror(errno));
		return;
	}
	target_reader(t, NULL);
	if (prctl(PR_GET_MDWE, 0, 0, 0, 0) != PR_MDWE_REFUSE_EXEC_GAIN)
		say(t, "BAD MDWE is off");
}

TEST(agent_runs_under_mdwe)
{
	struct scr_call *c = calls_of(64, SYS_getpid);
	struct scr_proc *p;
	struct target t;
	char line[256];

	target_start(&t, mdwe, NULL);
	expect_line(&t, line, sizeof(line), 5000);
	if (!strncmp(line, "SKIP", 4))
		SKIP("%s (a kernel before 6.3)", line + 5);
	CHECK(!strcmp(line, "READY"), "%s", line);
	wait_in_syscall(t.pid, SYS_read, 2000);
	CHECK_OK(scr_attach(t.pid, 0, &p));
	CHECK_EQ(same_both_ways(p, c, 64), 0);
	CHECK(has(t.pid, "maps", "r-xs") , "no read+exec agent mapping");
	CHECK_OK(scr_detach(p));
	CHECK(write(t.in, "hello", 5) == 5);
	expect_ok(&t, 2000);
	free(c);
	target_kill(&t);
}

/*
 * vm.memfd_noexec=2, set in a pid namespace of the target's own (the
 * setting belongs to the pid namespace of whoever writes it), so the
 * machine's setting is never touched.  The target, pid 1 there, checks
 * that the setting holds: memfd_create(MFD_EXEC) is refused.
 */
static void noexec_ns(struct target *t, void *arg)
{
	int sync[2];
	pid_t inner;
	char c;

	(void)arg;
	if (unshare(CLONE_NEWPID) || pipe(sync)) {
		say(t, "SKIP unshare(CLONE_NEWPID): %s", strerror(errno));
		return;
	}
	inner = fork();
	if (inner == 0) {
		int fd = open("/proc/sys/vm/memfd_noexec", O_WRONLY);

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (fd < 0 || write(fd, "2", 1) != 1) {
			say(t, "SKIP vm.memfd_noexec: %s", strerror(errno));
			_exit(0);
		}
		close(fd);
		fd = (int)syscall(SYS_memfd_create, "x", MFD_EXEC);
		if (fd >= 0 || errno != EACCES) {
			say(t, "BAD memfd_create(MFD_EXEC) = %d (%s) with vm.memfd_noexec=2",
			    fd, strerror(errno));
			_exit(0);
		}
		if (write(sync[1], "x", 1) != 1)
			_exit(1);
		char buf[8] = { 0 };

		if (read(t->tgt_in, buf, 5) == 5 && !memcmp(buf, "hello", 5))
			say(t, "OK");
		else
			say(t, "BAD read: %s", strerror(errno));
		_exit(0);
	}
	if (read(sync[0], &c, 1) == 1)
		say(t, "READY %d", (int)inner);
	waitpid(inner, NULL, 0);
	for (;;)
		pause();
}

TEST(agent_runs_with_memfd_noexec_2)
{
	struct scr_call *c = calls_of(64, SYS_getpid);
	struct scr_proc *p;
	struct target t;
	char line[256];
	int inner;

	target_start(&t, noexec_ns, NULL);
	expect_line(&t, line, sizeof(line), 5000);
	if (!strncmp(line, "SKIP", 4))
		SKIP("%s", line + 5);
	CHECK(sscanf(line, "READY %d", &inner) == 1, "%s", line);
	wait_in_syscall(inner, SYS_read, 2000);
	CHECK_OK(scr_attach(inner, 0, &p));
	CHECK_EQ(same_both_ways(p, c, 64), 0);
	CHECK_EQ(c[0].ret.sr_retval[0], 1);	/* pid 1 in its namespace */
	CHECK_OK(scr_detach(p));
	CHECK(write(t.in, "hello", 5) == 5);
	expect_ok(&t, 2000);
	free(c);
	target_kill(&t);
}

/* ---- what the target sees ---- */

static volatile sig_atomic_t stop_spin;

static void on_usr1(int sig)
{
	(void)sig;
	stop_spin = 1;
	spin_stop_now();
}

/* Blocks SIGUSR2, spins with known registers, then checks them and its
 * mask. */
static void spinner(struct target *t, void *arg)
{
	sigset_t set, now;
	char why[256];

	(void)arg;
	signal(SIGUSR1, on_usr1);
	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	sigprocmask(SIG_BLOCK, &set, NULL);
	say(t, "READY");
	if (spin_and_check(why, sizeof(why))) {
		say(t, "BAD %s", why);
		return;
	}
	sigprocmask(SIG_BLOCK, NULL, &now);
	if (!sigismember(&now, SIGUSR2) || sigismember(&now, SIGUSR1) ||
	    sigismember(&now, SIGTERM))
		say(t, "BAD the signal mask changed");
	else
		say(t, "OK");
}

TEST_T(spinning_target_survives_a_thousand_batches, 60)
{
	struct scr_call *c = calls_of(24, SYS_getpid);
	uint64_t none = 0;
	struct ptrace_sc_ret ret;
	unsigned long a_none;
	struct target t;
	char *maps;

	if (!spin_supported())
		SKIP("no vector registers to check on this CPU");
	target_start(&t, spinner, NULL);
	expect_ready(&t);
	msleep(30);
	maps = proc_text(t.pid, "maps");
	for (int round = 0; round < 2; round++) {
		struct scr_proc *p;

		CHECK_OK(scr_attach(t.pid, 0, &p));
		CHECK_OK(scr_push(p, &none, 8, &a_none));
		for (int b = 0; b < 500; b++) {
			for (int i = 0; i < 24; i++)
				c[i].nr = i % 3 == 0 ? SYS_gettid :
					  i % 3 == 1 ? SYS_getpid : SYS_sched_yield;
			/* Now and then a call the agent must leave to the
			 * ptrace path (it defines the mask: a new agent). */
			if (b % 100 == 99) {
				c[5].nr = SYS_rt_sigprocmask;
				c[5].nargs = 4;
				c[5].args[0] = SIG_BLOCK;
				c[5].args[1] = a_none;
				c[5].args[3] = 8;
			}
			CHECK_EQ(scr_batch(p, 0, c, 24, 0), 24);
			CHECK_EQ(c[0].ret.sr_retval[0], t.pid);
			CHECK_EQ(c[22].ret.sr_retval[0], t.pid);
			c[5].nargs = 0;
			/* Single calls between batches go through it too. */
			if (b % 10 == 0) {
				CHECK_OK(scr_syscall(p, 0, SYS_gettid, NULL, 0,
						     &ret));
				CHECK_EQ(ret.sr_retval[0], t.pid);
			}
		}
		CHECK_EQ(scr_agent_status(p, NULL), 0);
		exercise(p, &t, 0);
		CHECK_OK(scr_detach(p));
		msleep(5);
	}
	char *m2 = proc_text(t.pid, "maps");

	CHECK(strcmp(maps, m2) == 0, "maps differ after the sessions");
	free(maps);
	free(m2);
	CHECK_EQ(kill(t.pid, SIGUSR1), 0);
	expect_ok(&t, 3000);
	free(c);
	target_kill(&t);
}

static volatile sig_atomic_t n_usr1, n_alrm, n_rt, rt_sum, n_trap;

/* Who sent SIGTRAP and SIGSEGV, and how: each must arrive as sent. */
static volatile int n_segv, trap_pid, trap_code, segv_pid, segv_code,
	segv_val;
static volatile pid_t sender_pid;

static void count_sig(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	if (sig == SIGUSR1)
		n_usr1++;
	else if (sig == SIGALRM)
		n_alrm++;
	else if (sig == SIGTRAP) {
		n_trap++;
		trap_pid = si->si_pid;
		trap_code = si->si_code;
	} else if (sig == SIGSEGV) {
		n_segv++;
		segv_pid = si->si_pid;
		segv_code = si->si_code;
		segv_val = si->si_value.sival_int;
	} else {
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
	sigaction(SIGTRAP, &sa, NULL);
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGRTMIN, &sa, NULL);
	say(t, "READY");
	if (read(t->tgt_in, buf, 1) != 1 ||
	    read(t->tgt_in, (void *)&sender_pid, sizeof(pid_t)) !=
		    sizeof(pid_t))
		say(t, "BAD read: %s", strerror(errno));
	else if (n_usr1 < 1 || n_alrm < 1 || n_trap != 1 || n_rt != 5 ||
		 rt_sum != 15 || n_segv != 1)
		say(t, "BAD handlers saw usr1 %d alrm %d trap %d segv %d rt %d "
		    "(sum %d)", (int)n_usr1, (int)n_alrm, (int)n_trap,
		    (int)n_segv, (int)n_rt, (int)rt_sum);
	else if (trap_pid != sender_pid || trap_code != SI_USER)
		say(t, "BAD SIGTRAP came from %d code %d, not %d by kill",
		    trap_pid, trap_code, (int)sender_pid);
	else if (segv_pid != sender_pid || segv_code != SI_QUEUE ||
		 segv_val != 42)
		say(t, "BAD SIGSEGV came from %d code %d value %d, not %d by "
		    "sigqueue with 42", segv_pid, segv_code, segv_val,
		    (int)sender_pid);
	else
		say(t, "OK");
}

/* Signals sent while the agent runs a batch (SIGTRAP and SIGSEGV, which
 * it leaves unblocked, included) all reach the target's handlers
 * afterwards, with their own sender, code and value. */
TEST(signals_sent_during_a_batch_are_delivered_after)
{
	struct scr_call *c = calls_of(300, SYS_nanosleep);
	struct scr_proc *p;
	struct target t;
	pid_t sender;

	target_start(&t, counter, NULL);
	expect_ready(&t);
	wait_in_syscall(t.pid, SYS_read, 2000);
	CHECK_OK(scr_attach(t.pid, 0, &p));
	for (int i = 0; i < 300; i++) {
		c[i].nargs = 2;
		c[i].args[0] = (unsigned long)&one_ms;
	}
	sender = fork();
	if (sender == 0) {
		msleep(100);
		kill(t.pid, SIGUSR1);
		kill(t.pid, SIGALRM);
		kill(t.pid, SIGTRAP);
		sigqueue(t.pid, SIGSEGV, (union sigval){ .sival_int = 42 });
		for (int i = 1; i <= 5; i++)
			sigqueue(t.pid, SIGRTMIN, (union sigval){ .sival_int = i });
		_exit(0);
	}
	double t0 = now_s();

	CHECK_EQ(scr_batch(p, 0, c, 300, SCR_BATCH_STOP_ON_ERROR), 300);
	CHECK(now_s() - t0 >= 0.29, "the batch took %.3f s", now_s() - t0);
	CHECK_EQ(scr_agent_status(p, NULL), 0);
	CHECK_EQ(waitpid(sender, NULL, 0), sender);
	exercise(p, &t, 0);
	CHECK_OK(scr_detach(p));
	msleep(50);
	CHECK(write(t.in, "x", 1) == 1);
	CHECK(write(t.in, &sender, sizeof(sender)) == sizeof(sender));
	expect_ok(&t, 2000);
	free(c);
	target_kill(&t);
}

TEST(stopped_process_stays_stopped)
{
	struct scr_call *c = calls_of(64, SYS_getpid);
	struct scr_proc *p;
	struct target t;

	target_start(&t, target_idle, NULL);
	expect_ready(&t);
	CHECK_EQ(kill(t.pid, SIGSTOP), 0);
	wait_state(t.pid, 'T', 2000);
	CHECK_OK(scr_attach(t.pid, 0, &p));
	CHECK_EQ(scr_batch(p, 0, c, 64, 0), 64);
	CHECK_EQ(scr_agent_status(p, NULL), 0);
	CHECK_OK(scr_detach(p));
	msleep(50);
	wait_state(t.pid, 'T', 2000);
	CHECK_EQ(kill(t.pid, SIGCONT), 0);
	wait_state(t.pid, 'S', 2000);
	free(c);
	target_kill(&t);
}

/* A single call through the live agent that blocks past the bound is
 * broken off and undone, like one through ptrace. */
TEST(a_call_through_the_live_agent_times_out_and_is_undone)
{
	struct scr_call *c = calls_of(32, SYS_getpid);
	unsigned long buf, args[3];
	struct ptrace_sc_ret ret;
	struct scr_proc *p;
	struct target t;

	target_start(&t, target_reader, NULL);
	expect_ready(&t);
	wait_in_syscall(t.pid, SYS_read, 2000);
	CHECK_OK(scr_attach(t.pid, 0, &p));
	CHECK_OK(scr_scratch_alloc(p, 16, &buf));
	CHECK_EQ(scr_batch(p, 0, c, 32, 0), 32);
	CHECK_EQ(scr_agent_status(p, NULL), 0);
	scr_set_timeout(p, 200);
	args[0] = (unsigned long)t.tgt_in;
	args[1] = buf;
	args[2] = 5;
	double t0 = now_s();

	CHECK_EQ(scr_syscall(p, 0, SYS_read, args, 3, &ret), -ETIMEDOUT);
	CHECK(now_s() - t0 < 1.5, "took %.3f s", now_s() - t0);
	exercise(p, &t, 0);
	CHECK_OK(scr_detach(p));
	CHECK(write(t.in, "hello", 5) == 5);
	expect_ok(&t, 2000);
	free(c);
	target_kill(&t);
}

static void *count_loop(void *arg)
{
	volatile unsigned long *n = arg;

	for (;;)
		(*n)++;
	return NULL;
}

static unsigned long counters[3];

static void counting(struct target *t, void *arg)
{
	pthread_t th;

	(void)arg;
	for (int i = 0; i < 3; i++)
		pthread_create(&th, NULL, count_loop, &counters[i]);
	target_idle(t, NULL);
}

/* While the agent runs in one thread, and between batches, every other
 * thread stays stopped. */
TEST(other_threads_stay_stopped_while_the_agent_runs)
{
	struct scr_call *c = calls_of(64, SYS_sched_yield);
	unsigned long a[3], b[3];
	struct scr_proc *p;
	struct target t;

	target_start(&t, counting, NULL);
	expect_ready(&t);
	msleep(20);
	CHECK_OK(scr_attach(t.pid, 0, &p));
	CHECK_EQ(scr_read(p, (unsigned long)counters, a, sizeof(a)),
		 (long)sizeof(a));
	for (int i = 0; i < 20; i++)
		CHECK_EQ(scr_batch(p, 0, c, 64, 0), 64);
	CHECK_EQ(scr_agent_status(p, NULL), 0);
	msleep(100);
	CHECK_EQ(scr_read(p, (unsigned long)counters, b, sizeof(b)),
		 (long)sizeof(b));
	CHECK(memcmp(a, b, sizeof(a)) == 0, "a thread ran while attached");
	CHECK_OK(scr_detach(p));
	msleep(50);
	struct iovec lo = { b, sizeof(b) }, re = { counters, sizeof(b) };

	CHECK_EQ(process_vm_readv(t.pid, &lo, 1, &re, 1, 0), (long)sizeof(b));
	for (int i = 0; i < 3; i++)
		CHECK(b[i] != a[i], "thread %d did not run again", i);
	free(c);
	target_kill(&t);
}

/* The target dies (SIGKILL) in the middle of a batch: the calls that
 * ran are reported, the rest say ESRCH, and the exit status is the
 * kill's; the real parent reaps it. */
TEST(target_killed_mid_batch)
{
	struct scr_call *c = calls_of(3000, SYS_nanosleep);
	struct scr_proc *p;
	struct target t;
	pid_t killer;
	int n, status;

	target_start(&t, target_idle, NULL);
	expect_ready(&t);
	CHECK_OK(scr_attach(t.pid, 0, &p));
	for (int i = 0; i < 3000; i++) {
		c[i].nargs = 2;
		c[i].args[0] = (unsigned long)&one_ms;
	}
	killer = fork();
	if (killer == 0) {
		/* Once the agent is in the batch's calls. */
		wait_in_syscall(t.pid, SYS_nanosleep, 5000);
		kill(t.pid, SIGKILL);
		_exit(0);
	}
	n = scr_batch(p, 0, c, 3000, 0);
	/* On a slow machine the kill may come before a call is done. */
	CHECK(n == -ESRCH || (n >= 0 && n < 3000), "%d calls ran", n);
	if (n > 0)
		CHECK_EQ(c[n - 1].status, 0);
	CHECK_EQ(c[n > 0 ? n : 0].status, -ESRCH);
	CHECK_EQ(c[2999].status, -ESRCH);
	CHECK_EQ(scr_exit_status(p, &status), 0);
	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
	      "status %#x", status);
	CHECK_EQ(scr_detach(p), -ESRCH);
	CHECK_EQ(waitpid(killer, NULL, 0), killer);
	CHECK_EQ(waitpid(t.pid, &status, 0), t.pid);
	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	t.pid = 0;
	free(c);
}

static volatile int rseq_stop;

static void on_usr1_rseq(int sig)
{
	(void)sig;
	rseq_stop = 1;
}

/* Spins in an rseq critical section until SIGUSR1 (see rseq_spin.h). */
static void rseq_target(struct target *t, void *arg)
{
	long aborts = 0;
	int r;

	(void)arg;
	if (!__rseq_size) {
		say(t, "SKIP glibc registered no rseq area");
		return;
	}
	signal(SIGUSR1, on_usr1_rseq);
	say(t, "READY");
	r = rseq_spin((char *)__builtin_thread_pointer() + __rseq_offset,
		      &rseq_stop, &aborts);
	if (r == -2)
		say(t, "SKIP no rseq loop for this architecture");
	else if (r)
		say(t, "BAD resumed inside its rseq critical section with rseq_cs cleared (%ld aborts)",
		    aborts);
	else
		say(t, "OK %ld aborts", aborts);
}

/*
 * The agent returns to user mode outside the thread's critical section,
 * where the kernel clears rseq_cs; the thread must get it back, so that
 * the section is aborted when it resumes, as after any stop.
 */
TEST(rseq_critical_section_is_aborted_after_the_agent)
{
	struct scr_call *c = calls_of(64, SYS_getpid);
	struct scr_proc *p;
	struct target t;
	char line[256];

	target_start(&t, rseq_target, NULL);
	expect_line(&t, line, sizeof(line), 5000);
	if (!strncmp(line, "SKIP", 4))
		SKIP("%s", line + 5);
	CHECK(!strcmp(line, "READY"), "%s", line);
	msleep(30);
	for (int i = 0; i < 3; i++) {
		CHECK_OK(scr_attach(t.pid, 0, &p));
		CHECK_EQ(scr_batch(p, 0, c, 64, 0), 64);
		CHECK_EQ(scr_agent_status(p, NULL), 0);
		CHECK_OK(scr_detach(p));
		msleep(10);
	}
	CHECK_EQ(kill(t.pid, SIGUSR1), 0);
	expect_line(&t, line, sizeof(line), 3000);
	if (!strncmp(line, "SKIP", 4))
		SKIP("%s", line + 5);
	CHECK(!strncmp(line, "OK", 2), "target reports: %s", line);
	free(c);
	target_kill(&t);
}

/* ---- the tool dies ---- */

/* A tool that attaches and runs n calls through the agent: nanosleep(1
 * ms) each, or, with n = 0, 64 getpid calls after which it waits with
 * the agent idle in the target.  It is killed before it is done. */
static void doomed_tool(pid_t pid, size_t n)
{
	struct scr_call *c = calls_of(n ? n : 64, n ? SYS_nanosleep : SYS_getpid);
	struct scr_proc *p;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	for (size_t i = 0; n && i < n; i++) {
		c[i].nargs = 2;
		c[i].args[0] = (unsigned long)&one_ms;
	}
	if (scr_attach(pid, 0, &p))
		_exit(2);
	scr_batch(p, 0, c, n ? n : 64, 0);
	for (;;)
		pause();
}

/* The agent runs in pid: its code is mapped, and the thread is in one
 * of the batch's nanosleep calls (busy) or in the agent's futex wait,
 * not in one of the injected calls that place it (a tool killed during
 * one of those leaves the thread running the call, as ptrace would). */
static void wait_agent(pid_t pid, bool busy)
{
	double end = now_s() + 5;
	char want[32];

	snprintf(want, sizeof(want), "%d ", busy ? SYS_nanosleep : SYS_futex);
	for (;;) {
		char *sc = proc_text(pid, "syscall");
		bool in = !strncmp(sc, want, strlen(want));

		free(sc);
		if (in && has(pid, "maps", "/memfd:scremote-agent"))
			return;
		CHECK(now_s() < end, "the agent never ran");
		msleep(5);
	}
}

/*
 * Kills the tool while its agent runs in the target, and checks that
 * within 2 s the target is not traced any more and the ring is gone;
 * then that the next attach removes the code mapping left behind: the
 * map and the descriptors are as before the tool came.
 */
static void kill_tool(struct target *t, bool busy)
{
	char *maps = proc_text(t->pid, "maps"), *fds = fd_list(t->pid);
	struct scr_proc *p;
	pid_t tool = fork();
	double t0;

	CHECK(tool >= 0);
	if (tool == 0)
		doomed_tool(t->pid, busy ? 20000 : 0);
	wait_agent(t->pid, busy);
	t0 = now_s();
	CHECK_EQ(kill(tool, SIGKILL), 0);
	CHECK_EQ(waitpid(tool, NULL, 0), tool);
	for (;;) {
		bool traced = !has(t->pid, "status", "TracerPid:\t0\n");
		bool ring = has(t->pid, "maps", "/memfd: (deleted)");

		if (!traced && !ring)
			break;
		CHECK(now_s() - t0 < 2.0, "2 s after the tool died: %s%s",
		      traced ? "still traced " : "", ring ? "ring still mapped" : "");
		msleep(2);
	}
	CHECK(has(t->pid, "maps", "/memfd:scremote-agent"),
	      "the code mapping went too?");
	/* The next attach removes it, unless the thread is still on its
	 * way out of it (between its munmap and its rt_sigreturn): then
	 * the one after. */
	t0 = now_s();
	do {
		CHECK(now_s() - t0 < 2.0, "the code mapping stays");
		CHECK_OK(scr_attach(t->pid, 0, &p));
		CHECK_OK(scr_detach(p));
	} while (has(t->pid, "maps", "/memfd:scremote-agent"));
	char *m2 = proc_text(t->pid, "maps"), *f2 = fd_list(t->pid);

	CHECK(strcmp(maps, m2) == 0, "maps differ after the next attach:\n%s\n--\n%s",
	      maps, m2);
	CHECK(strcmp(fds, f2) == 0, "descriptors differ:\n%s\n--\n%s", fds, f2);
	free(maps);
	free(m2);
	free(fds);
	free(f2);
}

TEST(tool_killed_mid_batch_a_spinning_target_gets_its_registers_back)
{
	struct target t;

	if (!spin_supported())
		SKIP("no vector registers to check on this CPU");
	target_start(&t, spinner, NULL);
	expect_ready(&t);
	msleep(30);
	kill_tool(&t, true);
	CHECK_EQ(kill(t.pid, SIGUSR1), 0);
	expect_ok(&t, 3000);
	target_kill(&t);
}

TEST(tool_killed_mid_batch_a_blocked_read_goes_on)
{
	struct target t;

	target_start(&t, target_reader, NULL);
	expect_ready(&t);
	wait_in_syscall(t.pid, SYS_read, 2000);
	kill_tool(&t, true);
	CHECK(write(t.in, "hello", 5) == 5);
	expect_ok(&t, 2000);
	target_kill(&t);
}

TEST(tool_killed_between_batches_the_idle_agent_goes_away)
{
	struct target t;

	if (!spin_supported())
		SKIP("no vector registers to check on this CPU");
	target_start(&t, spinner, NULL);
	expect_ready(&t);
	msleep(30);
	kill_tool(&t, false);
	CHECK_EQ(kill(t.pid, SIGUSR1), 0);
	expect_ok(&t, 3000);
	target_kill(&t);
}
