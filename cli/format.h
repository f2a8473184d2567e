/*
 * Output of scremote(1): one strace-style line, or one JSON object, per
 * call.  Everything shown from the target is data of unknown origin: it
 * is escaped and bounded here.
 */
#ifndef CLI_FORMAT_H
#define CLI_FORMAT_H

#include <stdio.h>

#include "parse.h"
#include "scremote.h"

/* Text mode shows this much of a buffer, then "..."; JSON shows all. */
#define FMT_TEXT_MAX 4096

/* What happened to one call. */
struct outcome {
	unsigned long argv[CLI_MAX_ARGS];	/* the values passed */
	struct ptrace_sc_ret ret;
	unsigned char *out[CLI_MAX_ARGS];	/* buf(N) read back, or NULL */
	size_t outlen[CLI_MAX_ARGS];
	int outint[CLI_MAX_ARGS];		/* int(N) read back */
	unsigned char have_int[CLI_MAX_ARGS];
	int ended;		/* the call ended the process ... */
	int wstatus;		/* ... with this wait status (waitpid(2)) */
	char *new_exe;		/* execve succeeded: the new program, or NULL */
};

/* Per-name facts that change how a result is shown. */
enum {
	SYS_RET_LEN = 1,	/* returns the byte count put in its buffer */
	SYS_RET_CSTR = 2,	/* ...counting a NUL that is not shown */
	SYS_RET_ADDR = 4,	/* returns an address: shown in hex */
};
unsigned int sys_flags(const char *name);

/* strace-style quoted, escaped string of at most max bytes of data. */
void fmt_quoted(FILE *f, const unsigned char *data, size_t len, size_t max);

/* JSON string: valid UTF-8 passes, every other byte becomes \u00XX. */
void fmt_json_string(FILE *f, const unsigned char *data, size_t len);

/* The errno name (EBADF), or NULL when unknown. */
const char *errno_name(int err);

/*
 * Text: "name(args) = ret"; for a call that ended the process,
 * "name(args) = ?" and then "+++ exited with N +++" or
 * "+++ killed by SIGNAME +++", as strace shows it.
 */
void print_text(FILE *f, const struct call *c, const struct outcome *o);
/* JSON: one object; a call that ended the process has "retval":null and
 * "ended":{"exited":N} or {"signal":N,"signame":"SIGKILL","core":false};
 * a successful execve has "new_program":"/path". */
void print_json(FILE *f, unsigned int index, const struct call *c,
		const struct outcome *o);

/* JSON for a call that could not be executed (err: negative errno). */
void print_json_unrun(FILE *f, unsigned int index, const struct call *c,
		      int err);

#endif
