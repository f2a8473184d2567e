/* The records of redirect, for --undo (see keep.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "keep.h"
#include "procfd.h"
#include "util.h"

#define HEADER "# scremote redirect records: fd kept cloexec orig_dev " \
	       "orig_ino new_dev new_ino orig path\n"

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void say(const char *fmt, ...)
{
	va_list ap;

	fputs("scremote redirect: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static char *state_dir(void)
{
	const char *env = getenv("SCREMOTE_STATE_DIR");

	if (env && *env)
		return xstrndup(env, strlen(env));
	if (geteuid() == 0)
		return xstrndup("/run/scremote", 13);
	env = getenv("XDG_RUNTIME_DIR");
	if (env && *env)
		return xasprintf("%s/scremote", env);
	return NULL;
}

/* Ours, and nobody else's to write into: records steer later undos. */
static int dir_trusted(const char *dir, int fd)
{
	struct stat st;

	if (fstat(fd, &st) < 0 || !S_ISDIR(st.st_mode)) {
		say("%s is not a directory", dir);
		return 0;
	}
	if (st.st_uid != geteuid() || (st.st_mode & 022)) {
		say("%s belongs to another user or is writable by others; "
		    "refusing to keep records there (set SCREMOTE_STATE_DIR "
		    "to a private directory)", dir);
		return 0;
	}
	return 1;
}

/* Spaces, backslashes and anything unprintable as \xNN: one word. */
static void put_word(FILE *f, const char *s)
{
	if (!*s)
		fputs("\\x00", f);	/* an empty word stays a word */
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch > 0x20 && ch < 0x7f && ch != '\\')
			fputc(ch, f);
		else
			fprintf(f, "\\x%02x", ch);
	}
}

static char *get_word(const char *s)
{
	struct sb b = { 0 };

	while (*s) {
		unsigned int v;

		if (s[0] == '\\' && s[1] == 'x' && sscanf(s + 2, "%2x", &v) == 1) {
			if (v)
				sb_addc(&b, (char)v);
			s += 4;
		} else {
			sb_addc(&b, *s++);
		}
	}
	return sb_take(&b);
}

static char *file_name(const struct keep *k)
{
	return xasprintf("redirect.%d.%llu", (int)k->pid, k->start);
}

/* One record: numbers, then two words of up to 4 * PATH_MAX characters
 * each (every byte may be written \xNN). */
static void parse_record(struct keep *k, const char *line)
{
	size_t len = strlen(line) + 1;
	char *orig = xmalloc(len), *path = xmalloc(len);
	struct keep_ent e;

	memset(&e, 0, sizeof(e));
	if (sscanf(line, "%d %d %d %llu %llu %llu %llu %s %s", &e.fd, &e.kept,
		   &e.cloexec, &e.orig_dev, &e.orig_ino, &e.new_dev,
		   &e.new_ino, orig, path) == 9) {
		e.orig = get_word(orig);
		e.path = get_word(path);
		keep_put(k, &e);
		free(e.orig);
		free(e.path);
	}
	free(orig);
	free(path);
}

