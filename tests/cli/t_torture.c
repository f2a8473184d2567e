/*
 * Torture: 10,000 random system calls with random arguments, injected
 * through the library into sacrificial targets, 25 calls per session and
 * a new target whenever one dies.  The library must never crash or hang
 * (every call returns within its bound), every target must be released
 * (not traced, not stopped) after each session, and a target may die
 * only of what its own calls documentedly do: each death must follow a
 * successful call that can end a process (memory, signal, timer, limit,
 * seccomp... see KILLERS), and the deaths are listed with their signal
 * and the calls that can explain them.
 *
 * Skipped numbers (SKIP): calls that end or replace the target (the
 * test's subject is survival, not exit), calls that create processes
 * running from the injection point, and calls that could harm the host
 * or other processes when run as root with random arguments (signals
 * and ptrace on other pids, mounts, clocks, modules, System V IPC ids,
 * keyrings, device nodes, network sends).  Blocking calls are not
 * skipped: each call is bounded by a 50 ms timeout.
 *
 * Under ASan (SCREMOTE_BUILD ends in build-asan) 2,000 calls are made.
 * SCREMOTE_TORTURE_SEED=N replays a run; SCREMOTE_TORTURE_CALLS=N
 * changes the count.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "abi.h"
#include "scremote.h"

#ifdef __x86_64__	/* the lists below are x86_64 system calls */

#define CALLS_NORMAL	10000
#define CALLS_ASAN	2000
#define PER_SESSION	25
#define CALL_BOUND_MS	50
#define NR_MAX		460	/* the x86_64 table ends below this */
#define BUF_SIZE	65536
#define PING_MS		200

static int failed;

static void pass(const char *name) { printf("PASS %s\n", name); }

