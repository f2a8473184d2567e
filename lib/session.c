/*
 * Sessions: seize a process, stop all its threads, run calls, release it.
 *
 * Attaching uses PTRACE_SEIZE and PTRACE_INTERRUPT, which send the target
 * no signal.  Threads are found in /proc/PID/task; since a thread may
 * create another before it is stopped, the list is read again once every
 * known thread is stopped, until it holds no newcomer.  Stopped threads
 * create no threads, so this ends.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "agent.h"
#include "internal.h"
#include "prestop.h"

#define SCRATCH_MIN	65536UL
#define SCRATCH_MAPS	16
#define REAP_MS		1000
#define SCR_ATTACH_FLAGS SCR_ATTACH_SECCOMP_UNCHECKED

struct scratch_map {
	unsigned long addr;
	size_t len;
	size_t used;
};

struct scr_proc {
	pid_t pid;
	int pidfd;			/* pins the process we mean */
	int timeout_ms;
	volatile sig_atomic_t interrupted;	/* scr_interrupt() was called */
	bool was_stopped;		/* group-stopped before we came */
	bool churn;			/* a thread vanished while we attached */
	unsigned long long start;	/* its start time, when no pidfd */
	struct scr_target tg;
	struct scr_thread *threads;
	size_t nthreads, cap;
	struct scratch_map scratch[SCRATCH_MAPS];
	unsigned int nscratch;
	struct scr_agent *agent;	/* the in-target agent, if any */
};

static struct scr_thread *find_thread(struct scr_proc *p, pid_t tid)
{
	for (size_t i = 0; i < p->nthreads; i++)
		if (p->threads[i].tid == tid)
			return &p->threads[i];
	return NULL;
}

static struct scr_thread *live_thread(struct scr_proc *p, pid_t tid);

static int add_thread(struct scr_proc *p, pid_t tid)
{
	if (p->nthreads == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 16;
		struct scr_thread *t = realloc(p->threads, cap * sizeof(*t));

		if (!t)
			return -ENOMEM;
		p->threads = t;
		p->cap = cap;
	}
	memset(&p->threads[p->nthreads], 0, sizeof(*p->threads));
	p->threads[p->nthreads].tid = tid;
	p->threads[p->nthreads].lazy_mask = true;
	p->threads[p->nthreads].seccomp = -1;
	p->nthreads++;
	return 0;
}

/*
 * Threads a call creates are traced from birth (TRACECLONE); a call that
 * ends the process stops at its exit event (TRACEEXIT), whose message is
 * the exit status; an exec stops at its event (TRACEEXEC).
 */
#define SEIZE_OPTIONS (PTRACE_O_TRACESYSGOOD | PTRACE_O_TRACEEXEC | \
		       PTRACE_O_TRACECLONE | PTRACE_O_TRACEEXIT)

/* Seizes and interrupts one thread; 1 when it vanished meanwhile. */
static int seize(struct scr_proc *p, pid_t tid)
{
	if (ptrace(PTRACE_SEIZE, tid, 0, SEIZE_OPTIONS)) {
		if (errno == ESRCH && tid != p->pid) {
			p->churn = true;
			return 1;
		}
		/* A main thread that has exited while others live on (a
		 * common daemon pattern) stays a zombie until they end: it
		 * cannot be traced, nor does it need to be stopped. */
		if (errno == EPERM && tid == p->pid &&
		    scr__thread_state(tid) == 'Z') {
			int e = add_thread(p, tid);

			if (!e)
				p->threads[p->nthreads - 1].dead =
				p->threads[p->nthreads - 1].untraced = true;
			return e;
		}
		/* Born to a thread we trace, before we heard of it: it
		 * is ours already (PTRACE_INTERRUPT works for its tracer
		 * only) and reports its first stop by itself. */
		if (errno == EPERM && tid != p->pid) {
			if (ptrace(PTRACE_INTERRUPT, tid, 0, 0) == 0)
				return add_thread(p, tid);
			/* Else it is exiting (the kernel refuses to attach
			 * to an exiting task), or someone else traces it. */
			unsigned long long tracer = 0;

			scr__status_num(tid, "TracerPid", &tracer);
			p->churn = true;
			return tracer && tracer != (unsigned long long)getpid() ?
			       -EBUSY : 1;
		}
		/* A process has one tracer at a time: say so (the kernel
		 * says EPERM), so that the caller does not chase rights. */
		if (errno == EPERM) {
			unsigned long long tracer = 0;

			if (scr__status_num(tid, "TracerPid", &tracer) == 0 &&
			    tracer)
				return -EBUSY;
			errno = EPERM;
		}
		return -errno;
	}
	if (ptrace(PTRACE_INTERRUPT, tid, 0, 0) && errno != ESRCH)
		return -errno;
	return add_thread(p, tid);
}

