/*
 * scremote free-deleted PID [FD...]: give back the disk space of deleted
 * files the process still holds open, without ever leaving a descriptor
 * number free.
 *
 * Closing such a descriptor frees the space but also the number, which
 * the process's next open() or accept() takes: a daemon then writes its
 * log lines into a client's connection.  So each descriptor keeps its
 * number, and per descriptor one of:
 *
 *   truncate   the file is emptied, the descriptor still refers to it:
 *              (local) open("/proc/PID/fd/N", O_WRONLY), ftruncate(M, 0)
 *              by scremote itself, the process not even stopped; or
 *              ftruncate(N, 0) inside it when scremote may not open the
 *              file for writing but the descriptor is writable.  Frees
 *              the space at once, whoever else holds the file.
 *   /dev/null  openat(AT_FDCWD, "/dev/null", ...) = M, dup3(M, N, ...),
 *              close(M) inside the process: the file is let go; its space
 *              comes back when no one else holds it.  Used when the file
 *              cannot be truncated, or with --null.
 *
 * Refused: descriptors that are not deleted regular files (unless named
 * and --force: they are then replaced by /dev/null), memfds (the
 * process's own anonymous memory), and files mapped into the process
 * (truncating would kill it with SIGBUS; the mapping holds the space
 * anyway).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fdflags.h"
#include "procfd.h"
#include "target.h"
#include "verbs.h"

static const char usage[] =
"usage: scremote free-deleted [--null | --truncate] [--force] PID [FD...]\n"
"\n"
"Give back the disk space of deleted files the process still holds open\n"
"(all of them, or the descriptors named), without closing anything: each\n"
"descriptor keeps its number, so the process can never reuse it for\n"
"another file or connection.  Per descriptor, the file is truncated to\n"
"0 bytes (by scremote through /proc, without stopping the process, or\n"
"inside it), or else the descriptor is replaced by /dev/null.  Prints\n"
"what was done and how much space came back.\n"
"\n"
"  --null       replace by /dev/null instead of truncating\n"
"  --truncate   truncate only; fail rather than fall back to /dev/null\n"
"  --force      also act on named descriptors that are not deleted\n"
"               files (or are memfds): they are replaced by /dev/null\n"
"\n"
"Files mapped into the process's memory are always refused: truncating\n"
"would kill it (SIGBUS), and the mapping keeps the space in use.\n";

enum { OPT_NULL = 1, OPT_TRUNCATE, OPT_FORCE };

static const struct vopt fd_opts[] = {
	{ "--null", 0, OPT_NULL }, { "--truncate", 0, OPT_TRUNCATE },
	{ "--force", 0, OPT_FORCE }, { NULL, 0, 0 }
};

#define MAX_FDS 1024

struct free_job {
	int null, truncate, force;
	int fds[MAX_FDS];
	size_t nfds;		/* 0: every deleted file */
};

static int set_opt(void *data, int id, const char *value)
{
	struct free_job *j = data;

	(void)value;
	switch (id) {
	case OPT_NULL: j->null = 1; break;
	case OPT_TRUNCATE: j->truncate = 1; break;
	case OPT_FORCE: j->force = 1; break;
	}
	if (j->null && j->truncate) {
		verb_complain("free-deleted", "--null and --truncate exclude "
			      "each other");
		return -1;
	}
	return 0;
}

enum how { SKIP, TRUNC_LOCAL, TRUNC_REMOTE, DEVNULL };

struct item {
	struct fdent e;
	int open;
	enum how how;
	const char *why;	/* SKIP: the reason */
	int status;		/* SKIP: its exit status */
	unsigned long long before, after;	/* bytes on disk */
	int done, failed;
	char note[96];		/* DEVNULL: who else holds the file */
};

static unsigned long long disk_bytes(const struct stat *st)
{
	return (unsigned long long)st->st_blocks * 512;
}

/* Decides what to do with one descriptor, from /proc. */
static void choose(struct target *t, const struct free_job *j,
		   struct item *it, int named)
{
	const struct fdent *e = &it->e;

	it->status = VEXIT_FAILED;
	if (!it->open) {
		it->how = SKIP;
		it->why = "not open";
		return;
	}
	if (e->kind == FD_FILE &&
	    proc_maps_has(t->pid, e->st.st_dev, e->st.st_ino) == 1) {
		it->how = SKIP;
		it->why = "mapped into the process's memory: truncating would "
			  "kill it with SIGBUS, and the mapping keeps the "
			  "space in use until it is unmapped";
		return;
	}
	if (!e->deleted || e->memfd) {
		if (named && j->force) {
			it->how = DEVNULL;
			return;
		}
		it->how = SKIP;
		it->why = e->memfd ?
			"a memfd: the process's own anonymous memory, not a "
			"deleted file (--force replaces it by /dev/null)" :
			"not a deleted file (--force replaces it by "
			"/dev/null; to drop what it points at, keeping the "
			"number, also: scremote redirect PID FD /dev/null)";
		return;
	}
	it->before = disk_bytes(&e->st);
	it->how = j->null ? DEVNULL : TRUNC_LOCAL;
}

