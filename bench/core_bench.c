/*
 * make bench, core dumps: gdb's gcore, scr_dump_core() and a snapshot
 * side by side on one target, in one run, to a tmpfs file (so that the
 * disk does not decide).
 *
 * The target holds 1 GiB of written memory (no zeros: holes would
 * flatter us) and 16 threads; one of them records the longest stall it
 * lives through, which is what the process saw of each dump.  It also
 * times its own fork(), the floor a snapshot is measured against.
 *
 * Goals (issue 13): snapshot stall <= 2x the target's fork and >= 50x
 * shorter than gcore's; plain dump total <= gcore's / 3.
 *
 *   core_bench [MiB [RUNS]]   defaults: 1024 MiB, 3 runs (medians)
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "scremote.h"

#define THREADS 16		/* main, the recorder and 14 idle ones */
#define FORKS 9
#define MAX_RUNS 9

/* Shared with the target. */
struct control {
	volatile int ready;
	volatile uint64_t max_stall_ns;	/* the recorder's longest gap */
	volatile int reset;
	volatile int fork_req, fork_done;
	uint64_t fork_ns;		/* median of FORKS forks */
};

static struct control *ctl;
static const char *dir = "/dev/shm";

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, ms % 1000 * 1000000L };

	nanosleep(&ts, NULL);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static uint64_t median(uint64_t *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_u64);
	return v[n / 2];
}

/* ---- the target --------------------------------------------------- */

/* Wakes every 100 us and keeps the longest time between two wakes. */
static void *recorder(void *arg)
{
	struct timespec tick = { 0, 100000L };
	uint64_t last = now_ns();

	(void)arg;
	for (;;) {
		uint64_t t;

		nanosleep(&tick, NULL);
		t = now_ns();
		if (ctl->reset) {
			ctl->max_stall_ns = 0;
			ctl->reset = 0;
		} else if (t - last > ctl->max_stall_ns) {
			ctl->max_stall_ns = t - last;
		}
		last = t;
	}
	return NULL;
}

static void *idle(void *arg)
{
	(void)arg;
	for (;;)
		pause();
	return NULL;
}

static void time_forks(void)
{
	uint64_t v[FORKS];

	for (int i = 0; i < FORKS; i++) {
		uint64_t t = now_ns();
		pid_t pid = fork();

		if (pid == 0)
			_exit(0);
		v[i] = now_ns() - t;
		waitpid(pid, NULL, 0);
	}
	ctl->fork_ns = median(v, FORKS);
}

static void target(size_t bytes)
{
	uint64_t *mem = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint64_t x = 0x9e3779b97f4a7c15ULL;
	pthread_t th;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (mem == MAP_FAILED)
		_exit(2);
	for (size_t i = 0; i < bytes / 8; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		mem[i] = x | 1;		/* no zero word, no zero page */
	}
	pthread_create(&th, NULL, recorder, NULL);
	for (int i = 2; i < THREADS; i++)
		pthread_create(&th, NULL, idle, NULL);
	ctl->ready = 1;
	for (;;) {
		if (ctl->fork_req != ctl->fork_done) {
			time_forks();
			ctl->fork_done = ctl->fork_req;
		}
		sleep_ms(5);
	}
}

/* ---- the dumpers --------------------------------------------------- */

struct result {
	uint64_t total_ns, stall_ns;
	int err;
};

static void forget_stalls(void)
{
	ctl->reset = 1;
	while (ctl->reset)
		sleep_ms(1);
	sleep_ms(50);
}

static int run_gcore(pid_t pid, const char *prefix)
{
	char p[32];
	int status;
	pid_t c = fork();

	if (c == 0) {
		int null = open("/dev/null", O_WRONLY);

		snprintf(p, sizeof(p), "%d", (int)pid);
		dup2(null, 1);
		dup2(null, 2);
		execlp("timeout", "timeout", "-k", "5", "300", "gcore", "-o",
		       prefix, p, (char *)NULL);
		_exit(127);
	}
	if (c < 0 || waitpid(c, &status, 0) != c)
		return -ECHILD;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -EIO;
}

static int run_lib(pid_t pid, const char *path, unsigned int flags)
{
	struct scr_proc *p;
	int fd, e;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	e = scr_attach(pid, 0, &p);
	if (!e) {
		e = scr_dump_core(p, fd, flags, 0);
		int d = scr_detach(p);

		if (!e)
			e = d;
	}
	close(fd);
	return e;
}

/* method: 0 gcore, 1 plain, 2 snapshot. */
static struct result measure(pid_t pid, int method)
{
	char path[300], prefix[256];
	struct result r = { 0, 0, 0 };
	uint64_t t;

