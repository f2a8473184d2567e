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

/* Where the guest has them (a host run may give others with -D). */
#ifndef SCR
#define SCR "/bin/scremote"
#endif
#ifndef TGT
#define TGT "/bin/cli_target"
#endif

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

/* scremote with up to 12 arguments after the PID; output in out/err. */
static int scr(char *out, size_t olen, char *err, size_t elen, pid_t pid,
	       const char *a0, ...)
{
	char *argv[16], pid_s[16];
	const char *a;
	va_list ap;
	int n = 0;

	argv[n++] = SCR;
	if (a0 && !strcmp(a0, "--json"))
		argv[n++] = "--json";
	snprintf(pid_s, sizeof(pid_s), "%d", (int)pid);
	argv[n++] = pid_s;
	if (a0 && strcmp(a0, "--json"))
		argv[n++] = (char *)a0;
	va_start(ap, a0);
	while (n < 15 && (a = va_arg(ap, const char *)))
		argv[n++] = (char *)a;
	va_end(ap);
	argv[n] = NULL;
	return run(argv, out, olen, err, elen);
}

/*
 * What the call tables and the decoders do on this machine's ABI: the
 * signatures, the constants' values (O_LARGEFILE differs per
 * architecture), the struct layouts (struct stat has three).
 */
static void native_cases(pid_t tgt)
{
	char out[8192], err[8192];
	int rc;

	rc = scr(out, sizeof(out), err, sizeof(err), tgt, "close", NULL);
	result("cli_arity_refused", rc == 2 &&
	       strstr(err, "close takes 1 argument (unsigned int fd), got 0"),
	       "status %d, err '%s'", rc, err);

	rc = scr(out, sizeof(out), err, sizeof(err), tgt, "-e",
		 "openat(AT_FDCWD, \"x\", SEEK_END)", NULL);
	result("cli_constant_family_refused", rc == 2 &&
	       strstr(err, "constants of open_flags"), "status %d, err '%s'",
	       rc, err);

	rc = scr(out, sizeof(out), err, sizeof(err), tgt,
		 "-e", "fcntl(1, F_GETFL)", "-e", "fcntl(1, F_SETFL, $1|O_NONBLOCK)",
		 "-e", "fcntl(1, F_GETFL)", "-e", "fcntl(1, F_SETFL, $1)", NULL);
	result("cli_fcntl_expression_decoded", rc == 0 &&
	       strstr(out, "(flags O_WRONLY|O_NONBLOCK|O_LARGEFILE)\n") &&
	       strstr(out, "fcntl(1, F_SETFL, O_WRONLY|O_LARGEFILE) = 0\n"),
	       "status %d, out '%s', err '%s'", rc, out, err);

	rc = scr(out, sizeof(out), err, sizeof(err), tgt,
		 "-e", "prlimit64(0, RLIMIT_CORE, {rlim_cur=100, rlim_max=200}, NULL)",
		 "-e", "prlimit64(0, RLIMIT_CORE, NULL, {})", NULL);
	result("cli_rlimit_struct_in_and_out", rc == 0 &&
	       strstr(out, "NULL, {rlim_cur=100, rlim_max=200}) = 0\n"),
	       "status %d, out '%s', err '%s'", rc, out, err);

	/* The target's stdout is /dev/null. */
	rc = scr(out, sizeof(out), err, sizeof(err), tgt, "-e",
		 "fstat(1, {st_mode=S_IFREG|0644, st_size=0, ...})", NULL);
	result("cli_stat_decoded", rc == 0 &&
	       strstr(out, "st_mode=S_IFCHR|0666,") &&
	       strstr(out, "st_rdev=makedev(0x1, 0x3),"),
	       "status %d, out '%s', err '%s'", rc, out, err);

	rc = scr(out, sizeof(out), err, sizeof(err), tgt,
		 "-e", "socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)",
		 "-e", "bind($1, {sa_family=AF_INET, sin_port=htons(0), "
		 "sin_addr=inet_addr(\"127.0.0.1\")}, 16)",
		 "-e", "getsockname($1, {}, [16])", "-e", "close($1)", NULL);
	result("cli_sockaddr_in_and_out", rc == 0 &&
	       strstr(out, "sin_addr=inet_addr(\"127.0.0.1\")}, [16]) = 0\n"),
	       "status %d, out '%s', err '%s'", rc, out, err);

	FILE *f = fopen("/tmp/calls", "w");
	if (f) {
		fputs("# a comment\ngetpid()\nkill($1, 0) = 0\n", f);
		fclose(f);
	}
	rc = scr(out, sizeof(out), err, sizeof(err), tgt, "-f", "/tmp/calls",
		 NULL);
	result("cli_calls_from_file", rc == 0 && strstr(out, ", 0) = 0\n"),
	       "status %d, out '%s', err '%s'", rc, out, err);

	rc = scr(out, sizeof(out), err, sizeof(err), tgt, "--json", "-e",
		 "prlimit64(0, RLIMIT_CORE, NULL, {})", NULL);
	result("cli_json_decoded_struct", rc == 0 &&
	       strstr(out, "\"decoded\":{\"rlim_cur\":100,\"rlim_max\":200}"),
	       "status %d, out '%s', err '%s'", rc, out, err);
}

