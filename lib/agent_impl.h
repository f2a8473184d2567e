/*
 * The in-target agent's own interfaces, shared by agent.c (placing,
 * starting, parking, removing it), agent_call.c (calls and batches
 * through it) and agent_sweep.c (what a dead tool left behind).
 */
#ifndef SCR_AGENT_IMPL_H
#define SCR_AGENT_IMPL_H

#include <linux/futex.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "agent.h"
#include "internal.h"
#include "agent_abi.h"

/* The agent runs under the engine's call mask (internal.h). */
#define PAGE		4096UL
#define ROUND_UP(x, a)	(((x) + (a) - 1) & ~((a) - 1))

#define AGENT_MIN_BATCH	16	/* below, the ptrace path is faster */
#define CAP_MIN		256
#define CAP_MAX		4096
#define IDLE_ROUNDS	64	/* agent: ~64 x (64 pauses + sched_yield) */
#define TOOL_YIELD_NS	20000L	/* tool: spin this long, then yield */
#define TOOL_SPIN_NS	200000L	/* ... until this long, then sleep */
#define TOOL_NAP_NS	1000000L	/* tool: longest sleep between looks */
#define PARK_MS		2000
#define MAX_DEFERRED	64
#define RSEQ_CS_OFF	8	/* rseq_cs in struct rseq */

enum agent_state { AG_NONE, AG_PARKED, AG_RUNNING };

/* The robust list head of a thread (linux/futex.h's robust_list_head). */
struct robust_head {
	void *list;
	long futex_offset;
	void *list_op_pending;
};

struct scr_agent {
	/* What scr_agent_status() reports: the last batch's path. */
	int status;
	char why[256];
	bool failed;			/* placement failed: do not retry */

	enum agent_state state;
	pid_t tid;			/* the thread it runs in */
	const struct arch_abi *abi;
	const struct arch_agent *arch;
	int pidfd;

	/* In the target: the ring, then the code and its frame. */
	unsigned long ring, code, code_len;
	/* In the tool: the ring, and a private page after it for the
	 * robust list node. */
	unsigned char *local;
	size_t local_len;
	unsigned int cap;
	uint32_t seq;

	/* The death word, at this offset in the ring, and its robust list
	 * entry in the tool's private page after the ring. */
	size_t death_off;
	struct robust_head *head;
	void **node;			/* node[0] next, node[-1] prev */

	/* What the frame restores; a change means a new agent. */
	struct arch_regs frame_regs;
	uint64_t frame_mask;
	struct arch_ext ext;
	bool ext_dirty;			/* a call may have changed it */

	unsigned long rseq_cs;		/* 0: no rseq area */
	uint64_t rseq_val;

	siginfo_t deferred[MAX_DEFERRED];
	unsigned int ndeferred;
};

/* The shared memory, from the tool's side. */
static inline uint32_t *ctl32(struct scr_agent *ag, size_t off)
{
	return (uint32_t *)(void *)(ag->local + off);
}

static inline uint64_t *ctl64(struct scr_agent *ag, size_t off)
{
	return (uint64_t *)(void *)(ag->local + off);
}

static inline size_t slots_off(void)
{
	return AGENT_CTL_SIZE;
}

static inline size_t results_off(const struct scr_agent *ag)
{
	return AGENT_CTL_SIZE + (size_t)ag->cap * AGENT_SLOT_SIZE;
}

static inline size_t stack_off(const struct scr_agent *ag)
{
	return ROUND_UP(results_off(ag) + (size_t)ag->cap * 8, PAGE);
}

static inline size_t ring_size(const struct scr_agent *ag)
{
	return stack_off(ag) + AGENT_STACK + PAGE;	/* + death page */
}

static inline long futex(uint32_t *addr, int op, uint32_t val,
			 const struct timespec *ts)
{
	return syscall(SYS_futex, addr, op, val, ts, NULL, 0);
}

/* ---- agent.c ---- */

void scr__agent_set_status(struct scr_agent *ag, int status, const char *fmt,
			   ...) __attribute__((format(printf, 3, 4)));
/* The thread's saved registers and own mask, read if not yet known. */
int scr__agent_load_thread(struct scr_thread *th);
/* Is the death word still watched (the robust list unchanged)? */
int scr__agent_check_watch(struct scr_agent *ag);
/* Looks at the running agent's thread without waiting: 0 running. */
int scr__agent_poll(struct scr_proc *p, struct scr_agent *ag,
		    struct scr_thread *th);
/* Stops the running agent and gives the thread its own state back;
 * *after: the agent's registers at the stop. */
int scr__agent_park(struct scr_proc *p, struct scr_agent *ag,
		    struct scr_thread *th, struct arch_regs *after);
/* Makes sure an agent runs in th: placed, fresh, started. */
int scr__agent_ready(struct scr_proc *p, struct scr_agent *ag,
		     struct scr_thread *th, size_t n);

#endif
