/*
 * scr_batch(): calls in order, references to earlier results, stop on
 * error, and the errors of a bad batch.  Every batch runs twice, through
 * the in-target agent and through the ptrace path, and both must give
 * the same results; the target checks its descriptors itself.
 */
#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "harness.h"
#include "scremote.h"
#include "targets.h"

#define BIG 10000

static void set_call(struct scr_call *c, long nr, unsigned int nargs,
		     unsigned int refs, unsigned long a0, unsigned long a1,
		     unsigned long a2)
{
	memset(c, 0, sizeof(*c));
	c->nr = nr;
	c->nargs = nargs;
	c->ref_mask = refs;
	c->args[0] = a0;
	c->args[1] = a1;
	c->args[2] = a2;
}

/* Each group of five: open /dev/null, dup it (a reference), fcntl on
 * the dup, close both (references), so the target ends with no new
 * descriptor; getpid fills up the rest. */
static void chain(struct scr_call *calls, size_t n, unsigned long path)
{
	for (size_t i = n; i < BIG; i++)
		set_call(&calls[i], SYS_getpid, 0, 0, 0, 0, 0);
	size_t groups = n / 5;

	for (size_t g = 0; g < groups; g++) {
		struct scr_call *c = &calls[g * 5];
		size_t o = g * 5;

		set_call(&c[0], SYS_openat, 3, 0, (unsigned long)AT_FDCWD,
			 path, O_RDONLY);
		set_call(&c[1], SYS_dup, 1, 0x1, o, 0, 0);
		set_call(&c[2], SYS_fcntl, 2, 0x1, o + 1, F_GETFD, 0);
		set_call(&c[3], SYS_close, 1, 0x1, o + 1, 0, 0);
		set_call(&c[4], SYS_close, 1, 0x1, o, 0, 0);
	}
	for (size_t i = groups * 5; i < n; i++)
		set_call(&calls[i], SYS_getpid, 0, 0, 0, 0, 0);
}

static int count_fds(pid_t pid)
{
	char path[64];
	struct dirent *d;
	int n = 0;
	DIR *dir;

	snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
	dir = opendir(path);
	CHECK(dir, "%s: %s", path, strerror(errno));
	while ((d = readdir(dir)))
		n += d->d_name[0] != '.';
	closedir(dir);
	return n;
}

/* The batch through both paths: same count, same outcomes. */
static void both_ways(struct scr_proc *p, pid_t tid, struct scr_call *calls,
		      size_t n, unsigned int flags, int *agent_status)
{
	struct scr_call *other = malloc(n * sizeof(*other));
	int a, b;

	CHECK(other);
	memcpy(other, calls, n * sizeof(*other));
	a = scr_batch(p, tid, calls, n, flags);
	*agent_status = scr_agent_status(p, NULL);
	b = scr_batch(p, tid, other, n, flags | SCR_BATCH_PTRACE);
	CHECK_EQ(a, b);
	for (size_t i = 0; i < n; i++) {
		CHECK(calls[i].status == other[i].status &&
		      calls[i].ret.sr_error == other[i].ret.sr_error &&
		      calls[i].ret.sr_retval[0] == other[i].ret.sr_retval[0],
		      "call %zu (nr %ld): agent %d/%ld/%d, ptrace %d/%ld/%d", i,
		      calls[i].nr, calls[i].status, calls[i].ret.sr_retval[0],
		      calls[i].ret.sr_error, other[i].status,
		      other[i].ret.sr_retval[0], other[i].ret.sr_error);
	}
	free(other);
}

/* Every group of the chain gave the same descriptors: the lowest free
 * ones, opened and closed again, references passed right. */
static void check_chain(const struct scr_call *calls, size_t n)
{
	long fd = calls[0].ret.sr_retval[0], dup = calls[1].ret.sr_retval[0];

	CHECK(fd >= 3 && dup > fd, "open gave %ld, dup %ld", fd, dup);
	for (size_t i = 0; i + 5 <= n; i += 5) {
		CHECK(calls[i].ret.sr_retval[0] == fd &&
		      calls[i + 1].ret.sr_retval[0] == dup &&
		      calls[i + 2].ret.sr_retval[0] == 0 &&	/* !FD_CLOEXEC */
		      calls[i + 3].ret.sr_retval[0] == 0 &&
		      calls[i + 4].ret.sr_retval[0] == 0,
		      "group at %zu: %ld %ld %ld %ld %ld", i,
		      calls[i].ret.sr_retval[0], calls[i + 1].ret.sr_retval[0],
		      calls[i + 2].ret.sr_retval[0],
		      calls[i + 3].ret.sr_retval[0],
		      calls[i + 4].ret.sr_retval[0]);
	}
}

