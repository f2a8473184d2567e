/*
 * The PT_NOTE segment of a core, in the kernel's order (fs/binfmt_elf.c,
 * write_note_info): the first thread's NT_PRSTATUS, then NT_PRPSINFO,
 * NT_SIGINFO, NT_AUXV and NT_FILE, then that thread's other register
 * sets; then each other thread's NT_PRSTATUS and register sets; then
 * the architecture's note about the process, if any (x86: the layout of
 * the XSAVE area).
 *
 * Register sets are read with PTRACE_GETREGSET, which gives each in the
 * layout of the thread's own ABI (an i386 thread's in the 32-bit one),
 * exactly as the kernel puts it in a core.  The other structures are
 * laid out here for the ABI's word size: their fields are ints, words
 * and, for uid and gid, as wide as the architecture says.
 */
#include <elf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/uio.h>
#include <unistd.h>

#include "core_impl.h"

#define PRARGSZ		80	/* ELF_PRARGSZ */
#define SIGINFO_SIZE	128	/* siginfo_t, compat_siginfo_t alike */
#define REGSET_FIRST	65536
#define NO_SET		((size_t)-1)
#define REGSET_MAX	(64u << 20)
#define GREG_MAX	1024
#define MAX_SETS	32	/* register sets per thread, at most */

/* What /proc tells of the process. */
struct procinfo {
	char state;
	char comm[16];
	long nice;
	unsigned long long flags, ppid, pgrp, sid;
	unsigned long long utime, stime;	/* the whole process */
	long long cutime, cstime;		/* its children */
	unsigned long uid, gid;
	char psargs[PRARGSZ];
	long hz;
};

/* Native-endian integers of a given width into a note. */
static void put(unsigned char *d, unsigned long long v, unsigned int size)
{
	uint16_t v16 = (uint16_t)v;
	uint32_t v32 = (uint32_t)v;
	uint64_t v64 = v;

	memcpy(d, size == 2 ? (void *)&v16 : size == 4 ? (void *)&v32 :
	       (void *)&v64, size);
}

static unsigned long long get(const unsigned char *d, unsigned int size)
{
	uint32_t v32;
	uint64_t v64;

	if (size == 4) {
		memcpy(&v32, d, 4);
		return v32;
	}
	memcpy(&v64, d, 8);
	return v64;
}

static int put_note(struct core_buf *b, const char *name, uint32_t type,
		    const void *desc, size_t len)
{
	uint32_t hdr[3] = { (uint32_t)strlen(name) + 1, (uint32_t)len, type };
	int e;

	e = scr__core_buf_put(b, hdr, sizeof(hdr));
	if (!e)
		e = scr__core_buf_put(b, name, hdr[0]);
	if (!e)
		e = scr__core_buf_zero(b, core_align(hdr[0], 4) - hdr[0]);
	if (!e)
		e = scr__core_buf_put(b, desc, len);
	if (!e)
		e = scr__core_buf_zero(b, core_align(len, 4) - len);
	return e;
}

/* The fields of a stat line after the name, which may hold anything. */
static int parse_stat(const char *buf, struct procinfo *pi, char *comm)
{
	const char *open = strchr(buf, '('), *close = strrchr(buf, ')');

	if (!open || !close || close < open)
		return -EPROTO;
	if (comm) {
		size_t n = (size_t)(close - open - 1);

		if (n > 15)
			n = 15;
		memcpy(comm, open + 1, n);
		comm[n] = '\0';
	}
	if (sscanf(close + 1,
		   " %c %llu %llu %llu %*d %*d %llu %*u %*u %*u %*u %llu %llu"
		   " %lld %lld %*d %ld", &pi->state, &pi->ppid, &pi->pgrp,
		   &pi->sid, &pi->flags, &pi->utime, &pi->stime, &pi->cutime,
		   &pi->cstime, &pi->nice) != 10)
		return -EPROTO;
	return 0;
}

