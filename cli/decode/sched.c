/*
 * CPU masks (sched_getaffinity's), as strace shows them: the numbers
 * of the CPUs in the set, [0 1]; JSON: [0,1].  The mask is as long as
 * the call says (its length argument, then its result), so it has no
 * size of its own here.
 */
#include <stdio.h>
#include <stdlib.h>

#include "decode.h"

static size_t cpu_mask_size(const struct sys_abi *abi)
{
	(void)abi;
	return 0;
}

static void cpu_mask_print(struct emit *e, const struct dctx *x,
			   const unsigned char *p, size_t len)
{
	char *text = NULL;
	size_t tlen = 0;
	FILE *m = NULL;
	int first = 1;

	(void)x;
	if (e->json)
		emit_arr_begin(e);
	else if (!(m = open_memstream(&text, &tlen)))
		return;
	else
		fputc('[', m);
	/* Bit i of the mask is CPU i: bytes in order, low bit first on
	 * the little-endian ABIs. */
	for (size_t i = 0; i < len * 8; i++) {
		if (!(p[i / 8] >> (i % 8) & 1))
			continue;
		if (e->json)
			emit_uint(e, i);
		else
			fprintf(m, first ? "%zu" : " %zu", i);
		first = 0;
	}
	if (e->json) {
		emit_arr_end(e);
		return;
	}
	fputc(']', m);
	fclose(m);
	emit_sym(e, text);
	free(text);
}

static const struct dstruct structs[] = {
	{ "cpu_mask", NULL, cpu_mask_size, cpu_mask_print, NULL },
	{ NULL, NULL, NULL, NULL, NULL },
};

const struct decoder decoder_sched = { "sched", structs, NULL };
