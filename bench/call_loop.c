/*
 * The C side of bench/python_bench.py: the same remote calls as the
 * Python side, through the same shared library, timed the same way.
 *
 *   call_loop PID N call    N x scr_syscall(getpid), one session
 *   call_loop PID N batch   one scr_batch() of N getpid calls
 *
 * Attaches, times the loop alone, detaches, and prints the microseconds
 * per call, elapsed and of user CPU time (this process's own work: the
 * part a binding adds to); exits 1 with a message on any failure.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "scremote.h"

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static double user_us(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_utime.tv_sec * 1e6 + (double)ru.ru_utime.tv_usec;
}

static int fail(const char *what, int err)
{
	fprintf(stderr, "call_loop: %s: %s\n", what, strerror(err));
	return 1;
}

static int calls(struct scr_proc *p, long nr, pid_t pid, int n, double *us)
{
	struct ptrace_sc_ret ret;
	double t0 = now_us();

	for (int i = 0; i < n; i++) {
		int e = scr_syscall(p, 0, nr, NULL, 0, &ret);

		if (e || ret.sr_retval[0] != pid)
			return e ? -e : EPROTO;
	}
	*us = (now_us() - t0) / n;
	return 0;
}

static int batch(struct scr_proc *p, long nr, pid_t pid, int n, double *us)
{
	struct scr_call *c = calloc((size_t)n, sizeof(*c));
	double t0;
	int r;

	if (!c)
		return ENOMEM;
	for (int i = 0; i < n; i++)
		c[i].nr = nr;
	t0 = now_us();
	r = scr_batch(p, 0, c, (size_t)n, SCR_BATCH_STOP_ON_ERROR);
	*us = (now_us() - t0) / n;
	if (r == n && c[n - 1].ret.sr_retval[0] != pid)
		r = -EPROTO;
	free(c);
	return r == n ? 0 : (r < 0 ? -r : EPROTO);
}

int main(int argc, char **argv)
{
	struct scr_proc *p;
	pid_t pid;
	long nr;
	double us = 0, u0;
	int n, e;

	if (argc != 4 || (strcmp(argv[3], "call") && strcmp(argv[3], "batch"))) {
		fprintf(stderr, "usage: call_loop PID N call|batch\n");
		return 2;
	}
	pid = (pid_t)atoi(argv[1]);
	n = atoi(argv[2]);
	if (pid <= 0 || n <= 0)
		return fail("arguments", EINVAL);
	e = scr_attach(pid, 0, &p);
	if (e)
		return fail("scr_attach", -e);
	nr = scr_syscall_nr(scr_abi(p), "getpid");
	u0 = user_us();
	if (nr < 0)
		e = (int)-nr;
	else if (argv[3][0] == 'c')
		e = calls(p, nr, pid, n, &us);
	else
		e = batch(p, nr, pid, n, &us);
	u0 = (user_us() - u0) / n;
	scr_detach(p);
	if (e)
		return fail(argv[3], e);
	printf("%.3f %.3f\n", us, u0);
	return 0;
}
