/*
 * The in-target agent: batches at the speed of the target's own calls.
 *
 * A call through ptrace costs a stop (~20 us here); the call itself
 * costs well under a microsecond.  For a batch, a small loop is placed
 * in the chosen thread instead: it takes calls from memory shared with
 * the tool, makes them with the thread's own system call instruction,
 * writes the results back, and waits for more.  How it gets there and
 * back without the target noticing:
 *
 *  - Placement, by ordinary injected calls (the ptrace path): two
 *    memfds, the ring (read+write, shared with the tool, which maps it
 *    too) and "scremote-agent" (the code, written by the tool, sealed,
 *    then mapped read+exec only, so it works under PR_SET_MDWE and needs
 *    no SELinux execmem), mapped next to each other; the target's
 *    descriptors for them are closed at once.  No byte of the target's
 *    own code is written.
 *  - Start: the thread's registers point at the agent, with every signal
 *    but SIGTRAP and the fault signals blocked, as for an injected
 *    call; PTRACE_CONT.
 *  - Calls: the tool writes them into the ring and bumps a sequence
 *    number; the agent spins a while, then sleeps on a futex.  A call's
 *    argument may name an earlier call, whose result the agent passes.
 *  - Park: PTRACE_INTERRUPT; at that stop (inside get_signal(), as after
 *    a single-step) the thread's own registers, rseq_cs word and, where
 *    calls may change it, extended state go back.  Detach unmaps both
 *    mappings with one injected munmap.
 *  - The tool dying: the last word of the ring is a robust futex of the
 *    tool's thread, linked into that thread's robust list.  When the
 *    thread dies (SIGKILL included) or execs, the kernel sets OWNER_DIED
 *    there and wakes the agent, which unmaps the ring, puts the rseq_cs
 *    word back and loads an rt_sigreturn frame the tool prepared in the
 *    sealed code mapping: registers, extended state and mask as they
 *    were.  Only the code mapping stays; the next attach removes it.
 *
 * Where the agent cannot be placed (no agent for the ABI, seccomp,
 * PROT_EXEC refused, no memory, a shadow stack...), batches take the
 * ptrace path with the same results, and scr_agent_status() says why.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <linux/futex.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "agent_impl.h"

#ifndef MFD_CLOEXEC
#define MFD_CLOEXEC		0x0001U
#endif
#ifndef MFD_ALLOW_SEALING
#define MFD_ALLOW_SEALING	0x0002U
#endif
#ifndef MFD_NOEXEC_SEAL
#define MFD_NOEXEC_SEAL		0x0008U
#endif
#ifndef F_ADD_SEALS
#define F_ADD_SEALS	1033
#define F_SEAL_SEAL	0x0001
#define F_SEAL_SHRINK	0x0002
#define F_SEAL_GROW	0x0004
#define F_SEAL_WRITE	0x0008
#endif
#ifndef SYS_pidfd_getfd
#define SYS_pidfd_getfd 438
#endif
#ifndef PTRACE_GET_SYSCALL_USER_DISPATCH_CONFIG
#define PTRACE_GET_SYSCALL_USER_DISPATCH_CONFIG 0x4211
#endif
#ifndef PTRACE_GET_RSEQ_CONFIGURATION
#define PTRACE_GET_RSEQ_CONFIGURATION 0x420f
#endif

#define CODE_NAME	AGENT_CODE_NAME

/* ---- small helpers ---- */

void scr__agent_set_status(struct scr_agent *ag, int status, const char *fmt,
			   ...)
{
	va_list ap;

	ag->status = status;
	va_start(ap, fmt);
	vsnprintf(ag->why, sizeof(ag->why), fmt, ap);
	va_end(ap);
}

/* The thread's saved registers and own mask, read if not yet known. */
int scr__agent_load_thread(struct scr_thread *th)
{
	if (!th->regs_valid) {
		int e = arch_get_regs(th->tid, &th->regs);

		if (e)
			return e;
		th->regs_valid = true;
	}
	if (!th->mask_valid) {
		if (ptrace(PTRACE_GETSIGMASK, th->tid, sizeof(th->mask),
			   &th->mask))
			return -errno;
		th->mask_valid = true;
	}
	return 0;
}

struct scr_agent *scr__agent_get(struct scr_proc *p)
{
	struct scr_agent **slot = scr__proc_agent(p);

	if (!*slot) {
		*slot = calloc(1, sizeof(**slot));
		if (*slot) {
			(*slot)->pidfd = -1;
			scr__agent_set_status(*slot, -EAGAIN,
				   "no batch has asked for the agent yet");
		}
	}
	return *slot;
}

/* ---- the death word: a robust futex of the tool's thread ---- */

/*
 * The kernel finds an entry's futex word at entry + futex_offset, an
 * offset the thread's C library chose (glibc and musl: negative, a few
 * tens of bytes).  The word lies at the end of the shared ring; the
 * entry itself, which the C library writes into when it links its own
 * mutexes next to it, lies in the tool's private page after the ring,
 * out of the target's reach.
 */
