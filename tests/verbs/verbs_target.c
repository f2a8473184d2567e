/*
 * Target processes for the tests of scremote's verbs (tests/sh/verbs_*).
 * Each sets up descriptors in a known state, writes "name value..."
 * lines to READY, then waits; on SIGUSR1 it checks itself and writes
 * what it finds to REPORT, so a test sees the effect from inside the
 * process as well as from /proc.
 *
 *   verbs_target fds DIR READY
 *       a file at offset 123, a deleted file, a pipe, an eventfd, a
 *       directory, a TCP listener with a connection (both ends; the
 *       accepted one with known socket options), a UDP socket and a
 *       unix listener, all under DIR
 *   verbs_target holder DIR READY REPORT
 *       deleted files of every kind free-deleted meets: a log written
 *       O_APPEND, a read-only one, one mapped into memory, one a child
 *       process holds too, a memfd, and a file that is not deleted.
 *       REPORT: per descriptor its inode, link count and size, and
 *       whether writing to the log still works
 *   verbs_target many N READY
 *       N unix socket pairs, socket i of them with SO_RCVBUF 5000 + 100 i
 *       (i from 0), so that each value read back says which socket it
 *       came from; READY: "first FD" and "last FD"
 *   verbs_target tracer PID READY
 *       become the ptrace tracer of PID (PTRACE_SEIZE: it runs on), so
 *       that anything else trying to attach to it fails
 *
 * Every mode ends by itself after LIFETIME seconds.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define LIFETIME 120

static volatile sig_atomic_t report_asked;

static void on_usr1(int sig)
{
	(void)sig;
	report_asked = 1;
}

static void die(const char *what)
{
	perror(what);
	exit(1);
}

/* READY and REPORT are written whole, then renamed into place. */
static void write_file(const char *path, const char *text)
{
	char tmp[4096];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (!f || fputs(text, f) == EOF || fclose(f) != 0)
		die(tmp);
	if (rename(tmp, path) < 0)
		die(path);
}

static void addf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void addf(char *buf, size_t size, const char *fmt, ...)
{
	size_t len = strlen(buf);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf + len, size - len, fmt, ap);
	va_end(ap);
}

/* Waits for SIGUSR1 (then calls report) until LIFETIME is over. */
static void serve(void (*report)(void *), void *data)
{
	time_t end = time(NULL) + LIFETIME;

	while (time(NULL) < end) {
		if (report_asked && report) {
			report_asked = 0;
			report(data);
		}
		poll(NULL, 0, 20);
	}
}

static int make_file(const char *dir, const char *name, size_t size,
		     int flags)
{
	char path[4096], block[4096];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_CREAT | O_TRUNC | O_RDWR, 0644);
	if (fd < 0)
		die(path);
	memset(block, 'x', sizeof(block));
	for (size_t done = 0; done < size; done += sizeof(block))
		if (write(fd, block, size - done < sizeof(block) ?
			  size - done : sizeof(block)) < 0)
			die("write");
	close(fd);
	fd = open(path, flags);
	if (fd < 0)
		die(path);
	return fd;
}

static void unlink_in(const char *dir, const char *name)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (unlink(path) < 0)
		die(path);
}

static int port_of(int fd)
{
	struct sockaddr_in a;
	socklen_t len = sizeof(a);

	if (getsockname(fd, (struct sockaddr *)&a, &len) < 0)
		die("getsockname");
	return ntohs(a.sin_port);
}

static void set_int(int fd, int level, int opt, int v)
{
	if (setsockopt(fd, level, opt, &v, sizeof(v)) < 0)
		die("setsockopt");
}

