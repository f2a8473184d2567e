/*
 * make bench: the cost of a remote system call against its floor,
 * measured in one run on one target, in interleaved rounds so that the
 * noise of a shared machine falls on both sides alike.
 *
 *   native   getpid() in this process
 *   floor    a bare PTRACE_SINGLESTEP round trip over the target's own
 *            syscall instruction: SETREGS, SINGLESTEP, wait; the faster
 *            of a blocking waitpid and the library's polling wait
 *   session  scr_syscall(getpid) in an attached session
 *   freebsd  scr_sc_remote(getpid) on a thread we trace ourselves
 *
 * and, end to end (process start to exit): `scremote PID getpid` against
 * `gdb -p PID -batch -ex 'call (int)getpid()'`; then the pauses the
 * target itself sees, and the in-target agent's costs (pause.c).
 *
 *   bench [path/to/scremote]
 */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"
#include "pause.h"
#include "scremote.h"

#define ROUNDS 7
#define ITERS 2000

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return v[n / 2];
}

static void die(const char *what, int err)
{
	fprintf(stderr, "bench: %s: %s\n", what, strerror(err));
	exit(1);
}

static pid_t spawn_target(void)
{
	pid_t pid = fork();

	if (pid < 0)
		die("fork", errno);
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		for (;;)
			pause();
	}
	return pid;
}

static double native_round(void)
{
	double t0 = now_us();

	for (int i = 0; i < ITERS * 50; i++)
		syscall(SYS_getpid);
	return (now_us() - t0) / (ITERS * 50);
}

/* The floor, on a target this function attaches to by itself. */
static double floor_round(pid_t pid, unsigned long insn, bool poll)
{
	struct arch_regs saved, r;
	struct scr_deadline dl;
	int status;
	double t0;

	scr__deadline_init(&dl, 60000);
	if (ptrace(PTRACE_SEIZE, pid, 0, 0) || ptrace(PTRACE_INTERRUPT, pid, 0, 0))
		die("seize", errno);
	waitpid(pid, &status, __WALL);
	arch_get_regs(pid, &saved);
	r = saved;
	arch_prepare_call(&r, insn, SYS_getpid, NULL, 0);
	t0 = now_us();
	for (int i = 0; i < ITERS; i++) {
		arch_set_regs(pid, &r);
		ptrace(PTRACE_SINGLESTEP, pid, 0, 0);
		if (poll)
			scr__wait(pid, &status, &dl);
		else
			waitpid(pid, &status, __WALL);
	}
	t0 = (now_us() - t0) / ITERS;
	arch_set_regs(pid, &saved);
	ptrace(PTRACE_DETACH, pid, 0, 0);
	return t0;
}

static double session_round(pid_t pid)
{
	struct scr_proc *p;
	struct ptrace_sc_ret ret;
	double t0;
	int e = scr_attach(pid, 0, &p);

	if (e)
		die("scr_attach", -e);
	t0 = now_us();
	for (int i = 0; i < ITERS; i++) {
		e = scr_syscall(p, 0, SYS_getpid, NULL, 0, &ret);
		if (e || ret.sr_retval[0] != pid)
			die("scr_syscall", e ? -e : EPROTO);
	}
	t0 = (now_us() - t0) / ITERS;
	scr_detach(p);
	return t0;
}

/*
 * scr_sc_remote() on a thread the caller stopped itself: with
 * PTRACE_SEIZE and PTRACE_INTERRUPT (a PTRACE_EVENT_STOP, which the call
 * must recreate by a second stop: resumed with data, an event stop and
 * the signal-delivery stop a single step leaves behave apart), or with
 * PTRACE_ATTACH (its SIGSTOP's signal-delivery stop, which the step's
 * own stop becomes by its siginfo alone).
 */
static double freebsd_round(pid_t pid, bool event_stop)
{
	struct ptrace_sc_remote pscr = { .pscr_syscall = SYS_getpid };
	int status;
	double t0;

	if (event_stop ? ptrace(PTRACE_SEIZE, pid, 0, 0) ||
			 ptrace(PTRACE_INTERRUPT, pid, 0, 0) :
			 ptrace(PTRACE_ATTACH, pid, 0, 0))
		die("attach", errno);
	waitpid(pid, &status, __WALL);
	t0 = now_us();
	for (int i = 0; i < ITERS; i++) {
		if (scr_sc_remote(pid, &pscr) || pscr.pscr_ret.sr_retval[0] != pid)
			die("scr_sc_remote", errno);
	}
	t0 = (now_us() - t0) / ITERS;
	ptrace(PTRACE_DETACH, pid, 0, 0);
	return t0;
}