TEST_T(ten_thousand_calls_with_references_and_stop_on_error, 60)
{
	struct scr_call *calls = calloc(BIG, sizeof(*calls));
	unsigned long path;
	struct scr_proc *p;
	struct target t;
	int fds, st;

	CHECK(calls);
	target_start(&t, target_idle, NULL);
	expect_ready(&t);
	fds = count_fds(t.pid);
	CHECK_OK(scr_attach(t.pid, 0, &p));
	CHECK_OK(scr_push(p, "/dev/null", 10, &path));
	chain(calls, BIG - 5, path);
	/* A call that fails near the end: the rest must not run. */
	set_call(&calls[BIG - 3], SYS_close, 1, 0, 1000000, 0, 0);
	CHECK_EQ(scr_batch(p, 0, calls, BIG, SCR_BATCH_STOP_ON_ERROR), BIG - 2);
	CHECK_EQ(scr_agent_status(p, NULL), 0);
	check_chain(calls, BIG - 5);
	CHECK_EQ(calls[BIG - 4].ret.sr_retval[0], t.pid);
	CHECK_EQ(calls[BIG - 3].ret.sr_error, EBADF);
	CHECK_EQ(calls[BIG - 3].status, 0);
	CHECK_EQ(calls[BIG - 2].status, -ECANCELED);
	CHECK_EQ(calls[BIG - 1].status, -ECANCELED);
	/* Without the flag every call runs. */
	chain(calls, BIG, path);
	set_call(&calls[7], SYS_close, 1, 0, 1000000, 0, 0);
	CHECK_EQ(scr_batch(p, 0, calls, BIG, 0), BIG);
	CHECK_EQ(calls[7].ret.sr_error, EBADF);
	calls[7].ret.sr_retval[0] = 0;
	check_chain(calls, BIG);
	/* The ptrace path gives the same (on fewer calls: under emulation
	 * a stop per call is slow). */
	chain(calls, 995, path);
	set_call(&calls[997], SYS_close, 1, 0, 1000000, 0, 0);
	both_ways(p, 0, calls, 1000, SCR_BATCH_STOP_ON_ERROR, &st);
	CHECK_EQ(st, 0);
	CHECK_EQ(calls[999].status, -ECANCELED);
	CHECK_OK(scr_detach(p));
	CHECK_EQ(count_fds(t.pid), fds);
	target_kill(&t);
	free(calls);
}

TEST(a_reference_to_a_failed_call_passes_minus_one)
{
	struct scr_call calls[20];
	struct scr_proc *p;
	struct target t;
	int st;

	target_start(&t, target_idle, NULL);
	expect_ready(&t);
	CHECK_OK(scr_attach(t.pid, 0, &p));
	for (int i = 0; i < 20; i++)
		set_call(&calls[i], SYS_getppid, 0, 0, 0, 0, 0);
	set_call(&calls[3], SYS_dup, 1, 0, 999999, 0, 0);	/* EBADF */
	set_call(&calls[4], SYS_fcntl, 2, 0x1, 3, F_GETFD, 0);	/* fcntl(-1) */
	set_call(&calls[5], SYS_getpgid, 1, 0x1, 0, 0, 0);	/* getppid's */
	both_ways(p, 0, calls, 20, 0, &st);
	CHECK_EQ(st, 0);
	CHECK_EQ(calls[3].ret.sr_error, EBADF);
	CHECK_EQ(calls[4].ret.sr_error, EBADF);
	CHECK_EQ(calls[5].ret.sr_retval[0], getpgid(getpid()));
	CHECK_OK(scr_detach(p));
	target_kill(&t);
}

TEST(bad_batches_are_refused_before_anything_runs)
{
	struct scr_call calls[3];
	struct scr_proc *p;
	struct target t;

	target_start(&t, target_idle, NULL);
	expect_ready(&t);
	CHECK_OK(scr_attach(t.pid, 0, &p));
	for (int i = 0; i < 3; i++)
		set_call(&calls[i], SYS_getpid, 0, 0, 0, 0, 0);
	calls[1].nargs = 7;
	CHECK_EQ(scr_batch(p, 0, calls, 3, 0), -EINVAL);
	calls[1].nargs = 1;
	calls[1].ref_mask = 0x2;		/* beyond nargs */
	CHECK_EQ(scr_batch(p, 0, calls, 3, 0), -EINVAL);
	calls[1].ref_mask = 0x1;
	calls[1].args[0] = 1;			/* itself */
	CHECK_EQ(scr_batch(p, 0, calls, 3, 0), -EINVAL);
	calls[1].args[0] = 2;			/* a later call */
	CHECK_EQ(scr_batch(p, 0, calls, 3, 0), -EINVAL);
	calls[1].args[0] = 0;
	CHECK_EQ(scr_batch(p, 0, calls, 3, 0x80), -EINVAL);
	CHECK_EQ(scr_batch(p, 0, calls, 3, SCR_BATCH_PTRACE | SCR_BATCH_AGENT),
		 -EINVAL);
	CHECK_EQ(scr_batch(p, 0, NULL, 3, 0), -EINVAL);
	CHECK_EQ(scr_batch(p, 0, calls, 0, 0), 0);
	CHECK_EQ(scr_batch(p, getpid(), calls, 3, 0), -ESRCH);
	CHECK_EQ(calls[0].status, -ESRCH);
	CHECK_EQ(scr_batch(p, 0, calls, 3, 0), 3);
	CHECK_EQ(calls[1].ret.sr_retval[0], t.pid);	/* getpid */
	CHECK_OK(scr_detach(p));
	target_kill(&t);
}

