/*
 * Target processes for the tests.  A target is a forked child running a
 * function; it reports to the test through a pipe, one line at a time
 * ("READY", then "OK ..." or "BAD ..."), so that it is the target itself
 * that judges whether it noticed anything.
 */
#ifndef SCR_TEST_TARGETS_H
#define SCR_TEST_TARGETS_H

#include <stdbool.h>
#include <sys/types.h>

#include "scremote.h"

struct target {
	pid_t pid;
	int rep;	/* read end: the target's reports */
	int out;	/* read end of a pipe the target has at fd tgt_out */
	int tgt_out;	/* that pipe's write end, as numbered in the target */
	int in;		/* write end of a pipe the target reads at tgt_in */
	int tgt_in;
};

/* In the target: fn(t, arg) runs with t->rep being its report fd. */
typedef void (*target_fn)(struct target *t, void *arg);

void target_start(struct target *t, target_fn fn, void *arg);
/* Target bodies many tests share.  target_idle says READY and pauses
 * forever; target_reader says READY, reads 5 bytes from its input and
 * reports OK if they are "hello" (read returning anything else, EINTR
 * included, is BAD). */
void target_idle(struct target *t, void *arg);
void target_reader(struct target *t, void *arg);

/* In the target: one report line (printf-style). */
void say(struct target *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* In the tester: reads the next report line into buf, bounded. */
void expect_line(struct target *t, char *buf, size_t len, int timeout_ms);
void expect_ready(struct target *t);
/* Reads the final report and fails the test unless it starts "OK". */
void expect_ok(struct target *t, int timeout_ms);
/* Waits until the target blocks in system call nr (/proc/PID/syscall). */
void wait_in_syscall(pid_t tid, long nr, int timeout_ms);
/* Waits until the process has state c ('S', 'T', 't'...). */
void wait_state(pid_t pid, char c, int timeout_ms);
void target_kill(struct target *t);
/* Reads exactly n bytes the target wrote to its out pipe, bounded. */
void expect_out(struct target *t, const char *data, size_t n);

/* Runs the common battery of remote calls in thread tid of a session:
 * getpid, getppid, gettid, write to the out pipe, a string through the
 * scratch area (openat + close), mmap + memory + munmap. */
void exercise(struct scr_proc *p, struct target *t, pid_t tid);

/* A remote call through the session that must succeed; returns retval. */
long rcall(struct scr_proc *p, pid_t tid, long nr, int nargs, ...);

double now_s(void);
void msleep(int ms);

#endif