/*
 * Waits until thread i reports its interrupt stop (a new thread, traced
 * from birth, reports one too).  A signal that was already on its way is
 * delivered as it would have been; a thread it creates meanwhile joins
 * the list.  Returns 1 when the thread exited instead.
 */
static int await_stop(struct scr_proc *p, size_t i,
		      const struct scr_deadline *dl)
{
	pid_t tid = p->threads[i].tid;

	if (p->threads[i].dead)
		return 1;
	for (;;) {
		int status, sig, event, e = scr__wait(tid, &status, dl);

		if (e == -ESRCH || (!e && !WIFSTOPPED(status))) {
			p->threads[i].dead = true;
			p->churn = true;
			return 1;
		}
		if (e)
			return e;
		sig = WSTOPSIG(status);
		event = status >> 16;
		if (event == PTRACE_EVENT_STOP) {
			struct scr_thread *th = &p->threads[i];

			e = scr__classify_stop(tid, &th->stop);
			if (e)
				return e;
			/* A group-stop: EINTR after it is Linux's own
			 * behaviour (signal(7)), not ours to undo. */
			if (sig != SIGTRAP) {
				p->was_stopped = true;
				return 0;
			}
			return scr__undo_eintr(th);
		}
		if (event == PTRACE_EVENT_EXIT) {
			p->threads[i].dead = true;	/* detached later */
			p->churn = true;
			return 1;
		}
		if (event == PTRACE_EVENT_CLONE) {
			unsigned long child;

			if (ptrace(PTRACE_GETEVENTMSG, tid, 0, &child) == 0 &&
			    !find_thread(p, (pid_t)child) &&
			    (e = add_thread(p, (pid_t)child)))
				return e;
		}
		/* A signal-delivery-stop: let the signal go where it was
		 * going.  Any stop consumes a pending interrupt, so ask
		 * again. */
		if ((ptrace(PTRACE_CONT, tid, 0, event == 0 ? sig : 0) ||
		     ptrace(PTRACE_INTERRUPT, tid, 0, 0)) && errno != ESRCH)
			return -errno;
	}
}

/*
 * Seizes every thread not yet known; returns how many were new.  The
 * list is read whole first, so that reading it stays out of the stop.
 */
static int seize_new(struct scr_proc *p)
{
	pid_t fresh[64], *list = fresh;
	size_t n = 0, cap = 64;
	char path[64];
	struct dirent *d;
	DIR *dir;
	int added = 0, e = 0;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)p->pid);
	dir = opendir(path);
	if (!dir)
		return errno == ENOENT ? -ESRCH : -errno;
	while (!e && (d = readdir(dir))) {
		char *end;
		long tid = strtol(d->d_name, &end, 10);

		if (*end || tid <= 0 || tid > INT32_MAX ||
		    find_thread(p, (pid_t)tid))
			continue;
		if (n == cap) {
			pid_t *l = malloc(2 * cap * sizeof(*l));

			if (!l) {
				e = -ENOMEM;
				break;
			}
			memcpy(l, list, n * sizeof(*l));
			if (list != fresh)
				free(list);
			list = l;
			cap *= 2;
		}
		list[n++] = (pid_t)tid;
	}
	closedir(dir);
	for (size_t i = 0; !e && i < n; i++) {
		e = seize(p, list[i]);
		if (e == 0)
			added++;
		else if (e == 1)
			e = 0;
	}
	if (list != fresh)
		free(list);
	return e ? e : added;
}

/*
 * Threads that could not be detached are gone or going.  A traced
 * thread's exit is reported to its tracer, so they are ours to reap, or
 * their process could never be reaped by its parent; and a group leader
 * is reported only after the other threads, so all are polled together.
 * Bounded: they have been killed and are on their way out.
 */
