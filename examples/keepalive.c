/*
 * An example of the library: turn on TCP keepalive on a socket of a
 * running process (a daemon whose idle connections a firewall drops),
 * optionally with its timing, then read the settings back from inside.
 *
 *   keepalive PID FD [IDLE [INTVL [CNT]]]
 *
 * IDLE: seconds of silence before the first probe (TCP_KEEPIDLE), INTVL:
 * seconds between probes (TCP_KEEPINTVL), CNT: probes before the
 * connection is dropped (TCP_KEEPCNT).  Prints
 *
 *   fd 5: SO_KEEPALIVE=1 TCP_KEEPIDLE=60 TCP_KEEPINTVL=10 TCP_KEEPCNT=5
 *
 * The option values are passed by pointer: they are copied into scratch
 * memory in the target (scr_push), and the values read back are copied
 * out of it (scr_scratch_alloc, scr_read).
 */
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>

#include "scremote.h"

struct option {
	const char *name;
	int level, opt;
};

static const struct option options[] = {
	{ "SO_KEEPALIVE", SOL_SOCKET, SO_KEEPALIVE },
	{ "TCP_KEEPIDLE", IPPROTO_TCP, TCP_KEEPIDLE },
	{ "TCP_KEEPINTVL", IPPROTO_TCP, TCP_KEEPINTVL },
	{ "TCP_KEEPCNT", IPPROTO_TCP, TCP_KEEPCNT },
};
#define NOPTIONS (sizeof(options) / sizeof(options[0]))

static struct scr_proc *proc;

static void die(int status, const char *what, int err)
{
	fprintf(stderr, "keepalive: %s: %s\n", what, strerror(err));
	if (proc)
		scr_detach(proc);
	exit(status);
}

/* Runs a call that must succeed in the target; exit 1 when it fails. */
static void call(const char *what, long nr, unsigned long *args,
		 unsigned int nargs)
{
	struct ptrace_sc_ret ret;
	int e = scr_syscall(proc, 0, nr, args, nargs, &ret);

	if (e)
		die(3, what, -e);
	if (ret.sr_error)
		die(1, what, ret.sr_error);
}

static void set_option(int fd, const struct option *o, int value)
{
	unsigned long v, args[5];
	char what[64];
	int e = scr_push(proc, &value, sizeof(value), &v);

	if (e)
		die(3, "scratch memory", -e);
	args[0] = (unsigned long)fd;
	args[1] = (unsigned long)o->level;
	args[2] = (unsigned long)o->opt;
	args[3] = v;
	args[4] = sizeof(value);
	snprintf(what, sizeof(what), "setsockopt %s", o->name);
	call(what, SYS_setsockopt, args, 5);
}

static int get_option(int fd, const struct option *o)
{
	unsigned long v, len, args[5];
	int value = 0;
	socklen_t size = sizeof(value);
	char what[64];
	int e = scr_scratch_alloc(proc, sizeof(value), &v);

	if (!e)
		e = scr_push(proc, &size, sizeof(size), &len);
	if (e)
		die(3, "scratch memory", -e);
	args[0] = (unsigned long)fd;
	args[1] = (unsigned long)o->level;
	args[2] = (unsigned long)o->opt;
	args[3] = v;
	args[4] = len;
	snprintf(what, sizeof(what), "getsockopt %s", o->name);
	call(what, SYS_getsockopt, args, 5);
	if (scr_read(proc, v, &value, sizeof(value)) != sizeof(value))
		die(3, "reading the value back", EFAULT);
	return value;
}

static long number(const char *s, long min, long max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max) {
		fprintf(stderr, "keepalive: '%s' is not a number in %ld..%ld\n",
			s, min, max);
		exit(2);
	}
	return v;
}

int main(int argc, char **argv)
{
	long pid, fd;
	int e;

	if (argc < 3 || argc > 6) {
		fprintf(stderr, "usage: keepalive PID FD [IDLE [INTVL [CNT]]]\n");
		return 2;
	}
	pid = number(argv[1], 1, INT_MAX);
	fd = number(argv[2], 0, INT_MAX);
	/* Check every argument before touching the process. */
	for (int i = 3; i < argc; i++)
		number(argv[i], 1, 32767);

	e = scr_attach((pid_t)pid, 0, &proc);
	if (e) {
		char what[64];

		snprintf(what, sizeof(what), "attach to %ld", pid);
		die(3, what, -e);
	}
	set_option((int)fd, &options[0], 1);
	for (int i = 3; i < argc; i++)
		set_option((int)fd, &options[i - 2], (int)number(argv[i], 1, 32767));
	scr_scratch_reset(proc);	/* the values above are no longer needed */

	printf("fd %ld:", fd);
	for (size_t i = 0; i < NOPTIONS; i++)
		printf(" %s=%d", options[i].name, get_option((int)fd, &options[i]));
	printf("\n");
	e = scr_detach(proc);
	if (e) {
		fprintf(stderr, "keepalive: detach: %s\n", strerror(-e));
		return 3;
	}
	return 0;
}
