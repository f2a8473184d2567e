/*
 * The injection engine: run one system call in a stopped thread and put
 * the thread back exactly as it was.
 *
 * The thread is pointed at a system call instruction that already exists
 * in the target (its vDSO, or the instruction it just executed), with the
 * call's number and arguments in registers and every signal blocked but
 * SIGTRAP and the synchronous fault signals, then let go for exactly that
 * instruction:
 *
 *   M_STEP         PTRACE_SINGLESTEP: one stop, the SIGTRAP the kernel
 *                  raises after the call, inside get_signal().  Restoring
 *                  the registers there lets the kernel's own restart
 *                  logic run on resume, as if we had never been there.
 *   M_SYSCALL      PTRACE_SYSCALL: entry and exit stop of the call.  Used
 *                  from a syscall-exit-stop, so that the thread ends in
 *                  the kind of stop it started in.
 *   M_SYSCALL_TRAP M_SYSCALL, then a SIGTRAP queued by us (tgkill) to get
 *                  back into get_signal().  For a thread at a signal stop
 *                  whose SIGTRAP is ignored: a single-step trap is forced
 *                  and would reset an ignored SIGTRAP to SIG_DFL.
 *
 * A call that blocks past its deadline is broken with a SIGTRAP sent by
 * tgkill: SIGTRAP is unblocked, so it interrupts an interruptible sleep,
 * and it merges with the trap we wait for anyway.
 *
 * What else the kernel does on the way, and how it is undone:
 *
 *  - Synchronous fault signals (SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGSYS)
 *    stay unblocked: forcing a blocked one resets its handler to SIG_DFL
 *    for good.  One the call raises ends it: not executed, thread
 *    restored, signal dropped (SCR_EFAULTSIG).
 *  - Signals that stop us mid-call (someone else's SIGTRAP, a fault
 *    signal sent by kill, SIGSTOP, anything while a call runs under the
 *    thread's own mask) are queued again afterwards with their own
 *    siginfo: by the thread itself (rt_tgsigqueueinfo, which the kernel
 *    allows a thread for its own signals only), or by us when the
 *    siginfo is one any process may forge (si_code < 0).
 *  - rseq: returning to user mode outside its critical section makes the
 *    kernel clear the thread's rseq_cs word; we put it back, so that the
 *    section is aborted on resume as after any other stop.
 *  - Syscall user dispatch: a selector that blocks our instruction would
 *    turn the call into SIGSYS; dispatch is lifted for the call and put
 *    back.
 *  - Job control: a PTRACE_INTERRUPT the call consumed is re-armed, and
 *    for a caller that owns the stop (exact) a thread that was in an
 *    interrupt or group stop ends in one again.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "internal.h"

enum method { M_STEP, M_SYSCALL, M_SYSCALL_TRAP };

/* While we queue signals again: nothing but our trap. */
#define QUIET_MASK (~SIGBIT(SIGTRAP))
#define TRAP_GRACE_MS 2000
/* A call our SIGTRAP has not broken this long after its deadline blocks
 * it (rt_sigsuspend, ppoll with a mask): a job-control trap breaks any
 * interruptible sleep. */
#define ESCALATE_MS 200
/* Bound on re-queue rounds (each may meet new signals): a flood of
 * signals must not keep us here for ever. */
#define MAX_REQUEUE_ROUNDS 4096
/* Internal: the call replaced the program image (execve). */
#define E_EXECED 4096

#ifndef PTRACE_GET_SYSCALL_USER_DISPATCH_CONFIG
#define PTRACE_SET_SYSCALL_USER_DISPATCH_CONFIG 0x4210
#define PTRACE_GET_SYSCALL_USER_DISPATCH_CONFIG 0x4211
#endif
#ifndef PTRACE_GET_RSEQ_CONFIGURATION
#define PTRACE_GET_RSEQ_CONFIGURATION 0x420f
#endif
#ifndef PR_SET_SYSCALL_USER_DISPATCH
#define PR_SET_SYSCALL_USER_DISPATCH 59
#endif
#define SUD_FILTER_ALLOW 0

/* <linux/ptrace.h>'s, which cannot meet <sys/ptrace.h> in one file. */
struct rseq_conf {
	uint64_t rseq_abi_pointer;
	uint32_t rseq_abi_size, signature, flags, pad;
};

/* A signal to queue again after the call, as it was sent. */
struct deferred {
	siginfo_t si;
};

enum { INTR_NONE, INTR_SENT, INTR_OURS, INTR_SPENT };

struct run {
	struct scr_target *tg;
	struct scr_thread *th;
	const struct arch_abi *abi;
	long nr;			/* the call being made */
	enum method method;
	unsigned long pc;		/* the instruction we execute */
	size_t insn_len;
	struct scr_deadline dl;
	uint64_t mask;			/* the mask the call runs under */
	bool own_mask;			/* ... which is the thread's own */
	bool have_post_mask;		/* ... and that is what it left */
	uint64_t post_mask;
	bool sent_trap;			/* we queued a SIGTRAP by tgkill */
	bool sent_any_trap;		/* ... in this call or one of ours */
	bool stepped;			/* a single step was asked for */
	bool trap_outstanding;		/* we sent one not yet taken */
	bool entered;			/* the call's entry stop was seen */
	bool escalate;			/* break a call that overstays */
	int intr;			/* our PTRACE_INTERRUPT: INTR_* */
	bool final_event;		/* the call ended at that trap */
	bool have_exit_v;		/* exit_v: the return value ... */
	long exit_v;			/* ... at the call's exit stop */
	bool timed_out;
	bool cancelled;			/* ... because the caller said so */
	bool faulted;			/* the call raised a fault signal */
	bool foreign_trap;		/* a job-control trap that was not ours */
	bool left_get_signal;		/* last stop is a syscall stop */
	bool at_event_stop;		/* ... or a job-control trap of ours */
	bool mask_dirty;		/* our own calls changed the mask */
	bool sud_lift;			/* dispatch must be off for the call */
	bool sud_lifted;		/* ... and is */
	struct deferred *deferred;	/* signals that stopped us mid-call */
	size_t ndeferred, cap;
	struct arch_regs after;
};

static bool restart_code(long v)
{
	return v <= -ERESTARTSYS && v >= -ERESTART_RESTARTBLOCK;
}

static int tkill(pid_t tid, int sig)
{
	return syscall(SYS_tkill, tid, sig) ? -errno : 0;
}

static int set_mask(pid_t tid, uint64_t mask)
{
	return ptrace(PTRACE_SETSIGMASK, tid, sizeof(mask), &mask) ? -errno : 0;
}