/* Truncates through /proc/PID/fd/N: scremote's own open of the very
 * same file, checked to be the one chosen.  0, or -errno. */
static int truncate_local(struct target *t, struct item *it)
{
	char path[64];
	struct stat st;
	int fd, r = 0;

	snprintf(path, sizeof(path), "/proc/%d/fd/%d", (int)t->pid, it->e.fd);
	if (t->o->dry_run) {
		long f = t_local(t, 0, "open(\"%s\", O_WRONLY|O_NONBLOCK|"
				 "O_CLOEXEC)", path);

		t_local(t, 0, "ftruncate(%s, 0)", t_val(t, f));
		return 0;
	}
	/* O_NONBLOCK: had the descriptor become a FIFO meanwhile, the
	 * open fails instead of waiting for a reader. */
	fd = open(path, O_WRONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	t_local(t, fd < 0 ? -errno : fd,
		"open(\"%s\", O_WRONLY|O_NONBLOCK|O_CLOEXEC)", path);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_nlink ||
	    st.st_dev != it->e.st.st_dev || st.st_ino != it->e.st.st_ino) {
		close(fd);
		return -ESTALE;	/* the process changed it: leave it */
	}
	/* Measured now: another descriptor of the same file may have
	 * emptied it already. */
	it->before = disk_bytes(&st);
	if (ftruncate(fd, 0) < 0)
		r = -errno;
	t_local(t, r, "ftruncate(%d, 0)", fd);
	if (r == 0 && fstat(fd, &st) == 0)
		it->after = disk_bytes(&st);
	close(fd);
	return r;
}

/* The descriptor must still be what was chosen: checked while the
 * process is stopped, just before acting on it. */
static int unchanged(struct target *t, const struct item *it)
{
	struct fdent now;
	int same;

	if (t->o->dry_run)
		return 1;
	if (procfd_get(t->pid, it->e.fd, &now) < 0)
		return 0;
	same = now.have_stat && now.st.st_dev == it->e.st.st_dev &&
	       now.st.st_ino == it->e.st.st_ino;
	fdent_clear(&now);
	return same;
}

static int truncate_remote(struct target *t, struct item *it)
{
	unsigned long a[2] = { (unsigned long)it->e.fd, 0 };
	char path[64];
	struct stat st;
	long r;

	snprintf(path, sizeof(path), "/proc/%d/fd/%d", (int)t->pid, it->e.fd);
	if (!t->o->dry_run && stat(path, &st) == 0)
		it->before = disk_bytes(&st);
	r = t_call(t, "ftruncate", a, 2, "%d, 0", it->e.fd);
	if (r < 0)
		return r == T_UNRUN ? -EINTR : (int)r;
	if (!t->o->dry_run && stat(path, &st) == 0)
		it->after = disk_bytes(&st);
	return 0;
}

static int devnull(struct target *t, struct item *it)
{
	int acc = it->e.have_info ? fdflags_accmode(it->e.flags) : O_RDWR;
	int cloexec = it->e.have_info && (it->e.flags & O_CLOEXEC);
	unsigned long a[4];
	struct sb m = { 0 };
	long nfd, r;

	if (acc < 0)
		acc = O_RDONLY;		/* an O_PATH descriptor */
	if (t_push(t, "/dev/null", 10, &a[1]) < 0)
		return -ENOMEM;
	a[0] = (unsigned long)AT_FDCWD;
	a[2] = (unsigned long)(acc | O_CLOEXEC);
	a[3] = 0;
	fdflags_text(&m, (unsigned int)(acc | O_CLOEXEC));
	nfd = t_call(t, "openat", a, 4, "AT_FDCWD, \"/dev/null\", %s", m.s);
	sb_free(&m);
	if (nfd < 0)
		return nfd == T_UNRUN ? -EINTR : (int)nfd;
	a[0] = (unsigned long)nfd;
	a[1] = (unsigned long)it->e.fd;
	a[2] = cloexec ? O_CLOEXEC : 0;
	r = t_call(t, "dup3", a, 3, "%s, %d, %s", t_val(t, nfd), it->e.fd,
		   cloexec ? "O_CLOEXEC" : "0");
	a[0] = (unsigned long)nfd;
	t_call(t, "close", a, 1, "%s", t_val(t, nfd));
	if (r < 0)
		return r == T_UNRUN ? -EINTR : (int)r;
	return 0;
}

