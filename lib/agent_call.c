/*
 * Calls through the in-target agent: a single call (scr_syscall()) and
 * batches (scr_batch()), cut into requests the agent runs in one go, and
 * into the calls the agent must not make, which take the ptrace path in
 * its place (see agent.c for the agent itself).
 */
#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <linux/futex.h>
#include <string.h>
#include <time.h>

#include "agent_impl.h"

static long ns_since(const struct timespec *t0)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - t0->tv_sec) * 1000000000L +
	       (now.tv_nsec - t0->tv_nsec);
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

static bool restart_code(long v)
{
	return v <= -ERESTARTSYS && v >= -ERESTART_RESTARTBLOCK;
}

/* Posts the request in the slots: n calls. */
static void post(struct scr_agent *ag, unsigned int n, unsigned int flags)
{
	uint32_t *death = ctl32(ag, ag->death_off);
	uint32_t w;

	*ctl32(ag, CTL_N) = n;
	*ctl32(ag, CTL_FLAGS) = flags;
	*ctl32(ag, CTL_NDONE) = 0;
	__atomic_store_n(ctl32(ag, CTL_POST), ++ag->seq, __ATOMIC_SEQ_CST);
	/* A sleeping agent armed the word: disarm it (the change is what
	 * makes its wait fail if it has not slept yet) and wake it. */
	w = __atomic_load_n(death, __ATOMIC_SEQ_CST);
	while (w & AGENT_FUTEX_WAITERS) {
		if (__atomic_compare_exchange_n(death, &w,
						w & ~AGENT_FUTEX_WAITERS, false,
						__ATOMIC_SEQ_CST,
						__ATOMIC_SEQ_CST)) {
			futex(death, AGENT_FUTEX_WAKE, 1, NULL);
			break;
		}
	}
}

/*
 * Waits until the agent has done the request.  The bound is the
 * session's, per call: it starts again whenever a call completes.
 * -ETIMEDOUT or -EINTR (scr_interrupt()) leave the agent running in the
 * call; -ESRCH: the thread is gone.
 */
static int await(struct scr_proc *p, struct scr_agent *ag,
		 struct scr_thread *th)
{
	uint32_t *ack = ctl32(ag, CTL_ACK), *tsleep = ctl32(ag, CTL_TSLEEP);
	volatile sig_atomic_t *cancel = scr__proc_cancel(p);
	struct timespec t0, last;
	uint32_t done = 0;
	int timeout = scr__proc_timeout(p);

	clock_gettime(CLOCK_MONOTONIC, &t0);
	last = t0;
	for (unsigned int i = 0;; i++) {
		uint32_t a = __atomic_load_n(ack, __ATOMIC_ACQUIRE);

		if (a == ag->seq)
			return 0;
		if (i % 64 == 63) {
			int e = scr__agent_poll(p, ag, th);
			uint32_t d = __atomic_load_n(ctl32(ag, CTL_NDONE),
						     __ATOMIC_RELAXED);

			if (e)
				return e;
			if (*cancel)
				return -EINTR;
			if (d != done) {
				done = d;
				clock_gettime(CLOCK_MONOTONIC, &last);
			} else if (timeout > 0 &&
				   ns_since(&last) > timeout * 1000000L) {
				return -ETIMEDOUT;
			}
		}
		long spent = ns_since(&t0);

		if (spent < TOOL_SPIN_NS) {
			/* A result comes within microseconds when the agent
			 * has a CPU of its own; past that, give ours up in
			 * case the two share one. */
			if (spent < TOOL_YIELD_NS)
				arch_agent_relax();
			else
				sched_yield();
			continue;
		}
		/* Long: sleep until the agent says it is done, looking at
		 * the thread now and then. */
		struct timespec nap = { 0, TOOL_NAP_NS };

		__atomic_store_n(tsleep, 1, __ATOMIC_SEQ_CST);
		if (__atomic_load_n(ack, __ATOMIC_SEQ_CST) != ag->seq)
			futex(ack, FUTEX_WAIT, a, &nap);
		__atomic_store_n(tsleep, 0, __ATOMIC_RELAXED);
		i = 62;		/* look at the thread next round */
	}
}

/* ---- calls ---- */