static int resume(struct run *r, enum __ptrace_request req)
{
	if (ptrace(req, r->th->tid, 0, 0) == 0)
		return 0;
	r->th->dead = errno == ESRCH;
	return -errno;
}

static int send_trap(struct run *r)
{
	int e = tkill(r->th->tid, SIGTRAP);

	if (e == 0)
		r->sent_trap = r->sent_any_trap = r->trap_outstanding = true;
	return e;
}

/*
 * Next stop of the thread.  When the deadline passes, the call is broken
 * by a SIGTRAP and we wait a little longer for the thread to come back;
 * a thread that does not (uninterruptible sleep) gives -ETIMEDOUT.
 */
static int next_stop(struct run *r, int *status)
{
	for (;;) {
		int e = scr__wait(r->th->tid, status, &r->dl);

		if (e == -ETIMEDOUT && r->escalate && !r->timed_out) {
			r->timed_out = true;
			r->cancelled = r->dl.cancel && *r->dl.cancel;
			e = send_trap(r);
			if (e)
				return e;
			scr__deadline_init(&r->dl, ESCALATE_MS);
			continue;
		}
		if (e == -ETIMEDOUT && r->escalate && r->intr == INTR_NONE) {
			if (ptrace(PTRACE_INTERRUPT, r->th->tid, 0, 0))
				return -errno;
			r->intr = INTR_SENT;
			scr__deadline_init(&r->dl, TRAP_GRACE_MS);
			continue;
		}
		if (e)
			return e;
		/* Any stop takes a pending job-control trap: ours only if
		 * it is one. */
		if (r->intr == INTR_SENT && WIFSTOPPED(*status))
			r->intr = (*status >> 16) == PTRACE_EVENT_STOP ?
				  INTR_OURS : INTR_SPENT;
		if (WIFEXITED(*status) || WIFSIGNALED(*status)) {
			r->th->dead = true;
			r->tg->exited = true;
			r->tg->exit_status = *status;
			return -ESRCH;
		}
		return 0;
	}
}

static void defer_signal(struct run *r, const siginfo_t *si)
{
	/* Standard signals do not queue: the thread, held still by us,
	 * would have seen several as one. */
	if (si->si_signo < SIGRTMIN) {
		for (size_t i = 0; i < r->ndeferred; i++)
			if (r->deferred[i].si.si_signo == si->si_signo)
				return;
	}
	if (r->ndeferred == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 8;
		struct deferred *d = realloc(r->deferred, cap * sizeof(*d));

		if (!d) {
			/* Out of memory: the signal still arrives, sent
			 * by us (see requeue_by_tracer). */
			tkill(r->th->tid, si->si_signo);
			return;
		}
		r->deferred = d;
		r->cap = cap;
	}
	r->deferred[r->ndeferred++].si = *si;
}

static bool is_syscall_stop(struct run *r, int status)
{
	siginfo_t si;

	if (WSTOPSIG(status) == (SIGTRAP | 0x80))
		return true;
	if (WSTOPSIG(status) != SIGTRAP || (status >> 16) != 0)
		return false;
	/* Without PTRACE_O_TRACESYSGOOD a syscall stop looks like a
	 * SIGTRAP; its siginfo tells them apart. */
	if (ptrace(PTRACE_GETSIGINFO, r->th->tid, 0, &si))
		return false;
	return si.si_code == SIGTRAP || si.si_code == (SIGTRAP | 0x80);
}

/*
 * Is this SIGTRAP ours: raised by the kernel for our step (a positive
 * si_code, or the generic single-step report, SI_USER from pid 0), or
 * the one we sent?  Anyone else's is delivered after the call.
 */
static bool own_trap(const struct run *r, const siginfo_t *si)
{
	if (si->si_code > 0)
		return true;
	if (si->si_code == SI_USER && si->si_pid == 0)
		return r->method == M_STEP;
	return r->sent_any_trap && si->si_code == SI_TKILL &&
	       si->si_pid == getpid();
}

/*
 * Has our instruction run yet?  A signal the thread takes on its way
 * there (still inside get_signal() of the stop we resumed) came before.
 */
static bool call_started(struct run *r)
{
	struct arch_regs now;

	if (r->method != M_STEP)
		return r->entered;
	return arch_get_regs(r->th->tid, &now) != 0 ||
	       arch_pc(&now) != r->pc;
}

enum { ST_AGAIN = 1, ST_TRAP, ST_FOREIGN_TRAP, ST_OUR_INT };

/*
 * A stop other than a syscall stop.  Returns ST_AGAIN when it was dealt
 * with and the thread resumed with req, ST_TRAP for a SIGTRAP that is
 * ours, ST_FOREIGN_TRAP for someone else's (deferred, the thread left in
 * the stop), or a negative errno.
 */
static int other_stop(struct run *r, int status, enum __ptrace_request req)
{
	int sig = WSTOPSIG(status), event = status >> 16;
	siginfo_t si;

	switch (event) {
	case 0:
		if (ptrace(PTRACE_GETSIGINFO, r->th->tid, 0, &si))
			return -errno;
		if (sig == SIGTRAP) {
			if (own_trap(r, &si))
				return ST_TRAP;
			defer_signal(r, &si);
			return ST_FOREIGN_TRAP;
		}
		/* Raised by the kernel (si_code > 0), not sent: once our
		 * instruction ran, the call faulted (never step on from
		 * there); before, it is the target's own, pending when it
		 * stopped (a JVM's safepoint poll), and stays its own. */
		if ((SIGBIT(sig) & FAULT_SIGS) && si.si_code > 0) {
			if (!call_started(r)) {
				defer_signal(r, &si);
				break;
			}
			r->faulted = true;
			return -SCR_EFAULTSIG;
		}
		/* A signal that cannot be blocked, or one the call itself
		 * unblocked: delivered after we are done. */
		defer_signal(r, &si);
		break;
	case PTRACE_EVENT_EXIT: {
		/* The thread is on its way out: the event message is its
		 * wait status.  The process ends with it if the call was
		 * exit_group or the thread was killed by a signal (which
		 * takes the group); a plain exit ends this thread only. */
		unsigned long msg = 0;

		if (ptrace(PTRACE_GETEVENTMSG, r->th->tid, 0, &msg) == 0 &&
		    (r->nr == r->abi->nr_exit_group || WIFSIGNALED((int)msg))) {
			r->tg->exited = true;
			r->tg->exit_status = (int)msg;
		}
		r->th->dead = true;
		return -ESRCH;
	}
	case PTRACE_EVENT_EXEC:
		return -E_EXECED;
	case PTRACE_EVENT_CLONE: {
		/* The call made a thread, which is traced from birth. */
		unsigned long child;

		if (ptrace(PTRACE_GETEVENTMSG, r->th->tid, 0, &child) == 0 &&
		    r->tg->nborn < SCR_MAX_BORN)
			r->tg->born[r->tg->nborn++] = (pid_t)child;
		break;
	}
	case PTRACE_EVENT_STOP:
		/* Ours, breaking a call that overstayed: the thread is in
		 * get_signal(), the call broken. */
		if (r->intr == INTR_OURS) {
			r->intr = INTR_SPENT;
			r->final_event = true;
			return ST_OUR_INT;
		}
		/* A PTRACE_INTERRUPT of the caller's, or a group stop that
		 * began meanwhile: every stop consumes the trap, so it is
		 * armed again when we are done. */
		r->foreign_trap = true;
		break;
	default:
		break;
	}
	return resume(r, req) ?: ST_AGAIN;
}

