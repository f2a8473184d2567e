/*
 * The corners where a target could notice an injected call: rseq
 * critical sections, syscall user dispatch, synchronous fault signals,
 * job-control traps, someone else's SIGTRAP, a zombie main thread, long
 * /proc texts, kernel-side threads, and signals queued again with their
 * own siginfo.  In each test the target judges for itself.
 */
#include <fcntl.h>
#include <grp.h>
#include <linux/filter.h>
#include <linux/io_uring.h>
#include <linux/seccomp.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <linux/capability.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "arch.h"
#include "harness.h"
#include "scremote.h"
#include "targets.h"

/* ---- helpers ------------------------------------------------------------ */

/* Shared with the target (forked after it is made). */
static void *shared(size_t len)
{
	void *m = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	CHECK(m != MAP_FAILED);
	memset(m, 0, len);
	return m;
}

static unsigned long pc_of(pid_t tid)
{
	struct arch_regs r;

	CHECK_OK(arch_get_regs(tid, &r));
	return arch_pc(&r);
}

/* waitpid with a bound: the pid, 0 when nothing came, -1 on error. */
static pid_t wait_for(pid_t pid, int *status, int timeout_ms)
{
	double end = now_s() + timeout_ms / 1000.0;

	for (;;) {
		pid_t r = waitpid(pid, status, __WALL | WNOHANG);

		if (r != 0 || now_s() >= end)
			return r;
		msleep(1);
	}
}

static void seize_stopped(pid_t pid, int *status)
{
	CHECK_EQ(ptrace(PTRACE_SEIZE, pid, 0, 0), 0);
	CHECK_EQ(ptrace(PTRACE_INTERRUPT, pid, 0, 0), 0);
	CHECK_EQ(wait_for(pid, status, 5000), pid);
	CHECK(WIFSTOPPED(*status), "status %x", *status);
}

static long sc_remote(pid_t tid, long nr, int nargs, unsigned long *args,
		      int *err)
{
	struct ptrace_sc_remote pscr = { .pscr_syscall = (unsigned int)nr,
					 .pscr_nargs = (unsigned int)nargs,
					 .pscr_args = args };
	int r = scr_sc_remote_timed(tid, &pscr, 5000);

	CHECK(r == 0, "scr_sc_remote(%ld) = %d, errno %s", nr, r,
	      strerror(errno));
	*err = pscr.pscr_ret.sr_error;
	return pscr.pscr_ret.sr_retval[0];
}

/* ---- 1. rseq -------------------------------------------------------------- */

struct rseq_abi {
	uint32_t cpu_id_start, cpu_id;
	uint64_t rseq_cs;
	uint32_t flags;
} __attribute__((aligned(32)));

extern int rseq_spin_once(volatile uint64_t *rseq_cs, volatile int *release);
extern char rseq_cs_start[], rseq_cs_post[];
extern const ptrdiff_t __rseq_offset __attribute__((weak));
extern const unsigned int __rseq_size __attribute__((weak));

#ifndef RSEQ_SIG_THIS_ARCH
#if defined(__x86_64__)
#define RSEQ_SIG_THIS_ARCH 0x53053053
#elif defined(__aarch64__)
#define RSEQ_SIG_THIS_ARCH 0xd428bc00
#elif defined(__riscv)
#define RSEQ_SIG_THIS_ARCH 0xf1401073
#endif
#endif

static __thread struct rseq_abi own_rseq;

/* The thread's rseq area: glibc's, or one registered here. */
static volatile uint64_t *rseq_cs_word(void)
{
	if (&__rseq_size && __rseq_size > 0 && &__rseq_offset) {
		uintptr_t area = (uintptr_t)__builtin_thread_pointer() +
				 (uintptr_t)__rseq_offset;

		return &((struct rseq_abi *)area)->rseq_cs;
	}
	if (syscall(SYS_rseq, &own_rseq, sizeof(own_rseq), 0,
		    RSEQ_SIG_THIS_ARCH) != 0)
		return NULL;
	return &own_rseq.rseq_cs;
}

struct rseq_shared {
	volatile int release;
};

static void rseq_target(struct target *t, void *arg)
{
	struct rseq_shared *sh = arg;
	volatile uint64_t *cs = rseq_cs_word();
	int aborted_after_release = 0;

	if (!cs) {
		say(t, "SKIP no rseq: %s", strerror(errno));
		return;
	}
	say(t, "READY");
	for (;;) {
		if (rseq_spin_once(cs, &sh->release) == 1)
			break;
		if (sh->release)
			aborted_after_release = 1;
	}
	if (aborted_after_release)
		say(t, "OK");
	else
		say(t, "BAD the critical section committed without an abort "
		       "after the stop");
}

static void start_rseq_target(struct target *t, struct rseq_shared **sh)
{
	char buf[256];

	*sh = shared(4096);
	target_start(t, rseq_target, *sh);
	expect_line(t, buf, sizeof(buf), 5000);
	if (strncmp(buf, "SKIP", 4) == 0) {
		target_kill(t);
		SKIP("%s", buf + 5);
	}
	CHECK(strcmp(buf, "READY") == 0, "target said %s", buf);
}

static bool in_section(unsigned long pc)
{
	return pc >= (unsigned long)rseq_cs_start &&
	       pc < (unsigned long)rseq_cs_post;
}

