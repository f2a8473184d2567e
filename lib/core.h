/*
 * Core dumps, the library's side that scremote(1) and the benchmark use
 * beyond the public scr_dump_core(): progress, interruption, and what a
 * dump measured.  Internal: not installed, not exported by the shared
 * library.
 */
#ifndef SCR_CORE_H
#define SCR_CORE_H

#include <stdbool.h>
#include <stdint.h>

#include "scremote.h"

struct scr_core_opts {
	/* Called after each chunk of memory written (done <= total bytes
	 * of the core); a non-zero return breaks the dump off with it as
	 * the (negative errno) result.  NULL: none. */
	int (*progress)(void *arg, uint64_t done, uint64_t total);
	void *arg;
};

struct scr_core_info {
	uint64_t size;		/* bytes of the core (uncompressed) */
	uint64_t written;	/* bytes written to the fd */
	unsigned int threads;
	bool snapshot;		/* the memory came from a clone */
	int snapshot_err;	/* why a snapshot fell back to a plain dump
				   (negative errno), 0 when it did not */
	/* CLOCK_MONOTONIC, ns; 0 when there was no such moment: the
	 * process was let go (snapshot) and stopped again to reap the
	 * clone. */
	uint64_t released_ns, restopped_ns;
};

/* scr_dump_core() with options and a report; info may be NULL. */
int scr__dump_core(struct scr_proc *p, int fd, unsigned int flags,
		   off_t limit, const struct scr_core_opts *o,
		   struct scr_core_info *info);

/* Whether this build writes compressed cores (PC_COMPRESS). */
bool scr__core_can_compress(void);

#endif
