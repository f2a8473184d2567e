/*
 * The ELF file of a core, laid out as the kernel lays it out
 * (fs/binfmt_elf.c, elf_core_dump): the ELF header, a PT_NOTE program
 * header, a PT_LOAD per mapping (empty for those not dumped), the notes,
 * then, from the next page boundary, the dumped part of each mapping in
 * order.  With 65535 program headers or more the count moves to the one
 * section header (PN_XNUM), placed here after the program headers.
 *
 * Memory is read in chunks through /proc/PID/mem and written straight
 * out, so that the tool needs no more than a chunk of memory whatever
 * the size of the core.  Not with process_vm_readv: it pins the pages
 * it reads, and pinning an anonymous page shared copy-on-write (every
 * page of a snapshot's clone, and of a process that forked children
 * that live on) makes the kernel copy it first (FAULT_FLAG_UNSHARE,
 * Linux 5.19): a snapshot would double the memory, and a plain dump
 * would change the process's own.  /proc/PID/mem takes references
 * instead, and also reads what the process cannot (PROT_NONE memory,
 * as the kernel's dump does with FOLL_FORCE).
 *
 * Pages the process never touched are holes, as in the kernel's cores
 * (dump_skip): a private anonymous mapping's pagemap says which pages
 * exist; a page that reads as zeros, or cannot be read at all, is a hole
 * too (it reads back the same).
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core_impl.h"

#define CHUNK		(4UL << 20)	/* bytes read at once */
#define PM_PRESENT	(1ULL << 63)
#define PM_SWAP		(1ULL << 62)

static size_t ehdr_size(unsigned int w)
{
	return w == 8 ? sizeof(Elf64_Ehdr) : sizeof(Elf32_Ehdr);
}

static size_t phdr_size(unsigned int w)
{
	return w == 8 ? sizeof(Elf64_Phdr) : sizeof(Elf32_Phdr);
}

static size_t shdr_size(unsigned int w)
{
	return w == 8 ? sizeof(Elf64_Shdr) : sizeof(Elf32_Shdr);
}

size_t scr__core_head_size(unsigned int w, size_t nmaps)
{
	size_t phnum = nmaps + 1;

	return ehdr_size(w) + phnum * phdr_size(w) +
	       (phnum >= PN_XNUM ? shdr_size(w) : 0);
}

uint64_t scr__core_layout(const struct core_proc *cp,
			  const struct core_maps *m, size_t page,
			  uint64_t *data_off)
{
	uint64_t off = scr__core_head_size(cp->abi->word_size, m->n) +
		       cp->notes.len;

	*data_off = core_align(off, page);
	off = *data_off;
	for (size_t i = 0; i < m->n; i++)
		off += m->v[i].dump;
	return off;
}

/* A program header of either class at d. */
static void put_phdr(unsigned char *d, unsigned int w, uint32_t type,
		     uint32_t flags, uint64_t offset, uint64_t vaddr,
		     uint64_t filesz, uint64_t memsz, uint64_t align)
{
	if (w == 8) {
		Elf64_Phdr ph = { type, flags, offset, vaddr, 0, filesz,
				  memsz, align };

		memcpy(d, &ph, sizeof(ph));
	} else {
		Elf32_Phdr ph = { type, (Elf32_Off)offset, (Elf32_Addr)vaddr,
				  0, (Elf32_Word)filesz, (Elf32_Word)memsz,
				  flags, (Elf32_Word)align };

		memcpy(d, &ph, sizeof(ph));
	}
}