static int fds_mode(const char *dir, const char *ready)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	struct sockaddr_un u = { .sun_family = AF_UNIX };
	char text[2048] = "";
	int file, gone, p[2], efd, dfd, lfd, cfd, afd, ufd, xfd;

	file = make_file(dir, "data", 1000, O_RDWR);
	if (lseek(file, 123, SEEK_SET) != 123)
		die("lseek");
	gone = make_file(dir, "gone", 100000, O_WRONLY | O_APPEND);
	unlink_in(dir, "gone");
	if (pipe2(p, 0) < 0 || fcntl(p[1], F_SETFL, O_NONBLOCK) < 0)
		die("pipe");
	efd = eventfd(0, EFD_CLOEXEC);
	dfd = open(dir, O_RDONLY | O_DIRECTORY);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	lfd = socket(AF_INET, SOCK_STREAM, 0);
	if (efd < 0 || dfd < 0 || lfd < 0 ||
	    bind(lfd, (struct sockaddr *)&a, sizeof(a)) < 0 ||
	    listen(lfd, 4) < 0)
		die("listen");
	a.sin_port = htons((unsigned short)port_of(lfd));
	cfd = socket(AF_INET, SOCK_STREAM, 0);
	if (cfd < 0 || connect(cfd, (struct sockaddr *)&a, sizeof(a)) < 0)
		die("connect");
	afd = accept(lfd, NULL, NULL);
	if (afd < 0)
		die("accept");
	set_int(afd, IPPROTO_TCP, TCP_NODELAY, 1);
	set_int(afd, SOL_SOCKET, SO_KEEPALIVE, 1);
	set_int(afd, IPPROTO_TCP, TCP_KEEPIDLE, 77);
	set_int(afd, IPPROTO_TCP, TCP_KEEPINTVL, 11);
	set_int(afd, IPPROTO_TCP, TCP_KEEPCNT, 4);
	set_int(afd, SOL_SOCKET, SO_RCVBUF, 50000);
	xfd = socket(AF_INET, SOCK_DGRAM, 0);
	a.sin_port = 0;
	if (xfd < 0 || bind(xfd, (struct sockaddr *)&a, sizeof(a)) < 0)
		die("udp");
	snprintf(u.sun_path, sizeof(u.sun_path), "%s/sock", dir);
	ufd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (ufd < 0 || bind(ufd, (struct sockaddr *)&u, sizeof(u)) < 0 ||
	    listen(ufd, 1) < 0)
		die("unix");
	addf(text, sizeof(text), "file %d\ndeleted %d\npiper %d\npipew %d\n"
	     "eventfd %d\ndir %d\nlisten %d %d\nclient %d %d\nconn %d\n"
	     "udp %d %d\nunix %d\n", file, gone, p[0], p[1], efd, dfd, lfd,
	     port_of(lfd), cfd, port_of(cfd), afd, xfd, port_of(xfd), ufd);
	write_file(ready, text);
	serve(NULL, NULL);
	return 0;
}

/* ---- holder --------------------------------------------------------- */

struct holder {
	const char *report;
	int fd[6];		/* log, ro, mapped, shared, memfd, live */
	struct stat st[6];
	volatile unsigned char *map;
};

static const char *const hold_names[6] = {
	"log", "ro", "mapped", "shared", "memfd", "live"
};

static void holder_report(void *data)
{
	struct holder *h = data;
	char text[2048] = "";
	unsigned int sum = 0;

	for (int i = 0; i < 6; i++) {
		struct stat st;

		if (fstat(h->fd[i], &st) < 0) {
			addf(text, sizeof(text), "%s fd %d gone: %s\n",
			     hold_names[i], h->fd[i], strerror(errno));
			continue;
		}
		addf(text, sizeof(text), "%s fd %d same %d nlink %lu size "
		     "%lld blocks %lld\n", hold_names[i], h->fd[i],
		     st.st_ino == h->st[i].st_ino &&
		     st.st_dev == h->st[i].st_dev, (unsigned long)st.st_nlink,
		     (long long)st.st_size, (long long)st.st_blocks);
	}
	/* The log must still take lines; the mapping must still read. */
	addf(text, sizeof(text), "logwrite %zd\n",
	     write(h->fd[0], "line\n", 5));
	for (size_t i = 0; i < 65536; i += 4096)
		sum += h->map[i];
	addf(text, sizeof(text), "mapsum %u\n", sum);
	write_file(h->report, text);
}