static void reap(struct scr_proc *p, bool *gone)
{
	struct scr_deadline dl;
	size_t left = 0;

	for (size_t i = 0; i < p->nthreads; i++)
		left += !gone[i];
	scr__deadline_init(&dl, REAP_MS);
	while (left) {
		for (size_t i = 0; i < p->nthreads; i++) {
			pid_t tid = p->threads[i].tid;
			int status = 0;

			if (gone[i] ||
			    waitpid(tid, &status, __WALL | WNOHANG) == 0)
				continue;
			/* A killed thread may still stop at its exit event
			 * on the way out: let it go on, untraced. */
			if (WIFSTOPPED(status) &&
			    ptrace(PTRACE_DETACH, tid, 0, 0) && errno != ESRCH)
				continue;
			gone[i] = true;
			left--;
		}
		struct timespec ts = { 0, 1000000L };

		if (!left || scr__deadline_passed(&dl))
			break;
		nanosleep(&ts, NULL);
	}
}

/* Lets every thread go and forgets them; the session stays. */
static void detach_threads(struct scr_proc *p)
{
	bool *gone = calloc(p->nthreads ? p->nthreads : 1, sizeof(*gone));

	for (size_t i = 0; i < p->nthreads; i++) {
		if (p->threads[i].untraced) {
			if (gone)
				gone[i] = true;
			continue;
		}
		scr__release_mask(&p->threads[i]);
		if (ptrace(PTRACE_DETACH, p->threads[i].tid, 0, 0) == 0 ||
		    errno != ESRCH)
			if (gone)
				gone[i] = true;
	}
	if (gone)
		reap(p, gone);
	free(gone);
	for (size_t i = 0; i < p->nthreads; i++)
		scr__filters_free(p->threads[i].filters);
	p->nthreads = 0;
}

static void release(struct scr_proc *p)
{
	detach_threads(p);
	if (p->pidfd >= 0)
		close(p->pidfd);
	scr__agent_free(p->agent);
	free(p->threads);
	free(p);
}

/* Is the process pinned by the pidfd still the one we attached to? */
static int same_process(struct scr_proc *p, unsigned long long start)
{
	unsigned long long now;

	/* A live pidfd pins the process: the pid cannot be another's. */
	if (p->pidfd >= 0)
		return syscall(SYS_pidfd_send_signal, p->pidfd, 0, NULL, 0) ?
		       -ESRCH : 0;
	if (scr__start_time(p->pid, &now) || now != start)
		return -ESRCH;
	return 0;
}

/*
 * Are all the threads ours?  A thread can create another before it is
 * stopped, so the list is read again once every known one is stopped;
 * but when none vanished meanwhile, the kernel's count of live threads
 * says the same for the price of the status read the first call needs
 * anyway, and the stop is shorter.
 */
static bool counted_all(struct scr_proc *p, const struct scr_prestatus *st)
{
	size_t live = 0;

	if (p->churn || !st)
		return false;
	/* A zombie main thread still counts for the kernel. */
	for (size_t i = 0; i < p->nthreads; i++)
		live += !p->threads[i].dead || p->threads[i].untraced;
	return st->threads == live;
}

/*
 * Seizes every thread and waits until each is stopped, reading the list
 * again while threads appear.  With pre, the status read after a pass
 * (into *st, *have_st) can say the list is complete without reading it
 * again.  0 or a negative errno.
 */
static int stop_all(struct scr_proc *p, struct scr_deadline *dl,
		    struct scr_prestop *pre, struct scr_prestatus *st,
		    bool *have_st)
{
	size_t done = 0;

	for (;;) {
		int e = seize_new(p);

		for (; e >= 0 && done < p->nthreads; done++) {
			int s = await_stop(p, done, dl);

			if (s < 0)
				e = s;
		}
		if (e <= 0)
			return e;
		if (pre) {
			*have_st = scr__prestop_status(pre, st) == 0;
			if (counted_all(p, *have_st ? st : NULL))
				return 0;
			*have_st = false;  /* read again after the next pass */
		}
		/* Newcomers: read the list again. */
	}
}

/*
 * Work the first call would do inside the stop, done here from what was
 * read before it: the main thread's ignored signals and seccomp mode
 * (from the status read after the stop: they may change until then),
 * and the system call instruction from the copy of the vDSO.
 */
