/*
 * x86_64 facts for the in-target agent: its code (agent.S), the
 * rt_sigreturn frame that lets it put the thread back by itself, and the
 * calls that must not run in it.  i386 targets have no agent: their
 * batches take the ptrace path.
 */
#include <asm/unistd_64.h>
#include <cpuid.h>
#include <elf.h>
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/uio.h>

#include "agent.h"
#include "arch/asm-generic/agent_rules.h"
#include "x86_abi.h"

#ifndef NT_X86_SHSTK
#define NT_X86_SHSTK 0x204
#endif
#ifndef __NR_close_range
#define __NR_close_range 436
#endif
#ifndef __NR_memfd_create
#define __NR_memfd_create 319
#endif
#ifndef __NR_pkey_mprotect
#define __NR_pkey_mprotect 329
#endif

#define ERESTARTSYS		512
#define ERESTARTNOINTR		513
#define ERESTARTNOHAND		514
#define ERESTART_RESTARTBLOCK	516

#define X86_EFLAGS_TF 0x100UL

/* The fpstate magic words of a signal frame (asm/sigcontext.h). */
#define FP_XSTATE_MAGIC1	0x46505853U
#define FP_XSTATE_MAGIC2	0x46505845U
/* Offsets in an XSAVE area: the software bytes, the XSTATE_BV header. */
#define XSAVE_SW_BYTES		464
#define XSAVE_HDR		512
#define XSAVE_LEGACY_END	576
#define XFEATURE_XTILE_DATA	18

/* The kernel's struct sigcontext, ucontext and rt_sigframe (x86_64). */
struct k_sigcontext {
	uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
	uint64_t di, si, bp, bx, dx, ax, cx, sp, ip, flags;
	uint16_t cs, gs, fs, ss;
	uint64_t err, trapno, oldmask, cr2;
	uint64_t fpstate;
	uint64_t reserved1[8];
};

struct k_stack {
	uint64_t ss_sp;
	int32_t ss_flags;
	int32_t pad;
	uint64_t ss_size;
};

struct k_ucontext {
	uint64_t uc_flags;
	uint64_t uc_link;
	struct k_stack uc_stack;
	struct k_sigcontext uc_mcontext;
	uint64_t uc_sigmask;
};

struct k_rt_sigframe {
	uint64_t pretcode;
	struct k_ucontext uc;
	unsigned char info[128];
};

#define UC_FP_XSTATE		0x1
#define UC_SIGCONTEXT_SS	0x2
#define UC_STRICT_RESTORE_SS	0x4

/* A mode do_sigaltstack() refuses: rt_sigreturn then leaves the thread's
 * alternate signal stack as it is (it ignores that error). */
#define SS_MODE_INVALID		3

extern const unsigned char scr__agent_x86_64[];
extern const struct arch_agent_layout scr__agent_x86_64_layout;

static const struct arch_agent agent_64 = {
	.code = scr__agent_x86_64,
	.layout = &scr__agent_x86_64_layout,
	.nr_memfd_create = __NR_memfd_create,
	.nr_mmap = __NR_mmap,
	.nr_munmap = __NR_munmap,
	.nr_close = __NR_close,
	.nr_close_range = __NR_close_range,
	.nr_futex = __NR_futex,
	.nr_sched_yield = __NR_sched_yield,
	.nr_rt_sigreturn = __NR_rt_sigreturn,
	.frame_max = sizeof(struct k_rt_sigframe) + 64 + ARCH_EXT_MAX + 4,
};

const struct arch_agent *arch_agent_of(const struct arch_abi *abi)
{
	return abi == &arch_x86_abi_64.abi ? &agent_64 : NULL;
}

int arch_agent_check(pid_t tid, const struct arch_ext *ext, const char **why)
{
	uint64_t ssp[2];
	struct iovec iov = { ssp, sizeof(ssp) };

	/* A user shadow stack (Linux 6.6) makes rt_sigreturn look for a
	 * restore token, which the agent's own frame would not have. */
	if (ptrace(PTRACE_GETREGSET, tid, NT_X86_SHSTK, &iov) == 0) {
		*why = "the thread has a shadow stack (the agent's rt_sigreturn would need a restore token)";
		return -EOPNOTSUPP;
	}
	if (ext->len < XSAVE_LEGACY_END) {
		*why = "the thread's extended state is too short for a signal frame";
		return -EOPNOTSUPP;
	}
	return 0;
}

void arch_agent_entry(struct arch_regs *r, unsigned long pc,
		      unsigned long ctl, unsigned long sp)
{
	arch_prepare_call(r, pc, 0, &ctl, 1);
	r->r.rsp = sp;
}

/* The end of the last user state component in xfeatures, in the
 * standard (non-compacted) XSAVE layout. */
static size_t xstate_end(uint64_t xfeatures)
{
	size_t end = XSAVE_LEGACY_END;

	for (unsigned int i = 2; i < 64; i++) {
		unsigned int size, off, ecx, edx;

		if (!(xfeatures & (1ULL << i)))
			continue;
		__cpuid_count(0xd, i, size, off, ecx, edx);
		/* ecx bit 0: a supervisor component, not in user frames. */
		if (size && !(ecx & 1) && off + size > end)
			end = off + size;
	}
	return end;
}

/*
 * The fpstate of the frame: the thread's XSAVE area (NT_X86_XSTATE, in
 * the standard layout the kernel restores from), with the software bytes
 * a signal frame carries and the closing magic word.  The feature set is
 * what the thread may use: what XCR0 enables (the regset's first software
 * word, as in core dumps), less AMX tile data unless the thread has used
 * it (a thread without the permission may not restore it).
 */
