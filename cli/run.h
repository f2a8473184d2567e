/*
 * Running parsed calls in an attached target, in chunks through
 * scr_batch(): each chunk's data is placed in the target's scratch area,
 * its calls run in one batch (stopping at the first failure), and their
 * outcomes are read back and printed.  A call whose argument needs the
 * value of an earlier call of the chunk (other than a plain $N, which
 * the batch resolves itself) starts a new chunk; so does a call that
 * replaces or ends the process.
 */
#ifndef CLI_RUN_H
#define CLI_RUN_H

#include <signal.h>
#include <stdio.h>

#include "parse.h"
#include "scremote.h"

struct run_opts {
	pid_t pid;		/* the target, for messages */
	pid_t tid;		/* 0: the main thread */
	int json;
	FILE *out;
	FILE *err;		/* messages ("scremote: ..."); NULL: stderr */
	const struct sys_abi *abi;
	/* Set by signal handlers; checked between chunks. */
	volatile sig_atomic_t *stop;
};

#define RUN_CHUNK 64			/* calls in one batch at most */
#define RUN_CHUNK_BYTES (256 * 1024)	/* data placed for one batch */

struct runner {
	struct scr_proc *p;
	const struct run_opts *o;
	long *results;			/* results[N-1]: call N's value */
	size_t nresults, cap;
	struct call *chunk[RUN_CHUNK];	/* owned, heap-allocated */
	size_t n, bytes;
	int rc;				/* the exit status once stopped */
};

void runner_init(struct runner *r, struct scr_proc *p,
		 const struct run_opts *o);

/*
 * Queue call c (heap-allocated; the runner frees it), running the chunk
 * before it when it has to.  Returns 0 to go on, or the exit status to
 * stop with: 1 a call failed, 3 a call could not run or ended the
 * process, 128+signal when interrupted.
 */
int runner_add(struct runner *r, struct call *c);

/* Runs what is queued; returns the exit status (0: all succeeded). */
int runner_finish(struct runner *r);

void runner_free(struct runner *r);

/* Run n calls (copied out of calls, which the caller frees). */
int run_calls(struct scr_proc *p, struct call *calls, unsigned int n,
	      const struct run_opts *o);

#endif