static void prime(struct scr_proc *p, const struct scr_prestop *pre,
		  const struct scr_prestatus *st)
{
	struct scr_thread *th = live_thread(p, 0);
	uint64_t ign;
	int mode;

	if (!th)
		return;
	if (st && th->tid == p->pid) {
		ign = st->sigign;
		mode = st->seccomp;
	} else if (scr__thread_status(th->tid, &ign, &mode)) {
		return;
	}
	p->tg.trap_ignored = (ign & (1ULL << (SIGTRAP - 1))) != 0;
	th->seccomp = mode;
	if (!th->regs_valid && arch_get_regs(th->tid, &th->regs) == 0)
		th->regs_valid = true;
	if (th->regs_valid)
		p->tg.insn_addr = scr__prestop_insn(p->pid, pre,
						    arch_abi_of(&th->regs));
}

/*
 * The pause a process sees is counted in microseconds, and the first
 * touch of a page of stack or heap is a page fault: tens of
 * microseconds in a virtual machine.  A fresh caller (scremote(1), a
 * script) would take a dozen of them between seizing the process and
 * releasing it, for the frames and buffers of its first call: they
 * tripled the pause of a one-call scremote(1).  Touch them before
 * seizing: the stack a call goes down to (where the thread has that
 * much room: a thread on a small stack is left as it is), and heap
 * memory that, freed below the trim threshold, stays mapped for what
 * the call allocates.
 */
#define PREFAULT_STACK	(64 * 1024)
#define PREFAULT_HEAP	(64 * 1024)
#define STACK_MARGIN	(32 * 1024)	/* left below the probe, at least */

/* The calling thread's stack below this frame, in bytes; SIZE_MAX for
 * the main thread, whose stack grows on demand up to RLIMIT_STACK. */
static size_t stack_room(void)
{
	char *here = __builtin_frame_address(0);
	size_t room = 0, size;
	pthread_attr_t a;
	struct rlimit rl;
	void *lo;

	if (getpid() == (pid_t)syscall(SYS_gettid))
		return getrlimit(RLIMIT_STACK, &rl) == 0 &&
		       rl.rlim_cur >= 1024 * 1024 ? SIZE_MAX : 0;
	if (pthread_getattr_np(pthread_self(), &a))
		return 0;
	/* (Not on that stack, as on a coroutine's: no room known.) */
	if (pthread_attr_getstack(&a, &lo, &size) == 0 &&
	    here > (char *)lo && here <= (char *)lo + size)
		room = (size_t)(here - (char *)lo);
	pthread_attr_destroy(&a);
	return room;
}

static __attribute__((noinline)) void prefault_stack(void)
{
	volatile unsigned char probe[PREFAULT_STACK];

	for (size_t i = 0; i < sizeof(probe); i += 4096)
		probe[i] = 0;
}

static void prefault(void)
{
	unsigned char *h;

	if (stack_room() >= PREFAULT_STACK + STACK_MARGIN)
		prefault_stack();
	h = malloc(PREFAULT_HEAP);
	if (!h)
		return;
	for (size_t i = 0; i < PREFAULT_HEAP; i += 4096)
		h[i] = 0;
	/* Not an allocation the compiler may leave out. */
	__asm__ volatile("" : : "r"(h) : "memory");
	free(h);
}

/* Takes ownership of pidfd (-1: none). */
static int attach(pid_t pid, int pidfd, unsigned int flags,
		  struct scr_proc **out)
{
	unsigned long long start = 0;
	struct scr_deadline dl;
	struct scr_prestatus st;
	struct scr_prestop pre;
	struct scr_proc *p;
	bool have_st = false;
	int e;

	prefault();
	p = calloc(1, sizeof(*p));
	/* The agent's state too (its XSAVE image, its signals): allocated
	 * by the first batch, it would fault inside the pause. */
	if (!p || !scr__agent_get(p)) {
		free(p);
		if (pidfd >= 0)
			close(pidfd);
		return -ENOMEM;
	}
	p->pid = pid;
	p->pidfd = pidfd;
	p->timeout_ms = SCR_DEFAULT_TIMEOUT_MS;
	p->tg.pid = pid;
	p->tg.trap_ignored = -1;
	p->tg.seccomp_unchecked = flags & SCR_ATTACH_SECCOMP_UNCHECKED;
	scr__deadline_init(&dl, p->timeout_ms);

