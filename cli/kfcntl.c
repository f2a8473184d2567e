/*
 * The kernel's own value of O_LARGEFILE.  glibc defines O_LARGEFILE as 0
 * on 64-bit ABIs, where the kernel nevertheless sets it in the flags of
 * every open file (force_o_largefile), so fdinfo shows it.  In a unit of
 * its own: <asm/fcntl.h> and glibc's <fcntl.h> cannot be included
 * together.
 */
#include <asm/fcntl.h>

#include "fdflags.h"

const unsigned int kernel_o_largefile = O_LARGEFILE;
