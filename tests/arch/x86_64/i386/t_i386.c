/*
 * 32-bit (i386) targets traced from the 64-bit library: the engine must
 * see their ABI (cs 0x23), inject int $0x80 from their 32-bit vDSO with
 * i386 numbers and registers, and leave them as they were.  Each test
 * runs target32 (built with gcc -m32) in one state; it judges itself.
 */
#include <fcntl.h>
#include <sys/mman.h>
#include <libgen.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "i386_nrs.h"
#include "scremote.h"
#include "targets.h"

static char target32[4096];

/* Starts target32 in a mode: fd 3 its reports, fd 4 its input, fd 5 an
 * output pipe (t->out here), as target_start() would set them up. */
static void start32(struct target *t, const char *mode)
{
	int rep[2], in[2], out[2];
	char self[4096] = { 0 };

	/* Beside this program, or in /bin (the qemu guests). */
	if (!target32[0]) {
		CHECK(readlink("/proc/self/exe", self, sizeof(self) - 1) > 0);
		snprintf(target32, sizeof(target32), "%s/target32",
			 dirname(self));
		if (access(target32, X_OK))
			snprintf(target32, sizeof(target32), "/bin/target32");
	}
	if (access(target32, X_OK))
		SKIP("no 32-bit target (%s): gcc -m32 unavailable at build",
		     target32);
	int ex[2], err = 0;

	CHECK(pipe(rep) == 0 && pipe(in) == 0 && pipe(out) == 0);
	/* Closed by a successful exec; holds errno when it fails. */
	CHECK(pipe2(ex, O_CLOEXEC) == 0);
	t->pid = fork();
	CHECK(t->pid >= 0);
	if (t->pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		close(ex[0]);
		dup2(rep[1], 3);
		dup2(in[0], 4);
		dup2(out[1], 5);
		execl(target32, "target32", mode, (char *)NULL);
		err = errno;
		if (write(ex[1], &err, sizeof(err)) < 0)
			_exit(127);
		_exit(126);
	}
	close(ex[1]);
	if (read(ex[0], &err, sizeof(err)) != sizeof(err))
		err = 0;
	close(ex[0]);
	close(rep[1]);
	close(in[0]);
	close(out[1]);
	t->rep = rep[0];
	t->in = in[1];
	t->out = out[0];
	t->tgt_in = 4;
	t->tgt_out = 5;
	/* A kernel without IA32 emulation cannot run it at all. */
	if (err) {
		waitpid(t->pid, NULL, 0);
		if (err == ENOEXEC)
			SKIP("this kernel cannot run 32-bit programs (ENOEXEC)");
		CHECK(0, "exec %s: %s", target32, strerror(err));
	}
}

/* The battery, in i386 numbers, with 32-bit scratch addresses. */
static void exercise32(struct scr_proc *p, struct target *t)
{
	unsigned long path, a;
	long fd;

	CHECK_EQ(rcall(p, 0, i386_nr.getpid, 0), t->pid);
	CHECK_EQ(rcall(p, 0, i386_nr.getppid, 0), getpid());
	CHECK_EQ(rcall(p, 0, i386_nr.gettid, 0), t->pid);
	CHECK_OK(scr_push(p, "ping", 4, &path));
	CHECK(path < (1UL << 32), "scratch at %#lx", path);
	CHECK_EQ(rcall(p, 0, i386_nr.write, 3, 5UL, path, 4UL), 4);
	expect_out(t, "ping", 4);
	CHECK_OK(scr_push(p, "/dev/null", 10, &path));
	fd = rcall(p, 0, i386_nr.openat, 3, (unsigned long)AT_FDCWD, path,
		   (unsigned long)O_RDONLY);
	CHECK(fd >= 0);
	CHECK_EQ(rcall(p, 0, i386_nr.close, 1, (unsigned long)fd), 0);
	/* Above 2 GiB a 32-bit address must come back unsigned. */
	a = (unsigned long)rcall(p, 0, i386_nr.mmap2, 6, 0UL, 4096UL,
				 (unsigned long)(PROT_READ | PROT_WRITE),
				 (unsigned long)(MAP_PRIVATE | MAP_ANONYMOUS),
				 0xffffffffUL, 0UL);
	CHECK(a > 0 && a < (1UL << 32) && !(a & 4095), "mmap2 gave %#lx", a);
	CHECK_EQ(scr_write(p, a, "i386", 4), 4);
	CHECK_EQ(rcall(p, 0, i386_nr.munmap, 2, a, 4096UL), 0);
	scr_scratch_reset(p);
}

