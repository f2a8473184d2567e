/*
 * Inside the core writer (core*.c):
 *
 *   core.c        the entry points; plain dumps and snapshots
 *   core_notes.c  the PT_NOTE segment: process, threads, register sets
 *   core_maps.c   the mappings (/proc/PID/smaps), which to dump and how
 *                 much, as the kernel decides (fs/coredump.c)
 *   scr__core_write.c  the ELF file: headers, then memory, sparse
 *   core_sink.c   where bytes go: a file (holes), a pipe, or zstd
 */
#ifndef SCR_CORE_IMPL_H
#define SCR_CORE_IMPL_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "internal.h"
#include "core.h"

/* A growing byte buffer. */
struct core_buf {
	unsigned char *p;
	size_t len, cap;
};
int scr__core_buf_put(struct core_buf *b, const void *data, size_t len);
int scr__core_buf_zero(struct core_buf *b, size_t len);
void scr__core_buf_free(struct core_buf *b);
/* Reads /proc/PID/NAME whole into b, NUL-terminated (not counted).
 * -ENOENT: the kernel has no such file; -ESRCH: no such process. */
int scr__core_slurp(pid_t pid, const char *name, struct core_buf *b);

/* ---- the process (core_notes.c) ---- */

struct core_thread {
	pid_t tid;
	uint64_t sigmask;	/* its own, as before any session */
	bool have_si;
	siginfo_t si;		/* of the stop it is in */
	int cursig;		/* the signal it is stopped to take, or 0 */
};

struct core_proc {
	pid_t pid;			/* the process */
	pid_t mm_pid;			/* a live thread: its memory, auxv... */
	const struct arch_abi *abi;
	const struct arch_core *ac;
	struct core_thread *threads;	/* the one the core is about first */
	size_t nthreads;
	struct core_buf notes;		/* the PT_NOTE segment */
};

/* Puts the thread the core is about (one taking a signal, else the main
 * thread) first, learns the ABI from it, and sets mm_pid.  0 or a
 * negative errno. */
int scr__core_proc_prepare(struct core_proc *cp);
struct core_maps;
/* Builds cp->notes, from the stopped threads and the mappings. */
int scr__core_notes_build(struct core_proc *cp, const struct core_maps *maps);
void scr__core_proc_free(struct core_proc *cp);

/* ---- mappings (core_maps.c) ---- */

/* VmFlags of /proc/PID/smaps that matter here. */
#define VMF_SHARED	0x001u	/* sh: VM_SHARED */
#define VMF_IO		0x002u	/* io: VM_IO */
#define VMF_PFNMAP	0x004u	/* pf: VM_PFNMAP */
#define VMF_DONTDUMP	0x008u	/* dd: MADV_DONTDUMP */
#define VMF_DONTCOPY	0x010u	/* dc: MADV_DONTFORK */
#define VMF_WIPEONFORK	0x020u	/* wf: MADV_WIPEONFORK */
#define VMF_HUGETLB	0x040u	/* ht */

/* coredump_filter bits (Documentation/filesystems/proc.rst). */
#define CDF_ANON_PRIVATE	0x001u
#define CDF_ANON_SHARED		0x002u
#define CDF_MAPPED_PRIVATE	0x004u
#define CDF_MAPPED_SHARED	0x008u
#define CDF_ELF_HEADERS		0x010u
#define CDF_HUGETLB_PRIVATE	0x020u
#define CDF_HUGETLB_SHARED	0x040u
#define CDF_ALL			0x1ffu
#define CDF_DEFAULT		0x033u

struct core_map {
	unsigned long start, end;
	unsigned long offset;		/* in the file, bytes */
	uint32_t prot;			/* PF_R | PF_W | PF_X */
	uint32_t vmflags;		/* VMF_* */
	bool have_flags;		/* vmflags and written are known */
	bool written;			/* has anonymous pages (anon_vma) */
	char *path;			/* as /proc shows it; NULL: none */
	unsigned long dump;		/* bytes dumped from start */
	bool maybe_elf;			/* dump the first page if ELF */
	unsigned char *saved;		/* snapshot: read before the release */
	bool from_target;		/* snapshot: read from the process */
	bool decided;			/* dump is settled */
};

struct core_maps {
	struct core_map *v;
	size_t n, cap;
	uint32_t filter;		/* coredump_filter */
};