static int watch_death(struct scr_agent *ag)
{
	static __thread struct robust_head own;
	struct robust_head *h = NULL;
	size_t len;
	uint32_t *w;

	if (syscall(SYS_get_robust_list, 0, &h, &len) || !h) {
		/* No C library registered one: register ours. */
		own.list = &own;
		own.futex_offset = -32;
		if (syscall(SYS_set_robust_list, &own, sizeof(own)))
			return -errno;
		h = &own;
	}
	if (h->futex_offset > -16 || h->futex_offset < -(long)(PAGE - 32) ||
	    h->futex_offset % 4)
		return -EOPNOTSUPP;
	/* The last word of the ring whose entry is pointer-aligned. */
	ag->death_off = ring_size(ag) - 4;
	while ((ag->death_off - (size_t)h->futex_offset) % sizeof(void *))
		ag->death_off -= 4;
	w = ctl32(ag, ag->death_off);
	ag->node = (void **)(void *)((char *)w - h->futex_offset);
	ag->head = h;
	*w = (uint32_t)syscall(SYS_gettid);
	/* Link it first, as the C library links a mutex it locks. */
	ag->node[-1] = h;
	ag->node[0] = h->list;
	if (((uintptr_t)h->list & ~1UL) != (uintptr_t)h)
		((void **)((uintptr_t)h->list & ~1UL))[-1] = ag->node;
	__atomic_store_n(&h->list, (void *)ag->node, __ATOMIC_SEQ_CST);
	return 0;
}

/* Unlinks the entry, wherever mutexes locked since have put it. */
static void unwatch_death(struct scr_agent *ag)
{
	void **prev, *next;

	if (!ag->node)
		return;
	prev = (void **)((uintptr_t)ag->node[-1] & ~1UL);
	next = ag->node[0];
	*prev = next;
	if (((uintptr_t)next & ~1UL) != (uintptr_t)ag->head)
		((void **)((uintptr_t)next & ~1UL))[-1] = ag->node[-1];
	ag->node = NULL;
}

/* Forgets the agent on the tool's side. */
static void drop_local(struct scr_agent *ag)
{
	unwatch_death(ag);
	if (ag->local)
		munmap(ag->local, ag->local_len);
	ag->local = NULL;
	ag->state = AG_NONE;
}

/* Is the entry still in the list the kernel will walk?  A C library
 * that registers a list late (musl does, on its first robust mutex)
 * replaces the one we linked into. */
int scr__agent_check_watch(struct scr_agent *ag)
{
	struct robust_head *h = NULL;
	size_t len;

	size_t old = ag->death_off;
	uint32_t w;
	int e;

	if (syscall(SYS_get_robust_list, 0, &h, &len) == 0 && h == ag->head)
		return 0;
	ag->node = NULL;		/* in a list nobody walks now */
	e = watch_death(ag);
	if (e || ag->death_off == old)
		return e;
	/* The word moved: tell the agent, which may sleep on the old one. */
	__atomic_store_n(ctl64(ag, CTL_DEATH), ag->ring + ag->death_off,
			 __ATOMIC_SEQ_CST);
	w = __atomic_and_fetch(ctl32(ag, old), ~AGENT_FUTEX_WAITERS,
			       __ATOMIC_SEQ_CST);
	(void)w;
	futex(ctl32(ag, old), AGENT_FUTEX_WAKE, 1, NULL);
	return 0;
}

/* ---- the thread while the agent runs ---- */

static void defer(struct scr_agent *ag, pid_t tid, int sig)
{
	siginfo_t si;

	if (ptrace(PTRACE_GETSIGINFO, tid, 0, &si)) {
		memset(&si, 0, sizeof(si));
		si.si_signo = sig;
		si.si_code = SI_TKILL;
	}
	/* Standard signals do not queue: a thread held still would have
	 * seen several as one. */
	for (unsigned int i = 0; sig < SIGRTMIN && i < ag->ndeferred; i++)
		if (ag->deferred[i].si_signo == sig)
			return;
	if (ag->ndeferred == MAX_DEFERRED) {
		syscall(SYS_tkill, tid, sig);	/* still arrives */
		return;
	}
	ag->deferred[ag->ndeferred++] = si;
}

/*
 * A fault signal the kernel raised for a call the agent made (none
 * should: calls that can are kept out of it): it belongs to that call,
 * never to the target.  One taken before the agent's first instruction
 * is the target's own, pending when it stopped, and stays its own.
 */
static bool agent_fault(struct scr_agent *ag, pid_t tid, int sig)
{
	struct arch_regs r;
	siginfo_t si;

	return (SIGBIT(sig) & FAULT_SIGS) &&
	       ptrace(PTRACE_GETSIGINFO, tid, 0, &si) == 0 && si.si_code > 0 &&
	       arch_get_regs(tid, &r) == 0 &&
	       arch_pc(&r) == ag->code + ag->arch->layout->call +
			      ag->abi->insn_len;
}

/* Signals that stopped the agent's thread go to it again, now that it is
 * stopped with its own registers, each with its own siginfo, as after
 * an injected call (scr__requeue_signals). */
