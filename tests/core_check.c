/* A reader of ELF core files for the tests: see core_check.h. */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core_check.h"

static uint64_t get(const unsigned char *p, unsigned int size)
{
	uint16_t v16;
	uint32_t v32;
	uint64_t v64;

	switch (size) {
	case 2:
		memcpy(&v16, p, 2);
		return v16;
	case 4:
		memcpy(&v32, p, 4);
		return v32;
	default:
		memcpy(&v64, p, 8);
		return v64;
	}
}

int core_seg(const struct core_file *cf, size_t i, struct core_seg *s)
{
	size_t phoff = cf->word == 8 ? get(cf->data + 32, 8) :
				       get(cf->data + 28, 4);
	size_t ph = cf->word == 8 ? sizeof(Elf64_Phdr) : sizeof(Elf32_Phdr);
	const unsigned char *p = cf->data + phoff + i * ph;

	if (i >= cf->phnum || phoff + (i + 1) * ph > cf->len)
		return -1;
	if (cf->word == 8) {
		Elf64_Phdr h;

		memcpy(&h, p, sizeof(h));
		*s = (struct core_seg){ h.p_type, h.p_flags, h.p_offset,
					h.p_vaddr, h.p_filesz, h.p_memsz,
					h.p_align };
	} else {
		Elf32_Phdr h;

		memcpy(&h, p, sizeof(h));
		*s = (struct core_seg){ h.p_type, h.p_flags, h.p_offset,
					h.p_vaddr, h.p_filesz, h.p_memsz,
					h.p_align };
	}
	return 0;
}

int core_open(const char *path, struct core_file *cf, char *why, size_t len)
{
	struct stat st;
	struct core_seg s;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	memset(cf, 0, sizeof(*cf));
	if (fd < 0 || fstat(fd, &st)) {
		snprintf(why, len, "%s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	cf->len = (size_t)st.st_size;
	cf->data = cf->len ? mmap(NULL, cf->len, PROT_READ, MAP_PRIVATE, fd, 0) :
			     MAP_FAILED;
	close(fd);
	if (cf->data == MAP_FAILED) {
		cf->data = NULL;
		snprintf(why, len, "%s: empty or unreadable", path);
		return -1;
	}
	if (cf->len < sizeof(Elf32_Ehdr) || memcmp(cf->data, ELFMAG, SELFMAG)) {
		snprintf(why, len, "%s: not an ELF file", path);
		return -1;
	}
	cf->word = cf->data[EI_CLASS] == ELFCLASS64 ? 8 : 4;
	cf->type = (uint16_t)get(cf->data + 16, 2);
	cf->machine = (uint16_t)get(cf->data + 18, 2);
	cf->phnum = get(cf->data + (cf->word == 8 ? 56 : 44), 2);
	if (cf->phnum == PN_XNUM) {
		size_t shoff = cf->word == 8 ? get(cf->data + 40, 8) :
					       get(cf->data + 32, 4);

		cf->phnum = shoff + 64 <= cf->len ?
			    get(cf->data + shoff + (cf->word == 8 ? 44 : 28), 4) :
			    0;
	}
	if (cf->type != ET_CORE || core_seg(cf, 0, &s) || s.type != PT_NOTE ||
	    s.offset + s.filesz > cf->len) {
		snprintf(why, len, "%s: not a core with notes first", path);
		return -1;
	}
	cf->notes = cf->data + s.offset;
	cf->notes_len = s.filesz;
	return 0;
}

void core_close(struct core_file *cf)
{
	if (cf->data)
		munmap((void *)cf->data, cf->len);
	memset(cf, 0, sizeof(*cf));
}

int core_notes(const struct core_file *cf, struct core_note *out, int max)
{
	size_t off = 0;
	int n = 0, thread = -1;

	while (off + 12 <= cf->notes_len) {
		uint32_t namesz = (uint32_t)get(cf->notes + off, 4);
		uint32_t descsz = (uint32_t)get(cf->notes + off + 4, 4);
		uint32_t type = (uint32_t)get(cf->notes + off + 8, 4);
		size_t name = off + 12, desc = name + ((namesz + 3) & ~3u);

		if (namesz > 8 || desc + descsz > cf->notes_len)
			return -1;
		if (type == NT_PRSTATUS)
			thread++;
		if (n < max) {
			memset(out[n].name, 0, sizeof(out[n].name));
			memcpy(out[n].name, cf->notes + name, namesz);
			out[n].type = type;
			out[n].desc = cf->notes + desc;
			out[n].len = descsz;
			out[n].thread = thread;
		}
		n++;
		off = desc + ((descsz + 3) & ~3u);
	}
	return off == cf->notes_len ? n : -1;
}

/* One piece of a read: within the segment that holds addr. */
static int read_piece(const struct core_file *cf, uint64_t addr,
		      unsigned char *buf, size_t len, size_t *done)
{
	struct core_seg s;

	for (size_t i = 1; core_seg(cf, i, &s) == 0; i++) {
		size_t n;

		if (s.type != PT_LOAD || addr < s.vaddr ||
		    addr >= s.vaddr + s.memsz)
			continue;
		n = s.vaddr + s.memsz - addr < len ?
		    (size_t)(s.vaddr + s.memsz - addr) : len;
		if (addr + n > s.vaddr + s.filesz ||
		    s.offset + (addr - s.vaddr) + n > cf->len)
			return 0;	/* not dumped, or cut short */
		memcpy(buf, cf->data + s.offset + (addr - s.vaddr), n);
		*done = n;
		return 1;
	}
	return -1;
}

int core_read(const struct core_file *cf, uint64_t addr, void *buf,
	      size_t len)
{
	unsigned char *b = buf;

	/* Adjacent mappings are adjacent segments. */
	while (len) {
		size_t n = 0;
		int r = read_piece(cf, addr, b, len, &n);

		if (r != 1)
			return r;
		addr += n;
		b += n;
		len -= n;
	}
	return 1;
}

/* elf_prstatus: pr_pid after pr_info (12), pr_cursig (2+2) and two
 * words. */
pid_t prstatus_pid(const struct core_file *cf, const struct core_note *n)
{
	return (pid_t)get(n->desc + 16 + 2 * cf->word, 4);
}

int prstatus_cursig(const struct core_note *n)
{
	return (int)get(n->desc + 12, 2);
}

uint64_t prstatus_sighold(const struct core_file *cf,
			  const struct core_note *n)
{
	return get(n->desc + 16 + cf->word, cf->word);
}

const unsigned char *prstatus_reg(const struct core_file *cf,
				  const struct core_note *n, size_t *len)
{
	size_t off = 32 + 10 * (size_t)cf->word;

	*len = n->len > off + 4 ? n->len - off - 4 : 0;
	return n->desc + off;
}

/* elf_prpsinfo: 4 chars, pr_flag (a word, aligned), uid and gid, then
 * 4 pids (aligned to 4), pr_fname[16]. */
static size_t psinfo_pids(const struct core_file *cf, unsigned int us)
{
	size_t uid = 2 * (size_t)cf->word;

	return (uid + 2 * us + 3) & ~(size_t)3;
}

pid_t prpsinfo_pid(const struct core_file *cf, const struct core_note *n,
		   unsigned int uid_size)
{
	return (pid_t)get(n->desc + psinfo_pids(cf, uid_size), 4);
}

const char *prpsinfo_fname(const struct core_file *cf,
			   const struct core_note *n, unsigned int uid_size)
{
	return (const char *)n->desc + psinfo_pids(cf, uid_size) + 16;
}