/* Attaches once the thread is stopped inside its critical section. */
static struct scr_proc *attach_in_section(struct target *t)
{
	for (int i = 0; i < 500; i++) {
		struct scr_proc *p;

		CHECK_OK(scr_attach(t->pid, 0, &p));
		if (in_section(pc_of(t->pid)))
			return p;
		CHECK_OK(scr_detach(p));
		msleep(2);
	}
	CHECK(0, "never found the target inside its critical section");
	return NULL;
}

TEST(rseq_section_aborted_after_a_plain_stop)
{
	struct rseq_shared *sh;
	struct scr_proc *p;
	struct target t;

	/* The premise: any stop aborts the section on resume. */
	start_rseq_target(&t, &sh);
	p = attach_in_section(&t);
	sh->release = 1;
	CHECK_OK(scr_detach(p));
	expect_ok(&t, 5000);
	target_kill(&t);
}

TEST(rseq_section_aborted_after_calls)
{
	struct rseq_shared *sh;
	struct scr_proc *p;
	struct target t;

	start_rseq_target(&t, &sh);
	p = attach_in_section(&t);
	CHECK_EQ(rcall(p, 0, SYS_getpid, 0), t.pid);
	CHECK_EQ(rcall(p, 0, SYS_gettid, 0), t.pid);
	CHECK(in_section(pc_of(t.pid)));
	sh->release = 1;
	CHECK_OK(scr_detach(p));
	expect_ok(&t, 5000);
	target_kill(&t);
}

TEST(rseq_section_aborted_after_sc_remote)
{
	struct rseq_shared *sh;
	struct target t;
	int status, err, i;

	start_rseq_target(&t, &sh);
	for (i = 0; i < 500; i++) {
		seize_stopped(t.pid, &status);
		if (in_section(pc_of(t.pid)))
			break;
		CHECK_EQ(ptrace(PTRACE_DETACH, t.pid, 0, 0), 0);
		msleep(2);
	}
	CHECK(i < 500, "never stopped inside the section");
	CHECK_EQ(sc_remote(t.pid, SYS_getpid, 0, NULL, &err), t.pid);
	sh->release = 1;
	CHECK_EQ(ptrace(PTRACE_DETACH, t.pid, 0, 0), 0);
	expect_ok(&t, 5000);
	target_kill(&t);
}

/* ---- 2. syscall user dispatch -------------------------------------------- */

#ifndef PR_SET_SYSCALL_USER_DISPATCH
#define PR_SET_SYSCALL_USER_DISPATCH 59
#define PR_SYS_DISPATCH_OFF 0
#define PR_SYS_DISPATCH_ON 1
#define SYSCALL_DISPATCH_FILTER_ALLOW 0
#define SYSCALL_DISPATCH_FILTER_BLOCK 1
#endif
#ifndef SYS_USER_DISPATCH
#define SYS_USER_DISPATCH 2
#endif

struct sud_shared {
	volatile int go;		/* the tester is done */
	volatile char selector;
};

static volatile sig_atomic_t sigsys_count;
static volatile char *sud_selector;

static void on_sigsys(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	if (si->si_code == SYS_USER_DISPATCH)
		sigsys_count++;
	/* Let the thread go on (and its sigreturn through): allow. */
	*sud_selector = SYSCALL_DISPATCH_FILTER_ALLOW;
}

static void sud_target(struct target *t, void *arg)
{
	struct sud_shared *sh = arg;
	struct sigaction sa = { .sa_sigaction = on_sigsys,
				.sa_flags = SA_SIGINFO };

	sigaction(SIGSYS, &sa, NULL);
	sud_selector = &sh->selector;
	sh->selector = SYSCALL_DISPATCH_FILTER_ALLOW;
	if (prctl(PR_SET_SYSCALL_USER_DISPATCH, PR_SYS_DISPATCH_ON, 0, 0,
		  &sh->selector)) {
		say(t, "SKIP no syscall user dispatch: %s", strerror(errno));
		return;
	}
	say(t, "READY");
	/* Block every system call of ours, and spin without making one. */
	sh->selector = SYSCALL_DISPATCH_FILTER_BLOCK;
	while (!sh->go)
		;
	sh->selector = SYSCALL_DISPATCH_FILTER_ALLOW;
	if (sigsys_count) {
		say(t, "BAD %d SIGSYS while the tester worked",
		    (int)sigsys_count);
		return;
	}
	/* Dispatch must still be armed: a blocked call is dispatched. */
	sh->selector = SYSCALL_DISPATCH_FILTER_BLOCK;
	syscall(SYS_getppid);
	sh->selector = SYSCALL_DISPATCH_FILTER_ALLOW;
	if (sigsys_count != 1)
		say(t, "BAD dispatch no longer armed (%d SIGSYS)",
		    (int)sigsys_count);
	else
		say(t, "OK");
}

static void start_sud_target(struct target *t, struct sud_shared **sh)
{
	char buf[256];

	*sh = shared(4096);
	target_start(t, sud_target, *sh);
	expect_line(t, buf, sizeof(buf), 5000);
	if (strncmp(buf, "SKIP", 4) == 0) {
		target_kill(t);
		SKIP("%s", buf + 5);
	}
	CHECK(strcmp(buf, "READY") == 0, "target said %s", buf);
	msleep(20);
}

