/*
 * The in-target agent: a small loop that runs inside one thread of the
 * target and makes the calls a batch posts into shared memory (agent.c,
 * and per architecture lib/arch/<arch>/agent.S and agent_arch.c).
 */
#ifndef SCR_AGENT_H
#define SCR_AGENT_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "internal.h"

/* ---- what an architecture provides (lib/arch/<arch>/agent_arch.c) ---- */

/* Offsets into the agent's code: its length, then each of its system
 * call instructions (the calls it runs, then its own). */
struct arch_agent_layout {
	uint64_t len;
	uint64_t call;
	uint64_t yield, wait, wake, unmap, sigreturn;
};

struct arch_agent {
	const unsigned char *code;	/* starts with the entry point */
	const struct arch_agent_layout *layout;
	/* Numbers of the ABI the agent runs in. */
	long nr_memfd_create, nr_mmap, nr_munmap, nr_close, nr_close_range;
	long nr_futex, nr_sched_yield, nr_rt_sigreturn;
	size_t frame_max;		/* room its rt_sigreturn frame needs */
};

/* The agent for threads of this ABI; NULL: none (the ptrace path). */
const struct arch_agent *arch_agent_of(const struct arch_abi *abi);

/* Can the agent run in thread tid, whose extended state is ext?  0, or
 * a negative errno and a sentence in *why (a shadow stack its
 * rt_sigreturn would trip on, vector state its frame cannot hold...). */
int arch_agent_check(pid_t tid, const struct arch_ext *ext, const char **why);

/* Registers that enter the agent at pc with the control block ctl as
 * its argument and sp as its stack, from the thread's saved ones. */
void arch_agent_entry(struct arch_regs *r, unsigned long pc,
		      unsigned long ctl, unsigned long sp);

/*
 * Writes to buf (len bytes, to be found at address addr in the target)
 * the rt_sigreturn frame that puts the thread back exactly as saved:
 * general registers (with an interrupted call set to be issued again,
 * since rt_sigreturn forgets restart_block), extended state ext and
 * signal mask.  Returns its size and the stack pointer rt_sigreturn
 * expects in *sp, or a negative errno.
 */
ssize_t arch_agent_frame(const struct arch_regs *saved,
			 const struct arch_ext *ext, uint64_t mask,
			 unsigned long addr, void *buf, size_t len,
			 unsigned long *sp);

/* May call nr run inside the agent?  Not those that replace the image,
 * end or clone the thread, load registers or change the thread's own
 * mask or seccomp filters. */
bool arch_agent_may_run(const struct arch_abi *abi, long nr);

/* The memory range call nr may unmap or change the protection of; false
 * when it touches none.  *refs: bits of the arguments that make up the
 * range (so that a reference there can be resolved first). */
bool arch_agent_range(const struct arch_abi *abi, long nr,
		      const unsigned long *args, unsigned int nargs,
		      unsigned long *addr, unsigned long *len,
		      unsigned int *refs);

/* A pause in a spin loop. */
void arch_agent_relax(void);

/* ---- what sessions lend the agent (session.c) ---- */

struct scr_agent;

/* The session's agent slot. */
struct scr_agent **scr__proc_agent(struct scr_proc *p);
/* Its target, its bound on one call and its cancel flag. */
struct scr_target *scr__proc_target(struct scr_proc *p);
int scr__proc_timeout(const struct scr_proc *p);
volatile sig_atomic_t *scr__proc_cancel(struct scr_proc *p);
/* A live thread of the session (tid 0: the main one), or NULL. */
struct scr_thread *scr__proc_thread_of(struct scr_proc *p, pid_t tid);
/* scr_syscall() without the agent: the ptrace path, one stop. */
int scr__proc_syscall(struct scr_proc *p, pid_t tid, long nr,
		      const unsigned long *args, unsigned int nargs,
		      struct ptrace_sc_ret *ret);

/* ---- what the agent offers sessions and batches (agent.c) ---- */

/*
 * scr_syscall() through the agent when it runs in th: 0 or a negative
 * errno as scr_syscall(); 1 when it does not take the call (no agent
 * runs there, or the call must not run in it), which then goes the
 * ptrace path.
 */
int scr__agent_syscall(struct scr_proc *p, struct scr_thread *th, long nr,
		       const unsigned long *args, unsigned int nargs,
		       struct ptrace_sc_ret *ret);

/* Stops the agent if it runs in th (the thread is then in a ptrace-stop
 * with its own registers), for the ptrace path.  0 or negative errno. */
int scr__agent_yield(struct scr_proc *p, struct scr_thread *th);

/* Stops the agent and unmaps it; frees it.  For detach. */
int scr__agent_teardown(struct scr_proc *p);

/* Runs calls[0..n) of a batch in tid through the agent, placing it if
 * needed; as scr_batch().  -ENOTSUP before anything ran when the agent
 * cannot be used (the reason is kept for scr_agent_status()). */
int scr__agent_batch(struct scr_proc *p, pid_t tid, struct scr_call *calls,
		     size_t n, unsigned int flags);

/* A batch asked for the ptrace path: scr_agent_status() says so. */
void scr__agent_note_ptrace(struct scr_proc *p);

/* An exec replaced the image, and the agent's mappings with it. */
void scr__agent_forget(struct scr_proc *p);

/* The name of the agent's code memfd, "memfd:scremote-agent" in
 * /proc/PID/maps. */
#define AGENT_CODE_NAME "scremote-agent"

/*
 * After the stop, unmaps the agents a tool that died left behind (code
 * mappings named as above, each with its unnamed ring below if the agent
 * could not unmap it) that are ours and that no thread is executing in.
 */
int scr__agent_sweep(struct scr_proc *p);

/* The session's agent state, made on first use (NULL: no memory);
 * attach makes it before the stop, to keep its faults out of the pause. */
struct scr_agent *scr__agent_get(struct scr_proc *p);

void scr__agent_free(struct scr_agent *ag);

#endif
