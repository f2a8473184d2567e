/*
 * Core dumps of a stopped process: FreeBSD's PT_COREDUMP (scr_coredump)
 * and the session's scr_dump_core(), which can also take a snapshot.
 *
 * A plain dump reads the process while every thread stays stopped: the
 * registers, /proc/PID/smaps for the mappings, then the memory.
 *
 * A snapshot stops the process only for as long as a fork takes:
 *
 *   1. while stopped: the notes (every thread's registers, the process,
 *      /proc/PID/maps for NT_FILE), then a remote clone(CLONE_FILES),
 *      exit signal 0, made in the main thread.  The session's tracing
 *      options include PTRACE_O_TRACECLONE, so the copy is born traced
 *      and stops at its first instruction (a seized tracee's first stop
 *      is PTRACE_EVENT_STOP, taken before it returns to user space): it
 *      never runs the target's code.  PTRACE_O_EXITKILL then makes sure
 *      it dies with us.  MADV_DONTFORK memory, absent from the copy, is
 *      read now from the stopped process.
 *   2. the process is let go (detached) and runs on, while the copy's
 *      memory, frozen by copy-on-write at the clone, is written out.
 *   3. the copy is killed; dead, it is a zombie only we (its tracer) can
 *      see.  The process is stopped again, we let the zombie go to its
 *      parent, and a remote wait4(copy, NULL, __WALL, NULL) reaps it:
 *      with exit signal 0 and a __WALL-only child, the process never
 *      sees a SIGCHLD, a zombie or a child it did not make.
 *
 * CLONE_FILES shares the descriptor table, so that a descriptor the
 * process closes while the copy lives is closed (a pipe's reader sees
 * its end); CLONE_FS is not shared, since a shared fs_struct would deny
 * a set-user-ID execve of the process meanwhile (check_unsafe_exec).
 * Where the clone is refused (seccomp, RLIMIT_NPROC, the pids cgroup,
 * memory) the dump falls back to a plain one.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core_impl.h"

#define CORE_FLAGS	(PC_COMPRESS | PC_ALL)
#define SAVED_MAX	(256UL << 20)	/* MADV_DONTFORK memory kept */
#define REAP_MS		10000

struct dump {
	struct scr_proc *p;		/* the session; NULL: scr_coredump() */
	pid_t pid;
	pid_t mm_pid;			/* a live thread of it, for its memory
					   (its main thread may have exited) */
	int fd;
	unsigned int flags;
	off_t limit;
	const struct scr_core_opts *opts;
	struct scr_core_info *info;
	struct core_proc cp;
	struct core_maps maps;
	size_t page;
};

