/*
 * The injection engine: run one system call in a stopped thread and put
 * the thread back exactly as it was.
 *
 * The thread is pointed at a system call instruction that already exists
 * in the target (its vDSO, or the instruction it just executed), with the
 * call's number and arguments in registers and every signal but SIGTRAP
 * blocked, then let go for exactly that instruction:
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
 * tgkill: SIGTRAP is the one signal left unblocked, so it interrupts an
 * interruptible sleep, and it merges with the trap we wait for anyway.
 */
#include <errno.h>
#include <limits.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "internal.h"

enum method { M_STEP, M_SYSCALL, M_SYSCALL_TRAP };

#define SIGBIT(sig) (1ULL << ((sig) - 1))
#define CALL_MASK (~SIGBIT(SIGTRAP))
#define MAX_DEFERRED 64
#define TRAP_GRACE_MS 2000
/* Internal: the call replaced the program image (execve). */
#define E_EXECED 4096

struct run {
	struct scr_target *tg;
	struct scr_thread *th;
	const struct arch_abi *abi;
	long nr;			/* the call being made */
	enum method method;
	unsigned long pc;		/* the instruction we execute */
	size_t insn_len;
	struct scr_deadline dl;
	bool own_mask;			/* the call runs under the thread's mask */
	bool have_post_mask;		/* ... and that is what it left */
	uint64_t post_mask;
	bool sent_trap;			/* we queued a SIGTRAP by tgkill */
	bool timed_out;
	bool cancelled;			/* ... because the caller said so */
	int deferred[MAX_DEFERRED];	/* signals that stopped us mid-call */
	unsigned int ndeferred;
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
		r->sent_trap = true;
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

		if (e == -ETIMEDOUT && !r->timed_out) {
			r->timed_out = true;
			r->cancelled = r->dl.cancel && *r->dl.cancel;
			e = send_trap(r);
			if (e)
				return e;
			scr__deadline_init(&r->dl, TRAP_GRACE_MS);
			continue;
		}
		if (e)
			return e;
		if (WIFEXITED(*status) || WIFSIGNALED(*status)) {
			r->th->dead = true;
			r->tg->exited = true;
			r->tg->exit_status = *status;
			return -ESRCH;
		}
		return 0;
	}
}

static void defer_signal(struct run *r, int sig)
{
	if (r->ndeferred < MAX_DEFERRED)
		r->deferred[r->ndeferred++] = sig;
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
 * A stop that is not the one we are waiting for.  Returns 1 when it was
 * dealt with and the thread resumed, 0 when it is a plain SIGTRAP
 * signal-delivery-stop for the caller to look at, or a negative errno.
 */
static int other_stop(struct run *r, int status, enum __ptrace_request req)
{
	int sig = WSTOPSIG(status), event = status >> 16;

	switch (event) {
	case 0:
		if (sig == SIGTRAP)
			return 0;
		/* A signal that cannot be blocked, or one the call itself
		 * unblocked: delivered after we are done. */
		defer_signal(r, sig);
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
	default:
		/* Group stop, interrupt, clone, seccomp: carry on. */
		break;
	}
	return resume(r, req) ?: 1;
}

static int run_step(struct run *r)
{
	int status, e;

	e = resume(r, PTRACE_SINGLESTEP);
	for (;;) {
		if (e < 0)
			return e;
		e = next_stop(r, &status);
		if (e)
			return e;
		e = other_stop(r, status, PTRACE_SINGLESTEP);
		if (e)
			continue;
		e = arch_get_regs(r->th->tid, &r->after);
		if (e)
			return e;
		if (arch_after_insn(&r->after, r->pc, r->insn_len))
			return 0;
		/* The call moved the thread: execve to a new program (an
		 * old-style exec SIGTRAP), or rt_sigreturn loading a
		 * frame, whose effect on the registers we undo. */
		if (arch_pc(&r->after) != r->pc)
			return r->nr == r->abi->nr_execve ||
			       r->nr == r->abi->nr_execveat ? -E_EXECED : 0;
		if (r->sent_trap)	/* broken before it started */
			return 0;
		defer_signal(r, SIGTRAP);	/* someone else's SIGTRAP */
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
		if (e == 0) {	/* a real SIGTRAP: ours if we sent one */
			defer_signal(r, SIGTRAP);
			e = resume(r, PTRACE_SYSCALL);
			if (e)
				return e;
		}
	}
}

/* After the call's exit stop, goes on to the signal-delivery-stop of the
 * SIGTRAP we queued, so that the thread ends inside get_signal(). */
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
		e = set_mask(r->th->tid, CALL_MASK);
		if (e)
			return e;
	}
	if (!r->sent_trap && (e = send_trap(r)))
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
		if (e == 0)
			return 0;
	}
}