static int check_seccomp(struct scr_agent *ag, struct scr_thread *th, long nr,
			 const unsigned long *args, unsigned int nargs)
{
	unsigned long a[6] = { 0 };

	if (th->seccomp != 2)
		return 0;
	if (!th->filters && !th->filters_err)
		th->filters_err = scr__filters_read(th->tid, &th->filters);
	/* Unread filters (waived by the caller) may answer with SIGSYS:
	 * such calls take the ptrace path, which ends a faulting call
	 * exactly (EREMOTEIO) where the agent could not. */
	if (th->filters_err)
		return -EACCES;
	for (unsigned int i = 0; i < nargs && i < 6; i++)
		a[i] = args[i];
	return scr__verdict_harms(scr__filters_verdict(th->filters,
						       ag->abi->audit_arch, nr,
						       ag->code +
						       ag->arch->layout->call +
						       ag->abi->insn_len,
						       a, nargs)) ? -EPERM : 0;
}

/* Does [addr, addr+len) meet the agent's mappings? */
static bool meets_agent(struct scr_agent *ag, unsigned long addr,
			unsigned long len)
{
	unsigned long lo = ag->ring, hi = ag->code + ag->code_len;

	if (len == ~0UL)
		return true;
	len = ROUND_UP(len, PAGE);
	return addr < hi && (addr + len > lo || addr + len < addr);
}

/*
 * May this call, with these arguments, run in the agent?  1 yes, 0 it
 * takes the ptrace path, which also gives the refusals (EBUSY, EPERM)
 * their usual form.  *need: argument bits that must be known values for
 * the answer (a reference there must be resolved first).
 */
static int may_run(struct scr_agent *ag, struct scr_thread *th, long nr,
		   const unsigned long *args, unsigned int nargs,
		   unsigned int *need)
{
	unsigned long addr, len;
	unsigned int refs = 0;

	*need = 0;
	if (nr < 0 || nr > INT_MAX || !arch_agent_may_run(ag->abi, nr))
		return 0;
	if (arch_agent_range(ag->abi, nr, args, nargs, &addr, &len, &refs)) {
		*need |= refs;
		if (meets_agent(ag, addr, len))
			return 0;
	}
	if (arch_restart_block_pending(&th->regs)) {
		unsigned long zero[6] = { 0 }, ones[6] = { 1, 1, 1, 1, 1, 1 };

		*need |= 0x3f;
		for (unsigned int i = 0; i < nargs && i < 6; i++)
			zero[i] = ones[i] = args[i];
		if (arch_writes_restart_block(ag->abi, nr, zero, nargs) ||
		    arch_writes_restart_block(ag->abi, nr, ones, nargs))
			return 0;
	}
	if (th->seccomp == 2) {
		*need |= 0x3f;
		if (check_seccomp(ag, th, nr, args, nargs))
			return 0;
	}
	return 1;
}

/* After a call ran in the agent: what the session must forget. */
static void note_call(struct scr_proc *p, struct scr_agent *ag, long nr)
{
	if (arch_changes_disposition(ag->abi, nr))
		scr__proc_target(p)->trap_ignored = -1;
	if (arch_changes_ext(ag->abi, nr))
		ag->ext_dirty = true;
}

/*
 * The agent was parked while on a request (a timeout, scr_interrupt()):
 * did the call it was in complete all the same?  Its result is then in
 * the return register, just after the agent's system call instruction.
 */
static bool finished_call(struct scr_agent *ag, const struct arch_regs *after,
			  long *v)
{
	if (!arch_after_insn(after, ag->code + ag->arch->layout->call,
			     ag->abi->insn_len))
		return false;
	*v = arch_retval(after);
	return *v != -EINTR && !restart_code(*v);
}

/* The outcome of a request the agent did not finish: how many of its
 * calls ran (results in the ring or in *after), and the error for the
 * rest. */
static int broken_off(struct scr_proc *p, struct scr_agent *ag,
		      struct scr_thread *th, int why, unsigned int n,
		      unsigned int *ran, long *last)
{
	struct arch_regs after;
	unsigned int d;
	int e;

	e = scr__agent_park(p, ag, th, &after);
	d = __atomic_load_n(ctl32(ag, CTL_NDONE), __ATOMIC_ACQUIRE);
	*ran = d < n ? d : n;
	if (e)
		return th->dead ? -ESRCH : e;
	if (*ran < n && finished_call(ag, &after, last))
		return 1;	/* one more ran: its result is *last */
	return why;
}

int scr__agent_syscall(struct scr_proc *p, struct scr_thread *th, long nr,
		       const unsigned long *args, unsigned int nargs,
		       struct ptrace_sc_ret *ret)
{
	struct scr_agent *ag = *scr__proc_agent(p);
	unsigned char *slot;
	unsigned int need, ran = 0;
	long v;
	int e;

