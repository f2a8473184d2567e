/*
 * scr_sc_remote(): FreeBSD's PT_SC_REMOTE contract, after FreeBSD's
 * tests/sys/kern/ptrace_test.c, in every kind of ptrace-stop, with every
 * error path.  Each test forks a fresh target into one precise state.
 */
#include <signal.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "arch.h"
#include "harness.h"
#include "scremote.h"
#include "targets.h"

static long remote(pid_t tid, long nr, int *err)
{
	struct ptrace_sc_remote pscr = { .pscr_syscall = (unsigned int)nr };
	int r = scr_sc_remote(tid, &pscr);

	CHECK(r == 0, "scr_sc_remote(%ld) = %d, errno %s", nr, r,
	      strerror(errno));
	*err = pscr.pscr_ret.sr_error;
	return pscr.pscr_ret.sr_retval[0];
}

static void no_status_left(pid_t pid)
{
	int status;

	CHECK_EQ(waitpid(pid, &status, __WALL | WNOHANG), 0);
}

static void check_getpid_getppid(pid_t pid)
{
	int err;

	CHECK_EQ(remote(pid, SYS_getpid, &err), pid);
	CHECK_EQ(err, 0);
	CHECK_EQ(remote(pid, SYS_getppid, &err), getpid());
	CHECK_EQ(err, 0);
	no_status_left(pid);
}


static void wait_stop(pid_t pid, int *status)
{
	CHECK_EQ(waitpid(pid, status, __WALL), pid);
	CHECK(WIFSTOPPED(*status), "status %x", *status);
}

/* Seizes pid with options opts and stops it with PTRACE_INTERRUPT. */
static void seize_stopped(pid_t pid, long opts, int *status)
{
	CHECK_EQ(ptrace(PTRACE_SEIZE, pid, 0, opts), 0);
	CHECK_EQ(ptrace(PTRACE_INTERRUPT, pid, 0, 0), 0);
	wait_stop(pid, status);
}

/*
 * pid is blocked in read(): seize it with syscall tracing and let it
 * block there again, traced, so that its next stop is the read's exit.
 */
static void traced_read(pid_t pid)
{
	int status;

	seize_stopped(pid, PTRACE_O_TRACESYSGOOD, &status);
	CHECK_EQ(ptrace(PTRACE_SYSCALL, pid, 0, 0), 0);
	wait_stop(pid, &status);		/* read re-entered */
	CHECK_EQ(WSTOPSIG(status), SIGTRAP | 0x80);
	CHECK_EQ(ptrace(PTRACE_SYSCALL, pid, 0, 0), 0);
	wait_in_syscall(pid, SYS_read, 2000);
}

TEST(getpid_getppid_at_attach_stop)
{
	struct target t;
	int status;

	target_start(&t, target_idle, NULL);
	expect_ready(&t);
	CHECK_EQ(ptrace(PTRACE_ATTACH, t.pid, 0, 0), 0);
	wait_stop(t.pid, &status);
	CHECK_EQ(WSTOPSIG(status), SIGSTOP);
	check_getpid_getppid(t.pid);
	CHECK_EQ(ptrace(PTRACE_DETACH, t.pid, 0, 0), 0);
	wait_state(t.pid, 'S', 2000);
	target_kill(&t);
}

TEST(getpid_getppid_at_interrupt_stop)
{
	struct target t;
	int status;

	target_start(&t, target_idle, NULL);
	expect_ready(&t);
	seize_stopped(t.pid, 0, &status);
	CHECK_EQ(status >> 16, PTRACE_EVENT_STOP);
	for (int i = 0; i < 100; i++)
		check_getpid_getppid(t.pid);
	CHECK_EQ(ptrace(PTRACE_DETACH, t.pid, 0, 0), 0);
	wait_state(t.pid, 'S', 2000);
	target_kill(&t);
}

