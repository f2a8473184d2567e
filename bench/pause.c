/*
 * The pause meter: a target whose second thread reads the clock in a
 * loop and records every stall longer than GAP_NS (start and end), in
 * memory it shares with the bench.  The pause of an operation is the
 * longest stall that overlaps it: what the target itself experienced,
 * from the stop to the first instruction after the release.
 *
 * On a machine with two CPUs or more, the target runs on the last one
 * and the tool (the bench, scremote, gdb) on the others: the meter must
 * not compete with the tool, and a tool that the scheduler puts on the
 * CPU of a spinning agent would starve it (or be starved).  On a busy
 * machine the tool then waits behind the other work of its CPUs: the
 * load average is printed with the figures.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "pause.h"
#include "scremote.h"

#define GAP_NS		20000ULL	/* shorter stalls are noise */
#define NGAPS		4096
#define RUNS		7
#define CLI_RUNS	21
#define LIB_RUNS	21
#define GDB_RUNS	3
#define BATCH		10000
#define SINGLE_ITERS	2000

struct meter {
	volatile uint32_t head;		/* stalls recorded so far */
	volatile uint32_t ready;
	struct {
		volatile uint64_t start, end;
	} gap[NGAPS];
};

struct pause_target {
	pid_t pid;
	struct meter *m;
};

static uint64_t ns_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static int ncpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n > 0 ? (int)n : 1;
}

/* Pins tid to the last CPU (last), or to all the others. */
static void pin(pid_t tid, bool last)
{
	cpu_set_t set;
	int n = ncpus();

	if (n < 2)
		return;
	CPU_ZERO(&set);
	for (int cpu = 0; cpu < n; cpu++)
		if ((cpu == n - 1) == last)
			CPU_SET(cpu, &set);
	sched_setaffinity(tid, sizeof(set), &set);
}

static void *meter_loop(void *arg)
{
	struct meter *m = arg;
	uint64_t prev = ns_now();

	m->ready = 1;
	for (;;) {
		uint64_t t = ns_now();

		if (t - prev > GAP_NS) {
			uint32_t h = m->head;

			m->gap[h % NGAPS].start = prev;
			m->gap[h % NGAPS].end = t;
			__atomic_store_n(&m->head, h + 1, __ATOMIC_RELEASE);
		}
		prev = t;
	}
	return NULL;
}

