/*
 * The architecture interface.  Generic code knows nothing of registers
 * or instruction encodings; each architecture folder (lib/arch/<arch>/)
 * supplies arch_regs.h (struct arch_regs) and the functions below.
 */
#ifndef SCR_ARCH_H
#define SCR_ARCH_H

#include <stdbool.h>
#include <stddef.h>
#include <signal.h>
#include <stdint.h>
#include <sys/types.h>

#include "arch_regs.h"

/*
 * Facts about one system call ABI of a target (a 64-bit kernel may run
 * processes of several ABIs).
 */
struct arch_abi {
	const char *name;		/* "x86_64", "i386", ... */
	const unsigned char *insn;	/* the system call instruction */
	size_t insn_len;
	size_t insn_align;		/* instructions start at multiples */
	bool can_step;			/* PTRACE_SINGLESTEP works */
	long nr_mmap;			/* mmap with a byte offset */
	long nr_munmap;
	long nr_restart_syscall;
	long nr_exit_group, nr_execve, nr_execveat;
	unsigned int word_size;		/* bytes in a target pointer */
	uint32_t audit_arch;		/* AUDIT_ARCH_..., as seccomp sees it */
	long nr_seccomp, nr_prctl;	/* calls that can add filters */
	long nr_rseq;			/* (un)registers the rseq area */
	long nr_rt_tgsigqueueinfo;	/* re-queues a signal exactly */
	unsigned int red_zone;		/* bytes below sp the ABI keeps */
	long strict_ok[4];		/* what SECCOMP_MODE_STRICT allows */
	/* The kernel rewinds an interrupted call before a signal, group or
	 * interrupt stop (x0 is its first argument again) and takes the
	 * rest of its restart decision from state a call replaces. */
	bool restart_before_stop;
};

/* Whole general register set of a stopped thread. */
int arch_get_regs(pid_t tid, struct arch_regs *r);
int arch_set_regs(pid_t tid, const struct arch_regs *r);

/* The ABI the thread is executing in, judged from its registers. */
const struct arch_abi *arch_abi_of(const struct arch_regs *r);

unsigned long arch_pc(const struct arch_regs *r);
unsigned long arch_sp(const struct arch_regs *r);

/*
 * The siginfo the kernel reported (PTRACE_GETSIGINFO gives the tracer's
 * layout) in the layout a thread of this ABI passes to
 * rt_tgsigqueueinfo; returns its size.
 */
size_t arch_siginfo_for_abi(const struct arch_abi *abi, const siginfo_t *si,
			    unsigned char out[128]);

/* The system call the thread is in (-1 when none), and the value in the
 * return register, sign-extended as the kernel would report it. */
long arch_cur_syscall(const struct arch_regs *r);
long arch_retval(const struct arch_regs *r);

/*
 * Is a restart_syscall pending: will resuming the thread continue its
 * interrupted call through its restart_block?
 */
bool arch_restart_block_pending(const struct arch_regs *r);

/* Can a call be injected at this syscall-exit-stop without losing what
 * the kernel needs to finish the current call (e.g. a restart)? */
bool arch_exit_stop_safe(const struct arch_regs *r);

/*
 * r is the state of a thread our PTRACE_INTERRUPT stopped.  Some waits
 * (epoll_wait, sigtimedwait, semop) return EINTR, not a restart code,
 * when a stop wakes them, and the program would see it.  If r is such an
 * untimed wait, make the kernel re-issue it on resume (or still report
 * EINTR if a real signal with a handler comes first) and return true.
 */
bool arch_undo_eintr(struct arch_regs *r);

/*
 * Turn r (a copy of the saved registers) into the state that executes
 * system call nr at pc with these arguments, and that the kernel will not
 * mistake for an interrupted system call to restart.
 */
void arch_prepare_call(struct arch_regs *r, unsigned long pc, long nr,
		       const unsigned long *args, unsigned int nargs);

/* Is r stopped just after the instruction at pc of len bytes? */
bool arch_after_insn(const struct arch_regs *r, unsigned long pc, size_t len);

/*
 * Before restoring saved over after (the registers the call left), carry
 * over what the call itself defines (e.g. the thread pointer that
 * arch_prctl sets).
 */
void arch_keep_call_effects(struct arch_regs *saved,
			    const struct arch_regs *after);

/* Does call nr overwrite the thread's restart_block (so that a pending
 * restart_syscall would resume the wrong thing)? */
bool arch_writes_restart_block(const struct arch_abi *abi, long nr,
			       const unsigned long *args, unsigned int nargs);

/* Does call nr read or define the signal mask of the thread itself (so
 * that it must run under the thread's own mask)? */
bool arch_uses_sigmask(const struct arch_abi *abi, long nr);

/* Can call nr change how the process disposes of signals? */
bool arch_changes_disposition(const struct arch_abi *abi, long nr);

/* Does call nr rewrite registers beyond the general ones (extended
 * state), so that they must be saved and put back around it? */
bool arch_changes_ext(const struct arch_abi *abi, long nr);

/* Extended register state (FPU/vector), saved and restored as a blob. */
struct arch_ext {
	size_t len;
	unsigned char buf[ARCH_EXT_MAX];
};
int arch_get_ext(pid_t tid, struct arch_ext *e);
int arch_set_ext(pid_t tid, const struct arch_ext *e);

/* ---- Core dumps (core*.c) ------------------------------------------- */

/* A register set a core holds for each thread after its NT_PRSTATUS,
 * read with PTRACE_GETREGSET: one the thread lacks (the call fails with
 * EINVAL, ENODEV, ENODATA or ENXIO) is left out, as the kernel leaves
 * out an inactive one. */
struct arch_core_note {
	uint32_t type;			/* NT_... */
	const char *name;		/* "CORE" for NT_PRFPREG, else "LINUX" */
};

/* What a core of a process of one ABI says of its machine. */
struct arch_core {
	uint16_t machine;		/* e_machine */
	uint32_t flags;			/* e_flags */
	unsigned int uid_size;		/* bytes of pr_uid, pr_gid (NT_PRPSINFO) */
	const struct arch_core_note *notes;	/* in the kernel's order */
	size_t nnotes;
	/* For snapshots: clone (its flags and exit signal are the first
	 * argument on every ABI) and wait4. */
	long nr_clone, nr_wait4;
};

const struct arch_core *arch_core_of(const struct arch_abi *abi);

/* The note about the whole process that the kernel writes after every
 * thread's, named "LINUX" (x86: NT_X86_XSAVE_LAYOUT, where the XSAVE
 * area's parts are): its length in buf (at most len), its type in
 * *type; 0 when there is none. */
size_t arch_core_extra_note(const struct arch_abi *abi, uint32_t *type,
			    void *buf, size_t len);

#endif