TEST(getpid_at_group_stop_of_attached)
{
	struct target t;
	siginfo_t si;
	int status;

	target_start(&t, target_idle, NULL);
	expect_ready(&t);
	CHECK_EQ(ptrace(PTRACE_ATTACH, t.pid, 0, 0), 0);
	wait_stop(t.pid, &status);
	/* Deliver the SIGSTOP: the tracee enters a group-stop, which has
	 * no siginfo for a PTRACE_ATTACHed tracee. */
	CHECK_EQ(ptrace(PTRACE_CONT, t.pid, 0, SIGSTOP), 0);
	wait_stop(t.pid, &status);
	CHECK_EQ(ptrace(PTRACE_GETSIGINFO, t.pid, 0, &si), -1);
	CHECK_EQ(errno, EINVAL);
	check_getpid_getppid(t.pid);
	CHECK_EQ(ptrace(PTRACE_DETACH, t.pid, 0, 0), 0);
	/* Detached from a group-stop: still stopped, as before the call. */
	wait_state(t.pid, 'T', 2000);
	kill(t.pid, SIGCONT);
	wait_state(t.pid, 'S', 2000);
	target_kill(&t);
}

TEST(enosys_for_unknown_numbers)
{
	struct ptrace_sc_remote pscr = { 0 };
	unsigned int nrs[] = { 5000, 0x7fffffffu, 0x80000000u, 0xffffffffu };
	struct target t;
	int status;

	target_start(&t, target_idle, NULL);
	expect_ready(&t);
	seize_stopped(t.pid, 0, &status);
	for (size_t i = 0; i < sizeof(nrs) / sizeof(nrs[0]); i++) {
		pscr.pscr_syscall = nrs[i];
		CHECK_EQ(scr_sc_remote(t.pid, &pscr), 0);
		CHECK(pscr.pscr_ret.sr_error == ENOSYS, "nr %u gave error %d "
		      "retval %ld", nrs[i], pscr.pscr_ret.sr_error,
		      pscr.pscr_ret.sr_retval[0]);
	}
	check_getpid_getppid(t.pid);
	target_kill(&t);
}

TEST(enosys_not_aliased_in_session)
{
	struct scr_proc *p;
	struct ptrace_sc_ret ret;
	struct target t;
	/* The kernel reads only the low 32 bits of the number: this one
	 * would be getpid if it were passed on as it is. */
	long nr = (1L << 32) + SYS_getpid;

	target_start(&t, target_idle, NULL);
	expect_ready(&t);
	CHECK_OK(scr_attach(t.pid, 0, &p));
	CHECK_OK(scr_syscall(p, 0, nr, NULL, 0, &ret));
	CHECK_EQ(ret.sr_error, ENOSYS);
	CHECK_OK(scr_syscall(p, 0, -1, NULL, 0, &ret));
	CHECK_EQ(ret.sr_error, ENOSYS);
	CHECK_OK(scr_detach(p));
	target_kill(&t);
}

TEST(bad_arguments)
{
	unsigned long args[8] = { 0 };
	struct ptrace_sc_remote pscr = { .pscr_syscall = SYS_getpid };
	struct arch_regs before, after;
	struct target t;
	int status;

	target_start(&t, target_idle, NULL);
	expect_ready(&t);
	seize_stopped(t.pid, 0, &status);
	CHECK_OK(arch_get_regs(t.pid, &before));

	errno = 0;
	CHECK_EQ(scr_sc_remote(t.pid, NULL), -1);
	CHECK_EQ(errno, EFAULT);
	pscr.pscr_nargs = 1;
	pscr.pscr_args = NULL;
	CHECK_EQ(scr_sc_remote(t.pid, &pscr), -1);
	CHECK_EQ(errno, EFAULT);
	pscr.pscr_nargs = 7;
	pscr.pscr_args = args;
	CHECK_EQ(scr_sc_remote(t.pid, &pscr), -1);
	CHECK_EQ(errno, EINVAL);

	CHECK_OK(arch_get_regs(t.pid, &after));
	CHECK(memcmp(&before, &after, sizeof(before)) == 0);
	pscr.pscr_nargs = 6;
	CHECK_EQ(scr_sc_remote(t.pid, &pscr), 0);
	CHECK_EQ(pscr.pscr_ret.sr_retval[0], t.pid);
	no_status_left(t.pid);
	target_kill(&t);
}

