/*
 * Core dumps: scr_dump_core() and scr_coredump().
 *
 * The core must say what the stopped process is: every thread with the
 * registers ptrace shows, the memory the kernel would dump (and not the
 * rest), in a file gdb and elfutils read as they read the process
 * itself.  And the process must not notice: each target checks its own
 * memory afterwards and, for snapshots, that it never saw a child, a
 * zombie or a SIGCHLD (CRIU zdtm style).
 */
#include <dirent.h>
#include <elf.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#ifdef SCR_HAVE_ZSTD		/* the library was built with it */
#include <zstd.h>
#endif

#include "core.h"
#include "core_check.h"
#include "harness.h"
#include "spin.h"
#include "targets.h"

#ifndef MADV_WIPEONFORK
#define MADV_WIPEONFORK 18
#endif

/* ASan's shadow is terabytes of memory marked not to dump: PC_ALL would
 * dump it, taking minutes (as gdb's gcore -a would). */
#if defined(__SANITIZE_ADDRESS__)
#define ASAN 1
#else
#define ASAN 0
#endif

#define MIB (1UL << 20)
#define BIG_LEN (64 * MIB)	/* mostly untouched: holes */
#define REGION 65536

/* What the target tells us, in memory shared with it. */
struct layout {
	volatile unsigned long ticks;	/* its ticker thread's count */
	volatile int ticker;		/* start the ticker */
	int workers;			/* threads besides main and ticker */
	long refuse_nr;			/* a call its seccomp filter refuses */
	int refuse_err;
	unsigned long big, dd, df, wf, pn, heap;
};

static struct layout *lay;
static unsigned char global_pattern[12288];
static volatile sig_atomic_t sigchld_seen;

static void setup_layout(int workers, bool ticker)
{
	lay = mmap(NULL, sizeof(*lay), PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	CHECK(lay != MAP_FAILED);
	lay->workers = workers;
	lay->ticker = ticker;
}

static void fill(unsigned char *p, size_t len, unsigned int seed)
{
	for (size_t i = 0; i < len; i++)
		p[i] = (unsigned char)(seed + i * 7 + (i >> 12));
}

static bool filled(const unsigned char *p, size_t len, unsigned int seed)
{
	for (size_t i = 0; i < len; i++)
		if (p[i] != (unsigned char)(seed + i * 7 + (i >> 12)))
			return false;
	return true;
}

/* ---- the target --------------------------------------------------- */

static volatile int forever = 1;

__attribute__((noinline, noclone)) static void block_here(void)
{
	while (forever)
		pause();
}

/* Distinct depths make distinct backtraces. */
__attribute__((noinline, noclone)) static void nest(int depth)
{
	if (depth > 0)
		nest(depth - 1);
	else
		block_here();
	__asm__ volatile("" ::: "memory");	/* no tail call */
}

static void *worker(void *arg)
{
	nest((int)(long)arg);
	return NULL;
}

static void *ticker(void *arg)
{
	struct timespec ms = { 0, 1000000L };

	(void)arg;
	for (;;) {
		lay->ticks++;
		nanosleep(&ms, NULL);
	}
	return NULL;
}

static void on_sigchld(int sig)
{
	(void)sig;
	sigchld_seen++;
}

static unsigned char *region(void)
{
	unsigned char *p = mmap(NULL, REGION, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		_exit(4);
	return p;
}

/* A filter that answers err to one system call and allows the rest. */
static int refuse_call(long nr, int err)
{
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)nr, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (uint32_t)err),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { sizeof(f) / sizeof(f[0]), f };

	return prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ||
	       prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) ? -errno : 0;
}


/* Has any thread of ours a child?  /proc/self/task/T/children. */
static bool has_children(char *why, size_t len)
{
	DIR *d = opendir("/proc/self/task");
	struct dirent *de;
	bool any = false;

	while (d && (de = readdir(d)) && !any) {
		char path[64], buf[64] = "";
		int fd;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/self/task/%.20s/children",
			 de->d_name);
		fd = open(path, O_RDONLY);
		if (fd >= 0 && read(fd, buf, sizeof(buf) - 1) > 0) {
			snprintf(why, len, "thread %.20s has children '%.60s'",
				 de->d_name, buf);
			any = true;
		}
		if (fd >= 0)
			close(fd);
	}
	if (d)
		closedir(d);
	return any;
}

/* Has any thread of process pid a child?  From outside. */
static bool has_children_of(pid_t pid)
{
	char path[64];
	DIR *d;
	struct dirent *de;
	bool any = false;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	d = opendir(path);
	while (d && (de = readdir(d)) && !any) {
		char p2[128], buf[64] = "";
		int fd;

		if (de->d_name[0] == '.')
			continue;
		snprintf(p2, sizeof(p2), "/proc/%d/task/%.20s/children",
			 (int)pid, de->d_name);
		fd = open(p2, O_RDONLY);
		any = fd >= 0 && read(fd, buf, sizeof(buf) - 1) > 0;
		if (fd >= 0)
			close(fd);
	}
	if (d)
		closedir(d);
	return any;
}

/* The target's own verdict: its memory as it left it, and no trace of a
 * child (no SIGCHLD, nothing to wait for, no child listed). */
