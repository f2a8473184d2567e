/*
 * A target process for the scremote(1) end-to-end tests (tests/sh/cli_*).
 * It reports its own state, so a test can check the effect of a remote
 * call from inside the process as well as from /proc:
 *
 *   cli_target tick MS               print "tick N" on stdout every MS ms
 *   cli_target server READY REPORT   listen on 127.0.0.1, accept one
 *       client; writes "port listen_fd" to READY once listening and
 *       "conn_fd" appended once connected; on SIGUSR1 writes the
 *       SO_KEEPALIVE and SO_RCVBUF of both sockets to REPORT
 *   cli_target hold FILE N READY     open FILE, read N bytes of it, write
 *       the descriptor number to READY, then wait
 *   cli_target seccomp READY         install a seccomp filter (getppid
 *       kills the process, getuid fails with EBADFD), write "ready" to
 *       READY, then wait; on SIGUSR1 writes "alive" to READY
 *   cli_target state READY REPORT    write "ready" to READY, then wait in
 *       pause() (no restartable sleep in the way of poll or nanosleep
 *       calls); on SIGUSR1 write to REPORT what the process sees of
 *       itself: "nofile CUR MAX", "sigblk HEX", "cwd PATH", and
 *       "fd N FLAGS PATH" for each open descriptor
 *   cli_target                       (no arguments, as after a remote
 *       execve with a NULL argv) just wait
 *
 * Every mode exits by itself after LIFETIME seconds, so a test that dies
 * without cleaning up leaves nothing behind for long.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
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

/* Writes text to path atomically, so readers never see half of it. */
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

static int tick(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };
	time_t end = time(NULL) + LIFETIME;

	for (unsigned long n = 0; time(NULL) < end; n++) {
		printf("tick %lu\n", n);
		fflush(stdout);
		nanosleep(&ts, NULL);
	}
	return 0;
}

static int sockopt(int fd, int opt)
{
	int v = -1;
	socklen_t len = sizeof(v);

	if (getsockopt(fd, SOL_SOCKET, opt, &v, &len) < 0)
		return -1;
	return v;
}

static void report(const char *path, int lfd, int cfd)
{
	char text[256];

	snprintf(text, sizeof(text),
		 "listen keepalive=%d rcvbuf=%d\nconn keepalive=%d rcvbuf=%d\n",
		 sockopt(lfd, SO_KEEPALIVE), sockopt(lfd, SO_RCVBUF),
		 cfd >= 0 ? sockopt(cfd, SO_KEEPALIVE) : -1,
		 cfd >= 0 ? sockopt(cfd, SO_RCVBUF) : -1);
	write_file(path, text);
}

static int server(const char *ready, const char *report_path)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t alen = sizeof(a);
	time_t end = time(NULL) + LIFETIME;
	char text[64];
	int lfd, cfd = -1;

	signal(SIGUSR1, on_usr1);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	lfd = socket(AF_INET, SOCK_STREAM, 0);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&a, sizeof(a)) < 0 ||
	    listen(lfd, 4) < 0 ||
	    getsockname(lfd, (struct sockaddr *)&a, &alen) < 0)
		die("listen");
	snprintf(text, sizeof(text), "%d %d\n", ntohs(a.sin_port), lfd);
	write_file(ready, text);
	while (time(NULL) < end) {
		struct pollfd p = { lfd, POLLIN, 0 };

		if (report_asked) {
			report_asked = 0;
			report(report_path, lfd, cfd);
		}
		if (poll(&p, 1, 50) == 1 && cfd < 0) {
			cfd = accept(lfd, NULL, NULL);
			if (cfd < 0)
				die("accept");
			snprintf(text, sizeof(text), "%d %d\n%d\n",
				 ntohs(a.sin_port), lfd, cfd);
			write_file(ready, text);
		}
	}
	return 0;
}

