/* Internal interfaces of libscremote, shared by its source files. */
#ifndef SCR_INTERNAL_H
#define SCR_INTERNAL_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "scremote.h"
#include "arch.h"

#define SCR_EXPORT __attribute__((visibility("default")))

/* Kernel-internal "restart me" return values (include/linux/errno.h). */
#define ERESTARTSYS		512
#define ERESTARTNOINTR		513
#define ERESTARTNOHAND		514
#define ERESTART_RESTARTBLOCK	516

/* ---- signal masks ---- */
#define SIGBIT(sig) (1ULL << ((sig) - 1))
/* The synchronous fault signals: the kernel forces them, and forcing a
 * blocked one resets its handler to SIG_DFL for good. */
#define FAULT_SIGS (SIGBIT(SIGSEGV) | SIGBIT(SIGBUS) | SIGBIT(SIGILL) | \
		    SIGBIT(SIGFPE) | SIGBIT(SIGSYS))
/* While a call (or the agent) runs: everything blocked but our trap and
 * the fault signals. */
#define CALL_MASK (~(SIGBIT(SIGTRAP) | FAULT_SIGS))

/* ---- bounded waits (wait.c) ---- */
struct scr_deadline {
	bool forever;
	struct timespec end;	/* CLOCK_MONOTONIC */
	volatile sig_atomic_t *cancel;	/* when set, the deadline is now */
};
void scr__deadline_init(struct scr_deadline *d, int timeout_ms);
bool scr__deadline_passed(const struct scr_deadline *d);
/* Waits for the next wait status of tid.  0 and *status, -ETIMEDOUT,
 * or -ESRCH when tid cannot be waited for. */
int scr__wait(pid_t tid, int *status, const struct scr_deadline *d);

/* ---- the kind of ptrace-stop a thread is in (stop.c) ---- */
enum scr_stop_kind {
	SCR_STOP_SIGNAL,	/* signal-delivery-stop */
	SCR_STOP_GROUP,		/* group-stop of a PTRACE_ATTACHed tracee */
	SCR_STOP_EVENT,		/* PTRACE_EVENT_STOP: interrupt or group-stop */
	SCR_STOP_SYSCALL_EXIT,
	SCR_STOP_UNSAFE,	/* syscall entry, fork/exec/exit/seccomp... */
};

struct scr_stop {
	enum scr_stop_kind kind;
	bool have_si;
	siginfo_t si;
};
int scr__classify_stop(pid_t tid, struct scr_stop *st);

/* ---- /proc and memory (procfs.c, mem.c) ---- */
int scr__vdso_range(pid_t pid, unsigned long *start, unsigned long *end);
/* 1 when sig is in the named mask line ("SigIgn", "SigPnd"...) of
 * /proc/TID/status, 0 when not, negative errno on failure. */
int scr__status_sig(pid_t tid, const char *field, int sig);
/* A decimal field of /proc/TID/status ("TracerPid", "Tgid"...). */
int scr__status_num(pid_t tid, const char *field, unsigned long long *v);
/* From /proc/TID/status: ignored signals, and the seccomp mode (0 none,
 * 1 strict, 2 filters). */
int scr__thread_status(pid_t tid, uint64_t *sigign, int *seccomp);

/* ---- seccomp (seccomp.c) ---- */
struct scr_filters;
/* Reads the filters of a stopped tracee (needs CAP_SYS_ADMIN). */
int scr__filters_read(pid_t tid, struct scr_filters **out);
void scr__filters_free(struct scr_filters *f);
/* The action the filters give this call (SECCOMP_RET_...). */
uint32_t scr__filters_verdict(const struct scr_filters *f, uint32_t audit_arch,
			      long nr, unsigned long ip,
			      const unsigned long *args, unsigned int nargs);
/* Would this action kill the target, raise SIGSYS or suspend it? */
bool scr__verdict_harms(uint32_t verdict);
/* The kernel's PF_* flags of a thread (/proc/TID/stat field 9). */
int scr__thread_flags(pid_t tid, unsigned long *flags);
#define SCR_PF_IO_WORKER	0x00000010UL	/* io_uring/io-wq worker */
#define SCR_PF_KTHREAD		0x00200000UL	/* kernel thread */
/* The state letter of a thread in /proc ('R', 'S', 'Z'...; 'X': gone). */
int scr__thread_state(pid_t tid);
/* The start time of a process, in clock ticks since boot. */
int scr__start_time(pid_t pid, unsigned long long *ticks);
/* The process a pidfd refers to (in our namespace), or negative errno. */
pid_t scr__pidfd_pid(int pidfd);
ssize_t scr__mem_read(pid_t pid, unsigned long addr, void *buf, size_t len);
ssize_t scr__mem_write(pid_t pid, unsigned long addr, const void *buf,
		       size_t len);
int scr__find_insn(pid_t pid, const struct arch_abi *abi,
		   unsigned long *addr);
/* The same, outside [lo, hi) (a range syscall user dispatch watches). */
int scr__find_insn_outside(pid_t pid, const struct arch_abi *abi,
			   unsigned long lo, unsigned long hi,
			   unsigned long *addr);
/* Calls fn on each readable executable mapping of the process until one
 * gives 0 (-ENOEXEC when none does); ctx is passed through. */