/* The agent is not worth placing for a few calls; the status says so,
 * and SCR_BATCH_AGENT overrides it. */
TEST(agent_status_tells_which_path_ran)
{
	struct scr_call calls[4];
	const char *why = NULL;
	struct scr_proc *p;
	struct target t;

	target_start(&t, target_idle, NULL);
	expect_ready(&t);
	CHECK_OK(scr_attach(t.pid, 0, &p));
	CHECK_EQ(scr_agent_status(p, &why), -EAGAIN);
	for (int i = 0; i < 4; i++)
		set_call(&calls[i], SYS_getpid, 0, 0, 0, 0, 0);
	CHECK_EQ(scr_batch(p, 0, calls, 4, 0), 4);
	CHECK_EQ(scr_agent_status(p, &why), -EAGAIN);
	CHECK(why && strstr(why, "ptrace path"), "reason: %s", why);
	CHECK_EQ(scr_batch(p, 0, calls, 4, SCR_BATCH_AGENT), 4);
	CHECK_EQ(scr_agent_status(p, &why), 0);
	CHECK_EQ(calls[3].ret.sr_retval[0], t.pid);
	CHECK_EQ(scr_batch(p, 0, calls, 4, SCR_BATCH_PTRACE), 4);
	CHECK_EQ(scr_agent_status(p, &why), -EAGAIN);
	CHECK(strstr(why, "SCR_BATCH_PTRACE"), "reason: %s", why);
	CHECK_OK(scr_detach(p));
	target_kill(&t);
}

/* Calls the agent must not make (they define the thread's own mask)
 * take the ptrace path in the middle of an agent batch; the mask they
 * set is the target's afterwards, and the batch goes on. */
TEST(a_call_that_needs_the_ptrace_path_inside_an_agent_batch)
{
	uint64_t set = 1ULL << (SIGUSR2 - 1), old = 1;
	struct scr_call calls[40];
	unsigned long a_set, a_old;
	struct scr_proc *p;
	struct target t;
	char buf[4096];
	FILE *f;
	int st;

	target_start(&t, target_idle, NULL);
	expect_ready(&t);
	CHECK_OK(scr_attach(t.pid, 0, &p));
	CHECK_OK(scr_push(p, &set, 8, &a_set));
	CHECK_OK(scr_push(p, &old, 8, &a_old));
	for (int i = 0; i < 40; i++)
		set_call(&calls[i], SYS_gettid, 0, 0, 0, 0, 0);
	set_call(&calls[20], SYS_rt_sigprocmask, 3, 0, SIG_BLOCK, a_set, a_old);
	calls[20].nargs = 4;
	calls[20].args[3] = 8;
	CHECK_EQ(scr_batch(p, 0, calls, 40, 0), 40);
	st = scr_agent_status(p, NULL);
	CHECK_EQ(st, 0);
	CHECK_EQ(calls[20].ret.sr_error, 0);
	CHECK_EQ(calls[39].ret.sr_retval[0], t.pid);
	CHECK_EQ(scr_read(p, a_old, &old, 8), 8);
	CHECK_EQ(old, 0);		/* the target's own mask */
	/* And once more: the agent comes back for the next batch. */
	CHECK_EQ(scr_batch(p, 0, calls, 19, 0), 19);
	CHECK_OK(scr_detach(p));
	snprintf(buf, sizeof(buf), "/proc/%d/status", (int)t.pid);
	f = fopen(buf, "r");
	CHECK(f);
	while (fgets(buf, sizeof(buf), f) && strncmp(buf, "SigBlk:", 7))
		;
	fclose(f);
	CHECK(strtoull(buf + 7, NULL, 16) & set, "SigBlk %s", buf);
	target_kill(&t);
}