static int run_step(struct run *r)
{
	int status, e;

	r->left_get_signal = false;
	r->stepped = true;
	e = resume(r, PTRACE_SINGLESTEP);
	for (;;) {
		if (e < 0)
			return e;
		e = next_stop(r, &status);
		if (e)
			return e;
		e = other_stop(r, status, PTRACE_SINGLESTEP);
		if (e < 0)
			return e;
		if (e == ST_AGAIN)
			continue;
		int who = e;

		e = arch_get_regs(r->th->tid, &r->after);
		if (e)
			return e;
		/*
		 * The call ran: pc is after it, or where execve (an old-style
		 * exec SIGTRAP) or rt_sigreturn (a frame, whose effect on the
		 * registers we undo) put it.  Someone else's SIGTRAP here
		 * stands for our step trap, which the kernel merged into it
		 * (standard signals do not queue).  Never step on from a
		 * moved pc: that would run the target's own code.
		 */
		if (arch_pc(&r->after) != r->pc) {
			if (!arch_after_insn(&r->after, r->pc, r->insn_len) &&
			    (r->nr == r->abi->nr_execve ||
			     r->nr == r->abi->nr_execveat))
				return -E_EXECED;
			return 0;
		}
		/* Broken before it ran. */
		if ((who == ST_TRAP && r->sent_trap) || who == ST_OUR_INT)
			return 0;
		e = resume(r, PTRACE_SINGLESTEP);
	}
}

/* Waits for the next syscall stop, passing over signals and events. */
static int syscall_stop(struct run *r)
{
	int status, e;

	for (;;) {
		e = next_stop(r, &status);
		if (e)
			return e;
		if (is_syscall_stop(r, status))
			return 0;
		e = other_stop(r, status, PTRACE_SYSCALL);
		if (e < 0)
			return e;
		/* A SIGTRAP stop: ours (sent to break the call) is taken
		 * here, so trap_stop() must send another; anyone else's
		 * was deferred. */
		if (e == ST_OUR_INT)
			return ST_OUR_INT;
		if (e == ST_TRAP)
			r->trap_outstanding = false;
		if (e != ST_AGAIN && (e = resume(r, PTRACE_SYSCALL)))
			return e;
	}
}

/* After the call's exit stop, goes on to the signal-delivery-stop of the
 * SIGTRAP we queue, so that the thread ends inside get_signal(). */
static int trap_stop(struct run *r)
{
	int status, e;

	if (r->own_mask) {
		/* The call defined the mask, which may block SIGTRAP: keep
		 * what it set for later, and let our SIGTRAP through. */
		if (ptrace(PTRACE_GETSIGMASK, r->th->tid, sizeof(r->post_mask),
			   &r->post_mask))
			return -errno;
		r->have_post_mask = true;
		e = set_mask(r->th->tid, QUIET_MASK);
		if (e)
			return e;
	}
	/* Ours sent to break the call may still be on its way. */
	if (!r->trap_outstanding && (e = send_trap(r)))
		return e;
	e = resume(r, PTRACE_SYSCALL);
	for (;;) {
		if (e < 0)
			return e;
		e = next_stop(r, &status);
		if (e)
			return e;
		if (is_syscall_stop(r, status))
			return -EPROTO;	/* ran on: cannot happen */
		e = other_stop(r, status, PTRACE_SYSCALL);
		/* Someone else's SIGTRAP took the place of ours; or our
		 * job-control trap came first. */
		if (e == ST_TRAP || e == ST_FOREIGN_TRAP) {
			r->trap_outstanding = false;
			return 0;
		}
		if (e == ST_OUR_INT)
			return 0;
		if (e < 0)
			return e;
	}
}

static int run_syscall(struct run *r)
{
	int e = resume(r, PTRACE_SYSCALL);

	r->left_get_signal = true;
	r->entered = false;
	if (!e)
		e = syscall_stop(r);		/* entry */
	r->entered = true;
	if (!e)
		e = resume(r, PTRACE_SYSCALL);
	if (!e)
		e = syscall_stop(r);		/* exit */
	/* Where the kernel rewinds an interrupted call before get_signal()
	 * (arm64, riscv), the exit stop is the last place its restart code
	 * can be seen. */
	r->have_exit_v = false;
	if (!e && r->abi->restart_before_stop &&
	    arch_get_regs(r->th->tid, &r->after) == 0) {
		r->exit_v = arch_retval(&r->after);
		r->have_exit_v = true;
	}
	if (!e && (r->method == M_SYSCALL_TRAP || r->sent_trap)) {
		e = trap_stop(r);
		r->left_get_signal = false;
	}
	/* Stopped by our job-control trap: in get_signal(), the call
	 * broken (or never entered). */
	if (e == ST_OUR_INT) {
		r->left_get_signal = false;
		e = 0;
	}
	if (!e)
		e = arch_get_regs(r->th->tid, &r->after);
	return e;
}

/*
 * execve replaced the program; the thread is at its exec event stop.
 * Bring it to an interrupt stop before the new program's first
 * instruction, the state a fresh attach finds, so that calls can go on.
 * (Only a seized thread can be interrupted; another one is left at the
 * exec stop, which is not a safe place.)
 */
static void settle_after_exec(struct run *r)
{
	struct scr_thread *th = r->th;
	int status, e;

	/* execve keeps the signal mask: give the thread its own back. */
	if (!r->own_mask)
		scr__release_mask(th);
	else if (r->have_post_mask)
		set_mask(th->tid, r->post_mask);
	th->regs_valid = th->mask_valid = false;
	th->rseq_valid = th->sud_valid = false;
	th->stop.kind = SCR_STOP_UNSAFE;
	if (ptrace(PTRACE_INTERRUPT, th->tid, 0, 0))
		return;
	scr__deadline_init(&r->dl, TRAP_GRACE_MS);
	r->timed_out = true;		/* no second chance: just wait */
	e = resume(r, PTRACE_CONT);
	while (!e && !(e = next_stop(r, &status))) {
		if ((status >> 16) == PTRACE_EVENT_STOP) {
			scr__classify_stop(th->tid, &th->stop);
			return;
		}
		e = resume(r, PTRACE_CONT);
	}
}