static const char *how_name(enum how h)
{
	switch (h) {
	case TRUNC_LOCAL:
	case TRUNC_REMOTE: return "truncated";
	case DEVNULL: return "replaced by /dev/null";
	case SKIP: break;
	}
	return "refused";
}

/* After /dev/null took its place: is the file still held elsewhere? */
static void devnull_freed(struct target *t, struct item *it)
{
	if (!it->e.deleted) {
		it->after = it->before;
		return;
	}
	if (deleted_held_elsewhere(it->e.st.st_dev, it->e.st.st_ino, t->pid,
				   it->e.fd, it->note, sizeof(it->note))) {
		it->after = it->before;
		return;
	}
	it->note[0] = '\0';
	it->after = 0;
}

static void report(struct target *t, struct item *it, int *first)
{
	unsigned long long freed = it->before > it->after ?
				   it->before - it->after : 0;
	char a[32], b[32];
	struct sb line = { 0 };

	if (t->o->json) {
		fprintf(t->json, "%s{\"fd\":%d,\"path\":", *first ? "" : ",",
			it->e.fd);
		put_json_str(t->json, it->e.link ? it->e.link : "");
		fprintf(t->json, ",\"action\":\"%s\"",
			it->how == SKIP ? "refused" :
			it->how == DEVNULL ? "devnull" : "truncate");
		if (it->how == SKIP) {
			fputs(",\"reason\":", t->json);
			put_json_str(t->json, it->why);
		} else {
			fprintf(t->json, ",\"done\":%s,\"disk_before\":%llu,"
				"\"disk_after\":%llu,\"freed\":%llu",
				it->done ? "true" : "false", it->before,
				it->after, it->done ? freed : 0);
			if (it->note[0]) {
				fputs(",\"still_held_by\":", t->json);
				put_json_str(t->json, it->note);
			}
		}
		fputc('}', t->json);
		*first = 0;
		return;
	}
	if (t->o->dry_run || !it->done)
		return;
	sb_addf(&line, "fd %d ", it->e.fd);
	sb_add_safe(&line, it->e.link);
	sb_addf(&line, ": %s, %s freed", how_name(it->how),
		human_size(freed, a, sizeof(a)));
	if (it->note[0])
		sb_addf(&line, " (%s still holds the %s)", it->note,
			human_size(it->before, b, sizeof(b)));
	t_out(t, "%s", line.s);
	sb_free(&line);
}

static void refuse(struct target *t, struct item *it)
{
	struct sb s = { 0 };

	if (it->open && it->e.link) {
		sb_addc(&s, ' ');
		sb_add_safe(&s, it->e.link);
	}
	t_err(t, it->status, "fd %d%s: %s; left as it is", it->e.fd,
	      s.s ? s.s : "", it->why);
	sb_free(&s);
}

/* Phase 1: the truncations scremote can make itself, process running. */
static void local_phase(struct target *t, const struct free_job *j,
			struct item *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int r;

		if (v[i].how != TRUNC_LOCAL)
			continue;
		if (v[i].before == 0 && v[i].e.st.st_size == 0) {
			v[i].done = 1;	/* nothing to free */
			continue;
		}
		r = truncate_local(t, &v[i]);
		if (r == 0) {
			v[i].done = 1;
		} else if (r == -ESTALE) {
			v[i].how = SKIP;
			v[i].why = "it changed while scremote looked at it";
		} else if (fdflags_accmode(v[i].e.flags) == O_WRONLY ||
			   fdflags_accmode(v[i].e.flags) == O_RDWR) {
			v[i].how = TRUNC_REMOTE;	/* its own access */
		} else if (!j->truncate) {
			v[i].how = DEVNULL;
		} else {
			v[i].how = SKIP;
			v[i].why = "scremote cannot open it for writing and "
				   "the descriptor is read-only (without "
				   "--truncate, it is replaced by /dev/null)";
		}
	}
}

