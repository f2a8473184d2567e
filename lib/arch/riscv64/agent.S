/*
 * The in-target agent, riscv64 (see lib/agent.c for the protocol and
 * lib/agent_abi.h for the memory it shares with the tool).
 *
 * Data in the tool (.rodata), copied into a sealed memfd the target maps
 * read+exec: no relocations (norelax: the assembler resolves every
 * branch itself), no calls, fixed-size instructions (norvc).
 *
 * Entry: a0 = the control block, sp = a stack in the ring (for a signal
 * handler only), every signal but SIGTRAP and the fault signals
 * blocked (the engine's call mask).
 *
 * Registers: s1 control block, s2 the last request served, s6 idle
 * rounds left (or calls in the request), s8 spins left, s3 the slots,
 * s4 the results, s5 the index of the call, s7 its flags, s9 the death
 * word.  ecall changes a0 only.
 */
#include <asm/unistd.h>

#include "agent_abi.h"

	.option norvc
	.option norelax

/* Argument register reg holds a reference if bit is set in t0: take
 * that call's result (-1 for an error, as the ptrace path passes). */
.macro REF bit, reg
	andi t1, t0, (1 << \bit)
	beqz t1, 4f
	slli \reg, \reg, 3
	add \reg, s4, \reg
	ld \reg, 0(\reg)
	li t1, -4095
	bltu \reg, t1, 4f
	li \reg, -1
4:
.endm

	.section .rodata.scr_agent, "a"
	.balign 64
	.globl scr__agent_riscv64
	.hidden scr__agent_riscv64
scr__agent_riscv64:
	mv s1, a0
	lw s2, CTL_ACK(s1)

/* Wait for a request: spin a while, then sleep on the death word. */
.Lidle:
	ld s6, CTL_SPIN(s1)
.Lround:
	li s8, AGENT_SPINS_PER_YIELD
1:	lw a0, CTL_POST(s1)
	bne a0, s2, .Lrun
	ld t0, CTL_DEATH(s1)
	lw t1, 0(t0)
	li t2, AGENT_FUTEX_OWNER_DIED
	and t1, t1, t2
	bnez t1, .Ldie
	.4byte 0x0100000f	/* pause (Zihintpause; a no-op hint without it) */
	addi s8, s8, -1
	bnez s8, 1b
	li a7, __NR_sched_yield
.Lyield_sc:
	ecall
	addi s6, s6, -1
	bgtz s6, .Lround

/* Arm the death word (WAITERS), look for a request once more, sleep. */
	ld s9, CTL_DEATH(s1)
2:	lr.w.aqrl t1, (s9)
	li t2, AGENT_FUTEX_OWNER_DIED
	and t3, t1, t2
	bnez t3, .Ldie
	li t2, AGENT_FUTEX_WAITERS
	or t4, t1, t2
	sext.w t4, t4
	beq t4, t1, 3f
	sc.w.aqrl t5, t4, (s9)
	bnez t5, 2b
3:	fence rw, rw
	lw a0, CTL_POST(s1)
	bne a0, s2, .Lrun
	mv a0, s9
	li a1, AGENT_FUTEX_WAIT
	mv a2, t4
	li a3, 0
	li a7, __NR_futex
.Lwait_sc:
	ecall
	j .Lidle

/* Run the request's calls in order. */
.Lrun:
	fence r, rw
	mv s2, a0
	lwu s6, CTL_N(s1)
	ld s3, CTL_SLOTS(s1)
	ld s4, CTL_RESULTS(s1)
	lwu s7, CTL_FLAGS(s1)
	li s5, 0
.Lnext:
	bgeu s5, s6, .Ldone
	ld t0, CTL_DEATH(s1)
	lw t1, 0(t0)
	li t2, AGENT_FUTEX_OWNER_DIED
	and t1, t1, t2
	bnez t1, .Ldie
	slli t6, s5, AGENT_SLOT_SHIFT
	add t6, s3, t6
	lwu t0, SLOT_REF(t6)
	ld a0, SLOT_ARGS+0(t6)
	REF 0, a0
	ld a1, SLOT_ARGS+8(t6)
	REF 1, a1
	ld a2, SLOT_ARGS+16(t6)
	REF 2, a2
	ld a3, SLOT_ARGS+24(t6)
	REF 3, a3
	ld a4, SLOT_ARGS+32(t6)
	REF 4, a4
	ld a5, SLOT_ARGS+40(t6)
	REF 5, a5
	ld a7, SLOT_NR(t6)
.Lcall_sc:
	ecall
	slli t1, s5, 3
	add t1, s4, t1
	sd a0, 0(t1)
	addi s5, s5, 1
	fence rw, w
	sw s5, CTL_NDONE(s1)
	andi t1, s7, AGENT_STOP_ON_ERROR
	beqz t1, .Lnext
	li t1, -4095
	bltu a0, t1, .Lnext

/* Say the request is done; wake the tool if it sleeps. */
.Ldone:
	fence rw, w
	sw s2, CTL_ACK(s1)
	fence rw, rw
	lw t1, CTL_TSLEEP(s1)
	beqz t1, .Lidle
	addi a0, s1, CTL_ACK
	li a1, AGENT_FUTEX_WAKE
	li a2, 1
	li a7, __NR_futex
.Lwake_sc:
	ecall
	j .Lidle

/* The tool's thread is gone: unmap the ring, put the rseq_cs word back,
 * load the frame the tool prepared in the code mapping. */
.Ldie:
	ld s9, CTL_FRAME(s1)
	ld s10, CTL_RSEQ_ADDR(s1)
	ld s11, CTL_RSEQ_VAL(s1)
	ld a0, CTL_RING(s1)
	ld a1, CTL_RING_LEN(s1)
	li a7, __NR_munmap
.Lunmap_sc:
	ecall
	beqz s10, 5f
	sd s11, 0(s10)
5:	mv sp, s9
	li a7, __NR_rt_sigreturn
.Lsigreturn_sc:
	ecall
	unimp		/* not reached: a failed rt_sigreturn raises SIGSEGV */
.Lend:

/* Offsets into the code above, for the tool. */
	.section .rodata
	.balign 8
	.globl scr__agent_riscv64_layout
	.hidden scr__agent_riscv64_layout
scr__agent_riscv64_layout:
	.quad .Lend - scr__agent_riscv64
	.quad .Lcall_sc - scr__agent_riscv64
	.quad .Lyield_sc - scr__agent_riscv64
	.quad .Lwait_sc - scr__agent_riscv64
	.quad .Lwake_sc - scr__agent_riscv64
	.quad .Lunmap_sc - scr__agent_riscv64
	.quad .Lsigreturn_sc - scr__agent_riscv64

	.section .note.GNU-stack,"",@progbits