static void self_check(struct target *t)
{
	unsigned char *pn = (unsigned char *)lay->pn;
	char why[256] = "";
	siginfo_t si;

	mprotect(pn, REGION, PROT_READ);
	if (!filled(global_pattern, sizeof(global_pattern), 1))
		say(t, "BAD global pattern changed");
	else if (!filled((unsigned char *)lay->heap, REGION, 2) ||
		 !filled((unsigned char *)lay->dd, REGION, 3) ||
		 !filled((unsigned char *)lay->df, REGION, 4) ||
		 !filled((unsigned char *)lay->wf, REGION, 5) ||
		 !filled(pn, REGION, 6))
		say(t, "BAD a region changed");
	else if (sigchld_seen)
		say(t, "BAD got %d SIGCHLD", (int)sigchld_seen);
	else if (waitid(P_ALL, 0, &si, WEXITED | WNOHANG | __WALL) == 0 ||
		 errno != ECHILD)
		say(t, "BAD waitid found a child (pid %d) or failed: %s",
		    (int)si.si_pid, strerror(errno));
	else if (has_children(why, sizeof(why)))
		say(t, "BAD %s", why);
	else
		say(t, "OK");
	mprotect(pn, REGION, PROT_NONE);
}

/*
 * Memory of every kind a core treats differently, worker threads at
 * different depths, a ticker thread; then it answers 'c' with its
 * self-check until its input closes.
 */