/* A "Name:\tvalue" line of a status text, in base. */
static int status_value(const char *buf, const char *name, int base,
			unsigned long long *v)
{
	size_t l = strlen(name);

	for (const char *s = buf; s; s = strchr(s, '\n')) {
		if (*s == '\n')
			s++;
		if (strncmp(s, name, l) == 0 && s[l] == ':') {
			char *end;

			*v = strtoull(s + l + 1, &end, base);
			return end == s + l + 1 ? -EPROTO : 0;
		}
	}
	return -EPROTO;
}

static int read_procinfo(pid_t pid, pid_t mm_pid, struct procinfo *pi)
{
	struct core_buf b = { 0 };
	unsigned long long v;
	int e;

	memset(pi, 0, sizeof(*pi));
	pi->hz = sysconf(_SC_CLK_TCK);
	if (pi->hz <= 0)
		pi->hz = 100;
	e = scr__core_slurp(pid, "stat", &b);
	if (!e)
		e = parse_stat((const char *)b.p, pi, pi->comm);
	if (!e)
		e = scr__core_slurp(pid, "status", &b);
	if (!e && !(e = status_value((const char *)b.p, "Uid", 10, &v)))
		pi->uid = (unsigned long)v;
	if (!e && !(e = status_value((const char *)b.p, "Gid", 10, &v)))
		pi->gid = (unsigned long)v;
	/* As the kernel: the arguments, NULs as spaces, cut to fit. */
	if (!e && scr__core_slurp(mm_pid, "cmdline", &b) == 0) {
		size_t n = b.len < PRARGSZ - 1 ? b.len : PRARGSZ - 1;

		for (size_t i = 0; i < n; i++)
			pi->psargs[i] = b.p[i] ? (char)b.p[i] : ' ';
	}
	scr__core_buf_free(&b);
	return e;
}

/* Clock ticks as a struct timeval of the ABI: two words. */
static void put_time(unsigned char *d, long long ticks, long hz,
		     unsigned int w)
{
	if (ticks < 0)
		ticks = 0;
	put(d, (unsigned long long)(ticks / hz), w);
	put(d + w, (unsigned long long)(ticks % hz * 1000000 / hz), w);
}

/*
 * struct elf_prstatus: pr_info (3 ints), pr_cursig (short), pr_sigpend
 * and pr_sighold (words), pr_pid, pr_ppid, pr_pgrp, pr_sid (ints), four
 * timevals (two words each), pr_reg, pr_fpvalid (int); word-aligned.
 */
static int put_prstatus(struct core_buf *b, const struct core_proc *cp,
			const struct core_thread *t,
			const struct procinfo *pi, const void *greg,
			size_t greg_len, bool fpvalid)
{
	unsigned int w = cp->abi->word_size;
	size_t reg = 32 + 10 * (size_t)w;
	size_t size = core_align(reg + greg_len + 4, w);
	unsigned char d[32 + 80 + GREG_MAX + 8];
	struct core_buf tb = { 0 };
	unsigned long long utime = pi->utime, stime = pi->stime, pend = 0;
	char name[64];

	memset(d, 0, sizeof(d));
	/* A thread's own times (the first thread's are the process's, as
	 * the kernel gives a group leader), and its own pending signals. */
	snprintf(name, sizeof(name), "task/%d/stat", (int)t->tid);
	if (scr__core_slurp(cp->pid, name, &tb) == 0 && t->tid != cp->pid) {
		struct procinfo ti;

		if (parse_stat((const char *)tb.p, &ti, NULL) == 0) {
			utime = ti.utime;
			stime = ti.stime;
		}
	}
	snprintf(name, sizeof(name), "task/%d/status", (int)t->tid);
	if (scr__core_slurp(cp->pid, name, &tb) == 0)
		status_value((const char *)tb.p, "SigPnd", 16, &pend);
	scr__core_buf_free(&tb);

	put(d, (unsigned int)t->cursig, 4);		/* si_signo */
	put(d + 12, (unsigned int)t->cursig, 2);	/* pr_cursig */
	put(d + 16, pend, w);
	put(d + 16 + w, t->sigmask, w);
	put(d + 16 + 2 * w, (unsigned int)t->tid, 4);
	put(d + 20 + 2 * w, pi->ppid, 4);
	put(d + 24 + 2 * w, pi->pgrp, 4);
	put(d + 28 + 2 * w, pi->sid, 4);
	put_time(d + 32 + 2 * w, (long long)utime, pi->hz, w);
	put_time(d + 32 + 4 * w, (long long)stime, pi->hz, w);
	put_time(d + 32 + 6 * w, pi->cutime, pi->hz, w);
	put_time(d + 32 + 8 * w, pi->cstime, pi->hz, w);
	memcpy(d + reg, greg, greg_len);
	put(d + reg + greg_len, fpvalid, 4);
	return put_note(b, "CORE", NT_PRSTATUS, d, size);
}

