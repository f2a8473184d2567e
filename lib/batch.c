/*
 * Batches: many calls in one thread, in order, with the results of
 * earlier calls usable as arguments of later ones.  The in-target agent
 * runs them where it can (agent.c); otherwise, and for the calls it must
 * not make, the ptrace path does, one stop per call, with the same
 * results.
 */
#include <errno.h>
#include <string.h>

#include "agent.h"
#include "internal.h"

#define BATCH_FLAGS (SCR_BATCH_STOP_ON_ERROR | SCR_BATCH_PTRACE | \
		     SCR_BATCH_AGENT)

static int resolve_args(const struct scr_call *calls, size_t i,
			unsigned long args[SCR_MAX_ARGS])
{
	const struct scr_call *c = &calls[i];

	for (unsigned int k = 0; k < c->nargs; k++) {
		args[k] = c->args[k];
		if (!(c->ref_mask & (1u << k)))
			continue;
		/* An index of an earlier call that was executed. */
		if (c->args[k] >= i)
			return -EINVAL;
		args[k] = (unsigned long)calls[c->args[k]].ret.sr_retval[0];
	}
	return 0;
}

static int check_batch(const struct scr_call *calls, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct scr_call *c = &calls[i];

		if (c->nargs > SCR_MAX_ARGS ||
		    (c->ref_mask & ~((1u << c->nargs) - 1)))
			return -EINVAL;
		for (unsigned int k = 0; k < c->nargs; k++)
			if ((c->ref_mask & (1u << k)) && c->args[k] >= i)
				return -EINVAL;
	}
	return 0;
}

/* The ptrace path: one injected call after the other. */
static int batch_ptrace(struct scr_proc *p, pid_t tid, struct scr_call *calls,
			size_t n, unsigned int flags)
{
	size_t done = 0;
	int e = 0;

	for (; done < n; done++) {
		struct scr_call *c = &calls[done];
		unsigned long args[SCR_MAX_ARGS] = { 0 };

		e = resolve_args(calls, done, args);
		if (!e)
			e = scr__proc_syscall(p, tid, c->nr, args, c->nargs,
					      &c->ret);
		if (e) {
			for (size_t j = done; j < n; j++)
				calls[j].status = e;
			break;
		}
		if ((flags & SCR_BATCH_STOP_ON_ERROR) && c->ret.sr_error) {
			done++;
			for (size_t j = done; j < n; j++)
				calls[j].status = -ECANCELED;
			break;
		}
	}
	return done == 0 && e ? e : (int)done;
}

SCR_EXPORT int scr_batch(struct scr_proc *p, pid_t tid, struct scr_call *calls,
			 size_t n, unsigned int flags)
{
	int e;

	if (!p || (n && !calls) || (flags & ~BATCH_FLAGS) ||
	    (flags & SCR_BATCH_PTRACE && flags & SCR_BATCH_AGENT) ||
	    n > (size_t)INT32_MAX)
		return -EINVAL;
	e = check_batch(calls, n);
	if (e)
		return e;
	for (size_t i = 0; i < n; i++) {
		memset(&calls[i].ret, 0, sizeof(calls[i].ret));
		calls[i].status = 0;
	}
	if (n == 0)
		return 0;
	if (!(flags & SCR_BATCH_PTRACE)) {
		e = scr__agent_batch(p, tid, calls, n, flags);
		if (e != -ENOTSUP)
			return e;
	} else {
		scr__agent_note_ptrace(p);
	}
	return batch_ptrace(p, tid, calls, n, flags);
}
