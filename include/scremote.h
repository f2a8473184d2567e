/*
 * libscremote: execute system calls inside a stopped thread of another
 * process, the Linux counterpart of FreeBSD's ptrace(PT_SC_REMOTE).
 *
 * Two entry points:
 *
 *   - scr_sc_remote(): FreeBSD-compatible. The caller is already the
 *     ptrace(2) tracer of the thread and the thread is in a ptrace-stop.
 *   - the session API (scr_attach ... scr_detach): the library seizes the
 *     process, stops every thread, runs calls and releases it.
 *
 * Threading rule (a ptrace(2) rule, not ours): every ptrace request must
 * come from the thread that attached.  Call scr_sc_remote() from the
 * thread that is the tracer, and use a session only from the thread that
 * called scr_attach() on it.  Different sessions may live in different
 * threads.
 *
 * Session functions return 0 (or a count) on success and a negative errno
 * value on failure; they do not set errno.  scr_sc_remote() follows
 * ptrace(2) and returns -1 with errno set.
 */
#ifndef SCREMOTE_H
#define SCREMOTE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SCREMOTE_VERSION_MAJOR 0
#define SCREMOTE_VERSION_MINOR 1
#define SCREMOTE_VERSION_PATCH 0
#define SCREMOTE_VERSION "0.1.0"

/* Same layout as FreeBSD's <sys/ptrace.h> (register_t is long on LP64). */
struct ptrace_sc_ret {
	long sr_retval[2];	/* return value(s), valid when sr_error == 0 */
	int sr_error;		/* errno of the remote call, 0 on success */
};

struct ptrace_sc_remote {
	struct ptrace_sc_ret pscr_ret;	/* out: the outcome */
	unsigned int pscr_syscall;	/* in: system call number */
	unsigned int pscr_nargs;	/* in: number of arguments, <= 6 */
	unsigned long *pscr_args;	/* in: the arguments */
};

/* System calls take at most six arguments on Linux. */
#define SCR_MAX_ARGS 6

/*
 * Execute system call pscr->pscr_syscall in thread tid, which the calling
 * thread traces and which is in a ptrace-stop whose wait status has been
 * consumed.  Returns 0 when the call was executed (its outcome is in
 * pscr->pscr_ret), or -1 with errno:
 *   EBUSY   the thread is not stopped at a safe place (syscall-entry,
 *           fork/vfork/clone/exec/exit event or seccomp stop), or the call
 *           would destroy a pending restart_syscall;
 *   ESRCH   no such thread, not traced by the caller, not stopped, or it
 *           died during the call;
 *   EINVAL  pscr_nargs > 6;
 *   EFAULT  pscr is NULL, or pscr_args is NULL with pscr_nargs > 0.
 * Afterwards the thread is again in a ptrace-stop and can be continued as
 * before (same signal, same siginfo); no extra wait status is left.
 * Like FreeBSD, the wait for the remote call is not bounded; see
 * scr_sc_remote_timed().
 */
int scr_sc_remote(pid_t tid, struct ptrace_sc_remote *pscr);

/*
 * As scr_sc_remote(), but gives up after timeout_ms milliseconds
 * (<= 0: no bound).  A call still blocked then is interrupted, the
 * thread restored, and -1 is returned with errno ETIMEDOUT.
 */
int scr_sc_remote_timed(pid_t tid, struct ptrace_sc_remote *pscr,
			int timeout_ms);

/* ---- Session API ---------------------------------------------------- */

struct scr_proc;

/*
 * scr_attach() flag: do not judge calls against the target's seccomp
 * filters when they cannot be read (reading them needs CAP_SYS_ADMIN).
 * Without it such calls are refused with -EACCES, since a filter
 * answering KILL or TRAP would kill the target or hit it with SIGSYS.
 */
#define SCR_ATTACH_SECCOMP_UNCHECKED 0x1u

/* Default bound on one remote call of a session, in milliseconds. */
#define SCR_DEFAULT_TIMEOUT_MS 10000

/*
 * Seize process pid (PTRACE_SEIZE: no signal is sent to it), stop every
 * one of its threads and keep them stopped until scr_detach().
 * flags: 0 or SCR_ATTACH_SECCOMP_UNCHECKED.  Returns 0 and a session in
 * *out, or:
 *   -ESRCH no such process; -EPERM not allowed to trace it (see
 *   ptrace(2): same user or CAP_SYS_PTRACE, Yama ptrace_scope);
 *   -EBUSY already traced by another process; -EINVAL bad flags or pid.
 */
