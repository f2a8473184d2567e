#include <signal.h>
#include <stdarg.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"

#define MAX_TESTS 256
#define EXIT_SKIP 77

static struct {
	const char *name;
	test_fn fn;
	int timeout_s;
} tests[MAX_TESTS];
static int ntests;
static const char *current;

void harness_register(const char *name, test_fn fn, int timeout_s)
{
	if (ntests < MAX_TESTS)
		tests[ntests++] = (typeof(tests[0])){ name, fn, timeout_s };
}

void test_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	printf("FAIL %s: %s:%d: ", current, file, line);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	_exit(1);
}

void test_fail_cond(const char *file, int line, const char *cond,
		    const char *fmt, ...)
{
	va_list ap;

	printf("FAIL %s: %s:%d: %s", current, file, line, cond);
	if (*fmt) {
		printf(": ");
		va_start(ap, fmt);
		vprintf(fmt, ap);
		va_end(ap);
	}
	printf("\n");
	fflush(stdout);
	_exit(1);
}

void test_skip(const char *fmt, ...)
{
	va_list ap;

	printf("SKIP %s: ", current);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	_exit(EXIT_SKIP);
}

/* Runs one test in a child, in its own process group, with a bound. */
static int run(int i)
{
	struct timespec start, now;
	int status;
	pid_t pid;

	current = tests[i].name;
	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		printf("FAIL %s: fork: %s\n", current, strerror(errno));
		return 1;
	}
	if (pid == 0) {
		setpgid(0, 0);
		alarm((unsigned int)tests[i].timeout_s + 5);
		tests[i].fn();
		printf("PASS %s\n", current);
		fflush(stdout);
		_exit(0);
	}
	setpgid(pid, pid);
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		pid_t r = waitpid(pid, &status, WNOHANG);

		if (r == pid)
			break;
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec - start.tv_sec > tests[i].timeout_s) {
			kill(-pid, SIGKILL);
			waitpid(pid, &status, 0);
			printf("FAIL %s: timed out after %d s\n", current,
			       tests[i].timeout_s);
			return 1;
		}
		usleep(2000);
	}
	kill(-pid, SIGKILL);	/* whatever it left behind */
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (WIFEXITED(status) && WEXITSTATUS(status) == EXIT_SKIP)
		return 0;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 1)
		return 1;	/* already reported */
	printf("FAIL %s: test process %s %d\n", current,
	       WIFSIGNALED(status) ? "killed by signal" : "exited",
	       WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
	return 1;
}

int main(int argc, char **argv)
{
	int failed = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (int i = 0; i < ntests; i++) {
		if (argc > 1 && strcmp(argv[1], tests[i].name) != 0)
			continue;
		failed += run(i);
	}
	return failed ? 1 : 0;
}