/*
 * Does the thread have a SIGTRAP of ours pending: the one we sent to
 * break a call, when it crossed the call's end, or the single-step trap
 * of a call that raised a fault signal first (the kernel takes the
 * fault, a synchronous signal, before the trap)?
 */
static bool own_trap_pending(struct run *r)
{
	struct __ptrace_peeksiginfo_args a = { .off = 0, .flags = 0, .nr = 1 };
	siginfo_t si;

	bool step_trap = r->stepped && r->faulted;

	if ((!r->sent_any_trap && !step_trap) ||
	    scr__status_sig(r->th->tid, "SigPnd", SIGTRAP) != 1)
		return false;
	/* Standard signals do not queue: at most one SIGTRAP is pending,
	 * and it is the first of its kind in the thread's queue. */
	for (a.off = 0; a.off < 4096; a.off++) {
		if (ptrace(PTRACE_PEEKSIGINFO, r->th->tid, &a, &si) != 1)
			return false;
		if (si.si_signo == SIGTRAP)
			return (step_trap && (si.si_code > 0 ||
					      (si.si_code == SI_USER &&
					       si.si_pid == 0))) ||
			       (r->sent_any_trap && si.si_code == SI_TKILL &&
				si.si_pid == getpid());
	}
	return false;
}

/*
 * Our own SIGTRAP may still be pending when the deadline's trap crossed
 * the call's end.  Let the thread take it now, with its own registers
 * back in place, so the caller never sees it.  (Someone else's stays.)
 */
static void drain_own_trap(struct run *r)
{
	int status;

	if (!own_trap_pending(r))
		return;
	/* The call may have left a mask of its own (rt_sigsuspend, ppoll)
	 * that blocks SIGTRAP: the trap must be taken before any user
	 * instruction runs. */
	r->mask_dirty = true;
	if (set_mask(r->th->tid, QUIET_MASK))
		return;
	scr__deadline_init(&r->dl, TRAP_GRACE_MS);
	/* Unblocked and pending, it is taken inside get_signal(), before
	 * user mode; stepping (or stopping at the next call where there is
	 * no step) bounds what could run if it were not. */
	if (resume(r, r->abi->can_step ? PTRACE_SINGLESTEP :
					 PTRACE_SYSCALL) == 0)
		next_stop(r, &status);
}

static void set_result(struct ptrace_sc_ret *ret, long v)
{
	memset(ret, 0, sizeof(*ret));
	if (v < 0 && v >= -4095) {
		ret->sr_retval[0] = -1;
		ret->sr_error = (int)-v;
	} else {
		ret->sr_retval[0] = v;
	}
}

static int choose_pc(struct run *r, const struct arch_abi *abi)
{
	struct scr_thread *th = r->th;
	unsigned char buf[16];
	unsigned long prev = arch_pc(&th->regs) - abi->insn_len;

	r->insn_len = abi->insn_len;
	/* At a syscall exit the instruction just executed is one. */
	if (th->stop.kind == SCR_STOP_SYSCALL_EXIT &&
	    scr__mem_read(th->tid, prev, buf, abi->insn_len) ==
		    (ssize_t)abi->insn_len &&
	    memcmp(buf, abi->insn, abi->insn_len) == 0) {
		r->pc = prev;
		return 0;
	}
	if (!r->tg->insn_addr) {
		int e = scr__find_insn(r->tg->pid, abi, &r->tg->insn_addr);

		if (e)
			return e;
	}
	r->pc = r->tg->insn_addr;
	return 0;
}

/* What /proc tells of the thread: SIGTRAP ignored?  Seccomp mode? */
static int load_status(struct scr_target *tg, struct scr_thread *th)
{
	uint64_t ign;
	int mode, e;

	if (tg->trap_ignored >= 0 && th->seccomp >= 0)
		return 0;
	e = scr__thread_status(th->tid, &ign, &mode);
	if (e)
		return e;
	tg->trap_ignored = (ign & SIGBIT(SIGTRAP)) != 0;
	th->seccomp = mode;
	return 0;
}

/*
 * Would the target's seccomp policy harm it for this call?  -EPERM: it
 * would be killed, get SIGSYS or be suspended; -EACCES: its filters
 * cannot be read (CAP_SYS_ADMIN is needed), so nobody can tell.
 */
static int check_seccomp(struct run *r, const struct arch_abi *abi,
			 const struct scr_req *c)
{
	struct scr_thread *th = r->th;
	int e;

	e = load_status(r->tg, th);
	if (e || th->seccomp == 0)
		return e;
	if (th->seccomp == 1) {
		for (unsigned int i = 0; i < 4; i++)
			if (abi->strict_ok[i] == c->nr)
				return 0;
		return -EPERM;
	}
	if (!th->filters && !th->filters_err)
		th->filters_err = scr__filters_read(th->tid, &th->filters);
	if (th->filters_err)	/* unless the caller waived the check */
		return r->tg->seccomp_unchecked ? 0 : -EACCES;
	/* The kernel sees the argument registers, as wide as the ABI's. */
	unsigned long args[6] = { 0 };

	for (unsigned int i = 0; i < c->nargs && i < 6; i++)
		args[i] = abi->word_size == 4 ? c->args[i] & 0xffffffffUL :
						c->args[i];
	uint32_t v = scr__filters_verdict(th->filters, abi->audit_arch, c->nr,
					  r->pc + r->insn_len, args, c->nargs);

	return scr__verdict_harms(v) ? -EPERM : 0;
}

static int choose_method(struct run *r)
{
	struct scr_thread *th = r->th;

	if (th->stop.kind == SCR_STOP_SYSCALL_EXIT &&
	    !(arch_cur_syscall(&th->regs) >= 0 &&
	      restart_code(arch_retval(&th->regs)))) {
		r->method = M_SYSCALL;
		return 0;
	}
	/* An exit stop whose call awaits a restart must end where the
	 * kernel decides it, in get_signal(), or the decision is lost
	 * when nothing else makes the thread enter it: end there. */
	if (th->stop.kind == SCR_STOP_SYSCALL_EXIT) {
		r->method = M_SYSCALL_TRAP;
		return 0;
	}
	if (!arch_abi_of(&th->regs)->can_step) {
		r->method = M_SYSCALL_TRAP;
		return 0;
	}
	int e = load_status(r->tg, th);

	if (e)
		return e;
	/* A forced trap resets a blocked or ignored SIGTRAP to SIG_DFL:
	 * also when the call itself may block or ignore it. */
	if (r->tg->trap_ignored || r->own_mask ||
	    arch_changes_disposition(r->abi, r->nr))
		r->method = M_SYSCALL_TRAP;
	else
		r->method = M_STEP;
	return 0;
}

