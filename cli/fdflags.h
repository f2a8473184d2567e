/*
 * The open flags of a descriptor (f_flags, as /proc/PID/fdinfo shows
 * them, O_CLOEXEC included) in strace's words: O_WRONLY|O_APPEND.
 */
#ifndef CLI_FDFLAGS_H
#define CLI_FDFLAGS_H

#include "util.h"

void fdflags_text(struct sb *b, unsigned int flags);

/* The access mode part alone: O_RDONLY, O_WRONLY or O_RDWR (O_PATH
 * descriptors have none and give -1). */
int fdflags_accmode(unsigned int flags);

/* The kernel's O_LARGEFILE, which glibc calls 0 on 64-bit ABIs while
 * the kernel still sets it in every file's flags (kfcntl.c). */
extern const unsigned int kernel_o_largefile;

#endif