TEST(syscall_user_dispatch_blocking_our_call)
{
	struct sud_shared *sh;
	struct ptrace_sc_ret ret;
	struct scr_proc *p;
	struct target t;
	int e;

	start_sud_target(&t, &sh);
	CHECK_OK(scr_attach(t.pid, 0, &p));
	e = scr_syscall(p, 0, SYS_getpid, NULL, 0, &ret);
	/* Run correctly where the kernel lets us lift dispatch (6.4),
	 * else refused; the target unharmed either way. */
	CHECK(e == 0 || e == -EREMOTEIO, "scr_syscall = %d (%s)", e,
	      strerror(-e));
	if (e == 0) {
		CHECK_EQ(ret.sr_error, 0);
		CHECK_EQ(ret.sr_retval[0], t.pid);
		exercise(p, &t, 0);
	}
	CHECK_OK(scr_detach(p));
	sh->go = 1;
	expect_ok(&t, 5000);
	target_kill(&t);
}

TEST(syscall_user_dispatch_sc_remote)
{
	struct sud_shared *sh;
	struct target t;
	int status, err;
	struct ptrace_sc_remote pscr = { .pscr_syscall = SYS_getpid };

	start_sud_target(&t, &sh);
	seize_stopped(t.pid, &status);
	if (scr_sc_remote_timed(t.pid, &pscr, 5000) == 0) {
		CHECK_EQ(pscr.pscr_ret.sr_error, 0);
		CHECK_EQ(pscr.pscr_ret.sr_retval[0], t.pid);
	} else {
		CHECK_EQ(errno, EREMOTEIO);
	}
	CHECK_EQ(sc_remote(t.pid, SYS_gettid, 0, NULL, &err) >= 0 || err, 1);
	CHECK_EQ(ptrace(PTRACE_DETACH, t.pid, 0, 0), 0);
	sh->go = 1;
	expect_ok(&t, 5000);
	target_kill(&t);
}

/* ---- 3. synchronous fault signals ---------------------------------------- */

static volatile sig_atomic_t handled;

static void count_handler(int sig)
{
	(void)sig;
	handled++;
}

/*
 * The target blocks sig and has a handler for it.  A call that raises
 * sig must leave both as they were (a forced blocked signal resets its
 * handler to SIG_DFL), and never deliver it.
 */
static void fault_target(struct target *t, void *arg)
{
	int sig = (int)(long)arg;
	struct sigaction sa = { .sa_handler = count_handler }, now;
	sigset_t set;
	char c;

	sigaction(sig, &sa, NULL);
	sigemptyset(&set);
	sigaddset(&set, sig);
	sigprocmask(SIG_BLOCK, &set, NULL);
	say(t, "READY");
	if (read(t->tgt_in, &c, 1) != 1) {
		say(t, "BAD read: %s", strerror(errno));
		return;
	}
	sigaction(sig, NULL, &now);
	sigprocmask(SIG_BLOCK, NULL, &set);
	if (now.sa_handler != count_handler)
		say(t, "BAD the handler of signal %d was reset", sig);
	else if (!sigismember(&set, sig))
		say(t, "BAD signal %d was unblocked", sig);
	else if (handled)
		say(t, "BAD signal %d was delivered", sig);
	else
		say(t, "OK");
}

/* A filter that answers getppid with SECCOMP_RET_TRAP (a SIGSYS). */
static int trap_getppid_filter(void)
{
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_getppid, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRAP),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { sizeof(f) / sizeof(f[0]), f };

	prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog);
}

static void sigsys_target(struct target *t, void *arg)
{
	(void)arg;
	if (trap_getppid_filter()) {
		say(t, "SKIP no seccomp filters: %s", strerror(errno));
		return;
	}
	fault_target(t, (void *)(long)SIGSYS);
}

/* Reads READY, or skips the test when the target says SKIP. */
static void expect_ready_or_skip(struct target *t)
{
	char buf[256];

	expect_line(t, buf, sizeof(buf), 5000);
	if (strncmp(buf, "SKIP", 4) == 0) {
		target_kill(t);
		SKIP("%s", buf + 5);
	}
	CHECK(strcmp(buf, "READY") == 0, "target said %s", buf);
}

/* Without CAP_SYS_ADMIN the filters cannot be read, and a session that
 * waives the check lets the call run into SECCOMP_RET_TRAP. */
static void drop_sys_admin(void)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];

	CHECK_EQ(syscall(SYS_capget, &h, d), 0);
	d[CAP_SYS_ADMIN / 32].effective &= ~(1u << (CAP_SYS_ADMIN % 32));
	CHECK_EQ(syscall(SYS_capset, &h, d), 0);
}

TEST(call_raising_sigsys_is_not_executed_and_handler_kept)
{
	struct ptrace_sc_ret ret;
	struct scr_proc *p;
	struct target t;
	int e;

	target_start(&t, sigsys_target, NULL);
	expect_ready_or_skip(&t);
	wait_in_syscall(t.pid, SYS_read, 2000);
	drop_sys_admin();
	CHECK_OK(scr_attach(t.pid, SCR_ATTACH_SECCOMP_UNCHECKED, &p));
	e = scr_syscall(p, 0, SYS_getppid, NULL, 0, &ret);
	CHECK_EQ(e, -EREMOTEIO);
	CHECK_EQ(rcall(p, 0, SYS_getpid, 0), t.pid);	/* goes on */
	CHECK_OK(scr_detach(p));
	msleep(50);
	CHECK(write(t.in, "x", 1) == 1);
	expect_ok(&t, 5000);
	target_kill(&t);
}

/*
 * x86_64's uretprobe system call (Linux 6.11) raises SIGILL when it is
 * not made from the uretprobe trampoline: a call that faults, through
 * the FreeBSD entry point.
 */
static __attribute__((unused)) void sigill_target(struct target *t,
						   void *arg)
{
	(void)arg;
	fault_target(t, (void *)(long)SIGILL);
}

