/*
 * Which kind of ptrace-stop is a thread in?  The wait status has been
 * consumed by the caller, so we ask the kernel: the siginfo of the stop
 * (PTRACE_GETSIGINFO) and, at syscall stops, the event message that says
 * entry or exit (set for syscall stops since Linux 5.3).
 */
#include <errno.h>
#include <string.h>
#include <sys/ptrace.h>

#include "internal.h"

#ifndef PTRACE_EVENTMSG_SYSCALL_ENTRY
#define PTRACE_EVENTMSG_SYSCALL_ENTRY 1
#define PTRACE_EVENTMSG_SYSCALL_EXIT 2
#endif

int scr__classify_stop(pid_t tid, struct scr_stop *st)
{
	memset(st, 0, sizeof(*st));
	if (ptrace(PTRACE_GETSIGINFO, tid, 0, &st->si)) {
		/* EINVAL: stopped, but without siginfo: a group-stop of a
		 * tracee attached with PTRACE_ATTACH.  ESRCH: not stopped,
		 * not ours or gone. */
		if (errno != EINVAL)
			return -ESRCH;
		st->kind = SCR_STOP_GROUP;
		return 0;
	}
	st->have_si = true;
	if (st->si.si_code == SI_USER || st->si.si_code < 0 ||
	    st->si.si_signo != SIGTRAP) {
		/* Sent by a process, or not a ptrace notification. */
		if ((st->si.si_code >> 8) == PTRACE_EVENT_STOP)
			st->kind = SCR_STOP_EVENT;
		else
			st->kind = SCR_STOP_SIGNAL;
		return 0;
	}
	switch (st->si.si_code) {
	case SIGTRAP:
	case SIGTRAP | 0x80: {
		unsigned long msg = 0;

		if (ptrace(PTRACE_GETEVENTMSG, tid, 0, &msg))
			return -ESRCH;
		st->kind = msg == PTRACE_EVENTMSG_SYSCALL_EXIT ?
			   SCR_STOP_SYSCALL_EXIT : SCR_STOP_UNSAFE;
		return 0;
	}
	default:
		switch (st->si.si_code >> 8) {
		case 0:
			st->kind = SCR_STOP_SIGNAL;	/* a real SIGTRAP */
			break;
		case PTRACE_EVENT_STOP:
			st->kind = SCR_STOP_EVENT;
			break;
		default:
			st->kind = SCR_STOP_UNSAFE;	/* fork, exec, exit... */
			break;
		}
		return 0;
	}
}