/* The copy a snapshot reads. */
struct copy {
	pid_t pid;			/* ours to trace and kill */
	long vpid;			/* its pid as the process knows it */
	bool released;			/* the process runs meanwhile */
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void msleep(long ms)
{
	struct timespec ts = { 0, ms * 1000000L };

	nanosleep(&ts, NULL);
}

static int add_thread(struct core_proc *cp, const struct core_thread *t)
{
	struct core_thread *v = realloc(cp->threads,
					(cp->nthreads + 1) * sizeof(*v));

	if (!v)
		return -ENOMEM;
	cp->threads = v;
	cp->threads[cp->nthreads++] = *t;
	return 0;
}

static void set_stop(struct core_thread *t, const struct scr_stop *st)
{
	t->have_si = st->have_si;
	t->si = st->si;
	/* Only a signal-delivery-stop is a signal being taken; an interrupt
	 * or a group stop is not what the process is about. */
	t->cursig = st->kind == SCR_STOP_SIGNAL && st->have_si ?
		    st->si.si_signo : 0;
}

/* The session's threads, with the masks and stops they had before it. */
static int session_threads(struct dump *d)
{
	for (size_t i = 0;; i++) {
		struct core_thread t = { 0 };
		struct scr_stop st;
		int e = scr__proc_thread(d->p, i, &t.tid, &t.sigmask, &st);

		if (e == -ENOENT)
			return 0;
		if (e)
			return e;
		set_stop(&t, &st);
		e = add_thread(&d->cp, &t);
		if (e)
			return e;
	}
}

/*
 * Is tid in a ptrace-stop of ours?  Any request but a few needs that; a
 * harmless one tells.  If not: EPERM when nobody traces it, EBUSY when
 * someone else does or it runs (FreeBSD's answers).
 */
static int check_traced(pid_t tid)
{
	unsigned long msg;
	char path[64], buf[4096];
	const char *tp;
	ssize_t n;
	int fd;

	if (ptrace(PTRACE_GETEVENTMSG, tid, 0, &msg) == 0)
		return 0;
	snprintf(path, sizeof(path), "/proc/%d/status", (int)tid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -ESRCH;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -ESRCH;
	buf[n] = '\0';
	tp = strstr(buf, "\nTracerPid:");
	return tp && strtol(tp + 11, NULL, 10) == 0 ? -EPERM : -EBUSY;
}

/* The threads of a process the caller traces (scr_coredump). */
static int traced_threads(struct dump *d)
{
	char path[64];
	struct dirent *de;
	DIR *dir;
	int e = 0;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)d->pid);
	dir = opendir(path);
	if (!dir)
		return -ESRCH;
	while (!e && (de = readdir(dir))) {
		struct core_thread t = { 0 };
		struct scr_stop st;
		char *end;
		long tid = strtol(de->d_name, &end, 10);

		if (*end || tid <= 0 || tid > INT_MAX)
			continue;
		t.tid = (pid_t)tid;
		e = check_traced(t.tid);
		if (e == -ESRCH && t.tid != d->pid) {
			e = 0;		/* it exited meanwhile */
			continue;
		}
		if (!e && ptrace(PTRACE_GETSIGMASK, t.tid, sizeof(t.sigmask),
				 &t.sigmask))
			e = -errno;
		if (!e)
			e = scr__classify_stop(t.tid, &st);
		if (!e) {
			set_stop(&t, &st);
			e = add_thread(&d->cp, &t);
		}
	}
	closedir(dir);
	return e;
}

/* Decides what to dump of each mapping and writes the core, reading
 * memory from mem_pid. */
static int write_core(struct dump *d, pid_t mem_pid)
{
	struct core_out o = { .opts = d->opts, .mem_pid = mem_pid,
			      .target_pid = d->mm_pid, .page = d->page };
	int e;

	for (size_t i = 0; i < d->maps.n; i++)
		if (!d->maps.v[i].decided)
			scr__core_map_decide(&d->maps.v[i], d->maps.filter,
					     d->flags & PC_ALL);
	scr__core_check_elf_headers(&d->maps, mem_pid, d->page);
	o.size = scr__core_layout(&d->cp, &d->maps, d->page, &o.data_off);
	if (d->info) {
		d->info->size = o.size;
		d->info->threads = (unsigned int)d->cp.nthreads;
	}
	/* As FreeBSD: a core over the limit is refused whole, never cut. */
	if (d->limit > 0 && o.size > (uint64_t)d->limit)
		return -EFAULT;
	o.sink.session = d->p;
	e = scr__core_sink_open(&o.sink, d->fd, d->flags & PC_COMPRESS, o.size);
	if (!e)
		e = scr__core_write(&o, &d->cp, &d->maps);
	int c = scr__core_sink_close(&o.sink, !e);

	if (d->info)
		d->info->written = o.sink.written;
	return e ? e : c;
}

static int dump_plain(struct dump *d)
{
	int e = scr__core_maps_read(d->mm_pid, true, &d->maps);

	if (!e)
		e = scr__core_filter_read(d->mm_pid, &d->maps.filter);
	if (!e)
		e = scr__core_notes_build(&d->cp, &d->maps);
	if (!e)
		e = write_core(d, d->mm_pid);
	return e;
}

/* ---- snapshots ---------------------------------------------------- */

/*
 * The copy will have to be reaped by a wait4 in the process: make sure
 * one can run there (its seccomp filters may refuse it) before there is
 * anything to reap.  No process has this pid: ECHILD is the answer.
 */
