/* A reader of ELF core files for the tests: see core_check.h. */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "core_check.h"
#include "harness.h"
#include "scremote.h"

#define MAX_NOTES 4096
#define NT_XSAVE_LAYOUT 0x205	/* x86, after every thread's notes */

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

/* ---- checks of the tests (they fail the test) ---- */

void open_core(const char *path, struct core_file *cf)
{
	char why[256];
	int e = core_open(path, cf, why, sizeof(why));

	/* Mapped: the file can go now, so that a failing check leaves
	 * nothing behind. */
	unlink(path);
	CHECK(e == 0, "%s", why);
}

int load_notes(const struct core_file *cf, struct core_note **out)
{
	static struct core_note notes[MAX_NOTES];
	int n = core_notes(cf, notes, MAX_NOTES);

	CHECK(n > 0 && n <= MAX_NOTES, "notes malformed (%d)", n);
	*out = notes;
	return n;
}

const struct core_note *find_note(const struct core_note *v, int n,
					 uint32_t type, int thread)
{
	for (int i = 0; i < n; i++)
		if (v[i].type == type && (thread < 0 || v[i].thread == thread))
			return &v[i];
	return NULL;
}

int count_notes(const struct core_note *v, int n, uint32_t type)
{
	int k = 0;

	for (int i = 0; i < n; i++)
		k += v[i].type == type;
	return k;
}

/*
 * The register sets of every thread in the core are what ptrace shows
 * of the stopped thread, byte for byte; so are its signal mask and the
 * thread list.  Called while the session holds the process stopped.
 */
void check_threads(const struct core_file *cf, struct scr_proc *p,
			  const uint64_t *want_mask)
{
	static unsigned char live[4 << 20];
	struct core_note *v;
	int n = load_notes(cf, &v);
	pid_t tids[64];
	int nt = scr_threads(p, tids, 64);

	CHECK_EQ(count_notes(v, n, NT_PRSTATUS), nt);
	for (int k = 0; k < nt; k++) {
		const struct core_note *ps = NULL;
		struct iovec iov = { live, sizeof(live) };
		const unsigned char *reg;
		uint64_t mask = 0;
		size_t len;

		for (int i = 0; i < n && !ps; i++)
			if (v[i].type == NT_PRSTATUS &&
			    prstatus_pid(cf, &v[i]) == tids[k])
				ps = &v[i];
		CHECK(ps, "no NT_PRSTATUS for thread %d", (int)tids[k]);
		CHECK_EQ(ptrace(PTRACE_GETREGSET, tids[k], NT_PRSTATUS, &iov), 0);
		reg = prstatus_reg(cf, ps, &len);
		CHECK(len >= iov.iov_len && len - iov.iov_len < cf->word,
		      "pr_reg %zu bytes, ptrace %zu", len, iov.iov_len);
		CHECK(memcmp(reg, live, iov.iov_len) == 0,
		      "thread %d: general registers differ", (int)tids[k]);
		/* The session holds its own mask in place of the thread's
		 * after a call: the core has the thread's. */
		if (want_mask)
			mask = *want_mask;
		else
			CHECK_EQ(ptrace(PTRACE_GETSIGMASK, tids[k],
					sizeof(mask), &mask), 0);
		CHECK_EQ(prstatus_sighold(cf, ps),
			 cf->word == 8 ? mask : (uint32_t)mask);
		CHECK(find_note(v, n, NT_PRFPREG, ps->thread),
		      "thread %d: no NT_PRFPREG", (int)tids[k]);
		for (int i = 0; i < n; i++) {
			if (v[i].thread != ps->thread ||
			    v[i].type == NT_PRSTATUS || v[i].type == NT_PRPSINFO ||
			    v[i].type == NT_SIGINFO || v[i].type == NT_AUXV ||
			    v[i].type == NT_FILE || v[i].type == NT_XSAVE_LAYOUT)
				continue;
			/* ptrace copies what the kernel wrote of the set
			 * (the rest stays as it was, here zeros), and so
			 * much is in the core. */
			iov.iov_len = sizeof(live);
			memset(live, 0, sizeof(live));
			CHECK_EQ(ptrace(PTRACE_GETREGSET, tids[k],
					(unsigned long)v[i].type, &iov), 0);
			CHECK(v[i].len <= iov.iov_len, "note %#x: %zu bytes, "
			      "ptrace %zu", v[i].type, v[i].len, iov.iov_len);
			for (size_t b = 0; b < iov.iov_len; b++)
				CHECK(live[b] == (b < v[i].len ? v[i].desc[b] : 0),
				      "thread %d: note %#x byte %zu (of %zu) is "
				      "%#x, ptrace says %#x", (int)tids[k],
				      v[i].type, b, v[i].len,
				      b < v[i].len ? v[i].desc[b] : 0, live[b]);
		}
	}
}

/* The process notes: who it is, its auxv, its files. */
void check_process(const struct core_file *cf, pid_t pid,
			  unsigned int uid_size)
{
	static unsigned char auxv[8192];
	char path[64], exe[4096] = "";
	struct core_note *v;
	int n = load_notes(cf, &v);
	const struct core_note *ps = find_note(v, n, NT_PRPSINFO, -1);
	const struct core_note *ax = find_note(v, n, NT_AUXV, -1);
	const struct core_note *fl = find_note(v, n, NT_FILE, -1);
	ssize_t alen;
	int fd;

	CHECK(v[0].type == NT_PRSTATUS && prstatus_pid(cf, &v[0]) == pid,
	      "the first note is not the main thread's NT_PRSTATUS");
	CHECK(v[1].type == NT_PRPSINFO && v[2].type == NT_SIGINFO &&
	      v[3].type == NT_AUXV && v[4].type == NT_FILE,
	      "process notes not in the kernel's order");
	CHECK_EQ(count_notes(v, n, NT_PRPSINFO), 1);
	CHECK_EQ(prpsinfo_pid(cf, ps, uid_size), pid);
	snprintf(path, sizeof(path), "/proc/%d/auxv", (int)pid);
	fd = open(path, O_RDONLY);
	CHECK(fd >= 0);
	alen = read(fd, auxv, sizeof(auxv));
	close(fd);
	CHECK(ax && ax->len > 0 && (ssize_t)ax->len <= alen &&
	      memcmp(ax->desc, auxv, ax->len) == 0, "NT_AUXV is not auxv");
	snprintf(path, sizeof(path), "/proc/%d/exe", (int)pid);
	CHECK(readlink(path, exe, sizeof(exe) - 1) > 0);
	CHECK(fl && memmem(fl->desc, fl->len, exe, strlen(exe) + 1),
	      "NT_FILE does not name %s", exe);
	/* x86: the layout of the XSAVE area, last, as the kernel has it
	 * (type, size, offset, flags: the offsets within the xstate). */
	if (cf->machine == EM_X86_64 || cf->machine == EM_386) {
		const struct core_note *l = &v[n - 1];

		CHECK(l->type == NT_XSAVE_LAYOUT && strcmp(l->name, "LINUX") == 0 &&
		      l->len && l->len % 16 == 0,
		      "the last note is %#x, not NT_X86_XSAVE_LAYOUT", l->type);
		CHECK_EQ(count_notes(v, n, NT_XSAVE_LAYOUT), 1);
	}
}
