/*
 * An rseq critical section for t_fidelity: int rseq_spin_once(uint64_t
 * *rseq_cs, volatile int *release) points the thread's rseq_cs at the
 * section's descriptor, then spins inside the section until *release is
 * set: 1 when it got to the end (committed), 0 when the kernel aborted
 * it (the abort handler, after the signature glibc registered).
 */
	.text
	.globl	rseq_spin_once, rseq_cs_start, rseq_cs_post
	.type	rseq_spin_once, %function
	.balign	4
rseq_spin_once:
	adrp	x2, rseq_desc
	add	x2, x2, :lo12:rseq_desc
	str	x2, [x0]
rseq_cs_start:
	ldr	w3, [x1]
	cbz	w3, rseq_cs_start
rseq_cs_post:
	mov	w0, #1
	ret
	.long	0xd428bc00		/* RSEQ_SIG */
rseq_abort:
	mov	w0, #0
	ret
	.size	rseq_spin_once, . - rseq_spin_once

	.data
	.balign	32
rseq_desc:
	.long	0, 0			/* version, flags */
	.quad	rseq_cs_start
	.quad	rseq_cs_post - rseq_cs_start
	.quad	rseq_abort

	.section .note.GNU-stack, "", %progbits