static int run_syscall(struct run *r)
{
	int e = resume(r, PTRACE_SYSCALL);

	if (!e)
		e = syscall_stop(r);		/* entry */
	if (!e)
		e = resume(r, PTRACE_SYSCALL);
	if (!e)
		e = syscall_stop(r);		/* exit */
	if (!e && (r->method == M_SYSCALL_TRAP || r->sent_trap))
		e = trap_stop(r);
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
 * Our own SIGTRAP may still be pending when the deadline's trap crossed
 * the call's end.  Let the thread take it now, with its own registers
 * back in place, so the caller never sees it.
 */
static void drain_own_trap(struct run *r)
{
	int status;

	if (!r->sent_trap || scr__status_sig(r->th->tid, "SigPnd", SIGTRAP) != 1)
		return;
	if (resume(r, PTRACE_SINGLESTEP) == 0)
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

/*
 * Runs the call.  A signal that cannot be blocked (SIGSTOP) may interrupt
 * it: the kernel then reports a restart code where, for the target's own
 * call, it would have restarted it.  Do what the kernel would: issue the
 * call again, or continue it through restart_syscall, which resumes the
 * call's own restart_block (never the thread's: see the EBUSY rule).
 */
static int run(struct run *r, const struct arch_abi *abi,
	       const struct scr_req *c)
{
	int e = r->method == M_STEP ? run_step(r) : run_syscall(r);

	for (int again = 0; !e && !r->timed_out && again < 100; again++) {
		long v = arch_retval(&r->after);

		if (!restart_code(v) ||
		    !arch_after_insn(&r->after, r->pc, r->insn_len))
			break;
		r->after = r->th->regs;
		arch_prepare_call(&r->after, r->pc,
				  v == -ERESTART_RESTARTBLOCK ?
				  abi->nr_restart_syscall : c->nr,
				  c->args, c->nargs);
		e = arch_set_regs(r->th->tid, &r->after);
		if (!e)
			e = r->method == M_STEP ? run_step(r) : run_syscall(r);
	}
	return e;
}

/* Puts everything back: registers, extended state, mask, siginfo. */
static int restore(struct run *r, const struct arch_ext *ext)
{
	struct scr_thread *th = r->th;
	int e;

	arch_keep_call_effects(&th->regs, &r->after);
	e = arch_set_regs(th->tid, &th->regs);
	if (!e && ext)
		e = arch_set_ext(th->tid, ext);
	/* Before the mask (which may block SIGTRAP) and the siginfo (which
	 * the trap's stop would replace). */
	if (!e)
		drain_own_trap(r);
	if (!e && r->own_mask && r->have_post_mask)
		e = set_mask(th->tid, r->post_mask);
	else if (!e && !r->own_mask && !th->lazy_mask)
		e = scr__release_mask(th);
	/*
	 * The call ended in a signal-delivery-stop (ours): give it the
	 * siginfo of the stop the caller left the thread in.  Not when
	 * that was a syscall-exit-stop: a signal stop cannot pass for one
	 * (PTRACE_GETEVENTMSG would not say "exit"), and it now is what it
	 * looks like, a SIGTRAP to be suppressed.
	 */
	if (!e && th->stop.have_si && (r->method != M_SYSCALL || r->sent_trap) &&
	    th->stop.kind != SCR_STOP_SYSCALL_EXIT &&
	    (th->restore_si || th->stop.kind == SCR_STOP_SIGNAL) &&
	    ptrace(PTRACE_SETSIGINFO, th->tid, 0, &th->stop.si))
		e = -errno;
	for (unsigned int i = 0; !e && i < r->ndeferred; i++) {
		if (r->deferred[i] != SIGTRAP || !r->sent_trap)
			tkill(th->tid, r->deferred[i]);
	}
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

	/* Signals stay pending while the call runs; a session leaves them
	 * blocked from one call to the next and unblocks them on detach. */
	if (r.own_mask)
		e = scr__release_mask(th);
	else if (!th->call_mask_set && !(e = set_mask(th->tid, CALL_MASK)))
		th->call_mask_set = true;
	if (e)
		return e;
	r.after = th->regs;
	arch_prepare_call(&r.after, r.pc, c->nr, c->args, c->nargs);
	e = arch_set_regs(th->tid, &r.after);
	if (e) {
		restore(&r, NULL);
		return e;
	}

	scr__deadline_init(&r.dl, c->timeout_ms);
	r.dl.cancel = c->cancel;
	e = run(&r, abi, c);
	if (e == -E_EXECED) {
		/* execve succeeded: the old registers mean nothing now. */
		settle_after_exec(&r);
		set_result(ret, 0);
		return 0;
	}
	if (e) {
		if (!th->dead && e != -ETIMEDOUT)
			restore(&r, ext);
		return e;
	}

	long v = arch_retval(&r.after);
	bool broken = v == -EINTR || (v <= -ERESTARTSYS &&
				      v >= -ERESTART_RESTARTBLOCK);
	bool ran = arch_after_insn(&r.after, r.pc, r.insn_len);

	e = restore(&r, ext);
	if (e)
		return e;
	if (r.timed_out && (broken || !ran))
		return r.cancelled ? -EINTR : -ETIMEDOUT;
	if (r.own_mask)
		th->mask_valid = false;		/* the call defined it */
	set_result(ret, v);
	return 0;
}