int scr_attach(pid_t pid, unsigned int flags, struct scr_proc **out);

/*
 * As scr_attach(), for the process a pidfd (pidfd_open(2)) refers to:
 * the process cannot be swapped for another that reuses its pid between
 * the moment the caller chose it and the attach.  pidfd stays the
 * caller's.
 */
int scr_attach_pidfd(int pidfd, unsigned int flags, struct scr_proc **out);

/*
 * When a call ended the process (exit_group, a fatal signal), the wait
 * status it ended with (see waitpid(2): WIFEXITED, WEXITSTATUS...) goes
 * to *status and 0 is returned; -EAGAIN while it has not ended.
 */
int scr_exit_status(const struct scr_proc *p, int *status);

/*
 * Restore every thread and release the process, which then runs exactly
 * as before (or stays stopped, if it was stopped when attached).  Unmaps
 * the scratch area.  Frees p in every case.  Returns 0 or a negative
 * errno (-ESRCH: the process is gone).
 */
int scr_detach(struct scr_proc *p);

/*
 * Execute system call nr with nargs (<= 6) arguments in thread tid of the
 * session (0: the main thread).  The return value says whether the call
 * was executed (0) or not (negative errno):
 *   -EBUSY      it would destroy the thread's pending restart_syscall,
 *               or it is an execve in a process with other threads
 *               (the kernel would wait for ever for the stopped threads);
 *   -ESRCH      no such thread in the session, or the process died (see
 *               scr_exit_status());
 *   -ETIMEDOUT  it blocked longer than the session's timeout and was
 *               broken off; the thread is restored;
 *   -EPERM      the target's seccomp policy would kill it, raise SIGSYS
 *               or suspend it for this call: not executed;
 *   -EACCES     the target has seccomp filters that cannot be read, so
 *               the call cannot be judged (see SCR_ATTACH_SECCOMP_UNCHECKED);
 *   -EINVAL     bad arguments.
 * The call's own outcome goes into *ret.  A call a filter answers with
 * an errno is executed and reports that errno, as for the target itself.
 */
int scr_syscall(struct scr_proc *p, pid_t tid, long nr,
		const unsigned long *args, unsigned int nargs,
		struct ptrace_sc_ret *ret);

/*
 * Async-signal-safe, for a signal handler of the caller: the call in
 * flight in p, if any, is broken off as on a timeout (the thread is
 * restored) and it, and every later call of the session, returns -EINTR.
 * Detaching still works and is what to do next.
 */
void scr_interrupt(struct scr_proc *p);

/* Bound on one remote call, in ms (<= 0: none).  Returns the old value. */
int scr_set_timeout(struct scr_proc *p, int timeout_ms);

/* The process id of the session, and its threads (up to n of them). */
pid_t scr_pid(const struct scr_proc *p);
int scr_threads(const struct scr_proc *p, pid_t *tids, size_t n);

/*
 * Copy len bytes from (scr_read) or to (scr_write) the target's memory at
 * addr.  Returns the number of bytes copied (short when the range ends in
 * an unmapped page) or a negative errno (-EFAULT nothing could be copied).
 */
ssize_t scr_read(struct scr_proc *p, unsigned long addr, void *buf,
		 size_t len);
ssize_t scr_write(struct scr_proc *p, unsigned long addr, const void *buf,
		  size_t len);

/*
 * Scratch memory in the target for pointer arguments.  The area is mapped
 * (by a remote mmap) on first use and unmapped on detach, so the target's
 * memory map is the same before and after the session.
 * scr_scratch_alloc() reserves len bytes, 16-byte aligned, and stores
 * their address in *addr; scr_push() also copies data there;
 * scr_scratch_reset() releases every reservation.
 */
int scr_scratch_alloc(struct scr_proc *p, size_t len, unsigned long *addr);
int scr_push(struct scr_proc *p, const void *data, size_t len,
	     unsigned long *addr);
void scr_scratch_reset(struct scr_proc *p);

/* ---- Batches -------------------------------------------------------- */

/* One call of a batch. */
struct scr_call {
	long nr;			/* in: system call number */
	unsigned int nargs;		/* in: number of arguments, <= 6 */
	unsigned int ref_mask;		/* in: bit k set: args[k] is the index
					   of an earlier call in this batch,
					   whose return value replaces it */
	unsigned long args[6];		/* in: the arguments */
	struct ptrace_sc_ret ret;	/* out: the call's outcome */
	int status;			/* out: 0 executed, or a negative
					   errno: not executed */
};