static void fail(const char *name, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void fail(const char *name, const char *fmt, ...)
{
	va_list ap;

	printf("FAIL %s: ", name);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	failed = 1;
}

/* ---- random numbers: xorshift64*, seeded and printed ------------------ */

static uint64_t rng;

static uint64_t rnd(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 2685821657736338717ULL;
}

static unsigned int below(unsigned int n)
{
	return (unsigned int)(rnd() % n);
}

/* ---- which calls ------------------------------------------------------ */

static const long skip_list[] = {
	/* end or replace the target */
	SYS_exit, SYS_exit_group, SYS_execve, SYS_execveat,
	/* signals to a pid: the target itself or anyone else */
	SYS_kill, SYS_tkill, SYS_tgkill, SYS_rt_sigqueueinfo,
	SYS_rt_tgsigqueueinfo, SYS_pidfd_send_signal,
	/* new processes that run from the injection point */
	SYS_fork, SYS_vfork, SYS_clone, SYS_clone3,
	/* other processes: tracing, memory, scheduling, limits */
	SYS_ptrace, SYS_process_vm_readv, SYS_process_vm_writev,
	SYS_setpriority, SYS_sched_setscheduler, SYS_sched_setparam,
	SYS_sched_setaffinity, SYS_sched_setattr, SYS_ioprio_set,
	SYS_prlimit64, SYS_migrate_pages, SYS_move_pages,
	SYS_process_madvise, SYS_process_mrelease, SYS_perf_event_open,
	/* the whole host: clocks, names, mounts, modules, power, logs */
	SYS_settimeofday, SYS_clock_settime, SYS_adjtimex, SYS_clock_adjtime,
	SYS_sethostname, SYS_setdomainname, SYS_mount, SYS_umount2,
	SYS_pivot_root, SYS_swapon, SYS_swapoff, SYS_reboot, SYS_kexec_load,
	SYS_kexec_file_load, SYS_init_module, SYS_finit_module,
	SYS_delete_module, SYS_acct, SYS_quotactl, SYS_syslog, SYS_vhangup,
	SYS_iopl, SYS_ioperm, SYS_bpf, SYS_open_tree, SYS_move_mount,
	SYS_fsopen, SYS_fsconfig, SYS_fsmount, SYS_fspick,
	SYS_mount_setattr, SYS_open_by_handle_at, SYS_mknod, SYS_mknodat,
	/* System V IPC ids and keyrings are shared with the host */
	SYS_shmget, SYS_shmat, SYS_shmdt, SYS_shmctl, SYS_msgget, SYS_msgsnd,
	SYS_msgrcv, SYS_msgctl, SYS_semget, SYS_semop, SYS_semtimedop,
	SYS_semctl, SYS_add_key, SYS_request_key, SYS_keyctl,
	/* packets to random addresses; memory or disk the host would miss */
	SYS_connect, SYS_sendto, SYS_sendmsg, SYS_sendmmsg,
	SYS_mlock, SYS_mlock2, SYS_mlockall, SYS_fallocate,
	SYS_io_uring_setup, SYS_io_uring_enter, SYS_io_uring_register,
};

#ifndef SYS_uretprobe
#define SYS_uretprobe 335	/* Linux 6.11: SIGILL unless from a uprobe */
#endif

/*
 * Calls whose documented effect can end a process, at once or later,
 * by the signal each can bring: memory maps and protections, the
 * registers a signal return loads, TLS, LDT and rseq areas (SIGSEGV,
 * SIGBUS, SIGILL when code is replaced); timers and sigevents, which
 * take any signal number; writes to a pipe without readers (SIGPIPE);
 * limits (SIGXCPU, SIGXFSZ, SIGKILL); seccomp (SIGSYS, SIGKILL).
 */
static const long mem_killers[] = {
	SYS_mmap, SYS_munmap, SYS_mprotect, SYS_pkey_mprotect, SYS_mremap,
	SYS_brk, SYS_madvise, SYS_remap_file_pages, SYS_mbind,
	SYS_set_mempolicy, SYS_modify_ldt, SYS_arch_prctl, SYS_rt_sigreturn,
	SYS_rt_sigaction, SYS_sigaltstack, SYS_rseq, SYS_personality,
	SYS_prctl, SYS_setrlimit, SYS_userfaultfd, SYS_memfd_secret,
	SYS_uretprobe,
};
static const long any_signal[] = {	/* sigevents, F_SETSIG, O_ASYNC */
	SYS_timer_create, SYS_timer_settime, SYS_fcntl, SYS_ioctl, SYS_mq_notify, SYS_rt_sigprocmask,
	SYS_rt_sigaction, SYS_prctl,
};
static const long pipe_writers[] = {
	SYS_write, SYS_writev, SYS_pwrite64, SYS_pwritev, SYS_pwritev2,
	SYS_splice, SYS_vmsplice, SYS_tee, SYS_sendfile, SYS_copy_file_range,
	SYS_shutdown,
};
static const long alarms[] = {		/* SIGALRM, SIGVTALRM, SIGPROF */
	SYS_alarm, SYS_setitimer,
};
static const long limit_killers[] = {	/* SIGKILL, SIGXCPU, SIGSYS... */
	SYS_setrlimit, SYS_seccomp, SYS_prctl,
};
/* Calls that act even when they report an error. */
static const long act_anyway[] = { SYS_rt_sigreturn, SYS_uretprobe };

static int in_list(const long *list, size_t n, long nr)
{
	for (size_t i = 0; i < n; i++)
		if (list[i] == nr)
			return 1;
	return 0;
}

#define IN(list, nr) in_list(list, sizeof(list) / sizeof(list[0]), nr)

static int is_killer(long nr)
{
	return IN(mem_killers, nr) || IN(any_signal, nr) ||
	       IN(pipe_writers, nr) || IN(limit_killers, nr) ||
	       IN(alarms, nr);
}

/* Can call nr end a process with this wait status? */
static int explains(long nr, int status)
{
	int sig = WIFSIGNALED(status) ? WTERMSIG(status) : 0;

	if (!sig)
		return 0;	/* our target never exits by itself */
	if (IN(any_signal, nr))
		return 1;
	switch (sig) {
	case SIGSEGV: case SIGBUS: case SIGILL: case SIGFPE: case SIGTRAP:
		return IN(mem_killers, nr) && (sig != SIGTRAP ||
					       nr == SYS_rt_sigreturn);
	case SIGPIPE:
		return IN(pipe_writers, nr);
	case SIGALRM: case SIGVTALRM: case SIGPROF:
		return IN(alarms, nr);
	case SIGKILL: case SIGXCPU: case SIGXFSZ: case SIGSYS:
		return IN(limit_killers, nr) ||
		       (sig == SIGXFSZ && IN(pipe_writers, nr));
	default:
		return 0;
	}
}

/* ---- the targets ------------------------------------------------------ */

/*
 * The same address in every target (a fork of this process): random
 * bytes without '/' or '.', so a string read from it is a plain name,
 * relative to the target's own scratch directory.
 */
static unsigned char tbuf[BUF_SIZE] __attribute__((aligned(4096)));
static char workdir[64];

struct tgt {
	pid_t pid;
	int to, from;			/* ping pipe, our ends */
	unsigned int calls;		/* executed, in its life */
	long history[64];		/* killer calls that took effect */
	unsigned int nhistory;
};

static void fill_buffer(void)
{
	for (size_t i = 0; i < BUF_SIZE; i++) {
		unsigned char c = (unsigned char)rnd();

		tbuf[i] = c == '/' || c == '.' ? 'x' : c;
	}
}

/* The target: echoes bytes until its pipes are gone, then waits.  Raw
 * system calls only, and default signal actions, so that what kills it
 * is what the calls did, not a sanitizer's handler.  Its files may not
 * grow past 1 MiB (EFBIG, SIGXFSZ ignored): under ASan a random buffer
 * address can fall in the sanitizer's shadow, mapped and readable, and
 * a random write of terabytes from there to its stdio file would fill
 * the disk, in a kernel loop no signal but SIGKILL breaks. */
static void __attribute__((noreturn)) target_main(int in, int out)
{
	struct rlimit fsize = { 1 << 20, 1 << 20 };
	sigset_t none;
	char c;

	for (int s = 1; s < 32; s++)
		if (s != SIGKILL && s != SIGSTOP)
			signal(s, SIG_DFL);
	signal(SIGXFSZ, SIG_IGN);
	if (setrlimit(RLIMIT_FSIZE, &fsize))
		_exit(1);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	setsid();
	if (chdir(workdir) < 0)
		_exit(1);
	int fd = open("stdio", O_RDWR | O_CREAT, 0600);

	if (fd < 0 || dup2(fd, 0) < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0 ||
	    dup2(in, 3) < 0 || dup2(out, 4) < 0)
		_exit(1);
	syscall(SYS_close_range, 5, ~0U, 0);
	for (;;) {
		if (syscall(SYS_read, 3, &c, 1) == 1)
			syscall(SYS_write, 4, &c, 1);
		else
			syscall(SYS_pause);
	}
}

static int target_start(struct tgt *t)
{
	int a[2], b[2];

	memset(t, 0, sizeof(*t));
	fill_buffer();
	if (pipe2(a, O_CLOEXEC) || pipe2(b, O_CLOEXEC))
		return -1;
	fflush(stdout);
	t->pid = fork();
	if (t->pid < 0)
		return -1;
	if (t->pid == 0)
		target_main(a[0], b[1]);
	close(a[0]);
	close(b[1]);
	t->to = a[1];
	t->from = b[0];
	fcntl(t->from, F_SETFL, O_NONBLOCK);
	return 0;
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Does the target still answer? */
static int ping(struct tgt *t, int bound_ms)
{
	char c = 'p', r;
	double end = now_ms() + bound_ms;

	if (write(t->to, &c, 1) != 1)
		return 0;
	while (now_ms() < end) {
		if (read(t->from, &r, 1) == 1)
			return 1;
		usleep(200);
	}
	return 0;
}

static char proc_state(pid_t pid, int *tracer)
{
	char path[64], line[256], state = '?';
	FILE *f;

	*tracer = -1;
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return 'X';
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "State:", 6) == 0)
			sscanf(line + 6, " %c", &state);
		else if (strncmp(line, "TracerPid:", 10) == 0)
			*tracer = atoi(line + 10);
	}
	fclose(f);
	return state;
}