static void read_records(struct keep *k)
{
	char *name = file_name(k), *line = NULL;
	int fd = openat(k->dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	FILE *f = fd >= 0 ? fdopen(fd, "r") : NULL;
	size_t cap = 0;

	free(name);
	if (!f) {
		if (fd >= 0)
			close(fd);
		return;
	}
	while (getline(&line, &cap, f) > 0)
		if (line[0] != '#')
			parse_record(k, line);
	free(line);
	fclose(f);
}

/* Records of processes that are gone (or whose PID is now another
 * process's) can never be undone: drop them. */
static void drop_stale(struct keep *k)
{
	int fd = dup(k->dirfd);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *e;

	if (!d) {
		if (fd >= 0)
			close(fd);
		return;
	}
	while ((e = readdir(d))) {
		int pid;
		unsigned long long start, now;

		if (sscanf(e->d_name, "redirect.%d.%llu", &pid, &start) != 2)
			continue;
		if (proc_stat(pid, NULL, NULL, &now) < 0 || now != start)
			unlinkat(k->dirfd, e->d_name, 0);
	}
	closedir(d);
}

int keep_open(struct keep *k, pid_t pid, int create)
{
	memset(k, 0, sizeof(*k));
	k->pid = pid;
	k->dirfd = -1;
	if (proc_stat(pid, NULL, NULL, &k->start) < 0) {
		say("cannot read /proc/%d/stat: %s", (int)pid,
		    strerror(errno));
		return -1;
	}
	k->dir = state_dir();
	if (!k->dir) {
		say("no place for the records --undo needs: set "
		    "SCREMOTE_STATE_DIR (or XDG_RUNTIME_DIR) to a private "
		    "directory");
		return -1;
	}
	if (create && mkdir(k->dir, 0700) < 0 && errno != EEXIST) {
		say("cannot create %s: %s", k->dir, strerror(errno));
		return -1;
	}
	k->dirfd = open(k->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (k->dirfd < 0) {
		if (errno == ENOENT && !create)
			return 0;	/* nothing was ever recorded */
		say("cannot open %s: %s", k->dir, strerror(errno));
		return -1;
	}
	if (!dir_trusted(k->dir, k->dirfd) || flock(k->dirfd, LOCK_EX) < 0) {
		close(k->dirfd);
		k->dirfd = -1;
		return -1;
	}
	if (create)
		drop_stale(k);
	read_records(k);
	return 0;
}

struct keep_ent *keep_find(struct keep *k, int fd)
{
	for (size_t i = 0; i < k->n; i++)
		if (k->v[i].fd == fd)
			return &k->v[i];
	return NULL;
}

static void ent_free(struct keep_ent *e)
{
	free(e->orig);
	free(e->path);
}

void keep_put(struct keep *k, const struct keep_ent *e)
{
	/* Copies first: e may point into the record it replaces. */
	char *orig = xstrndup(e->orig ? e->orig : "",
			      e->orig ? strlen(e->orig) : 0);
	char *path = xstrndup(e->path ? e->path : "",
			      e->path ? strlen(e->path) : 0);
	struct keep_ent *d = keep_find(k, e->fd);

	if (d) {
		ent_free(d);
	} else {
		k->v = xrealloc(k->v, (k->n + 1) * sizeof(*k->v));
		d = &k->v[k->n++];
	}
	*d = *e;
	d->orig = orig;
	d->path = path;
}

void keep_remove(struct keep *k, int fd)
{
	struct keep_ent *d = keep_find(k, fd);

	if (!d)
		return;
	ent_free(d);
	*d = k->v[--k->n];
}

int keep_save(struct keep *k)
{
	char *name, *tmp;
	FILE *f;
	int fd, rc = -1;

	if (k->dirfd < 0)
		return k->n ? -1 : 0;
	name = file_name(k);
	if (!k->n) {
		unlinkat(k->dirfd, name, 0);
		free(name);
		return 0;
	}
	tmp = xasprintf("%s.tmp", name);
	fd = openat(k->dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC |
		    O_NOFOLLOW, 0600);
	f = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (f) {
		fputs(HEADER, f);
		for (size_t i = 0; i < k->n; i++) {
			const struct keep_ent *e = &k->v[i];

			fprintf(f, "%d %d %d %llu %llu %llu %llu ", e->fd,
				e->kept, e->cloexec, e->orig_dev, e->orig_ino,
				e->new_dev, e->new_ino);
			put_word(f, e->orig);
			fputc(' ', f);
			put_word(f, e->path);
			fputc('\n', f);
		}
		if (fflush(f) == 0 && fsync(fileno(f)) == 0 &&
		    renameat(k->dirfd, tmp, k->dirfd, name) == 0)
			rc = 0;
		fclose(f);
	} else if (fd >= 0) {
		close(fd);
	}
	if (rc < 0) {
		say("cannot write the records to %s/%s: %s; --undo will not "
		    "know about this redirect", k->dir, name,
		    strerror(errno));
		unlinkat(k->dirfd, tmp, 0);
	}
	free(tmp);
	free(name);
	return rc;
}

void keep_close(struct keep *k)
{
	for (size_t i = 0; i < k->n; i++)
		ent_free(&k->v[i]);
	free(k->v);
	free(k->dir);
	if (k->dirfd >= 0)
		close(k->dirfd);	/* releases the lock */
	memset(k, 0, sizeof(*k));
	k->dirfd = -1;
}