/* mmap, then use and unmap the mapping through references. */
TEST(mapping_calls_with_references)
{
	struct scr_call calls[32];
	struct scr_proc *p;
	struct target t;
	int st;

	target_start(&t, target_idle, NULL);
	expect_ready(&t);
	CHECK_OK(scr_attach(t.pid, 0, &p));
	for (int i = 0; i < 32; i++)
		set_call(&calls[i], SYS_getpid, 0, 0, 0, 0, 0);
	set_call(&calls[0], SYS_mmap, 6, 0, 0, 8192, PROT_READ | PROT_WRITE);
	calls[0].args[3] = MAP_PRIVATE | MAP_ANONYMOUS;
	calls[0].args[4] = (unsigned long)-1;
	set_call(&calls[1], SYS_mprotect, 3, 0x1, 0, 4096, PROT_READ);
	set_call(&calls[2], SYS_madvise, 3, 0x1, 0, 8192, MADV_DONTNEED);
	set_call(&calls[3], SYS_munmap, 2, 0x1, 0, 8192, 0);
	set_call(&calls[4], SYS_munmap, 2, 0x1, 0, 8192, 0);	/* again: 0 */
	both_ways(p, 0, calls, 32, SCR_BATCH_STOP_ON_ERROR, &st);
	CHECK_EQ(st, 0);
	for (int i = 1; i < 5; i++)
		CHECK_EQ(calls[i].ret.sr_error, 0);
	CHECK_OK(scr_detach(p));
	target_kill(&t);
}

static void *looper(void *arg)
{
	(void)arg;
	for (;;)
		pause();
	return NULL;
}

static void threaded(struct target *t, void *arg)
{
	pthread_t th;

	(void)arg;
	pthread_create(&th, NULL, looper, NULL);
	pthread_create(&th, NULL, looper, NULL);
	say(t, "READY");
	for (;;)
		pause();
}

TEST(batches_in_other_threads)
{
	struct scr_call calls[64];
	struct scr_proc *p;
	pid_t tids[8];
	struct target t;
	int n, st;

	target_start(&t, threaded, NULL);
	expect_ready(&t);
	CHECK_OK(scr_attach(t.pid, 0, &p));
	n = scr_threads(p, tids, 8);
	CHECK_EQ(n, 3);
	for (int k = 0; k < n; k++) {
		for (int i = 0; i < 64; i++)
			set_call(&calls[i], i % 2 ? SYS_gettid : SYS_getpid, 0,
				 0, 0, 0, 0);
		both_ways(p, tids[k], calls, 64, 0, &st);
		CHECK_EQ(st, 0);
		CHECK_EQ(calls[1].ret.sr_retval[0], tids[k]);
		CHECK_EQ(calls[0].ret.sr_retval[0], t.pid);
	}
	CHECK_OK(scr_detach(p));
	target_kill(&t);
}

/* A call that blocks past the session's bound: it and the calls after
 * it report ETIMEDOUT, those before ran; the target's own read then
 * gets its data as if nothing happened. */
TEST(a_call_blocking_past_the_bound_breaks_the_batch)
{
	struct scr_call calls[40];
	unsigned long buf;
	struct scr_proc *p;
	struct target t;

	target_start(&t, target_reader, NULL);
	expect_ready(&t);
	wait_in_syscall(t.pid, SYS_read, 2000);
	CHECK_OK(scr_attach(t.pid, 0, &p));
	CHECK_OK(scr_scratch_alloc(p, 16, &buf));
	scr_set_timeout(p, 200);
	for (unsigned int flags = 0; flags <= SCR_BATCH_PTRACE;
	     flags += SCR_BATCH_PTRACE) {
		for (int i = 0; i < 40; i++)
			set_call(&calls[i], SYS_getpid, 0, 0, 0, 0, 0);
		set_call(&calls[30], SYS_read, 3, 0, (unsigned long)t.tgt_in,
			 buf, 5);
		double t0 = now_s();

		CHECK_EQ(scr_batch(p, 0, calls, 40, flags), 30);
		if (flags == 0)
			CHECK_EQ(scr_agent_status(p, NULL), 0);
		CHECK(now_s() - t0 < 1.5, "took %.3f s", now_s() - t0);
		CHECK_EQ(calls[29].status, 0);
		CHECK_EQ(calls[29].ret.sr_retval[0], t.pid);
		CHECK_EQ(calls[30].status, -ETIMEDOUT);
		CHECK_EQ(calls[39].status, -ETIMEDOUT);
	}
	exercise(p, &t, 0);
	CHECK_OK(scr_detach(p));
	CHECK(write(t.in, "hello", 5) == 5);
	expect_ok(&t, 2000);
	target_kill(&t);
}