/* Exit status if the target has ended (reaped here), else -1. */
static int target_ended(struct tgt *t, int wait_ms)
{
	double end = now_ms() + wait_ms;
	int status;

	for (;;) {
		pid_t r = waitpid(t->pid, &status, WNOHANG);

		if (r == t->pid)
			return status;
		if (r < 0 || now_ms() >= end)
			return -1;
		usleep(500);
	}
}

static void target_retire(struct tgt *t)
{
	kill(t->pid, SIGKILL);
	waitpid(t->pid, NULL, 0);
	close(t->to);
	close(t->from);
	t->pid = 0;
}

/* ---- arguments -------------------------------------------------------- */

static unsigned long rand_arg(void)
{
	unsigned int k = below(100);

	if (k < 30)
		return below(65);
	if (k < 40)
		return (unsigned long)-(long)(1 + below(10));
	if (k < 60)
		return (unsigned long)tbuf + (below(BUF_SIZE - 4096) & ~7U);
	if (k < 70)
		return (uint32_t)rnd();
	if (k < 85)
		return rnd();
	if (k < 90)
		return (rnd() & 0x7fffffff000UL);
	return 1UL << below(64);
}

/* A few arguments are tamed so that the host is not hurt: no populated
 * or locked mappings, no read-ahead of huge ranges, only local and IP
 * sockets (no netlink or packet sockets as root). */