static void rich_target(struct target *t, void *arg)
{
	unsigned char *big, *dd, *df, *wf, *pn, *heap;
	sigset_t usr2;
	pthread_t th;
	char c;

	(void)arg;
	signal(SIGCHLD, on_sigchld);
	/* A mask of its own, which its threads inherit. */
	sigemptyset(&usr2);
	sigaddset(&usr2, SIGUSR2);
	sigprocmask(SIG_BLOCK, &usr2, NULL);
	fill(global_pattern, sizeof(global_pattern), 1);
	heap = malloc(REGION);
	big = mmap(NULL, BIG_LEN, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	dd = region();
	df = region();
	wf = region();
	pn = region();
	if (!heap || big == MAP_FAILED)
		_exit(4);
	fill(heap, REGION, 2);
	fill(dd, REGION, 3);
	fill(df, REGION, 4);
	fill(wf, REGION, 5);
	fill(pn, REGION, 6);
	big[0] = 0x11;			/* two pages of 16384 touched */
	big[BIG_LEN / 2] = 0x22;
	if (madvise(dd, REGION, MADV_DONTDUMP) ||
	    madvise(df, REGION, MADV_DONTFORK) ||
	    madvise(wf, REGION, MADV_WIPEONFORK) ||
	    mprotect(pn, REGION, PROT_NONE))
		_exit(5);
	lay->big = (unsigned long)big;
	lay->dd = (unsigned long)dd;
	lay->df = (unsigned long)df;
	lay->wf = (unsigned long)wf;
	lay->pn = (unsigned long)pn;
	lay->heap = (unsigned long)heap;
	for (long i = 0; i < lay->workers; i++)
		pthread_create(&th, NULL, worker, (void *)(i + 1));
	if (lay->ticker)
		pthread_create(&th, NULL, ticker, NULL);
	/* In the main thread, where the dump makes its calls; after the
	 * threads, which clone made. */
	if (lay->refuse_nr && refuse_call(lay->refuse_nr, lay->refuse_err))
		say(t, "NOSECCOMP %s", strerror(errno));
	else
		say(t, "READY");
	while (read(t->tgt_in, &c, 1) == 1)
		if (c == 'c')
			self_check(t);
	_exit(0);
}

/* Waits until the process has as many threads as it will have. */
static void wait_threads(pid_t pid, int n)
{
	char path[64];
	double end = now_s() + 5;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	for (;;) {
		DIR *d = opendir(path);
		struct dirent *de;
		int k = 0;

		while (d && (de = readdir(d)))
			k += de->d_name[0] != '.';
		if (d)
			closedir(d);
		if (k >= n)
			break;
		CHECK(now_s() < end, "process %d has %d threads, not %d",
		      (int)pid, k, n);
		msleep(2);
	}
	msleep(20);		/* into their pause() */
}

static void start_rich(struct target *t, int workers, bool ticker)
{
	setup_layout(workers, ticker);
	target_start(t, rich_target, NULL);
	expect_ready(t);
	wait_threads(t->pid, 1 + workers + ticker);
}

static void target_verdict(struct target *t)
{
	CHECK(write(t->in, "c", 1) == 1);
	expect_ok(t, 5000);
}

/* ---- dumping and reading ------------------------------------------ */

static char *core_path(const char *name)
{
	char *path = malloc(256);

	CHECK(path);
	snprintf(path, 256, "%s/t_core.%d.%s",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp", (int)getpid(),
		 name);
	return path;
}

static int create(const char *path)
{
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	CHECK(fd >= 0, "%s: %s", path, strerror(errno));
	return fd;
}

/* Dumps the session's process to path. */
static void dump_to(struct scr_proc *p, const char *path, unsigned int flags,
		    struct scr_core_info *info)
{
	int fd = create(path);

	CHECK_OK(scr__dump_core(p, fd, flags, 0, NULL, info));
	close(fd);
}

/* Reads len bytes at addr from the core: they must be there. */
static void core_bytes(const struct core_file *cf, unsigned long addr,
		       void *buf, size_t len)
{
	int r = core_read(cf, addr, buf, len);

	CHECK(r == 1, "%#lx not in the core (%s)", addr,
	      r == 0 ? "mapped, not dumped" : "not mapped");
}

static bool core_has(const struct core_file *cf, unsigned long addr,
		     unsigned int seed)
{
	static unsigned char buf[REGION];

	return core_read(cf, addr, buf, REGION) == 1 &&
	       filled(buf, REGION, seed);
}

/* ---- tests -------------------------------------------------------- */

static void on_usr1(int sig)
{
	(void)sig;
	spin_stop_now();
}

static void spin_target(struct target *t, void *arg)
{
	pthread_t th;
	char why[256];

	(void)arg;
	signal(SIGUSR1, on_usr1);
	for (long i = 0; i < 2; i++)
		pthread_create(&th, NULL, worker, (void *)(i + 1));
	say(t, "READY");
	if (!spin_supported()) {
		block_here();
	} else if (spin_and_check(why, sizeof(why))) {
		say(t, "BAD %s", why);
	} else {
		say(t, "OK");
	}
}

TEST(notes_are_the_stopped_threads_registers)
{
	struct scr_core_info info;
	struct core_file cf;
	struct scr_proc *p;
	struct target t;
	char *path = core_path("regs");

	target_start(&t, spin_target, NULL);
	expect_ready(&t);
	wait_threads(t.pid, 3);
	CHECK_OK(scr_attach(t.pid, 0, &p));
	dump_to(p, path, 0, &info);
	CHECK_EQ(info.threads, 3);
	open_core(path, &cf);
	check_threads(&cf, p, NULL);
	check_process(&cf, t.pid, 4);
	CHECK_EQ(cf.word, sizeof(long));
	core_close(&cf);
	CHECK_OK(scr_detach(p));
	unlink(path);
	if (spin_supported()) {
		kill(t.pid, SIGUSR1);
		expect_ok(&t, 5000);
	}
	target_kill(&t);
}

TEST(memory_is_what_the_kernel_dumps)
{
	struct core_file cf;
	struct scr_proc *p;
	struct target t;
	struct stat st;
	unsigned char b[4];
	char buf[64];
	char *path = core_path("mem");
	int fd;

	start_rich(&t, 2, false);
	CHECK_OK(scr_attach(t.pid, 0, &p));
	dump_to(p, path, 0, NULL);
	CHECK_EQ(stat(path, &st), 0);
	open_core(path, &cf);
	{
		static unsigned char g[sizeof(global_pattern)];

		core_bytes(&cf, (unsigned long)global_pattern, g, sizeof(g));
		CHECK(filled(g, sizeof(g), 1), "global_pattern");
	}
	CHECK(core_has(&cf, lay->heap, 2), "heap pattern");
	CHECK(core_has(&cf, lay->df, 4), "MADV_DONTFORK memory");
	CHECK(core_has(&cf, lay->wf, 5), "MADV_WIPEONFORK memory");
	CHECK(core_has(&cf, lay->pn, 6), "PROT_NONE memory written before");
	CHECK_EQ(core_read(&cf, lay->dd, buf, 16), 0);	/* MADV_DONTDUMP */
	CHECK(core_read(&cf, (unsigned long)lay, buf, 8) == 1,
	      "shared anonymous memory (coredump_filter bit 1)");
	core_bytes(&cf, lay->big, b, 1);
	CHECK_EQ(b[0], 0x11);
	core_bytes(&cf, lay->big + BIG_LEN / 2, b, 1);
	CHECK_EQ(b[0], 0x22);
	core_bytes(&cf, lay->big + MIB, b, 4);
	CHECK_EQ(b[0] | b[1] | b[2] | b[3], 0);
	core_close(&cf);
	/* The untouched 64 MiB are holes: little is allocated. */
	CHECK((uint64_t)st.st_size > BIG_LEN, "core of %lld bytes",
	      (long long)st.st_size);
	CHECK((uint64_t)st.st_blocks * 512 < 16 * MIB,
	      "%lld bytes allocated for a core of %lld",
	      (long long)st.st_blocks * 512, (long long)st.st_size);

	/* PC_ALL: also what MADV_DONTDUMP leaves out. */
	if (!ASAN) {
		dump_to(p, path, PC_ALL, NULL);
		open_core(path, &cf);
		CHECK(core_has(&cf, lay->dd, 3),
		      "PC_ALL without MADV_DONTDUMP memory");
		core_close(&cf);
	}

	/* coredump_filter without anonymous shared memory (bit 1), where
	 * the kernel has one (CONFIG_ELF_CORE). */
	snprintf(buf, sizeof(buf), "/proc/%d/coredump_filter", (int)t.pid);
	fd = open(buf, O_WRONLY);
	CHECK(fd >= 0 || errno == ENOENT, "%s: %s", buf, strerror(errno));
	if (fd >= 0) {
		CHECK(write(fd, "0x31", 4) == 4);
		close(fd);
		dump_to(p, path, 0, NULL);
		open_core(path, &cf);
		CHECK_EQ(core_read(&cf, (unsigned long)lay, buf, 8), 0);
		CHECK(core_has(&cf, lay->heap, 2), "heap pattern");
		core_close(&cf);
	}
	CHECK_OK(scr_detach(p));
	unlink(path);
	target_verdict(&t);
	target_kill(&t);
}

/* What a reader of a pipe gets, collected by a thread. */
struct collector {
	int fd, out;
	pid_t watch;		/* a snapshot's process, watched first */
	bool released;		/* it was let go before the dump ended */
	unsigned long ticks;	/* its ticker meanwhile, in 200 ms */
	char state;		/* its state then */
};

/* State and tracer of a process, from /proc/PID/status. */
static void proc_state(pid_t pid, char *state, long *tracer)
{
	char path[64], st[4096];
	ssize_t n;
	int fd;

	*state = '?';
	*tracer = -1;
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	fd = open(path, O_RDONLY);
	if (fd >= 0 && (n = read(fd, st, sizeof(st) - 1)) > 0) {
		char *s, *tr;

		st[n] = '\0';
		s = strstr(st, "State:\t");
		tr = strstr(st, "TracerPid:\t");
		*state = s ? s[7] : '?';
		*tracer = tr ? strtol(tr + 11, NULL, 10) : -1;
	}
	if (fd >= 0)
		close(fd);
}

static void *collect(void *arg)
{
	struct collector *c = arg;
	char buf[65536];
	ssize_t n;

	/* The dump cannot end before we read: the process must be let go
	 * and run meanwhile. */
	for (double end = now_s() + 20; c->watch && now_s() < end;) {
		long tracer;

		proc_state(c->watch, &c->state, &tracer);
		if (tracer == 0) {
			unsigned long t0 = lay->ticks;

			c->released = true;
			msleep(200);
			c->ticks = lay->ticks - t0;
			proc_state(c->watch, &c->state, &tracer);
			break;
		}
		msleep(1);
	}
	while ((n = read(c->fd, buf, sizeof(buf))) > 0)
		if (write(c->out, buf, (size_t)n) != n)
			break;
	return NULL;
}

TEST_T(snapshot_leaves_no_trace, 40)
{
	struct collector c = { 0 };
	struct scr_core_info info;
	struct core_file cf;
	struct scr_proc *p;
	struct target t;
	pthread_t th;
	pid_t tids[16];
	char *path = core_path("snap");
	int pfd[2];

	start_rich(&t, 3, true);
	CHECK(pipe(pfd) == 0);
	c.fd = pfd[0];
	c.out = create(path);
	c.watch = t.pid;
	CHECK_OK(scr_attach(t.pid, 0, &p));
	CHECK(pthread_create(&th, NULL, collect, &c) == 0);
	/* The pipe fills at once; the dump waits for the reader, and the
	 * process must run on meanwhile. */
	CHECK_OK(scr__dump_core(p, pfd[1], SCR_CORE_SNAPSHOT, 0, NULL, &info));
	close(pfd[1]);
	pthread_join(th, NULL);
	close(c.out);
	CHECK(info.snapshot && !info.snapshot_err && info.released_ns &&
	      info.restopped_ns > info.released_ns);
	CHECK(c.released, "the process was not let go during the dump");
	CHECK(c.ticks >= 10 && c.state != 't',
	      "the process did not run during the dump (%lu ticks in 200 ms,"
	      " state %c)", c.ticks, c.state);
	/* The session has its process stopped again, calls work. */
	CHECK_EQ(scr_threads(p, tids, 16), 5);
	CHECK_EQ(rcall(p, 0, SYS_getpid, 0), t.pid);

	open_core(path, &cf);
	check_process(&cf, t.pid, 4);
	CHECK_EQ(info.threads, 5);
	CHECK(core_has(&cf, lay->heap, 2), "heap pattern");
	CHECK(core_has(&cf, lay->df, 4), "MADV_DONTFORK memory (not in the "
	      "clone: read before the release)");
	CHECK(core_has(&cf, lay->wf, 5), "MADV_WIPEONFORK memory");
	CHECK_EQ(core_read(&cf, lay->dd, tids, 16), 0);
	core_close(&cf);
	CHECK_OK(scr_detach(p));
	unlink(path);
	target_verdict(&t);
	target_kill(&t);
}

static void fall_back_case(long nr, int err)
{
	uint64_t usr2 = 1ULL << (SIGUSR2 - 1);
	struct scr_core_info info;
	char line[256];
	struct core_file cf;
	struct scr_proc *p;
	struct target t;
	char *path = core_path("refused");

	setup_layout(1, false);
	lay->refuse_nr = nr;
	lay->refuse_err = err;
	target_start(&t, rich_target, NULL);
	expect_line(&t, line, sizeof(line), 5000);
	if (strncmp(line, "NOSECCOMP", 9) == 0)
		SKIP("no seccomp filters here: %s", line);
	CHECK(strcmp(line, "READY") == 0, "target said '%s'", line);
	wait_threads(t.pid, 2);
	CHECK_OK(scr_attach(t.pid, 0, &p));
	dump_to(p, path, SCR_CORE_SNAPSHOT, &info);
	CHECK(!info.snapshot && info.snapshot_err == -err,
	      "snapshot %d, error %d", info.snapshot, info.snapshot_err);
	open_core(path, &cf);
	check_threads(&cf, p, &usr2);
	CHECK(core_has(&cf, lay->heap, 2), "heap pattern");
	core_close(&cf);
	CHECK_OK(scr_detach(p));
	unlink(path);
	target_verdict(&t);
	target_kill(&t);
}

TEST(snapshot_refused_clone_falls_back_to_a_plain_dump)
{
	fall_back_case(SYS_clone, EAGAIN);
}

TEST(snapshot_refused_wait4_falls_back_before_cloning)
{
	fall_back_case(SYS_wait4, EPERM);
}

/* Reads a whole file (or pipe) into a malloc'd buffer. */
static unsigned char *slurp_fd(int fd, size_t *len)
{
	size_t cap = MIB, n = 0;
	unsigned char *b = malloc(cap);
	ssize_t r;

	CHECK(b);
	while ((r = read(fd, b + n, cap - n)) > 0) {
		n += (size_t)r;
		if (n == cap) {
			b = realloc(b, cap *= 2);
			CHECK(b);
		}
	}
	*len = n;
	return b;
}

static unsigned char *slurp(const char *path, size_t *len)
{
	int fd = open(path, O_RDONLY);
	unsigned char *b;

	unlink(path);		/* nothing left behind, whatever comes */
	CHECK(fd >= 0);
	b = slurp_fd(fd, len);
	close(fd);
	return b;
}

TEST_T(pipe_and_zstd_give_the_same_core, 40)
{
	struct collector c = { 0 };
	struct scr_proc *p;
	struct target t;
	pthread_t th;
	char *plain = core_path("plain"), *piped = core_path("piped");
	char *packed = core_path("zst");
	unsigned char *a, *b;
	size_t alen, blen;
	int pfd[2], fd;

	start_rich(&t, 1, false);
	CHECK_OK(scr_attach(t.pid, 0, &p));
	dump_to(p, plain, 0, NULL);
	CHECK(pipe(pfd) == 0);
	c.fd = pfd[0];
	c.out = create(piped);
	CHECK(pthread_create(&th, NULL, collect, &c) == 0);
	CHECK_OK(scr_dump_core(p, pfd[1], 0, 0));
	close(pfd[1]);
	pthread_join(th, NULL);
	close(c.out);
	fd = create(packed);
	if (scr__core_can_compress())
		CHECK_OK(scr_dump_core(p, fd, PC_COMPRESS, 0));
	else
		CHECK_EQ(scr_dump_core(p, fd, PC_COMPRESS, 0), -EOPNOTSUPP);
	close(fd);
	CHECK_OK(scr_detach(p));

	/* Holes read as zeros: the file and the stream are one core. */
	a = slurp(plain, &alen);
	b = slurp(piped, &blen);
	CHECK_EQ(blen, alen);
	for (size_t i = 0; i < alen; i++)
		CHECK(a[i] == b[i], "byte %zu (of %zu) differs: %#x in the "
		      "file, %#x through the pipe", i, alen, a[i], b[i]);
	free(b);
#ifdef SCR_HAVE_ZSTD
	if (scr__core_can_compress()) {
		size_t zlen, out;

		b = slurp(packed, &zlen);
		unsigned long long size = ZSTD_getFrameContentSize(b, zlen);
		unsigned char *u = malloc(alen ? alen : 1);

		CHECK_EQ(size, alen);
		out = ZSTD_decompress(u, alen, b, zlen);
		CHECK(!ZSTD_isError(out) && out == alen &&
		      memcmp(u, a, alen) == 0,
		      "the zstd core does not decompress to the core");
		free(u);
		free(b);
	}
#endif
	free(a);
	unlink(plain);
	unlink(piped);
	unlink(packed);
	target_verdict(&t);
	target_kill(&t);
}

TEST(bad_requests_leave_the_process_as_it_was)
{
	struct ptrace_coredump pc = { 0 };
	struct scr_proc *p;
	struct target t;
	struct stat st;
	char *path = core_path("bad");
	int fd, ro, pfd[2];

	start_rich(&t, 1, false);
	CHECK(pipe(pfd) == 0);
	fd = create(path);
	ro = open(path, O_RDONLY);
	CHECK_OK(scr_attach(t.pid, 0, &p));
	CHECK_EQ(scr_dump_core(NULL, fd, 0, 0), -EINVAL);
	CHECK_EQ(scr_dump_core(p, fd, 0x80, 0), -EINVAL);
	CHECK_EQ(scr_dump_core(p, fd, 0, -1), -EINVAL);
	CHECK_EQ(scr_dump_core(p, ro, 0, 0), -EBADF);
	CHECK_EQ(scr_dump_core(p, -1, 0, 0), -EBADF);
	CHECK_EQ(scr_dump_core(p, pfd[0], 0, 0), -EBADF);
	/* Over the limit: refused whole, nothing written. */
	CHECK_EQ(scr_dump_core(p, fd, 0, 4096), -EFAULT);
	CHECK_EQ(scr_dump_core(p, fd, SCR_CORE_SNAPSHOT, 4096), -EFAULT);
	CHECK(fstat(fd, &st) == 0 && st.st_size == 0,
	      "%lld bytes left by a refused dump", (long long)st.st_size);
	/* FreeBSD's form: the caller must be the stopped process's tracer. */
	errno = 0;
	CHECK_EQ(scr_coredump(t.pid, NULL), -1);
	CHECK_EQ(errno, EFAULT);
	pc.pc_fd = fd;
	pc.pc_flags = 0x4;
	CHECK(scr_coredump(t.pid, &pc) == -1 && errno == EINVAL);
	pc.pc_flags = 0;
	pc.pc_fd = pfd[1];
	CHECK(scr_coredump(t.pid, &pc) == -1 && errno == EPIPE);
	pc.pc_fd = ro;
	CHECK(scr_coredump(t.pid, &pc) == -1 && errno == EBADF);
	pc.pc_fd = fd;
	CHECK(scr_coredump(-5, &pc) == -1 && errno == ESRCH);
	CHECK_OK(scr_detach(p));
	CHECK(scr_coredump(t.pid, &pc) == -1 && errno == EPERM,
	      "not traced: %s", strerror(errno));
	/* Traced by us but running. */
	CHECK_EQ(ptrace(PTRACE_SEIZE, t.pid, 0, 0), 0);
	CHECK(scr_coredump(t.pid, &pc) == -1 && errno == EBUSY,
	      "running: %s", strerror(errno));
	CHECK_EQ(ptrace(PTRACE_INTERRUPT, t.pid, 0, 0), 0);
	CHECK_EQ(waitpid(t.pid, NULL, __WALL), t.pid);
	CHECK_EQ(ptrace(PTRACE_DETACH, t.pid, 0, 0), 0);
	if (!scr__core_can_compress()) {
		CHECK_OK(scr_attach(t.pid, 0, &p));
		CHECK_EQ(scr_dump_core(p, fd, PC_COMPRESS, 0), -EOPNOTSUPP);
		CHECK_OK(scr_detach(p));
	}
	close(fd);
	close(ro);
	unlink(path);
	target_verdict(&t);
	target_kill(&t);
}

/* Seizes and stops every thread of pid, as a debugger would. */
static int seize_all(pid_t pid, pid_t *tids, int max)
{
	char path[64];
	struct dirent *de;
	DIR *d;
	int n = 0, status;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	d = opendir(path);
	CHECK(d);
	while ((de = readdir(d)) && n < max) {
		if (de->d_name[0] == '.')
			continue;
		tids[n] = (pid_t)atoi(de->d_name);
		CHECK_EQ(ptrace(PTRACE_SEIZE, tids[n], 0, 0), 0);
		CHECK_EQ(ptrace(PTRACE_INTERRUPT, tids[n], 0, 0), 0);
		CHECK_EQ(waitpid(tids[n], &status, __WALL), tids[n]);
		n++;
	}
	closedir(d);
	return n;
}

TEST(freebsd_coredump_of_a_process_we_trace)
{
	struct ptrace_coredump pc = { .pc_flags = ASAN ? 0 : PC_ALL };
	struct core_file cf;
	struct core_note *v;
	struct target t;
	pid_t tids[8];
	char *path = core_path("freebsd");
	int n, nv;

	start_rich(&t, 2, false);
	n = seize_all(t.pid, tids, 8);
	CHECK_EQ(n, 3);
	pc.pc_fd = create(path);
	CHECK(scr_coredump(t.pid, &pc) == 0, "%s", strerror(errno));
	pc.pc_limit = 8192;
	CHECK(scr_coredump(t.pid, &pc) == -1 && errno == EFAULT);
	close(pc.pc_fd);
	open_core(path, &cf);
	nv = load_notes(&cf, &v);
	CHECK_EQ(count_notes(v, nv, NT_PRSTATUS), 3);
	CHECK(ASAN || core_has(&cf, lay->dd, 3),
	      "PC_ALL: MADV_DONTDUMP memory too");
	check_process(&cf, t.pid, 4);
	core_close(&cf);
	for (int i = 0; i < n; i++)
		CHECK_EQ(ptrace(PTRACE_DETACH, tids[i], 0, 0), 0);
	unlink(path);
	target_verdict(&t);
	target_kill(&t);
}

/* scr_interrupt() from another thread while a dump waits on a pipe. */
struct breaker {
	struct scr_proc *p;
	int ms;
};

static void *break_off(void *arg)
{
	struct breaker *b = arg;

	msleep(b->ms);
	scr_interrupt(b->p);
	return NULL;
}

static void interrupt_case(unsigned int flags)
{
	struct breaker b = { NULL, 200 };
	struct scr_proc *p;
	struct target t;
	pthread_t th;
	int pfd[2];

	start_rich(&t, 2, false);
	CHECK(pipe(pfd) == 0);
	CHECK_OK(scr_attach(t.pid, 0, &p));
	b.p = p;
	CHECK(pthread_create(&th, NULL, break_off, &b) == 0);
	/* Nobody reads: the dump blocks on the full pipe until broken. */
	CHECK_EQ(scr_dump_core(p, pfd[1], flags, 0), -EINTR);
	pthread_join(th, NULL);
	CHECK_OK(scr_detach(p));
	target_verdict(&t);
	target_kill(&t);
}

TEST(interrupt_breaks_a_plain_dump_off)
{
	interrupt_case(0);
}

TEST(interrupt_breaks_a_snapshot_off_and_reaps_the_clone)
{
	interrupt_case(SCR_CORE_SNAPSHOT);
}

/* Its main thread exits; two threads live on. */
static void leaderless_target(struct target *t, void *arg)
{
	pthread_t th;

	(void)arg;
	fill(global_pattern, sizeof(global_pattern), 1);
	for (long i = 0; i < 2; i++)
		pthread_create(&th, NULL, worker, (void *)(i + 1));
	say(t, "READY");
	pthread_exit(NULL);
}

static void leaderless_case(unsigned int flags)
{
	static unsigned char g[sizeof(global_pattern)];
	struct scr_core_info info;
	struct core_file cf;
	struct core_note *v;
	struct scr_proc *p;
	struct target t;
	char *path = core_path("leaderless");
	int n;

	target_start(&t, leaderless_target, NULL);
	expect_ready(&t);
	wait_threads(t.pid, 3);
	wait_state(t.pid, 'Z', 5000);	/* the main thread is a zombie */
	CHECK_OK(scr_attach(t.pid, 0, &p));
	dump_to(p, path, flags, &info);
	CHECK(!(flags & SCR_CORE_SNAPSHOT) || info.snapshot,
	      "snapshot error %d", info.snapshot_err);
	open_core(path, &cf);
	n = load_notes(&cf, &v);
	/* The live threads, as in the kernel's core of such a process. */
	CHECK_EQ(count_notes(v, n, NT_PRSTATUS), 2);
	CHECK(prstatus_pid(&cf, &v[0]) != t.pid);
	CHECK(find_note(v, n, NT_AUXV, -1), "no NT_AUXV");
	core_bytes(&cf, (unsigned long)global_pattern, g, sizeof(g));
	CHECK(filled(g, sizeof(g), 1), "global_pattern");
	core_close(&cf);
	CHECK_OK(scr_detach(p));
	unlink(path);
	CHECK(!has_children_of(t.pid), "a child is left");
	target_kill(&t);
}

TEST(core_of_a_process_whose_main_thread_exited)
{
	leaderless_case(0);
}

TEST(snapshot_of_a_process_whose_main_thread_exited)
{
	leaderless_case(SCR_CORE_SNAPSHOT);
}

/* 16 MiB written, then a child that shares them copy-on-write. */
static void forking_target(struct target *t, void *arg)
{
	size_t len = 16 * MIB;
	unsigned char *m = mmap(NULL, len, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	(void)arg;
	if (m == MAP_FAILED)
		_exit(4);
	fill(m, len, 9);
	if (fork() == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		for (;;)
			pause();
	}
	say(t, "READY");
	for (;;)
		pause();
}

/* kB of "Shared_Dirty:" (or another field) in /proc/PID/smaps_rollup. */
static long rollup(pid_t pid, const char *field)
{
	char path[64], buf[4096], *s;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/smaps_rollup", (int)pid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	s = strstr(buf, field);
	return s ? strtol(s + strlen(field), NULL, 10) : -1;
}

/*
 * Reading memory a process shares copy-on-write with its child must not
 * make the kernel copy it (as pinning it for process_vm_readv would):
 * its memory is the same before and after, whatever the dump.
 */
static void shared_case(unsigned int flags)
{
	struct scr_proc *p;
	struct target t;
	char *path = core_path("shared");
	long before, after;

	target_start(&t, forking_target, NULL);
	expect_ready(&t);
	before = rollup(t.pid, "Shared_Dirty:");
	if (before < 0)
		SKIP("no /proc/PID/smaps_rollup here");
	CHECK(before >= 16 * 1024, "only %ld kB shared with the child", before);
	CHECK_OK(scr_attach(t.pid, 0, &p));
	dump_to(p, path, flags, NULL);
	CHECK_OK(scr_detach(p));
	after = rollup(t.pid, "Shared_Dirty:");
	CHECK(after >= before - 512,
	      "%ld kB shared with its child before the dump, %ld after",
	      before, after);
	unlink(path);
	target_kill(&t);
}

TEST(plain_dump_keeps_memory_shared_with_a_child)
{
	shared_case(0);
}

TEST(snapshot_keeps_memory_shared_with_a_child)
{
	shared_case(SCR_CORE_SNAPSHOT);
}

/* A batch through the agent, then a dump: the agent is not in the core
 * (no mapping of its code, no thread in its loop), and batches go on. */
TEST(the_session_agent_is_not_in_the_core)
{
	struct scr_call calls[4];
	struct core_file cf;
	struct core_note *v;
	struct scr_proc *p;
	struct target t;
	const struct core_note *fl;
	char *path = core_path("agent");
	const char *why = NULL;
	int n;

	start_rich(&t, 2, false);
	CHECK_OK(scr_attach(t.pid, 0, &p));
	memset(calls, 0, sizeof(calls));
	for (int i = 0; i < 4; i++)
		calls[i].nr = SYS_getpid;
	n = scr_batch(p, 0, calls, 4, SCR_BATCH_AGENT);
	if (n < 0 || scr_agent_status(p, &why) != 0) {
		scr_detach(p);
		target_kill(&t);
		SKIP("no agent here: %s", why ? why : strerror(-n));
	}
	CHECK_EQ(n, 4);
	CHECK_EQ(calls[3].ret.sr_retval[0], t.pid);
	dump_to(p, path, 0, NULL);
	open_core(path, &cf);
	n = load_notes(&cf, &v);
	fl = find_note(v, n, NT_FILE, -1);
	CHECK(fl && !memmem(fl->desc, fl->len, "scremote-agent", 14),
	      "the agent's code is in the core");
	check_threads(&cf, p, &(uint64_t){ 1ULL << (SIGUSR2 - 1) });
	core_close(&cf);
	CHECK_EQ(scr_batch(p, 0, calls, 4, 0), 4);
	CHECK_EQ(calls[0].ret.sr_retval[0], t.pid);
	CHECK_OK(scr_detach(p));
	target_verdict(&t);
	target_kill(&t);
}

/* ---- gdb and elfutils --------------------------------------------- */

static bool have(const char *tool)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "command -v %s >/dev/null 2>&1", tool);
	return system(cmd) == 0;
}

