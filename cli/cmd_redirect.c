/*
 * scremote redirect PID FD[,FD...] PATH, and redirect --undo PID FD...
 *
 * Inside the process, in one attach:
 *
 *   openat(AT_FDCWD, PATH, O_WRONLY|O_CREAT|O_APPEND|O_CLOEXEC, 0666) = N
 *   fcntl(FD, F_DUPFD_CLOEXEC, BASE) = K      the original, kept
 *   dup3(N, FD, 0) = FD                       FD now means PATH
 *   close(N)
 *
 * dup3 replaces FD in one step: the number is never free for the
 * process's next open() or accept() to take (closing it first would
 * let a connection land on it and receive what was meant for FD).
 * The original stays open in the process as K, close-on-exec, and is
 * recorded (keep.h); --undo checks that K is still that very object and
 * that FD still holds PATH, then dup3(K, FD) and close(K): the same pipe
 * or terminal as before, not something re-opened by name.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fdflags.h"
#include "keep.h"
#include "procfd.h"
#include "target.h"
#include "verbs.h"

static const char usage[] =
"usage: scremote redirect [--append | --truncate] PID FD[,FD...] PATH\n"
"       scremote redirect --undo [--force] PID FD[,FD...]\n"
"\n"
"Point the descriptors at PATH (a file, or /dev/null), e.g. 1,2 for the\n"
"process's output.  PATH is opened once, in the process, with the access\n"
"of the descriptors (created if missing; --append, the default, adds to\n"
"it; --truncate empties it) and put in place with dup3: the descriptor\n"
"number is never free for the process to reuse.  A relative PATH is taken\n"
"from the directory scremote runs in.\n"
"\n"
"The originals are kept open in the process, close-on-exec, at a high\n"
"descriptor number (shown, and visible in /proc/PID/fd), and recorded, so\n"
"that --undo, in a later run, puts back exactly the same pipe, terminal or\n"
"file.  Redirecting again keeps the first original.  If the process\n"
"closes the kept descriptor, or runs a new program (which closes it),\n"
"--undo can no longer restore and says so.\n"
"\n"
"  --undo       restore the descriptors' originals\n"
"  --force      with --undo: restore even if the descriptor no longer\n"
"               points at the file it was redirected to\n";

enum { OPT_APPEND = 1, OPT_TRUNCATE, OPT_UNDO, OPT_FORCE };

static const struct vopt redirect_opts[] = {
	{ "--append", 0, OPT_APPEND }, { "--truncate", 0, OPT_TRUNCATE },
	{ "--undo", 0, OPT_UNDO }, { "--force", 0, OPT_FORCE },
	{ NULL, 0, 0 }
};

#define MAX_FDS 64

struct redirect_job {
	int append, truncate, undo, force;
	int fds[MAX_FDS];
	size_t nfds;
	char *path;
};

static int set_opt(void *data, int id, const char *value)
{
	struct redirect_job *j = data;

	(void)value;
	switch (id) {
	case OPT_APPEND: j->append = 1; break;
	case OPT_TRUNCATE: j->truncate = 1; break;
	case OPT_UNDO: j->undo = 1; break;
	case OPT_FORCE: j->force = 1; break;
	}
	return 0;
}

/* The identity of what descriptor fd of pid points at, or -1. */
static int identity(pid_t pid, int fd, unsigned long long *dev,
		    unsigned long long *ino)
{
	char path[64];
	struct stat st;

	snprintf(path, sizeof(path), "/proc/%d/fd/%d", (int)pid, fd);
	if (stat(path, &st) < 0)
		return -1;
	*dev = st.st_dev;
	*ino = st.st_ino;
	return 0;
}

/* Where to keep originals: high, out of the way of the process's own
 * lowest-free allocations, but below its descriptor limit (F_DUPFD
 * refuses numbers at or past RLIMIT_NOFILE). */