static void visit32(struct target *t)
{
	for (int i = 0; i < 2; i++) {
		struct scr_proc *p;

		CHECK_OK(scr_attach(t->pid, 0, &p));
		exercise32(p, t);
		CHECK_OK(scr_detach(p));
	}
}

TEST(i386_blocked_in_read)
{
	struct target t;

	start32(&t, "read");
	expect_ready(&t);
	wait_in_syscall(t.pid, i386_nr.read, 2000);
	visit32(&t);
	CHECK(write(t.in, "hello", 5) == 5);
	expect_ok(&t, 3000);
	target_kill(&t);
}

static void sleep_case(const char *mode)
{
	struct target t;

	start32(&t, mode);
	expect_ready(&t);
	msleep(100);
	visit32(&t);
	expect_ok(&t, 5000);
	target_kill(&t);
}

TEST(i386_blocked_in_nanosleep)
{
	sleep_case("nanosleep");
}

TEST(i386_blocked_in_clock_nanosleep)
{
	sleep_case("clock_nanosleep");
}

TEST(i386_blocked_in_timed_futex)
{
	sleep_case("futex");
}

TEST(i386_pending_restart_block_is_kept)
{
	struct ptrace_sc_ret ret;
	unsigned long args[2] = { 0, 0 };
	struct scr_proc *p;
	struct target t;

	start32(&t, "nanosleep");
	expect_ready(&t);
	wait_in_syscall(t.pid, i386_nr.nanosleep, 2000);
	CHECK_OK(scr_attach(t.pid, 0, &p));
	CHECK_EQ(scr_syscall(p, 0, i386_nr.nanosleep, args, 2, &ret), -EBUSY);
	CHECK_EQ(scr_syscall(p, 0, i386_nr.restart_syscall, args, 0, &ret),
		 -EBUSY);
	exercise32(p, &t);
	CHECK_OK(scr_detach(p));
	expect_ok(&t, 5000);
	target_kill(&t);
}

TEST(i386_blocked_in_poll)
{
	struct target t;

	start32(&t, "poll");
	expect_ready(&t);
	msleep(100);
	visit32(&t);
	CHECK(write(t.in, "x", 1) == 1);
	expect_ok(&t, 3000);
	target_kill(&t);
}

TEST(i386_spinning_target_keeps_its_registers)
{
	struct target t;

	start32(&t, "spin");
	expect_ready(&t);
	msleep(50);
	visit32(&t);
	CHECK_EQ(kill(t.pid, SIGUSR1), 0);
	expect_ok(&t, 3000);
	target_kill(&t);
}

/* No agent for i386 threads: a batch takes the ptrace path, says why,
 * and gives the same results; the spinning target keeps its registers. */
TEST(i386_batches_take_the_ptrace_path)
{
	struct scr_call calls[64];
	const char *why = NULL;
	struct scr_proc *p;
	struct target t;

	start32(&t, "spin");
	expect_ready(&t);
	msleep(50);
	CHECK_OK(scr_attach(t.pid, 0, &p));
	memset(calls, 0, sizeof(calls));
	for (int i = 0; i < 64; i++)
		calls[i].nr = i % 2 ? i386_nr.gettid : i386_nr.getpid;
	calls[5].nr = i386_nr.close;
	calls[5].nargs = 1;
	calls[5].ref_mask = 0x1;		/* close(getpid()): EBADF */
	CHECK_EQ(scr_batch(p, 0, calls, 64, 0), 64);
	CHECK_EQ(scr_agent_status(p, &why), -ENOSYS);
	CHECK(why && strstr(why, "i386"), "reason: %s", why);
	for (int i = 0; i < 64; i++)
		if (i != 5)
			CHECK_EQ(calls[i].ret.sr_retval[0], t.pid);
	CHECK_EQ(calls[5].ret.sr_error, EBADF);
	CHECK_OK(scr_detach(p));
	CHECK_EQ(kill(t.pid, SIGUSR1), 0);
	expect_ok(&t, 3000);
	target_kill(&t);
}

