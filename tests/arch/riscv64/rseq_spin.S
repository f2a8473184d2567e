/* int rseq_spin(void *rs, volatile int *stop, long *aborts): see
 * tests/rseq_spin.h.  glibc registers no rseq area on riscv64 (it has no
 * signature for it): nothing to spin in. */
	.text
	.globl rseq_spin
	.type rseq_spin, @function
rseq_spin:
	li a0, -2
	ret
	.size rseq_spin, .-rseq_spin
	.section .note.GNU-stack,"",@progbits