TEST(call_raising_sigill_through_sc_remote)
{
#ifdef __x86_64__
	const long nr_uretprobe = 335;
	unsigned long none = 0;
	struct target t;
	int status, err;
	struct ptrace_sc_remote pscr = { .pscr_syscall = nr_uretprobe };
	long r;

	target_start(&t, sigill_target, NULL);
	expect_ready(&t);
	wait_in_syscall(t.pid, SYS_read, 2000);
	seize_stopped(t.pid, &status);
	r = scr_sc_remote_timed(t.pid, &pscr, 5000);
	if (r == 0 && pscr.pscr_ret.sr_error == ENOSYS) {
		ptrace(PTRACE_DETACH, t.pid, 0, 0);
		target_kill(&t);
		SKIP("no uretprobe system call (Linux < 6.11)");
	}
	CHECK(r == -1 && errno == EREMOTEIO, "scr_sc_remote = %ld (%s), "
	      "sr_error %d", r, strerror(errno), pscr.pscr_ret.sr_error);
	CHECK_EQ(sc_remote(t.pid, SYS_getpid, 0, &none, &err), t.pid);
	CHECK_EQ(wait_for(t.pid, &status, 0), 0);	/* no status left */
	CHECK_EQ(ptrace(PTRACE_DETACH, t.pid, 0, 0), 0);
	msleep(50);
	CHECK(write(t.in, "x", 1) == 1);
	expect_ok(&t, 5000);
	target_kill(&t);
#else
	SKIP("uretprobe is x86_64's");
#endif
}

/* ---- 4. job-control traps --------------------------------------------- */

TEST(sc_remote_keeps_a_pending_interrupt)
{
	struct target t;
	int status, err;

	target_start(&t, target_idle, NULL);
	expect_ready(&t);
	seize_stopped(t.pid, &status);
	CHECK_EQ(status >> 16, PTRACE_EVENT_STOP);
	/* The caller asks for another trap, then makes a call. */
	CHECK_EQ(ptrace(PTRACE_INTERRUPT, t.pid, 0, 0), 0);
	CHECK_EQ(sc_remote(t.pid, SYS_getpid, 0, NULL, &err), t.pid);
	CHECK_EQ(wait_for(t.pid, &status, 0), 0);
	CHECK_EQ(ptrace(PTRACE_CONT, t.pid, 0, 0), 0);
	CHECK_EQ(wait_for(t.pid, &status, 3000), t.pid);
	CHECK(WIFSTOPPED(status) && (status >> 16) == PTRACE_EVENT_STOP,
	      "the interrupt the caller asked for did not come: status %x",
	      status);
	CHECK_EQ(ptrace(PTRACE_DETACH, t.pid, 0, 0), 0);
	target_kill(&t);
}

/* Group-stops t (seized), and returns once it reports the stop. */
static void group_stop(struct target *t, int *status)
{
	CHECK_EQ(ptrace(PTRACE_SEIZE, t->pid, 0, 0), 0);
	kill(t->pid, SIGSTOP);
	CHECK_EQ(wait_for(t->pid, status, 5000), t->pid);	/* delivery */
	CHECK_EQ(WSTOPSIG(*status), SIGSTOP);
	CHECK_EQ(*status >> 16, 0);
	CHECK_EQ(ptrace(PTRACE_CONT, t->pid, 0, SIGSTOP), 0);
	CHECK_EQ(wait_for(t->pid, status, 5000), t->pid);	/* group stop */
	CHECK_EQ(*status >> 16, PTRACE_EVENT_STOP);
	CHECK_EQ(WSTOPSIG(*status), SIGSTOP);
}

static void check_same_siginfo(pid_t pid, const siginfo_t *before)
{
	siginfo_t after;

	CHECK_EQ(ptrace(PTRACE_GETSIGINFO, pid, 0, &after), 0);
	CHECK_EQ(after.si_signo, before->si_signo);
	CHECK_EQ(after.si_code, before->si_code);
	CHECK_EQ(after.si_pid, before->si_pid);
}

/* What the recorder target's handlers saw, per signal. */
struct seen {
	volatile int count[65];
	volatile int pid[65];
	volatile int code[65];
	volatile long sum[65];
};

static struct seen *seen;
static void recorder(struct target *t, void *arg);

TEST(listen_after_sc_remote_retraps_on_sigcont)
{
	struct target t;
	siginfo_t si;
	int status, err;

	seen = shared(sizeof(*seen));
	target_start(&t, recorder, NULL);
	expect_ready(&t);
	wait_in_syscall(t.pid, SYS_read, 2000);
	group_stop(&t, &status);
	CHECK_EQ(ptrace(PTRACE_GETSIGINFO, t.pid, 0, &si), 0);
	CHECK_EQ(sc_remote(t.pid, SYS_getpid, 0, NULL, &err), t.pid);
	check_same_siginfo(t.pid, &si);
	CHECK_EQ(ptrace(PTRACE_LISTEN, t.pid, 0, 0), 0);
	msleep(50);
	CHECK_EQ(wait_for(t.pid, &status, 0), 0);	/* still listening */
	kill(t.pid, SIGCONT);
	CHECK_EQ(wait_for(t.pid, &status, 3000), t.pid);
	CHECK(WIFSTOPPED(status) && (status >> 16) == PTRACE_EVENT_STOP,
	      "after SIGCONT: status %x, not a re-trap", status);
	CHECK_EQ(ptrace(PTRACE_DETACH, t.pid, 0, 0), 0);
	/* It runs on, as it would have, and saw no SIGTRAP. */
	CHECK(write(t.in, "x", 1) == 1);
	expect_ok(&t, 2000);
	CHECK_EQ(seen->count[SIGTRAP], 0);
	target_kill(&t);
}

