/* PID lists, --pgrep and --pidof. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pids.h"
#include "procfd.h"
#include "util.h"

#define PF_KTHREAD 0x00200000	/* <linux/sched.h>: a kernel thread */

int parse_pid(const char *s, pid_t *pid)
{
	long v = 0;

	if (!*s)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || v > (INT_MAX - (*s - '0')) / 10)
			return -1;
		v = v * 10 + (*s - '0');
	}
	if (v < 1)
		return -1;
	*pid = (pid_t)v;
	return 0;
}

static void add(struct pidlist *l, pid_t pid)
{
	if ((l->n & (l->n - 1)) == 0)	/* 0, 1, 2, 4...: grow */
		l->v = xrealloc(l->v, (l->n ? l->n * 2 : 1) * sizeof(*l->v));
	l->v[l->n++] = pid;
}

static int cmp_pid(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;

	return (x > y) - (x < y);
}

static void sort_unique(struct pidlist *l)
{
	size_t k = 0;

	if (!l->n)
		return;
	qsort(l->v, l->n, sizeof(*l->v), cmp_pid);
	for (size_t i = 1; i < l->n; i++)
		if (l->v[i] != l->v[k])
			l->v[++k] = l->v[i];
	l->n = k + 1;
}

/* Keeps the order given, without repeats. */
static void add_once(struct pidlist *l, pid_t pid)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i] == pid)
			return;
	add(l, pid);
}

static int parse_list(const char *text, struct pidlist *out)
{
	char *copy = xstrndup(text, strlen(text)), *save = NULL, *w;
	int rc = 0;

	if (!*text || text[strlen(text) - 1] == ',' || *text == ',' ||
	    strstr(text, ",,")) {
		fprintf(stderr, "scremote: '%s' is not a process id or a "
			"comma-separated list of them (1234 or 1234,1240)\n",
			text);
		free(copy);
		return 2;
	}
	for (w = strtok_r(copy, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
		pid_t pid;

		if (parse_pid(w, &pid) < 0) {
			fprintf(stderr, "scremote: '%s' is not a process id (a "
				"positive number, as shown by ps or pgrep)\n",
				w);
			rc = 2;
			break;
		}
		if (pid == getpid()) {
			fprintf(stderr, "scremote: %d is scremote itself; a "
				"process cannot trace itself\n", (int)pid);
			rc = 2;
			break;
		}
		add_once(out, pid);
	}
	free(copy);
	return rc;
}

/* A process that could be acted on: not us, not a kernel thread, not a
 * zombie. */
static int candidate(pid_t pid)
{
	unsigned long flags;
	char state;

	if (pid == getpid() || proc_stat(pid, &state, &flags, NULL) < 0)
		return 0;
	return !(flags & PF_KTHREAD) && state != 'Z' && state != 'X';
}

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

/* pidof(8): the name of argv[0], of the executable, or the comm. */
static int named(pid_t pid, const char *name)
{
	char path[64], comm[64], buf[4096];
	int match = 0;
	char *exe;
	FILE *f;

	if (proc_comm(pid, comm, sizeof(comm)) == 0 && strcmp(comm, name) == 0)
		return 1;
	snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
	f = fopen(path, "re");
	if (f) {
		size_t n = fread(buf, 1, sizeof(buf) - 1, f);

		buf[n] = '\0';
		fclose(f);
		if (n && strcmp(base_name(buf), name) == 0)
			return 1;
	}
	exe = proc_link(pid, "exe");
	if (exe) {
		char *del = strstr(exe, " (deleted)");

		if (del && del[10] == '\0')
			*del = '\0';
		match = strcmp(base_name(exe), name) == 0;
		free(exe);
	}
	return match;
}

static int scan(const regex_t *re, const char *name, struct pidlist *out)
{
	DIR *d = opendir("/proc");
	struct dirent *e;

	if (!d) {
		fprintf(stderr, "scremote: cannot list processes: /proc: %s\n",
			strerror(errno));
		return 3;
	}
	while ((e = readdir(d))) {
		pid_t pid;
		char comm[64];

		if (parse_pid(e->d_name, &pid) < 0 || !candidate(pid))
			continue;
		if (re) {
			if (proc_comm(pid, comm, sizeof(comm)) == 0 &&
			    regexec(re, comm, 0, NULL, 0) == 0)
				add(out, pid);
		} else if (named(pid, name)) {
			add(out, pid);
		}
	}
	closedir(d);
	return 0;
}

static int by_pattern(const char *pattern, struct pidlist *out)
{
	regex_t re;
	int r = regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB);

	if (r) {
		char msg[128];

		regerror(r, &re, msg, sizeof(msg));
		fprintf(stderr, "scremote: --pgrep '%s': not a valid extended "
			"regular expression: %s\n", pattern, msg);
		return 2;
	}
	r = scan(&re, NULL, out);
	regfree(&re);
	if (!r && !out->n) {
		fprintf(stderr, "scremote: --pgrep '%s': no process name "
			"matches (see pgrep -l '%s')\n", pattern, pattern);
		r = 3;
	}
	return r;
}

static int by_name(const char *name, struct pidlist *out)
{
	int r;

	if (!*name || strchr(name, '/')) {
		fprintf(stderr, "scremote: --pidof '%s': give a program name, "
			"not a path (as pidof does: --pidof nginx)\n", name);
		return 2;
	}
	r = scan(NULL, name, out);
	if (!r && !out->n) {
		fprintf(stderr, "scremote: --pidof '%s': no process runs a "
			"program of that name (see pidof %s)\n", name, name);
		r = 3;
	}
	return r;
}

int pids_resolve(const char *list, const char *pgrep, const char *pidof,
		 struct pidlist *out)
{
	int r;

	memset(out, 0, sizeof(*out));
	if (list)
		r = parse_list(list, out);
	else if (pgrep)
		r = by_pattern(pgrep, out);
	else
		r = by_name(pidof, out);
	if (r)
		pids_free(out);
	else if (!list)
		sort_unique(out);
	return r;
}

void pids_free(struct pidlist *l)
{
	free(l->v);
	l->v = NULL;
	l->n = 0;
}
