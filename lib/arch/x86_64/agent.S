/*
 * The in-target agent, x86_64 (see lib/agent.c for the protocol and
 * lib/agent_abi.h for the memory it shares with the tool).
 *
 * These bytes are data in the tool (.rodata): the tool copies them into
 * a sealed memfd that the target maps read+exec.  They must run at any
 * address: no relocations, no data references outside the registers the
 * tool hands over, and no call/ret or pushes (a user shadow stack would
 * fault on a ret without its call; the agent needs no stack at all).
 *
 * Entry: rdi = the control block, rsp = a stack in the ring (for a
 * signal handler only), every signal but SIGTRAP and the fault signals
 * blocked (the engine's call mask), DF clear.
 *
 * Registers: rbx control block, r14d the last request served, r12 the
 * slots (or an idle counter), r13 the results, r15 calls in the request
 * (or idle rounds left), rbp the index of the call.  syscall clobbers
 * rax, rcx and r11 only.
 */
#include <asm/unistd_64.h>

#include "agent_abi.h"

/* Argument register reg holds a reference if bit is set in ecx. */
.macro REF bit, reg
	bt $\bit, %ecx
	jnc 4f
	mov (%r13,\reg,8), \reg
	cmp $-4095, \reg
	jb 4f
	mov $-1, \reg
4:
.endm

	.section .rodata.scr_agent, "a"
	.balign 64
	.globl scr__agent_x86_64
	.hidden scr__agent_x86_64
scr__agent_x86_64:
	mov %rdi, %rbx
	mov CTL_ACK(%rbx), %r14d

/* Wait for a request: spin a while, then sleep on the death word. */
.Lidle:
	mov CTL_SPIN(%rbx), %r15
.Lround:
	mov $AGENT_SPINS_PER_YIELD, %r12d
1:	mov CTL_POST(%rbx), %eax
	cmp %eax, %r14d
	jne .Lrun
	mov CTL_DEATH(%rbx), %rdx
	testl $AGENT_FUTEX_OWNER_DIED, (%rdx)
	jnz .Ldie
	pause
	dec %r12d
	jnz 1b
	mov $__NR_sched_yield, %eax
.Lyield_sc:
	syscall
	sub $1, %r15
	ja .Lround

/*
 * Arm the death word (set WAITERS, so that the kernel wakes us when the
 * tool's thread dies, and the tool when it posts), look for a request
 * once more, then sleep.  A post changes the word (the tool clears
 * WAITERS before it wakes us), so the wait cannot miss it.
 */
	mov CTL_DEATH(%rbx), %rdi
2:	mov (%rdi), %eax
	test $AGENT_FUTEX_OWNER_DIED, %eax
	jnz .Ldie
	mov %eax, %edx
	or $AGENT_FUTEX_WAITERS, %edx
	cmp %eax, %edx
	je 3f
	lock cmpxchg %edx, (%rdi)
	jnz 2b
3:	mov CTL_POST(%rbx), %eax
	cmp %eax, %r14d
	jne .Lrun
	mov $AGENT_FUTEX_WAIT, %esi
	xor %r10d, %r10d
	mov $__NR_futex, %eax
.Lwait_sc:
	syscall
	jmp .Lidle

/* Run the request's calls in order. */
.Lrun:
	mov %eax, %r14d
	mov CTL_N(%rbx), %r15d
	mov CTL_SLOTS(%rbx), %r12
	mov CTL_RESULTS(%rbx), %r13
	xor %ebp, %ebp
.Lnext:
	cmp %r15d, %ebp
	jae .Ldone
	mov CTL_DEATH(%rbx), %rax
	testl $AGENT_FUTEX_OWNER_DIED, (%rax)
	jnz .Ldie
	mov %rbp, %rax
	shl $AGENT_SLOT_SHIFT, %rax
	add %r12, %rax
	mov SLOT_REF(%rax), %ecx
	/* An argument whose bit is set is the index of an earlier call of
	 * the request: take that call's result (-1 for an error, as the
	 * ptrace path passes sr_retval[0]). */
	mov SLOT_ARGS+0(%rax), %rdi
	REF 0, %rdi
	mov SLOT_ARGS+8(%rax), %rsi
	REF 1, %rsi
	mov SLOT_ARGS+16(%rax), %rdx
	REF 2, %rdx
	mov SLOT_ARGS+24(%rax), %r10
	REF 3, %r10
	mov SLOT_ARGS+32(%rax), %r8
	REF 4, %r8
	mov SLOT_ARGS+40(%rax), %r9
	REF 5, %r9
	mov SLOT_NR(%rax), %rax
.Lcall_sc:
	syscall
	mov %rax, (%r13,%rbp,8)
	inc %ebp
	mov %ebp, CTL_NDONE(%rbx)
	testl $AGENT_STOP_ON_ERROR, CTL_FLAGS(%rbx)
	jz .Lnext
	cmp $-4095, %rax
	jb .Lnext

/* Say the request is done; wake the tool if it sleeps. */
.Ldone:
	mov %r14d, CTL_ACK(%rbx)
	mfence
	cmpl $0, CTL_TSLEEP(%rbx)
	je .Lidle
	lea CTL_ACK(%rbx), %rdi
	mov $AGENT_FUTEX_WAKE, %esi
	mov $1, %edx
	mov $__NR_futex, %eax
.Lwake_sc:
	syscall
	jmp .Lidle

/*
 * The tool's thread is gone: nobody will restore this thread, so do it
 * here.  Unmap the ring (the frame lives in the code mapping, which
 * cannot unmap itself), put the rseq_cs word back as late as possible
 * (any return to user mode here would clear it again), and load the
 * frame the tool prepared: registers, extended state and signal mask.
 */
.Ldie:
	mov CTL_FRAME(%rbx), %r12
	mov CTL_RSEQ_ADDR(%rbx), %r13
	mov CTL_RSEQ_VAL(%rbx), %r14
	mov CTL_RING(%rbx), %rdi
	mov CTL_RING_LEN(%rbx), %rsi
	mov $__NR_munmap, %eax
.Lunmap_sc:
	syscall
	test %r13, %r13
	jz 5f
	mov %r14, (%r13)
5:	mov %r12, %rsp
	mov $__NR_rt_sigreturn, %eax
.Lsigreturn_sc:
	syscall
	hlt		/* not reached: a failed rt_sigreturn raises SIGSEGV */
.Lend:

/* Offsets into the code above, for the tool. */
	.section .rodata
	.balign 8
	.globl scr__agent_x86_64_layout
	.hidden scr__agent_x86_64_layout
scr__agent_x86_64_layout:
	.quad .Lend - scr__agent_x86_64
	.quad .Lcall_sc - scr__agent_x86_64
	.quad .Lyield_sc - scr__agent_x86_64
	.quad .Lwait_sc - scr__agent_x86_64
	.quad .Lwake_sc - scr__agent_x86_64
	.quad .Lunmap_sc - scr__agent_x86_64
	.quad .Lsigreturn_sc - scr__agent_x86_64

	.section .note.GNU-stack,"",@progbits