static int keep_base(pid_t pid)
{
	long soft = proc_nofile(pid);

	if (soft < 0)
		soft = 256;
	if (soft > 1024)
		return 1000;
	return soft * 3 / 4 > 10 ? (int)(soft * 3 / 4) : 10;
}

/* The access the new file needs: that of every descriptor it replaces
 * (a descriptor that was not open is taken as an output). */
static int open_mode(struct target *t, const struct redirect_job *j,
		     const struct fdent *cur, const int *open)
{
	int rd = 0, wr = 0, mode;

	for (size_t i = 0; i < j->nfds; i++) {
		int acc = open[i] && cur[i].have_info ?
			  fdflags_accmode(cur[i].flags) : O_WRONLY;

		rd |= acc == O_RDONLY || acc == O_RDWR;
		wr |= acc == O_WRONLY || acc == O_RDWR || acc < 0;
	}
	mode = rd && wr ? O_RDWR : wr ? O_WRONLY : O_RDONLY;
	if (mode == O_RDONLY && j->truncate) {
		t_err(t, VEXIT_USAGE, "--truncate: the descriptors are open "
		      "for reading only; their file would not be written");
		return -1;
	}
	return mode;
}

/* Open flags as given to openat, creation flags included (fdinfo
 * never shows those: the kernel drops them after the open). */
static void mode_text(struct sb *b, int flags)
{
	static const struct { int bit; const char *name; } once[] = {
		{ O_CREAT, "O_CREAT" }, { O_EXCL, "O_EXCL" },
		{ O_NOCTTY, "O_NOCTTY" }, { O_TRUNC, "O_TRUNC" },
	};
	unsigned int rest = (unsigned int)flags;

	for (size_t i = 0; i < sizeof(once) / sizeof(once[0]); i++)
		rest &= ~(unsigned int)once[i].bit;
	fdflags_text(b, rest);
	for (size_t i = 0; i < sizeof(once) / sizeof(once[0]); i++)
		if (flags & once[i].bit)
			sb_addf(b, "|%s", once[i].name);
}

struct plan {
	struct fdent cur[MAX_FDS];	/* what each descriptor is now */
	int open[MAX_FDS];		/* ... when it is open */
	long kept[MAX_FDS];		/* where its original went */
	int done[MAX_FDS];
};

static void read_current(struct target *t, const struct redirect_job *j,
			 struct plan *pl)
{
	for (size_t i = 0; i < j->nfds; i++) {
		pl->open[i] = procfd_get(t->pid, j->fds[i], &pl->cur[i]) == 0;
		pl->kept[i] = -1;
	}
}

static void free_current(const struct redirect_job *j, struct plan *pl)
{
	for (size_t i = 0; i < j->nfds; i++)
		if (pl->open[i])
			fdent_clear(&pl->cur[i]);
}

/* Keeps the original of descriptor i (unless an earlier redirect kept
 * it already) and puts newfd in its place.  0, or -1. */
static int switch_one(struct target *t, const struct redirect_job *j,
		      struct plan *pl, struct keep *k, size_t i, long newfd,
		      int base)
{
	int fd = j->fds[i];
	const struct keep_ent *prev = keep_find(k, fd);
	int cloexec = pl->open[i] && (pl->cur[i].flags & O_CLOEXEC);
	unsigned long a[3];
	long r;

	if (prev) {
		cloexec = prev->cloexec;
	} else if (pl->open[i]) {
		a[0] = (unsigned long)fd;
		a[1] = F_DUPFD_CLOEXEC;
		a[2] = (unsigned long)base;
		r = t_call(t, "fcntl", a, 3, "%d, F_DUPFD_CLOEXEC, %d", fd,
			   base);
		if (r == T_UNRUN)
			return -1;
		if (r < 0) {
			t_err(t, VEXIT_FAILED, "fd %d: cannot keep the original"
			      " (fcntl F_DUPFD_CLOEXEC: %s); fd %d left as it"
			      " was", fd, strerror((int)-r), fd);
			return -1;
		}
		pl->kept[i] = r;
	}
	a[0] = (unsigned long)newfd;
	a[1] = (unsigned long)fd;
	a[2] = cloexec ? O_CLOEXEC : 0;
	r = t_call(t, "dup3", a, 3, "%s, %d, %s", t_val(t, newfd), fd,
		   cloexec ? "O_CLOEXEC" : "0");
	if (r < 0) {
		if (r != T_UNRUN)
			t_err(t, VEXIT_FAILED, "fd %d: dup3 failed: %s; fd %d "
			      "left as it was", fd, strerror((int)-r), fd);
		if (pl->kept[i] >= 0 && r != T_UNRUN) {
			a[0] = (unsigned long)pl->kept[i];
			t_call(t, "close", a, 1, "%s", t_val(t, pl->kept[i]));
		}
		pl->kept[i] = -1;
		return -1;
	}
	pl->done[i] = 1;
	return 0;
}