/*
 * Resuming a job-control stop with its WSTOPSIG as data: the kernel
 * ignores the data there.  What the thread does next must be the same
 * with and without a call in between: no death, no extra stop.
 */
static int resume_with_wstopsig(bool with_call, bool group)
{
	struct target t;
	int status, err, next;

	target_start(&t, target_idle, NULL);
	expect_ready(&t);
	if (group)
		group_stop(&t, &status);
	else
		seize_stopped(t.pid, &status);
	if (with_call)
		CHECK_EQ(sc_remote(t.pid, SYS_getpid, 0, NULL, &err), t.pid);
	CHECK_EQ(ptrace(PTRACE_CONT, t.pid, 0, WSTOPSIG(status)), 0);
	next = wait_for(t.pid, &status, 300) == t.pid ? status : 0;
	if (next && WIFSTOPPED(next))
		ptrace(PTRACE_DETACH, t.pid, 0, 0);
	else
		ptrace(PTRACE_DETACH, t.pid, 0, 0);
	target_kill(&t);
	return next;
}

TEST(resume_with_wstopsig_as_before_at_interrupt_stop)
{
	int control = resume_with_wstopsig(false, false);
	int treated = resume_with_wstopsig(true, false);

	CHECK(treated == control, "after a call the next wait status is %x, "
	      "without one %x", treated, control);
}

TEST(resume_with_wstopsig_as_before_at_group_stop)
{
	int control = resume_with_wstopsig(false, true);
	int treated = resume_with_wstopsig(true, true);

	CHECK(treated == control, "after a call the next wait status is %x, "
	      "without one %x", treated, control);
}

TEST(event_stop_siginfo_same_after_sc_remote)
{
	struct target t;
	siginfo_t si;
	int status, err;

	target_start(&t, target_idle, NULL);
	expect_ready(&t);
	seize_stopped(t.pid, &status);
	CHECK_EQ(ptrace(PTRACE_GETSIGINFO, t.pid, 0, &si), 0);
	CHECK_EQ(sc_remote(t.pid, SYS_getpid, 0, NULL, &err), t.pid);
	CHECK_EQ(sc_remote(t.pid, SYS_gettid, 0, NULL, &err), t.pid);
	check_same_siginfo(t.pid, &si);
	CHECK_EQ(wait_for(t.pid, &status, 0), 0);
	CHECK_EQ(ptrace(PTRACE_DETACH, t.pid, 0, 0), 0);
	target_kill(&t);
}

/* ---- 5. someone else's SIGTRAP, 9. signals queued again exactly ---------- */


static void record(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	seen->count[sig]++;
	seen->pid[sig] = si->si_pid;
	seen->code[sig] = si->si_code;
	seen->sum[sig] += si->si_value.sival_int;
}

static void recorder(struct target *t, void *arg)
{
	struct sigaction sa = { .sa_sigaction = record,
				.sa_flags = SA_SIGINFO | SA_RESTART };
	char c;

	(void)arg;
	for (int s = 1; s < 65; s++)
		if (s != SIGKILL && s != SIGSTOP && s != SIGCHLD)
			sigaction(s, &sa, NULL);
	say(t, "READY");
	while (read(t->tgt_in, &c, 1) != 1)
		;
	say(t, "OK");
}

/* A process that sends sig to pid after ms, and exits. */
static pid_t send_later(pid_t pid, int sig, int ms, int how)
{
	pid_t s = fork();

	CHECK(s >= 0);
	if (s == 0) {
		msleep(ms);
		if (how == SI_QUEUE)
			sigqueue(pid, sig, (union sigval){ .sival_int = 7 });
		else if (how == SI_TKILL)
			syscall(SYS_tgkill, pid, pid, sig);
		else
			kill(pid, sig);
		_exit(0);
	}
	return s;
}

static void sleep_remotely(struct scr_proc *p, long ms)
{
	struct timespec ts = { 0, ms * 1000000L };
	unsigned long addr;

	CHECK_OK(scr_push(p, &ts, sizeof(ts), &addr));
	CHECK_EQ(rcall(p, 0, SYS_nanosleep, 2, addr, 0UL), 0);
}

TEST(someone_elses_sigtrap_during_a_call_is_delivered_after)
{
	struct scr_proc *p;
	struct target t;
	pid_t sender;

	seen = shared(sizeof(*seen));
	target_start(&t, recorder, NULL);
	expect_ready(&t);
	wait_in_syscall(t.pid, SYS_read, 2000);
	CHECK_OK(scr_attach(t.pid, 0, &p));
	sender = send_later(t.pid, SIGTRAP, 100, SI_USER);
	sleep_remotely(p, 300);
	CHECK_EQ(waitpid(sender, NULL, 0), sender);
	exercise(p, &t, 0);
	CHECK_OK(scr_detach(p));
	msleep(100);
	CHECK_EQ(seen->count[SIGTRAP], 1);
	CHECK_EQ(seen->pid[SIGTRAP], sender);
	CHECK_EQ(seen->code[SIGTRAP], SI_USER);
	CHECK(write(t.in, "x", 1) == 1);
	expect_ok(&t, 2000);
	target_kill(&t);
}

