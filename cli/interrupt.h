/*
 * SIGINT, SIGTERM, SIGHUP and SIGPIPE while scremote holds a process:
 * the first one is remembered and breaks off the call in flight
 * (scr_interrupt(3) is async-signal-safe, and the library restores the
 * thread); the command then releases the process and exits 128+sig.
 */
#ifndef CLI_INTERRUPT_H
#define CLI_INTERRUPT_H

#include <signal.h>
#include <stdbool.h>

#include "scremote.h"

/* The first of those signals that came, or 0. */
extern volatile sig_atomic_t cli_stop_sig;

/*
 * Installs the handler for the four signals, but not for one that
 * whoever started us ignores (nohup, a background job's SIGINT).
 * restart: our own reads and writes restart (SA_RESTART); without it a
 * write blocked on a slow file or pipe gives up (the core verb).
 */
void cli_catch_signals(bool restart);

/* The session a signal breaks into from now on; one that came before
 * already breaks it.  NULL once released. */
void cli_hold(struct scr_proc *p);

#endif
