/*
 * scremote core: a core file of running processes, a drop-in for gdb's
 * gcore that needs no gdb.
 *
 *   scremote core [-a] [-o PREFIX] [--snapshot] [-z] PID...
 *
 * Every PID is checked before any process is touched.  Each process is
 * attached, dumped to PREFIX.PID (PREFIX.PID.zst with -z) and released;
 * a file that did not get a whole core is removed.  Exit status: 0 every
 * core written, 2 usage error (nothing done), 3 a process could not be
 * dumped, 128+N interrupted by signal N (the process released first).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "core.h"
#include "diag.h"
#include "interrupt.h"
#include "pids.h"
#include "scremote.h"
#include "verbs.h"

#define EXIT_USAGE 2
#define EXIT_FAILED 3
#define PROGRESS_MIN (256ULL << 20)	/* show progress above this size */
#define PROGRESS_NS 200000000ULL	/* at most 5 updates a second */

struct core_opts {
	const char *prefix;
	unsigned int flags;
	pid_t *pids;
	size_t npids;
};

static void complain(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void complain(const char *fmt, ...)
{
	va_list ap;

	fputs("scremote core: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void usage(FILE *f)
{
	fputs(
"usage: scremote core [-a] [-o PREFIX] [--snapshot] [-z] PID...\n"
"\n"
"Write a core file of each running process, as gdb's gcore does, without\n"
"gdb.  The process is stopped while its memory is written and then runs\n"
"on as before; with --snapshot it is stopped only while it clones itself,\n"
"and the clone, frozen at that instant, is written while it runs on.\n"
"\n"
"  -o PREFIX     write PREFIX.PID (default: core.PID)\n"
"  -a            all memory, also what /proc/PID/coredump_filter and\n"
"                MADV_DONTDUMP leave out (device memory never)\n"
"  -z            compress with zstd, to PREFIX.PID.zst (systemd-coredump's\n"
"                format; zstd -d gives the core)\n"
"  --snapshot    stop the process about as long as a fork() takes; falls\n"
"                back to a plain dump, saying so, where it cannot clone\n"
"  -h, --help    this text\n"
"\n"
"Prints, for each process, the file, its size, the threads and how long\n"
"the process was stopped.  Exit status: 0 every core written, 2 usage\n"
"error (nothing done), 3 a process could not be dumped, 128+N interrupted\n"
"by signal N (the process is released and the partial file removed).\n"
"\n"
"Examples:\n"
"  scremote core 1234                  core.1234, read with gdb PROGRAM core.1234\n"
"  scremote core --snapshot -z -o /var/tmp/app 1234 1240\n", f);
}

static int parse(int argc, char **argv, struct core_opts *o)
{
	int dashdash = 0;

	o->prefix = "core";
	o->pids = calloc((size_t)argc, sizeof(*o->pids));
	if (!o->pids) {
		complain("out of memory");
		return -1;
	}
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (dashdash || a[0] != '-' || a[1] == '\0') {
			if (parse_pid(a, &o->pids[o->npids]) < 0) {
				complain("'%s' is not a process id (a positive "
					 "number, as shown by ps or pgrep)", a);
				return -1;
			}
			if (o->pids[o->npids] == getpid()) {
				complain("%s is scremote itself", a);
				return -1;
			}
			o->npids++;
		} else if (strcmp(a, "--") == 0) {
			dashdash = 1;
		} else if (strcmp(a, "-a") == 0) {
			o->flags |= PC_ALL;
		} else if (strcmp(a, "-z") == 0) {
			o->flags |= PC_COMPRESS;
		} else if (strcmp(a, "--snapshot") == 0) {
			o->flags |= SCR_CORE_SNAPSHOT;
		} else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			usage(stdout);
			exit(0);
		} else if (strncmp(a, "-o", 2) == 0) {
			o->prefix = a[2] ? a + 2 : i + 1 < argc ? argv[++i] :
							       NULL;
			if (!o->prefix || !*o->prefix) {
				complain("-o needs a file name prefix");
				return -1;
			}
		} else {
			complain("unknown option '%s' (see scremote core "
				 "--help)", a);
			return -1;
		}
	}
	if (!o->npids) {
		complain("no PID given (usage: scremote core [-a] [-o PREFIX] "
			 "[--snapshot] [-z] PID...)");
		return -1;
	}
	if ((o->flags & PC_COMPRESS) && !scr__core_can_compress()) {
		complain("-z: this scremote was built without libzstd "
			 "(rebuild with libzstd-dev installed), or leave out -z");
		return -1;
	}
	return 0;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* "1.00 GiB", "412 MiB", "12 KiB", "512 bytes" */
static const char *human(uint64_t n, char *buf, size_t len)
{
	static const char *const units[] = { "KiB", "MiB", "GiB", "TiB" };
	double v = (double)n;
	int u = -1;

	while (v >= 1024 && u < 3) {
		v /= 1024;
		u++;
	}
	if (u < 0)
		snprintf(buf, len, "%llu bytes", (unsigned long long)n);
	else
		snprintf(buf, len, v < 10 ? "%.2f %s" : "%.0f %s", v,
			 units[u]);
	return buf;
}

struct progress {
	const char *file;
	bool tty;
	uint64_t start, last;
	bool shown;
};

/* On a terminal, for big cores: bytes, rate, time left. */
static int show_progress(void *arg, uint64_t done, uint64_t total)
{
	struct progress *pr = arg;
	uint64_t t = now_ns();
	char a[32], b[32], r[32];
	double secs, rate;

	if (cli_stop_sig)
		return -EINTR;
	if (!pr->tty || total < PROGRESS_MIN || t - pr->last < PROGRESS_NS)
		return 0;
	pr->last = t;
	secs = (double)(t - pr->start) / 1e9;
	rate = secs > 0 ? (double)done / secs : 0;
	fprintf(stderr, "\r%s: %s of %s, %s/s, %.0f s left   ", pr->file,
		human(done, a, sizeof(a)), human(total, b, sizeof(b)),
		human((uint64_t)rate, r, sizeof(r)),
		rate > 0 ? (double)(total - done) / rate : 0.0);
	pr->shown = true;
	return 0;
}

static void explain_dump(pid_t pid, const char *file, int err)
{
	switch (err) {
	case -EFBIG:
	case -ENOSPC:
	case -EDQUOT:
		complain("%s: %s; the process was released and the partial "
			 "file removed", file, strerror(-err));
		break;
	case -ESRCH:
		complain("process %d exited during the dump; partial file %s "
			 "removed", (int)pid, file);
		break;
	case -EINTR:
		break;		/* said by the caller */
	default:
		complain("cannot dump process %d: %s; partial file %s removed",
			 (int)pid, strerror(-err), file);
	}
}

static void report(const char *file, const struct scr_core_info *info,
		   uint64_t t0, uint64_t t_end, bool compress)
{
	char size[32], disk[32];
	double stop_ms;

	if (info->snapshot)
		stop_ms = (double)(info->released_ns - t0) / 1e6;
	else
		stop_ms = (double)(t_end - t0) / 1e6;
	printf("%s: %s", file, human(info->size, size, sizeof(size)));
	if (compress)
		printf(" (%s compressed)",
		       human(info->written, disk, sizeof(disk)));
	else if (info->written < info->size)
		printf(" (%s written, the rest never touched)",
		       human(info->written, disk, sizeof(disk)));
	printf(", %u thread%s, process stopped %.1f ms", info->threads,
	       info->threads == 1 ? "" : "s", stop_ms);
	if (info->snapshot)
		printf(" + %.1f ms to reap its clone (snapshot)",
		       (double)(t_end - info->restopped_ns) / 1e6);
	putchar('\n');
	fflush(stdout);
}

/* Attach, dump, release one process.  Returns an exit status. */
static int dump_one(pid_t pid, const struct core_opts *o)
{
	char file[PATH_MAX];
	struct scr_core_info info;
	struct progress pr = { file, isatty(STDERR_FILENO), 0, 0, false };
	struct scr_core_opts copts = { show_progress, &pr };
	struct scr_proc *p;
	uint64_t t0, t_end;
	int fd, pidfd, e, d;

	if ((size_t)snprintf(file, sizeof(file), "%s.%d%s", o->prefix,
			     (int)pid, (o->flags & PC_COMPRESS) ? ".zst" : "") >=
	    sizeof(file)) {
		complain("-o %s: file name too long", o->prefix);
		return EXIT_FAILED;
	}
	pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	t0 = now_ns();
	e = pidfd >= 0 ? scr_attach_pidfd(pidfd, 0, &p) : scr_attach(pid, 0, &p);
	if (pidfd >= 0)
		close(pidfd);
	if (e) {
		explain_attach(stderr, pid, e);
		return EXIT_FAILED;
	}
	cli_hold(p);
	/* Not following a link: a core holds secrets, and whoever can
	 * write where it goes must not choose what it overwrites. */
	fd = open(file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW,
		  0600);
	if (fd < 0) {
		e = -errno;
		cli_hold(NULL);
		scr_detach(p);
		complain("cannot create %s: %s%s", file, strerror(-e),
			 e == -ELOOP ? " (it is a symbolic link)" : "");
		return EXIT_FAILED;
	}
	pr.start = pr.last = now_ns();
	e = scr__dump_core(p, fd, o->flags, 0, &copts, &info);
	cli_hold(NULL);
	d = scr_detach(p);
	t_end = now_ns();
	if (pr.shown)
		fputs("\r\033[K", stderr);
	if (close(fd) && !e)
		e = -errno;
	if (!e && d == -ESRCH)
		e = -ESRCH;
	if (info.snapshot_err)
		complain("process %d could not clone itself (%s): it was "
			 "dumped stopped, as without --snapshot", (int)pid,
			 strerror(-info.snapshot_err));
	if (e) {
		unlink(file);
		explain_dump(pid, file, e);
		return EXIT_FAILED;
	}
	report(file, &info, t0, t_end, o->flags & PC_COMPRESS);
	return 0;
}

int cmd_core(int argc, char **argv)
{
	struct core_opts o = { 0 };
	int rc = 0;

	if (parse(argc, argv, &o) < 0) {
		free(o.pids);
		return EXIT_USAGE;
	}
	/* No SA_RESTART: a write blocked on a slow file or pipe gives up. */
	cli_catch_signals(false);
	for (size_t i = 0; i < o.npids && !cli_stop_sig; i++) {
		int r = dump_one(o.pids[i], &o);

		if (r)
			rc = r;
	}
	free(o.pids);
	if (cli_stop_sig) {
		complain("interrupted by signal %d (%s); every process "
			 "released", cli_stop_sig, strsignal(cli_stop_sig));
		return 128 + cli_stop_sig;
	}
	return rc;
}
