/*
 * CPU masks (sched_getaffinity's), as strace shows them: the numbers
 * of the CPUs in the set, [0 1]; JSON: [0,1].  The mask is as long as
 * the call says (its length argument, then its result), so it has no
 * size of its own here.  And struct sched_param, one int: [0].
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* struct sched_param is one int, which strace shows as [0]. */
static size_t sched_param_size(const struct sys_abi *abi)
{
	(void)abi;
	return 4;
}

static void sched_param_print(struct emit *e, const struct dctx *x,
			      const unsigned char *p, size_t len)
{
	(void)x;
	if (len < 4) {
		emit_str(e, p, len);
		return;
	}
	emit_arr_begin(e);
	emit_int(e, (int)get_le(p, 4));
	emit_arr_end(e);
}

static int sched_param_parse(struct cur *c, const struct sys_abi *abi,
			     struct blob *b, size_t off)
{
	(void)abi;
	lex_skip_ws(c);
	return decode_parse_at(c, lex_peek(c) == '{' ? "sched_param_f" :
			       "int[1]", b, off);
}

static const struct field sched_param_f[] = {
	{ "sched_priority", FT_I32, SH_DEC, 0, NULL, NULL, 0, 0, 0, NULL },
};
static const struct sdesc sched_param_d = { "sched_param", sched_param_f, 1 };

static const struct sdesc *sched_param_desc(const struct sys_abi *abi)
{
	(void)abi;
	return &sched_param_d;
}

static const struct dstruct structs[] = {
	{ "cpu_mask", NULL, cpu_mask_size, cpu_mask_print, NULL },
	{ "sched_param", NULL, sched_param_size, sched_param_print,
	  sched_param_parse },
	{ "sched_param_f", sched_param_desc, NULL, NULL, NULL },
	{ NULL, NULL, NULL, NULL, NULL },
};

const struct decoder decoder_sched = { "sched", structs, NULL };