/*
 * struct elf_prpsinfo: pr_state, pr_sname, pr_zomb, pr_nice (chars),
 * pr_flag (word), pr_uid, pr_gid (uid_size each), pr_pid, pr_ppid,
 * pr_pgrp, pr_sid (ints), pr_fname[16], pr_psargs[80]; word-aligned.
 */
static int put_prpsinfo(struct core_buf *b, const struct core_proc *cp,
			const struct procinfo *pi)
{
	static const char states[] = "RSDTZW";
	unsigned int w = cp->abi->word_size, us = cp->ac->uid_size;
	size_t flag = w, uid = flag + w, pids = core_align(uid + 2 * us, 4);
	size_t fname = pids + 16, size = core_align(fname + 16 + PRARGSZ, w);
	unsigned char d[256];
	char s = pi->state == 't' ? 'T' : pi->state;	/* tracing stop */
	const char *at = s ? strchr(states, s) : NULL;

	memset(d, 0, sizeof(d));
	d[0] = at ? (char)(at - states) : 0;
	d[1] = at ? s : '.';
	d[2] = s == 'Z';
	d[3] = (char)pi->nice;
	put(d + flag, pi->flags, w);
	put(d + uid, pi->uid, us);
	put(d + uid + us, pi->gid, us);
	put(d + pids, (unsigned int)cp->pid, 4);
	put(d + pids + 4, pi->ppid, 4);
	put(d + pids + 8, pi->pgrp, 4);
	put(d + pids + 12, pi->sid, 4);
	memcpy(d + fname, pi->comm, strlen(pi->comm));
	memcpy(d + fname + 16, pi->psargs, PRARGSZ - 1);
	return put_note(b, "CORE", NT_PRPSINFO, d, size);
}

/*
 * The siginfo of the signal the first thread is stopped to take; zeros
 * when it takes none (a live process did not die of anything).  In the
 * 32-bit layout the union starts at byte 12, not 16, and its fields are
 * ints where they are longs: keeping the low half of each (the first
 * bytes, little-endian) gives pids, uids, codes and addresses right.
 */
static int put_siginfo(struct core_buf *b, const struct core_proc *cp,
		       const struct core_thread *t)
{
	unsigned char d[SIGINFO_SIZE], si[sizeof(siginfo_t)];

	memset(d, 0, sizeof(d));
	if (t->cursig && t->have_si) {
		memcpy(si, &t->si, sizeof(si));
		if (cp->abi->word_size == 8) {
			memcpy(d, si, sizeof(d));
		} else {
			memcpy(d, si, 12);
			memcpy(d + 12, si + 16, sizeof(d) - 16);
		}
	}
	return put_note(b, "CORE", NT_SIGINFO, d, sizeof(d));
}

/* /proc/PID/auxv up to and with its AT_NULL pair. */
static int put_auxv(struct core_buf *b, const struct core_proc *cp)
{
	struct core_buf a = { 0 };
	unsigned int w = cp->abi->word_size;
	size_t len = 0;
	int e = scr__core_slurp(cp->mm_pid, "auxv", &a);

	if (e) {
		scr__core_buf_free(&a);
		return e == -ESRCH ? e : 0;	/* no auxv: no note */
	}
	while (len + 2 * w <= a.len) {
		unsigned long long key = get(a.p + len, w);

		len += 2 * w;
		if (key == 0)
			break;
	}
	e = put_note(b, "CORE", NT_AUXV, a.p, len);
	scr__core_buf_free(&a);
	return e;
}

/*
 * NT_FILE: count, page size, then a (start, end, page offset) triple per
 * file-backed mapping, then their names, each NUL-terminated.
 */
