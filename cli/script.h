/*
 * Calls from a file (-f FILE, -f - for standard input): one call per
 * line, blank lines and "#" comments skipped ("#" then a digit is a
 * call by number, #39).  Read twice: once to check every line before
 * attaching, once to run them, a line at a time, so a file of any
 * length runs in bounded memory.  Standard input is copied to an
 * unlinked temporary file to be read twice.
 */
#ifndef CLI_SCRIPT_H
#define CLI_SCRIPT_H

#include <stdio.h>

struct script {
	FILE *f;
	const char *name;	/* for messages */
	char *buf;
	size_t cap;
	unsigned long line;	/* of the last call returned */
};

/* 0, or -1 with errno. */
int script_open(struct script *s, const char *path);

/* The next call's text, or NULL at the end (or on a read error, with
 * errno set, else errno 0). */
const char *script_next(struct script *s);

int script_rewind(struct script *s);
void script_close(struct script *s);

#endif