	/* Before the stop: the map (vDSO, leftovers of a dead tool).  Not
	 * readable: the stop tells why (ptrace's own refusal). */
	e = scr__prestop_read(pid, &pre);
	if (e != -ESRCH)
		e = 0;
	if (!e && pidfd < 0)
		e = scr__start_time(pid, &start);
	if (!e)
		e = stop_all(p, &dl, &pre, &st, &have_st);
	if (!e && !live_thread(p, 0))
		e = -ESRCH;
	/* /proc/PID/maps and the memory of a process are reached through
	 * a live thread: a zombie main thread has no memory map left. */
	if (!e && find_thread(p, pid)->dead)
		p->tg.pid = live_thread(p, 0)->tid;
	if (!e)
		e = same_process(p, start);
	if (e) {
		scr__prestop_free(&pre);
		release(p);
		return e;
	}
	prime(p, &pre, have_st ? &st : NULL);
	if (pre.leftovers)
		scr__agent_sweep(p);	/* best effort */
	scr__prestop_free(&pre);
	p->start = start;
	*out = p;
	return 0;
}

/*
 * Stops every thread again after detach_threads(), as attach() does
 * (without its shortcuts: this is the rare case), if the process is
 * still the one the session is about.
 */
static int stop_again(struct scr_proc *p)
{
	struct scr_deadline dl;
	int e = same_process(p, p->start);

	scr__deadline_init(&dl, p->timeout_ms);
	p->churn = false;
	if (!e)
		e = stop_all(p, &dl, NULL, NULL, NULL);
	if (!e && !live_thread(p, 0))
		e = -ESRCH;
	p->tg.pid = p->pid;
	if (!e && (!find_thread(p, p->pid) || find_thread(p, p->pid)->dead))
		p->tg.pid = live_thread(p, 0)->tid;
	if (!e)
		e = same_process(p, p->start);
	return e;
}

SCR_EXPORT int scr_attach(pid_t pid, unsigned int flags,
			  struct scr_proc **out)
{
	int pidfd;

	if (!out || pid <= 0 || (flags & ~SCR_ATTACH_FLAGS))
		return -EINVAL;
	*out = NULL;
	/* Pin the process first: if it dies and its pid is reused while
	 * we attach, the check after attaching sees it. */
	pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (pidfd < 0 && errno == ESRCH)
		return -ESRCH;
	if (pidfd < 0 && errno != ENOSYS)
		return -errno;
	return attach(pid, pidfd, flags, out);
}

SCR_EXPORT int scr_attach_pidfd(int pidfd, unsigned int flags,
				struct scr_proc **out)
{
	pid_t pid;
	int fd;

	if (!out || pidfd < 0 || (flags & ~SCR_ATTACH_FLAGS))
		return -EINVAL;
	*out = NULL;
	pid = scr__pidfd_pid(pidfd);
	if (pid < 0)
		return pid == -ENOENT ? -EBADF : pid;
	fd = fcntl(pidfd, F_DUPFD_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	return attach(pid, fd, flags, out);
}

static struct scr_thread *live_thread(struct scr_proc *p, pid_t tid)
{
	struct scr_thread *th = find_thread(p, tid ? tid : p->pid);

	if (th && !th->dead)
		return th;
	if (tid)
		return NULL;
	for (size_t i = 0; i < p->nthreads; i++)
		if (!p->threads[i].dead)
			return &p->threads[i];
	return NULL;
}

static void forget_seccomp(struct scr_proc *p)
{
	for (size_t i = 0; i < p->nthreads; i++) {
		struct scr_thread *th = &p->threads[i];

		scr__filters_free(th->filters);
		th->filters = NULL;
		th->filters_err = 0;
		th->seccomp = -1;
	}
}

/* Threads a call created are traced already: wait for their first stop
 * and keep them, stopped like the others, until detach. */
static void adopt_born(struct scr_proc *p)
{
	struct scr_deadline dl;

	scr__deadline_init(&dl, REAP_MS);
	for (unsigned int i = 0; i < p->tg.nborn; i++) {
		pid_t tid = p->tg.born[i];

		if (find_thread(p, tid) || add_thread(p, tid))
			continue;
		await_stop(p, p->nthreads - 1, &dl);
	}
	p->tg.nborn = 0;
}

/*
 * execve in a process with other threads: the kernel kills them and waits
 * until their tracer (us) has reaped them, in a sleep nothing but SIGKILL
 * breaks, while we wait for the exec.  Refuse it.
 */
static int refuse_exec(struct scr_proc *p, struct scr_thread *th, long nr)
{
	const struct arch_abi *abi;
	size_t live = 0;

	if (!th->regs_valid) {
		int e = arch_get_regs(th->tid, &th->regs);

		if (e)
			return e;
		th->regs_valid = true;
	}
	abi = arch_abi_of(&th->regs);
	if (nr != abi->nr_execve && nr != abi->nr_execveat)
		return 0;
	for (size_t i = 0; i < p->nthreads; i++)
		live += !p->threads[i].dead;
	return live > 1 ? -EBUSY : 0;
}

static int do_syscall(struct scr_proc *p, pid_t tid, long nr,
		      const unsigned long *args, unsigned int nargs,
		      struct ptrace_sc_ret *ret, bool use_agent)
{
	struct scr_thread *th;
	struct scr_req c = { nr, args, nargs, 0, NULL };
	int e;

