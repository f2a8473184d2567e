/*
 * Output of scremote(1): one strace-style line, or one JSON object, per
 * call, every argument shown for what it is (flags by name, structs
 * field by field through the decoders).  Also the JSON objects of the
 * other outcomes (parse errors, attach failures), so that a script
 * reading --json never needs stderr.
 */
#ifndef CLI_FORMAT_H
#define CLI_FORMAT_H

#include <stdio.h>

#include "decode/decode.h"
#include "parse.h"
#include "scremote.h"

/* What happened to one call. */
struct outcome {
	unsigned long argv[CLI_MAX_ARGS];	/* the values passed */
	struct ptrace_sc_ret ret;
	unsigned char *out[CLI_MAX_ARGS];	/* read back after the call */
	size_t outlen[CLI_MAX_ARGS];
	int ended;		/* the call ended the process ... */
	int wstatus;		/* ... with this wait status (waitpid(2)) */
	char *new_exe;		/* execve succeeded: the new program, or NULL */
};

/* The errno name (EBADF), or NULL when unknown. */
const char *errno_name(int err);

/* "SIGKILL" for 9; NULL when the number has no name. */
const char *signal_name(int sig);

/*
 * Text: "name(args) = ret"; for a call that ended the process,
 * "name(args) = ?" and then "+++ exited with N +++" or
 * "+++ killed by SIGNAME +++", as strace shows it.
 */
void print_text(FILE *f, const struct call *c, const struct outcome *o,
		const struct dctx *x);

/* JSON: one object; a call that ended the process has "retval":null and
 * "ended":{"exited":N} or {"signal":N,"signame":"SIGKILL","core":false};
 * a successful execve has "new_program":"/path". */
void print_json(FILE *f, const struct call *c, const struct outcome *o,
		const struct dctx *x);

/* JSON for a call that could not be executed (err: negative errno),
 * with the message said on stderr. */
void print_json_unrun(FILE *f, const struct call *c, int err,
		      const char *message, const struct dctx *x);

/* {"error":KIND,"message":...} plus the pairs in extra (already JSON,
 * starting with a comma, or NULL). */
void print_json_error(FILE *f, const char *kind, const char *message,
		      const char *extra);

#endif