struct scr_insn_search {
	const struct arch_abi *abi;
	unsigned long lo, hi;		/* addresses not to use */
	unsigned long addr;		/* out */
};
int scr__exec_ranges(pid_t pid, struct scr_insn_search *ctx,
		     int (*fn)(pid_t, struct scr_insn_search *, unsigned long,
			       unsigned long));

/* ---- the injection engine (engine.c) ---- */

#define SCR_MAX_BORN 16

/* What is known of the target process; cached by sessions. */
struct scr_target {
	pid_t pid;			/* any thread of it, for /proc */
	unsigned long insn_addr;	/* a syscall instruction, 0: unknown */
	int trap_ignored;		/* SIGTRAP is SIG_IGN; -1: unknown */
	bool seccomp_unchecked;		/* the caller waived the check */
	bool exited;			/* a call ended the process ... */
	int exit_status;		/* ... with this wait status */
	pid_t born[SCR_MAX_BORN];	/* threads a call created (traced) */
	unsigned int nborn;
};

/* What is known of one stopped thread; cached by sessions. */
struct scr_thread {
	pid_t tid;
	struct scr_stop stop;		/* the stop the caller left it in */
	bool regs_valid;
	struct arch_regs regs;		/* its registers at that stop */
	bool mask_valid;
	uint64_t mask;			/* its signal mask at that stop */
	bool call_mask_set;		/* it holds our mask instead */
	bool lazy_mask;			/* ... which may stay between calls */
	bool restore_si;		/* put the stop's siginfo back */
	int seccomp;			/* its seccomp mode; -1: unknown */
	struct scr_filters *filters;	/* its filters, when mode 2 */
	int filters_err;		/* why they could not be read */
	bool dead;			/* exited or was killed */
	bool untraced;			/* a zombie main thread, never seized */
	/* End a call in the very kind of stop the thread was in (an
	 * interrupt or group stop stays one), re-arm a PTRACE_INTERRUPT
	 * the call consumed: the caller owns the stop (scr_sc_remote). */
	bool exact;
	/* Its rseq area (0: none) and the rseq_cs word there at the stop,
	 * which returning to user mode outside the section clears. */
	bool rseq_valid;
	unsigned long rseq_cs_addr;
	uint64_t rseq_cs;
	/* Its syscall user dispatch configuration (PTRACE_GET_SYSCALL_
	 * USER_DISPATCH_CONFIG; mode 0 also when the kernel cannot say). */
	bool sud_valid;
	struct scr_sud { uint64_t mode, selector, offset, len; } sud;
};

struct scr_req {
	long nr;
	const unsigned long *args;
	unsigned int nargs;
	int timeout_ms;			/* <= 0: no bound */
	volatile sig_atomic_t *cancel;	/* break the call off when set */
};

/* Gives the thread its own signal mask back, if it holds ours. */
int scr__release_mask(struct scr_thread *th);

/*
 * Internal error: the call raised a synchronous signal (SIGSEGV, SIGBUS,
 * SIGILL, SIGFPE, SIGSYS) in the target; it was not executed and the
 * thread is restored.  Public as -EREMOTEIO.
 */
#define SCR_EFAULTSIG EREMOTEIO

/* Undoes an EINTR that our own interrupt caused in an untimed wait. */
int scr__undo_eintr(struct scr_thread *th);

/* Queues signals again in a stopped thread, exactly as after a call. */
int scr__requeue_signals(struct scr_target *tg, struct scr_thread *th,
			 const siginfo_t *sigs, size_t n);

int scr__inject(struct scr_target *tg, struct scr_thread *th,
		const struct scr_req *c, struct ptrace_sc_ret *ret);

/* ---- what sessions offer core dumps (session.c) ---- */

bool scr__proc_interrupted(const struct scr_proc *p);
/* Live thread i (from 0) of the session, with the signal mask it had
 * when the session stopped it and that stop.  -ENOENT after the last. */
int scr__proc_thread(struct scr_proc *p, size_t i, pid_t *tid,
		     uint64_t *mask, struct scr_stop *stop);
/* Takes the session's own things out of the process now (the agent,
 * the scratch area), as scr_detach() does. */
int scr__proc_drop_scratch(struct scr_proc *p);
/* A call in a live thread that a pending scr_interrupt() does not
 * refuse: for putting things back. */
int scr__proc_call(struct scr_proc *p, long nr, const unsigned long *args,
		   unsigned int nargs, struct ptrace_sc_ret *ret);
/* Runs a clone that makes a new process in a live thread and hands that
 * process over instead of adopting it: *child (0: none was made) is
 * traced from birth with the session's options and stopped at its first
 * stop, before it ran any instruction, unless the result is an error. */
int scr__proc_clone(struct scr_proc *p, long nr, const unsigned long *args,
		    unsigned int nargs, struct ptrace_sc_ret *ret,
		    pid_t *child);
/* Lets every thread run (agent and scratch area gone) but keeps the
 * session;
 * scr__proc_restop() stops them again.  On failure the process runs and
 * the session has no threads left. */
int scr__proc_release(struct scr_proc *p);
int scr__proc_restop(struct scr_proc *p);

#endif