/* Records what was done, for --undo. */
static void record(struct target *t, const struct redirect_job *j,
		   struct plan *pl, struct keep *k, size_t i)
{
	struct keep_ent e, *prev = keep_find(k, j->fds[i]);

	memset(&e, 0, sizeof(e));
	if (prev) {
		e = *prev;	/* the first original stays the one kept */
	} else {
		e.fd = j->fds[i];
		e.kept = (int)pl->kept[i];
		e.cloexec = pl->open[i] && (pl->cur[i].flags & O_CLOEXEC);
		e.orig = pl->open[i] ? pl->cur[i].link : (char *)"";
		if (pl->open[i]) {
			e.orig_dev = pl->cur[i].st.st_dev;
			e.orig_ino = pl->cur[i].st.st_ino;
		}
	}
	e.path = j->path;
	if (identity(t->pid, j->fds[i], &e.new_dev, &e.new_ino) < 0)
		e.new_dev = e.new_ino = 0;
	keep_put(k, &e);
}

static void report_redirect(struct target *t, const struct redirect_job *j,
			    struct plan *pl, struct keep *k)
{
	int first = 1;

	for (size_t i = 0; i < j->nfds; i++) {
		const struct keep_ent *e = keep_find(k, j->fds[i]);
		const char *was = e ? e->orig : pl->open[i] ?
				  pl->cur[i].link : "";
		long kept = e ? e->kept : pl->kept[i];
		struct sb b = { 0 };

		if (!pl->done[i])
			continue;
		if (t->o->json) {
			fprintf(t->json, "%s{\"fd\":%d,\"kept_fd\":%s,\"was\":",
				first ? "" : ",", j->fds[i],
				t_is_standin(kept) ? "null" : t_val(t, kept));
			put_json_str(t->json, was);
			fputc('}', t->json);
			first = 0;
			continue;
		}
		if (t->o->dry_run)
			continue;
		sb_addf(&b, "fd %d -> ", j->fds[i]);
		sb_add_safe(&b, j->path);
		if (kept >= 0) {
			sb_addf(&b, " (was ");
			sb_add_safe(&b, was);
			sb_addf(&b, ", kept as fd %ld for redirect --undo)",
				kept);
		} else {
			sb_addf(&b, " (was not open; --undo closes it)");
		}
		t_out(t, "%s", b.s);
		sb_free(&b);
	}
}

/* The file lands on the lowest free number, which may be one of the
 * descriptors to redirect (one that was not open): move it out of the
 * way first.  The process is stopped: nobody can take the number. */
static long out_of_the_way(struct target *t, const struct redirect_job *j,
			   long newfd, int base)
{
	unsigned long a[3];
	long moved;
	size_t i;

	for (i = 0; i < j->nfds && j->fds[i] != newfd; i++)
		;
	if (i == j->nfds)
		return newfd;
	a[0] = (unsigned long)newfd;
	a[1] = F_DUPFD_CLOEXEC;
	a[2] = (unsigned long)base;
	moved = t_call(t, "fcntl", a, 3, "%ld, F_DUPFD_CLOEXEC, %d", newfd,
		       base);
	t_call(t, "close", a, 1, "%ld", newfd);
	if (moved < 0 && moved != T_UNRUN)
		t_err(t, VEXIT_FAILED, "cannot move the new file off fd %ld: "
		      "%s; nothing was changed", newfd, strerror((int)-moved));
	return moved;
}

