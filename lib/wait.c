/*
 * Bounded waits for ptrace stops.  waitpid() has no timeout and the
 * library must not take over the caller's SIGCHLD, so a wait polls: it
 * yields the CPU for the first two hundred microseconds (a remote call
 * that does not block is over by then), then sleeps in growing steps.
 *
 * Polling also notices a thread that is dead but cannot be reaped yet:
 * a thread group leader killed with the rest of its process is reported
 * only once its other threads are reaped, which, when we trace them, is
 * our job; waiting for it would wait forever.
 */
#include <errno.h>
#include <sched.h>
#include <sys/wait.h>

#include "internal.h"

#define SPIN_NS		200000L		/* yield-poll this long first */
#define SLEEP_MIN_NS	20000L
#define SLEEP_MAX_NS	2000000L

static long ns_until(const struct timespec *end)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (end->tv_sec - now.tv_sec) * 1000000000L +
	       (end->tv_nsec - now.tv_nsec);
}

void scr__deadline_init(struct scr_deadline *d, int timeout_ms)
{
	d->forever = timeout_ms <= 0;
	d->cancel = NULL;
	if (d->forever)
		return;
	clock_gettime(CLOCK_MONOTONIC, &d->end);
	d->end.tv_sec += timeout_ms / 1000;
	d->end.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
	if (d->end.tv_nsec >= 1000000000L) {
		d->end.tv_sec++;
		d->end.tv_nsec -= 1000000000L;
	}
}

bool scr__deadline_passed(const struct scr_deadline *d)
{
	return (d->cancel && *d->cancel) ||
	       (!d->forever && ns_until(&d->end) <= 0);
}

static int try_wait(pid_t tid, int *status, int flags)
{
	pid_t r;

	do
		r = waitpid(tid, status, __WALL | flags);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return errno == ECHILD ? -ESRCH : -errno;
	return r == tid;
}

int scr__wait(pid_t tid, int *status, const struct scr_deadline *d)
{
	struct timespec spin_end;
	long step = SLEEP_MIN_NS;
	int r;

	clock_gettime(CLOCK_MONOTONIC, &spin_end);
	spin_end.tv_nsec += SPIN_NS;
	if (spin_end.tv_nsec >= 1000000000L) {
		spin_end.tv_sec++;
		spin_end.tv_nsec -= 1000000000L;
	}
	for (;;) {
		r = try_wait(tid, status, WNOHANG);
		if (r != 0)
			return r < 0 ? r : 0;
		if (d->cancel && *d->cancel)
			return -ETIMEDOUT;
		if (ns_until(&spin_end) > 0) {
			sched_yield();
			continue;
		}
		if (scr__thread_state(tid) == 'Z')
			return -ESRCH;
		long left = d->forever ? SLEEP_MAX_NS : ns_until(&d->end);

		if (left <= 0)
			return -ETIMEDOUT;
		if (step > left)
			step = left;
		struct timespec ts = { 0, step };
		nanosleep(&ts, NULL);
		if (step < SLEEP_MAX_NS)
			step *= 2;
	}
}