TEST(fault_signals_sent_during_a_call_keep_their_siginfo)
{
	struct scr_proc *p;
	struct target t;
	pid_t s1, s2, s3;

	seen = shared(sizeof(*seen));
	target_start(&t, recorder, NULL);
	expect_ready(&t);
	wait_in_syscall(t.pid, SYS_read, 2000);
	CHECK_OK(scr_attach(t.pid, 0, &p));
	s1 = send_later(t.pid, SIGSEGV, 50, SI_QUEUE);
	s2 = send_later(t.pid, SIGBUS, 100, SI_USER);
	s3 = send_later(t.pid, SIGILL, 150, SI_TKILL);
	sleep_remotely(p, 300);
	CHECK_EQ(waitpid(s1, NULL, 0), s1);
	CHECK_EQ(waitpid(s2, NULL, 0), s2);
	CHECK_EQ(waitpid(s3, NULL, 0), s3);
	CHECK_OK(scr_detach(p));
	msleep(100);
	CHECK_EQ(seen->count[SIGSEGV], 1);
	CHECK_EQ(seen->pid[SIGSEGV], s1);
	CHECK_EQ(seen->code[SIGSEGV], SI_QUEUE);
	CHECK_EQ(seen->sum[SIGSEGV], 7);
	CHECK_EQ(seen->count[SIGBUS], 1);
	CHECK_EQ(seen->pid[SIGBUS], s2);
	CHECK_EQ(seen->code[SIGBUS], SI_USER);
	CHECK_EQ(seen->count[SIGILL], 1);
	CHECK_EQ(seen->pid[SIGILL], s3);
	CHECK_EQ(seen->code[SIGILL], SI_TKILL);
	CHECK(write(t.in, "x", 1) == 1);
	expect_ok(&t, 2000);
	target_kill(&t);
}

/* The recorder, with SIGTRAP ignored: no forced trap may reset it, also
 * while signals are queued again. */
static void recorder_ignoring_sigtrap(struct target *t, void *arg)
{
	struct sigaction sa = { .sa_sigaction = record,
				.sa_flags = SA_SIGINFO | SA_RESTART };
	char c;

	(void)arg;
	sigaction(SIGSEGV, &sa, NULL);
	signal(SIGTRAP, SIG_IGN);
	say(t, "READY");
	while (read(t->tgt_in, &c, 1) != 1)
		;
	say(t, signal(SIGTRAP, SIG_IGN) == SIG_IGN ? "OK" :
	       "BAD SIGTRAP no longer ignored");
}

TEST(signal_queued_again_while_sigtrap_is_ignored)
{
	struct scr_proc *p;
	struct target t;
	pid_t sender;

	seen = shared(sizeof(*seen));
	target_start(&t, recorder_ignoring_sigtrap, NULL);
	expect_ready(&t);
	wait_in_syscall(t.pid, SYS_read, 2000);
	CHECK_OK(scr_attach(t.pid, 0, &p));
	sender = send_later(t.pid, SIGSEGV, 100, SI_USER);
	sleep_remotely(p, 300);
	CHECK_EQ(waitpid(sender, NULL, 0), sender);
	CHECK_OK(scr_detach(p));
	msleep(100);
	CHECK_EQ(seen->count[SIGSEGV], 1);
	CHECK_EQ(seen->pid[SIGSEGV], sender);
	CHECK(write(t.in, "x", 1) == 1);
	expect_ok(&t, 2000);
	target_kill(&t);
}

/*
 * A call made under the thread's own mask (rt_sigprocmask) lets in the
 * signals that waited, blocked, between two calls of the session: they
 * stop us one by one and are queued again afterwards, every one, with
 * its sender, code and value.
 */
TEST(many_signals_met_by_an_own_mask_call_all_arrive_exactly)
{
	struct scr_proc *p;
	struct target t;
	unsigned long old;
	pid_t self = getpid();
	const int n = 100;

	seen = shared(sizeof(*seen));
	target_start(&t, recorder, NULL);
	expect_ready(&t);
	wait_in_syscall(t.pid, SYS_read, 2000);
	CHECK_OK(scr_attach(t.pid, 0, &p));
	CHECK_EQ(rcall(p, 0, SYS_getpid, 0), t.pid);	/* our mask is on */
	for (int i = 1; i <= n; i++)
		CHECK_EQ(sigqueue(t.pid, SIGRTMIN + 1,
				  (union sigval){ .sival_int = i }), 0);
	CHECK_EQ(kill(t.pid, SIGUSR1), 0);
	CHECK_OK(scr_scratch_alloc(p, 8, &old));
	CHECK_EQ(rcall(p, 0, SYS_rt_sigprocmask, 4, (unsigned long)SIG_BLOCK,
		       0UL, old, 8UL), 0);
	CHECK_OK(scr_detach(p));
	msleep(200);
	CHECK_EQ(seen->count[SIGRTMIN + 1], n);
	CHECK_EQ(seen->sum[SIGRTMIN + 1], n * (n + 1) / 2);
	CHECK_EQ(seen->pid[SIGRTMIN + 1], self);
	CHECK_EQ(seen->code[SIGRTMIN + 1], SI_QUEUE);
	CHECK_EQ(seen->count[SIGUSR1], 1);
	CHECK_EQ(seen->pid[SIGUSR1], self);
	CHECK_EQ(seen->code[SIGUSR1], SI_USER);
	CHECK(write(t.in, "x", 1) == 1);
	expect_ok(&t, 2000);
	target_kill(&t);
}