/* A command's output, bounded in time. */
static char *run_out(const char *cmd)
{
	char full[2048];
	FILE *f;
	char *out;
	size_t len;

	snprintf(full, sizeof(full), "timeout -k 5 60 %s 2>&1", cmd);
	f = popen(full, "r");
	CHECK(f, "popen %s", cmd);
	out = (char *)slurp_fd(fileno(f), &len);
	out = realloc(out, len + 1);
	out[len] = '\0';
	pclose(f);
	return out;
}

#define MAX_FRAMES 32
#define MAX_THREADS 16

struct stack {
	long lwp;
	int n;
	unsigned long pc[MAX_FRAMES];	/* 0: not printed */
	char fn[MAX_FRAMES][64];
};

/* "Thread 2 (Thread 0x7f.. (LWP 123) ...):" then "#N  0xADDR in fn (" or
 * "#N  fn (" lines, from gdb's thread apply all bt. */
static int parse_gdb(const char *out, struct stack *s, int max)
{
	int n = -1;

	for (const char *l = out; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		const char *lwp = strstr(l, "(LWP ");
		const char *eol = strchr(l, '\n');

		if (strncmp(l, "Thread ", 7) == 0 && lwp && (!eol || lwp < eol)) {
			if (++n >= max)
				break;
			memset(&s[n], 0, sizeof(s[n]));
			s[n].lwp = strtol(lwp + 5, NULL, 10);
		} else if (l[0] == '#' && n >= 0 && s[n].n < MAX_FRAMES) {
			const char *p = l + 1;
			struct stack *st = &s[n];

			while (*p >= '0' && *p <= '9')
				p++;
			while (*p == ' ')
				p++;
			if (strncmp(p, "0x", 2) == 0) {
				st->pc[st->n] = strtoul(p, (char **)&p, 16);
				if (strncmp(p, " in ", 4) == 0)
					p += 4;
			}
			sscanf(p, "%63[^ (\n]", st->fn[st->n]);
			st->n++;
		}
	}
	return n + 1;
}

