/*
 * The ELF file of a core, laid out as the kernel lays it out
 * (fs/binfmt_elf.c, elf_core_dump): the ELF header, a PT_NOTE program
 * header, a PT_LOAD per mapping (empty for those not dumped), the notes,
 * then, from the next page boundary, the dumped part of each mapping in
 * order.  With 65535 program headers or more the count moves to the one
 * section header (PN_XNUM), placed here after the program headers.
 *
 * Memory is read in chunks with process_vm_readv (or /proc/PID/mem for
 * what the process cannot read itself, PROT_NONE mappings) and written
 * straight out, so that the tool needs no more than a chunk of memory
 * whatever the size of the core.  Pages the process never touched are
 * holes, as in the kernel's cores (dump_skip): a private anonymous
 * mapping's pagemap says which pages exist; a page that reads as zeros,
 * or cannot be read at all, is a hole too (it reads back the same).
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
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
		if (scr__mem_read(mem_pid, m->v[i].start, magic, SELFMAG) ==
			    SELFMAG &&
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
static void read_pages(struct core_out *o, pid_t pid, bool force,
		       unsigned long addr, unsigned char *buf, size_t len,
		       bool *present)
{
	size_t done = 0;

	while (done < len) {
		size_t pg = done / o->page, run = 0;
		ssize_t n;

		if (!present[pg]) {
			done += o->page;
			continue;
		}
		while (done + run < len && present[pg + run / o->page])
			run += o->page;
		if (force) {
			/* Not readable by the process: through /proc/PID/mem,
			 * which may read what ptrace may (FOLL_FORCE). */
			if (o->mem_fd_pid != pid) {
				if (o->mem_fd >= 0)
					close(o->mem_fd);
				o->mem_fd = open_proc(pid, "mem");
				o->mem_fd_pid = pid;
			}
			n = o->mem_fd < 0 ? -1 :
			    pread(o->mem_fd, buf + done, run,
				  (off_t)(addr + done));
		} else {
			struct iovec local = { buf + done, run };
			struct iovec remote = { (void *)(addr + done), run };

			n = process_vm_readv(pid, &local, 1, &remote, 1, 0);
		}
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

static int dump_map(struct core_out *o, const struct core_map *m,
		    bool *present)
{
	unsigned char *buf = (unsigned char *)o->buf;
	pid_t pid = m->from_target ? o->target_pid : o->mem_pid;
	bool force = !(m->prot & PF_R);

	for (unsigned long addr = m->start; addr < m->start + m->dump;) {
		size_t len = m->start + m->dump - addr;
		size_t npages;
		int e;

		if (len > CHUNK)
			len = CHUNK;
		npages = len / o->page;
		if (m->saved) {
			memcpy(buf, m->saved + (addr - m->start), len);
			memset(present, 1, npages);
		} else if (scr__core_map_anonymous(m) && !m->from_target) {
			pages_present(o, addr, npages, present);
		} else {
			memset(present, 1, npages);
		}
		if (!m->saved)
			read_pages(o, pid, force, addr, buf, len, present);
		e = emit(o, buf, len, present);
		if (!e)
			e = check_progress(o);
		if (e)
			return e;
		addr += len;
	}
	return 0;
}

int scr__core_write(struct core_out *o, const struct core_proc *cp,
		    const struct core_maps *m)
{
	unsigned char *head = build_head(o, cp, m);
	bool *present = malloc(CHUNK / o->page);
	int e = 0;

	o->buf = malloc(CHUNK);
	o->pagemap = malloc(CHUNK / o->page * 8);
	o->pagemap_fd = o->mem_fd = -1;
	o->mem_fd_pid = 0;
	if (!head || !present || !o->buf || !o->pagemap)
		e = -ENOMEM;
	/* A file gets its head last: see core_sink.c. */
	if (!e)
		e = o->sink.seekable ?
		    scr__core_sink_skip(&o->sink, o->data_off) :
		    scr__core_sink_write(&o->sink, head, o->data_off);
	for (size_t i = 0; !e && i < m->n; i++)
		if (m->v[i].dump)
			e = dump_map(o, &m->v[i], present);
	if (!e)
		e = scr__core_sink_head(&o->sink, head, o->data_off);
	if (o->pagemap_fd >= 0)
		close(o->pagemap_fd);
	if (o->mem_fd >= 0)
		close(o->mem_fd);
	free(head);
	free(present);
	free(o->buf);
	free(o->pagemap);
	o->buf = o->pagemap = NULL;
	return e;
}
