/* The aarch64 register spinner's C side: values in, comparison out. */
#include <stdio.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/prctl.h>

#include "spin.h"

#ifndef HWCAP_SVE
#define HWCAP_SVE (1UL << 22)
#endif
#ifndef PR_SVE_GET_VL
#define PR_SVE_GET_VL 51
#endif

#define WORDS 98
#define X16 16
#define NZCV 31
#define FPCR 32
#define FPSR 33
#define VREGS 34
/* z0-z31, p0-p15 and FFR at the largest vector length (256 bytes). */
#define ZMAX (32 * 256 + 17 * 32)

void spin_regs(const unsigned long *in, unsigned long *out,
	       const unsigned char *zin, unsigned char *zout);
extern unsigned long *volatile spin_flag;

static unsigned long pattern(int i)
{
	return 0x9e3779b97f4a7c15UL * (unsigned long)(i + 1) ^ 0x5a5a0000UL;
}

/* Every aarch64 Linux CPU has FP/SIMD; SVE is checked where present. */
bool spin_supported(void)
{
	return true;
}

void spin_stop_now(void)
{
	if (spin_flag)
		*spin_flag = 1;
}

static int sve_vl(void)
{
	if (!(getauxval(AT_HWCAP) & HWCAP_SVE))
		return 0;
	return prctl(PR_SVE_GET_VL) & 0xffff;
}

static int check_sve(const unsigned char *zin, const unsigned char *zout,
		     int vl, char *why, size_t len)
{
	size_t plen = (size_t)vl / 8, zsize = 32 * (size_t)vl;

	for (int z = 0; z < 32; z++) {
		const unsigned char *a = zin + z * vl, *b = zout + z * vl;

		if (memcmp(a, b, (size_t)vl)) {
			int i = 0;

			while (a[i] == b[i])
				i++;
			snprintf(why, len, "z%d byte %d is %#x, was %#x (VL %d)",
				 z, i, b[i], a[i], vl);
			return -1;
		}
	}
	for (int p = 0; p < 17; p++) {
		if (memcmp(zin + zsize + p * plen, zout + zsize + p * plen,
			   plen)) {
			snprintf(why, len, "%s%d differs (VL %d)",
				 p == 16 ? "ffr" : "p", p == 16 ? 0 : p, vl);
			return -1;
		}
	}
	return 0;
}

int spin_and_check(char *why, size_t len)
{
	static unsigned char zin[ZMAX], zout[ZMAX];
	unsigned long in[WORDS], out[WORDS];
	int vl = sve_vl();

	for (int i = 0; i < WORDS; i++)
		in[i] = pattern(i);
	in[X16] = 0;
	in[NZCV] = 0xa0000000UL;	/* N and C */
	in[FPCR] = 0x00c00000UL;	/* round toward zero */
	in[FPSR] = 0x1fUL;		/* every cumulative flag */
	memset(out, 0, sizeof(out));
	if (vl > 0) {
		size_t zsize = 32 * (size_t)vl, plen = (size_t)vl / 8;

		for (size_t i = 0; i < zsize + 16 * plen; i++)
			zin[i] = (unsigned char)(pattern((int)i) >> 17);
		/* FFR must be a prefix: the first 7 lanes of bytes. */
		memset(zin + zsize + 16 * plen, 0, plen);
		zin[zsize + 16 * plen] = 0x7f;
		/* The low 128 bits of z are the v registers. */
		for (int z = 0; z < 32; z++)
			memcpy(&in[VREGS + 2 * z], zin + z * vl, 16);
	}
	spin_regs(in, out, vl > 0 ? zin : NULL, vl > 0 ? zout : NULL);
	for (int i = 0; i < 31; i++) {
		if (i != X16 && out[i] != in[i]) {
			snprintf(why, len, "x%d is %#lx, was %#lx", i, out[i],
				 in[i]);
			return -1;
		}
	}
	if ((out[NZCV] & 0xf0000000UL) != in[NZCV]) {
		snprintf(why, len, "NZCV is %#lx, was %#lx", out[NZCV], in[NZCV]);
		return -1;
	}
	if (out[FPCR] != in[FPCR] || out[FPSR] != in[FPSR]) {
		snprintf(why, len, "FPCR/FPSR are %#lx/%#lx, were %#lx/%#lx",
			 out[FPCR], out[FPSR], in[FPCR], in[FPSR]);
		return -1;
	}
	for (int i = VREGS; i < WORDS; i++) {
		if (out[i] != in[i]) {
			snprintf(why, len, "v%d word %d is %#lx, was %#lx",
				 (i - VREGS) / 2, (i - VREGS) % 2, out[i], in[i]);
			return -1;
		}
	}
	return vl > 0 ? check_sve(zin, zout, vl, why, len) : 0;
}