/* "TID 123:" then "#N  0xADDR fn" lines, from eu-stack. */
static int parse_eu(const char *out, struct stack *s, int max)
{
	int n = -1;

	for (const char *l = out; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		if (strncmp(l, "TID ", 4) == 0) {
			if (++n >= max)
				break;
			memset(&s[n], 0, sizeof(s[n]));
			s[n].lwp = strtol(l + 4, NULL, 10);
		} else if (l[0] == '#' && n >= 0 && s[n].n < MAX_FRAMES) {
			struct stack *st = &s[n];
			const char *p = strstr(l, "0x");

			if (p && sscanf(p, "%lx %63s", &st->pc[st->n],
					st->fn[st->n]) >= 1)
				st->n++;
		}
	}
	return n + 1;
}

static const struct stack *by_lwp(const struct stack *s, int n, long lwp)
{
	for (int i = 0; i < n; i++)
		if (s[i].lwp == lwp)
			return &s[i];
	return NULL;
}

static bool has_fn(const struct stack *s, const char *fn)
{
	for (int i = 0; i < s->n; i++)
		if (strcmp(s->fn[i], fn) == 0)
			return true;
	return false;
}

TEST_T(gdb_and_eu_stack_read_the_core_as_the_live_process, 120)
{
	static struct stack live[MAX_THREADS], dead[MAX_THREADS], eu[MAX_THREADS];
	char exe[4096] = "", cmd[8192], path_proc[64];
	char *path = core_path("gdb");
	struct scr_proc *p;
	struct target t;
	char *out;
	int nl, nd, ne;

	if (!have("gdb"))
		SKIP("gdb not installed (apt-get install gdb)");
	start_rich(&t, 3, true);
	snprintf(path_proc, sizeof(path_proc), "/proc/%d/exe", (int)t.pid);
	CHECK(readlink(path_proc, exe, sizeof(exe) - 1) > 0);
	/* Stopped, so that gdb attached later sees the same state. */
	kill(t.pid, SIGSTOP);
	wait_state(t.pid, 'T', 5000);
	CHECK_OK(scr_attach(t.pid, 0, &p));
	dump_to(p, path, 0, NULL);
	CHECK_OK(scr_detach(p));
	wait_state(t.pid, 'T', 5000);

	snprintf(cmd, sizeof(cmd), "gdb -nx -batch -p %d -ex 'info threads' "
		 "-ex 'thread apply all bt' -ex detach", (int)t.pid);
	out = run_out(cmd);
	nl = parse_gdb(out, live, MAX_THREADS);
	free(out);
	snprintf(cmd, sizeof(cmd), "gdb -nx -batch -ex 'info threads' "
		 "-ex 'thread apply all bt' "
		 "-ex 'print/x global_pattern[0]@8' '%s' '%s'", exe, path);
	out = run_out(cmd);
	nd = parse_gdb(out, dead, MAX_THREADS);
	CHECK(strstr(out, "{0x1, 0x8, 0xf, 0x16, 0x1d, 0x24, 0x2b, 0x32}"),
	      "gdb reads global_pattern wrong from the core:\n%s", out);
	free(out);
	CHECK_EQ(nl, 5);
	CHECK_EQ(nd, nl);
	for (int i = 0; i < nl; i++) {
		const struct stack *l = &live[i], *d = by_lwp(dead, nd, l->lwp);

		CHECK(d, "thread %ld missing from gdb's view of the core",
		      l->lwp);
		CHECK(l->n >= 3 && d->n == l->n, "thread %ld: %d frames live, "
		      "%d in the core", l->lwp, l->n, d->n);
		for (int k = 0; k < l->n; k++)
			CHECK(l->pc[k] == d->pc[k] &&
			      strcmp(l->fn[k], d->fn[k]) == 0,
			      "thread %ld frame %d: %s at %#lx live, %s at %#lx "
			      "in the core", l->lwp, k, l->fn[k], l->pc[k],
			      d->fn[k], d->pc[k]);
	}
	CHECK(has_fn(by_lwp(dead, nd, t.pid), "rich_target"));
	for (int i = 0; i < nd; i++)
		CHECK(dead[i].lwp == t.pid || has_fn(&dead[i], "nest") ||
		      has_fn(&dead[i], "ticker"), "thread %ld: no nest/ticker",
		      dead[i].lwp);

	if (have("eu-stack")) {
		snprintf(cmd, sizeof(cmd), "eu-stack --core='%s' "
			 "--executable='%s'", path, exe);
		out = run_out(cmd);
		ne = parse_eu(out, eu, MAX_THREADS);
		CHECK_EQ(ne, nd);
		for (int i = 0; i < ne; i++) {
			const struct stack *e = &eu[i];
			const struct stack *d = by_lwp(dead, nd, e->lwp);
			int same = 0;

			CHECK(d, "eu-stack: thread %ld unknown to gdb", e->lwp);
			/* The addresses agree, in order (eu-stack names libc's
			 * functions by other aliases, shows no inlined frames,
			 * and may stop earlier; gdb prints no address for a
			 * frame at the start of a line). */
			unsigned long g[MAX_FRAMES];
			int ng = 0;

			for (int k = 0; k < d->n; k++)
				if (d->pc[k] && (!ng || g[ng - 1] != d->pc[k]))
					g[ng++] = d->pc[k];
			for (int k = 0, at = 0; k < ng; k++) {
				while (at < e->n && e->pc[at] != g[k])
					at++;
				CHECK(at < e->n || e->n < 3,
				      "thread %ld: gdb's frame at %#lx is not "
				      "in eu-stack's\n%s", e->lwp, g[k], out);
				same += at < e->n;
			}
			CHECK(same >= 3, "thread %ld: %d frames agree", e->lwp,
			      same);
		}
		free(out);
	}
	if (have("readelf")) {
		snprintf(cmd, sizeof(cmd), "readelf -n '%s'", path);
		out = run_out(cmd);
		int k = 0;

		for (char *s = out; (s = strstr(s, "NT_PRSTATUS")); s++)
			k++;
		CHECK_EQ(k, 5);
		CHECK(strstr(out, "NT_FILE") && strstr(out, "NT_AUXV") &&
		      strstr(out, "NT_SIGINFO") && strstr(out, "NT_PRPSINFO"),
		      "readelf -n:\n%s", out);
		free(out);
	}
	unlink(path);
	kill(t.pid, SIGCONT);
	target_verdict(&t);
	target_kill(&t);
}