int scr__release_mask(struct scr_thread *th)
{
	if (!th->call_mask_set)
		return 0;
	th->call_mask_set = false;
	return set_mask(th->tid, th->mask);
}

/* ---- rseq and syscall user dispatch ------------------------------------ */

/* Where the thread's rseq_cs word is, and what it holds now. */
static void load_rseq(struct scr_thread *th)
{
	struct rseq_conf conf;
	uint64_t cs;

	if (th->rseq_valid)
		return;
	th->rseq_valid = true;
	th->rseq_cs_addr = 0;
	th->rseq_cs = 0;
	/* EIO: a kernel before 5.13, which has no rseq worth keeping. */
	if (ptrace(PTRACE_GET_RSEQ_CONFIGURATION, th->tid, sizeof(conf),
		   &conf) != (long)sizeof(conf) || !conf.rseq_abi_pointer)
		return;
	/* struct rseq: cpu_id_start, cpu_id (u32 each), then rseq_cs. */
	unsigned long addr = (unsigned long)conf.rseq_abi_pointer + 8;

	if (scr__mem_read(th->tid, addr, &cs, sizeof(cs)) == sizeof(cs)) {
		th->rseq_cs_addr = addr;
		th->rseq_cs = cs;
	}
}

/* The kernel cleared rseq_cs when the call returned to user mode outside
 * the critical section: put it back, so that resuming aborts it. */
static void keep_rseq(struct run *r)
{
	struct scr_thread *th = r->th;

	if (r->nr == r->abi->nr_rseq) {
		th->rseq_valid = false;	/* the call (un)registered it */
		return;
	}
	if (th->rseq_cs_addr && th->rseq_cs)
		scr__mem_write(th->tid, th->rseq_cs_addr, &th->rseq_cs,
			       sizeof(th->rseq_cs));
}

static void load_sud(struct scr_thread *th)
{
	if (th->sud_valid)
		return;
	th->sud_valid = true;
	/* EIO before Linux 6.4: nothing known, nothing lifted (a SIGSYS
	 * it raises ends the call as any fault does). */
	if (ptrace(PTRACE_GET_SYSCALL_USER_DISPATCH_CONFIG, th->tid,
		   sizeof(th->sud), &th->sud))
		memset(&th->sud, 0, sizeof(th->sud));
}

static bool sets_sud(const struct run *r, const struct scr_req *c)
{
	return r->nr == r->abi->nr_prctl && c->nargs > 0 &&
	       (int)c->args[0] == PR_SET_SYSCALL_USER_DISPATCH;
}

/*
 * Would dispatch turn our call into a SIGSYS?  Not when our instruction
 * lies in the region it leaves alone, nor when the selector allows.
 * Otherwise lift it for the call, if it can be put back as it was.
 */
static int plan_sud(struct run *r, const struct scr_req *c)
{
	struct scr_thread *th = r->th;
	const struct scr_sud *d = &th->sud;
	unsigned char sel;

	load_sud(th);
	if (d->mode == 0 || r->pc - d->offset < d->len)
		return 0;
	if (d->selector && !sets_sud(r, c) &&
	    scr__mem_read(th->tid, d->selector, &sel, 1) == 1 &&
	    sel == SUD_FILTER_ALLOW)
		return 0;
	/*
	 * The kernel refuses to set a region that wraps: one given as
	 * "inclusive" (Linux 6.16: dispatch only calls made from [A, A+L),
	 * kept as offset A+L, length -L) could not be put back.  Use an
	 * instruction outside that range instead, which dispatch ignores.
	 */
	if (d->offset && d->offset + d->len <= d->offset && !sets_sud(r, c)) {
		unsigned long lo = d->offset + d->len, hi = d->offset, at;

		if (scr__find_insn_outside(r->tg->pid, r->abi, lo, hi, &at))
			return -EPERM;
		r->pc = at;
		return 0;
	}
	r->sud_lift = true;
	return 0;
}

static int lift_sud(struct run *r)
{
	struct scr_sud off = { 0, 0, 0, 0 };

	if (!r->sud_lift)
		return 0;
	if (ptrace(PTRACE_SET_SYSCALL_USER_DISPATCH_CONFIG, r->th->tid,
		   sizeof(off), &off))
		return -errno;
	r->sud_lifted = true;
	return 0;
}

static void restore_sud(struct run *r, const struct scr_req *c)
{
	struct scr_thread *th = r->th;

	if (!r->sud_lifted)
		return;
	r->sud_lifted = false;
	if (sets_sud(r, c) && !r->faulted) {
		th->sud_valid = false;	/* the call set its own */
		return;
	}
	ptrace(PTRACE_SET_SYSCALL_USER_DISPATCH_CONFIG, th->tid,
	       sizeof(th->sud), &th->sud);
}

/* ---- running calls ------------------------------------------------------ */

/*
 * Runs the call.  A signal that cannot be blocked (SIGSTOP) may interrupt
 * it: the kernel then reports a restart code where, for the target's own
 * call, it would have restarted it.  Do what the kernel would: issue the
 * call again, or continue it through restart_syscall, which resumes the
 * call's own restart_block (never the thread's: see the EBUSY rule).
 */
static int run(struct run *r, const struct arch_abi *abi, long nr,
	       const unsigned long *args, unsigned int nargs)
{
	int e = r->method == M_STEP ? run_step(r) : run_syscall(r);

	for (int again = 0; !e && !r->timed_out && again < 100; again++) {
		long v = arch_retval(&r->after);
		/* Rewound by the kernel on the way to our trap: pc back on
		 * the instruction, the first argument back in place. */
		bool rewound = r->method != M_STEP && r->have_exit_v &&
			       restart_code(r->exit_v) &&
			       arch_pc(&r->after) == r->pc;

		if (rewound)
			v = r->exit_v;
		else if (!restart_code(v) ||
			 !arch_after_insn(&r->after, r->pc, r->insn_len))
			break;
		r->after = r->th->regs;
		arch_prepare_call(&r->after, r->pc,
				  v == -ERESTART_RESTARTBLOCK ?
				  abi->nr_restart_syscall : nr, args, nargs);
		e = arch_set_regs(r->th->tid, &r->after);
		if (!e)
			e = r->method == M_STEP ? run_step(r) : run_syscall(r);
	}
	return e;
}

/*
 * One call of our own (re-queueing a signal), under mask, by method; its
 * return value goes to *v.  The registers are scratch: restore() puts
 * the thread's own back afterwards.
 */
