/*
 * riscv64 facts for the in-target agent: its code (agent.S), its
 * rt_sigreturn frame, the calls that must not run in it.
 *
 * - The tool writes the code through the memfd: the kernel flushes the
 *   instruction cache when it maps a page executable.
 * - A system call discards the vector state; the frame has no room for
 *   it here, so threads whose kernel exposes vectors take the ptrace
 *   path (the tool would restore them when it parks the agent, but the
 *   agent could not when the tool dies).
 */
#include <errno.h>
#include <string.h>

#include "arch/asm-generic/agent_rules.h"

#define SS_MODE_INVALID	3	/* rt_sigreturn leaves the alt stack alone */

/* The ext blob of arch.c: the lengths of its FP and vector parts in 16
 * bytes, then NT_PRFPREG, then NT_RISCV_VECTOR. */
#define EXT_HDR 16
#define FP_LEN	264		/* struct __riscv_d_ext_state */

/* The kernel's signal frame (arch/riscv/kernel/signal.c, uapi
 * asm/sigcontext.h and asm/ucontext.h). */
struct k_ucontext {
	uint64_t uc_flags;
	uint64_t uc_link;
	struct {
		uint64_t ss_sp;
		int32_t ss_flags;
		int32_t pad;
		uint64_t ss_size;
	} uc_stack;
	uint64_t uc_sigmask;
	unsigned char unused[128 - 8];
	struct {
		struct user_regs_struct sc_regs;
		/* The q-extension layout bounds the union: f[64] (16-byte
		 * aligned), fcsr, 3 reserved words that must be zero. */
		unsigned char sc_fpregs[528] __attribute__((aligned(16)));
	} uc_mcontext;
};

struct k_rt_sigframe {
	unsigned char info[128];
	struct k_ucontext uc;
};

extern const unsigned char scr__agent_riscv64[];
extern const struct arch_agent_layout scr__agent_riscv64_layout;

static const struct arch_agent agent = {
	.code = scr__agent_riscv64,
	.layout = &scr__agent_riscv64_layout,
	GENERIC_AGENT_NUMBERS,
	.frame_max = sizeof(struct k_rt_sigframe),
};

const struct arch_agent *arch_agent_of(const struct arch_abi *abi)
{
	(void)abi;
	return &agent;
}

int arch_agent_check(pid_t tid, const struct arch_ext *ext, const char **why)
{
	unsigned int len[2];

	(void)tid;
	if (ext->len < EXT_HDR) {
		*why = "the thread's extended state is unknown";
		return -EOPNOTSUPP;
	}
	memcpy(len, ext->buf, sizeof(len));
	if (len[0] != FP_LEN) {
		*why = "the thread's FP state has an unexpected size";
		return -EOPNOTSUPP;
	}
	if (len[1]) {
		*why = "the agent's frame cannot hold the thread's vector state";
		return -EOPNOTSUPP;
	}
	return 0;
}

void arch_agent_entry(struct arch_regs *r, unsigned long pc,
		      unsigned long ctl, unsigned long sp)
{
	arch_prepare_call(r, pc, 0, &ctl, 1);
	r->r.sp = sp;
}

ssize_t arch_agent_frame(const struct arch_regs *saved,
			 const struct arch_ext *ext, uint64_t mask,
			 unsigned long addr, void *buf, size_t len,
			 unsigned long *sp)
{
	struct k_rt_sigframe *f = buf;

	if (len < sizeof(*f) || (addr & 15) || ext->len < EXT_HDR + FP_LEN)
		return -EINVAL;
	memset(f, 0, sizeof(*f));
	f->uc.uc_stack.ss_flags = SS_MODE_INVALID;
	f->uc.uc_sigmask = mask;
	f->uc.uc_mcontext.sc_regs = saved->r;
	/* f[32] and fcsr; the rest (the reserved words) stays zero. */
	memcpy(f->uc.uc_mcontext.sc_fpregs, ext->buf + EXT_HDR, FP_LEN);
	/* An interrupted call sits rewound on its ecall (the kernel did it
	 * before the stop): rt_sigreturn resumes there and issues it
	 * again. */
	*sp = addr;
	return (ssize_t)sizeof(*f);
}

bool arch_agent_may_run(const struct arch_abi *abi, long nr)
{
	(void)abi;
	return generic_agent_may_run(nr);
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
	__asm__ volatile(".4byte 0x0100000f" ::: "memory");	/* pause */
}