static int start_target(struct pause_target *pt)
{
	pthread_t th;

	pt->m = mmap(NULL, sizeof(*pt->m), PROT_READ | PROT_WRITE,
		     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (pt->m == MAP_FAILED)
		return -errno;
	pt->pid = fork();
	if (pt->pid < 0)
		return -errno;
	if (pt->pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		pin(0, true);
		/* Run again as soon as it may: what it measures is our
		 * stop, not the scheduler's delay in giving its CPU back. */
		setpriority(PRIO_PROCESS, 0, -20);
		if (pthread_create(&th, NULL, meter_loop, pt->m))
			_exit(1);
		for (;;)
			pause();
	}
	while (!pt->m->ready)
		usleep(1000);
	usleep(20000);
	return 0;
}

static void stop_target(struct pause_target *pt)
{
	kill(pt->pid, SIGKILL);
	waitpid(pt->pid, NULL, 0);
	munmap(pt->m, sizeof(*pt->m));
}

/* The longest stall that overlaps [t0, t1], in ms, once the meter has
 * run again after t1 (bounded wait). */
static double stall_ms(struct pause_target *pt, uint64_t t0, uint64_t t1)
{
	uint64_t best = 0, end = ns_now() + 500000000ULL;
	uint32_t h;

	for (;;) {
		h = __atomic_load_n(&pt->m->head, __ATOMIC_ACQUIRE);
		if ((h && pt->m->gap[(h - 1) % NGAPS].end >= t1) ||
		    ns_now() > end)
			break;
		usleep(1000);
	}
	for (uint32_t i = h > NGAPS ? h - NGAPS : 0; i < h; i++) {
		uint64_t s = pt->m->gap[i % NGAPS].start;
		uint64_t e = pt->m->gap[i % NGAPS].end;

		if (e >= t0 && s <= t1 && e - s > best)
			best = e - s;
	}
	return best / 1e6;
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

/* One session: attach, a batch of BATCH getpid, detach.  *pause: the
 * target's stall (ms); returns the batch's cost per call (us), or < 0
 * and a reason in *why. */
static double batch_run(struct pause_target *pt, unsigned int flags,
			double *pause, const char **why)
{
	static struct scr_call calls[BATCH];
	struct scr_proc *p;
	uint64_t t0 = ns_now(), b0, b1;
	int e;

	for (int i = 0; i < BATCH; i++) {
		memset(&calls[i], 0, sizeof(calls[i]));
		calls[i].nr = SYS_getpid;
	}
	e = scr_attach(pt->pid, 0, &p);
	if (e) {
		*why = strerror(-e);
		return -1;
	}
	b0 = ns_now();
	e = scr_batch(p, 0, calls, BATCH, flags);
	b1 = ns_now();
	if (e != BATCH || calls[BATCH - 1].ret.sr_retval[0] != pt->pid) {
		*why = "the batch failed";
		scr_detach(p);
		return -1;
	}
	if (!(flags & SCR_BATCH_PTRACE) && scr_agent_status(p, why) != 0) {
		scr_detach(p);
		return -1;
	}
	scr_detach(p);
	*pause = stall_ms(pt, t0, ns_now());
	return (b1 - b0) / 1e3 / BATCH;
}

/* Single calls through an agent a batch left running. */
static double live_agent_call(struct pause_target *pt)
{
	struct scr_call calls[64];
	struct ptrace_sc_ret ret;
	struct scr_proc *p;
	uint64_t t0, start = ns_now();
	double per = -1;

	memset(calls, 0, sizeof(calls));
	for (int i = 0; i < 64; i++)
		calls[i].nr = SYS_getpid;
	if (scr_attach(pt->pid, 0, &p))
		return -1;
	if (scr_batch(p, 0, calls, 64, 0) == 64 &&
	    scr_agent_status(p, NULL) == 0) {
		t0 = ns_now();
		for (int i = 0; i < SINGLE_ITERS; i++)
			if (scr_syscall(p, 0, SYS_getpid, NULL, 0, &ret) ||
			    ret.sr_retval[0] != pt->pid)
				break;
		per = (ns_now() - t0) / 1e3 / SINGLE_ITERS;
	}
	scr_detach(p);
	/* Until the target runs again, so that this stall is not taken
	 * for the next measurement's. */
	stall_ms(pt, start, ns_now());
	return per;
}

/* attach, one getpid through ptrace, detach: the library's one-call
 * pause. */
static double lib_one_call(struct pause_target *pt)
{
	struct ptrace_sc_ret ret;
	struct scr_proc *p;
	uint64_t t0 = ns_now();

	if (scr_attach(pt->pid, 0, &p))
		return -1;
	scr_syscall(p, 0, SYS_getpid, NULL, 0, &ret);
	scr_detach(p);
	return stall_ms(pt, t0, ns_now());
}

/* The target's pause while a command runs (output discarded); < 0 when
 * it could not run or failed. */
static double cmd_pause(struct pause_target *pt, char *const argv[])
{
	posix_spawn_file_actions_t fa;
	uint64_t t0 = ns_now();
	int status;
	pid_t pid;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	if (posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ)) {
		posix_spawn_file_actions_destroy(&fa);
		return -1;
	}
	posix_spawn_file_actions_destroy(&fa);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0)
		return -1;
	return stall_ms(pt, t0, ns_now());
}