static void tame(long nr, unsigned long *a)
{
	static const unsigned long families[] = { 1, 2, 10 };

	if (nr == SYS_mmap)
		a[3] &= ~(unsigned long)(MAP_POPULATE | MAP_LOCKED);
	else if (nr == SYS_madvise &&
		 (a[2] == MADV_WILLNEED || a[2] == 22 || a[2] == 23))
		a[2] = MADV_NORMAL;
	else if (nr == SYS_socket || nr == SYS_socketpair)
		a[0] = families[a[0] % 3];
}

/* ---- the run ---------------------------------------------------------- */

struct death {
	long nr;		/* the call during which it died, or -1 */
	int status;
	long culprit;		/* the last call that explains it, or -1 */
};

/* The latest call of the target's life that explains its end. */
static long culprit_of(const struct tgt *t, long during, int status)
{
	if (during >= 0 && explains(during, status))
		return during;
	for (unsigned int i = t->nhistory; i-- > 0;)
		if (explains(t->history[i], status))
			return t->history[i];
	return -1;
}

static const char *name_of(long nr)
{
	static char buf[32];
	const char *n = nr >= 0 ? abi_sysname(abi_default(), nr) : NULL;

	if (n)
		return n;
	snprintf(buf, sizeof(buf), "syscall_%ld", nr);
	return buf;
}

static const char *sig_text(int status)
{
	static char buf[48];

	if (WIFSIGNALED(status))
		snprintf(buf, sizeof(buf), "SIG%s",
			 sigabbrev_np(WTERMSIG(status)) ?: "?");
	else if (WIFEXITED(status))
		snprintf(buf, sizeof(buf), "exit %d", WEXITSTATUS(status));
	else
		snprintf(buf, sizeof(buf), "status %#x", status);
	return buf;
}

static int rm_one(const char *path, const struct stat *st, int flag,
		  struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	chmod(path, 0700);
	remove(path);
	return 0;
}

