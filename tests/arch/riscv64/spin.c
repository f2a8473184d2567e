/* The riscv64 register spinner's C side: values in, comparison out. */
#include <stdio.h>
#include <string.h>

#include "spin.h"

#define WORDS 65
#define FREGS 32
#define FCSR 64

void spin_regs(const unsigned long *in, unsigned long *out);
extern unsigned long *volatile spin_flag;

static unsigned long pattern(int i)
{
	return 0x9e3779b97f4a7c15UL * (unsigned long)(i + 1) ^ 0x5a5a0000UL;
}

/* Every riscv64 Linux CPU has the F and D registers (vectors: the
 * kernels we test under have none to expose). */
bool spin_supported(void)
{
	return true;
}

void spin_stop_now(void)
{
	if (spin_flag)
		*spin_flag = 1;
}

int spin_and_check(char *why, size_t len)
{
	unsigned long in[WORDS], out[WORDS], gp, tp;

	__asm__("mv %0, gp" : "=r"(gp));
	__asm__("mv %0, tp" : "=r"(tp));
	for (int i = 0; i < WORDS; i++)
		in[i] = pattern(i);
	in[3] = gp;
	in[4] = tp;
	in[FCSR] = (1UL << 5) | 0x1f;	/* round toward zero, every flag */
	memset(out, 0, sizeof(out));
	spin_regs(in, out);
	for (int i = 1; i < 31; i++) {
		if (i != 2 && out[i] != in[i]) {
			snprintf(why, len, "x%d is %#lx, was %#lx", i, out[i],
				 in[i]);
			return -1;
		}
	}
	for (int i = FREGS; i < FCSR; i++) {
		if (out[i] != in[i]) {
			snprintf(why, len, "f%d is %#lx, was %#lx", i - FREGS,
				 out[i], in[i]);
			return -1;
		}
	}
	if (out[FCSR] != in[FCSR]) {
		snprintf(why, len, "fcsr is %#lx, was %#lx", out[FCSR], in[FCSR]);
		return -1;
	}
	return 0;
}
