/*
 * An rseq critical section for t_fidelity: int rseq_spin_once(uint64_t
 * *rseq_cs, volatile int *release) points the thread's rseq_cs at the
 * section's descriptor, then spins inside the section until *release is
 * set: 1 when it got to the end (committed), 0 when the kernel aborted
 * it (the abort handler, after the signature glibc registered).
 */
	.text
	.globl	rseq_spin_once, rseq_cs_start, rseq_cs_post
	.type	rseq_spin_once, @function
rseq_spin_once:
	leaq	rseq_desc(%rip), %rax
	movq	%rax, (%rdi)
rseq_cs_start:
	movl	(%rsi), %eax
	testl	%eax, %eax
	jz	rseq_cs_start
rseq_cs_post:
	movl	$1, %eax
	ret
	.long	0x53053053		/* RSEQ_SIG */
rseq_abort:
	xorl	%eax, %eax
	ret
	.size	rseq_spin_once, . - rseq_spin_once

	.data
	.balign	32
rseq_desc:
	.long	0, 0			/* version, flags */
	.quad	rseq_cs_start
	.quad	rseq_cs_post - rseq_cs_start
	.quad	rseq_abort

	.section .note.GNU-stack, "", @progbits