static int do_redirect(struct target *t, const struct redirect_job *j,
		       struct keep *k)
{
	struct plan *pl = xmalloc(sizeof(*pl));
	int mode, flags, base = keep_base(t->pid), rc, bad = 0;
	unsigned long a[4];
	long newfd;
	char *q;

	memset(pl, 0, sizeof(*pl));
	rc = t_attach(t);
	if (rc) {
		free(pl);
		return rc;
	}
	/* Read while the process is stopped: it cannot change them now. */
	read_current(t, j, pl);
	mode = open_mode(t, j, pl->cur, pl->open);
	if (mode < 0) {
		free_current(j, pl);
		free(pl);
		return VEXIT_USAGE;
	}
	flags = mode | O_CLOEXEC | O_NOCTTY;
	/* A 32-bit process must ask for files past 2 GiB itself (the
	 * kernel adds O_LARGEFILE only for 64-bit callers); the value is
	 * the kernel's, the same for i386 as on its x86_64 host. */
	if (t->abi == SCR_ABI_I386)
		flags |= (int)kernel_o_largefile;
	if (mode != O_RDONLY)
		flags |= O_CREAT | (j->truncate ? O_TRUNC : O_APPEND);
	if (t_push(t, j->path, strlen(j->path) + 1, &a[1]) < 0) {
		t_err(t, VEXIT_NORUN, "cannot place the path in the process's "
		      "memory");
		free_current(j, pl);
		free(pl);
		return VEXIT_NORUN;
	}
	a[0] = (unsigned long)AT_FDCWD;
	a[2] = (unsigned long)flags;
	a[3] = 0666;
	{
		struct sb m = { 0 };

		mode_text(&m, flags);
		q = c_string(j->path);
		newfd = t_call(t, "openat", a, 4, "AT_FDCWD, %s, %s, 0666", q,
			       m.s);
		sb_free(&m);
		free(q);
	}
	if (newfd < 0) {
		if (newfd != T_UNRUN)
			t_err(t, VEXIT_FAILED, "the process cannot open %s: "
			      "%s; nothing was changed", j->path,
			      strerror((int)-newfd));
	} else {
		newfd = out_of_the_way(t, j, newfd, base);
	}
	if (newfd < 0) {
		free_current(j, pl);
		free(pl);
		return newfd == T_UNRUN ? VEXIT_NORUN : VEXIT_FAILED;
	}
	for (size_t i = 0; i < j->nfds; i++)
		if (switch_one(t, j, pl, k, i, newfd, base) < 0)
			bad = 1;
	a[0] = (unsigned long)newfd;
	t_call(t, "close", a, 1, "%s", t_val(t, newfd));
	if (!t->o->dry_run) {
		for (size_t i = 0; i < j->nfds; i++)
			if (pl->done[i])
				record(t, j, pl, k, i);
	}
	t_detach(t);
	if (!t->o->dry_run && keep_save(k) < 0)
		t_err(t, VEXIT_FAILED, "the redirect is done, but --undo will "
		      "not find its record");
	if (t->o->json)
		fputs(",\"redirected\":[", t->json);
	report_redirect(t, j, pl, k);
	if (t->o->json)
		fputc(']', t->json);
	free_current(j, pl);
	free(pl);
	return bad ? (t->status > VEXIT_FAILED ? t->status : VEXIT_FAILED) : 0;
}

/* ---- undo ----------------------------------------------------------- */

