/*
 * Socket options by their everyday names (keepalive, keepidle, nodelay,
 * rcvbuf...), read and set inside the target with getsockopt(2) and
 * setsockopt(2), many at a time in one batch.
 */
#ifndef CLI_SOCKOPTS_H
#define CLI_SOCKOPTS_H

#include <stddef.h>

#include "target.h"

struct sockopt_def {
	const char *name;		/* "keepidle" */
	int level, opt;			/* IPPROTO_TCP, TCP_KEEPIDLE */
	const char *level_name, *opt_name;
	int tcp_only;			/* meaningful on TCP sockets only */
	int stream_only;		/* ... on stream sockets only */
};

/* Every option, in the order fds --sockopts shows them; NULL-ended. */
extern const struct sockopt_def sockopt_defs[];

const struct sockopt_def *sockopt_find(const char *name);

/* One getsockopt or setsockopt. */
struct sockop {
	int fd;
	const struct sockopt_def *def;
	int set;		/* in: setsockopt with value */
	int value;		/* in: the value to set; out: the value read */
	int err;		/* out: 0, the call's errno, or < 0: not run */
};

/* Runs ops in order in the main thread, in batches, and shows each call
 * (-v, --dry-run).  Returns 0, or VEXIT_NORUN when calls could not run
 * (said why; their err is negative). */
int sockops_run(struct target *t, struct sockop *ops, size_t n);

#endif