static int can_reap(struct dump *d)
{
	unsigned long args[4] = { INT_MAX, 0, WNOHANG | __WALL, 0 };
	struct ptrace_sc_ret ret;
	int e = scr__proc_call(d->p, d->cp.ac->nr_wait4, args, 4, &ret);

	if (e)
		return e;
	return ret.sr_error == ECHILD ? 0 : -(ret.sr_error ?: EPROTO);
}

static int make_copy(struct dump *d, struct copy *c)
{
	/* Exit signal 0: no SIGCHLD for the process, and a "clone" child
	 * that only a __WALL or __WCLONE wait ever sees. */
	unsigned long args[5] = { CLONE_FILES, 0, 0, 0, 0 };
	struct ptrace_sc_ret ret;
	int e = scr__proc_clone(d->p, d->cp.ac->nr_clone, args, 5, &ret,
				&c->pid);

	if (c->pid)
		ptrace(PTRACE_SETOPTIONS, c->pid, 0, PTRACE_O_EXITKILL);
	if (e)
		return e;
	if (ret.sr_error)
		return -ret.sr_error;
	c->vpid = ret.sr_retval[0];
	return c->pid ? 0 : -EPROTO;
}

/* Waits (bounded) until the killed copy is a zombie, without reaping. */
static int wait_dead(pid_t pid)
{
	for (int waited = 0; waited < REAP_MS; waited++) {
		siginfo_t si = { 0 };
		int status;

		if (waitid(P_PID, (id_t)pid, &si, WEXITED | WSTOPPED | WNOWAIT |
			   WNOHANG | __WALL))
			return -errno;
		if (si.si_pid == 0) {
			msleep(1);
			continue;
		}
		if (si.si_code != CLD_TRAPPED && si.si_code != CLD_STOPPED)
			return 0;
		/* A stop on its way out (an exit event): let it go on. */
		waitpid(pid, &status, __WALL | WNOHANG);
		ptrace(PTRACE_CONT, pid, 0, 0);
	}
	return -ETIMEDOUT;
}

/*
 * Makes the copy go and leaves no trace of it in the process: killed,
 * then, with the process stopped again, passed to it as a zombie and
 * reaped there.
 */
static int end_copy(struct dump *d, struct copy *c)
{
	struct ptrace_sc_ret ret;
	int status, e;

	if (!c->pid)
		return 0;
	kill(c->pid, SIGKILL);
	e = wait_dead(c->pid);
	if (!e && c->released) {
		e = scr__proc_restop(d->p);
		if (d->info)
			d->info->restopped_ns = now_ns();
		c->released = false;
	}
	/* Our wait hands the zombie to its parent; when the process is
	 * gone, to whoever inherited it. */
	if (!e || e == -ESRCH)
		waitpid(c->pid, &status, __WALL);
	if (!e) {
		unsigned long args[4] = { (unsigned long)c->vpid, 0, __WALL,
					  0 };

		e = scr__proc_call(d->p, d->cp.ac->nr_wait4, args, 4, &ret);
		if (!e && ret.sr_retval[0] != c->vpid)
			e = -(ret.sr_error ?: EPROTO);
	}
	c->pid = 0;
	return e;
}

/* The mapping of m that covers exactly [start, end), or NULL; both lists
 * are sorted, so a search from *from on suffices. */
static struct core_map *same_range(struct core_maps *m, size_t *from,
				   const struct core_map *like)
{
	while (*from < m->n && m->v[*from].start < like->start)
		(*from)++;
	if (*from < m->n && m->v[*from].start == like->start &&
	    m->v[*from].end == like->end)
		return &m->v[*from];
	return NULL;
}

/* Reads the dumped part of a mapping the copy lacks, from the stopped
 * process; pages it cannot read stay zeros. */
