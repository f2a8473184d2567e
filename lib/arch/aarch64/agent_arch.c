/*
 * aarch64 facts for the in-target agent: its code (agent.S), its
 * rt_sigreturn frame, the calls that must not run in it.
 *
 * - The agent's pages are mapped without PROT_BTI, so no landing pads;
 *   it is entered with PSTATE.BTYPE clear (arch_prepare_call) and uses
 *   no pointer authentication.
 * - The tool writes the code through the memfd: the kernel cleans the
 *   caches when it maps a page executable, so no flush is needed.
 * - A system call discards the SVE state beyond the low 128 bits: the
 *   frame carries the SVE registers when they were live (and the tool
 *   puts the extended state back when it parks the agent).
 * - A guarded control stack (GCS) would need a token for rt_sigreturn:
 *   such threads take the ptrace path.
 */
#include <elf.h>
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/uio.h>

#include "arch/asm-generic/agent_rules.h"

#ifndef NT_ARM_SVE
#define NT_ARM_SVE 0x405
#endif
#ifndef NT_ARM_GCS
#define NT_ARM_GCS 0x410
#endif

#ifndef FPSIMD_MAGIC
#define FPSIMD_MAGIC	0x46508001
#endif
#ifndef SVE_MAGIC
#define SVE_MAGIC	0x53564501
#endif
#define SS_MODE_INVALID	3	/* rt_sigreturn leaves the alt stack alone */

/* The ext blob of arch.c: the regset's note type in 16 bytes, then the
 * regset (NT_ARM_SVE, or NT_PRFPREG without SVE). */
#define EXT_HDR 16

/* The kernel's signal frame (arch/arm64/kernel/signal.c, uapi
 * asm/sigcontext.h and asm/ucontext.h). */
struct k_ctx {
	uint32_t magic, size;
};

struct k_fpsimd {
	struct k_ctx head;
	uint32_t fpsr, fpcr;
	unsigned char vregs[32][16];
};

struct k_sve {
	struct k_ctx head;
	uint16_t vl, flags, reserved[2];
};

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
		uint64_t fault_address;
		uint64_t regs[31];
		uint64_t sp, pc, pstate;
		unsigned char reserved[4096] __attribute__((aligned(16)));
	} uc_mcontext __attribute__((aligned(16)));
};

struct k_rt_sigframe {
	unsigned char info[128];
	struct k_ucontext uc;
};

extern const unsigned char scr__agent_aarch64[];
extern const struct arch_agent_layout scr__agent_aarch64_layout;

static const struct arch_agent agent = {
	.code = scr__agent_aarch64,
	.layout = &scr__agent_aarch64_layout,
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
	uint64_t gcs[3] = { 0 };
	struct iovec iov = { gcs, sizeof(gcs) };

	if (ptrace(PTRACE_GETREGSET, tid, NT_ARM_GCS, &iov) == 0 &&
	    (gcs[0] & 1)) {
		*why = "the thread has a guarded control stack (the agent's rt_sigreturn would need a token)";
		return -EOPNOTSUPP;
	}
	if (ext->len < EXT_HDR) {
		*why = "the thread's extended state is unknown";
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

/* The FP/SIMD record (and, for live SVE state, the SVE record after it)
 * from the saved extended state; returns the bytes used or -E2BIG. */
static ssize_t fp_records(const struct arch_ext *ext, unsigned char *out,
			  size_t room)
{
	const unsigned char *data = ext->buf + EXT_HDR;
	struct k_fpsimd fp = { { FPSIMD_MAGIC, sizeof(fp) }, 0, 0, { { 0 } } };
	struct user_sve_header h;
	unsigned int type;
	size_t used = sizeof(fp), vq, regs;

	memcpy(&type, ext->buf, sizeof(type));
	if (type != NT_ARM_SVE) {		/* user_fpsimd_state */
		memcpy(fp.vregs, data, sizeof(fp.vregs));
		memcpy(&fp.fpsr, data + 512, 4);
		memcpy(&fp.fpcr, data + 516, 4);
		memcpy(out, &fp, sizeof(fp));
		return (ssize_t)used;
	}
	memcpy(&h, data, sizeof(h));
	if (!(h.flags & SVE_PT_REGS_SVE)) {	/* FPSIMD format inside */
		memcpy(fp.vregs, data + SVE_PT_FPSIMD_OFFSET, sizeof(fp.vregs));
		memcpy(&fp.fpsr, data + SVE_PT_FPSIMD_OFFSET + 512, 4);
		memcpy(&fp.fpcr, data + SVE_PT_FPSIMD_OFFSET + 516, 4);
		memcpy(out, &fp, sizeof(fp));
		return (ssize_t)used;
	}
	/* Live SVE state: V registers are the low 128 bits of Z. */
	vq = __sve_vq_from_vl(h.vl);
	regs = __SVE_ZREGS_SIZE(vq) + __SVE_PREGS_SIZE(vq) + __SVE_FFR_SIZE(vq);
	for (int n = 0; n < 32; n++)
		memcpy(fp.vregs[n], data + SVE_PT_SVE_ZREG_OFFSET(vq, n), 16);
	memcpy(&fp.fpsr, data + SVE_PT_SVE_FPSR_OFFSET(vq), 4);
	memcpy(&fp.fpcr, data + SVE_PT_SVE_FPCR_OFFSET(vq), 4);
	memcpy(out, &fp, sizeof(fp));
	struct k_sve sve = { { SVE_MAGIC, 0 }, h.vl, 0, { 0, 0 } };
	size_t size = (16 + regs + 15) & ~(size_t)15;

	if (used + size + sizeof(struct k_ctx) > room ||
	    SVE_PT_SVE_OFFSET + regs > ext->len - EXT_HDR)
		return -E2BIG;
	sve.head.size = (uint32_t)size;
	memcpy(out + used, &sve, sizeof(sve));
	memcpy(out + used + 16, data + SVE_PT_SVE_OFFSET, regs);
	return (ssize_t)(used + size);
}

ssize_t arch_agent_frame(const struct arch_regs *saved,
			 const struct arch_ext *ext, uint64_t mask,
			 unsigned long addr, void *buf, size_t len,
			 unsigned long *sp)
{
	struct k_rt_sigframe *f = buf;
	size_t room = sizeof(f->uc.uc_mcontext.reserved) - sizeof(struct k_ctx);
	ssize_t n;

	if (len < sizeof(*f) || (addr & 15))
		return -EINVAL;
	memset(f, 0, sizeof(*f));
	n = fp_records(ext, f->uc.uc_mcontext.reserved, room);
	if (n < 0)
		return n;
	/* The terminator record, all zero, follows. */
	f->uc.uc_stack.ss_flags = SS_MODE_INVALID;
	f->uc.uc_sigmask = mask;
	memcpy(f->uc.uc_mcontext.regs, saved->r.regs, sizeof(saved->r.regs));
	f->uc.uc_mcontext.sp = saved->r.sp;
	f->uc.uc_mcontext.pc = saved->r.pc;
	f->uc.uc_mcontext.pstate = saved->r.pstate;
	/* An interrupted call sits rewound on its svc (the kernel did it
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
	__asm__ volatile("yield" ::: "memory");
}
