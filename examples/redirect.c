/*
 * An example of the library: from outside a running process, ask it its
 * pid, make it say hello on its own stdout, then point its stdout at a
 * file, all through libscremote, printing each remote call strace-style.
 *
 *   redirect PID FILE
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>

#include "scremote.h"

static struct scr_proc *proc;

static long call(const char *text, long nr, unsigned int nargs, ...)
{
	unsigned long args[6] = { 0 };
	struct ptrace_sc_ret ret;
	__builtin_va_list ap;
	int e;

	__builtin_va_start(ap, nargs);
	for (unsigned int i = 0; i < nargs; i++)
		args[i] = __builtin_va_arg(ap, unsigned long);
	__builtin_va_end(ap);
	e = scr_syscall(proc, 0, nr, args, nargs, &ret);
	if (e) {
		fprintf(stderr, "redirect: %s: %s\n", text, strerror(-e));
		scr_detach(proc);
		exit(3);
	}
	if (ret.sr_error)
		printf("  %s = -1 %s (%s)\n", text, strerrorname_np(ret.sr_error),
		       strerror(ret.sr_error));
	else
		printf("  %s = %ld\n", text, ret.sr_retval[0]);
	fflush(stdout);
	return ret.sr_error ? -1 : ret.sr_retval[0];
}

static unsigned long push(const char *s)
{
	unsigned long addr;
	int e = scr_push(proc, s, strlen(s) + 1, &addr);

	if (e) {
		fprintf(stderr, "redirect: scratch memory: %s\n", strerror(-e));
		scr_detach(proc);
		exit(3);
	}
	return addr;
}

int main(int argc, char **argv)
{
	char hello[128], text[256];
	long pid, fd;
	int e;

	if (argc != 3 || (pid = strtol(argv[1], NULL, 10)) <= 0) {
		fprintf(stderr, "usage: redirect PID FILE\n");
		return 2;
	}
	e = scr_attach((pid_t)pid, 0, &proc);
	if (e) {
		fprintf(stderr, "redirect: attach to %ld: %s\n", pid, strerror(-e));
		return 3;
	}
	printf("attached to %ld (libscremote %s)\n", pid, scr_version());
	call("getpid()", SYS_getpid, 0);
	snprintf(hello, sizeof(hello), "hello from inside PID %ld\n", pid);
	snprintf(text, sizeof(text), "write(1, \"hello from inside PID %ld\\n\", %zu)",
		 pid, strlen(hello));
	call(text, SYS_write, 3, 1UL, push(hello), strlen(hello));
	snprintf(text, sizeof(text),
		 "openat(AT_FDCWD, \"%s\", O_WRONLY|O_CREAT|O_TRUNC, 0644)",
		 argv[2]);
	fd = call(text, SYS_openat, 4, (unsigned long)AT_FDCWD,
		  push(argv[2]), (unsigned long)(O_WRONLY | O_CREAT | O_TRUNC),
		  0644UL);
	if (fd >= 0) {
		/* dup3, not dup2: every architecture has it. */
		snprintf(text, sizeof(text), "dup3(%ld, 1, 0)", fd);
		call(text, SYS_dup3, 3, (unsigned long)fd, 1UL, 0UL);
		snprintf(text, sizeof(text), "close(%ld)", fd);
		call(text, SYS_close, 1, (unsigned long)fd);
	}
	e = scr_detach(proc);
	printf("detached%s%s\n", e ? ": " : "", e ? strerror(-e) : "");
	return e ? 3 : 0;
}