	if (!ag || ag->state != AG_RUNNING || ag->tid != th->tid ||
	    !may_run(ag, th, nr, args, nargs, &need))
		return 1;
	e = scr__agent_check_watch(ag);
	if (e)
		return e;
	slot = ag->local + slots_off();
	memset(slot, 0, AGENT_SLOT_SIZE);
	memcpy(slot + SLOT_NR, &nr, sizeof(nr));
	if (nargs)
		memcpy(slot + SLOT_ARGS, args, nargs * sizeof(*args));
	post(ag, 1, 0);
	e = await(p, ag, th);
	if (e && e != -ESRCH) {
		e = broken_off(p, ag, th, e, 1, &ran, &v);
		if (e == 1) {
			set_result(ret, v);
			note_call(p, ag, nr);
			return 0;
		}
	} else if (e == 0) {
		ran = 1;
	}
	if (!ran)
		return e;
	set_result(ret, (long)*ctl64(ag, results_off(ag)));
	note_call(p, ag, nr);
	return 0;
}

/* ---- batches ---- */

/* Fills the slots with calls[base, base+count): a reference to a call
 * before base is resolved (its result is known), one inside stays a
 * reference, relative to base. */
static void fill_slots(struct scr_agent *ag, const struct scr_call *calls,
		       size_t base, unsigned int count)
{
	unsigned char *slot = ag->local + slots_off();

	for (unsigned int j = 0; j < count; j++, slot += AGENT_SLOT_SIZE) {
		const struct scr_call *c = &calls[base + j];
		uint64_t args[6] = { 0 };
		int64_t nr = c->nr;
		uint32_t ref = 0;

		for (unsigned int k = 0; k < c->nargs; k++) {
			args[k] = c->args[k];
			if (!(c->ref_mask & (1u << k)))
				continue;
			if (c->args[k] < base) {
				args[k] = (uint64_t)
					calls[c->args[k]].ret.sr_retval[0];
			} else {
				args[k] = c->args[k] - base;
				ref |= 1u << k;
			}
		}
		memcpy(slot + SLOT_NR, &nr, sizeof(nr));
		memcpy(slot + SLOT_ARGS, args, sizeof(args));
		memcpy(slot + SLOT_REF, &ref, sizeof(ref));
	}
}

/* The arguments of calls[i] as far as they are known before base: *open
 * gets the bits of references to calls not yet run. */
static void known_args(const struct scr_call *calls, size_t i, size_t base,
		       unsigned long args[6], unsigned int *open)
{
	const struct scr_call *c = &calls[i];

	*open = 0;
	memset(args, 0, 6 * sizeof(*args));
	for (unsigned int k = 0; k < c->nargs; k++) {
		args[k] = c->args[k];
		if (!(c->ref_mask & (1u << k)))
			continue;
		if (c->args[k] < base)
			args[k] = (unsigned long)
				calls[c->args[k]].ret.sr_retval[0];
		else
			*open |= 1u << k;
	}
}

/* How many calls from base on can go to the agent as one request. */
static unsigned int plan(struct scr_agent *ag, struct scr_thread *th,
			 const struct scr_call *calls, size_t base, size_t n)
{
	unsigned int count = 0;

	for (size_t i = base; i < n && count < ag->cap; i++, count++) {
		unsigned long args[6];
		unsigned int open, need;
		int ok;

		known_args(calls, i, base, args, &open);
		ok = may_run(ag, th, calls[i].nr, args, calls[i].nargs,
			     &need);
		/* The answer needs a result not known yet: a request of
		 * its own, once the earlier ones have run. */
		if ((need & open) || !ok)
			break;
	}
	return count;
}

/* Runs calls[base, base+count) as one request; *ran: how many ran (their
 * outcomes are in calls[]).  0, or why the rest did not run. */