TEST(esrch_not_traced_not_stopped_gone)
{
	struct ptrace_sc_remote pscr = { .pscr_syscall = SYS_getpid };
	struct target t;
	pid_t gone;

	target_start(&t, target_idle, NULL);
	expect_ready(&t);
	/* Not traced at all. */
	CHECK_EQ(scr_sc_remote(t.pid, &pscr), -1);
	CHECK_EQ(errno, ESRCH);
	/* Traced, but running. */
	CHECK_EQ(ptrace(PTRACE_SEIZE, t.pid, 0, 0), 0);
	CHECK_EQ(scr_sc_remote(t.pid, &pscr), -1);
	CHECK_EQ(errno, ESRCH);
	/* Gone. */
	gone = fork();
	if (gone == 0)
		_exit(0);
	waitpid(gone, NULL, 0);
	CHECK_EQ(scr_sc_remote(gone, &pscr), -1);
	CHECK_EQ(errno, ESRCH);
	CHECK_EQ(scr_sc_remote(0, &pscr), -1);
	CHECK_EQ(errno, ESRCH);
	/* The traced, running target was not disturbed. */
	wait_state(t.pid, 'S', 2000);
	target_kill(&t);
}

static void getppid_loop(struct target *t, void *arg)
{
	(void)arg;
	say(t, "READY");
	for (;;)
		syscall(SYS_getppid);
}

TEST(ebusy_at_syscall_entry_then_continues)
{
	struct ptrace_sc_remote pscr = { .pscr_syscall = SYS_getpid };
	struct __ptrace_syscall_info info;
	struct arch_regs regs;
	struct target t;
	int status;

	target_start(&t, getppid_loop, NULL);
	expect_ready(&t);
	seize_stopped(t.pid, PTRACE_O_TRACESYSGOOD, &status);
	CHECK_EQ(ptrace(PTRACE_SYSCALL, t.pid, 0, 0), 0);
	wait_stop(t.pid, &status);
	CHECK_EQ(WSTOPSIG(status), SIGTRAP | 0x80);
	CHECK(ptrace(PTRACE_GET_SYSCALL_INFO, t.pid, sizeof(info), &info) > 0);
	CHECK_EQ(info.op, PTRACE_SYSCALL_INFO_ENTRY);
	CHECK_EQ(scr_sc_remote(t.pid, &pscr), -1);
	CHECK_EQ(errno, EBUSY);
	no_status_left(t.pid);
	/* The pending call still runs, and returns what it should. */
	CHECK_EQ(ptrace(PTRACE_SYSCALL, t.pid, 0, 0), 0);
	wait_stop(t.pid, &status);
	CHECK_EQ(WSTOPSIG(status), SIGTRAP | 0x80);
	CHECK_OK(arch_get_regs(t.pid, &regs));
	CHECK_EQ(arch_cur_syscall(&regs), SYS_getppid);
	CHECK_EQ(arch_retval(&regs), getpid());
	target_kill(&t);
}

TEST(ebusy_at_syscall_entry_without_tracesysgood)
{
	struct ptrace_sc_remote pscr = { .pscr_syscall = SYS_getpid };
	struct target t;
	int status;

	target_start(&t, getppid_loop, NULL);
	expect_ready(&t);
	seize_stopped(t.pid, 0, &status);
	CHECK_EQ(ptrace(PTRACE_SYSCALL, t.pid, 0, 0), 0);
	wait_stop(t.pid, &status);
	CHECK_EQ(WSTOPSIG(status), SIGTRAP);
	CHECK_EQ(scr_sc_remote(t.pid, &pscr), -1);
	CHECK_EQ(errno, EBUSY);
	/* ... and the exit stop is a safe place. */
	CHECK_EQ(ptrace(PTRACE_SYSCALL, t.pid, 0, 0), 0);
	wait_stop(t.pid, &status);
	CHECK_EQ(WSTOPSIG(status), SIGTRAP);
	check_getpid_getppid(t.pid);
	target_kill(&t);
}

static void forker(struct target *t, void *arg)
{
	(void)arg;
	say(t, "READY");
	for (;;) {
		char c;

		if (read(t->tgt_in, &c, 1) != 1)
			_exit(1);
		pid_t k = fork();

		if (k == 0)
			_exit(0);
		waitpid(k, NULL, 0);
		if (c == 'e')
			execl("/bin/true", "true", (char *)NULL);
	}
}

/* Continues pid, passing signals on, until it reports event. */
static void cont_to_event(pid_t pid, int event)
{
	int status, sig = 0;

	for (;;) {
		CHECK_EQ(ptrace(PTRACE_CONT, pid, 0, sig), 0);
		wait_stop(pid, &status);
		if ((status >> 16) == event)
			return;
		CHECK_EQ(status >> 16, 0);
		sig = WSTOPSIG(status);
	}
}

