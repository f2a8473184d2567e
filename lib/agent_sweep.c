/*
 * What a tool that died leaves behind of its agent: the code mapping
 * (the agent cannot unmap the code it runs), and the ring if the agent
 * could not unmap it.  The next attach finds them in /proc/PID/maps and
 * removes those that are ours and that no thread is executing in.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent_impl.h"

/* An agent's code mapping [code, end), and the ring before it
 * [ring, code) when that one is still there (ring 0: gone). */
struct leftover {
	unsigned long ring, code, end;
};

/* The agents' mappings in /proc/PID/maps (lines of any length): each
 * "memfd:scremote-agent", with the unnamed memfd just below it. */
static int find_leftovers(pid_t pid, struct leftover *out, int max)
{
	unsigned long prev_s = 0, prev_e = 0;
	char path[64], *line = NULL;
	bool prev_ring = false;
	size_t cap = 0;
	int n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return errno == ENOENT ? -ESRCH : -errno;
	while (getline(&line, &cap, f) > 0) {
		unsigned long s, e;

		if (sscanf(line, "%lx-%lx", &s, &e) != 2 || s >= e)
			continue;
		if (strstr(line, " /memfd:" AGENT_CODE_NAME " (deleted)") && n < max)
			out[n++] = (struct leftover){
				prev_ring && prev_e == s ? prev_s : 0, s, e };
		prev_ring = strstr(line, " /memfd: (deleted)") != NULL;
		prev_s = s;
		prev_e = e;
	}
	free(line);
	fclose(f);
	return n;
}

/* Is a thread of the session executing in [start, end)? */
static bool busy(struct scr_proc *p, unsigned long start, unsigned long end)
{
	pid_t tids[256];
	int n = scr_threads(p, tids, 256);

	if (n > 256)
		return true;		/* too many to look at: leave it */
	for (int i = 0; i < n; i++) {
		struct scr_thread *th = scr__proc_thread_of(p, tids[i]);
		unsigned long pc;

		if (!th || scr__agent_load_thread(th))
			return true;
		pc = arch_pc(&th->regs);
		if (pc >= start && pc < end)
			return true;
	}
	return false;
}

/* Ours?  The code begins with an agent; a ring with our magic word. */
static bool our_code(struct scr_proc *p, const struct arch_agent *a,
		     unsigned long addr)
{
	unsigned char buf[64];

	return scr_read(p, addr, buf, sizeof(buf)) == sizeof(buf) &&
	       memcmp(buf, a->code, sizeof(buf)) == 0;
}

static bool our_ring(struct scr_proc *p, unsigned long addr)
{
	uint32_t magic;

	return scr_read(p, addr + CTL_MAGIC, &magic, 4) == 4 &&
	       magic == AGENT_MAGIC;
}

int scr__agent_sweep(struct scr_proc *p)
{
	struct leftover l[32];
	struct scr_thread *th = scr__proc_thread_of(p, 0);
	const struct arch_agent *a;
	int n = find_leftovers(scr_pid(p), l, 32), e = 0;

	if (n <= 0 || !th || scr__agent_load_thread(th))
		return n < 0 ? n : 0;
	a = arch_agent_of(arch_abi_of(&th->regs));
	for (int i = 0; a && i < n; i++) {
		unsigned long start = l[i].ring && our_ring(p, l[i].ring) ?
				      l[i].ring : l[i].code;
		unsigned long args[2] = { start, l[i].end - start };
		struct ptrace_sc_ret ret;
		int r;

		/* An agent still in a call (its tool died meanwhile) puts
		 * its thread back by itself later: leave it alone. */
		if (busy(p, l[i].code, l[i].end) || !our_code(p, a, l[i].code))
			continue;
		r = scr__proc_syscall(p, 0, a->nr_munmap, args, 2, &ret);
		if (!e && (r || ret.sr_error))
			e = r ? r : -ret.sr_error;
	}
	return e;
}