static int put_files(struct core_buf *b, const struct core_proc *cp,
		     const struct core_maps *m, size_t page)
{
	struct core_buf d = { 0 }, names = { 0 };
	unsigned int w = cp->abi->word_size;
	unsigned char word[8];
	size_t count = 0;
	int e = scr__core_buf_zero(&d, 2 * w);

	for (size_t i = 0; !e && i < m->n; i++) {
		const struct core_map *map = &m->v[i];
		unsigned long v[3] = { map->start, map->end,
				       map->offset / page };

		if (!map->path || map->path[0] == '[')
			continue;
		for (int k = 0; !e && k < 3; k++) {
			put(word, v[k], w);
			e = scr__core_buf_put(&d, word, w);
		}
		if (!e)
			e = scr__core_buf_put(&names, map->path,
					      strlen(map->path) + 1);
		count++;
	}
	if (!e && count) {
		put(d.p, count, w);
		put(d.p + w, page, w);
		e = scr__core_buf_put(&d, names.p, names.len);
		if (!e)
			e = put_note(b, "CORE", NT_FILE, d.p, d.len);
	}
	scr__core_buf_free(&d);
	scr__core_buf_free(&names);
	return e;
}

static int getregset(pid_t tid, uint32_t type, void *buf, size_t *len)
{
	struct iovec iov = { buf, *len };

	if (ptrace(PTRACE_GETREGSET, tid, (unsigned long)type, &iov))
		return errno == ESRCH ? -ESRCH : -ENODATA;
	*len = iov.iov_len;
	return 0;
}

/* Past the last byte of buf[0, len) that is not c. */
static size_t used(const unsigned char *buf, size_t len, unsigned char c)
{
	while (len && buf[len - 1] == c)
		len--;
	return len;
}

/*
 * One register set of a thread into rb: its length, 0 when the thread
 * has none (the call fails, as for an inactive set), -ESRCH when gone.
 *
 * PTRACE_GETREGSET reports the set's whole size but copies only what the
 * kernel wrote of it (an SVE set in FP/SIMD mode: its first 544 bytes of
 * 8768), and a core holds only that.  So it is read twice, over zeros
 * and over 0xff: what the kernel wrote differs from one or the other.
 */
static int grow_to(struct core_buf *rb, size_t len)
{
	unsigned char *p;

	if (rb->cap >= len)
		return 0;
	p = realloc(rb->p, len);
	if (!p)
		return -ENOMEM;
	rb->p = p;
	rb->cap = len;
	return 0;
}

static ssize_t read_regset(pid_t tid, uint32_t type, struct core_buf *rb,
			   size_t *hint)
{
	/* The size the set had in the last thread, and some more to tell
	 * whether it is bigger now (a multiple of the set's element size,
	 * as the kernel asks: 64 is one of all of them); a little when the
	 * last thread had none; else 64 KiB. */
	size_t want = *hint == NO_SET ? 4096 : *hint ? *hint + 64 :
		      REGSET_FIRST, len, again;
	int e = grow_to(rb, 2 * want);

	for (;;) {
		if (e)
			return e;
		len = want;
		memset(rb->p, 0, len);
		e = getregset(tid, type, rb->p, &len);
		if (e == -ESRCH)
			return e;
		if (e) {
			*hint = NO_SET;
			return 0;
		}
		/* A full buffer may have cut the set: read it again. */
		if (len < want || want >= REGSET_MAX)
			break;
		want = want < REGSET_FIRST ? REGSET_FIRST : want * 4;
		e = grow_to(rb, 2 * want);
	}
	*hint = len;
	again = len;
	memset(rb->p + len, 0xff, len);
	e = getregset(tid, type, rb->p + len, &again);
	if (e)
		return e == -ESRCH ? e : 0;
	size_t a = used(rb->p, len, 0), b = used(rb->p + len, len, 0xff);

	return (ssize_t)(a > b ? a : b);
}

/* The buffer register sets are read into, and the size each had. */
struct regsets {
	struct core_buf buf;
	size_t size[MAX_SETS + 1];
};