int main(void)
{
	const char *build = getenv("SCREMOTE_BUILD");
	const char *seed_env = getenv("SCREMOTE_TORTURE_SEED");
	const char *calls_env = getenv("SCREMOTE_TORTURE_CALLS");
	int verbose = getenv("SCREMOTE_TORTURE_VERBOSE") != NULL;
	size_t blen = build ? strlen(build) : 0;
	int asan = blen >= 10 && strcmp(build + blen - 10, "build-asan") == 0;
	unsigned int total = asan ? CALLS_ASAN : CALLS_NORMAL;
	unsigned long counts[5] = { 0 };	/* ok, errno, unrun by kind */
	unsigned long timeouts = 0, refused = 0, busy = 0, unresponsive = 0;
	unsigned long faulted = 0;
	unsigned long targets = 0, sessions = 0;
	struct death deaths[256];
	unsigned int ndeaths = 0, unexplained = 0;
	double worst = 0, t0 = now_ms();
	struct tgt t = { 0 };
	uint64_t seed;

	if (calls_env)
		total = (unsigned int)strtoul(calls_env, NULL, 10);
	seed = seed_env ? strtoull(seed_env, NULL, 0) :
			  (uint64_t)time(NULL) ^ (uint64_t)getpid() << 32;
	rng = seed ? seed : 1;
	printf("# torture: %u calls%s, seed %#llx (SCREMOTE_TORTURE_SEED to "
	       "replay)\n", total, asan ? " (reduced under ASan)" : "",
	       (unsigned long long)seed);
	snprintf(workdir, sizeof(workdir), "/tmp/scremote-torture.XXXXXX");
	if (!mkdtemp(workdir)) {
		fail("torture", "mkdtemp: %s", strerror(errno));
		return 1;
	}
	signal(SIGPIPE, SIG_IGN);

	for (unsigned int done = 0; done < total;) {
		struct scr_proc *p;
		int e, ended_in_call = 0;

		if (!t.pid) {
			if (target_start(&t) < 0) {
				fail("torture", "cannot start a target");
				break;
			}
			targets++;
			if (!ping(&t, 2000)) {
				int tr, st = target_ended(&t, 100);

				fail("torture", "new target does not answer "
				     "(%s, state %c)", st < 0 ? "alive" :
				     sig_text(st), proc_state(t.pid, &tr));
				break;
			}
		}
		e = scr_attach(t.pid, 0, &p);
		if (e) {
			fail("torture", "attach to target %d: %s", (int)t.pid,
			     strerror(-e));
			break;
		}
		sessions++;
		scr_set_timeout(p, CALL_BOUND_MS);
		/* A target a call put in seccomp strict mode (or behind a
		 * filter) refuses nearly everything: use another one. */
		unsigned int refused_in_row = 0;

		for (unsigned int i = 0; i < PER_SESSION && done < total; i++) {
			struct ptrace_sc_ret ret;
			unsigned long a[6];
			long nr;
			unsigned int nargs = below(7);

			do
				nr = below(20) ? (long)below(NR_MAX) :
				     (long)(rnd() | 1UL << 63) >> below(64);
			while (IN(skip_list, nr) ||
			       (nr >= 0x40000000L && nr <= 0x7fffffffL));
			for (int k = 0; k < 6; k++)
				a[k] = rand_arg();
			tame(nr, a);
			scr_scratch_reset(p);
			double c0 = now_ms();

			e = scr_syscall(p, 0, nr, a, nargs, &ret);
			double dt = now_ms() - c0;

			if (dt > worst)
				worst = dt;
			if (verbose)
				printf("# %d %s(%#lx, %#lx, %#lx, %#lx, %#lx, "
				       "%#lx)/%u = %d %ld\n", (int)t.pid,
				       name_of(nr), a[0], a[1], a[2], a[3],
				       a[4], a[5], nargs, e,
				       e ? 0 : ret.sr_error ? -ret.sr_error :
				       ret.sr_retval[0]);
			done++;
			/* The library's bound is the timeout plus 2 s for a
			 * broken call to come back; a target a random call
			 * made SCHED_IDLE or niced may take longer to be
			 * scheduled on a loaded machine: allow 3 s more.
			 * Anything beyond is a hang. */
			if (dt > CALL_BOUND_MS + 2000 + 3000) {
				fail("torture", "%s took %.0f ms", name_of(nr), dt);
				break;
			}
			if (e == 0) {
				t.calls++;
				counts[ret.sr_error ? 1 : 0]++;
				if ((!ret.sr_error || IN(act_anyway, nr)) &&
				    is_killer(nr) && t.nhistory < 64)
					t.history[t.nhistory++] = nr;
				continue;
			}
			if (e == -ETIMEDOUT) {
				timeouts++;
				continue;
			}
			if (e == -EPERM || e == -EACCES) {
				refused++;	/* its seccomp: e.g. strict mode */
				if (++refused_in_row >= 10)
					break;
				continue;
			}
			refused_in_row = 0;
			if (e == -EBUSY) {
				busy++;
				continue;
			}
			/* The call raised SIGSEGV, SIGILL... (rt_sigreturn on
			 * a garbage frame, uretprobe): not executed, thread
			 * restored; the target lives on. */
			if (e == -EREMOTEIO) {
				faulted++;
				continue;
			}
			if (e == -ESRCH) {
				/* Ended by this call, or by what an earlier
				 * one set up; the status comes on reaping. */
				if (ndeaths < 256) {
					deaths[ndeaths].nr = nr;
					if (scr_exit_status(p, &deaths[ndeaths].status))
						deaths[ndeaths].status = -1;
				}
				ended_in_call = 1;
				break;
			}
			fail("torture", "%s: unexpected %s", name_of(nr),
			     strerror(-e));
		}
		e = scr_detach(p);
		if (e && e != -ESRCH && !ended_in_call)
			fail("torture", "detach: %s", strerror(-e));
		if (failed)
			break;
		if (ended_in_call) {
			int st = target_ended(&t, 2000);

			if (st < 0)
				fail("torture", "target %d reported dead but is "
				     "not", (int)t.pid);
			else if (ndeaths < 256 && deaths[ndeaths].status != st)
				fail("torture", "exit status %#x, the library "
				     "said %#x", st, deaths[ndeaths].status);
			if (ndeaths < 256) {
				deaths[ndeaths].culprit = culprit_of(&t,
					deaths[ndeaths].nr, st);
				ndeaths++;
			}
			close(t.to);
			close(t.from);
			t.pid = 0;
			continue;
		}
		/* Released: not traced, not stopped, and (if alive) answering. */
		int tracer, status = target_ended(&t, 0);
		char st = status < 0 ? proc_state(t.pid, &tracer) : 'X';

		if (status < 0 && (tracer != 0 || st == 't' || st == 'T')) {
			fail("torture", "target %d left %s after detach",
			     (int)t.pid, tracer ? "traced" : "stopped");
			break;
		}
		if (status < 0 && ping(&t, PING_MS)) {
			if (refused_in_row >= 10)
				target_retire(&t);
			continue;
		}
		if (status < 0)
			status = target_ended(&t, 100);
		if (status < 0) {
			/* Alive, released, but its pipes are closed or its
			 * loop broken: a call's doing.  Next target. */
			unresponsive++;
			target_retire(&t);
			continue;
		}
		if (ndeaths < 256) {
			deaths[ndeaths].nr = -1;
			deaths[ndeaths].status = status;
			deaths[ndeaths].culprit = culprit_of(&t, -1, status);
			ndeaths++;
		}
		close(t.to);
		close(t.from);
		t.pid = 0;
	}
	if (t.pid)
		target_retire(&t);
	nftw(workdir, rm_one, 16, FTW_DEPTH | FTW_PHYS);

	double secs = (now_ms() - t0) / 1000;

	printf("# %lu calls executed (%lu succeeded, %lu errno), %lu timed out"
	       " (broken off after %d ms), %lu refused by seccomp checks, %lu"
	       " busy, %lu faulted (not executed); slowest call %.0f ms;"
	       " %.1f s\n",
	       counts[0] + counts[1], counts[0], counts[1], timeouts,
	       CALL_BOUND_MS, refused, busy, faulted, worst, secs);
	printf("# %lu targets, %lu sessions: %u died, %lu retired alive but "
	       "unresponsive\n", targets, sessions, ndeaths, unresponsive);
	for (unsigned int i = 0; i < ndeaths; i++) {
		int ok = deaths[i].culprit >= 0;

		printf("#   died of %-8s %s%s; explained by %s\n",
		       sig_text(deaths[i].status),
		       deaths[i].nr >= 0 ? "during " : "after its session",
		       deaths[i].nr >= 0 ? name_of(deaths[i].nr) : "",
		       ok ? name_of(deaths[i].culprit) : "NOTHING");
		if (!ok)
			unexplained++;
	}
	if (!failed)
		pass("no_crash_no_hang_targets_released");
	if (unexplained)
		fail("deaths_explained", "%u death(s) no call explains",
		     unexplained);
	else
		pass("deaths_explained");
	return failed;
}

#else

int main(void)
{
	puts("SKIP torture: its lists of calls are x86_64's");
	return 0;
}

#endif
