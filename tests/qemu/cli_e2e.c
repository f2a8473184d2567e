/*
 * scremote(1) end to end inside the qemu guests, where there is no shell
 * for tests/sh/: the real binary against a real target, checked from the
 * outside (output, exit status) and by the effect inside the target.
 * Prints PASS/FAIL lines like the other test programs.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define SCR "/bin/scremote"
#define TGT "/bin/cli_target"

static int failures;

static void result(const char *name, int ok, const char *fmt, ...)
{
	va_list ap;

	if (ok) {
		printf("PASS %s\n", name);
	} else {
		printf("FAIL %s: ", name);
		va_start(ap, fmt);
		vprintf(fmt, ap);
		va_end(ap);
		printf("\n");
		failures++;
	}
	fflush(stdout);
}

static void msleep(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* Runs argv with stdout and stderr captured; returns its exit status,
 * or -1 when it had to be killed after 20 s. */
static int run(char *const argv[], char *out, size_t olen, char *err,
	       size_t elen)
{
	int po[2], pe[2], status;
	size_t no = 0, ne = 0;
	pid_t pid;

	if (pipe(po) || pipe(pe))
		return -2;
	pid = fork();
	if (pid == 0) {
		dup2(po[1], 1);
		dup2(pe[1], 2);
		close(po[0]);
		close(pe[0]);
		alarm(20);
		execv(argv[0], argv);
		_exit(127);
	}
	close(po[1]);
	close(pe[1]);
	for (int open_fds = 2; open_fds > 0;) {
		struct pollfd p[2] = { { po[0], POLLIN, 0 }, { pe[0], POLLIN, 0 } };

		if (poll(p, 2, 25000) <= 0)
			break;
		for (int i = 0; i < 2; i++) {
			char *b = i ? err : out;
			size_t *n = i ? &ne : &no, len = i ? elen : olen;
			ssize_t r;

			if (!(p[i].revents & (POLLIN | POLLHUP)) || p[i].fd < 0)
				continue;
			r = read(p[i].fd, b + *n, len - 1 - *n);
			if (r <= 0) {
				close(i ? pe[0] : po[0]);
				if (i)
					pe[0] = -1;
				else
					po[0] = -1;
				open_fds--;
				continue;
			}
			*n += (size_t)r;
		}
	}
	out[no] = err[ne] = '\0';
	if (po[0] >= 0)
		close(po[0]);
	if (pe[0] >= 0)
		close(pe[0]);
	waitpid(pid, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static pid_t start_ticker(void)
{
	pid_t pid = fork();

	if (pid == 0) {
		int fd = open("/dev/null", O_WRONLY);

		dup2(fd, 1);
		execl(TGT, "cli_target", "tick", "50", (char *)NULL);
		_exit(127);
	}
	msleep(200);
	return pid;
}

static long file_size(const char *path)
{
	FILE *f = fopen(path, "r");
	long n;

	if (!f)
		return -1;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fclose(f);
	return n;
}

int main(void)
{
	char out[8192], err[8192], pid_s[16], want[128];
	pid_t tgt = start_ticker(), dead;
	int rc;

	snprintf(pid_s, sizeof(pid_s), "%d", (int)tgt);

	char *getpid_argv[] = { SCR, pid_s, "getpid", NULL };
	rc = run(getpid_argv, out, sizeof(out), err, sizeof(err));
	snprintf(want, sizeof(want), "getpid() = %d\n", (int)tgt);
	result("cli_getpid_in_target", rc == 0 && strcmp(out, want) == 0,
	       "status %d, out '%s', err '%s'", rc, out, err);

	char *redirect_argv[] = {
		SCR, pid_s, "-e",
		"openat(AT_FDCWD, \"/tmp/e2e.log\", O_WRONLY|O_CREAT|O_APPEND, 0644)",
		"-e", "dup3($1, 1, 0)", "-e", "close($1)", NULL
	};
	rc = run(redirect_argv, out, sizeof(out), err, sizeof(err));
	long s1, s2;
	msleep(300);
	s1 = file_size("/tmp/e2e.log");
	msleep(300);
	s2 = file_size("/tmp/e2e.log");
	result("cli_redirects_stdout_of_running_target",
	       rc == 0 && strstr(out, "close(") && s1 > 0 && s2 > s1,
	       "status %d, out '%s', err '%s', log size %ld then %ld", rc, out,
	       err, s1, s2);

	char *close_argv[] = { SCR, pid_s, "close", "99", NULL };
	rc = run(close_argv, out, sizeof(out), err, sizeof(err));
	result("cli_failed_call_exits_1_with_errno",
	       rc == 1 && strstr(out, "close(99) = -1 EBADF"),
	       "status %d, out '%s'", rc, out);

	char *json_argv[] = { SCR, "--json", pid_s, "getppid", NULL };
	rc = run(json_argv, out, sizeof(out), err, sizeof(err));
	snprintf(want, sizeof(want), "\"retval\":%d,", (int)getpid());
	result("cli_json_getppid", rc == 0 && strstr(out, want),
	       "status %d, out '%s', err '%s'", rc, out, err);

	char *typo_argv[] = { SCR, pid_s, "opnat", NULL };
	rc = run(typo_argv, out, sizeof(out), err, sizeof(err));
	result("cli_unknown_call_exits_2_with_suggestion",
	       rc == 2 && strstr(err, "did you mean 'openat'"),
	       "status %d, err '%s'", rc, err);

	dead = fork();
	if (dead == 0)
		_exit(0);
	waitpid(dead, NULL, 0);
	snprintf(pid_s, sizeof(pid_s), "%d", (int)dead);
	char *dead_argv[] = { SCR, pid_s, "getpid", NULL };
	rc = run(dead_argv, out, sizeof(out), err, sizeof(err));
	result("cli_no_such_process_exits_3", rc == 3,
	       "status %d, err '%s'", rc, err);

	char state[512] = "";
	char path[64];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)tgt);
	f = fopen(path, "r");
	if (f) {
		char line[256];

		while (fgets(line, sizeof(line), f))
			if (!strncmp(line, "State:", 6) ||
			    !strncmp(line, "TracerPid:", 10))
				strncat(state, line, sizeof(state) - strlen(state) - 1);
		fclose(f);
	}
	result("cli_target_released_and_running",
	       strstr(state, "TracerPid:\t0") && !strstr(state, "(stopped)") &&
		       !strstr(state, "zombie"),
	       "%s", state);
	kill(tgt, SIGKILL);
	waitpid(tgt, NULL, 0);
	return failures ? 1 : 0;
}