static void resend_deferred(struct scr_proc *p, struct scr_agent *ag,
			    struct scr_thread *th)
{
	scr__requeue_signals(scr__proc_target(p), th, ag->deferred,
			     ag->ndeferred);
	ag->ndeferred = 0;
}

static void mark_dead(struct scr_proc *p, struct scr_thread *th, int status,
		      bool whole)
{
	struct scr_target *tg = scr__proc_target(p);

	th->dead = true;
	if (whole) {
		tg->exited = true;
		tg->exit_status = status;
	}
}

/*
 * Handles one stop of the running agent's thread (a signal it cannot
 * block, a group-stop): 0 when it runs again, 1 when it is stopped where
 * the tool can restore it (parking), -ESRCH when it is gone.
 */
static int handle_stop(struct scr_proc *p, struct scr_agent *ag,
		       struct scr_thread *th, int status, bool parking)
{
	int sig = WSTOPSIG(status), event = status >> 16;

	if (WIFEXITED(status) || WIFSIGNALED(status)) {
		mark_dead(p, th, status, true);
		return -ESRCH;
	}
	switch (event) {
	case 0:
		/* A fault signal the kernel raised for a call in the agent
		 * (none should: calls that can are kept out of it) belongs
		 * to that call, never to the target: dropped. */
		if (!agent_fault(ag, th->tid, sig))
			defer(ag, th->tid, sig);
		if (parking)
			return 1;	/* a stop inside get_signal() */
		break;
	case PTRACE_EVENT_STOP:
		if (parking)
			return 1;
		break;			/* a group-stop: run on */
	case PTRACE_EVENT_EXIT: {
		unsigned long msg = 0;

		ptrace(PTRACE_GETEVENTMSG, th->tid, 0, &msg);
		mark_dead(p, th, (int)msg, WIFSIGNALED((int)msg));
		return -ESRCH;
	}
	default:
		break;
	}
	if (ptrace(PTRACE_CONT, th->tid, 0, 0)) {
		if (errno == ESRCH)
			mark_dead(p, th, 0, false);
		return -errno;
	}
	/* Any stop consumes a pending PTRACE_INTERRUPT: ask again. */
	if (parking && ptrace(PTRACE_INTERRUPT, th->tid, 0, 0))
		return -errno;
	return 0;
}

/* Looks at the thread without waiting: 0 running, -ESRCH gone. */
int scr__agent_poll(struct scr_proc *p, struct scr_agent *ag,
		    struct scr_thread *th)
{
	for (;;) {
		int status;
		pid_t r = waitpid(th->tid, &status, __WALL | WNOHANG);

		if (r == 0)
			return 0;
		if (r < 0) {
			if (errno == EINTR)
				continue;
			mark_dead(p, th, 0, false);
			return -ESRCH;
		}
		int e = handle_stop(p, ag, th, status, false);

		if (e)
			return e;
	}
}

/*
 * Stops the running agent and gives the thread its own state back.
 * *after gets the agent's registers at the stop (for a call the stop
 * broke off).  The thread keeps the call mask, as after an injected
 * call; detach gives it its own.
 */
int scr__agent_park(struct scr_proc *p, struct scr_agent *ag,
		    struct scr_thread *th, struct arch_regs *after)
{
	struct scr_deadline dl;
	struct arch_regs regs;
	int e = 0;

	if (ag->state != AG_RUNNING)
		return 0;
	ag->state = AG_PARKED;
	if (ptrace(PTRACE_INTERRUPT, th->tid, 0, 0)) {
		if (errno == ESRCH)
			mark_dead(p, th, 0, false);
		return -errno;
	}
	scr__deadline_init(&dl, PARK_MS);
	for (;;) {
		int status;

		e = scr__wait(th->tid, &status, &dl);
		if (e == -ESRCH)
			mark_dead(p, th, 0, false);
		if (e == -ETIMEDOUT)
			ag->state = AG_RUNNING;	/* it will stop later */
		if (e)
			return e;
		e = handle_stop(p, ag, th, status, true);
		if (e < 0)
			return e;
		if (e == 1)
			break;
	}
	if (!after)
		after = &regs;
	e = arch_get_regs(th->tid, after);
	if (e)
		return e;
	/* The request it was on, if any, is over: a restarted agent must
	 * not run it again. */
	__atomic_store_n(ctl32(ag, CTL_ACK), ag->seq, __ATOMIC_RELEASE);
	if (ag->rseq_cs)
		scr__mem_write(th->tid, ag->rseq_cs, &ag->rseq_val,
			       sizeof(ag->rseq_val));
	arch_keep_call_effects(&th->regs, after);
	e = arch_set_regs(th->tid, &th->regs);
	if (!e && ag->ext_dirty && (e = arch_set_ext(th->tid, &ag->ext)) == 0)
		ag->ext_dirty = false;
	if (!e)
		resend_deferred(p, ag, th);
	return e;
}

/* ---- placement ---- */

/* Does this kernel know MFD_NOEXEC_SEAL (6.3)?  Tool and target share
 * the kernel, so ask it here. */
