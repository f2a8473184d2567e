/*
 * libFuzzer harness for the readers of /proc in lib/procfs.c: the
 * status, stat, maps and fdinfo texts they parse describe a process we
 * do not trust (its name is in them, and it chooses it).  lib/procfs.c
 * is included with open/read/close/fopen redirected here, so that every
 * file it opens has the input as its contents; reads come in chunks of
 * a size the input picks, as short reads from /proc can.
 *
 * Input: one byte (chunk size, signal number), then the file's text.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const uint8_t *file_data;
static size_t file_size, file_pos, chunk;

static int fuzz_open(const char *path, int flags, ...)
{
	(void)path;
	(void)flags;
	file_pos = 0;
	return 1000;
}

static ssize_t fuzz_read(int fd, void *buf, size_t len)
{
	size_t k = file_size - file_pos;

	(void)fd;
	if (k > len)
		k = len;
	if (k > chunk)
		k = chunk;
	memcpy(buf, file_data + file_pos, k);
	file_pos += k;
	return (ssize_t)k;
}

static int fuzz_close(int fd)
{
	(void)fd;
	return 0;
}

static FILE *fuzz_fopen(const char *path, const char *mode)
{
	(void)path;
	(void)mode;
	if (file_size == 0)
		return fopen("/dev/null", "r");
	return fmemopen((void *)file_data, file_size, "r");
}

#define open fuzz_open
#define read fuzz_read
#define close fuzz_close
#define fopen fuzz_fopen
#include "../lib/procfs.c"
#undef open
#undef read
#undef close
#undef fopen

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned long long ticks;
	unsigned long s, e;
	uint64_t ign;
	int mode, r;

	if (size == 0)
		return 0;
	chunk = data[0] % 64 ? data[0] % 64 : 4096;
	file_data = data + 1;
	file_size = size - 1;

	r = scr__status_sig(1, "SigIgn", 1 + data[0] % 64);
	if (r != 0 && r != 1 && r >= 0)
		abort();
	scr__status_sig(1, "SigPnd", 1 + data[0] % 64);
	if (scr__thread_status(1, &ign, &mode) == 0 && (mode < 0 || mode > 2))
		abort();
	scr__start_time(1, &ticks);
	r = scr__pidfd_pid(3);
	if (r == 0)
		abort();	/* a pid, or a negative errno: never 0 */
	r = scr__thread_state(1);
	if (r == 0)
		abort();
	if (scr__vdso_range(1, &s, &e) == 0 && s >= e)
		abort();
	return 0;
}