	if (!p || !ret || nargs > SCR_MAX_ARGS || (nargs && !args))
		return -EINVAL;
	if (p->interrupted)
		return -EINTR;
	th = live_thread(p, tid);
	if (!th)
		return -ESRCH;
	/* A live agent in the thread takes the call, if it may. */
	if (use_agent) {
		e = scr__agent_syscall(p, th, nr, args, nargs, ret);
		if (e != 1)
			return e;
	}
	e = scr__agent_yield(p, th);
	if (e)
		return e;
	c.timeout_ms = p->timeout_ms;
	c.cancel = &p->interrupted;
	e = refuse_exec(p, th, nr);
	if (e)
		return e;
	e = scr__inject(&p->tg, th, &c, ret);
	if (e == 0 && !th->regs_valid) {
		/* A new program image: new vDSO, and the scratch mappings
		 * and the agent went with the old one. */
		p->tg.insn_addr = 0;
		p->nscratch = 0;
		scr__agent_forget(p);
	}
	if (th->regs_valid &&
	    arch_changes_disposition(arch_abi_of(&th->regs), nr))
		p->tg.trap_ignored = -1;	/* read it again */
	if (th->regs_valid) {
		const struct arch_abi *abi = arch_abi_of(&th->regs);

		if (nr == abi->nr_seccomp || nr == abi->nr_prctl)
			forget_seccomp(p);	/* it may have added filters */
	}
	adopt_born(p);
	return e;
}

SCR_EXPORT int scr_syscall(struct scr_proc *p, pid_t tid, long nr,
			   const unsigned long *args, unsigned int nargs,
			   struct ptrace_sc_ret *ret)
{
	return do_syscall(p, tid, nr, args, nargs, ret, true);
}

int scr__proc_syscall(struct scr_proc *p, pid_t tid, long nr,
		      const unsigned long *args, unsigned int nargs,
		      struct ptrace_sc_ret *ret)
{
	return do_syscall(p, tid, nr, args, nargs, ret, false);
}

struct scr_agent **scr__proc_agent(struct scr_proc *p)
{
	return &p->agent;
}

struct scr_target *scr__proc_target(struct scr_proc *p)
{
	return &p->tg;
}

int scr__proc_timeout(const struct scr_proc *p)
{
	return p->timeout_ms;
}

volatile sig_atomic_t *scr__proc_cancel(struct scr_proc *p)
{
	return &p->interrupted;
}

struct scr_thread *scr__proc_thread_of(struct scr_proc *p, pid_t tid)
{
	return live_thread(p, tid);
}

SCR_EXPORT void scr_interrupt(struct scr_proc *p)
{
	p->interrupted = 1;
}

SCR_EXPORT int scr_set_timeout(struct scr_proc *p, int timeout_ms)
{
	int old = p->timeout_ms;

	p->timeout_ms = timeout_ms;
	return old;
}

SCR_EXPORT int scr_exit_status(const struct scr_proc *p, int *status)
{
	if (!p->tg.exited)
		return -EAGAIN;
	if (status)
		*status = p->tg.exit_status;
	return 0;
}

SCR_EXPORT pid_t scr_pid(const struct scr_proc *p)
{
	return p->pid;
}

SCR_EXPORT int scr_threads(const struct scr_proc *p, pid_t *tids, size_t n)
{
	size_t k = 0;

	for (size_t i = 0; i < p->nthreads; i++) {
		if (p->threads[i].dead)
			continue;
		if (k < n)
			tids[k] = p->threads[i].tid;
		k++;
	}
	return (int)k;
}

SCR_EXPORT ssize_t scr_read(struct scr_proc *p, unsigned long addr, void *buf,
			    size_t len)
{
	return scr__mem_read(p->tg.pid, addr, buf, len);
}

SCR_EXPORT ssize_t scr_write(struct scr_proc *p, unsigned long addr,
			     const void *buf, size_t len)
{
	return scr__mem_write(p->tg.pid, addr, buf, len);
}

static int remote_call(struct scr_proc *p, long nr, const unsigned long *args,
		       unsigned int nargs, long *result)
{
	struct scr_thread *th = live_thread(p, 0);
	struct scr_req c = { nr, args, nargs, p->timeout_ms, NULL };
	struct ptrace_sc_ret ret;
	int e;

	if (!th)
		return -ESRCH;
	e = scr__agent_yield(p, th);
	if (!e)
		e = scr__inject(&p->tg, th, &c, &ret);
	if (e)
		return e;
	if (ret.sr_error)
		return -ret.sr_error;
	*result = ret.sr_retval[0];
	return 0;
}

SCR_EXPORT int scr_scratch_alloc(struct scr_proc *p, size_t len,
				 unsigned long *addr)
{
	struct scratch_map *m = p->nscratch ? &p->scratch[p->nscratch - 1] :
					      NULL;
	size_t need = (len + 15) & ~(size_t)15;

	if (!addr || len == 0 || len > (1UL << 30))
		return -EINVAL;
	if (p->interrupted)
		return -EINTR;
	if (!m || m->len - m->used < need) {
		const struct arch_abi *abi;
		struct scr_thread *th = live_thread(p, 0);
		size_t size = need < SCRATCH_MIN ? SCRATCH_MIN :
			      (need + 4095) & ~4095UL;
		long a;
		int e;

		if (p->nscratch == SCRATCH_MAPS)
			return -ENOMEM;
		if (!th)
			return -ESRCH;
		e = th->regs_valid ? 0 : arch_get_regs(th->tid, &th->regs);
		if (e)
			return e;
		th->regs_valid = true;
		abi = arch_abi_of(&th->regs);
		unsigned long args[6] = { 0, size, PROT_READ | PROT_WRITE,
					  MAP_PRIVATE | MAP_ANONYMOUS,
					  (unsigned long)-1, 0 };
		e = remote_call(p, abi->nr_mmap, args, 6, &a);
		if (e)
			return e;
		m = &p->scratch[p->nscratch++];
		m->addr = (unsigned long)a;
		m->len = size;
		m->used = 0;
	}
	*addr = m->addr + m->used;
	m->used += need;
	return 0;
}

SCR_EXPORT int scr_push(struct scr_proc *p, const void *data, size_t len,
			unsigned long *addr)
{
	int e = scr_scratch_alloc(p, len ? len : 1, addr);
	ssize_t n;

	if (e)
		return e;
	n = scr__mem_write(p->tg.pid, *addr, data, len);
	if (n < 0)
		return (int)n;
	return (size_t)n == len ? 0 : -EFAULT;
}

SCR_EXPORT void scr_scratch_reset(struct scr_proc *p)
{
	for (unsigned int i = 0; i < p->nscratch; i++)
		p->scratch[i].used = 0;
}

/* Takes our own things out of the process: the agent, the scratch
 * area. */
static int drop_ours(struct scr_proc *p)
{
	int e = scr__agent_teardown(p);

	if (e == -ESRCH)
		e = 0;		/* its thread is gone: checked by the caller */
	for (unsigned int i = p->nscratch; i-- > 0;) {
		struct scr_thread *th = live_thread(p, 0);
		long ignored;
		unsigned long args[2] = { p->scratch[i].addr,
					  p->scratch[i].len };

		/* (After an execve the mappings went with the old image.) */
		if (th && th->regs_valid) {
			int r = remote_call(p, arch_abi_of(&th->regs)->nr_munmap,
					    args, 2, &ignored);

			if (r && !e)
				e = r;
		}
	}
	p->nscratch = 0;
	return e;
}

SCR_EXPORT int scr_detach(struct scr_proc *p)
{
	int e;

	if (!p)
		return -EINVAL;
	e = drop_ours(p);
	if (!live_thread(p, 0))
		e = -ESRCH;
	release(p);
	return e;
}

/* ---- For core dumps (core.c) ---------------------------------------- */

bool scr__proc_interrupted(const struct scr_proc *p)
{
	return p->interrupted;
}

int scr__proc_thread(struct scr_proc *p, size_t i, pid_t *tid,
		     uint64_t *mask, struct scr_stop *stop)
{
	for (size_t k = 0; k < p->nthreads; k++) {
		struct scr_thread *th = &p->threads[k];

		if (th->dead || i-- > 0)
			continue;
		*tid = th->tid;
		*stop = th->stop;
		/* Between calls the session may hold its own mask in place
		 * of the thread's (lazy_mask). */
		if (th->call_mask_set)
			*mask = th->mask;
		else if (ptrace(PTRACE_GETSIGMASK, th->tid, sizeof(*mask), mask))
			return -errno;
		return 0;
	}
	return -ENOENT;
}

int scr__proc_drop_scratch(struct scr_proc *p)
{
	return drop_ours(p);
}

int scr__proc_call(struct scr_proc *p, long nr, const unsigned long *args,
		   unsigned int nargs, struct ptrace_sc_ret *ret)
{
	struct scr_thread *th = live_thread(p, 0);
	struct scr_req c = { nr, args, nargs, p->timeout_ms, NULL };

	return th ? scr__inject(&p->tg, th, &c, ret) : -ESRCH;
}

/* The first stop of a process a call made, traced from birth: the
 * PTRACE_EVENT_STOP it reports before its first instruction. */
static int first_stop(struct scr_proc *p, pid_t child)
{
	struct scr_deadline dl;
	int status, e;

	scr__deadline_init(&dl, p->timeout_ms);
	e = scr__wait(child, &status, &dl);
	if (!e && !WIFSTOPPED(status))
		e = -ESRCH;
	return e;
}

int scr__proc_clone(struct scr_proc *p, long nr, const unsigned long *args,
		    unsigned int nargs, struct ptrace_sc_ret *ret,
		    pid_t *child)
{
	struct scr_thread *th = live_thread(p, 0);
	struct scr_req c = { nr, args, nargs, p->timeout_ms, &p->interrupted };
	int e;

	*child = 0;
	if (!th)
		return -ESRCH;
	if (p->interrupted)
		return -EINTR;
	e = scr__inject(&p->tg, th, &c, ret);
	/* Handed over even when the call failed after making it: the
	 * caller must make it go. */
	if (p->tg.nborn) {
		*child = p->tg.born[0];
		p->tg.nborn--;
		memmove(p->tg.born, p->tg.born + 1,
			p->tg.nborn * sizeof(p->tg.born[0]));
		int s = first_stop(p, *child);

		if (!e)
			e = s;
	}
	adopt_born(p);
	return e;
}

int scr__proc_release(struct scr_proc *p)
{
	int e = drop_ours(p);

	detach_threads(p);
	/* It may exec before it is stopped again. */
	p->tg.insn_addr = 0;
	p->tg.trap_ignored = -1;
	p->tg.nborn = 0;
	p->was_stopped = false;
	return e;
}

int scr__proc_restop(struct scr_proc *p)
{
	int e = stop_again(p);

	if (e)
		detach_threads(p);	/* running, as it was */
	return e;
}

static const char *const abi_names[] = {
	[SCR_ABI_X86_64] = "x86_64",
	[SCR_ABI_I386] = "i386",
	[SCR_ABI_AARCH64] = "aarch64",
	[SCR_ABI_RISCV64] = "riscv64",
};

SCR_EXPORT const char *scr_abi_name(int abi)
{
	if (abi <= SCR_ABI_UNKNOWN || abi > SCR_ABI_RISCV64)
		return NULL;
	return abi_names[abi];
}

SCR_EXPORT int scr_abi(const struct scr_proc *p)
{
	struct scr_thread *th;
	struct arch_regs regs;
	const char *name;

	if (!p)
		return SCR_ABI_UNKNOWN;
	th = live_thread((struct scr_proc *)p, 0);
	if (!th)
		return SCR_ABI_UNKNOWN;
	if (th->regs_valid)
		regs = th->regs;
	else if (arch_get_regs(th->tid, &regs))
		return SCR_ABI_UNKNOWN;
	name = arch_abi_of(&regs)->name;
	for (int i = SCR_ABI_X86_64; i <= SCR_ABI_RISCV64; i++)
		if (strcmp(abi_names[i], name) == 0)
			return i;
	return SCR_ABI_UNKNOWN;
}
