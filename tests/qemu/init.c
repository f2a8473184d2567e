/*
 * /init of the qemu test guests (tests/qemu/run.sh): mounts what the
 * tests need, runs every program in /tests in name order with a bound,
 * echoes their lines, counts PASS/FAIL/SKIP as tests/run.sh does, prints
 * the marker line the host decides from, and powers off.
 *
 * Called as "true" (the /bin/true of the guest) it just exits 0.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <poll.h>
#include <stdbool.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define LIMIT_S 300
#define MAX_PROGS 32

static int passed, failed, skipped;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void setup(void)
{
	int fd;

	mkdir("/proc", 0755);
	mkdir("/dev", 0755);
	mkdir("/tmp", 01777);
	mkdir("/sys", 0755);
	mount("proc", "/proc", "proc", 0, NULL);
	mount("devtmpfs", "/dev", "devtmpfs", 0, NULL);
	mount("sysfs", "/sys", "sysfs", 0, NULL);
	mount("tmpfs", "/tmp", "tmpfs", 0, NULL);
	/* Without /dev/console in the archive the kernel gave us no stdio. */
	if (fcntl(1, F_GETFD) < 0 && (fd = open("/dev/console", O_RDWR)) >= 0) {
		dup2(fd, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		if (fd > 2)
			close(fd);
	}
	/* Loopback up, for the tests that use 127.0.0.1. */
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd >= 0) {
		struct ifreq ifr = { 0 };

		strcpy(ifr.ifr_name, "lo");
		if (ioctl(fd, SIOCGIFFLAGS, &ifr) == 0) {
			ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
			ioctl(fd, SIOCSIFFLAGS, &ifr);
		}
		close(fd);
	}
	setenv("PATH", "/bin:/tests", 1);
	setenv("TMPDIR", "/tmp", 1);
	setenv("SCREMOTE_BUILD", "/", 1);
}

static int count_line(const char *l)
{
	if (!strncmp(l, "PASS ", 5))
		return passed++, 'P';
	if (!strncmp(l, "FAIL ", 5))
		return failed++, 'F';
	if (!strncmp(l, "SKIP ", 5))
		return skipped++, 'S';
	return 0;
}

/* Runs one test program; its output goes through us line by line. */
static void run(const char *name)
{
	char path[256], line[1024], buf[4096];
	int p[2], status, nfail = 0, p0 = passed, s0 = skipped;
	size_t used = 0;
	double t0 = now();
	bool exited = false;
	pid_t pid;

	snprintf(path, sizeof(path), "/tests/%s", name);
	if (pipe(p)) {
		printf("FAIL %s: pipe: %s\n", name, strerror(errno));
		failed++;
		return;
	}
	pid = fork();
	if (pid == 0) {
		dup2(p[1], 1);
		dup2(p[1], 2);
		close(p[0]);
		close(p[1]);
		alarm(LIMIT_S);
		execl(path, name, (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	for (;;) {
		struct pollfd pfd = { p[0], POLLIN, 0 };
		ssize_t n = 0;

		if (poll(&pfd, 1, 200) > 0) {
			n = read(p[0], buf + used, sizeof(buf) - 1 - used);
			if (n <= 0)
				break;
		} else if (exited) {
			break;	/* a leftover child holds the pipe open */
		} else {
			exited = waitpid(pid, &status, WNOHANG) == pid;
			if (!exited && now() - t0 > LIMIT_S + 10)
				kill(pid, SIGKILL);
			continue;
		}
		used += (size_t)n;
		buf[used] = '\0';
		char *nl, *start = buf;

		while ((nl = strchr(start, '\n'))) {
			*nl = '\0';
			snprintf(line, sizeof(line), "%s", start);
			printf("  [%s] %s\n", name, line);
			if (count_line(line) == 'F')
				nfail++;
			start = nl + 1;
		}
		used = strlen(start);
		memmove(buf, start, used + 1);
		if (used == sizeof(buf) - 1)
			used = 0;	/* an overlong line: drop it */
	}
	close(p[0]);
	for (double end = now() + 10; !exited;) {
		exited = waitpid(pid, &status, WNOHANG) == pid;
		if (!exited && now() > end) {
			kill(pid, SIGKILL);
			exited = waitpid(pid, &status, 0) == pid;
		}
		if (!exited)
			usleep(10000);
	}
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;	/* orphans that ended up with us */
	if (!(WIFEXITED(status) && WEXITSTATUS(status) == 0) && nfail == 0) {
		printf("  [%s] FAIL: %s %d\n", name,
		       WIFSIGNALED(status) ? "killed by signal" : "exit status",
		       WIFSIGNALED(status) ? WTERMSIG(status) :
					     WEXITSTATUS(status));
		failed++;
		nfail++;
	}
	printf("%-16s %3d passed, %d failed, %d skipped (%.1f s)\n", name,
	       passed - p0, nfail, skipped - s0, now() - t0);
	fflush(stdout);
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv)
{
	char *progs[MAX_PROGS];
	int n = 0;
	struct dirent *d;
	DIR *dir;

	(void)argc;
	if (strcmp(strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0],
		   "true") == 0)
		return 0;
	setup();
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("scremote-guest: booted in %.2f s\n", now());
	dir = opendir("/tests");
	while (dir && (d = readdir(dir)) && n < MAX_PROGS) {
		if (d->d_name[0] != '.')
			progs[n++] = strdup(d->d_name);
	}
	if (dir)
		closedir(dir);
	qsort(progs, (size_t)n, sizeof(progs[0]), by_name);
	for (int i = 0; i < n; i++)
		run(progs[i]);
	printf("scremote-guest: %d passed, %d failed, %d skipped\n", passed,
	       failed, skipped);
	fflush(stdout);
	sync();
	reboot(RB_POWER_OFF);
	return 0;
}
