/*
 * An example of the library: list the open descriptors of a running
 * process with their access mode and current offset, as the process
 * itself sees them.  The names come from /proc/PID/fd; the mode and the
 * offset from fcntl(fd, F_GETFL) and lseek(fd, 0, SEEK_CUR) run inside
 * the process, which moves nothing.
 *
 *   fdlist PID
 *
 *   FD  MODE  OFFSET  NAME
 *    0  rw         -  /dev/pts/3
 *    3  r       4096  /var/log/app.log
 *
 * "-" is a descriptor without an offset (pipe, socket, terminal: ESPIPE).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "scremote.h"

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

/* The descriptor numbers of process pid, sorted; their count or -errno. */
static int list_fds(long pid, int **out)
{
	char path[64];
	struct dirent *d;
	int *fds = NULL, n = 0, cap = 0;
	DIR *dir;

	snprintf(path, sizeof(path), "/proc/%ld/fd", pid);
	dir = opendir(path);
	if (!dir)
		return -errno;
	while ((d = readdir(dir))) {
		char *end;
		long fd = strtol(d->d_name, &end, 10);

		if (*end || d->d_name[0] == '\0' || fd < 0 || fd > INT_MAX)
			continue;
		if (n == cap) {
			int *more = realloc(fds, (size_t)(cap = cap ? cap * 2 : 64) *
					    sizeof(*fds));
			if (!more) {
				free(fds);
				closedir(dir);
				return -ENOMEM;
			}
			fds = more;
		}
		fds[n++] = (int)fd;
	}
	closedir(dir);
	qsort(fds, (size_t)n, sizeof(*fds), cmp_int);
	*out = fds;
	return n;
}

/* One remote call; 0 with its outcome in *ret, or -errno (not run). */
static int call(struct scr_proc *p, long nr, unsigned long a0,
		unsigned long a1, unsigned long a2, struct ptrace_sc_ret *ret)
{
	unsigned long args[3] = { a0, a1, a2 };

	return scr_syscall(p, 0, nr, args, 3, ret);
}

static const char *mode_of(long flags)
{
	switch (flags & O_ACCMODE) {
	case O_RDONLY:
		return "r";
	case O_WRONLY:
		return "w";
	case O_RDWR:
		return "rw";
	default:
		return "?";
	}
}

int main(int argc, char **argv)
{
	struct scr_proc *p;
	struct ptrace_sc_ret ret;
	int *fds = NULL, n, e;
	char *end;
	long pid;

	if (argc != 2 || (pid = strtol(argv[1], &end, 10)) <= 0 || *end ||
	    pid > INT_MAX) {
		fprintf(stderr, "usage: fdlist PID\n");
		return 2;
	}
	e = scr_attach((pid_t)pid, 0, &p);
	if (e) {
		fprintf(stderr, "fdlist: attach to %ld: %s\n", pid, strerror(-e));
		return 3;
	}
	/* Listed while the process is stopped, so the list holds. */
	n = list_fds(pid, &fds);
	if (n < 0) {
		fprintf(stderr, "fdlist: /proc/%ld/fd: %s\n", pid, strerror(-n));
		scr_detach(p);
		return 3;
	}
	printf("%3s  %-4s  %10s  %s\n", "FD", "MODE", "OFFSET", "NAME");
	for (int i = 0; i < n; i++) {
		char link[64], name[PATH_MAX], offset[32];
		const char *mode = "?";
		ssize_t len;

		snprintf(link, sizeof(link), "/proc/%ld/fd/%d", pid, fds[i]);
		len = readlink(link, name, sizeof(name) - 1);
		name[len < 0 ? 0 : len] = '\0';

		e = call(p, SYS_fcntl, (unsigned long)fds[i], F_GETFL, 0, &ret);
		if (e)
			break;
		if (!ret.sr_error)
			mode = mode_of(ret.sr_retval[0]);

		e = call(p, SYS_lseek, (unsigned long)fds[i], 0, SEEK_CUR,
			 &ret);
		if (e)
			break;
		if (ret.sr_error == ESPIPE)
			snprintf(offset, sizeof(offset), "-");
		else if (ret.sr_error)
			snprintf(offset, sizeof(offset), "%s",
				 strerrorname_np(ret.sr_error));
		else
			snprintf(offset, sizeof(offset), "%ld",
				 ret.sr_retval[0]);
		printf("%3d  %-4s  %10s  %s\n", fds[i], mode, offset, name);
	}
	free(fds);
	if (e) {
		fprintf(stderr, "fdlist: remote call: %s\n", strerror(-e));
		scr_detach(p);
		return 3;
	}
	e = scr_detach(p);
	if (e) {
		fprintf(stderr, "fdlist: detach: %s\n", strerror(-e));
		return 3;
	}
	return 0;
}