static int holder_mode(const char *dir, const char *ready, const char *report)
{
	struct holder h = { .report = report };
	char text[1024] = "";
	pid_t child;

	h.fd[0] = make_file(dir, "log", 2 << 20, O_WRONLY | O_APPEND);
	h.fd[1] = make_file(dir, "ro", 1 << 20, O_RDONLY);
	h.fd[2] = make_file(dir, "mapped", 65536, O_RDWR);
	h.fd[3] = make_file(dir, "shared", 1 << 20, O_RDONLY);
	h.fd[4] = memfd_create("scratch", 0);
	if (h.fd[4] < 0 || ftruncate(h.fd[4], 65536) < 0)
		die("memfd");
	h.fd[5] = make_file(dir, "live", 4096, O_RDONLY);
	h.map = mmap(NULL, 65536, PROT_READ | PROT_WRITE, MAP_SHARED,
		     h.fd[2], 0);
	if (h.map == MAP_FAILED)
		die("mmap");
	for (size_t i = 0; i < 65536; i += 4096)
		h.map[i] = 1;
	unlink_in(dir, "log");
	unlink_in(dir, "ro");
	unlink_in(dir, "mapped");
	unlink_in(dir, "shared");
	for (int i = 0; i < 6; i++)
		if (fstat(h.fd[i], &h.st[i]) < 0)
			die("fstat");
	/* A child that holds "shared" too (it inherits every descriptor
	 * and closes all the others). */
	child = fork();
	if (child < 0)
		die("fork");
	if (child == 0) {
		for (int i = 0; i < 6; i++)
			if (i != 3)
				close(h.fd[i]);
		sleep(LIFETIME);
		_exit(0);
	}
	signal(SIGUSR1, on_usr1);
	for (int i = 0; i < 6; i++)
		addf(text, sizeof(text), "%s %d\n", hold_names[i], h.fd[i]);
	addf(text, sizeof(text), "child %d\n", (int)child);
	write_file(ready, text);
	serve(holder_report, &h);
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	return 0;
}

/* ---- many ---------------------------------------------------------- */

static int many_mode(int n, const char *ready)
{
	char text[128];
	int first = -1, last = -1;

	for (int i = 0; i < n; i++) {
		int sv[2];

		if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
			die("socketpair");
		set_int(sv[0], SOL_SOCKET, SO_RCVBUF, 5000 + 200 * i);
		set_int(sv[1], SOL_SOCKET, SO_RCVBUF, 5000 + 200 * i + 100);
		if (first < 0)
			first = sv[0];
		last = sv[1];
	}
	snprintf(text, sizeof(text), "first %d\nlast %d\n", first, last);
	write_file(ready, text);
	serve(NULL, NULL);
	return 0;
}

/* ---- tracer --------------------------------------------------------- */

static int tracer_mode(pid_t pid, const char *ready)
{
	time_t end = time(NULL) + LIFETIME;

	if (ptrace(PTRACE_SEIZE, pid, NULL, NULL) < 0)
		die("PTRACE_SEIZE");
	write_file(ready, "tracing\n");
	while (time(NULL) < end) {
		int status;
		pid_t w = waitpid(pid, &status, __WALL | WNOHANG);

		if (w < 0)
			break;		/* it is gone */
		if (w == pid && WIFSTOPPED(status)) {
			int sig = WSTOPSIG(status);

			/* Pass signals on; event stops carry none. */
			ptrace(PTRACE_CONT, pid, NULL,
			       (void *)(long)(status >> 16 ? 0 : sig));
		} else if (w == pid) {
			break;
		}
		poll(NULL, 0, 20);
	}
	return 0;
}

int main(int argc, char **argv)
{
	signal(SIGUSR1, on_usr1);
	if (argc == 4 && strcmp(argv[1], "fds") == 0)
		return fds_mode(argv[2], argv[3]);
	if (argc == 5 && strcmp(argv[1], "holder") == 0)
		return holder_mode(argv[2], argv[3], argv[4]);
	if (argc == 4 && strcmp(argv[1], "many") == 0)
		return many_mode(atoi(argv[2]), argv[3]);
	if (argc == 4 && strcmp(argv[1], "tracer") == 0)
		return tracer_mode((pid_t)atoi(argv[2]), argv[3]);
	fprintf(stderr, "usage: verbs_target fds DIR READY | holder DIR "
		"READY REPORT | many N READY | tracer PID READY\n");
	return 2;
}
