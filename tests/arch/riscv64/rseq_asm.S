/*
 * An rseq critical section for t_fidelity: int rseq_spin_once(uint64_t
 * *rseq_cs, volatile int *release) points the thread's rseq_cs at the
 * section's descriptor, then spins inside the section until *release is
 * set: 1 when it got to the end (committed), 0 when the kernel aborted
 * it (the abort handler, after the signature glibc registered).
 */
	.text
	.option	push
	.option	norvc
	.globl	rseq_spin_once, rseq_cs_start, rseq_cs_post
	.type	rseq_spin_once, @function
	.balign	4
rseq_spin_once:
	la	t0, rseq_desc
	sd	t0, 0(a0)
rseq_cs_start:
	lw	t1, 0(a1)
	beqz	t1, rseq_cs_start
rseq_cs_post:
	li	a0, 1
	ret
	.word	0xf1401073		/* RSEQ_SIG */
rseq_abort:
	li	a0, 0
	ret
	.size	rseq_spin_once, . - rseq_spin_once
	.option	pop

	.data
	.balign	32
rseq_desc:
	.word	0, 0			/* version, flags */
	.dword	rseq_cs_start
	.dword	rseq_cs_post - rseq_cs_start
	.dword	rseq_abort

	.section .note.GNU-stack, "", @progbits