/*
 * A thread that faults in a loop (a load from address 16) and whose
 * handler jumps back: stopped, it often has its own SIGSEGV pending, with
 * the kernel's siginfo.  That one is the target's, not our call's: the
 * call runs, and the handler later sees the very siginfo it would have
 * (a JVM's safepoint polls and null checks work so).  300 attaches.
 */
static __thread sigjmp_buf fault_env;
static volatile pid_t fault_tid;
static volatile unsigned long good_faults, bad_faults;

static void on_own_fault(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	if (si->si_code == SEGV_MAPERR && si->si_addr == (void *)16)
		good_faults++;
	else
		bad_faults++;
	siglongjmp(fault_env, 1);
}

static volatile int *volatile fault_addr = (volatile int *)16;

static void *fault_loop(void *arg)
{
	(void)arg;
	fault_tid = (pid_t)syscall(SYS_gettid);
	for (;;) {
		sigsetjmp(fault_env, 1);
		*fault_addr = 1;
	}
	return NULL;
}

static void faulting_target(struct target *t, void *arg)
{
	struct sigaction sa = { .sa_sigaction = on_own_fault,
				.sa_flags = SA_SIGINFO | SA_NODEFER };
	pthread_t th;
	char c;

	(void)arg;
	sigaction(SIGSEGV, &sa, NULL);
	pthread_create(&th, NULL, fault_loop, NULL);
	while (!fault_tid)
		msleep(1);
	say(t, "READY %d", (int)fault_tid);
	if (read(t->tgt_in, &c, 1) != 1)
		say(t, "BAD read: %s", strerror(errno));
	else if (bad_faults)
		say(t, "BAD %lu SIGSEGV with another siginfo", bad_faults);
	else if (!good_faults)
		say(t, "BAD the thread stopped faulting");
	else
		say(t, "OK");
}

TEST_T(thread_stopped_with_its_own_fault_pending, 90)
{
	struct target t;
	char buf[64];
	pid_t tid;
	unsigned long old;

	target_start(&t, faulting_target, NULL);
	expect_line(&t, buf, sizeof(buf), 5000);
	CHECK(sscanf(buf, "READY %d", &tid) == 1, "target said %s", buf);
	for (int i = 0; i < 300; i++) {
		struct scr_proc *p;

		CHECK_OK(scr_attach(t.pid, 0, &p));
		if (i % 2) {
			CHECK_EQ(rcall(p, tid, SYS_getpid, 0), t.pid);
		} else {
			CHECK_OK(scr_scratch_alloc(p, 8, &old));
			CHECK_EQ(rcall(p, tid, SYS_rt_sigprocmask, 4,
				       (unsigned long)SIG_BLOCK, 0UL, old, 8UL),
				 0);
		}
		CHECK_OK(scr_detach(p));
	}
	CHECK(write(t.in, "x", 1) == 1);
	expect_ok(&t, 5000);
	target_kill(&t);
}

/*
 * A call that blocks SIGTRAP itself (rt_sigsuspend with a full mask)
 * cannot be broken by our trap: past its timeout a job-control trap
 * breaks it, the thread is restored, and the mask the call installed is
 * gone with it.
 */
static void mask_checker(struct target *t, void *arg)
{
	sigset_t m, now;
	char c;

	(void)arg;
	sigemptyset(&m);
	sigaddset(&m, SIGUSR2);
	sigprocmask(SIG_SETMASK, &m, NULL);
	say(t, "READY");
	if (read(t->tgt_in, &c, 1) != 1) {
		say(t, "BAD read: %s", strerror(errno));
		return;
	}
	sigprocmask(SIG_BLOCK, NULL, &now);
	if (!sigismember(&now, SIGUSR2) || sigismember(&now, SIGUSR1) ||
	    sigismember(&now, SIGTERM))
		say(t, "BAD the mask changed");
	else
		say(t, "OK");
}

TEST(call_blocking_our_trap_is_still_broken_off)
{
	uint64_t all = ~0ULL;
	struct ptrace_sc_ret ret;
	struct scr_proc *p;
	unsigned long addr;
	struct target t;
	double t0;

	target_start(&t, mask_checker, NULL);
	expect_ready(&t);
	wait_in_syscall(t.pid, SYS_read, 2000);
	CHECK_OK(scr_attach(t.pid, 0, &p));
	scr_set_timeout(p, 300);
	CHECK_OK(scr_push(p, &all, sizeof(all), &addr));
	unsigned long args[2] = { addr, 8 };

	t0 = now_s();
	CHECK_EQ(scr_syscall(p, 0, SYS_rt_sigsuspend, args, 2, &ret),
		 -ETIMEDOUT);
	CHECK(now_s() - t0 < 1.5, "took %.1f s", now_s() - t0);
	exercise(p, &t, 0);
	CHECK_OK(scr_detach(p));
	msleep(50);
	CHECK(write(t.in, "x", 1) == 1);
	expect_ok(&t, 2000);
	target_kill(&t);
}

/* ---- 6. a zombie main thread --------------------------------------------- */

static void *worker_reports(void *arg)
{
	struct target *t = arg;
	char c;

	say(t, "READY");
	if (read(t->tgt_in, &c, 1) != 1)
		say(t, "BAD read: %s", strerror(errno));
	else
		say(t, "OK");
	syscall(SYS_exit_group, 0);
	return NULL;
}

static void zombie_leader(struct target *t, void *arg)
{
	pthread_t th;

	(void)arg;
	pthread_create(&th, NULL, worker_reports, t);
	syscall(SYS_exit, 0);	/* the main thread only */
}

