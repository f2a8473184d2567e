/* The i386 system call numbers t_i386 needs, from <asm/unistd_32.h>
 * (which cannot share a file with the 64-bit numbers). */
#include <asm/unistd_32.h>

#include "i386_nrs.h"

const struct i386_nrs i386_nr = {
	.read = __NR_read, .write = __NR_write, .close = __NR_close,
	.getpid = __NR_getpid, .getppid = __NR_getppid, .gettid = __NR_gettid,
	.openat = __NR_openat, .mmap2 = __NR_mmap2, .munmap = __NR_munmap,
	.nanosleep = __NR_nanosleep,
	.clock_nanosleep = __NR_clock_nanosleep,
	.clock_nanosleep64 = __NR_clock_nanosleep_time64,
	.futex = __NR_futex, .futex64 = __NR_futex_time64,
	.poll = __NR_poll, .restart_syscall = __NR_restart_syscall,
};
