/*
 * Targets with seccomp policies: an injected call passes through them,
 * so a call the policy would answer with KILL, TRAP or USER_NOTIF must be
 * refused before it runs, and one it answers with an errno reports it.
 */
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "scremote.h"
#include "targets.h"

#define ERRNO_MARK 77	/* EBADFD: an errno nothing else would give */
#define KILL_ARG 12345

static volatile sig_atomic_t sigsys_seen;

static void on_sigsys(int sig)
{
	(void)sig;
	sigsys_seen++;
}

#define LOAD(field) \
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, field))
#define ON_NR(nr, action) \
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (nr), 0, 1), BPF_STMT(BPF_RET | BPF_K, (action))

/* getppid kills, getuid fails with ERRNO_MARK, gettid traps, getpgid
 * kills the thread only for the argument KILL_ARG. */
static void filtered(struct target *t, void *arg)
{
	struct sock_filter f[] = {
		LOAD(nr),
		ON_NR(SYS_getppid, SECCOMP_RET_KILL_PROCESS),
		ON_NR(SYS_getuid, SECCOMP_RET_ERRNO | ERRNO_MARK),
		ON_NR(SYS_gettid, SECCOMP_RET_TRAP),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_getpgid, 0, 3),
		LOAD(args[0]),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, KILL_ARG, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_THREAD),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { sizeof(f) / sizeof(f[0]), f };
	char c;

	(void)arg;
	signal(SIGSYS, on_sigsys);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ||
	    syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog)) {
		say(t, "BAD seccomp: %s", strerror(errno));
		return;
	}
	say(t, "READY");
	if (read(t->tgt_in, &c, 1) != 1)
		_exit(1);
	say(t, sigsys_seen ? "BAD got SIGSYS" : "OK");
}

static void refused(struct scr_proc *p, long nr, unsigned long arg0, int err)
{
	struct ptrace_sc_ret ret;
	unsigned long args[1] = { arg0 };

	CHECK_EQ(scr_syscall(p, 0, nr, args, 1, &ret), err);
}

TEST(seccomp_kill_trap_refused_errno_reported)
{
	struct ptrace_sc_ret ret;
	struct scr_proc *p;
	struct target t;

	target_start(&t, filtered, NULL);
	expect_ready(&t);
	CHECK_OK(scr_attach(t.pid, 0, &p));
	refused(p, SYS_getppid, 0, -EPERM);
	refused(p, SYS_gettid, 0, -EPERM);
	refused(p, SYS_getpgid, KILL_ARG, -EPERM);
	CHECK_EQ(rcall(p, 0, SYS_getpgid, 1, 0UL), getpgid(t.pid));
	CHECK_OK(scr_syscall(p, 0, SYS_getuid, NULL, 0, &ret));
	CHECK_EQ(ret.sr_error, ERRNO_MARK);
	CHECK_EQ(rcall(p, 0, SYS_getpid, 0), t.pid);
	CHECK_OK(scr_detach(p));
	/* Alive, and no SIGSYS ever reached it. */
	CHECK(write(t.in, "x", 1) == 1);
	expect_ok(&t, 2000);
	target_kill(&t);
}

TEST(seccomp_kill_refused_through_sc_remote)
{
	struct ptrace_sc_remote pscr = { .pscr_syscall = SYS_getppid };
	struct target t;
	int status;

	target_start(&t, filtered, NULL);
	expect_ready(&t);
	CHECK_EQ(ptrace(PTRACE_SEIZE, t.pid, 0, 0), 0);
	CHECK_EQ(ptrace(PTRACE_INTERRUPT, t.pid, 0, 0), 0);
	CHECK_EQ(waitpid(t.pid, &status, __WALL), t.pid);
	CHECK_EQ(scr_sc_remote(t.pid, &pscr), -1);
	CHECK_EQ(errno, EPERM);
	pscr.pscr_syscall = SYS_getpid;
	CHECK_EQ(scr_sc_remote(t.pid, &pscr), 0);
	CHECK_EQ(pscr.pscr_ret.sr_retval[0], t.pid);
	CHECK_EQ(ptrace(PTRACE_DETACH, t.pid, 0, 0), 0);
	CHECK(write(t.in, "x", 1) == 1);
	expect_ok(&t, 2000);
	target_kill(&t);
}

/* Gives up CAP_SYS_ADMIN (but not CAP_SYS_PTRACE): filters unreadable. */
static void drop_sys_admin(void)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];

	CHECK_EQ(syscall(SYS_capget, &h, d), 0);
	if (!(d[CAP_SYS_ADMIN / 32].effective & (1u << (CAP_SYS_ADMIN % 32))))
		return;
	d[CAP_SYS_ADMIN / 32].effective &= ~(1u << (CAP_SYS_ADMIN % 32));
	CHECK_EQ(syscall(SYS_capset, &h, d), 0);
}

TEST(unreadable_filters_refused_unless_waived)
{
	struct ptrace_sc_ret ret;
	struct scr_proc *p;
	struct target t;

	target_start(&t, filtered, NULL);
	expect_ready(&t);
	drop_sys_admin();
	CHECK_OK(scr_attach(t.pid, 0, &p));
	CHECK_EQ(scr_syscall(p, 0, SYS_getpid, NULL, 0, &ret), -EACCES);
	CHECK_OK(scr_detach(p));
	CHECK_OK(scr_attach(t.pid, SCR_ATTACH_SECCOMP_UNCHECKED, &p));
	CHECK_EQ(rcall(p, 0, SYS_getpid, 0), t.pid);
	CHECK_OK(scr_detach(p));
	target_kill(&t);
}

/* The waiver is for filters nobody can read; readable ones still
 * protect the target. */
TEST(waiver_does_not_bypass_readable_filters)
{
	struct scr_proc *p;
	struct target t;

	target_start(&t, filtered, NULL);
	expect_ready(&t);
	CHECK_OK(scr_attach(t.pid, SCR_ATTACH_SECCOMP_UNCHECKED, &p));
	refused(p, SYS_getppid, 0, -EPERM);
	CHECK_EQ(rcall(p, 0, SYS_getpid, 0), t.pid);
	CHECK_OK(scr_detach(p));
	CHECK(write(t.in, "x", 1) == 1);
	expect_ok(&t, 2000);
	target_kill(&t);
}

static void strict(struct target *t, void *arg)
{
	char c;

	(void)arg;
	say(t, "READY");
	if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_STRICT, 0, 0, 0))
		say(t, "BAD strict: %s", strerror(errno));
	/* From here on: read, write, exit and sigreturn only. */
	if (read(t->tgt_in, &c, 1) != 1)
		syscall(SYS_exit, 1);
	say(t, "OK");
	syscall(SYS_exit, 0);
}

TEST(seccomp_strict_mode_allows_only_its_four_calls)
{
	struct scr_proc *p;
	struct target t;
	unsigned long buf;

	target_start(&t, strict, NULL);
	expect_ready(&t);
	wait_in_syscall(t.pid, SYS_read, 2000);
	CHECK_OK(scr_attach(t.pid, 0, &p));
	refused(p, SYS_getpid, 0, -EPERM);
	/* No scratch memory either: mmap is not allowed.  But write is. */
	CHECK_EQ(scr_scratch_alloc(p, 16, &buf), -EPERM);
	CHECK_EQ(rcall(p, 0, SYS_write, 3, (unsigned long)t.tgt_out, 0UL, 0UL), 0);
	CHECK_OK(scr_detach(p));
	CHECK(write(t.in, "x", 1) == 1);
	expect_ok(&t, 2000);
	target_kill(&t);
}