TEST(i386_signal_stop_and_blocked_sigtrap)
{
	struct ptrace_sc_remote pscr = { 0 };
	struct target t;
	siginfo_t si, si2;
	int status;

	start32(&t, "signals");
	expect_ready(&t);
	visit32(&t);
	CHECK_EQ(ptrace(PTRACE_SEIZE, t.pid, 0, 0), 0);
	CHECK(write(t.in, "x", 1) == 1);
	CHECK_EQ(waitpid(t.pid, &status, __WALL), t.pid);
	CHECK(WIFSTOPPED(status) && WSTOPSIG(status) == SIGUSR1);
	CHECK_EQ(ptrace(PTRACE_GETSIGINFO, t.pid, 0, &si), 0);
	pscr.pscr_syscall = (unsigned int)i386_nr.getpid;
	for (int i = 0; i < 10; i++) {
		CHECK_EQ(scr_sc_remote(t.pid, &pscr), 0);
		CHECK_EQ(pscr.pscr_ret.sr_retval[0], t.pid);
	}
	pscr.pscr_syscall = 5000;
	CHECK_EQ(scr_sc_remote(t.pid, &pscr), 0);
	CHECK_EQ(pscr.pscr_ret.sr_error, ENOSYS);
	CHECK_EQ(waitpid(t.pid, &status, __WALL | WNOHANG), 0);
	CHECK_EQ(ptrace(PTRACE_GETSIGINFO, t.pid, 0, &si2), 0);
	CHECK(memcmp(&si, &si2, sizeof(si)) == 0, "siginfo changed");
	CHECK_EQ(ptrace(PTRACE_DETACH, t.pid, 0, SIGUSR1), 0);
	expect_ok(&t, 3000);
	target_kill(&t);
}

/* Runs argv (no shell: the qemu guests have none) and returns its
 * stdout, bounded; the exit status must be 0. */
static void run_cli(char *const argv[], char *out, size_t len)
{
	int pfd[2], status;
	size_t got = 0;
	pid_t pid;

	CHECK(pipe(pfd) == 0);
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		dup2(pfd[1], 1);
		close(pfd[0]);
		execv(argv[0], argv);
		_exit(127);
	}
	close(pfd[1]);
	for (ssize_t n; got < len - 1 &&
	     (n = read(pfd[0], out + got, len - 1 - got)) > 0;)
		got += (size_t)n;
	out[got] = '\0';
	for (char sink[512]; read(pfd[0], sink, sizeof(sink)) > 0;)
		;	/* the rest, so that it never gets SIGPIPE */
	close(pfd[0]);
	CHECK_EQ(waitpid(pid, &status, 0), pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	      "%s exited with %#x: %s", argv[0], status, out);
}

/* scremote(1) follows the target's ABI: i386 names and numbers. */
TEST(i386_cli_follows_the_target_abi)
{
	char self[1024] = { 0 }, cli[1100], pid[16], out[4096], want[64];
	struct target t;

	start32(&t, "read");
	expect_ready(&t);
	CHECK(readlink("/proc/self/exe", self, sizeof(self) - 1) > 0);
	/* build/tests/arch/x86_64/i386/t_i386 -> build/scremote */
	snprintf(cli, sizeof(cli), "%s/../../../../scremote", dirname(self));
	if (access(cli, X_OK))
		snprintf(cli, sizeof(cli), "/bin/scremote");
	if (access(cli, X_OK))
		SKIP("no scremote binary beside the tests");
	snprintf(pid, sizeof(pid), "%d", (int)t.pid);

	run_cli((char *[]){ cli, "--list", pid, NULL }, out, sizeof(out));
	CHECK(!strncmp(out, "# i386:", 7), "%.60s", out);
	run_cli((char *[]){ cli, pid, "getpid", NULL }, out, sizeof(out));
	snprintf(want, sizeof(want), "getpid() = %d\n", (int)t.pid);
	CHECK(!strcmp(out, want), "%s", out);
	run_cli((char *[]){ cli, pid, "-e", "getppid()", "-e",
			    "write(5, \"abc\", 3)", NULL }, out, sizeof(out));
	snprintf(want, sizeof(want), "getppid() = %d\n", (int)getpid());
	CHECK(strstr(out, want), "%s", out);
	expect_out(&t, "abc", 3);
	CHECK(write(t.in, "hello", 5) == 5);
	expect_ok(&t, 3000);
	target_kill(&t);
}