/* scr_batch() flag: stop at the first call whose sr_error != 0. */
#define SCR_BATCH_STOP_ON_ERROR 0x1u
/* scr_batch() flags: run the batch through ptrace, one stop per call,
 * even where the in-target agent could run it; or use the agent even
 * for a batch too small to gain from it (see scr_agent_status(3)). */
#define SCR_BATCH_PTRACE	0x2u
#define SCR_BATCH_AGENT		0x4u

/*
 * Execute calls[0..n) in order in thread tid (0: the main thread).
 * Returns the number of calls executed (>= 0), or a negative errno when
 * none could be.  Each executed call has status 0 and its outcome in
 * ret; the first call that could not be executed has its reason in
 * status, and so do the calls after it, which are not run.  With
 * SCR_BATCH_STOP_ON_ERROR, the calls after the first one that failed
 * (sr_error != 0) are not run and have status -ECANCELED.  A bad batch
 * (nargs > 6, a ref_mask bit beyond nargs or naming a later call) gives
 * -EINVAL before anything runs.
 */
int scr_batch(struct scr_proc *p, pid_t tid, struct scr_call *calls,
	      size_t n, unsigned int flags);

/*
 * Batches (and scr_syscall() calls between them) run through a small
 * agent placed in the thread when they can: 0 when the last batch did,
 * else a negative errno saying why it took the ptrace path, and a
 * sentence in *reason (valid until the next call on p):
 *   -EAGAIN   no batch asked for it (too small, or SCR_BATCH_PTRACE);
 *   -ENOSYS   no agent for the thread's ABI (i386);
 *   -EPERM, -EACCES  the target's seccomp filter or a security module
 *             refused memfd_create, mmap or PROT_EXEC;
 *   -ENOMEM   no memory;  -EOPNOTSUPP  a shadow stack, or state the
 *             agent cannot restore by itself.
 */
int scr_agent_status(struct scr_proc *p, const char **reason);

/* ---- ABIs and system call names ------------------------------------- */

/* System call ABIs (a 64-bit x86 kernel runs both x86_64 and i386). */
enum scr_abi_id {
	SCR_ABI_UNKNOWN = 0,
	SCR_ABI_X86_64 = 1,
	SCR_ABI_I386 = 2,
	SCR_ABI_AARCH64 = 3,
	SCR_ABI_RISCV64 = 4
};

/* The ABI the main thread (or the first live thread) of the session
 * executes in: an SCR_ABI_* value. */
int scr_abi(const struct scr_proc *p);

/* "x86_64", "i386", "aarch64", "riscv64"; NULL for an unknown id. */
const char *scr_abi_name(int abi);

/*
 * System call names, numbers and signatures, for every ABI above
 * whatever the build machine (they come from the kernel's own
 * prototypes); see scr_syscall_nr(3).  Everything returned is constant
 * data of the library, valid for as long as it is loaded.
 */

/* The number of system call name in abi, or -ENOENT (unknown name) or
 * -EINVAL (unknown ABI). */
long scr_syscall_nr(int abi, const char *name);

/* The name of system call nr in abi, or NULL. */
const char *scr_syscall_name(int abi, long nr);

/* The smallest call number of abi above nr (nr = -1: the first), or
 * -ENOENT after the last, -EINVAL for an unknown ABI: to iterate. */
long scr_syscall_next(int abi, long nr);

/* What an argument, or a return value, is. */
enum scr_arg_kind {
	SCR_ARG_INT = 1,	/* an integer */
	SCR_ARG_FD,		/* a file descriptor */
	SCR_ARG_DIRFD,		/* a directory's file descriptor, or AT_FDCWD */
	SCR_ARG_PATH,		/* a path: pointer to a NUL-terminated string */
	SCR_ARG_STR,		/* another NUL-terminated string the call reads */
	SCR_ARG_FLAGS,		/* constants of a family, OR-ed */
	SCR_ARG_ENUM,		/* one constant of a family */
	SCR_ARG_MODE,		/* file mode: permission bits (S_I*), type */
	SCR_ARG_SIGNAL,		/* a signal number */
	SCR_ARG_PID,		/* a process or thread id */
	SCR_ARG_ADDR,		/* an address in the target */
	SCR_ARG_SIZE,		/* the size in bytes of another argument */
	SCR_ARG_COUNT,		/* the number of elements of another argument */
	SCR_ARG_IN,		/* pointer to data the call reads */
	SCR_ARG_OUT,		/* pointer to where the call writes */
	SCR_ARG_INOUT,		/* pointer to data the call reads and rewrites */
	SCR_ARG_STRV,		/* NULL-terminated array of strings (argv) */
	SCR_ARG_PTR		/* another pointer */
};

