/*
 * The pause meter of make bench: how long a target stays stopped, seen
 * from inside it, for the agent, the ptrace path, scremote(1) and gdb.
 */
#ifndef SCR_BENCH_PAUSE_H
#define SCR_BENCH_PAUSE_H

/*
 * Measures and prints the pauses and the agent's ratios.  native and
 * floor: a native getpid and the bare single-step round trip, in us,
 * measured by the caller in the same run; scremote: the CLI (or NULL).
 */
void bench_pauses(const char *scremote, double native, double floor);

#endif