static int save_map(struct dump *d, struct core_map *m)
{
	m->saved = calloc(1, m->dump);
	if (!m->saved)
		return -ENOMEM;
	for (unsigned long off = 0; off < m->dump;) {
		ssize_t n = scr__core_mem_read(d->mm_pid, m->start + off,
					       m->saved + off, m->dump - off);

		off += n > 0 ? (unsigned long)n : d->page;
		off = core_align(off, d->page);
	}
	return 0;
}

/*
 * MADV_DONTFORK memory does not exist in the copy: find it (what the
 * parent maps and the copy does not) and keep what a core holds of it
 * now, while the process is stopped.  Only then is /proc/PID/smaps of
 * the process read, for these mappings' flags: most processes have
 * none, and smaps walks every page table, which would lengthen the stop.
 */
static int save_dontfork(struct dump *d, pid_t copy)
{
	struct core_maps cm = { 0 }, pm = { 0 };
	size_t missing = 0, at = 0, pat = 0, total = 0;
	int e = scr__core_maps_read(copy, false, &cm);

	for (size_t i = 0; !e && i < d->maps.n; i++)
		missing += !same_range(&cm, &at, &d->maps.v[i]);
	if (!e && missing)
		e = scr__core_maps_read(d->mm_pid, true, &pm);
	at = 0;
	for (size_t i = 0; !e && missing && i < d->maps.n; i++) {
		struct core_map *m = &d->maps.v[i], *pmap;

		if (same_range(&cm, &at, m))
			continue;
		pmap = same_range(&pm, &pat, m);
		if (pmap) {
			m->vmflags = pmap->vmflags;
			m->written = pmap->written;
			m->have_flags = pmap->have_flags;
		}
		scr__core_map_decide(m, d->maps.filter, d->flags & PC_ALL);
		scr__core_check_elf_headers(&(struct core_maps){ m, 1, 1, 0 },
					    d->mm_pid, d->page);
		m->decided = true;
		total += m->dump;
		if (total > SAVED_MAX)
			e = -ENOMEM;
		else if (m->dump)
			e = save_map(d, m);
	}
	scr__core_maps_free(&cm);
	scr__core_maps_free(&pm);
	return e;
}

/*
 * The flags of the mappings, from the copy's smaps now that the process
 * runs (the copy has the same mappings).  MADV_WIPEONFORK memory reads
 * as zeros in the copy: it is read from the process instead, not frozen.
 */
static int copy_flags(struct dump *d, pid_t copy)
{
	struct core_maps cm = { 0 };
	size_t at = 0;
	int e = scr__core_maps_read(copy, true, &cm);

	for (size_t i = 0; !e && i < d->maps.n; i++) {
		struct core_map *m = &d->maps.v[i], *c;

		if (m->decided)
			continue;
		c = same_range(&cm, &at, m);
		if (!c) {
			m->decided = true;	/* cannot be: nothing to read */
			continue;
		}
		m->vmflags = c->vmflags;
		m->written = c->written;
		m->have_flags = c->have_flags;
		if (m->vmflags & VMF_WIPEONFORK) {
			m->from_target = true;
			m->written = true;
		}
	}
	scr__core_maps_free(&cm);
	return e;
}

/* Could not take a snapshot (err, before the release): a plain dump. */
static int fall_back(struct dump *d, int err)
{
	if (d->info)
		d->info->snapshot_err = err;
	scr__core_maps_free(&d->maps);
	return dump_plain(d);
}

static bool refusal(int e)
{
	/* Interrupted, or the process is gone: no point going on. */
	return e != -EINTR && e != -ESRCH;
}

static int dump_snapshot(struct dump *d)
{
	struct copy c = { 0 };
	int e, end;

	e = scr__core_maps_read(d->mm_pid, false, &d->maps);
	if (!e)
		e = scr__core_filter_read(d->mm_pid, &d->maps.filter);
	if (!e)
		e = scr__core_notes_build(&d->cp, &d->maps);
	if (e)
		return e;
	e = can_reap(d);
	if (!e)
		e = make_copy(d, &c);
	if (!e)
		e = save_dontfork(d, c.pid);
	if (e) {
		end = end_copy(d, &c);
		if (end)
			return end;
		return refusal(e) ? fall_back(d, e) : e;
	}

	e = scr__proc_release(d->p);
	c.released = true;
	if (d->info) {
		d->info->released_ns = now_ns();
		d->info->snapshot = true;
	}
	if (!e)
		e = copy_flags(d, c.pid);
	if (!e)
		e = write_core(d, c.pid);
	end = end_copy(d, &c);
	return e ? e : end;
}