/* Reads /proc/PID/smaps (with_flags) or /proc/PID/maps into *m; maps
 * too where the kernel has no smaps (CONFIG_PROC_PAGE_MONITOR). */
int scr__core_maps_read(pid_t pid, bool with_flags, struct core_maps *m);
/* Parses the text of one of them (exposed for the fuzzer and tests). */
int scr__core_maps_parse(const char *text, size_t len, struct core_maps *m);
int scr__core_filter_read(pid_t pid, uint32_t *filter);
/* Decides m->dump (and m->maybe_elf) as the kernel's vma_dump_size(). */
void scr__core_map_decide(struct core_map *m, uint32_t filter, bool all);
/* Is m private anonymous memory (pages never touched read as zeros)? */
bool scr__core_map_anonymous(const struct core_map *m);
/* Is m one of the kernel's special mappings ([vdso], [vvar]...)? */
bool scr__core_map_special(const struct core_map *m);
/* Does the name end in " (deleted)" or name anonymous shared memory? */
bool scr__core_map_unlinked(const struct core_map *m);
void scr__core_maps_free(struct core_maps *m);

/* ---- where bytes go (core_sink.c) ---- */

struct core_sink {
	int fd;
	bool seekable;		/* holes by seeking, the head written last */
	off_t base;		/* where the core starts in fd */
	uint64_t pos;		/* logical bytes of the core so far */
	uint64_t written;	/* bytes written to fd */
	void *zstd;		/* compressing: a ZSTD_CCtx */
	unsigned char *zout;
	size_t zout_len;
	struct scr_proc *session;	/* for scr_interrupt(); may be NULL */
	bool socket;		/* written with send(MSG_DONTWAIT) */
	int nb_fd;		/* the pipe fd opened again, non-blocking */
	bool epipe;		/* a write met EPIPE (and raised SIGPIPE) */
	bool had_sigpipe;	/* SIGPIPE was pending before us */
	sigset_t old_mask;
};

int scr__core_sink_open(struct core_sink *s, int fd, bool compress,
			uint64_t total);
int scr__core_sink_write(struct core_sink *s, const void *data, size_t len);
/* len bytes of zeros: a hole where the file can have one. */
int scr__core_sink_skip(struct core_sink *s, uint64_t len);
/* For a seekable sink, the head goes at the start once the rest is
 * written; elsewhere it is written first, by scr__core_sink_write(). */
int scr__core_sink_head(struct core_sink *s, const void *head, size_t len);
/* Ends the stream (ok: completely); -errno of the last write. */
int scr__core_sink_close(struct core_sink *s, bool ok);

/* ---- the ELF file (scr__core_write.c) ---- */

struct core_out {
	struct core_sink sink;
	const struct scr_core_opts *opts;
	pid_t mem_pid;			/* where memory is read */
	pid_t target_pid;		/* the process (a snapshot reads its
					   clone, mem_pid, for the rest) */
	size_t page;
	uint64_t size;			/* bytes of the core */
	uint64_t data_off;		/* where the first segment starts */
	uint64_t *pagemap;		/* pagemap entries of a chunk */
	int pagemap_fd;			/* of mem_pid; -1 until needed */
	int mem_fd;			/* /proc/PID/mem of mem_fd_pid */
	pid_t mem_fd_pid;
};

/* The size of the core, from the decided mappings. */
uint64_t scr__core_layout(const struct core_proc *cp,
			  const struct core_maps *m, size_t page,
			  uint64_t *data_off);
/* Reads pid's memory through /proc/PID/mem (see core_write.c for why not
 * process_vm_readv): bytes read, or a negative errno. */
ssize_t scr__core_mem_read(pid_t pid, unsigned long addr, void *buf,
			   size_t len);
/* Resolves the "maybe an ELF header" mappings by reading their magic. */
void scr__core_check_elf_headers(struct core_maps *m, pid_t mem_pid,
				 size_t page);
/* Writes the whole core: headers, notes, memory. */
int scr__core_write(struct core_out *o, const struct core_proc *cp,
		    const struct core_maps *m);

/* Bytes of an ELF header, program headers included, for nmaps maps. */
size_t scr__core_head_size(unsigned int word, size_t nmaps);

static inline uint64_t core_align(uint64_t v, uint64_t a)
{
	return (v + a - 1) & ~(a - 1);
}

#endif
