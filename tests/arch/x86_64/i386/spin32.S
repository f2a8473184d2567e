/*
 * void spin32(const unsigned int *in, unsigned int *out);   (i386, cdecl)
 *
 * Loads eax..ebp, xmm0-7 (4 words each), MXCSR and DF from in[], spins
 * until spin32_stop is set (by a signal handler), stores them to out[].
 *   0 eax 1 ebx 2 ecx 3 edx 4 esi 5 edi 6 ebp 7 eflags(out)/mxcsr(in)
 *   8.. xmm0..xmm7, 4 words each;  40 mxcsr (out)
 */
	.data
	.balign 4
	.globl spin32_stop
spin32_stop:	.long 0
out_ptr:	.long 0
	.text
	.globl spin32
	.type spin32, @function
spin32:
	push %ebp
	push %ebx
	push %esi
	push %edi
	mov 20(%esp), %eax		/* in */
	mov 24(%esp), %edx		/* out */
	mov %edx, out_ptr
	ldmxcsr 28(%eax)
	movdqu 32(%eax), %xmm0
	movdqu 48(%eax), %xmm1
	movdqu 64(%eax), %xmm2
	movdqu 80(%eax), %xmm3
	movdqu 96(%eax), %xmm4
	movdqu 112(%eax), %xmm5
	movdqu 128(%eax), %xmm6
	movdqu 144(%eax), %xmm7
	mov 4(%eax), %ebx
	mov 8(%eax), %ecx
	mov 12(%eax), %edx
	mov 16(%eax), %esi
	mov 20(%eax), %edi
	mov 24(%eax), %ebp
	mov 0(%eax), %eax
	std
1:	cmpl $0, spin32_stop
	je 1b
	pushf
	cld
	push %eax
	mov out_ptr, %eax
	mov %ebx, 4(%eax)
	mov %ecx, 8(%eax)
	mov %edx, 12(%eax)
	mov %esi, 16(%eax)
	mov %edi, 20(%eax)
	mov %ebp, 24(%eax)
	pop %ebx
	mov %ebx, 0(%eax)
	pop %ebx
	mov %ebx, 28(%eax)
	movdqu %xmm0, 32(%eax)
	movdqu %xmm1, 48(%eax)
	movdqu %xmm2, 64(%eax)
	movdqu %xmm3, 80(%eax)
	movdqu %xmm4, 96(%eax)
	movdqu %xmm5, 112(%eax)
	movdqu %xmm6, 128(%eax)
	movdqu %xmm7, 144(%eax)
	stmxcsr 160(%eax)
	pop %edi
	pop %esi
	pop %ebx
	pop %ebp
	ret
	.size spin32, .-spin32
	.section .note.GNU-stack,"",@progbits