/* Phase 2: what must happen inside the process, in one attach. */
static int remote_phase(struct target *t, struct item *v, size_t n)
{
	int need = 0, rc;

	for (size_t i = 0; i < n; i++)
		need |= v[i].how == TRUNC_REMOTE || v[i].how == DEVNULL;
	if (!need)
		return 0;
	rc = t_attach(t);
	if (rc) {
		for (size_t i = 0; i < n; i++)
			if (v[i].how == TRUNC_REMOTE || v[i].how == DEVNULL)
				v[i].failed = 1;
		return rc;
	}
	for (size_t i = 0; i < n; i++) {
		int r;

		if (v[i].how != TRUNC_REMOTE && v[i].how != DEVNULL)
			continue;
		if (!unchanged(t, &v[i])) {
			v[i].how = SKIP;
			v[i].why = "it changed while scremote looked at it";
			continue;
		}
		r = v[i].how == DEVNULL ? devnull(t, &v[i]) :
					  truncate_remote(t, &v[i]);
		if (r == 0) {
			v[i].done = 1;
		} else {
			v[i].failed = 1;
			if (r != -EINTR)
				t_err(t, VEXIT_FAILED, "fd %d: %s failed: %s; "
				      "left as it is", v[i].e.fd,
				      v[i].how == DEVNULL ? "replacing by "
				      "/dev/null" : "ftruncate", strerror(-r));
		}
	}
	t_detach(t);
	for (size_t i = 0; i < n; i++)
		if (v[i].how == DEVNULL && v[i].done && !t->o->dry_run)
			devnull_freed(t, &v[i]);
	return 0;
}

/* The items: the descriptors named, or every deleted file. */
static struct item *gather(struct target *t, const struct free_job *j,
			   size_t *n)
{
	struct item *v;

	if (j->nfds) {
		v = xmalloc(j->nfds * sizeof(*v));
		for (size_t i = 0; i < j->nfds; i++) {
			memset(&v[i], 0, sizeof(v[i]));
			v[i].open = procfd_get(t->pid, j->fds[i], &v[i].e) == 0;
			v[i].e.fd = j->fds[i];
			choose(t, j, &v[i], 1);
		}
		*n = j->nfds;
		return v;
	}
	{
		struct fdent *all;
		size_t m, k = 0;
		int r = procfd_list(t->pid, &all, &m);

		if (r < 0) {
			t_err(t, VEXIT_NORUN, "cannot read /proc/%d/fd: %s",
			      (int)t->pid, strerror(-r));
			*n = 0;
			return NULL;
		}
		v = xmalloc((m ? m : 1) * sizeof(*v));
		for (size_t i = 0; i < m; i++) {
			if (!all[i].deleted || all[i].memfd) {
				fdent_clear(&all[i]);
				continue;
			}
			memset(&v[k], 0, sizeof(v[k]));
			v[k].e = all[i];
			v[k].open = 1;
			choose(t, j, &v[k], 0);
			k++;
		}
		free(all);
		*n = k;
	}
	return v;
}

static int free_act(struct target *t, void *data)
{
	const struct free_job *j = data;
	unsigned long long total = 0;
	size_t n;
	struct item *v = gather(t, j, &n);
	int rc, first = 1, bad = 0;
	char sz[32];

	if (!v)
		return t->status;
	local_phase(t, j, v, n);
	rc = remote_phase(t, v, n);
	if (t->o->json)
		fputs(",\"fds\":[", t->json);
	for (size_t i = 0; i < n; i++) {
		if (v[i].how == SKIP) {
			refuse(t, &v[i]);
			bad = 1;
		}
		if (v[i].failed)
			bad = 1;
		if (v[i].done && v[i].before > v[i].after)
			total += v[i].before - v[i].after;
		report(t, &v[i], &first);
	}
	if (t->o->json)
		fprintf(t->json, "],\"freed\":%llu", total);
	else if (!t->o->dry_run && !n)
		t_out(t, "no deleted files held open");
	else if (!t->o->dry_run)
		t_out(t, "%s freed in total", human_size(total, sz, sizeof(sz)));
	for (size_t i = 0; i < n; i++)
		fdent_clear(&v[i].e);
	free(v);
	if (rc)
		return rc;
	return bad ? VEXIT_FAILED : 0;
}

int cmd_free_deleted(int argc, char **argv)
{
	static struct free_job j;
	struct vparse vp = { "free-deleted", usage, fd_opts, set_opt, &j };
	struct vopts o;
	struct pidlist l;
	char **pos;
	int npos, rc;

	memset(&j, 0, sizeof(j));
	pos = verb_args(argc, argv, &vp, &o, &npos, &l, &rc);
	if (!pos)
		return rc;
	for (int i = 0; i < npos && !rc; i++) {
		size_t k;

		if (parse_fds("free-deleted", pos[i], j.fds + j.nfds,
			      MAX_FDS - j.nfds, &k) < 0)
			rc = VEXIT_USAGE;
		j.nfds += k;
	}
	if (!rc && j.force && !j.nfds) {
		verb_complain("free-deleted", "--force acts only on descriptors"
			      " named one by one: scremote free-deleted "
			      "--force PID FD...");
		rc = VEXIT_USAGE;
	}
	if (!rc)
		rc = verb_each(&o, &l, free_act, &j);
	pids_free(&l);
	free(pos);
	return rc;
}