TEST(process_whose_main_thread_exited)
{
	struct scr_proc *p;
	struct target t;
	pid_t tids[4];

	target_start(&t, zombie_leader, NULL);
	expect_ready(&t);
	wait_state(t.pid, 'Z', 2000);
	CHECK_OK(scr_attach(t.pid, 0, &p));
	CHECK_EQ(scr_threads(p, tids, 4), 1);
	CHECK(tids[0] != t.pid);
	CHECK_EQ(rcall(p, 0, SYS_getpid, 0), t.pid);
	CHECK_EQ(rcall(p, 0, SYS_gettid, 0), tids[0]);
	CHECK_EQ(rcall(p, tids[0], SYS_getppid, 0), getpid());
	unsigned long addr;
	char back[8];

	CHECK_OK(scr_push(p, "zombie", 7, &addr));
	CHECK_EQ(scr_read(p, addr, back, 7), 7);
	CHECK(memcmp(back, "zombie", 7) == 0);
	CHECK_OK(scr_detach(p));
	CHECK(write(t.in, "x", 1) == 1);
	expect_ok(&t, 2000);
	target_kill(&t);
}

/* ---- 7. /proc texts of any length ----------------------------------------- */

static void many_groups(struct target *t, void *arg)
{
	static gid_t g[1000];
	char c;

	(void)arg;
	for (int i = 0; i < 1000; i++)
		g[i] = (gid_t)(100000 + i);
	if (setgroups(1000, g)) {
		say(t, "SKIP setgroups: %s", strerror(errno));
		return;
	}
	signal(SIGTRAP, SIG_IGN);	/* makes the engine read status */
	say(t, "READY");
	if (read(t->tgt_in, &c, 1) != 1)
		say(t, "BAD read: %s", strerror(errno));
	else if (signal(SIGTRAP, SIG_IGN) != SIG_IGN)
		say(t, "BAD SIGTRAP no longer ignored");
	else
		say(t, "OK");
}

TEST(target_in_a_thousand_groups)
{
	struct scr_proc *p;
	struct target t;
	char buf[256];
	int status, err;

	target_start(&t, many_groups, NULL);
	expect_line(&t, buf, sizeof(buf), 5000);
	if (strncmp(buf, "SKIP", 4) == 0) {
		target_kill(&t);
		SKIP("%s", buf + 5);
	}
	wait_in_syscall(t.pid, SYS_read, 2000);
	CHECK_OK(scr_attach(t.pid, 0, &p));
	exercise(p, &t, 0);
	CHECK_OK(scr_detach(p));
	seize_stopped(t.pid, &status);
	CHECK_EQ(sc_remote(t.pid, SYS_getpid, 0, NULL, &err), t.pid);
	CHECK_EQ(ptrace(PTRACE_DETACH, t.pid, 0, 0), 0);
	CHECK(write(t.in, "x", 1) == 1);
	expect_ok(&t, 2000);
	target_kill(&t);
}

/* ---- 8. kernel-side threads of the process -------------------------------- */

static void sqpoll_target(struct target *t, void *arg)
{
	struct io_uring_params prm = { .flags = IORING_SETUP_SQPOLL,
				       .sq_thread_idle = 100000 };
	int fd = (int)syscall(SYS_io_uring_setup, 4, &prm);
	char c;

	(void)arg;
	if (fd < 0) {
		say(t, "SKIP io_uring SQPOLL: %s", strerror(errno));
		return;
	}
	say(t, "READY");
	if (read(t->tgt_in, &c, 1) != 1)
		say(t, "BAD read: %s", strerror(errno));
	else
		say(t, "OK");
}

/* The thread of pid whose name starts with prefix, or 0. */
static pid_t thread_named(pid_t pid, const char *prefix)
{
	for (pid_t tid = pid; tid < pid + 64; tid++) {
		char path[64], name[32] = "";
		int fd;

		snprintf(path, sizeof(path), "/proc/%d/task/%d/comm", pid, tid);
		fd = open(path, O_RDONLY);
		if (fd < 0)
			continue;
		if (read(fd, name, sizeof(name) - 1) < 0)
			name[0] = '\0';
		close(fd);
		if (strncmp(name, prefix, strlen(prefix)) == 0)
			return tid;
	}
	return 0;
}

TEST(io_uring_sqpoll_thread_refused_at_once)
{
	struct ptrace_sc_ret ret;
	struct scr_proc *p;
	struct target t;
	char buf[256];
	pid_t sqp = 0;
	double t0;

	target_start(&t, sqpoll_target, NULL);
	expect_line(&t, buf, sizeof(buf), 5000);
	if (strncmp(buf, "SKIP", 4) == 0) {
		target_kill(&t);
		SKIP("%s", buf + 5);
	}
	for (int i = 0; i < 200 && !sqp; i++, msleep(5))
		sqp = thread_named(t.pid, "iou-sqp");
	CHECK(sqp, "no iou-sqp thread");
	t0 = now_s();
	CHECK_OK(scr_attach(t.pid, 0, &p));
	CHECK(now_s() - t0 < 3, "attach took %.1f s", now_s() - t0);
	t0 = now_s();
	CHECK_EQ(scr_syscall(p, sqp, SYS_getpid, NULL, 0, &ret), -EOPNOTSUPP);
	CHECK(now_s() - t0 < 1, "refusal took %.1f s", now_s() - t0);
	exercise(p, &t, 0);
	CHECK_OK(scr_detach(p));
	CHECK(write(t.in, "x", 1) == 1);
	expect_ok(&t, 2000);
	target_kill(&t);
}