static int hold(const char *path, long n, const char *ready)
{
	char buf[4096], text[32];
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		die(path);
	while (n > 0) {
		ssize_t r = read(fd, buf, n < (long)sizeof(buf) ?
				 (size_t)n : sizeof(buf));
		if (r <= 0)
			die("read");
		n -= r;
	}
	snprintf(text, sizeof(text), "%d\n", fd);
	write_file(ready, text);
	sleep(LIFETIME);
	return 0;
}

#define ON_NR(nr, action) \
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (nr), 0, 1), \
	BPF_STMT(BPF_RET | BPF_K, (action))

static int filtered(const char *ready)
{
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 offsetof(struct seccomp_data, nr)),
		ON_NR(SYS_getppid, SECCOMP_RET_KILL_PROCESS),
		ON_NR(SYS_getuid, SECCOMP_RET_ERRNO | EBADFD),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { sizeof(f) / sizeof(f[0]), f };
	time_t end = time(NULL) + LIFETIME;

	signal(SIGUSR1, on_usr1);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ||
	    syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog))
		die("seccomp");
	write_file(ready, "ready\n");
	while (time(NULL) < end) {
		if (report_asked) {
			report_asked = 0;
			write_file(ready, "alive\n");
		}
		poll(NULL, 0, 50);
	}
	return 0;
}

static void on_alarm(int sig)
{
	(void)sig;
}

/* The process's own view of what scremote may have changed. */
static void self_report(const char *path)
{
	char text[8192], link[64], target[512], cwd[512];
	size_t n = 0;
	struct rlimit rl;
	sigset_t blk;
	unsigned long long mask = 0;

	getrlimit(RLIMIT_NOFILE, &rl);
	sigprocmask(SIG_BLOCK, NULL, &blk);
	for (int sig = 1; sig <= 64; sig++)
		if (sigismember(&blk, sig) == 1)
			mask |= 1ULL << (sig - 1);
	if (!getcwd(cwd, sizeof(cwd)))
		strcpy(cwd, "?");
	n += (size_t)snprintf(text + n, sizeof(text) - n,
			      "nofile %llu %llu\nsigblk %llx\ncwd %s\n",
			      (unsigned long long)rl.rlim_cur,
			      (unsigned long long)rl.rlim_max, mask, cwd);
	for (int fd = 0; fd < 256 && n < sizeof(text) - 600; fd++) {
		int fl = fcntl(fd, F_GETFL);
		ssize_t l;

		if (fl < 0)
			continue;
		snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
		l = readlink(link, target, sizeof(target) - 1);
		target[l > 0 ? l : 0] = '\0';
		n += (size_t)snprintf(text + n, sizeof(text) - n,
				      "fd %d %#x %s\n", fd, fl, target);
	}
	write_file(path, text);
}

static int state(const char *ready, const char *report_path)
{
	time_t end = time(NULL) + LIFETIME;

	signal(SIGUSR1, on_usr1);
	signal(SIGALRM, on_alarm);
	write_file(ready, "ready\n");
	while (time(NULL) < end) {
		alarm(1);	/* pause() is woken at least every second */
		pause();
		if (report_asked) {
			report_asked = 0;
			self_report(report_path);
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc <= 1) {
		sleep(LIFETIME);
		return 0;
	}
	if (argc == 3 && strcmp(argv[1], "tick") == 0)
		return tick(atoi(argv[2]));
	if (argc == 4 && strcmp(argv[1], "server") == 0)
		return server(argv[2], argv[3]);
	if (argc == 5 && strcmp(argv[1], "hold") == 0)
		return hold(argv[2], atol(argv[3]), argv[4]);
	if (argc == 3 && strcmp(argv[1], "seccomp") == 0)
		return filtered(argv[2]);
	if (argc == 4 && strcmp(argv[1], "state") == 0)
		return state(argv[2], argv[3]);
	fprintf(stderr, "usage: cli_target tick MS | server READY REPORT | "
		"hold FILE N READY | seccomp READY\n");
	return 2;
}
