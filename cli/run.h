/* Running parsed calls in an attached target. */
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
	/* Set by signal handlers; checked between calls. */
	volatile sig_atomic_t *stop;
};

/*
 * Run the calls in order and print each outcome.  Stops at the first
 * call that fails, could not run, ended the process, or when *stop is
 * set.  Returns the exit status: 0 all succeeded, 1 a call failed, 3 a
 * call could not run or ended the process, 128+signal when interrupted.
 * The caller detaches in every case.
 */
int run_calls(struct scr_proc *p, struct call *calls, unsigned int n,
	      const struct run_opts *o);

#endif
