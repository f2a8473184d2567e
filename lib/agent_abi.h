/*
 * The memory the tool and the in-target agent share (the "ring"), as
 * offsets, so that C (agent.c) and each architecture's assembly
 * (arch/<arch>/agent.S) read the same layout.  Plain #defines only: this
 * file is included by assembly.
 *
 * The ring is one memfd both processes map MAP_SHARED read+write:
 *
 *   control block   one page, fields below
 *   slots           CAP calls of AGENT_SLOT_SIZE bytes
 *   results         CAP 8-byte return values
 *   stack           AGENT_STACK bytes, only for a signal handler
 *   death page      its last word is the death word
 *
 * Fields written by the tool and by the agent sit on different cache
 * lines, so that a spinning reader does not steal the writer's line.
 */
#ifndef SCR_AGENT_ABI_H
#define SCR_AGENT_ABI_H

/* Written by the tool. */
#define CTL_POST	0	/* u32: sequence number of the latest request */
#define CTL_N		4	/* u32: calls in the request */
#define CTL_FLAGS	8	/* u32: AGENT_STOP_ON_ERROR */
#define CTL_MAGIC	12	/* u32: AGENT_MAGIC, to know a leftover ring */
#define CTL_SPIN	16	/* u64: idle spins before the agent sleeps */
#define CTL_SLOTS	24	/* u64: the slots, at the agent's address */
#define CTL_RESULTS	32	/* u64: the results, at the agent's address */
#define CTL_DEATH	40	/* u64: the death word, at the agent's address */
#define CTL_FRAME	48	/* u64: stack pointer for rt_sigreturn */
#define CTL_RING	56	/* u64: where the ring is mapped in the agent */
#define CTL_RING_LEN	64	/* u64: its length */
#define CTL_RSEQ_ADDR	72	/* u64: the thread's rseq_cs word, 0: none */
#define CTL_RSEQ_VAL	80	/* u64: the value to put back there */

/* Written by the agent. */
#define CTL_ACK		128	/* u32: last request finished (a futex) */
#define CTL_NDONE	132	/* u32: calls of the request executed */

/* Written by the tool, read by the agent at the end of a request. */
#define CTL_TSLEEP	256	/* u32: the tool sleeps on CTL_ACK */

/* Placement only: the name of the code's memfd, for memfd_create. */
#define CTL_NAME	512

#define AGENT_CTL_SIZE	4096

/* One call: number, six arguments, which arguments are references. */
#define SLOT_NR		0
#define SLOT_ARGS	8	/* 6 x u64 */
#define SLOT_REF	56	/* u32: bit k: args[k] indexes results[] */
#define AGENT_SLOT_SIZE	64
#define AGENT_SLOT_SHIFT 6

#define AGENT_STOP_ON_ERROR	1

/* The death word is a robust futex of the tool's thread: the kernel sets
 * OWNER_DIED in it when that thread dies (or execs), and wakes the agent
 * if WAITERS is set. */
#define AGENT_FUTEX_WAITERS	0x80000000
#define AGENT_FUTEX_OWNER_DIED	0x40000000
#define AGENT_OWNER_DIED_BIT	30

#define AGENT_MAGIC	0x53435241	/* "ARCS" */
#define AGENT_STACK	65536

/* futex(2) operations, shared (not FUTEX_PRIVATE_FLAG): the two sides
 * are different processes. */
#define AGENT_FUTEX_WAIT	0
#define AGENT_FUTEX_WAKE	1

/* Idle loop: spins between two sched_yield calls. */
#define AGENT_SPINS_PER_YIELD	64

#endif
