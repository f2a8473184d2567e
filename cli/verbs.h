/*
 * The verbs of scremote(1): everyday jobs as one command each.
 *
 *   scremote fds PID                       what each descriptor is
 *   scremote redirect PID FD[,FD...] PATH  point descriptors at a file
 *   scremote redirect --undo PID FD[,FD...]
 *   scremote free-deleted PID [FD...]      give back deleted files' space
 *   scremote cd PID DIR                    change the working directory
 *   scremote sockopt PID FD NAME[=VALUE]...
 *   scremote core [-a] [-o PREFIX] [--snapshot] [-z] PID...
 *
 * Each verb is a cmd_<verb>(argc, argv) in its own file, cli/cmd_<verb>.c
 * (argv[0] is the verb's name), over the library and the helpers of
 * target.h; main() only looks the first word up in the table below.
 * A new verb is one line in the table and one declaration here.
 */
#ifndef CLI_VERBS_H
#define CLI_VERBS_H

#include <stdio.h>

struct verb {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;		/* one line, for scremote --help */
};

/* Every verb, in the order --help lists them; ends with a NULL name. */
extern const struct verb verbs[];

/* The verb called name, or NULL. */
const struct verb *verb_find(const char *name);

/*
 * main()'s dispatch: when argv names a verb (its first word), runs it
 * and stores its exit status in *rc, returning 1; also catches options
 * put before a verb.  Returns 0 when argv is the system call form.
 */
int verb_dispatch(int argc, char **argv, int *rc);

/* The verbs' lines of scremote --help. */
void verbs_usage(FILE *f);

int cmd_fds(int argc, char **argv);
int cmd_redirect(int argc, char **argv);
int cmd_free_deleted(int argc, char **argv);
int cmd_cd(int argc, char **argv);
int cmd_sockopt(int argc, char **argv);
int cmd_core(int argc, char **argv);

#endif
