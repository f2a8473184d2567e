/*
 * libFuzzer harness for the call language of scremote(1) (cli/parse.c,
 * with the struct literals of cli/decode/), and for the output code
 * that shows what comes back from a target (cli/format.c and the
 * decoders), which is as untrusted as the command line.
 *
 * Input: one mode byte, then data.
 *   mode % 3 == 0: the data is one -e CALL; the next byte picks the
 *                  call's index (for $N references).
 *   mode % 3 == 1: the positional form; the text is split into words at
 *                  NUL bytes.
 *   mode % 3 == 2: the data is what a target wrote: shown as each type
 *                  the decoders know, in text and JSON.
 * A call that parses is then printed, text and JSON, with an outcome
 * built from the input bytes (return value, errno, buffers, an end), and
 * pointers read from the input too.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "abi.h"
#include "emit.h"
#include "format.h"
#include "parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static FILE *sink(void)
{
	static FILE *f;

	if (!f)
		f = fopen("/dev/null", "w");
	return f;
}

struct mem {
	const uint8_t *d;
	size_t n;
};

/* The "target's memory": the input bytes, wherever a pointer points. */
static long fake_read(void *opaque, unsigned long addr, void *buf, size_t len)
{
	const struct mem *m = opaque;
	size_t off = m->n ? addr % m->n : 0;
	size_t k = m->n - off < len ? m->n - off : len;

	if (!m->n || (addr & 0xf) == 0xf)
		return -1;
	memcpy(buf, m->d + off, k);
	return (long)k;
}

/* A made-up outcome: every field the printers read, from the bytes. */
static void fake_outcome(const struct call *c, const uint8_t *d, size_t n,
			 struct outcome *o)
{
	memset(o, 0, sizeof(*o));
	if (n >= 8)
		memcpy(&o->ret.sr_retval[0], d, 8);
	o->ret.sr_error = n > 8 ? d[8] % 140 : 0;
	o->ended = n > 9 && d[9] == 0xee;
	o->wstatus = n > 11 ? d[10] | d[11] << 8 : 0;
	for (unsigned int i = 0; i < c->nargs; i++) {
		const struct arg *a = &c->args[i];

		o->argv[i] = a->form == ARG_INT ? expr_eval(&a->expr, NULL) :
			     0x1000 + i;
		if (a->form == ARG_BUF || a->form == ARG_OUT ||
		    a->form == ARG_INTPTR || a->form == ARG_BLOB) {
			o->out[i] = (unsigned char *)d;
			o->outlen[i] = n;
		}
	}
	if (n > 12 && d[12] & 1)
		o->new_exe = (char *)"/usr/bin/new\x01program";
}

static void show(const struct call *c, const uint8_t *d, size_t n)
{
	struct mem m = { d, n };
	long left = n > 8 ? (long)d[7] : -1;
	struct dctx x = { abi_default(), fake_read, &m, left,
			  left >= 0 ? &left : NULL };
	struct outcome o;

	fake_outcome(c, d, n, &o);
	print_text(sink(), c, &o, &x);
	print_json(sink(), c, &o, &x);
	print_json_unrun(sink(), c, -(int)(n % 140), "m", &x);
	fmt_quoted(sink(), d, n, n / 2);
	fmt_json_string(sink(), d, n);
}

static void one_call(const uint8_t *d, size_t n)
{
	struct parse_err err;
	struct call c;
	unsigned int index = n ? 1 + d[0] % 8 : 1;
	char *text;

	if (n)
		d++, n--;
	text = malloc(n + 1);
	if (!text)
		return;
	memcpy(text, d, n);
	text[n] = '\0';		/* a command-line argument ends at a NUL */
	if (parse_call(abi_default(), text, index, &c, &err) == 0) {
		if (c.nargs > CLI_MAX_ARGS)
			abort();
		show(&c, d, n);
		call_free(&c);
	} else if (err.pos > strlen(text) + 1 || !err.msg[0]) {
		abort();	/* the caret must point into the text */
	}
	free(text);
}

static void words(const uint8_t *d, size_t n)
{
	char *text = malloc(n + 1), *w[64];
	struct parse_err err;
	struct call c;
	size_t nw = 0, joined = 0;

	if (!text)
		return;
	memcpy(text, d, n);
	text[n] = '\0';
	for (char *p = text; p <= text + n && nw < 64; p += strlen(p) + 1) {
		w[nw++] = p;
		joined += strlen(p) + 1;
	}
	if (parse_words(abi_default(), w, nw, &c, &err) == 0) {
		show(&c, d, n);
		call_free(&c);
	} else if (err.pos > joined || !err.msg[0]) {
		abort();
	}
	free(text);
}

/* Target memory shown as every type the decoders know. */
static void decoded(const uint8_t *d, size_t n)
{
	struct mem m = { d, n };
	struct dctx x = { abi_default(), fake_read, &m, -1, NULL };

	for (size_t i = 0; decoders[i]; i++)
		for (const struct dstruct *s = decoders[i]->structs;
		     s && s->name; s++)
			for (int json = 0; json < 2; json++) {
				struct emit e;

				emit_init(&e, sink(), json);
				decode_print(&e, &x, s->name, d, n, n % 3);
			}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	switch (data[0] % 3) {
	case 0:
		one_call(data + 1, size - 1);
		break;
	case 1:
		words(data + 1, size - 1);
		break;
	default:
		decoded(data + 1, size - 1);
	}
	return 0;
}