static int run_internal(struct run *r, enum method method, uint64_t mask,
			long nr, const unsigned long *args, unsigned int nargs,
			long *v)
{
	struct scr_thread *th = r->th;
	enum method saved = r->method;
	bool sent = r->sent_trap, timed_out = r->timed_out;
	bool own_mask = r->own_mask;
	int e;

	if (method == M_STEP && !r->abi->can_step)
		method = M_SYSCALL_TRAP;
	r->mask_dirty = true;
	r->at_event_stop = false;
	e = set_mask(th->tid, mask);
	if (e)
		return e;
	r->after = th->regs;
	arch_prepare_call(&r->after, r->pc, nr, args, nargs);
	e = arch_set_regs(th->tid, &r->after);
	if (e)
		return e;
	r->method = method;
	r->sent_trap = r->timed_out = r->own_mask = false;
	scr__deadline_init(&r->dl, TRAP_GRACE_MS);
	r->dl.cancel = NULL;
	e = run(r, r->abi, nr, args, nargs);
	r->method = saved;
	r->sent_trap = r->sent_trap || sent;
	r->timed_out = timed_out;
	r->own_mask = own_mask;
	if (!e)
		*v = arch_retval(&r->after);
	return e;
}

/*
 * Memory for a siginfo: below the thread's stack pointer (past the red
 * zone), where a signal frame would go; its old bytes are kept and put
 * back.  Bounded and aligned; returns 0 or a negative errno.
 */
struct stack_scratch {
	unsigned long addr;
	unsigned char saved[128];
	bool used;
};

static int stack_scratch(struct run *r, struct stack_scratch *s)
{
	unsigned long sp = arch_sp(&r->th->regs);

	if (s->used)
		return 0;
	s->addr = (sp - r->abi->red_zone - 256) & ~63UL;
	if (sp < 4096 || scr__mem_read(r->th->tid, s->addr, s->saved,
				       sizeof(s->saved)) != sizeof(s->saved))
		return -EFAULT;
	s->used = true;
	return 0;
}

static void stack_scratch_put_back(struct run *r, struct stack_scratch *s)
{
	if (s->used)
		scr__mem_write(r->th->tid, s->addr, s->saved, sizeof(s->saved));
}

/* Can only the thread itself queue this siginfo (the kernel refuses a
 * forged sender to anyone else)? */
static bool needs_self(const siginfo_t *si)
{
	return si->si_code >= 0 || si->si_code == SI_TKILL;
}

/* Can the thread queue this one itself (SIGSTOP cannot be held pending
 * by a mask, and its sender is not observable anyway)? */
static bool self_queueable(const struct run *r, const siginfo_t *si)
{
	return needs_self(si) && si->si_signo != SIGSTOP &&
	       si->si_signo != SIGKILL && r->abi->nr_rt_tgsigqueueinfo >= 0;
}

/* rt_tgsigqueueinfo(tgid, tid, sig, si) made by the thread itself. */
static int queue_one(struct run *r, struct stack_scratch *scr,
		     const siginfo_t *si, uint64_t mask, enum method method,
		     long *v)
{
	unsigned char buf[128];
	unsigned long long tgid = (unsigned long long)r->tg->pid;
	size_t len;
	int e = stack_scratch(r, scr);

	if (e)
		return e;
	len = arch_siginfo_for_abi(r->abi, si, buf);
	if (scr__mem_write(r->th->tid, scr->addr, buf, len) != (ssize_t)len)
		return -EFAULT;
	/* tg->pid may be any thread of the process (a zombie leader's
	 * stand-in): the kernel wants the thread group's id. */
	if (r->tg->pid != r->th->tid)
		scr__status_num(r->th->tid, "Tgid", &tgid);
	unsigned long args[4] = { (unsigned long)tgid,
				  (unsigned long)r->th->tid,
				  (unsigned long)si->si_signo, scr->addr };

	return run_internal(r, method, mask, r->abi->nr_rt_tgsigqueueinfo,
			    args, 4, v);
}

/*
 * Must this one be queued with no trap of ours after it?  A pending
 * SIGTRAP would swallow our trap (standard signals do not queue); and
 * once a synchronous signal is pending, the kernel takes the first one
 * with a kernel si_code from the queue whether blocked or not
 * (dequeue_synchronous_signal()), so a fault signal queued again with
 * its original code would be taken at our next trap.
 */
static bool queue_last(const siginfo_t *si)
{
	return si->si_signo == SIGTRAP ||
	       ((SIGBIT(si->si_signo) & FAULT_SIGS) && si->si_code > 0);
}

/*
 * The deferred signals the thread must queue itself, by injected
 * rt_tgsigqueueinfo calls, under a mask that blocks them so that they
 * stay pending: first the others, by the call's own method; then those
 * of queue_last(), with every signal blocked and without a trap (by
 * PTRACE_SYSCALL, and back to get_signal() by a job-control trap).
 * Signals met on the way join the list; what cannot be queued so is left
 * to requeue_by_tracer().
 */
static int requeue_by_thread(struct run *r, struct stack_scratch *scr)
{
	unsigned int rounds = 0;

	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < r->ndeferred;) {
			siginfo_t si = r->deferred[i].si;
			bool trap = queue_last(&si);
			long v = -1;
			int e;

			if (!self_queueable(r, &si) || trap != (pass == 1) ||
			    rounds++ >= MAX_REQUEUE_ROUNDS) {
				i++;
				continue;
			}
			/* Not by a single step where the call avoided one
			 * (SIGTRAP ignored: a forced trap resets it). */
			e = trap ? queue_one(r, scr, &si, ~0ULL, M_SYSCALL, &v) :
				   queue_one(r, scr, &si, QUIET_MASK,
					     r->method, &v);
			if (e)
				return e;
			if (v != 0) {	/* EAGAIN (RLIMIT_SIGPENDING)... */
				i++;
				continue;
			}
			memmove(&r->deferred[i], &r->deferred[i + 1],
				(r->ndeferred - i - 1) * sizeof(*r->deferred));
			r->ndeferred--;
		}
	}
	return 0;
}

/* What is left: queued by us (exact when any process may send such a
 * siginfo), or sent with tkill (SIGSTOP's sender is not observable). */
static void requeue_by_tracer(struct run *r)
{
	for (size_t i = 0; i < r->ndeferred; i++) {
		siginfo_t *si = &r->deferred[i].si;

		if (needs_self(si) ||
		    syscall(SYS_rt_tgsigqueueinfo, r->tg->pid, r->th->tid,
			    si->si_signo, si) != 0)
			tkill(r->th->tid, si->si_signo);
	}
	r->ndeferred = 0;
}

