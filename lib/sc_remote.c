/* The FreeBSD-compatible entry point: ptrace(PT_SC_REMOTE) as a call. */
#include <errno.h>
#include <string.h>

#include "internal.h"

/*
 * Where each traced thread's process keeps a system call instruction.
 * Per tracer thread, as ptrace itself is; an entry is checked before use,
 * since the target may have run (and exec'd) between two calls.
 */
#define INSN_CACHE 8
static __thread struct {
	pid_t tid;
	unsigned long addr;
} insn_cache[INSN_CACHE];
static __thread unsigned int insn_next;

static unsigned long cached_insn(pid_t tid, const struct arch_abi *abi)
{
	unsigned char buf[16];

	for (unsigned int i = 0; i < INSN_CACHE; i++) {
		if (insn_cache[i].tid != tid || !insn_cache[i].addr)
			continue;
		if (scr__mem_read(tid, insn_cache[i].addr, buf,
				  abi->insn_len) == (ssize_t)abi->insn_len &&
		    memcmp(buf, abi->insn, abi->insn_len) == 0)
			return insn_cache[i].addr;
		insn_cache[i].addr = 0;
	}
	return 0;
}

static void remember_insn(pid_t tid, unsigned long addr)
{
	for (unsigned int i = 0; i < INSN_CACHE; i++) {
		if (insn_cache[i].tid == tid) {
			insn_cache[i].addr = addr;
			return;
		}
	}
	insn_cache[insn_next].tid = tid;
	insn_cache[insn_next].addr = addr;
	insn_next = (insn_next + 1) % INSN_CACHE;
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
	tg.insn_addr = cached_insn(tid, arch_abi_of(&th.regs));

	c.nr = pscr->pscr_syscall;
	c.args = pscr->pscr_args;
	c.nargs = pscr->pscr_nargs;
	c.timeout_ms = timeout_ms;
	c.cancel = NULL;
	e = scr__inject(&tg, &th, &c, &pscr->pscr_ret);
	scr__filters_free(th.filters);
	if (tg.insn_addr)
		remember_insn(tid, tg.insn_addr);
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
