/*
 * In a qemu guest (tests/qemu/run.sh runs it as /tests/t_zcore_export):
 * dumps a small target with scr_dump_core() and prints the core on the
 * console, its non-zero pages in hex, so that the host can rebuild it
 * and read it with gdb-multiarch (tests/qemu/core_gdb.sh): gdb then
 * checks the architecture's note layouts independently of our checker.
 *
 *   CORESIZE n           the size of the core
 *   COREHEX offset hex   up to 256 bytes at offset
 *   COREEND
 *
 * The target's threads wait in export_block(), called by export_nest().
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "scremote.h"

#define PAGE 4096
#define LINE 256		/* init reads lines of up to 1023 bytes */

static volatile int forever = 1;

__attribute__((noinline, noclone)) static void export_block(void)
{
	while (forever)
		pause();
}

__attribute__((noinline, noclone)) static void export_nest(int depth)
{
	if (depth > 0)
		export_nest(depth - 1);
	else
		export_block();
	__asm__ volatile("" ::: "memory");
}

static void *worker(void *arg)
{
	export_nest((int)(long)arg);
	return NULL;
}

static void target(int ready)
{
	pthread_t th;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	for (long i = 1; i <= 2; i++)
		pthread_create(&th, NULL, worker, (void *)i);
	if (write(ready, "r", 1) != 1)
		_exit(1);
	export_nest(0);
	_exit(0);
}

static int threads_of(pid_t pid)
{
	char path[64];
	struct stat st;
	int n = 0;

	for (int i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "/proc/%d/task/%d", (int)pid,
			 (int)pid + i);
		n += stat(path, &st) == 0;
	}
	return n;
}

static int fail(const char *what, int e)
{
	printf("FAIL core_export: %s: %s\n", what, strerror(e));
	return 1;
}

int main(void)
{
	static unsigned char page[PAGE];
	const char *path = "/tmp/core_export.core";
	struct scr_proc *p;
	struct stat st;
	int pfd[2], fd, e;
	pid_t pid;
	char c;

	setvbuf(stdout, NULL, _IOFBF, 1 << 16);
	if (pipe(pfd))
		return fail("pipe", errno);
	pid = fork();
	if (pid == 0)
		target(pfd[1]);
	if (read(pfd[0], &c, 1) != 1)
		return fail("target", EIO);
	for (int i = 0; i < 500 && threads_of(pid) < 3; i++)
		usleep(10000);
	usleep(50000);		/* into their pause() */
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0)
		return fail(path, errno);
	e = scr_attach(pid, 0, &p);
	if (e)
		return fail("scr_attach", -e);
	e = scr_dump_core(p, fd, 0, 0);
	scr_detach(p);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	if (e)
		return fail("scr_dump_core", -e);
	if (fstat(fd, &st))
		return fail("fstat", errno);
	printf("PASS core_export_written\nCORESIZE %lld\n",
	       (long long)st.st_size);
	for (off_t off = 0; off < st.st_size; off += PAGE) {
		ssize_t n = pread(fd, page, PAGE, off);
		bool zero = true;

		for (ssize_t i = 0; i < n && zero; i++)
			zero = !page[i];
		for (ssize_t at = 0; !zero && at < n; at += LINE) {
			printf("COREHEX %lld ", (long long)(off + at));
			for (ssize_t i = at; i < n && i < at + LINE; i++)
				printf("%02x", page[i]);
			putchar('\n');
		}
	}
	printf("COREEND\n");
	close(fd);
	unlink(path);
	return 0;
}