/*
 * The thread is at a syscall stop after our last call: bring it back
 * into get_signal(), where the kernel's restart logic and the caller's
 * signal handling expect it, by a job-control trap (no signal needed).
 */
static int back_to_get_signal(struct run *r)
{
	int status, e;

	if (ptrace(PTRACE_INTERRUPT, r->th->tid, 0, 0))
		return -errno;
	scr__deadline_init(&r->dl, TRAP_GRACE_MS);
	e = resume(r, PTRACE_CONT);
	for (;;) {
		if (e)
			return e;
		e = next_stop(r, &status);
		if (e)
			return e;
		if ((status >> 16) == PTRACE_EVENT_STOP) {
			r->left_get_signal = false;
			r->at_event_stop = true;
			return 0;
		}
		e = other_stop(r, status, PTRACE_CONT);
		if (e == ST_TRAP || e == ST_FOREIGN_TRAP)
			e = resume(r, PTRACE_CONT);
		else if (e > 0)
			e = 0;
	}
}

/*
 * The caller owns a signal-delivery-stop of signal S and may resume it
 * with S: that needs a real signal stop, which a job-control trap is
 * not.  Queue S again from the thread with its siginfo, and let
 * get_signal() take it with every other signal blocked.
 */
static int recreate_signal_stop(struct run *r, struct stack_scratch *scr)
{
	struct scr_thread *th = r->th;
	const siginfo_t *si = &th->stop.si;
	int status, e;
	long v;

	e = queue_one(r, scr, si, ~0ULL, M_SYSCALL, &v);
	if (e)
		return e;
	if (v != 0)
		return -EAGAIN;
	e = set_mask(th->tid, ~SIGBIT(si->si_signo));
	if (!e)
		e = resume(r, PTRACE_CONT);
	for (;;) {
		if (e)
			return e;
		e = next_stop(r, &status);
		if (e)
			return e;
		if ((status >> 16) == 0 && WSTOPSIG(status) == si->si_signo) {
			r->left_get_signal = false;
			return 0;
		}
		e = other_stop(r, status, PTRACE_CONT);
		if (e > 0)
			e = e == ST_AGAIN ? 0 : resume(r, PTRACE_CONT);
	}
}

/*
 * The caller owns an interrupt or group stop: a signal stop relabelled
 * with its siginfo would deliver the stop signal (or SIGTRAP) when the
 * caller resumes it with WSTOPSIG, and PTRACE_LISTEN would not work.
 * Take the thread through a real job-control trap of the kernel's.
 */
static int to_event_stop(struct run *r)
{
	int status, e;

	if (ptrace(PTRACE_INTERRUPT, r->th->tid, 0, 0))
		return -errno;
	scr__deadline_init(&r->dl, TRAP_GRACE_MS);
	e = resume(r, PTRACE_CONT);	/* drops our trap */
	for (;;) {
		if (e)
			return e;
		e = next_stop(r, &status);
		if (e)
			return e;
		if ((status >> 16) == PTRACE_EVENT_STOP)
			return 0;
		/* A signal the restored mask lets through: it reaches the
		 * thread after the trap, as it would have. */
		e = other_stop(r, status, PTRACE_CONT);
		if (e == ST_TRAP || e == ST_FOREIGN_TRAP)
			e = resume(r, PTRACE_CONT);
		else if (e > 0)
			e = 0;
	}
}

/* The mask to leave the thread with after the call. */
static int restore_mask(struct run *r)
{
	struct scr_thread *th = r->th;

	if (r->own_mask)	/* what the call set */
		return r->have_post_mask ? set_mask(th->tid, r->post_mask) : 0;
	if (!th->lazy_mask || th->exact)
		return scr__release_mask(th);
	/* A session keeps ours between calls. */
	return r->mask_dirty && th->call_mask_set ?
	       set_mask(th->tid, CALL_MASK) : 0;
}

/* Puts everything back: registers, extended state, mask, siginfo, the
 * signals that arrived meanwhile, rseq, dispatch, job-control traps. */
static int restore(struct run *r, const struct scr_req *c,
		   const struct arch_ext *ext)
{
	struct scr_thread *th = r->th;
	struct stack_scratch scr = { .used = false };
	int e = 0;

	/* The mask the call left, before our own calls change it. */
	if (r->own_mask && !r->have_post_mask && r->ndeferred &&
	    ptrace(PTRACE_GETSIGMASK, th->tid, sizeof(r->post_mask),
		   &r->post_mask) == 0)
		r->have_post_mask = true;
	if (r->ndeferred)
		requeue_by_thread(r, &scr);
	/* Our last call may have ended in a syscall stop: get_signal()
	 * is where the thread must be (but for a syscall-exit-stop the
	 * caller owns, that needs no restart). */
	if (r->left_get_signal &&
	    (th->stop.kind != SCR_STOP_SYSCALL_EXIT ||
	     r->method == M_SYSCALL_TRAP)) {
		if (th->exact && th->stop.kind == SCR_STOP_SIGNAL)
			e = recreate_signal_stop(r, &scr);
		else
			e = back_to_get_signal(r);
	} else if (r->final_event && !r->left_get_signal) {
		/* At our job-control trap, in get_signal() already. */
		r->at_event_stop = true;
		if (th->exact && th->stop.kind == SCR_STOP_SIGNAL)
			e = recreate_signal_stop(r, &scr);
	}
	stack_scratch_put_back(r, &scr);
	if (e)
		return e;
	arch_keep_call_effects(&th->regs, &r->after);
	e = arch_set_regs(th->tid, &th->regs);
	if (!e && ext)
		e = arch_set_ext(th->tid, ext);
	/* Before the mask (which may block SIGTRAP) and the siginfo (which
	 * the trap's stop would replace). */
	if (!e)
		drain_own_trap(r);
	if (!e)
		e = restore_mask(r);
	if (e)
		return e;
	keep_rseq(r);
	restore_sud(r, c);
	/*
	 * Make the stop the one the caller left: a job-control trap again
	 * for an interrupt or group stop it owns; else the signal stop we
	 * end in gets the siginfo of the caller's stop.  Not for a
	 * syscall-exit-stop: a signal stop cannot pass for one
	 * (PTRACE_GETEVENTMSG would not say "exit"), and it now is what
	 * it looks like, a SIGTRAP to be suppressed.
	 */
	if (th->exact && th->stop.kind == SCR_STOP_EVENT) {
		if (!r->at_event_stop)
			e = to_event_stop(r);
	} else if (th->stop.have_si &&
		   (r->method != M_SYSCALL || r->sent_trap) &&
		   th->stop.kind != SCR_STOP_SYSCALL_EXIT &&
		   (th->restore_si || th->stop.kind == SCR_STOP_SIGNAL) &&
		   ptrace(PTRACE_SETSIGINFO, th->tid, 0, &th->stop.si)) {
		e = -errno;
	}
	requeue_by_tracer(r);
	if (r->foreign_trap && th->exact)
		ptrace(PTRACE_INTERRUPT, th->tid, 0, 0);
	return e;
}

