#ifndef SCR_TEST_I386_NRS_H
#define SCR_TEST_I386_NRS_H

struct i386_nrs {
	long read, write, close, getpid, getppid, gettid, openat;
	long mmap2, munmap, nanosleep, clock_nanosleep, clock_nanosleep64;
	long futex, futex64, poll, restart_syscall;
};
extern const struct i386_nrs i386_nr;

#endif
