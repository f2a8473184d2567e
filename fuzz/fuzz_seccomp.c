/*
 * libFuzzer harness for the classic BPF interpreter that judges injected
 * calls against a target's seccomp filters (lib/seccomp.c).  The filter
 * programs come from the target's kernel state, which the target chose;
 * the interpreter must never read or jump outside them, whatever they
 * hold.  lib/seccomp.c is included so that its private struct can be
 * filled from the input without a target or ptrace.
 *
 * Input: seccomp_data (nr, arch, ip, six args: 64 bytes), one byte with
 * the number of filters, then for each a 2-byte length (instructions,
 * 1..4096, cut to what is left) and its instructions (8 bytes each).
 */
#include "../lib/seccomp.c"

#include <stdio.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define HEAD 64

static size_t take(const uint8_t **d, size_t *n, void *out, size_t len)
{
	size_t k = *n < len ? *n : len;

	memset(out, 0, len);
	memcpy(out, *d, k);
	*d += k;
	*n -= k;
	return k;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct scr_filters *f;
	uint32_t nr, arch;
	uint64_t ip, args[6];
	uint8_t nf = 0;
	const uint8_t *d = data;
	size_t n = size;

	take(&d, &n, &nr, 4);
	take(&d, &n, &arch, 4);
	take(&d, &n, &ip, 8);
	take(&d, &n, args, sizeof(args));
	take(&d, &n, &nf, 1);
	f = calloc(1, sizeof(*f));
	if (!f)
		return 0;
	for (unsigned int i = 0; i < nf % (MAX_FILTERS + 1) && n >= 2; i++) {
		uint16_t len;

		take(&d, &n, &len, 2);
		len = (uint16_t)(len % MAX_INSNS + 1);
		if (len > n / sizeof(struct sock_filter))
			len = (uint16_t)(n / sizeof(struct sock_filter));
		if (len == 0)
			break;
		/* Exactly len instructions: ASan sees any read past them. */
		f->prog[f->n].insns = malloc(len * sizeof(struct sock_filter));
		if (!f->prog[f->n].insns)
			break;
		take(&d, &n, f->prog[f->n].insns, len * sizeof(struct sock_filter));
		f->prog[f->n].len = len;
		f->n++;
	}
	unsigned long a[6];

	for (int i = 0; i < 6; i++)
		a[i] = (unsigned long)args[i];
	uint32_t v = scr__filters_verdict(f, arch, (long)(int32_t)nr, ip, a,
					  (unsigned int)(size % 7));
	bool harms = scr__verdict_harms(v);

	/* With no filter everything is allowed. */
	if (f->n == 0 && (v != SECCOMP_RET_ALLOW || harms))
		abort();
	/* The same input gives the same verdict. */
	if (scr__filters_verdict(f, arch, (long)(int32_t)nr, ip, a,
				 (unsigned int)(size % 7)) != v)
		abort();
	scr__filters_free(f);
	return 0;
}
