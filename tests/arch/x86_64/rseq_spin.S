/* int rseq_spin(void *rs, volatile int *stop, long *aborts): see
 * tests/rseq_spin.h.  rs->rseq_cs is at offset 8. */
	.section __rseq_cs, "aw"
	.balign 32
.Ldesc:
	.long 0, 0			/* version, flags */
	.quad .Lstart, .Lend - .Lstart, .Labort

	.text
	.globl rseq_spin
	.type rseq_spin, @function
rseq_spin:
.Larm:
	lea .Ldesc(%rip), %rax
	mov %rax, 8(%rdi)
.Lstart:
	cmpq $0, 8(%rdi)
	je .Lbad
	cmpl $0, (%rsi)
	je .Lstart
.Lend:
	movq $0, 8(%rdi)
	xor %eax, %eax
	ret
	.long 0x53053053		/* RSEQ_SIG, before the abort handler */
.Labort:
	incq (%rdx)
	jmp .Larm
.Lbad:
	movq $0, 8(%rdi)
	mov $-1, %eax
	ret
	.size rseq_spin, .-rseq_spin
	.section .note.GNU-stack,"",@progbits
