/* The signals that stop scremote while it holds a process (interrupt.h). */
#include <string.h>

#include "interrupt.h"

volatile sig_atomic_t cli_stop_sig;

static struct scr_proc *volatile session;

static void on_signal(int sig)
{
	struct scr_proc *p = session;

	if (!cli_stop_sig)
		cli_stop_sig = sig;
	if (p)
		scr_interrupt(p);
}

void cli_catch_signals(bool restart)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGPIPE };
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	/* One handler at a time: the first signal is the one reported. */
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaddset(&sa.sa_mask, sigs[i]);
	/* The library's waits poll and notice scr_interrupt() by
	 * themselves, restarted or not. */
	sa.sa_flags = restart ? SA_RESTART : 0;
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		struct sigaction old;

		if (sigaction(sigs[i], NULL, &old) == 0 &&
		    old.sa_handler == SIG_IGN)
			continue;
		sigaction(sigs[i], &sa, NULL);
	}
}

void cli_hold(struct scr_proc *p)
{
	session = p;
	if (p && cli_stop_sig)	/* it came before the session was visible */
		scr_interrupt(p);
}