TEST(ebusy_at_fork_exec_exit_events)
{
	struct ptrace_sc_remote pscr = { .pscr_syscall = SYS_getpid };
	struct target t;
	int status;

	target_start(&t, forker, NULL);
	expect_ready(&t);
	CHECK_EQ(ptrace(PTRACE_SEIZE, t.pid, 0, PTRACE_O_TRACEFORK |
			PTRACE_O_TRACEEXEC | PTRACE_O_TRACEEXIT), 0);
	CHECK(write(t.in, "e", 1) == 1);
	wait_stop(t.pid, &status);
	CHECK_EQ(status >> 16, PTRACE_EVENT_FORK);
	CHECK_EQ(scr_sc_remote(t.pid, &pscr), -1);
	CHECK_EQ(errno, EBUSY);
	no_status_left(t.pid);
	/* Let the new child go: it was attached too, and stopped. */
	unsigned long child;
	CHECK_EQ(ptrace(PTRACE_GETEVENTMSG, t.pid, 0, &child), 0);
	wait_stop((pid_t)child, &status);
	CHECK_EQ(ptrace(PTRACE_DETACH, (pid_t)child, 0, 0), 0);
	cont_to_event(t.pid, PTRACE_EVENT_EXEC);
	CHECK_EQ(scr_sc_remote(t.pid, &pscr), -1);
	CHECK_EQ(errno, EBUSY);
	cont_to_event(t.pid, PTRACE_EVENT_EXIT);
	CHECK_EQ(scr_sc_remote(t.pid, &pscr), -1);
	CHECK_EQ(errno, EBUSY);
	CHECK_EQ(ptrace(PTRACE_CONT, t.pid, 0, 0), 0);
	CHECK_EQ(waitpid(t.pid, &status, __WALL), t.pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

/* The target reads 5 bytes and checks it got them, whatever happens. */

TEST(syscall_exit_stop_keeps_return_value)
{
	struct ptrace_sc_remote pscr = { .pscr_syscall = SYS_getppid };
	struct __ptrace_syscall_info info;
	struct arch_regs before, after;
	struct target t;
	int status;

	target_start(&t, target_reader, NULL);
	expect_ready(&t);
	wait_in_syscall(t.pid, SYS_read, 2000);
	seize_stopped(t.pid, PTRACE_O_TRACESYSGOOD, &status);
	/* Resume: the interrupted read restarts (entry stop)... */
	CHECK_EQ(ptrace(PTRACE_SYSCALL, t.pid, 0, 0), 0);
	wait_stop(t.pid, &status);
	CHECK_EQ(WSTOPSIG(status), SIGTRAP | 0x80);
	CHECK(write(t.in, "hello", 5) == 5);
	/* ... and returns 5 at its exit stop. */
	CHECK_EQ(ptrace(PTRACE_SYSCALL, t.pid, 0, 0), 0);
	wait_stop(t.pid, &status);
	CHECK_EQ(WSTOPSIG(status), SIGTRAP | 0x80);
	CHECK_OK(arch_get_regs(t.pid, &before));
	CHECK_EQ(arch_retval(&before), 5);

	for (int i = 0; i < 10; i++) {
		CHECK_EQ(scr_sc_remote(t.pid, &pscr), 0);
		CHECK_EQ(pscr.pscr_ret.sr_retval[0], getpid());
	}
	no_status_left(t.pid);
	CHECK_OK(arch_get_regs(t.pid, &after));
	CHECK(memcmp(&before, &after, sizeof(before)) == 0,
	      "registers differ after the calls");
	/* Still the same kind of stop, as FreeBSD leaves it. */
	CHECK(ptrace(PTRACE_GET_SYSCALL_INFO, t.pid, sizeof(info), &info) > 0);
	CHECK_EQ(info.op, PTRACE_SYSCALL_INFO_EXIT);
	CHECK_EQ(info.exit.rval, 5);
	CHECK_EQ(ptrace(PTRACE_DETACH, t.pid, 0, 0), 0);
	expect_ok(&t, 2000);
	target_kill(&t);
}

static volatile sig_atomic_t usr1_code, usr1_value, usr1_pid, usr1_count;

static void on_usr1(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	usr1_code = si->si_code;
	usr1_value = si->si_value.sival_int;
	usr1_pid = si->si_pid;
	usr1_count++;
}

static void queues_usr1(struct target *t, void *arg)
{
	struct sigaction sa = { .sa_sigaction = on_usr1,
				.sa_flags = SA_SIGINFO };
	char c;

	(void)arg;
	sigaction(SIGUSR1, &sa, NULL);
	say(t, "READY");
	if (read(t->tgt_in, &c, 1) != 1)
		_exit(1);
	sigqueue(getpid(), SIGUSR1, (union sigval){ .sival_int = 4242 });
	if (c == 'd') {
		if (usr1_count != 1 || usr1_code != SI_QUEUE ||
		    usr1_value != 4242 || usr1_pid != getpid())
			say(t, "BAD handler saw count %d code %d value %d pid %d",
			    (int)usr1_count, (int)usr1_code, (int)usr1_value,
			    (int)usr1_pid);
		else
			say(t, "OK");
	} else {
		say(t, usr1_count == 0 ? "OK" : "BAD suppressed signal ran");
	}
	for (;;)
		pause();
}

static void signal_stop_case(char mode)
{
	struct target t;
	siginfo_t si, si_after;
	int status;

	target_start(&t, queues_usr1, NULL);
	expect_ready(&t);
	CHECK_EQ(ptrace(PTRACE_SEIZE, t.pid, 0, 0), 0);
	CHECK(write(t.in, &mode, 1) == 1);
	wait_stop(t.pid, &status);
	CHECK_EQ(WSTOPSIG(status), SIGUSR1);
	CHECK_EQ(ptrace(PTRACE_GETSIGINFO, t.pid, 0, &si), 0);
	check_getpid_getppid(t.pid);
	CHECK_EQ(ptrace(PTRACE_GETSIGINFO, t.pid, 0, &si_after), 0);
	CHECK(memcmp(&si, &si_after, sizeof(si)) == 0, "siginfo changed");
	CHECK_EQ(ptrace(PTRACE_CONT, t.pid, 0, mode == 'd' ? SIGUSR1 : 0), 0);
	expect_ok(&t, 2000);
	target_kill(&t);
}

TEST(signal_stop_signal_delivered_with_siginfo)
{
	signal_stop_case('d');
}

TEST(signal_stop_signal_suppressed_stays_suppressed)
{
	signal_stop_case('s');
}

static volatile sig_atomic_t usr2_count;

static void on_usr2(int sig)
{
	(void)sig;
	usr2_count++;
}

/* Reads 5 bytes; a SIGUSR2 arrives meanwhile, with a handler that has
 * SA_RESTART (arg != 0: the read goes on) or not (the read fails with
 * EINTR, as it would with no tracer at all). */
static void interrupted_reader(struct target *t, void *arg)
{
	struct sigaction sa = { .sa_handler = on_usr2 };
	char buf[16] = { 0 };
	ssize_t n;

	sa.sa_flags = arg ? SA_RESTART : 0;
	sigaction(SIGUSR2, &sa, NULL);
	say(t, "READY");
	n = read(t->tgt_in, buf, 5);
	if (usr2_count != 1)
		say(t, "BAD handler ran %d times", (int)usr2_count);
	else if (arg && (n != 5 || memcmp(buf, "hello", 5) != 0))
		say(t, "BAD read returned %zd (%s)", n,
		    n < 0 ? strerror(errno) : buf);
	else if (!arg && (n != -1 || errno != EINTR))
		say(t, "BAD read returned %zd, not EINTR", n);
	else
		say(t, "OK");
}

static void restart_at_signal_stop(long sa_restart)
{
	struct arch_regs before, after;
	struct target t;
	int status;

	target_start(&t, interrupted_reader, (void *)sa_restart);
	expect_ready(&t);
	wait_in_syscall(t.pid, SYS_read, 2000);
	CHECK_EQ(ptrace(PTRACE_SEIZE, t.pid, 0, 0), 0);
	CHECK_EQ(kill(t.pid, SIGUSR2), 0);
	wait_stop(t.pid, &status);
	CHECK_EQ(WSTOPSIG(status), SIGUSR2);
	CHECK_OK(arch_get_regs(t.pid, &before));
	if (!arch_abi_of(&before)->restart_before_stop)
		CHECK_EQ(arch_retval(&before), -512);	/* -ERESTARTSYS pending */
	else if (!sa_restart)	/* the EINTR is decided after the stop */
		SKIP("the kernel decides EINTR from state a call replaces");
	check_getpid_getppid(t.pid);
	CHECK_OK(arch_get_regs(t.pid, &after));
	CHECK(memcmp(&before, &after, sizeof(before)) == 0);
	CHECK_EQ(ptrace(PTRACE_DETACH, t.pid, 0, SIGUSR2), 0);
	if (sa_restart) {
		wait_in_syscall(t.pid, SYS_read, 2000);
		CHECK(write(t.in, "hello", 5) == 5);
	}
	expect_ok(&t, 2000);
	target_kill(&t);
}

TEST(signal_stop_in_restartable_read_restarts)
{
	restart_at_signal_stop(1);
}

TEST(signal_stop_in_read_without_sa_restart_gives_eintr)
{
	restart_at_signal_stop(0);
}

TEST(syscall_exit_stop_with_restart_pending_restarts)
{
	struct arch_regs before, after;
	struct target t;
	int status;

	target_start(&t, interrupted_reader, (void *)1L);
	expect_ready(&t);
	wait_in_syscall(t.pid, SYS_read, 2000);
	traced_read(t.pid);
	CHECK_EQ(kill(t.pid, SIGUSR2), 0);
	wait_stop(t.pid, &status);		/* its exit: -ERESTARTSYS */
	CHECK_EQ(WSTOPSIG(status), SIGTRAP | 0x80);
	CHECK_OK(arch_get_regs(t.pid, &before));
	CHECK_EQ(arch_retval(&before), -512);
	if (arch_exit_stop_safe(&before)) {
		check_getpid_getppid(t.pid);
	} else {	/* the restart needs state a call would destroy */
		struct ptrace_sc_remote pscr = { .pscr_syscall = SYS_getpid };

		CHECK_EQ(scr_sc_remote(t.pid, &pscr), -1);
		CHECK_EQ(errno, EBUSY);
		no_status_left(t.pid);
	}
	CHECK_OK(arch_get_regs(t.pid, &after));
	CHECK(memcmp(&before, &after, sizeof(before)) == 0);
	/* On: the signal is delivered, its handler runs, read restarts. */
	CHECK_EQ(ptrace(PTRACE_SYSCALL, t.pid, 0, 0), 0);
	wait_stop(t.pid, &status);
	CHECK_EQ(WSTOPSIG(status), SIGUSR2);
	CHECK_EQ(ptrace(PTRACE_DETACH, t.pid, 0, SIGUSR2), 0);
	wait_in_syscall(t.pid, SYS_read, 2000);
	CHECK(write(t.in, "hello", 5) == 5);
	expect_ok(&t, 2000);
	target_kill(&t);
}

/*
 * An exit stop with a restart pending that no signal will act on: the
 * read was interrupted by PTRACE_INTERRUPT, not by a signal.  Only
 * get_signal() applies the restart, so the call must end there (found by
 * review: the read used to return errno 512).
 */
TEST(syscall_exit_stop_restart_without_a_signal)
{
	struct arch_regs before, after;
	struct target t;
	int status;

	target_start(&t, target_reader, NULL);
	expect_ready(&t);
	wait_in_syscall(t.pid, SYS_read, 2000);
	traced_read(t.pid);
	CHECK_EQ(ptrace(PTRACE_INTERRUPT, t.pid, 0, 0), 0);
	wait_stop(t.pid, &status);		/* its exit: -ERESTARTSYS */
	CHECK_EQ(WSTOPSIG(status), SIGTRAP | 0x80);
	CHECK_OK(arch_get_regs(t.pid, &before));
	CHECK_EQ(arch_retval(&before), -512);
	if (arch_exit_stop_safe(&before)) {
		check_getpid_getppid(t.pid);
		CHECK_OK(arch_get_regs(t.pid, &after));
		CHECK_EQ(arch_retval(&after), -512);
	} else {
		/* Where the restart cannot be kept (arm64, riscv: orig_x0 is
		 * invisible), the stop is refused, as FreeBSD would. */
		struct ptrace_sc_remote pscr = { .pscr_syscall = SYS_getpid };

		CHECK_EQ(scr_sc_remote(t.pid, &pscr), -1);
		CHECK_EQ(errno, EBUSY);
	}
	CHECK_EQ(ptrace(PTRACE_DETACH, t.pid, 0, 0), 0);
	wait_in_syscall(t.pid, SYS_read, 2000);
	CHECK(write(t.in, "hello", 5) == 5);
	expect_ok(&t, 2000);
	target_kill(&t);
}