static int run_request(struct scr_proc *p, struct scr_agent *ag,
		       struct scr_thread *th, struct scr_call *calls,
		       size_t base, unsigned int count, unsigned int flags,
		       unsigned int *ran)
{
	const int64_t *res = (const int64_t *)(const void *)
			     (ag->local + results_off(ag));
	long last = 0;
	int e, extra = 0;

	fill_slots(ag, calls, base, count);
	post(ag, count, flags & SCR_BATCH_STOP_ON_ERROR ?
			AGENT_STOP_ON_ERROR : 0);
	e = await(p, ag, th);
	if (e == 0 || e == -ESRCH) {
		unsigned int d = __atomic_load_n(ctl32(ag, CTL_NDONE),
						 __ATOMIC_ACQUIRE);

		*ran = d < count ? d : count;
	} else {
		e = broken_off(p, ag, th, e, count, ran, &last);
		if (e == 1) {
			extra = 1;
			e = 0;
		}
	}
	for (unsigned int j = 0; j < *ran; j++) {
		set_result(&calls[base + j].ret, (long)res[j]);
		note_call(p, ag, calls[base + j].nr);
	}
	if (extra) {
		set_result(&calls[base + *ran].ret, last);
		note_call(p, ag, calls[base + *ran].nr);
		(*ran)++;
	}
	if (e == 0 && *ran < count && !(flags & SCR_BATCH_STOP_ON_ERROR) &&
	    ag->state == AG_RUNNING)
		e = -EPROTO;	/* the agent stopped short: cannot happen */
	return e;
}

/* A call that takes the ptrace path; the agent steps aside, and goes
 * away first if the call would unmap or change its memory. */
static int run_ptrace(struct scr_proc *p, struct scr_agent *ag,
		      struct scr_thread *th, struct scr_call *calls, size_t i)
{
	struct scr_call *c = &calls[i];
	unsigned long args[6], addr, len;
	unsigned int open, refs;
	int e;

	known_args(calls, i, i, args, &open);
	if (ag->state != AG_NONE &&
	    arch_agent_range(ag->abi, c->nr, args, c->nargs, &addr, &len,
			     &refs) && meets_agent(ag, addr, len)) {
		e = scr__agent_teardown(p);
		if (e)
			return e;
	}
	return scr__proc_syscall(p, th->tid, c->nr, args, c->nargs, &c->ret);
}

/* Should this batch use the agent?  Sets the status when not. */
static bool wanted(struct scr_agent *ag, struct scr_thread *th, size_t n,
		   unsigned int flags)
{
	if (ag->state == AG_RUNNING && ag->tid == th->tid)
		return true;
	if (ag->failed)
		return false;	/* the status keeps the reason */
	if (ag->state == AG_PARKED && ag->tid == th->tid && n >= 2)
		return true;
	if (n >= AGENT_MIN_BATCH || (flags & SCR_BATCH_AGENT))
		return true;
	scr__agent_set_status(ag, -EAGAIN,
		   "a batch of %zu call%s: below %d calls the ptrace path is faster",
		   n, n == 1 ? "" : "s", AGENT_MIN_BATCH);
	return false;
}

int scr__agent_batch(struct scr_proc *p, pid_t tid, struct scr_call *calls,
		     size_t n, unsigned int flags)
{
	struct scr_agent *ag = scr__agent_get(p);
	struct scr_thread *th = scr__proc_thread_of(p, tid);
	size_t i = 0, done = 0;
	int e = 0;

	if (!ag || !th || !wanted(ag, th, n, flags))
		return -ENOTSUP;
	e = scr__agent_ready(p, ag, th, n);
	if (e) {
		if (ag->status >= 0 || ag->state != AG_NONE)
			scr__agent_set_status(ag, e, "the agent could not start: %s",
				   strerror(-e));
		ag->failed = ag->state == AG_NONE;
		return -ENOTSUP;
	}
	scr__agent_set_status(ag, 0, "the agent ran the batch in thread %d", (int)th->tid);
	while (i < n) {
		unsigned int count = 0, ran = 0;

		if (ag->state != AG_RUNNING && !th->dead &&
		    (e = scr__agent_ready(p, ag, th, n - i)) != 0) {
			/* It ran part of the batch; the rest goes the
			 * ptrace path, as the whole would have. */
			scr__agent_set_status(ag, e, "the agent stopped partway: %s",
				   strerror(-e));
			ag->failed = ag->state == AG_NONE;
			e = 0;
		}
		if (ag->state == AG_RUNNING)
			count = plan(ag, th, calls, i, n);
		if (count) {
			e = run_request(p, ag, th, calls, i, count, flags,
					&ran);
			i += ran;
			done += ran;
		} else {
			e = run_ptrace(p, ag, th, calls, i);
			if (!e) {
				i++;
				done++;
				ran = 1;
			}
		}
		if (e)
			break;
		if ((flags & SCR_BATCH_STOP_ON_ERROR) && ran &&
		    calls[i - 1].ret.sr_error) {
			for (size_t j = i; j < n; j++)
				calls[j].status = -ECANCELED;
			return (int)done;
		}
	}
	for (size_t j = i; e && j < n; j++)
		calls[j].status = e;
	return done == 0 && e ? e : (int)done;
}