static unsigned int noexec_seal(void)
{
	static int known = -1;

	if (known < 0) {
		int fd = (int)syscall(SYS_memfd_create, "scremote-probe",
				      MFD_CLOEXEC | MFD_NOEXEC_SEAL);

		known = fd >= 0;
		if (fd >= 0)
			close(fd);
	}
	return known ? MFD_NOEXEC_SEAL : 0;
}

/* A descriptor of the target's, for the tool. */
static int take_fd(struct scr_agent *ag, pid_t pid, int fd)
{
	char path[64];
	int r = ag->pidfd >= 0 ?
		(int)syscall(SYS_pidfd_getfd, ag->pidfd, fd, 0) : -1;

	if (r >= 0)
		return r;
	snprintf(path, sizeof(path), "/proc/%d/fd/%d", (int)pid, fd);
	r = open(path, O_RDWR | O_CLOEXEC);
	return r >= 0 ? r : -errno;
}

/* One injected call (the ptrace path) in the agent's thread. */
static int inject(struct scr_proc *p, struct scr_agent *ag, long nr,
		  const unsigned long *args, unsigned int nargs, long *result)
{
	struct ptrace_sc_ret ret;
	int e = scr__proc_syscall(p, ag->tid, nr, args, nargs, &ret);

	if (e)
		return e;
	if (ret.sr_error)
		return -ret.sr_error;
	*result = ret.sr_retval[0];
	return 0;
}

static bool allowed(uint32_t verdict)
{
	uint32_t action = verdict & SECCOMP_RET_ACTION_FULL;

	return action == SECCOMP_RET_ALLOW || action == SECCOMP_RET_LOG;
}

/* Would the thread's seccomp filters let the agent make its own calls
 * (futex, sched_yield, munmap, rt_sigreturn) from where it makes them? */
static int check_own_calls(struct scr_proc *p, struct scr_agent *ag,
			   struct scr_thread *th)
{
	const struct arch_agent_layout *l = ag->arch->layout;
	const struct arch_agent *a = ag->arch;
	unsigned long death = ag->ring + ag->death_off;
	struct {
		long nr;
		uint64_t off;
		unsigned long args[3];
	} own[] = {
		{ a->nr_futex, l->wait, { death, AGENT_FUTEX_WAIT, 0 } },
		{ a->nr_futex, l->wake, { ag->ring + CTL_ACK, AGENT_FUTEX_WAKE, 1 } },
		{ a->nr_sched_yield, l->yield, { 0 } },
		{ a->nr_munmap, l->unmap, { ag->ring, ring_size(ag) } },
		{ a->nr_rt_sigreturn, l->sigreturn, { 0 } },
	};

	if (th->seccomp != 2)
		return 0;
	if (!th->filters)
		return scr__proc_target(p)->seccomp_unchecked ? 0 : -EACCES;
	for (size_t i = 0; i < sizeof(own) / sizeof(own[0]); i++) {
		uint32_t v = scr__filters_verdict(th->filters,
						  ag->abi->audit_arch,
						  own[i].nr,
						  ag->code + own[i].off +
							  ag->abi->insn_len,
						  own[i].args, 3);

		if (!allowed(v))
			return -EPERM;
	}
	return 0;
}

/* The size of the code image: its frame's size does not depend on
 * where it goes, so a trial build at any aligned address tells. */
static int code_size(struct scr_agent *ag, struct scr_thread *th)
{
	size_t frame_off = ROUND_UP(ag->arch->layout->len, 64);
	unsigned char *buf = malloc(ag->arch->frame_max);
	unsigned long sp;
	ssize_t n;

	if (!buf)
		return -ENOMEM;
	n = arch_agent_frame(&th->regs, &ag->ext, th->mask, PAGE + frame_off,
			     buf, ag->arch->frame_max, &sp);
	free(buf);
	if (n < 0)
		return (int)n;
	ag->code_len = ROUND_UP(frame_off + (size_t)n, PAGE);
	return 0;
}

/* The code image: the agent, then its rt_sigreturn frame. */
static int build_code(struct scr_agent *ag, struct scr_thread *th,
		      unsigned char **image, unsigned long *frame_sp)
{
	size_t frame_off = ROUND_UP(ag->arch->layout->len, 64);
	size_t len = ag->code_len;
	unsigned char *buf = calloc(1, len);
	ssize_t n;

	if (!buf)
		return -ENOMEM;
	memcpy(buf, ag->arch->code, ag->arch->layout->len);
	n = arch_agent_frame(&th->regs, &ag->ext, th->mask,
			     ag->code + frame_off, buf + frame_off,
			     len - frame_off, frame_sp);
	if (n < 0) {
		free(buf);
		return (int)n;
	}
	*image = buf;
	return 0;
}

