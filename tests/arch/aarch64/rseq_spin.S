/* int rseq_spin(void *rs, volatile int *stop, long *aborts): see
 * tests/rseq_spin.h.  rs->rseq_cs is at offset 8. */
	.section __rseq_cs, "aw"
	.balign 32
.Ldesc:
	.long 0, 0			/* version, flags */
	.quad .Lstart, .Lend - .Lstart, .Labort

	.text
	.globl rseq_spin
	.type rseq_spin, %function
	.p2align 2
rseq_spin:
.Larm:
	adrp x3, .Ldesc
	add x3, x3, :lo12:.Ldesc
	str x3, [x0, #8]
.Lstart:
	ldr x4, [x0, #8]
	cbz x4, .Lbad
	ldr w5, [x1]
	cbz w5, .Lstart
.Lend:
	str xzr, [x0, #8]
	mov w0, #0
	ret
	.inst 0xd428bc00		/* RSEQ_SIG, before the abort handler */
.Labort:
	ldr x6, [x2]
	add x6, x6, #1
	str x6, [x2]
	b .Larm
.Lbad:
	str xzr, [x0, #8]
	mov w0, #-1
	ret
	.size rseq_spin, .-rseq_spin
	.section .note.GNU-stack,"",%progbits