/*
 * Signals that stopped a thread while it ran code of ours other than an
 * injected call (the agent), queued again as an injected call's are:
 * the thread is at a ptrace-stop with its own registers (th->regs) back.
 */
int scr__requeue_signals(struct scr_target *tg, struct scr_thread *th,
			 const siginfo_t *sigs, size_t n)
{
	struct run r = { .tg = tg, .th = th };
	struct scr_req none = { -1, NULL, 0, 0, NULL };
	int e;

	if (!n)
		return 0;
	r.abi = arch_abi_of(&th->regs);
	r.nr = r.abi->nr_rt_tgsigqueueinfo;
	r.after = th->regs;
	e = choose_pc(&r, r.abi);
	if (!e)
		e = choose_method(&r);
	for (size_t i = 0; i < n; i++)
		defer_signal(&r, &sigs[i]);
	if (e)
		requeue_by_tracer(&r);	/* the best that can be done */
	else
		e = restore(&r, &none, NULL);
	free(r.deferred);
	return e;
}

static int load_thread(struct scr_thread *th)
{
	int e;

	if (!th->regs_valid) {
		e = arch_get_regs(th->tid, &th->regs);
		if (e)
			return e == -ESRCH ? -ESRCH : e;
		th->regs_valid = true;
	}
	if (!th->mask_valid) {
		if (ptrace(PTRACE_GETSIGMASK, th->tid, sizeof(th->mask),
			   &th->mask))
			return -errno;
		th->mask_valid = true;
	}
	load_rseq(th);
	return 0;
}

/*
 * PTRACE_INTERRUPT wakes a thread's interruptible sleep like a signal
 * does.  Most calls then report a restart code and the kernel re-issues
 * them on resume, but a few return EINTR, which the program would see:
 * the architecture undoes that where it safely can.
 */
int scr__undo_eintr(struct scr_thread *th)
{
	int e = load_thread(th);

	if (e || !arch_undo_eintr(&th->regs))
		return e;
	return arch_set_regs(th->tid, &th->regs);
}

/*
 * A thread that never returns to user mode (an io_uring SQPOLL thread,
 * an io-wq worker): the kernel gave it no user registers, pc and stack
 * pointer are 0 (copy_thread() for create_io_thread()).
 */
static bool kernel_side(const struct arch_regs *regs)
{
	return arch_pc(regs) == 0 && arch_sp(regs) == 0;
}

int scr__inject(struct scr_target *tg, struct scr_thread *th,
		const struct scr_req *c, struct ptrace_sc_ret *ret)
{
	struct run r = { .tg = tg, .th = th, .nr = c->nr };
	const struct arch_abi *abi;
	struct arch_ext *ext = NULL;
	struct arch_ext ext_buf;
	int e;

	if (th->dead)
		return -ESRCH;
	if (th->stop.kind == SCR_STOP_UNSAFE)
		return -EBUSY;
	e = load_thread(th);
	if (e)
		return e;
	if (kernel_side(&th->regs))
		return -EOPNOTSUPP;
	abi = arch_abi_of(&th->regs);
	r.abi = abi;

	/* The kernel uses only part of the register for the number: a
	 * number out of range must not alias a real call. */
	if (c->nr < 0 || c->nr > INT_MAX) {
		set_result(ret, -ENOSYS);
		return 0;
	}
	if (th->stop.kind == SCR_STOP_SYSCALL_EXIT &&
	    !arch_exit_stop_safe(&th->regs))
		return -EBUSY;
	if (arch_restart_block_pending(&th->regs) &&
	    arch_writes_restart_block(abi, c->nr, c->args, c->nargs))
		return -EBUSY;

	r.own_mask = arch_uses_sigmask(abi, c->nr);
	e = choose_pc(&r, abi);
	if (!e)
		e = plan_sud(&r, c);	/* may choose another pc */
	if (!e)
		e = check_seccomp(&r, abi, c);
	if (!e)
		e = choose_method(&r);
	if (e)
		return e;
	if (arch_changes_ext(abi, c->nr)) {
		e = arch_get_ext(th->tid, &ext_buf);
		if (e)
			return e;
		ext = &ext_buf;
	}
	e = lift_sud(&r);
	if (e)
		return e;

	/* Signals stay pending while the call runs; a session leaves them
	 * blocked from one call to the next and unblocks them on detach. */
	if (r.own_mask)
		e = scr__release_mask(th);
	else if (!th->call_mask_set && !(e = set_mask(th->tid, CALL_MASK)))
		th->call_mask_set = true;
	r.after = th->regs;
	if (!e) {
		arch_prepare_call(&r.after, r.pc, c->nr, c->args, c->nargs);
		e = arch_set_regs(th->tid, &r.after);
	}
	if (e) {
		restore(&r, c, NULL);
		free(r.deferred);
		return e;
	}

	scr__deadline_init(&r.dl, c->timeout_ms);
	r.dl.cancel = c->cancel;
	r.escalate = true;
	e = run(&r, abi, c->nr, c->args, c->nargs);
	r.escalate = false;
	/* A call broken off may leave a mask of its own to restore on the
	 * way out (rt_sigsuspend, ppoll): set ours again, which drops it. */
	if (r.timed_out)
		r.mask_dirty = true;
	if (e == -E_EXECED) {
		/* execve succeeded: the old registers mean nothing now. */
		settle_after_exec(&r);
		requeue_by_tracer(&r);
		free(r.deferred);
		set_result(ret, 0);
		return 0;
	}
	if (e) {
		if (!th->dead && e != -ETIMEDOUT) {
			int e2 = restore(&r, c, ext);

			if (e2 && e == -SCR_EFAULTSIG)
				e = e2;
		}
		free(r.deferred);
		return e;
	}

	long v = arch_retval(&r.after);
	bool broken = v == -EINTR || (v <= -ERESTARTSYS &&
				      v >= -ERESTART_RESTARTBLOCK);
	bool ran = arch_after_insn(&r.after, r.pc, r.insn_len);

	e = restore(&r, c, ext);
	free(r.deferred);
	if (e)
		return e;
	if (r.timed_out && (broken || !ran))
		return r.cancelled ? -EINTR : -ETIMEDOUT;
	if (r.own_mask)
		th->mask_valid = false;		/* the call defined it */
	set_result(ret, v);
	return 0;
}