	snprintf(prefix, sizeof(prefix), "%s/core_bench.%d", dir, (int)getpid());
	snprintf(path, sizeof(path), "%s.%d", prefix, (int)pid);
	forget_stalls();
	t = now_ns();
	r.err = method == 0 ? run_gcore(pid, prefix) :
		run_lib(pid, path, method == 2 ? SCR_CORE_SNAPSHOT : 0);
	r.total_ns = now_ns() - t;
	sleep_ms(20);		/* the recorder's next wake closes the gap */
	r.stall_ns = ctl->max_stall_ns;
	unlink(path);
	return r;
}

static bool have_gcore(void)
{
	return system("command -v gcore >/dev/null 2>&1 && "
		      "command -v gdb >/dev/null 2>&1") == 0;
}

int main(int argc, char **argv)
{
	static const char *const names[3] = {
		"gdb's gcore", "scr_dump_core", "scr_dump_core, snapshot" };
	size_t mib = argc > 1 ? strtoul(argv[1], NULL, 10) : 1024;
	int runs = argc > 2 ? atoi(argv[2]) : 3;
	uint64_t total[3][MAX_RUNS], stall[3][MAX_RUNS], tot[3], st[3];
	uint64_t idle_stall, forks[MAX_RUNS];
	bool gcore = have_gcore();
	struct rusage ru;
	pid_t pid;

	if (!mib || runs < 1 || runs > MAX_RUNS) {
		fprintf(stderr, "usage: core_bench [MiB [RUNS (1-%d)]]\n",
			MAX_RUNS);
		return 2;
	}
	if (access(dir, W_OK))
		dir = "/tmp";
	ctl = mmap(NULL, sizeof(*ctl), PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (ctl == MAP_FAILED)
		return 1;
	pid = fork();
	if (pid == 0)
		target(mib << 20);
	for (int i = 0; !ctl->ready; i++) {
		if (i > 60000 || waitpid(pid, NULL, WNOHANG) == pid) {
			fprintf(stderr, "core_bench: the target did not start\n");
			kill(pid, SIGKILL);
			return 1;
		}
		sleep_ms(1);
	}
	forget_stalls();
	sleep_ms(200);
	idle_stall = ctl->max_stall_ns;

	for (int r = 0; r < runs; r++) {
		ctl->fork_req++;
		while (ctl->fork_done != ctl->fork_req)
			sleep_ms(1);
		forks[r] = ctl->fork_ns;
		for (int m = gcore ? 0 : 1; m < 3; m++) {
			struct result res = measure(pid, m);

			if (res.err) {
				fprintf(stderr, "core_bench: %s failed: %s\n",
					names[m], strerror(-res.err));
				kill(pid, SIGKILL);
				return 1;
			}
			total[m][r] = res.total_ns;
			stall[m][r] = res.stall_ns;
		}
	}
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	getrusage(RUSAGE_SELF, &ru);

	for (int m = gcore ? 0 : 1; m < 3; m++) {
		tot[m] = median(total[m], runs);
		st[m] = median(stall[m], runs);
	}
	uint64_t fork_ns = median(forks, runs);

	printf("core dump of a %zu MiB, %d-thread process to %s, median of "
	       "%d:\n", mib, THREADS, dir, runs);
	printf("  %-26s %10s %16s\n", "", "total", "process stalled");
	for (int m = gcore ? 0 : 1; m < 3; m++)
		printf("  %-26s %7.1f ms %13.1f ms\n", names[m], tot[m] / 1e6,
		       st[m] / 1e6);
	printf("  %-26s %10s %13.1f ms\n", "the process's own fork()", "",
	       fork_ns / 1e6);
	printf("  %-26s %10s %13.1f ms\n", "(idle, no dump)", "",
	       idle_stall / 1e6);
	printf("  peak memory of the dumping process: %ld MiB\n",
	       ru.ru_maxrss / 1024);
	printf("ratios:\n");
	printf("  snapshot stall / fork          %6.2f   (goal <= 2)\n",
	       (double)st[2] / (double)fork_ns);
	if (gcore) {
		printf("  gcore stall / snapshot stall   %6.0f   (goal >= 50)\n",
		       (double)st[0] / (double)st[2]);
		printf("  gcore total / plain total      %6.2f   (goal >= 3)\n",
		       (double)tot[0] / (double)tot[1]);
		printf("  gcore stall / plain stall      %6.2f\n",
		       (double)st[0] / (double)st[1]);
	} else {
		printf("  (gdb not installed: no gcore to compare with)\n");
	}
	return 0;
}