/* How many arguments call nr of abi takes (0..6; on a 32-bit ABI a
 * 64-bit value counts as two, low word first), or -ENOENT (no such
 * call), -ENODATA (a call whose signature the tables lack), -EINVAL
 * (unknown ABI).  Calls may be given fewer arguments down to
 * scr_syscall_nreq(); strace leaves the others out too. */
int scr_syscall_nargs(int abi, long nr);
int scr_syscall_nreq(int abi, long nr);

/*
 * Argument i (from 0) of call nr: returns its kind (an SCR_ARG_* value)
 * or a negative errno (as scr_syscall_nargs(); -ERANGE: no argument i).
 * Through the pointers that are not NULL: its name in the kernel's
 * prototype ("fd"), and its detail: for SCR_ARG_FLAGS and SCR_ARG_ENUM
 * the family of constants it takes ("open_flags", see scr_const()), for
 * SCR_ARG_IN, _OUT and _INOUT the struct or type pointed to ("stat",
 * "int[2]"; NULL: plain bytes), else NULL.  With i = SCR_RET: the kind
 * and detail of the return value (the name is NULL).
 */
#define SCR_RET 255u
int scr_syscall_arg(int abi, long nr, unsigned int i, const char **name,
		    const char **detail);

/* For argument i: the argument its size or count is in (a pointer), or
 * the pointer whose size or count it is (SCR_ARG_SIZE, SCR_ARG_COUNT);
 * -ENOENT when there is none, other negative errnos as above. */
int scr_syscall_arg_ref(int abi, long nr, unsigned int i);

/*
 * Named constants (O_WRONLY, SIGTERM, SOL_SOCKET...) with their
 * values in abi, for the ABIs this build attaches to (elsewhere
 * -EINVAL).  scr_const() gives the k-th pair of a constant and a family
 * it belongs to (k from 0; a constant in several families comes once
 * for each, one in none once with family NULL), or -ENOENT after the
 * last.  scr_const_value() looks one name up: 0, or -ENOENT.
 */
int scr_const(int abi, size_t k, const char **name, long long *value,
	      const char **family);
int scr_const_value(int abi, const char *name, long long *value);

/* ---- Core dumps ------------------------------------------------------- */

/* Same layout as FreeBSD's <sys/ptrace.h>. */
struct ptrace_coredump {
	int pc_fd;		/* where the core goes */
	uint32_t pc_flags;	/* PC_* */
	off_t pc_limit;		/* largest core allowed; 0: no limit */
};

#define PC_COMPRESS	0x00000001	/* a zstd stream */
#define PC_ALL		0x00000002	/* also what is marked not to dump */

/*
 * FreeBSD's PT_COREDUMP: write a core of process pid, whose threads the
 * caller traces and which are all in a ptrace-stop, to pc->pc_fd.
 * Returns 0, or -1 with errno: EINVAL unknown flags; EBADF pc_fd not
 * open for writing; EPIPE pc_fd not a regular file; EBUSY not stopped;
 * EFAULT the core would exceed pc_limit (nothing partial is left
 * claimed as complete); EOPNOTSUPP PC_COMPRESS without zstd support.
 */
int scr_coredump(pid_t pid, struct ptrace_coredump *pc);

/* scr_dump_core() flag: capture the registers, make the target clone
 * itself, release it at once and dump the copy (see scr_dump_core(3)). */
#define SCR_CORE_SNAPSHOT	0x00000100

/* A core of the session's process to fd (any writable fd, pipes too);
 * flags PC_COMPRESS, PC_ALL, SCR_CORE_SNAPSHOT.  0 or a negative errno. */
int scr_dump_core(struct scr_proc *p, int fd, unsigned int flags,
		  off_t limit);

/* The library's version string, e.g. "0.1.0". */
const char *scr_version(void);

#ifdef __cplusplus
}
#endif

#endif /* SCREMOTE_H */
