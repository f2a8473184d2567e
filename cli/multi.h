/*
 * Several processes for the system call form:
 *
 *   scremote 1234,1240 CALL...     scremote --pgrep PATTERN CALL...
 *   scremote --pidof NAME CALL...  (and --stop-on-error)
 *
 * Each process gets a run of the single-process code of its own, in a
 * child of scremote, one after the other: attached, acted on and
 * released before the next is touched.  The child's output comes back
 * line by line with "[pid N] " in front (text), or with "pid":N as the
 * first member of each object (--json); the exit status is the worst of
 * them.  A run that ends with exit status 2 (bad input) stops the rest:
 * the input is the same for every process.
 */
#ifndef CLI_MULTI_H
#define CLI_MULTI_H

/*
 * When argv names several processes, runs single(argc, argv) once per
 * process, with argv rewritten to name that one, stores the worst exit
 * status in *rc and returns 1.  Returns 0 for the one-process form,
 * which the caller then runs itself, unchanged.
 */
int multi_dispatch(int argc, char **argv,
		   int (*single)(int argc, char **argv), int *rc);

#endif
