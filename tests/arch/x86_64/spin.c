/* The x86_64 register spinner's C side: values in, comparison out. */
#include <stdio.h>
#include <string.h>

#include "spin.h"

#define WORDS 81

void spin_regs(const unsigned long *in, unsigned long *out);
extern volatile unsigned long spin_stop;

static unsigned long pattern(int i)
{
	return 0x9e3779b97f4a7c15UL * (unsigned long)(i + 1) ^ 0x5a5a0000UL;
}

bool spin_supported(void)
{
	return __builtin_cpu_supports("avx");
}

void spin_stop_now(void)
{
	spin_stop = 1;
}

int spin_and_check(char *why, size_t len)
{
	unsigned long in[WORDS], out[WORDS];
	static const char *const names[16] = {
		"rax", "rbx", "rcx", "rdx", "rsi", "rbp", "r8", "r9", "r10",
		"r11", "r12", "r13", "r14", "r15", "rdi", "rflags"
	};

	for (int i = 0; i < WORDS; i++)
		in[i] = pattern(i);
	in[15] = 0x7f80;	/* MXCSR: round toward zero, all masked */
	memset(out, 0, sizeof(out));
	spin_regs(in, out);
	for (int i = 0; i < 15; i++) {
		if (out[i] != in[i]) {
			snprintf(why, len, "%s is %#lx, was %#lx", names[i],
				 out[i], in[i]);
			return -1;
		}
	}
	if (!(out[15] & 0x400)) {
		snprintf(why, len, "DF was cleared (rflags %#lx)", out[15]);
		return -1;
	}
	for (int i = 16; i < 80; i++) {
		if (out[i] != in[i]) {
			snprintf(why, len, "ymm%d word %d is %#lx, was %#lx",
				 (i - 16) / 4, (i - 16) % 4, out[i], in[i]);
			return -1;
		}
	}
	if ((out[80] & 0xffff) != 0x7f80) {
		snprintf(why, len, "MXCSR is %#lx, was 0x7f80", out[80]);
		return -1;
	}
	return 0;
}
