/*
 * void spin_regs(const unsigned long *in, unsigned long *out,
 *                const unsigned char *zin, unsigned char *zout);
 *
 * Loads x0-x30 (but x16), NZCV, FPCR, FPSR and v0-v31 from in[], and when
 * zin is not NULL (SVE) all of z0-z31, p0-p15 and FFR from zin; spins
 * until the word spin_flag points at (on this frame) becomes non-zero
 * (a signal handler sets it); then stores them all to out[] / zout so
 * that the caller can check that nothing changed under it.
 *
 * x16 is the loop's own register: it re-reads the flag (every load on
 * arm64 goes through a register).  cbz leaves NZCV alone.
 *
 * in[] and out[], 8-byte words: 0-30 x0-x30, 31 nzcv, 32 fpcr, 33 fpsr,
 * 34-97 v0-v31 (2 words each).  zin/zout: z0-z31 (VL bytes each), then
 * p0-p15 and FFR (VL/8 bytes each).
 */
	.arch armv8-a+sve
	.data
	.balign 8
	.globl spin_flag
spin_flag:	.quad 0
	.text
	.globl spin_regs
	.type spin_regs, %function
	.p2align 2
spin_regs:
	stp x29, x30, [sp, #-176]!
	mov x29, sp
	stp x19, x20, [sp, #16]
	stp x21, x22, [sp, #32]
	stp x23, x24, [sp, #48]
	stp x25, x26, [sp, #64]
	stp x27, x28, [sp, #80]
	stp d8, d9, [sp, #96]
	stp d10, d11, [sp, #112]
	stp d12, d13, [sp, #128]
	stp d14, d15, [sp, #144]
	mrs x9, fpcr
	str x9, [sp, #160]
	sub sp, sp, #32
	str xzr, [sp]			/* the stop flag */
	str x1, [sp, #8]		/* out */
	str x3, [sp, #16]		/* zout */
	mov x9, sp
	adrp x10, spin_flag
	str x9, [x10, :lo12:spin_flag]

	cbz x2, 2f
	ldr z0, [x2, #0, mul vl]
	ldr z1, [x2, #1, mul vl]
	ldr z2, [x2, #2, mul vl]
	ldr z3, [x2, #3, mul vl]
	ldr z4, [x2, #4, mul vl]
	ldr z5, [x2, #5, mul vl]
	ldr z6, [x2, #6, mul vl]
	ldr z7, [x2, #7, mul vl]
	ldr z8, [x2, #8, mul vl]
	ldr z9, [x2, #9, mul vl]
	ldr z10, [x2, #10, mul vl]
	ldr z11, [x2, #11, mul vl]
	ldr z12, [x2, #12, mul vl]
	ldr z13, [x2, #13, mul vl]
	ldr z14, [x2, #14, mul vl]
	ldr z15, [x2, #15, mul vl]
	ldr z16, [x2, #16, mul vl]
	ldr z17, [x2, #17, mul vl]
	ldr z18, [x2, #18, mul vl]
	ldr z19, [x2, #19, mul vl]
	ldr z20, [x2, #20, mul vl]
	ldr z21, [x2, #21, mul vl]
	ldr z22, [x2, #22, mul vl]
	ldr z23, [x2, #23, mul vl]
	ldr z24, [x2, #24, mul vl]
	ldr z25, [x2, #25, mul vl]
	ldr z26, [x2, #26, mul vl]
	ldr z27, [x2, #27, mul vl]
	ldr z28, [x2, #28, mul vl]
	ldr z29, [x2, #29, mul vl]
	ldr z30, [x2, #30, mul vl]
	ldr z31, [x2, #31, mul vl]
	addvl x10, x2, #31
	addvl x10, x10, #1		/* the predicates */
	ldr p0, [x10, #16, mul vl]
	wrffr p0.b
	ldr p0, [x10, #0, mul vl]
	ldr p1, [x10, #1, mul vl]
	ldr p2, [x10, #2, mul vl]
	ldr p3, [x10, #3, mul vl]
	ldr p4, [x10, #4, mul vl]
	ldr p5, [x10, #5, mul vl]
	ldr p6, [x10, #6, mul vl]
	ldr p7, [x10, #7, mul vl]
	ldr p8, [x10, #8, mul vl]
	ldr p9, [x10, #9, mul vl]
	ldr p10, [x10, #10, mul vl]
	ldr p11, [x10, #11, mul vl]
	ldr p12, [x10, #12, mul vl]
	ldr p13, [x10, #13, mul vl]
	ldr p14, [x10, #14, mul vl]
	ldr p15, [x10, #15, mul vl]
	b 3f
2:	ldp q0, q1, [x0, #272]
	ldp q2, q3, [x0, #304]
	ldp q4, q5, [x0, #336]
	ldp q6, q7, [x0, #368]
	ldp q8, q9, [x0, #400]
	ldp q10, q11, [x0, #432]
	ldp q12, q13, [x0, #464]
	ldp q14, q15, [x0, #496]
	ldp q16, q17, [x0, #528]
	ldp q18, q19, [x0, #560]
	ldp q20, q21, [x0, #592]
	ldp q22, q23, [x0, #624]
	ldp q24, q25, [x0, #656]
	ldp q26, q27, [x0, #688]
	ldp q28, q29, [x0, #720]
	ldp q30, q31, [x0, #752]
3:	ldr x9, [x0, #256]
	msr fpcr, x9
	ldr x9, [x0, #264]
	msr fpsr, x9
	ldr x9, [x0, #248]
	msr nzcv, x9
	ldp x1, x2, [x0, #8]
	ldp x3, x4, [x0, #24]
	ldp x5, x6, [x0, #40]
	ldp x7, x8, [x0, #56]
	ldp x9, x10, [x0, #72]
	ldp x11, x12, [x0, #88]
	ldp x13, x14, [x0, #104]
	ldr x15, [x0, #120]
	ldp x17, x18, [x0, #136]
	ldp x19, x20, [x0, #152]
	ldp x21, x22, [x0, #168]
	ldp x23, x24, [x0, #184]
	ldp x25, x26, [x0, #200]
	ldp x27, x28, [x0, #216]
	ldp x29, x30, [x0, #232]
	ldr x0, [x0]
1:	ldr x16, [sp]
	cbz x16, 1b
	ldr x16, [sp, #8]
	stp x0, x1, [x16, #0]
	stp x2, x3, [x16, #16]
	stp x4, x5, [x16, #32]
	stp x6, x7, [x16, #48]
	stp x8, x9, [x16, #64]
	stp x10, x11, [x16, #80]
	stp x12, x13, [x16, #96]
	stp x14, x15, [x16, #112]
	stp x17, x18, [x16, #136]
	stp x19, x20, [x16, #152]
	stp x21, x22, [x16, #168]
	stp x23, x24, [x16, #184]
	stp x25, x26, [x16, #200]
	stp x27, x28, [x16, #216]
	stp x29, x30, [x16, #232]
	mrs x0, nzcv
	str x0, [x16, #248]
	mrs x0, fpcr
	str x0, [x16, #256]
	mrs x0, fpsr
	str x0, [x16, #264]
	stp q0, q1, [x16, #272]
	stp q2, q3, [x16, #304]
	stp q4, q5, [x16, #336]
	stp q6, q7, [x16, #368]
	stp q8, q9, [x16, #400]
	stp q10, q11, [x16, #432]
	stp q12, q13, [x16, #464]
	stp q14, q15, [x16, #496]
	stp q16, q17, [x16, #528]
	stp q18, q19, [x16, #560]
	stp q20, q21, [x16, #592]
	stp q22, q23, [x16, #624]
	stp q24, q25, [x16, #656]
	stp q26, q27, [x16, #688]
	stp q28, q29, [x16, #720]
	stp q30, q31, [x16, #752]
	ldr x17, [sp, #16]
	cbz x17, 4f
	str z0, [x17, #0, mul vl]
	str z1, [x17, #1, mul vl]
	str z2, [x17, #2, mul vl]
	str z3, [x17, #3, mul vl]
	str z4, [x17, #4, mul vl]
	str z5, [x17, #5, mul vl]
	str z6, [x17, #6, mul vl]
	str z7, [x17, #7, mul vl]
	str z8, [x17, #8, mul vl]
	str z9, [x17, #9, mul vl]
	str z10, [x17, #10, mul vl]
	str z11, [x17, #11, mul vl]
	str z12, [x17, #12, mul vl]
	str z13, [x17, #13, mul vl]
	str z14, [x17, #14, mul vl]
	str z15, [x17, #15, mul vl]
	str z16, [x17, #16, mul vl]
	str z17, [x17, #17, mul vl]
	str z18, [x17, #18, mul vl]
	str z19, [x17, #19, mul vl]
	str z20, [x17, #20, mul vl]
	str z21, [x17, #21, mul vl]
	str z22, [x17, #22, mul vl]
	str z23, [x17, #23, mul vl]
	str z24, [x17, #24, mul vl]
	str z25, [x17, #25, mul vl]
	str z26, [x17, #26, mul vl]
	str z27, [x17, #27, mul vl]
	str z28, [x17, #28, mul vl]
	str z29, [x17, #29, mul vl]
	str z30, [x17, #30, mul vl]
	str z31, [x17, #31, mul vl]
	addvl x10, x17, #31
	addvl x10, x10, #1
	str p0, [x10, #0, mul vl]
	str p1, [x10, #1, mul vl]
	str p2, [x10, #2, mul vl]
	str p3, [x10, #3, mul vl]
	str p4, [x10, #4, mul vl]
	str p5, [x10, #5, mul vl]
	str p6, [x10, #6, mul vl]
	str p7, [x10, #7, mul vl]
	str p8, [x10, #8, mul vl]
	str p9, [x10, #9, mul vl]
	str p10, [x10, #10, mul vl]
	str p11, [x10, #11, mul vl]
	str p12, [x10, #12, mul vl]
	str p13, [x10, #13, mul vl]
	str p14, [x10, #14, mul vl]
	str p15, [x10, #15, mul vl]
	rdffr p0.b
	str p0, [x10, #16, mul vl]
4:	add sp, sp, #32
	adrp x10, spin_flag
	str xzr, [x10, :lo12:spin_flag]
	ldr x9, [sp, #160]
	msr fpcr, x9
	msr fpsr, xzr
	ldp x19, x20, [sp, #16]
	ldp x21, x22, [sp, #32]
	ldp x23, x24, [sp, #48]
	ldp x25, x26, [sp, #64]
	ldp x27, x28, [sp, #80]
	ldp d8, d9, [sp, #96]
	ldp d10, d11, [sp, #112]
	ldp d12, d13, [sp, #128]
	ldp d14, d15, [sp, #144]
	ldp x29, x30, [sp], #176
	ret
	.size spin_regs, .-spin_regs
	.section .note.GNU-stack,"",%progbits