static int thread_notes(struct core_buf *out, const struct core_proc *cp,
			const struct core_thread *t, const struct procinfo *pi,
			const struct core_maps *m, bool first,
			struct regsets *rs)
{
	struct core_buf sets = { 0 }, *rb = &rs->buf;
	unsigned char greg[GREG_MAX];
	bool fpvalid = false;
	ssize_t glen = read_regset(t->tid, NT_PRSTATUS, rb, &rs->size[0]);
	int e = 0;

	if (glen <= 0 || glen > GREG_MAX)
		return glen < 0 ? (int)glen : -EIO;
	memcpy(greg, rb->p, (size_t)glen);
	for (size_t i = 0; !e && i < cp->ac->nnotes; i++) {
		const struct arch_core_note *n = &cp->ac->notes[i];
		ssize_t len = 0;

		if (i < MAX_SETS)
			len = read_regset(t->tid, n->type, rb,
					  &rs->size[i + 1]);

		if (len < 0)
			e = (int)len;
		else if (len > 0)
			e = put_note(&sets, n->name, n->type, rb->p,
				     (size_t)len);
		fpvalid |= len > 0 && n->type == NT_PRFPREG;
	}
	if (!e)
		e = put_prstatus(out, cp, t, pi, greg, (size_t)glen, fpvalid);
	if (!e && first) {
		size_t page = (size_t)sysconf(_SC_PAGESIZE);

		e = put_prpsinfo(out, cp, pi);
		if (!e)
			e = put_siginfo(out, cp, t);
		if (!e)
			e = put_auxv(out, cp);
		if (!e)
			e = put_files(out, cp, m, page);
	}
	if (!e)
		e = scr__core_buf_put(out, sets.p, sets.len);
	scr__core_buf_free(&sets);
	return e;
}

int scr__core_proc_prepare(struct core_proc *cp)
{
	struct arch_regs regs;
	size_t first = 0;
	int e;

	if (!cp->nthreads)
		return -ESRCH;
	/* The core is about the thread taking a signal, as a core the
	 * kernel writes is about the one that got the fatal one. */
	for (size_t i = 0; i < cp->nthreads; i++) {
		if (cp->threads[i].cursig) {
			first = i;
			break;
		}
		if (cp->threads[i].tid == cp->pid)
			first = i;
	}
	if (first) {
		struct core_thread t = cp->threads[0];

		cp->threads[0] = cp->threads[first];
		cp->threads[first] = t;
	}
	e = arch_get_regs(cp->threads[0].tid, &regs);
	if (e)
		return e;
	/* A main thread that exited has no memory map left to show. */
	cp->mm_pid = cp->threads[0].tid;
	for (size_t i = 0; i < cp->nthreads; i++)
		if (cp->threads[i].tid == cp->pid)
			cp->mm_pid = cp->pid;
	cp->abi = arch_abi_of(&regs);
	cp->ac = arch_core_of(cp->abi);
	return 0;
}

int scr__core_notes_build(struct core_proc *cp, const struct core_maps *m)
{
	struct regsets rs = { { 0 }, { 0 } };
	struct procinfo pi;
	size_t kept = 0;
	int e = read_procinfo(cp->pid, cp->mm_pid, &pi);

	cp->notes.len = 0;
	for (size_t i = 0; !e && i < cp->nthreads; i++) {
		size_t mark = cp->notes.len;

		e = thread_notes(&cp->notes, cp, &cp->threads[i], &pi, m,
				 kept == 0, &rs);
		/* A thread killed meanwhile is no longer part of it. */
		if (e == -ESRCH && cp->threads[i].tid != cp->pid) {
			cp->notes.len = mark;
			e = 0;
			continue;
		}
		cp->threads[kept++] = cp->threads[i];
	}
	cp->nthreads = kept;
	if (!e) {
		unsigned char extra[64 * 16];
		uint32_t type = 0;
		size_t len = arch_core_extra_note(cp->abi, &type, extra,
						  sizeof(extra));

		if (len)
			e = put_note(&cp->notes, "LINUX", type, extra, len);
	}
	scr__core_buf_free(&rs.buf);
	return e;
}

void scr__core_proc_free(struct core_proc *cp)
{
	free(cp->threads);
	scr__core_buf_free(&cp->notes);
	memset(cp, 0, sizeof(*cp));
}