static void put_ehdr(unsigned char *d, const struct core_proc *cp,
		     size_t phnum, uint64_t shoff)
{
	unsigned int w = cp->abi->word_size;
	unsigned char ident[EI_NIDENT] = {
		ELFMAG0, ELFMAG1, ELFMAG2, ELFMAG3,
		w == 8 ? ELFCLASS64 : ELFCLASS32,
		__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ ? ELFDATA2LSB :
							    ELFDATA2MSB,
		EV_CURRENT, ELFOSABI_NONE,
	};
	uint16_t e_phnum = phnum >= PN_XNUM ? PN_XNUM : (uint16_t)phnum;
	uint16_t e_shnum = phnum >= PN_XNUM ? 1 : 0;

	if (w == 8) {
		Elf64_Ehdr eh = { .e_type = ET_CORE,
			.e_machine = cp->ac->machine, .e_version = EV_CURRENT,
			.e_phoff = sizeof(Elf64_Ehdr), .e_shoff = shoff,
			.e_flags = cp->ac->flags,
			.e_ehsize = sizeof(Elf64_Ehdr),
			.e_phentsize = sizeof(Elf64_Phdr), .e_phnum = e_phnum,
			.e_shentsize = e_shnum ? sizeof(Elf64_Shdr) : 0,
			.e_shnum = e_shnum };

		memcpy(eh.e_ident, ident, EI_NIDENT);
		memcpy(d, &eh, sizeof(eh));
	} else {
		Elf32_Ehdr eh = { .e_type = ET_CORE,
			.e_machine = cp->ac->machine, .e_version = EV_CURRENT,
			.e_phoff = sizeof(Elf32_Ehdr),
			.e_shoff = (Elf32_Off)shoff, .e_flags = cp->ac->flags,
			.e_ehsize = sizeof(Elf32_Ehdr),
			.e_phentsize = sizeof(Elf32_Phdr), .e_phnum = e_phnum,
			.e_shentsize = e_shnum ? sizeof(Elf32_Shdr) : 0,
			.e_shnum = e_shnum };

		memcpy(eh.e_ident, ident, EI_NIDENT);
		memcpy(d, &eh, sizeof(eh));
	}
}

/* Section header 0 of extended numbering: sh_info holds the count. */
static void put_shdr_extnum(unsigned char *d, unsigned int w, size_t phnum)
{
	if (w == 8) {
		Elf64_Shdr sh = { .sh_type = SHT_NULL, .sh_size = 1,
				  .sh_info = (Elf64_Word)phnum };

		memcpy(d, &sh, sizeof(sh));
	} else {
		Elf32_Shdr sh = { .sh_type = SHT_NULL, .sh_size = 1,
				  .sh_info = (Elf32_Word)phnum };

		memcpy(d, &sh, sizeof(sh));
	}
}

/* Everything before the first segment's data: data_off bytes. */
static unsigned char *build_head(const struct core_out *o,
				 const struct core_proc *cp,
				 const struct core_maps *m)
{
	unsigned int w = cp->abi->word_size;
	size_t phnum = m->n + 1, ph = phdr_size(w);
	size_t shoff = ehdr_size(w) + phnum * ph;
	size_t notes = scr__core_head_size(w, m->n);
	uint64_t off = o->data_off;
	unsigned char *d = calloc(1, o->data_off);

	if (!d)
		return NULL;
	put_ehdr(d, cp, phnum, phnum >= PN_XNUM ? shoff : 0);
	put_phdr(d + ehdr_size(w), w, PT_NOTE, 0, notes, 0, cp->notes.len,
		 0, 0);
	for (size_t i = 0; i < m->n; i++) {
		const struct core_map *map = &m->v[i];

		put_phdr(d + ehdr_size(w) + (i + 1) * ph, w, PT_LOAD,
			 map->prot, off, map->start, map->dump,
			 map->end - map->start, o->page);
		off += map->dump;
	}
	if (phnum >= PN_XNUM)
		put_shdr_extnum(d + shoff, w, phnum);
	memcpy(d + notes, cp->notes.p, cp->notes.len);
	return d;
}

void scr__core_check_elf_headers(struct core_maps *m, pid_t mem_pid,
				 size_t page)
{
	for (size_t i = 0; i < m->n; i++) {
		unsigned char magic[SELFMAG];

		if (!m->v[i].maybe_elf)
			continue;
		if (scr__core_mem_read(mem_pid, m->v[i].start, magic,
				       SELFMAG) == SELFMAG &&
		    memcmp(magic, ELFMAG, SELFMAG) == 0)
			m->v[i].dump = page;
		m->v[i].maybe_elf = false;
	}
}

static int open_proc(pid_t pid, const char *name)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, name);
	return open(path, O_RDONLY | O_CLOEXEC);
}

ssize_t scr__core_mem_read(pid_t pid, unsigned long addr, void *buf,
			   size_t len)
{
	int fd = open_proc(pid, "mem");
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = pread(fd, buf, len, (off_t)addr);
	if (n < 0)
		n = -errno;
	close(fd);
	return n;
}

/*
 * Which pages of [addr, addr + n pages) exist: present or swapped out.
 * Without a readable pagemap every page is taken to exist.
 */