/* The tool's side of the ring: the shared pages, then a private one. */
static int map_local(struct scr_agent *ag, int fd)
{
	size_t len = ring_size(ag);
	void *res = mmap(NULL, len + PAGE, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (res == MAP_FAILED)
		return -errno;
	if (mmap(res, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED,
		 fd, 0) == MAP_FAILED) {
		int e = -errno;

		munmap(res, len + PAGE);
		return e;
	}
	/* A child of the tool must not share it. */
	madvise(res, len + PAGE, MADV_DONTFORK);
	ag->local = res;
	ag->local_len = len + PAGE;
	return 0;
}

static void init_ctl(struct scr_agent *ag, unsigned long frame_sp)
{
	*ctl32(ag, CTL_MAGIC) = AGENT_MAGIC;
	*ctl64(ag, CTL_SPIN) = IDLE_ROUNDS;
	*ctl64(ag, CTL_SLOTS) = ag->ring + slots_off();
	*ctl64(ag, CTL_RESULTS) = ag->ring + results_off(ag);
	*ctl64(ag, CTL_DEATH) = ag->ring + ag->death_off;
	*ctl64(ag, CTL_FRAME) = frame_sp;
	*ctl64(ag, CTL_RING) = ag->ring;
	*ctl64(ag, CTL_RING_LEN) = ring_size(ag);
	*ctl64(ag, CTL_RSEQ_ADDR) = ag->rseq_cs;
	*ctl64(ag, CTL_RSEQ_VAL) = ag->rseq_val;
}

/* The rseq_cs word of the thread, which any return to user mode outside
 * a critical section clears (and the agent returns to user mode). */
static void read_rseq(struct scr_agent *ag, pid_t tid)
{
	struct {
		uint64_t rseq_abi_pointer;
		uint32_t rseq_abi_size, signature, flags, pad;
	} conf;

	ag->rseq_cs = 0;
	if (ptrace(PTRACE_GET_RSEQ_CONFIGURATION, tid, sizeof(conf), &conf) <= 0 ||
	    !conf.rseq_abi_pointer)
		return;
	if (scr__mem_read(tid, conf.rseq_abi_pointer + RSEQ_CS_OFF,
			  &ag->rseq_val, 8) == 8)
		ag->rseq_cs = conf.rseq_abi_pointer + RSEQ_CS_OFF;
}

/* What placement made so far, for undoing it. */
struct placing {
	int rfd, cfd;			/* the target's descriptors */
	int lrfd, lcfd;			/* the tool's */
	bool mapped;
};

static void undo_place(struct scr_proc *p, struct scr_agent *ag,
		       struct placing *pl)
{
	long ignored;

	if (pl->mapped) {
		unsigned long a[2] = { ag->ring, ring_size(ag) + ag->code_len };

		inject(p, ag, ag->arch->nr_munmap, a, 2, &ignored);
	}
	for (int *fd = &pl->rfd; fd <= &pl->cfd; fd++) {
		unsigned long a[1] = { (unsigned long)*fd };

		if (*fd >= 0)
			inject(p, ag, ag->arch->nr_close, a, 1, &ignored);
		*fd = -1;
	}
	if (pl->lrfd >= 0)
		close(pl->lrfd);
	if (pl->lcfd >= 0)
		close(pl->lcfd);
	unwatch_death(ag);
	if (ag->local)
		munmap(ag->local, ag->local_len);
	ag->local = NULL;
}

static const char *step_error(int e)
{
	switch (-e) {
	case EPERM:
		return "refused by the target's seccomp filter or a security module";
	case EACCES:
		return "not allowed (seccomp filters unreadable, memfd_noexec, or a security module)";
	case ENOMEM:
		return "no memory";
	case ENOSYS:
		return "not supported by the kernel";
	default:
		return strerror(-e);
	}
}

/*
 * A NUL byte of the target's (an empty name for the ring's memfd): the
 * call that makes the first memfd cannot take its name from memory we
 * have not made yet, and pushing it to the scratch area would leave that
 * mapping behind if the tool died.  The bytes around the system call
 * instruction the engine uses (vDSO or text) have some.
 */
static unsigned long find_nul(struct scr_proc *p, const struct arch_abi *abi)
{
	struct scr_target *tg = scr__proc_target(p);
	unsigned char buf[256];
	unsigned long base;
	ssize_t n;

	if (!tg->insn_addr && scr__find_insn(tg->pid, abi, &tg->insn_addr))
		return 0;
	base = tg->insn_addr & ~255UL;
	n = scr_read(p, base, buf, sizeof(buf));
	for (ssize_t i = 0; i < n; i++)
		if (buf[i] == 0)
			return base + (unsigned long)i;
	return 0;
}

/* The ring's memfd (named "", see find_nul()), and the tool's hold on
 * it. */
static int make_ring(struct scr_proc *p, struct scr_agent *ag,
		     struct placing *pl)
{
	unsigned long a[2] = { find_nul(p, ag->abi), MFD_CLOEXEC | noexec_seal() };
	long fd;
	int e;

	if (!a[0] && (e = scr_push(p, "", 1, &a[0])))
		return e;
	e = inject(p, ag, ag->arch->nr_memfd_create, a, 2, &fd);
	if (e) {
		scr__agent_set_status(ag, e, "memfd_create in the target failed: %s",
			   step_error(e));
		return e;
	}
	pl->rfd = (int)fd;
	pl->lrfd = take_fd(ag, scr_pid(p), pl->rfd);
	if (pl->lrfd < 0) {
		e = pl->lrfd;
		scr__agent_set_status(ag, e, "cannot open the target's memfd (pidfd_getfd, /proc/PID/fd): %s",
			   strerror(-e));
		return e;
	}
	if (ftruncate(pl->lrfd, (off_t)ring_size(ag))) {
		e = -errno;
		scr__agent_set_status(ag, e, "cannot size the ring: %s", strerror(-e));
		return e;
	}
	return 0;
}

/* The code's memfd, named "scremote-agent" from a copy in the ring. */
static int make_code(struct scr_proc *p, struct scr_agent *ag,
		     struct placing *pl)
{
	unsigned long a[2] = { ag->ring + CTL_NAME,
			       MFD_CLOEXEC | MFD_ALLOW_SEALING | noexec_seal() };
	long fd;
	int e;

	if (scr_write(p, a[0], CODE_NAME, sizeof(CODE_NAME)) !=
	    sizeof(CODE_NAME))
		return -EFAULT;
	e = inject(p, ag, ag->arch->nr_memfd_create, a, 2, &fd);
	if (e) {
		scr__agent_set_status(ag, e, "memfd_create in the target failed: %s",
			   step_error(e));
		return e;
	}
	pl->cfd = (int)fd;
	pl->lcfd = take_fd(ag, scr_pid(p), pl->cfd);
	if (pl->lcfd < 0) {
		e = pl->lcfd;
		scr__agent_set_status(ag, e, "cannot open the target's memfd (pidfd_getfd, /proc/PID/fd): %s",
			   strerror(-e));
		return e;
	}
	return 0;
}

/* Maps the ring, writes and seals the code, maps it read+exec after the
 * ring, and closes the target's descriptors. */
static int map_agent(struct scr_proc *p, struct scr_agent *ag,
		     struct scr_thread *th, struct placing *pl,
		     unsigned long *frame_sp)
{
	unsigned char *image = NULL;
	unsigned long a[6];
	long addr, ignored;
	int e;

	/* The ring mapping reserves room for the code after it too. */
	e = code_size(ag, th);
	if (e) {
		scr__agent_set_status(ag, e, "cannot build the agent's rt_sigreturn frame: %s",
				      strerror(-e));
		return e;
	}
	a[0] = 0;
	a[1] = ring_size(ag) + ag->code_len;
	a[2] = PROT_READ | PROT_WRITE;
	a[3] = MAP_SHARED;
	a[4] = (unsigned long)pl->rfd;
	a[5] = 0;
	e = inject(p, ag, ag->arch->nr_mmap, a, 6, &addr);
	if (e) {
		scr__agent_set_status(ag, e, "mmap of the ring in the target failed: %s",
			   step_error(e));
		return e;
	}
	pl->mapped = true;
	ag->ring = (unsigned long)addr;
	ag->code = ag->ring + ring_size(ag);
	e = make_code(p, ag, pl);
	if (e)
		return e;
	e = build_code(ag, th, &image, frame_sp);
	if (e) {
		scr__agent_set_status(ag, e, "cannot build the agent's rt_sigreturn frame: %s",
			   strerror(-e));
		return e;
	}
	if (ftruncate(pl->lcfd, (off_t)ag->code_len) ||
	    pwrite(pl->lcfd, image, ag->code_len, 0) != (ssize_t)ag->code_len ||
	    fcntl(pl->lcfd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW |
					 F_SEAL_WRITE | F_SEAL_SEAL)) {
		e = -errno;
		free(image);
		scr__agent_set_status(ag, e, "cannot write and seal the agent's code: %s",
			   strerror(-e));
		return e;
	}
	free(image);
	a[0] = ag->code;
	a[1] = ag->code_len;
	a[2] = PROT_READ | PROT_EXEC;
	a[3] = MAP_SHARED | MAP_FIXED;
	a[4] = (unsigned long)pl->cfd;
	e = inject(p, ag, ag->arch->nr_mmap, a, 6, &addr);
	if (!e && (unsigned long)addr != ag->code)
		e = -EPROTO;
	if (e) {
		scr__agent_set_status(ag, e, "mmap of the agent's code read+exec failed: %s",
			   e == -EPERM || e == -EACCES ?
			   "PROT_EXEC refused (noexec, a security module or seccomp)" :
			   step_error(e));
		return e;
	}
	/* The target's descriptors go at once (one call when adjacent). */
	if (abs(pl->rfd - pl->cfd) == 1) {
		a[0] = (unsigned long)(pl->rfd < pl->cfd ? pl->rfd : pl->cfd);
		a[1] = a[0] + 1;
		a[2] = 0;
		if (inject(p, ag, ag->arch->nr_close_range, a, 3, &ignored) == 0)
			pl->rfd = pl->cfd = -1;
	}
	for (int *fd = &pl->rfd; fd <= &pl->cfd; fd++) {
		a[0] = (unsigned long)*fd;
		if (*fd >= 0 && inject(p, ag, ag->arch->nr_close, a, 1,
				       &ignored) == 0)
			*fd = -1;
	}
	return pl->rfd >= 0 || pl->cfd >= 0 ? -EBADF : 0;
}

/* Is syscall user dispatch on (PR_SET_SYSCALL_USER_DISPATCH)?  The
 * agent's calls, made outside any range the thread allows, could raise
 * SIGSYS, and the agent could not put the setting back by itself. */
static bool sud_on(pid_t tid)
{
	struct {
		uint64_t mode, selector, offset, len;
	} conf = { 0, 0, 0, 0 };

	return ptrace(PTRACE_GET_SYSCALL_USER_DISPATCH_CONFIG, tid,
		      sizeof(conf), &conf) == 0 && conf.mode != 0;
}

/* Why the thread cannot take an agent at all: 0, or set the status. */
static int can_place(struct scr_agent *ag, struct scr_thread *th)
{
	const char *why = NULL;
	uint64_t ign;
	int mode, e;

	ag->abi = arch_abi_of(&th->regs);
	ag->arch = arch_agent_of(ag->abi);
	if (!ag->arch) {
		scr__agent_set_status(ag, -ENOSYS, "no agent for %s threads", ag->abi->name);
		return -ENOSYS;
	}
	if (th->stop.kind == SCR_STOP_UNSAFE) {
		scr__agent_set_status(ag, -EBUSY, "the thread is not stopped at a safe place");
		return -EBUSY;
	}
	e = arch_get_ext(th->tid, &ag->ext);
	if (!e)
		e = arch_agent_check(th->tid, &ag->ext, &why);
	if (e) {
		scr__agent_set_status(ag, e, "%s", why ? why : strerror(-e));
		return e;
	}
	if (th->seccomp < 0) {
		e = scr__thread_status(th->tid, &ign, &mode);
		if (e)
			return e;
		th->seccomp = mode;
	}
	if (th->seccomp == 1) {
		scr__agent_set_status(ag, -EPERM, "strict seccomp mode allows no memfd_create");
		return -EPERM;
	}
	if (sud_on(th->tid)) {
		scr__agent_set_status(ag, -EOPNOTSUPP, "syscall user dispatch is on: the agent's own calls would raise SIGSYS");
		return -EOPNOTSUPP;
	}
	return 0;
}

static int start(struct scr_proc *p, struct scr_agent *ag,
		 struct scr_thread *th);

static int place(struct scr_proc *p, struct scr_agent *ag,
		 struct scr_thread *th, size_t n)
{
	struct placing pl = { -1, -1, -1, -1, false };
	unsigned long frame_sp;
	int e;

	drop_local(ag);			/* what a previous agent left */
	e = can_place(ag, th);
	if (e)
		return e;
	ag->tid = th->tid;
	ag->cap = CAP_MIN;
	while (ag->cap < n && ag->cap < CAP_MAX)
		ag->cap *= 2;
	if (ag->pidfd < 0)
		ag->pidfd = (int)syscall(SYS_pidfd_open, scr_pid(p), 0);
	read_rseq(ag, th->tid);
	e = make_ring(p, ag, &pl);
	if (!e)
		e = map_agent(p, ag, th, &pl, &frame_sp);
	if (!e && (e = map_local(ag, pl.lrfd)))
		scr__agent_set_status(ag, e, "cannot map the ring in the tool: %s",
			   strerror(-e));
	if (!e && (e = watch_death(ag)))
		scr__agent_set_status(ag, e, "this thread's robust futex list has a layout the agent cannot use");
	if (!e && (e = check_own_calls(p, ag, th)))
		scr__agent_set_status(ag, e, "the thread's seccomp filter %s the agent's own calls (futex, sched_yield, munmap, rt_sigreturn)",
			   e == -EACCES ? "cannot be read to allow" : "does not allow");
	if (e) {
		undo_place(p, ag, &pl);
		return e;
	}
	close(pl.lrfd);
	close(pl.lcfd);
	init_ctl(ag, frame_sp);
	ag->frame_regs = th->regs;
	ag->frame_mask = th->mask;
	ag->seq = 0;
	ag->state = AG_PARKED;
	return start(p, ag, th);
}

/* Unmaps the agent (parked) from the target and the tool. */
static int unmap(struct scr_proc *p, struct scr_agent *ag)
{
	unsigned long a[2] = { ag->ring, ring_size(ag) + ag->code_len };
	long ignored;
	int e = 0;

	if (ag->state == AG_NONE)
		return 0;
	if (!scr__proc_target(p)->exited)
		e = inject(p, ag, ag->arch->nr_munmap, a, 2, &ignored);
	/* That call returned to user mode outside the thread's rseq
	 * critical section too, which clears rseq_cs again. */
	if (ag->rseq_cs)
		scr__mem_write(ag->tid, ag->rseq_cs, &ag->rseq_val,
			       sizeof(ag->rseq_val));
	/* The tool's side (unmapping it costs a few hundred microseconds
	 * here) goes once the target runs again: scr__agent_free(), or
	 * before another agent is placed. */
	ag->state = AG_NONE;
	return e;
}

/* ---- running ---- */

/* Has the thread's own state changed since the frame was made (a call
 * through the ptrace path that defined its mask, say)? */
static bool frame_stale(struct scr_agent *ag, struct scr_thread *th)
{
	struct arch_regs kept = ag->frame_regs;

	/* What parking itself does to the saved registers (a restart
	 * carried over) is no change of the thread's. */
	arch_keep_call_effects(&kept, &th->regs);
	return (memcmp(&ag->frame_regs, &th->regs, sizeof(th->regs)) &&
		memcmp(&kept, &th->regs, sizeof(th->regs))) ||
	       ag->frame_mask != th->mask;
}

/* Sends the parked agent's thread into the agent. */
static int start(struct scr_proc *p, struct scr_agent *ag,
		 struct scr_thread *th)
{
	struct arch_regs r;
	uint64_t mask = CALL_MASK;
	int e;

	(void)p;
	if (!th->call_mask_set) {
		if (ptrace(PTRACE_SETSIGMASK, th->tid, sizeof(mask), &mask))
			return -errno;
		th->call_mask_set = true;
	}
	r = th->regs;
	arch_agent_entry(&r, ag->code, ag->ring,
			 ag->ring + stack_off(ag) + AGENT_STACK);
	e = arch_set_regs(th->tid, &r);
	if (!e && ptrace(PTRACE_CONT, th->tid, 0, 0))
		e = -errno;
	if (e) {
		arch_set_regs(th->tid, &th->regs);
		return e;
	}
	ag->state = AG_RUNNING;
	/* Where every system call discards part of the extended state
	 * (SVE), the agent's own calls do too. */
	if (arch_changes_ext(ag->abi, ag->arch->nr_futex))
		ag->ext_dirty = true;
	return 0;
}

/* Makes sure an agent runs in th: placed, fresh, started. */
int scr__agent_ready(struct scr_proc *p, struct scr_agent *ag,
		     struct scr_thread *th, size_t n)
{
	int e;

	if (ag->state != AG_NONE && ag->tid != th->tid) {
		e = scr__agent_teardown(p);
		if (e && e != -ESRCH)
			return e;
	}
	if (ag->state == AG_RUNNING)
		return scr__agent_check_watch(ag);
	if (ag->state == AG_PARKED) {
		e = scr__agent_load_thread(th);
		if (e)
			return e;
		if (!frame_stale(ag, th))
			return scr__agent_check_watch(ag) ?: start(p, ag, th);
		e = unmap(p, ag);
		if (e)
			return e;
	}
	e = scr__agent_load_thread(th);
	return e ? e : place(p, ag, th, n);
}

int scr__agent_yield(struct scr_proc *p, struct scr_thread *th)
{
	struct scr_agent *ag = *scr__proc_agent(p);

	if (!ag || ag->state != AG_RUNNING || ag->tid != th->tid)
		return 0;
	return scr__agent_park(p, ag, th, NULL);
}

int scr__agent_teardown(struct scr_proc *p)
{
	struct scr_agent *ag = *scr__proc_agent(p);
	struct scr_thread *th;
	int e;

	if (!ag || ag->state == AG_NONE)
		return 0;
	th = scr__proc_thread_of(p, ag->tid);
	if (!th) {
		/* The thread is gone; its mappings stay with the process. */
		drop_local(ag);
		return -ESRCH;
	}
	e = scr__agent_park(p, ag, th, NULL);
	if (!e)
		return unmap(p, ag);
	if (!th->dead && ag->local) {
		/* It cannot be stopped (a call sleeps uninterruptibly): let
		 * it put the thread back by itself, as if we had died; the
		 * next attach removes its code. */
		uint32_t *death = ctl32(ag, ag->death_off);

		__atomic_or_fetch(death, AGENT_FUTEX_OWNER_DIED,
				  __ATOMIC_SEQ_CST);
		futex(death, AGENT_FUTEX_WAKE, 1, NULL);
	}
	drop_local(ag);
	return e;
}

void scr__agent_free(struct scr_agent *ag)
{
	if (!ag)
		return;
	drop_local(ag);
	if (ag->pidfd >= 0)
		close(ag->pidfd);
	free(ag);
}

/* An exec replaced the image: the agent's mappings went with it. */
void scr__agent_forget(struct scr_proc *p)
{
	struct scr_agent *ag = *scr__proc_agent(p);

	if (ag && ag->state != AG_NONE)
		drop_local(ag);
}

/* ---- the status ---- */

SCR_EXPORT int scr_agent_status(struct scr_proc *p, const char **reason)
{
	struct scr_agent *ag;

	if (!p)
		return -EINVAL;
	ag = scr__agent_get(p);
	if (!ag) {
		if (reason)
			*reason = "out of memory";
		return -ENOMEM;
	}
	if (reason)
		*reason = ag->why;
	return ag->status;
}

/* SCR_BATCH_PTRACE: the status says so. */
void scr__agent_note_ptrace(struct scr_proc *p)
{
	struct scr_agent *ag = scr__agent_get(p);

	if (ag && !ag->failed)
		scr__agent_set_status(ag, -EAGAIN, "the batch asked for the ptrace path (SCR_BATCH_PTRACE)");
}

