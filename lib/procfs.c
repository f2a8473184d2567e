/*
 * Small readers of /proc.  Everything read here comes from a process we
 * do not trust, so every line is bounded and every number validated.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

/*
 * A /proc text of any length.  Most fit the buffer on the stack; a longer
 * one (the status of a thread in hundreds of supplementary groups, whose
 * Groups: line alone passes 4 KiB) moves to the heap.  Always
 * NUL-terminated; release with text_free().
 */
struct text {
	char small[4096];
	char *buf;
	size_t len;
};

static void text_free(struct text *t)
{
	if (t->buf != t->small)
		free(t->buf);
	t->buf = NULL;
}

#define TEXT_MAX (16UL << 20)	/* no /proc text we read is near this */

static int read_text(pid_t pid, const char *name, struct text *t)
{
	char path[64];
	size_t cap = sizeof(t->small);
	int fd;

	t->buf = t->small;
	t->len = 0;
	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? -ESRCH : -errno;
	for (;;) {
		ssize_t n;

		if (t->len + 1 == cap) {
			char *bigger = cap >= TEXT_MAX ? NULL :
				       malloc(cap * 4);

			if (!bigger) {
				close(fd);
				text_free(t);
				return -ENOMEM;
			}
			memcpy(bigger, t->buf, t->len);
			text_free(t);
			t->buf = bigger;
			cap *= 4;
		}
		n = read(fd, t->buf + t->len, cap - 1 - t->len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		t->len += (size_t)n;
	}
	close(fd);
	t->buf[t->len] = '\0';
	return 0;
}

/* Reads /proc/PID/NAME into buf (NUL-terminated), at most len-1 bytes:
 * for the short, fixed-format files (stat, fdinfo). */
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

/*
 * One line of a /proc text, NUL-terminated, without its newline.  A line
 * longer than the buffer (a long path) is cut and the rest skipped, so
 * that its tail is never taken for a line of its own.
 */
static bool next_line(FILE *f, char *line, size_t len)
{
	size_t l;

	if (!fgets(line, (int)len, f))
		return false;
	l = strlen(line);
	if (l && line[l - 1] == '\n') {
		line[l - 1] = '\0';
		return true;
	}
	for (int c = 0; c != '\n' && c != EOF;)
		c = fgetc(f);
	return true;
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
	while (next_line(f, line, sizeof(line))) {
		unsigned long s, e;
		size_t l = strlen(line);

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

/* The number after "field:" in a /proc status text, in base. */
static int status_field(const char *buf, const char *field, int base,
			unsigned long long *v)
{
	size_t flen = strlen(field);

	for (const char *line = buf; line && *line; line = strchr(line, '\n')) {
		if (*line == '\n')
			line++;
		if (strncmp(line, field, flen) != 0 || line[flen] != ':')
			continue;
		char *end;

		*v = strtoull(line + flen + 1, &end, base);
		return end == line + flen + 1 ? -EPROTO : 0;
	}
	return -ENOENT;
}

int scr__status_sig(pid_t tid, const char *field, int sig)
{
	unsigned long long mask;
	struct text t;
	int e = read_text(tid, "status", &t);

	if (e)
		return e;
	e = status_field(t.buf, field, 16, &mask);
	text_free(&t);
	if (e)
		return e == -ENOENT ? -EPROTO : e;
	return (mask >> (sig - 1)) & 1;
}

int scr__status_num(pid_t tid, const char *field, unsigned long long *v)
{
	struct text t;
	int e = read_text(tid, "status", &t);

	if (e)
		return e;
	e = status_field(t.buf, field, 10, v);
	text_free(&t);
	return e == -ENOENT ? -EPROTO : e;
}

int scr__thread_status(pid_t tid, uint64_t *sigign, int *seccomp)
{
	unsigned long long v;
	struct text t;
	int e = read_text(tid, "status", &t);

	if (e)
		return e;
	e = status_field(t.buf, "SigIgn", 16, &v);
	if (e) {
		text_free(&t);
		return -EPROTO;
	}
	*sigign = v;
	/* No "Seccomp:" line: a kernel without seccomp. */
	e = status_field(t.buf, "Seccomp", 10, &v);
	text_free(&t);
	if (e == -ENOENT)
		v = 0;
	else if (e || v > 2)
		return -EPROTO;
	*seccomp = (int)v;
	return 0;
}

int scr__start_time(pid_t pid, unsigned long long *ticks)
{
	char buf[1024], *p;
	ssize_t n = read_proc(pid, "stat", buf, sizeof(buf));

	if (n < 0)
		return (int)n;
	/* The name may hold anything, ')' included: skip to the last. */
	p = strrchr(buf, ')');
	if (!p)
		return -EPROTO;
	/* Field 22, starttime, is the 20th after the name. */
	for (int field = 0; field < 20; field++) {
		p = strchr(p + 1, ' ');
		if (!p)
			return -EPROTO;
	}
	char *end;

	*ticks = strtoull(p + 1, &end, 10);
	return end == p + 1 ? -EPROTO : 0;
}

pid_t scr__pidfd_pid(int pidfd)
{
	char name[32], buf[2048];
	ssize_t n;
	char *p;

	snprintf(name, sizeof(name), "fdinfo/%d", pidfd);
	n = read_proc(getpid(), name, buf, sizeof(buf));
	if (n < 0)
		return (pid_t)n;
	p = strstr(buf, "\nPid:");
	if (!p)
		return -EBADF;
	long pid = strtol(p + 5, NULL, 10);

	return pid > 0 && pid <= INT32_MAX ? (pid_t)pid : -ESRCH;
}

/* The n-th field after the command name of /proc/TID/stat (1: state). */
static const char *stat_field(const char *buf, int n)
{
	const char *p = strrchr(buf, ')');

	for (int i = 0; p && i < n; i++) {
		p = strchr(p + 1, ' ');
		if (p && p[1] == '\0')
			p = NULL;
	}
	return p ? p + 1 : NULL;
}

int scr__thread_flags(pid_t tid, unsigned long *flags)
{
	char buf[1024], *end;
	const char *f;
	ssize_t n = read_proc(tid, "stat", buf, sizeof(buf));

	if (n < 0)
		return (int)n;
	f = stat_field(buf, 7);		/* field 9: flags */
	if (!f)
		return -EPROTO;
	*flags = strtoul(f, &end, 10);
	return end == f ? -EPROTO : 0;
}

int scr__thread_state(pid_t tid)
{
	char buf[1024], *p;

	if (read_proc(tid, "stat", buf, sizeof(buf)) < 0)
		return 'X';
	p = strrchr(buf, ')');
	return p && p[1] == ' ' && p[2] ? p[2] : '?';
}

int scr__exec_ranges(pid_t pid, struct scr_insn_search *ctx,
		     int (*fn)(pid_t, struct scr_insn_search *, unsigned long,
			       unsigned long))
{
	char path[64], line[512];
	int ret = -ENOEXEC;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return errno == ENOENT ? -ESRCH : -errno;
	while (ret && next_line(f, line, sizeof(line))) {
		unsigned long s, e;
		char perms[8];

		if (sscanf(line, "%lx-%lx %7s", &s, &e, perms) != 3 || s >= e ||
		    perms[0] != 'r' || perms[2] != 'x')
			continue;
		/* Bounded: a mapping is searched up to 16 MiB. */
		if (e - s > (16UL << 20))
			e = s + (16UL << 20);
		ret = fn(pid, ctx, s, e);
	}
	fclose(f);
	return ret;
}
