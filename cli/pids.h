/*
 * The processes a command acts on: a PID, a comma list "1,2,3",
 * --pgrep PATTERN (an extended regular expression matched against the
 * process name, as pgrep(1) does) or --pidof NAME (the program's name,
 * as pidof(8) does).  Kernel threads, zombies and scremote itself are
 * never chosen by a pattern.
 */
#ifndef CLI_PIDS_H
#define CLI_PIDS_H

#include <stddef.h>
#include <sys/types.h>

struct pidlist {
	pid_t *v;
	size_t n;
};

/* A whole positive decimal number that fits a pid_t: 0 or -1. */
int parse_pid(const char *s, pid_t *pid);

/*
 * Exactly one of list, pgrep, pidof is non-NULL.  Fills *out with the
 * processes without repeats: a list in its own order, matches in
 * ascending order.  Returns 0, or the exit status after saying why:
 * 2 bad input, 3 no process matches.
 */
int pids_resolve(const char *list, const char *pgrep, const char *pidof,
		 struct pidlist *out);

void pids_free(struct pidlist *l);

#endif
