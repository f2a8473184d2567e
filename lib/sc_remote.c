/* The FreeBSD-compatible entry point: ptrace(PT_SC_REMOTE) as a call. */
#include <errno.h>
#include <string.h>
#include <time.h>

#include "internal.h"

/*
 * What was learnt of a traced thread at the last call, per tracer thread
 * (as ptrace itself is): where a system call instruction is, whether
 * SIGTRAP is ignored, its seccomp mode and filters, its rseq area.  It
 * holds while the thread has not run since, which the process's CPU
 * clock tells for the price of one clock_gettime(): it advances
 * whenever any thread of the process runs, ours included (so it is read
 * after our own call).  Only for a thread group leader, whose id is the
 * process's; other threads read /proc every time.  The stop, registers
 * and mask are read on every call, since the caller may change them
 * without the thread running.
 */
#define CACHE_SLOTS 8

struct remembered {
	pid_t tid;
	uint64_t cpu_ns;
	unsigned long insn_addr;
	int trap_ignored, seccomp;
	struct scr_filters *filters;
	int filters_err;
	bool rseq_valid;
	unsigned long rseq_cs_addr;
	uint64_t rseq_cs;
	bool sud_valid;
	struct scr_sud sud;
};

static __thread struct remembered cache[CACHE_SLOTS];
static __thread unsigned int cache_next;

/* The CPU time the process of leader tid has used, or 0. */
static uint64_t process_cpu_ns(pid_t tid)
{
	clockid_t clk = (clockid_t)((~(unsigned int)tid) << 3) | 2;
	struct timespec ts;

	if (clock_gettime(clk, &ts))
		return 0;	/* not a thread group leader */
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static void forget(struct remembered *m)
{
	scr__filters_free(m->filters);
	memset(m, 0, sizeof(*m));
}

/* Fills tg and th from what is remembered, if it still holds. */
static void recall(pid_t tid, struct scr_target *tg, struct scr_thread *th)
{
	for (unsigned int i = 0; i < CACHE_SLOTS; i++) {
		struct remembered *m = &cache[i];
		uint64_t now;

		if (m->tid != tid)
			continue;
		now = process_cpu_ns(tid);
		if (!now || now != m->cpu_ns) {
			forget(m);
			return;
		}
		tg->insn_addr = m->insn_addr;
		tg->trap_ignored = m->trap_ignored;
		th->seccomp = m->seccomp;
		th->filters = m->filters;
		th->filters_err = m->filters_err;
		m->filters = NULL;		/* th owns them for now */
		th->rseq_valid = m->rseq_valid;
		th->rseq_cs_addr = m->rseq_cs_addr;
		th->rseq_cs = m->rseq_cs;
		th->sud_valid = m->sud_valid;
		th->sud = m->sud;
		m->tid = 0;
		return;
	}
}

/* Keeps what call nr learnt; takes th's filters. */
static void remember(pid_t tid, long nr, const struct scr_target *tg,
		     struct scr_thread *th)
{
	const struct arch_abi *abi = arch_abi_of(&th->regs);
	struct remembered *m = NULL;
	uint64_t now = process_cpu_ns(tid);

	/* Calls that change what is remembered: learn it again. */
	if (!now || th->dead || !th->regs_valid ||
	    arch_changes_disposition(abi, nr) || nr == abi->nr_seccomp ||
	    nr == abi->nr_prctl) {
		scr__filters_free(th->filters);
		th->filters = NULL;
		return;
	}
	for (unsigned int i = 0; i < CACHE_SLOTS && !m; i++)
		if (cache[i].tid == tid || cache[i].tid == 0)
			m = &cache[i];
	if (!m) {
		m = &cache[cache_next];
		cache_next = (cache_next + 1) % CACHE_SLOTS;
	}
	forget(m);
	m->tid = tid;
	m->cpu_ns = now;
	m->insn_addr = tg->insn_addr;
	m->trap_ignored = tg->trap_ignored;
	m->seccomp = th->seccomp;
	m->filters = th->filters;
	m->filters_err = th->filters_err;
	m->rseq_valid = th->rseq_valid;
	m->rseq_cs_addr = th->rseq_cs_addr;
	m->rseq_cs = th->rseq_cs;
	m->sud_valid = th->sud_valid;
	m->sud = th->sud;
	th->filters = NULL;
}

/* The remembered instruction must still be there (the caller may have
 * written the target's memory). */
static void check_insn(pid_t tid, struct scr_target *tg,
		       const struct arch_abi *abi)
{
	unsigned char buf[16];

	if (tg->insn_addr &&
	    (scr__mem_read(tid, tg->insn_addr, buf, abi->insn_len) !=
		     (ssize_t)abi->insn_len ||
	     memcmp(buf, abi->insn, abi->insn_len) != 0))
		tg->insn_addr = 0;
}

static int fail(int err)
{
	errno = err;
	return -1;
}

SCR_EXPORT int scr_sc_remote_timed(pid_t tid, struct ptrace_sc_remote *pscr,
				   int timeout_ms)
{
	struct scr_thread th = { .tid = tid, .restore_si = true, .exact = true,
				 .seccomp = -1 };
	struct scr_target tg = { .pid = tid, .trap_ignored = -1 };
	struct scr_req c;
	int e;

	if (!pscr)
		return fail(EFAULT);
	if (pscr->pscr_nargs > SCR_MAX_ARGS)
		return fail(EINVAL);
	if (pscr->pscr_nargs && !pscr->pscr_args)
		return fail(EFAULT);
	if (tid <= 0)
		return fail(ESRCH);
	e = scr__classify_stop(tid, &th.stop);
	if (e)
		return fail(-e);
	if (th.stop.kind == SCR_STOP_UNSAFE)
		return fail(EBUSY);
	e = arch_get_regs(tid, &th.regs);
	if (e)
		return fail(ESRCH);
	th.regs_valid = true;
	recall(tid, &tg, &th);
	check_insn(tid, &tg, arch_abi_of(&th.regs));

	c.nr = pscr->pscr_syscall;
	c.args = pscr->pscr_args;
	c.nargs = pscr->pscr_nargs;
	c.timeout_ms = timeout_ms;
	c.cancel = NULL;
	e = scr__inject(&tg, &th, &c, &pscr->pscr_ret);
	remember(tid, c.nr, &tg, &th);
	return e ? fail(-e) : 0;
}

SCR_EXPORT int scr_sc_remote(pid_t tid, struct ptrace_sc_remote *pscr)
{
	return scr_sc_remote_timed(tid, pscr, 0);
}

SCR_EXPORT const char *scr_version(void)
{
	return SCREMOTE_VERSION;
}
