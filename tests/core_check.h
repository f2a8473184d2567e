/*
 * A reader of ELF core files for the tests, independent of the library's
 * writer: the headers, the notes (each with the thread it belongs to),
 * and memory at an address.  Both classes, native byte order.  It runs
 * where no gdb does (the qemu guests).
 */
#ifndef SCR_TEST_CORE_CHECK_H
#define SCR_TEST_CORE_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct core_file {
	const unsigned char *data;	/* the whole file, mapped */
	size_t len;
	unsigned int word;		/* 4 or 8 */
	uint16_t type, machine;
	size_t phnum;
	const unsigned char *notes;
	size_t notes_len;
};

struct core_note {
	uint32_t type;
	char name[8];
	const unsigned char *desc;
	size_t len;
	int thread;		/* index of the NT_PRSTATUS it follows */
};

struct core_seg {
	uint32_t type, flags;
	uint64_t offset, vaddr, filesz, memsz, align;
};

/* 0, or -1 with the reason in why. */
int core_open(const char *path, struct core_file *cf, char *why, size_t len);
void core_close(struct core_file *cf);
/* Up to max notes; returns how many there are (-1: malformed). */
int core_notes(const struct core_file *cf, struct core_note *out, int max);
int core_seg(const struct core_file *cf, size_t i, struct core_seg *s);
/* Memory at addr: 1 read, 0 mapped but not in the file, -1 not mapped. */
int core_read(const struct core_file *cf, uint64_t addr, void *buf,
	      size_t len);
/* Fields of an NT_PRSTATUS / NT_PRPSINFO note. */
pid_t prstatus_pid(const struct core_file *cf, const struct core_note *n);
int prstatus_cursig(const struct core_note *n);
uint64_t prstatus_sighold(const struct core_file *cf,
			  const struct core_note *n);
/* pr_reg: its bytes and length (from the note's size). */
const unsigned char *prstatus_reg(const struct core_file *cf,
				  const struct core_note *n, size_t *len);
pid_t prpsinfo_pid(const struct core_file *cf, const struct core_note *n,
		   unsigned int uid_size);
const char *prpsinfo_fname(const struct core_file *cf,
			   const struct core_note *n, unsigned int uid_size);

/* ---- checks of the tests, with harness.h's CHECK ---- */

struct scr_proc;

/* Maps the core at path, and removes the file. */
void open_core(const char *path, struct core_file *cf);
/* The notes, in a buffer of its own (overwritten by the next call). */
int load_notes(const struct core_file *cf, struct core_note **out);
/* The first note of type (of that thread; -1: any). */
const struct core_note *find_note(const struct core_note *v, int n,
				  uint32_t type, int thread);
int count_notes(const struct core_note *v, int n, uint32_t type);
/* Every thread of the session has an NT_PRSTATUS whose registers, and
 * every register set after it, are what PTRACE_GETREGSET gives now; its
 * mask is want_mask (NULL: what PTRACE_GETSIGMASK gives now). */
void check_threads(const struct core_file *cf, struct scr_proc *p,
		   const uint64_t *want_mask);
/* The process notes: main thread first, in the kernel's order, auxv as
 * /proc has it, the executable in NT_FILE. */
void check_process(const struct core_file *cf, pid_t pid,
		   unsigned int uid_size);

#endif