/*
 * An i386 target (in the x86_64 guest of make check-i386): the i386
 * numbers and signatures (64-bit offsets in two registers), its own
 * struct stat and struct rlimit, its O_LARGEFILE.
 */
static void i386_cases(void)
{
	char out[8192], err[8192], want[64];
	int rep[2], rc;
	pid_t t;

	if (access("/bin/target32", X_OK) || pipe(rep))
		return;
	t = fork();
	if (t == 0) {
		int null = open("/dev/null", O_RDWR);

		dup2(rep[1], 3);
		dup2(null, 1);
		execl("/bin/target32", "target32", "wait", (char *)NULL);
		_exit(127);
	}
	close(rep[1]);
	{
		char buf[16] = "";
		struct pollfd p = { rep[0], POLLIN, 0 };

		if (poll(&p, 1, 5000) != 1 || read(rep[0], buf, 15) <= 0 ||
		    strncmp(buf, "READY", 5)) {
			result("cli_i386_target", 0, "no READY from target32");
			goto out;
		}
	}
	rc = scr(out, sizeof(out), err, sizeof(err), t, "getpid", NULL);
	snprintf(want, sizeof(want), "getpid() = %d\n", (int)t);
	result("cli_i386_getpid", rc == 0 && !strcmp(out, want),
	       "status %d, out '%s', err '%s'", rc, out, err);

	rc = scr(out, sizeof(out), err, sizeof(err), t, "-e",
		 "pread64(0, buf(4), 4, 0)", NULL);
	result("cli_i386_split_offset_arity", rc == 2 &&
	       strstr(err, "pread64 takes 5 arguments (unsigned int fd, char "
		      "*buf, size_t count, u32 pos_lo, u32 pos_hi), got 4"),
	       "status %d, err '%s'", rc, err);

	rc = scr(out, sizeof(out), err, sizeof(err), t,
		 "-e", "fstat(1, {})", "-e", "ugetrlimit(RLIMIT_NOFILE, {})",
		 "-e", "fcntl(1, F_GETFL)", NULL);
	result("cli_i386_structs_decoded", rc == 0 &&
	       strstr(out, "st_mode=S_IFCHR|0666,") &&
	       strstr(out, "st_rdev=makedev(0x1, 0x3),") &&
	       strstr(out, "ugetrlimit(RLIMIT_NOFILE, {rlim_cur=") &&
	       strstr(out, "(flags O_RDWR|O_LARGEFILE)\n"),
	       "status %d, out '%s', err '%s'", rc, out, err);
out:
	kill(t, SIGKILL);
	waitpid(t, NULL, 0);
	close(rep[0]);
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

	/* Before the redirection below: stdout is still /dev/null. */
	native_cases(tgt);
	i386_cases();

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