static void pages_present(struct core_out *o, unsigned long addr,
			  size_t npages, bool *present)
{
	ssize_t got = -1;

	if (o->pagemap_fd == -1)
		o->pagemap_fd = open_proc(o->mem_pid, "pagemap");
	if (o->pagemap_fd >= 0)
		got = pread(o->pagemap_fd, o->pagemap, npages * 8,
			    (off_t)(addr / o->page * 8));
	for (size_t i = 0; i < npages; i++)
		present[i] = got < (ssize_t)((i + 1) * 8) ||
			     (o->pagemap[i] & (PM_PRESENT | PM_SWAP));
}

/* Reads [addr, addr + len) of pid into buf; pages that cannot be read
 * are marked absent (they become holes). */
static void read_pages(struct core_out *o, pid_t pid, unsigned long addr,
		       unsigned char *buf, size_t len, bool *present)
{
	size_t done = 0;

	if (o->mem_fd_pid != pid) {
		if (o->mem_fd >= 0)
			close(o->mem_fd);
		o->mem_fd = open_proc(pid, "mem");
		o->mem_fd_pid = pid;
	}
	while (done < len) {
		size_t pg = done / o->page, run = 0;
		ssize_t n;

		if (!present[pg]) {
			done += o->page;
			continue;
		}
		while (done + run < len && present[pg + run / o->page])
			run += o->page;
		n = o->mem_fd < 0 ? -1 :
		    pread(o->mem_fd, buf + done, run, (off_t)(addr + done));
		if (n < 0)
			n = 0;
		n = (ssize_t)((size_t)n / o->page * o->page);
		done += (size_t)n;
		if ((size_t)n < run) {
			present[done / o->page] = false;	/* unreadable */
			done += o->page;
		}
	}
}

static bool page_zero(const uint64_t *p, size_t words)
{
	for (size_t i = 0; i < words; i++)
		if (p[i])
			return false;
	return true;
}

/* Writes pages of buf, a hole for each absent or zero page. */
static int emit(struct core_out *o, const unsigned char *buf, size_t len,
		const bool *present)
{
	size_t i = 0;

	while (i < len) {
		size_t run = 0;
		bool data = present[i / o->page] &&
			    !page_zero((const uint64_t *)(const void *)
				       (buf + i), o->page / 8);
		int e;

		while (i + run < len) {
			size_t k = (i + run) / o->page;
			bool d = present[k] &&
				 !page_zero((const uint64_t *)(const void *)
					    (buf + i + run), o->page / 8);

			if (d != data)
				break;
			run += o->page;
		}
		e = data ? scr__core_sink_write(&o->sink, buf + i, run) :
			   scr__core_sink_skip(&o->sink, run);
		if (e)
			return e;
		i += run;
	}
	return 0;
}

static int check_progress(struct core_out *o)
{
	if (o->sink.session && scr__proc_interrupted(o->sink.session))
		return -EINTR;
	if (o->opts && o->opts->progress)
		return o->opts->progress(o->opts->arg, o->sink.pos, o->size);
	return 0;
}

/*
 * Reading the process and writing the core overlap: a helper thread
 * reads chunks into one of two buffers while this thread writes the
 * other out.  Both are memory copies, on different CPUs.
 */
struct chunk {
	unsigned char *buf;
	bool *present;
	size_t len;
	bool full;
};

struct reader {
	struct core_out *o;
	const struct core_maps *m;
	size_t map;			/* where it is: mapping, address */
	unsigned long addr;
	struct chunk c[2];
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool stop;			/* the writer gave up */
	bool done;			/* everything has been read */
};

/* Reads the next chunk of memory into c; false when there is none. */
static bool read_chunk(struct reader *r, struct chunk *c)
{
	struct core_out *o = r->o;
	const struct core_map *m;
	size_t npages;

	while (r->map < r->m->n &&
	       r->addr >= r->m->v[r->map].start + r->m->v[r->map].dump) {
		r->map++;
		if (r->map < r->m->n)
			r->addr = r->m->v[r->map].start;
	}
	if (r->map >= r->m->n)
		return false;
	m = &r->m->v[r->map];
	c->len = m->start + m->dump - r->addr;
	if (c->len > CHUNK)
		c->len = CHUNK;
	npages = c->len / o->page;
	if (m->saved) {
		memcpy(c->buf, m->saved + (r->addr - m->start), c->len);
		memset(c->present, 1, npages);
	} else {
		if (scr__core_map_anonymous(m) && !m->from_target)
			pages_present(o, r->addr, npages, c->present);
		else
			memset(c->present, 1, npages);
		read_pages(o, m->from_target ? o->target_pid : o->mem_pid,
			   r->addr, c->buf, c->len, c->present);
	}
	r->addr += c->len;
	return true;
}