/* Wall time of one run of a command, output discarded; < 0 on failure. */
static double time_cmd(char *const argv[])
{
	posix_spawn_file_actions_t fa;
	double t0 = now_us();
	int status;
	pid_t pid;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	if (posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ))
		return -1;
	posix_spawn_file_actions_destroy(&fa);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0)
		return -1;
	return now_us() - t0;
}

static double median_cmd(char *const argv[], int runs)
{
	double v[64];

	for (int i = 0; i < runs; i++) {
		v[i] = time_cmd(argv);
		if (v[i] < 0)
			return -1;
	}
	return median(v, runs);
}

static void end_to_end(const char *scremote)
{
	char pidbuf[32];
	pid_t pid = spawn_target();
	char *cli[] = { (char *)scremote, pidbuf, "getpid", NULL };
	char *gdb[] = { "gdb", "-nx", "-p", pidbuf, "-batch", "-ex",
			"call (int)getpid()", NULL };
	double c, g;

	snprintf(pidbuf, sizeof(pidbuf), "%d", (int)pid);
	usleep(10000);
	c = median_cmd(cli, 31);
	printf("end to end, process start to exit, medians:\n");
	if (c < 0) {
		printf("  scremote PID getpid: could not run %s\n", scremote);
	} else {
		printf("  scremote PID getpid      %8.2f ms\n", c / 1000);
		g = median_cmd(gdb, 3);
		if (g < 0)
			printf("  gdb: not available here, no comparison\n");
		else
			printf("  gdb -p PID call getpid() %8.2f ms\n"
			       "ratio gdb / scremote:         %.0fx (goal >= 100x)\n",
			       g / 1000, g / c);
	}
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

int main(int argc, char **argv)
{
	double nat[ROUNDS], flo[ROUNDS], ses[ROUNDS], fbsd[ROUNDS], fsig[ROUNDS];
	unsigned long insn;
	pid_t pid = spawn_target();
	int e;

	usleep(10000);
	e = scr__find_insn(pid, arch_abi_of(&(struct arch_regs){ 0 }), &insn);
	if (e)
		die("no syscall instruction in the target's vDSO", -e);
	for (int i = 0; i < ROUNDS; i++) {
		nat[i] = native_round();
		double blocking = floor_round(pid, insn, false);
		double polling = floor_round(pid, insn, true);

		flo[i] = blocking < polling ? blocking : polling;
		ses[i] = session_round(pid);
		fbsd[i] = freebsd_round(pid, true);
		fsig[i] = freebsd_round(pid, false);
	}
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);

	double n = median(nat, ROUNDS), f = median(flo, ROUNDS);
	double s = median(ses, ROUNDS), b = median(fbsd, ROUNDS);
	double bs = median(fsig, ROUNDS);

	printf("remote getpid, %d rounds x %d calls, medians of rounds:\n",
	       ROUNDS, ITERS);
	printf("  native getpid            %8.3f us\n", n);
	printf("  floor (bare single-step) %8.3f us\n", f);
	printf("  scr_syscall (session)    %8.3f us\n", s);
	printf("  scr_sc_remote, event stop %7.3f us\n", b);
	printf("  scr_sc_remote, signal stop %6.3f us\n", bs);
	printf("ratio scr_syscall / floor:    %.2fx (goal <= 1.30x)\n", s / f);
	printf("ratio scr_sc_remote / floor:  %.2fx at an event stop, %.2fx at a signal stop (goal <= 1.30x)\n",
	       b / f, bs / f);
	printf("ratio floor / native:         %.0fx\n", f / n);
	fflush(stdout);
	if (argc > 1)
		end_to_end(argv[1]);
	fflush(stdout);
	bench_pauses(argc > 1 ? argv[1] : NULL, n, f);
	return 0;
}