/* Can e be put back?  Says why not. */
static int undo_checks(struct target *t, const struct redirect_job *j,
		       const struct keep_ent *e)
{
	unsigned long long dev, ino;

	if (e->kept >= 0 && (identity(t->pid, e->kept, &dev, &ino) < 0 ||
			     dev != e->orig_dev || ino != e->orig_ino)) {
		t_err(t, VEXIT_FAILED, "fd %d: its original (%s) is no longer "
		      "kept at fd %d: the process closed that descriptor, or "
		      "ran a new program (which closes it); it cannot be put "
		      "back.  The record is dropped; fd %d is left as it is",
		      e->fd, e->orig, e->kept, e->fd);
		return -2;
	}
	if (identity(t->pid, e->fd, &dev, &ino) < 0) {
		dev = ino = 0;
	}
	if ((dev != e->new_dev || ino != e->new_ino) && !j->force) {
		t_err(t, VEXIT_FAILED, "fd %d no longer points at %s (the "
		      "process changed it since the redirect); left as it "
		      "is.  --force puts the original back anyway", e->fd,
		      e->path);
		return -1;
	}
	return 0;
}

static int undo_one(struct target *t, const struct keep_ent *e)
{
	unsigned long a[3];
	long r;

	if (e->kept < 0) {
		/* It was not open: closing it is what restores it. */
		a[0] = (unsigned long)e->fd;
		r = t_call(t, "close", a, 1, "%d", e->fd);
		return r < 0 ? -1 : 0;
	}
	a[0] = (unsigned long)e->kept;
	a[1] = (unsigned long)e->fd;
	a[2] = e->cloexec ? O_CLOEXEC : 0;
	r = t_call(t, "dup3", a, 3, "%d, %d, %s", e->kept, e->fd,
		   e->cloexec ? "O_CLOEXEC" : "0");
	if (r < 0) {
		if (r != T_UNRUN)
			t_err(t, VEXIT_FAILED, "fd %d: dup3 failed: %s; left "
			      "as it is", e->fd, strerror((int)-r));
		return -1;
	}
	a[0] = (unsigned long)e->kept;
	t_call(t, "close", a, 1, "%d", e->kept);
	return 0;
}

static void report_undo(struct target *t, const struct keep_ent *e,
			int *first)
{
	if (t->o->json) {
		fprintf(t->json, "%s{\"fd\":%d,\"restored\":", *first ? "" : ",",
			e->fd);
		put_json_str(t->json, e->kept >= 0 ? e->orig : "");
		fprintf(t->json, ",\"kept_fd\":%d}", e->kept);
		*first = 0;
	} else if (!t->o->dry_run) {
		struct sb b = { 0 };

		if (e->kept >= 0) {
			sb_addf(&b, "fd %d -> ", e->fd);
			sb_add_safe(&b, e->orig);
			sb_addf(&b, " again (kept fd %d closed)", e->kept);
		} else {
			sb_addf(&b, "fd %d closed again (it was not open "
				"before the redirect)", e->fd);
		}
		t_out(t, "%s", b.s);
		sb_free(&b);
	}
}

static void list_recorded(struct target *t, struct keep *k, int fd)
{
	struct sb b = { 0 };

	for (size_t i = 0; i < k->n; i++)
		sb_addf(&b, "%s%d", i ? "," : "", k->v[i].fd);
	if (k->n)
		t_err(t, VEXIT_FAILED, "fd %d of process %d has no redirect to "
		      "undo (already undone, or never redirected); redirected "
		      "now: %s", fd, (int)t->pid, b.s);
	else
		t_err(t, VEXIT_FAILED, "fd %d of process %d has no redirect to "
		      "undo: no descriptor of this process is redirected "
		      "(already undone, or never redirected)", fd,
		      (int)t->pid);
	sb_free(&b);
}

static int do_undo(struct target *t, const struct redirect_job *j,
		   struct keep *k)
{
	int rc, bad = 0, first = 1;

