/*
 * The in-target agent, aarch64 (see lib/agent.c for the protocol and
 * lib/agent_abi.h for the memory it shares with the tool).
 *
 * Data in the tool (.rodata), copied into a sealed memfd the target maps
 * read+exec: no relocations, no literal pools, no bl/ret, no PAC, no
 * BTI landing pads (the pages are not mapped with PROT_BTI).
 *
 * Entry: x0 = the control block, sp = a stack in the ring (for a signal
 * handler only), every signal but SIGTRAP and the fault signals
 * blocked (the engine's call mask).
 *
 * Registers: x19 control block, w22 the last request served, x21 idle
 * rounds left (or calls in the request), w27 spins left, x23 the slots,
 * x24 the results, x25 the index of the call, w26 its flags.  svc
 * changes x0 only.
 */
#include <asm/unistd.h>

#include "agent_abi.h"

/* Argument register reg holds a reference if bit is set in w10: take
 * that call's result (-1 for an error, as the ptrace path passes). */
.macro REF bit, reg
	tbz w10, #\bit, 4f
	ldr \reg, [x24, \reg, lsl #3]
	cmn \reg, #4095
	b.cc 4f
	mov \reg, #-1
4:
.endm

	.section .rodata.scr_agent, "a"
	.balign 64
	.globl scr__agent_aarch64
	.hidden scr__agent_aarch64
scr__agent_aarch64:
	mov x19, x0
	ldr w22, [x19, #CTL_ACK]

/* Wait for a request: spin a while, then sleep on the death word. */
.Lidle:
	ldr x21, [x19, #CTL_SPIN]
.Lround:
	mov w27, #AGENT_SPINS_PER_YIELD
1:	ldr w0, [x19, #CTL_POST]
	cmp w0, w22
	b.ne .Lrun
	ldr x9, [x19, #CTL_DEATH]
	ldr w10, [x9]
	tbnz w10, #AGENT_OWNER_DIED_BIT, .Ldie
	yield
	subs w27, w27, #1
	b.ne 1b
	mov x8, #__NR_sched_yield
.Lyield_sc:
	svc #0
	subs x21, x21, #1
	b.hi .Lround

/* Arm the death word (WAITERS), look for a request once more, sleep. */
	ldr x20, [x19, #CTL_DEATH]
2:	ldaxr w10, [x20]
	tbnz w10, #AGENT_OWNER_DIED_BIT, 5f
	orr w11, w10, #AGENT_FUTEX_WAITERS
	cmp w11, w10
	b.eq 3f
	stlxr w12, w11, [x20]
	cbnz w12, 2b
	b 6f
3:	clrex
6:	dmb ish
	ldr w0, [x19, #CTL_POST]
	cmp w0, w22
	b.ne .Lrun
	mov x0, x20
	mov x1, #AGENT_FUTEX_WAIT
	mov w2, w11
	mov x3, #0
	mov x8, #__NR_futex
.Lwait_sc:
	svc #0
	b .Lidle
5:	clrex
	b .Ldie

/* Run the request's calls in order. */
.Lrun:
	dmb ishld
	mov w22, w0
	ldr w21, [x19, #CTL_N]
	ldr x23, [x19, #CTL_SLOTS]
	ldr x24, [x19, #CTL_RESULTS]
	ldr w26, [x19, #CTL_FLAGS]
	mov x25, #0
.Lnext:
	cmp w25, w21
	b.hs .Ldone
	ldr x9, [x19, #CTL_DEATH]
	ldr w10, [x9]
	tbnz w10, #AGENT_OWNER_DIED_BIT, .Ldie
	add x9, x23, x25, lsl #AGENT_SLOT_SHIFT
	ldr w10, [x9, #SLOT_REF]
	ldp x0, x1, [x9, #SLOT_ARGS]
	ldp x2, x3, [x9, #SLOT_ARGS + 16]
	ldp x4, x5, [x9, #SLOT_ARGS + 32]
	REF 0, x0
	REF 1, x1
	REF 2, x2
	REF 3, x3
	REF 4, x4
	REF 5, x5
	ldr x8, [x9, #SLOT_NR]
.Lcall_sc:
	svc #0
	str x0, [x24, x25, lsl #3]
	add x25, x25, #1
	add x9, x19, #CTL_NDONE
	stlr w25, [x9]
	tbz w26, #0, .Lnext
	cmn x0, #4095
	b.cc .Lnext

/* Say the request is done; wake the tool if it sleeps. */
.Ldone:
	add x9, x19, #CTL_ACK
	stlr w22, [x9]
	dmb ish
	ldr w10, [x19, #CTL_TSLEEP]
	cbz w10, .Lidle
	add x0, x19, #CTL_ACK
	mov x1, #AGENT_FUTEX_WAKE
	mov x2, #1
	mov x8, #__NR_futex
.Lwake_sc:
	svc #0
	b .Lidle

/* The tool's thread is gone: unmap the ring, put the rseq_cs word back,
 * load the frame the tool prepared in the code mapping. */
.Ldie:
	ldr x20, [x19, #CTL_FRAME]
	ldr x21, [x19, #CTL_RSEQ_ADDR]
	ldr x22, [x19, #CTL_RSEQ_VAL]
	ldr x0, [x19, #CTL_RING]
	ldr x1, [x19, #CTL_RING_LEN]
	mov x8, #__NR_munmap
.Lunmap_sc:
	svc #0
	cbz x21, 7f
	str x22, [x21]
7:	mov sp, x20
	mov x8, #__NR_rt_sigreturn
.Lsigreturn_sc:
	svc #0
	udf #0		/* not reached: a failed rt_sigreturn raises SIGSEGV */
.Lend:

/* Offsets into the code above, for the tool. */
	.section .rodata
	.balign 8
	.globl scr__agent_aarch64_layout
	.hidden scr__agent_aarch64_layout
scr__agent_aarch64_layout:
	.quad .Lend - scr__agent_aarch64
	.quad .Lcall_sc - scr__agent_aarch64
	.quad .Lyield_sc - scr__agent_aarch64
	.quad .Lwait_sc - scr__agent_aarch64
	.quad .Lwake_sc - scr__agent_aarch64
	.quad .Lunmap_sc - scr__agent_aarch64
	.quad .Lsigreturn_sc - scr__agent_aarch64

	.section .note.GNU-stack,"",%progbits