static double median_cmd_pause(struct pause_target *pt, char *const argv[],
			       int runs)
{
	double v[32];

	for (int i = 0; i < runs; i++) {
		v[i] = cmd_pause(pt, argv);
		if (v[i] < 0)
			return -1;
	}
	return median(v, runs);
}

void bench_pauses(const char *scremote, double native, double floor)
{
	double a_call[RUNS], a_pause[RUNS], p_call[RUNS], p_pause[RUNS];
	double live[RUNS], lib[LIB_RUNS], cli = -1, gdb = -1;
	struct pause_target pt;
	const char *why = "";
	char pidbuf[32];

	if (start_target(&pt)) {
		printf("pause meter: could not start its target\n");
		return;
	}
	pin(0, false);
	for (int i = 0; i < RUNS; i++) {
		a_call[i] = batch_run(&pt, 0, &a_pause[i], &why);
		if (a_call[i] < 0) {
			printf("agent batch: did not run through the agent: %s\n",
			       why);
			stop_target(&pt);
			return;
		}
		p_call[i] = batch_run(&pt, SCR_BATCH_PTRACE, &p_pause[i], &why);
		live[i] = live_agent_call(&pt);
	}
	for (int i = 0; i < LIB_RUNS; i++)
		lib[i] = lib_one_call(&pt);
	snprintf(pidbuf, sizeof(pidbuf), "%d", (int)pt.pid);
	if (scremote) {
		char *cmd[] = { (char *)scremote, pidbuf, "getpid", NULL };

		cli = median_cmd_pause(&pt, cmd, CLI_RUNS);
	}
	char *g[] = { "gdb", "-nx", "-p", pidbuf, "-batch", "-ex",
		      "call (int)getpid()", NULL };

	gdb = median_cmd_pause(&pt, g, GDB_RUNS);
	stop_target(&pt);

	double ac = median(a_call, RUNS), ap = median(a_pause, RUNS);
	double pc = median(p_call, RUNS), pp = median(p_pause, RUNS);
	double lv = median(live, RUNS), lb = median(lib, LIB_RUNS);

	double load[1] = { -1 };

	getloadavg(load, 1);
	printf("pauses the target saw (its own longest stall), medians of %d runs%s; load average %.1f on %d CPUs:\n",
	       RUNS, ncpus() > 1 ? ", the target on the last CPU, the tool on the others" : "",
	       load[0], ncpus());
	printf("  batch of %d getpid, agent      %9.2f ms   %7.3f us/call\n",
	       BATCH, ap, ac);
	printf("  batch of %d getpid, ptrace     %9.2f ms   %7.3f us/call\n",
	       BATCH, pp, pc);
	printf("  attach + getpid + detach (lib)  %9.3f ms\n", lb);
	if (cli >= 0)
		printf("  scremote PID getpid             %9.3f ms\n", cli);
	if (gdb >= 0)
		printf("  gdb -p PID call getpid()        %9.2f ms\n", gdb);
	else
		printf("  gdb: not available here, no comparison\n");
	printf("  getpid through a live agent     %9.3f us/call\n", lv);
	printf("ratio agent batch per call / native getpid:  %.2fx (goal <= 2x)\n",
	       ac / native);
	printf("agent batch pause, %d getpid:             %.2f ms (goal <= 10 ms; %.2f ms of it is %d native getpid)\n",
	       BATCH, ap, native * BATCH / 1e3, BATCH);
	printf("ratio ptrace batch pause / agent batch pause: %.0fx\n", pp / ap);
	printf("ratio live agent call / floor:               %.2fx (goal <= 0.5x)\n",
	       lv / floor);
	printf("ratio library one-call pause / floor:        %.1fx\n",
	       lb * 1e3 / floor);
	if (cli >= 0)
		printf("ratio scremote PID getpid pause / floor:     %.1fx (goal <= 5x)\n",
		       cli * 1e3 / floor);
	if (cli >= 0 && gdb >= 0)
		printf("ratio gdb pause / scremote pause:            %.0fx\n",
		       gdb / cli);
}