	for (size_t i = 0; i < j->nfds; i++)
		if (!keep_find(k, j->fds[i])) {
			list_recorded(t, k, j->fds[i]);
			bad = 1;
		}
	if (bad)
		return VEXIT_FAILED;
	rc = t_attach(t);
	if (rc)
		return rc;
	if (t->o->json)
		fputs(",\"restored\":[", t->json);
	for (size_t i = 0; i < j->nfds; i++) {
		struct keep_ent *e = keep_find(k, j->fds[i]);
		int c = undo_checks(t, j, e);

		if (c == -2 && !t->o->dry_run)
			keep_remove(k, j->fds[i]);
		if (c < 0 || undo_one(t, e) < 0) {
			bad = 1;
			continue;
		}
		report_undo(t, e, &first);
		if (!t->o->dry_run)
			keep_remove(k, j->fds[i]);
	}
	if (t->o->json)
		fputc(']', t->json);
	t_detach(t);
	if (!t->o->dry_run && keep_save(k) < 0)
		bad = 1;
	return bad ? (t->status > VEXIT_FAILED ? t->status : VEXIT_FAILED) : 0;
}

/* The directory PATH goes in must exist: checked before anything is
 * attached, when the process sees the same tree as scremote. */
static int check_path(struct target *t, const char *path)
{
	char *dir = xstrndup(path, strlen(path));
	char *slash = strrchr(dir, '/');
	struct stat st;
	int r = 0;

	if (slash == dir)
		slash[1] = '\0';
	else if (slash)
		*slash = '\0';
	if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
		t_err(t, VEXIT_USAGE, "%s: no such directory; nothing was "
		      "done", dir);
		r = -1;
	} else if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		t_err(t, VEXIT_USAGE, "%s is a directory; give a file",
		      path);
		r = -1;
	}
	free(dir);
	return r;
}

static int redirect_act(struct target *t, void *data)
{
	const struct redirect_job *j = data;
	struct keep k;
	int rc;

	if (!j->undo && same_fs_view(t->pid) && check_path(t, j->path) < 0)
		return VEXIT_USAGE;
	if (keep_open(&k, t->pid, !j->undo && !t->o->dry_run) < 0) {
		t_err(t, VEXIT_NORUN, "nothing was done");
		return VEXIT_NORUN;
	}
	rc = j->undo ? do_undo(t, j, &k) : do_redirect(t, j, &k);
	keep_close(&k);
	return rc;
}

static int check_words(struct redirect_job *j, char **pos, int npos)
{
	if (j->append && j->truncate) {
		verb_complain("redirect", "--append and --truncate exclude "
			      "each other");
		return -1;
	}
	if (j->undo && (j->append || j->truncate)) {
		verb_complain("redirect", "--undo takes no --append or "
			      "--truncate");
		return -1;
	}
	if (j->force && !j->undo) {
		verb_complain("redirect", "--force goes with --undo");
		return -1;
	}
	if (npos < 1 || npos != (j->undo ? 1 : 2)) {
		verb_complain("redirect", j->undo ?
			      "--undo takes the descriptors only: scremote "
			      "redirect --undo PID FD[,FD...]" :
			      "give the descriptors and a file: scremote "
			      "redirect PID FD[,FD...] PATH");
		return -1;
	}
	if (parse_fds("redirect", pos[0], j->fds, MAX_FDS, &j->nfds) < 0)
		return -1;
	if (!j->undo) {
		if (!*pos[1]) {
			verb_complain("redirect", "the path is an empty string");
			return -1;
		}
		j->path = absolute_path(pos[1]);
	}
	return 0;
}

int cmd_redirect(int argc, char **argv)
{
	static struct redirect_job j;
	struct vparse vp = { "redirect", usage, redirect_opts, set_opt, &j };
	struct vopts o;
	struct pidlist l;
	char **pos;
	int npos, rc;

	memset(&j, 0, sizeof(j));
	pos = verb_args(argc, argv, &vp, &o, &npos, &l, &rc);
	if (!pos)
		return rc;
	if (check_words(&j, pos, npos) < 0)
		rc = VEXIT_USAGE;
	else
		rc = verb_each(&o, &l, redirect_act, &j);
	pids_free(&l);
	free(j.path);
	free(pos);
	return rc;
}
