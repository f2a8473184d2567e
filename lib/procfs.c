/*
 * Small readers of /proc.  Everything read here comes from a process we
 * do not trust, so every line is bounded and every number validated.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

/* Reads /proc/PID/NAME into buf (NUL-terminated), at most len-1 bytes. */
static ssize_t read_proc(pid_t pid, const char *name, char *buf, size_t len)
{
	char path[64];
	ssize_t n, got = 0;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? -ESRCH : -errno;
	while ((size_t)got < len - 1) {
		n = read(fd, buf + got, len - 1 - (size_t)got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += n;
	}
	close(fd);
	buf[got] = '\0';
	return got;
}

int scr__vdso_range(pid_t pid, unsigned long *start, unsigned long *end)
{
	char path[64], line[512];
	FILE *f;
	int ret = -ENOENT;

	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return errno == ENOENT ? -ESRCH : -errno;
	while (fgets(line, sizeof(line), f)) {
		unsigned long s, e;
		size_t l = strlen(line);

		if (l && line[l - 1] == '\n')
			line[--l] = '\0';
		if (l < 7 || strcmp(line + l - 6, "[vdso]") != 0)
			continue;
		if (sscanf(line, "%lx-%lx", &s, &e) == 2 && s < e) {
			*start = s;
			*end = e;
			ret = 0;
		}
		break;
	}
	fclose(f);
	return ret;
}

int scr__status_sig(pid_t tid, const char *field, int sig)
{
	char buf[4096];
	size_t flen = strlen(field);
	ssize_t n = read_proc(tid, "status", buf, sizeof(buf));

	if (n < 0)
		return (int)n;
	for (char *line = buf; line && *line; line = strchr(line, '\n')) {
		if (*line == '\n')
			line++;
		if (strncmp(line, field, flen) != 0 || line[flen] != ':')
			continue;
		char *end;
		unsigned long long mask = strtoull(line + flen + 1, &end, 16);

		if (end == line + flen + 1)
			return -EPROTO;
		return (mask >> (sig - 1)) & 1;
	}
	return -EPROTO;
}