/* ---- entry points --------------------------------------------------- */

static int check_fd(int fd, bool regular)
{
	struct stat st;
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0 || ((fl & O_ACCMODE) != O_WRONLY &&
		       (fl & O_ACCMODE) != O_RDWR))
		return -EBADF;
	if (regular && (fstat(fd, &st) || !S_ISREG(st.st_mode)))
		return -EPIPE;
	return 0;
}

static int run(struct dump *d, bool snapshot)
{
	int e;

	d->page = (size_t)sysconf(_SC_PAGESIZE);
	/* The session's own things (its agent, its scratch area) are not the
	 * process's: out first, also for the registers of the agent's
	 * thread. */
	e = d->p ? scr__proc_drop_scratch(d->p) : 0;
	if (!e)
		e = d->p ? session_threads(d) : traced_threads(d);
	if (!e)
		e = scr__core_proc_prepare(&d->cp);
	d->mm_pid = d->cp.mm_pid;
	if (!e)
		e = snapshot ? dump_snapshot(d) : dump_plain(d);
	scr__core_proc_free(&d->cp);
	scr__core_maps_free(&d->maps);
	return e;
}

int scr__dump_core(struct scr_proc *p, int fd, unsigned int flags,
		   off_t limit, const struct scr_core_opts *o,
		   struct scr_core_info *info)
{
	struct dump d = { .p = p, .fd = fd, .flags = flags, .limit = limit,
			  .opts = o, .info = info };
	int e;

	if (info)
		memset(info, 0, sizeof(*info));
	if (!p || limit < 0 || (flags & ~(CORE_FLAGS | SCR_CORE_SNAPSHOT)))
		return -EINVAL;
	e = check_fd(fd, false);
	if (e)
		return e;
	if ((flags & PC_COMPRESS) && !scr__core_can_compress())
		return -EOPNOTSUPP;
	if (scr__proc_interrupted(p))
		return -EINTR;
	d.pid = scr_pid(p);
	d.cp.pid = d.pid;
	return run(&d, flags & SCR_CORE_SNAPSHOT);
}

SCR_EXPORT int scr_dump_core(struct scr_proc *p, int fd, unsigned int flags,
			     off_t limit)
{
	return scr__dump_core(p, fd, flags, limit, NULL, NULL);
}

/* The process a pid names (a thread's pid names its process). */
static pid_t tgid_of(pid_t pid)
{
	char path[64], buf[4096];
	const char *t;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -ESRCH;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -ESRCH;
	buf[n] = '\0';
	t = strstr(buf, "\nTgid:");
	return t ? (pid_t)strtol(t + 6, NULL, 10) : -ESRCH;
}

SCR_EXPORT int scr_coredump(pid_t pid, struct ptrace_coredump *pc)
{
	struct dump d = { 0 };
	int e;

	if (!pc)
		e = -EFAULT;
	else if ((pc->pc_flags & ~CORE_FLAGS) || pc->pc_limit < 0)
		e = -EINVAL;
	else if ((e = check_fd(pc->pc_fd, true)))
		;
	else if ((pc->pc_flags & PC_COMPRESS) && !scr__core_can_compress())
		e = -EOPNOTSUPP;
	else if (pid <= 0 || (d.pid = tgid_of(pid)) <= 0)
		e = -ESRCH;
	if (e) {
		errno = -e;
		return -1;
	}
	d.fd = pc->pc_fd;
	d.flags = pc->pc_flags;
	d.limit = pc->pc_limit;
	d.cp.pid = d.pid;
	e = run(&d, false);
	if (e) {
		errno = -e;
		return -1;
	}
	return 0;
}