static void *read_ahead(void *arg)
{
	struct reader *r = arg;

	for (int k = 0;; k ^= 1) {
		bool more;

		pthread_mutex_lock(&r->lock);
		while (r->c[k].full && !r->stop)
			pthread_cond_wait(&r->cond, &r->lock);
		pthread_mutex_unlock(&r->lock);
		if (r->stop)
			break;
		more = read_chunk(r, &r->c[k]);
		pthread_mutex_lock(&r->lock);
		r->c[k].full = more;
		r->done = !more;
		pthread_cond_broadcast(&r->cond);
		pthread_mutex_unlock(&r->lock);
		if (!more)
			break;
	}
	return NULL;
}

/* The next full chunk, in order; NULL when all are written. */
static struct chunk *next_full(struct reader *r, int k)
{
	struct chunk *c = &r->c[k];

	pthread_mutex_lock(&r->lock);
	while (!c->full && !r->done)
		pthread_cond_wait(&r->cond, &r->lock);
	pthread_mutex_unlock(&r->lock);
	return c->full ? c : NULL;
}

static void release_chunk(struct reader *r, struct chunk *c)
{
	pthread_mutex_lock(&r->lock);
	c->full = false;
	pthread_cond_broadcast(&r->cond);
	pthread_mutex_unlock(&r->lock);
}

/* The helper thread takes no signal: they stay the caller's. */
static bool start_reader(struct reader *r, pthread_t *th)
{
	sigset_t all, old;
	bool ok;

	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	ok = pthread_create(th, NULL, read_ahead, r) == 0;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return ok;
}

static int write_memory(struct core_out *o, const struct core_maps *m)
{
	struct reader r = { .o = o, .m = m,
			    .addr = m->n ? m->v[0].start : 0 };
	pthread_t th;
	bool threaded;
	int e = 0;

	for (int k = 0; k < 2; k++) {
		r.c[k].buf = malloc(CHUNK);
		r.c[k].present = malloc(CHUNK / o->page);
		if (!r.c[k].buf || !r.c[k].present)
			e = -ENOMEM;
	}
	pthread_mutex_init(&r.lock, NULL);
	pthread_cond_init(&r.cond, NULL);
	threaded = !e && start_reader(&r, &th);
	for (int k = 0; !e; k ^= 1) {
		struct chunk *c;

		if (threaded) {
			c = next_full(&r, k);
		} else {
			c = &r.c[0];	/* one at a time, in this thread */
			c->full = read_chunk(&r, c);
			if (!c->full)
				c = NULL;
		}
		if (!c)
			break;
		e = emit(o, c->buf, c->len, c->present);
		if (!e)
			e = check_progress(o);
		if (threaded)
			release_chunk(&r, c);
	}
	if (threaded) {
		pthread_mutex_lock(&r.lock);
		r.stop = true;
		pthread_cond_broadcast(&r.cond);
		pthread_mutex_unlock(&r.lock);
		pthread_join(th, NULL);
	}
	pthread_mutex_destroy(&r.lock);
	pthread_cond_destroy(&r.cond);
	for (int k = 0; k < 2; k++) {
		free(r.c[k].buf);
		free(r.c[k].present);
	}
	return e;
}

int scr__core_write(struct core_out *o, const struct core_proc *cp,
		    const struct core_maps *m)
{
	unsigned char *head = build_head(o, cp, m);
	int e = 0;

	o->pagemap = malloc(CHUNK / o->page * 8);
	o->pagemap_fd = o->mem_fd = -1;
	o->mem_fd_pid = 0;
	if (!head || !o->pagemap)
		e = -ENOMEM;
	/* A file gets its head last: see core_sink.c. */
	if (!e)
		e = o->sink.seekable ?
		    scr__core_sink_skip(&o->sink, o->data_off) :
		    scr__core_sink_write(&o->sink, head, o->data_off);
	if (!e)
		e = write_memory(o, m);
	if (!e)
		e = scr__core_sink_head(&o->sink, head, o->data_off);
	if (o->pagemap_fd >= 0)
		close(o->pagemap_fd);
	if (o->mem_fd >= 0)
		close(o->mem_fd);
	free(head);
	free(o->pagemap);
	o->pagemap = NULL;
	return e;
}
