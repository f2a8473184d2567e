/*
 * What `scremote redirect` records so that a later `redirect --undo` can
 * put back exactly the original object of a descriptor.
 *
 * The original itself stays inside the target: redirect dup's it with
 * F_DUPFD_CLOEXEC to a high descriptor number before pointing the
 * descriptor elsewhere.  This file records where: one file per process,
 * DIR/redirect.PID.START (START: the process's start time, so that a
 * PID reused by another process never matches), one line per redirected
 * descriptor, with the identity (st_dev, st_ino) of the original and of
 * what was put in its place, checked again before anything is undone.
 *
 * DIR: $SCREMOTE_STATE_DIR, else /run/scremote for root, else
 * $XDG_RUNTIME_DIR/scremote.  It is created mode 0700 and must belong to
 * the user and be writable by no one else.  Every change happens under
 * an exclusive lock on the directory, and is written to a new file that
 * then replaces the old one.
 */
#ifndef CLI_KEEP_H
#define CLI_KEEP_H

#include <sys/types.h>

struct keep_ent {
	int fd;			/* the descriptor redirected */
	int kept;		/* where its original is kept; -1: it was
				   not open */
	int cloexec;		/* the descriptor had FD_CLOEXEC */
	unsigned long long orig_dev, orig_ino;	/* the original */
	unsigned long long new_dev, new_ino;	/* what was put there */
	char *orig;		/* what it pointed at: "pipe:[123]" */
	char *path;		/* the file it was redirected to */
};

struct keep {
	pid_t pid;
	unsigned long long start;
	struct keep_ent *v;
	size_t n;
	char *dir;
	int dirfd;		/* holds the lock */
};

/*
 * Locks the state directory and reads the records of pid.  create: make
 * the directory if missing (for a redirect; an undo only reads).
 * Returns 0, or -1 after saying why.
 */
int keep_open(struct keep *k, pid_t pid, int create);

struct keep_ent *keep_find(struct keep *k, int fd);

/* Adds a record (copied), replacing one for the same descriptor. */
void keep_put(struct keep *k, const struct keep_ent *e);

void keep_remove(struct keep *k, int fd);

/* Writes the records (an empty set removes the file).  0 or -1 after
 * saying why. */
int keep_save(struct keep *k);

/* Unlocks and frees. */
void keep_close(struct keep *k);

#endif
