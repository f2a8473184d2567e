/*
 * void spin_regs(const unsigned long *in, unsigned long *out);
 *
 * Loads every general register, ymm0-15, MXCSR and DF from in[], spins
 * until spin_stop becomes non-zero (a signal handler sets it), then
 * stores them all to out[] so that the caller can check nothing changed
 * under it.  Layout of in[] and out[] (8-byte words):
 *   0 rax 1 rbx 2 rcx 3 rdx 4 rsi 5 rbp 6 r8 7 r9 8 r10 9 r11 10 r12
 *   11 r13 12 r14 13 r15 14 rdi 15 rflags (out only) / mxcsr (in)
 *   16.. ymm0..ymm15, 4 words each;  80 mxcsr (out)
 */
	.data
	.balign 8
	.globl spin_stop
spin_stop:	.quad 0
saved_out:	.quad 0
	.text
	.globl spin_regs
	.type spin_regs, @function
spin_regs:
	push %rbx
	push %rbp
	push %r12
	push %r13
	push %r14
	push %r15
	mov %rsi, saved_out(%rip)
	ldmxcsr 120(%rdi)
	vmovdqu 128(%rdi), %ymm0
	vmovdqu 160(%rdi), %ymm1
	vmovdqu 192(%rdi), %ymm2
	vmovdqu 224(%rdi), %ymm3
	vmovdqu 256(%rdi), %ymm4
	vmovdqu 288(%rdi), %ymm5
	vmovdqu 320(%rdi), %ymm6
	vmovdqu 352(%rdi), %ymm7
	vmovdqu 384(%rdi), %ymm8
	vmovdqu 416(%rdi), %ymm9
	vmovdqu 448(%rdi), %ymm10
	vmovdqu 480(%rdi), %ymm11
	vmovdqu 512(%rdi), %ymm12
	vmovdqu 544(%rdi), %ymm13
	vmovdqu 576(%rdi), %ymm14
	vmovdqu 608(%rdi), %ymm15
	mov 0(%rdi), %rax
	mov 8(%rdi), %rbx
	mov 16(%rdi), %rcx
	mov 24(%rdi), %rdx
	mov 32(%rdi), %rsi
	mov 40(%rdi), %rbp
	mov 48(%rdi), %r8
	mov 56(%rdi), %r9
	mov 64(%rdi), %r10
	mov 72(%rdi), %r11
	mov 80(%rdi), %r12
	mov 88(%rdi), %r13
	mov 96(%rdi), %r14
	mov 104(%rdi), %r15
	mov 112(%rdi), %rdi
	std
1:	cmpq $0, spin_stop(%rip)
	je 1b
	pushfq
	cld
	push %rax
	mov saved_out(%rip), %rax
	mov %rbx, 8(%rax)
	mov %rcx, 16(%rax)
	mov %rdx, 24(%rax)
	mov %rsi, 32(%rax)
	mov %rbp, 40(%rax)
	mov %r8, 48(%rax)
	mov %r9, 56(%rax)
	mov %r10, 64(%rax)
	mov %r11, 72(%rax)
	mov %r12, 80(%rax)
	mov %r13, 88(%rax)
	mov %r14, 96(%rax)
	mov %r15, 104(%rax)
	mov %rdi, 112(%rax)
	pop %rdi
	mov %rdi, 0(%rax)
	pop %rdi
	mov %rdi, 120(%rax)
	vmovdqu %ymm0, 128(%rax)
	vmovdqu %ymm1, 160(%rax)
	vmovdqu %ymm2, 192(%rax)
	vmovdqu %ymm3, 224(%rax)
	vmovdqu %ymm4, 256(%rax)
	vmovdqu %ymm5, 288(%rax)
	vmovdqu %ymm6, 320(%rax)
	vmovdqu %ymm7, 352(%rax)
	vmovdqu %ymm8, 384(%rax)
	vmovdqu %ymm9, 416(%rax)
	vmovdqu %ymm10, 448(%rax)
	vmovdqu %ymm11, 480(%rax)
	vmovdqu %ymm12, 512(%rax)
	vmovdqu %ymm13, 544(%rax)
	vmovdqu %ymm14, 576(%rax)
	vmovdqu %ymm15, 608(%rax)
	stmxcsr 640(%rax)
	mov $0x1f80, %edi
	push %rdi
	ldmxcsr (%rsp)
	pop %rdi
	vzeroupper
	pop %r15
	pop %r14
	pop %r13
	pop %r12
	pop %rbp
	pop %rbx
	ret
	.size spin_regs, .-spin_regs
	.section .note.GNU-stack,"",@progbits
