/*
 * What attaching reads from /proc before it stops the target, so that
 * the target's pause holds as little work as possible: the memory map is
 * read once, for the vDSO (whose bytes are copied, to find a system call
 * instruction in without reading the map again) and for agents a dead
 * tool left behind; /proc/PID/status is opened, to be read after the
 * stop without a path lookup.  Only what a stop cannot change, or what
 * is checked again cheaply after it, comes from here.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent.h"
#include "prestop.h"

#define VDSO_MAX (64UL << 10)

int scr__prestop_read(pid_t pid, struct scr_prestop *ps)
{
	char path[64], *line = NULL;
	size_t cap = 0;
	FILE *f;

	memset(ps, 0, sizeof(*ps));
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	ps->status_fd = open(path, O_RDONLY | O_CLOEXEC);
	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return errno == ENOENT ? -ESRCH : -errno;
	while (getline(&line, &cap, f) > 0) {
		unsigned long s, e;
		char perms[8];

		if (strstr(line, " /memfd:" AGENT_CODE_NAME " (deleted)"))
			ps->leftovers = true;
		if (!strstr(line, " [vdso]") ||
		    sscanf(line, "%lx-%lx %7s", &s, &e, perms) != 3 ||
		    s >= e || e - s > VDSO_MAX || perms[2] != 'x')
			continue;
		ps->vdso = s;
		ps->vdso_len = e - s;
	}
	free(line);
	fclose(f);
	if (ps->vdso) {
		ps->vdso_copy = malloc(ps->vdso_len);
		if (!ps->vdso_copy ||
		    scr__mem_read(pid, ps->vdso, ps->vdso_copy, ps->vdso_len) !=
		    (ssize_t)ps->vdso_len) {
			free(ps->vdso_copy);
			ps->vdso_copy = NULL;
			ps->vdso = 0;
		}
	}
	return 0;
}

unsigned long scr__prestop_insn(pid_t pid, const struct scr_prestop *ps,
				const struct arch_abi *abi)
{
	unsigned char now[16];

	if (!ps->vdso_copy || abi->insn_len > sizeof(now))
		return 0;
	for (size_t i = 0; i + abi->insn_len <= ps->vdso_len;
	     i += abi->insn_align) {
		if (memcmp(ps->vdso_copy + i, abi->insn, abi->insn_len))
			continue;
		/* Still there now that the target is stopped?  (A program
		 * can move its vDSO; almost none does.) */
		if (scr__mem_read(pid, ps->vdso + i, now, abi->insn_len) ==
		    (ssize_t)abi->insn_len &&
		    memcmp(now, abi->insn, abi->insn_len) == 0)
			return ps->vdso + i;
		return 0;
	}
	return 0;
}

/* The number after "name:" at the start of a line of text, in base. */
static int field(const char *text, const char *name, int base,
		 unsigned long long *v)
{
	size_t len = strlen(name);

	for (const char *l = text; l; l = strchr(l, '\n')) {
		char *end;

		l += *l == '\n';
		if (strncmp(l, name, len) || l[len] != ':')
			continue;
		*v = strtoull(l + len + 1, &end, base);
		return end == l + len + 1 ? -EPROTO : 0;
	}
	return -ENOENT;
}

int scr__prestop_status(const struct scr_prestop *ps, struct scr_prestatus *st)
{
	size_t cap = 4096, len = 0;
	char *buf = malloc(cap);
	unsigned long long v;
	ssize_t n;
	int e = 0;

	if (ps->status_fd < 0 || !buf) {
		free(buf);
		return -ENOENT;
	}
	/* Any length (a process in many groups has a long one). */
	while ((n = pread(ps->status_fd, buf + len, cap - 1 - len,
			  (off_t)len)) > 0) {
		len += (size_t)n;
		if (len == cap - 1) {
			char *b = realloc(buf, cap * 2);

			if (!b) {
				e = -ENOMEM;
				break;
			}
			buf = b;
			cap *= 2;
		}
	}
	if (n < 0)
		e = errno == ESRCH ? -ESRCH : -errno;
	buf[len] = '\0';
	if (!e && (e = field(buf, "Threads", 10, &st->threads)) == 0 &&
	    (e = field(buf, "SigIgn", 16, &v)) == 0) {
		st->sigign = v;
		/* No "Seccomp:" line: a kernel without seccomp. */
		e = field(buf, "Seccomp", 10, &v);
		if (e == -ENOENT) {
			v = 0;
			e = 0;
		}
		if (!e && v > 2)
			e = -EPROTO;
		st->seccomp = (int)v;
	}
	free(buf);
	return e;
}

void scr__prestop_free(struct scr_prestop *ps)
{
	free(ps->vdso_copy);
	ps->vdso_copy = NULL;
	if (ps->status_fd >= 0)
		close(ps->status_fd);
	ps->status_fd = -1;
}