static ssize_t fpstate(const struct arch_ext *ext, unsigned char *dst,
		       size_t room)
{
	uint64_t xcr0, bv, features;
	uint32_t w[4];
	size_t size;

	memcpy(&xcr0, ext->buf + XSAVE_SW_BYTES, sizeof(xcr0));
	memcpy(&bv, ext->buf + XSAVE_HDR, sizeof(bv));
	features = xcr0 ? xcr0 : bv | 3;
	if (!(bv & (1ULL << XFEATURE_XTILE_DATA)))
		features &= ~(1ULL << XFEATURE_XTILE_DATA);
	size = xstate_end(features);
	if (size > ext->len || size + 4 > room)
		return -E2BIG;
	memcpy(dst, ext->buf, size);
	memset(dst + XSAVE_SW_BYTES, 0, XSAVE_HDR - XSAVE_SW_BYTES);
	w[0] = FP_XSTATE_MAGIC1;
	w[1] = (uint32_t)size + 4;		/* extended_size */
	memcpy(dst + XSAVE_SW_BYTES, w, 8);
	memcpy(dst + XSAVE_SW_BYTES + 8, &features, 8);
	w[0] = (uint32_t)size;			/* xstate_size */
	memcpy(dst + XSAVE_SW_BYTES + 16, w, 4);
	w[0] = FP_XSTATE_MAGIC2;
	memcpy(dst + size, w, 4);
	return (ssize_t)size + 4;
}

static bool restart_code(long v)
{
	return v == -ERESTARTSYS || v == -ERESTARTNOINTR ||
	       v == -ERESTARTNOHAND || v == -ERESTART_RESTARTBLOCK;
}

ssize_t arch_agent_frame(const struct arch_regs *saved,
			 const struct arch_ext *ext, uint64_t mask,
			 unsigned long addr, void *buf, size_t len,
			 unsigned long *sp)
{
	const struct user_regs_struct *r = &saved->r;
	struct k_rt_sigframe *f = buf;
	struct k_sigcontext *sc = &f->uc.uc_mcontext;
	size_t fp_off = (sizeof(*f) + 63) & ~(size_t)63;
	ssize_t fp_len;

	if (len < fp_off || ((addr + fp_off) & 63))
		return -EINVAL;
	memset(buf, 0, fp_off);
	fp_len = fpstate(ext, (unsigned char *)buf + fp_off, len - fp_off);
	if (fp_len < 0)
		return fp_len;
	f->uc.uc_flags = UC_FP_XSTATE | UC_SIGCONTEXT_SS | UC_STRICT_RESTORE_SS;
	f->uc.uc_stack.ss_flags = SS_MODE_INVALID;
	f->uc.uc_sigmask = mask;
	sc->r8 = r->r8;
	sc->r9 = r->r9;
	sc->r10 = r->r10;
	sc->r11 = r->r11;
	sc->r12 = r->r12;
	sc->r13 = r->r13;
	sc->r14 = r->r14;
	sc->r15 = r->r15;
	sc->di = r->rdi;
	sc->si = r->rsi;
	sc->bp = r->rbp;
	sc->bx = r->rbx;
	sc->dx = r->rdx;
	sc->ax = r->rax;
	sc->cx = r->rcx;
	sc->sp = r->rsp;
	sc->ip = r->rip;
	sc->flags = r->eflags & ~X86_EFLAGS_TF;
	sc->cs = (uint16_t)r->cs;
	sc->gs = (uint16_t)r->gs;
	sc->fs = (uint16_t)r->fs;
	sc->ss = (uint16_t)r->ss;
	sc->fpstate = addr + fp_off;
	/*
	 * rt_sigreturn sets orig_rax to -1 and replaces restart_block, so
	 * the kernel will not finish an interrupted call's restart after
	 * it.  Do what it would do with no handler to run: issue the call
	 * again (restart_syscall would find restart_block gone, so a
	 * -ERESTART_RESTARTBLOCK call is issued again too).
	 */
	if ((long)r->orig_rax >= 0 && restart_code((long)r->rax)) {
		sc->ax = r->orig_rax;
		sc->ip = r->rip - 2;
	}
	*sp = addr + offsetof(struct k_rt_sigframe, uc);
	return (ssize_t)fp_off + fp_len;
}

bool arch_agent_may_run(const struct arch_abi *abi, long nr)
{
	if (abi != &arch_x86_abi_64.abi)
		return false;
	switch (nr) {
	case __NR_rt_sigreturn:
	case __NR_execve:
	case __NR_execveat:
	case __NR_exit:
	case __NR_exit_group:
	case __NR_clone:
	case __NR_clone3:
	case __NR_fork:
	case __NR_vfork:
	case __NR_seccomp:
	case __NR_prctl:	/* PR_SET_SECCOMP could refuse the agent's calls */
	case __NR_rt_sigprocmask:
	case __NR_arch_prctl:	/* ARCH_SHSTK_ENABLE */
	case 335:		/* uretprobe (6.11): SIGILL outside a probe */
		return false;
	default:
		return true;
	}
}

bool arch_agent_range(const struct arch_abi *abi, long nr,
		      const unsigned long *args, unsigned int nargs,
		      unsigned long *addr, unsigned long *len,
		      unsigned int *refs)
{
	(void)abi;
	return generic_agent_range(nr, args, nargs, addr, len, refs);
}

void arch_agent_relax(void)
{
	__builtin_ia32_pause();
}
