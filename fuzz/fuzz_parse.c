/*
 * libFuzzer harness for the call language of scremote(1) (cli/parse.c),
 * and for the output code that shows what comes back from a target
 * (cli/format.c), which is as untrusted as the command line.
 *
 * Input: one mode byte, then text.
 *   mode & 1 == 0: the text is one -e CALL; the next byte picks the
 *                  call's index (for $N references).
 *   mode & 1 == 1: the positional form; the text is split into words at
 *                  NUL bytes.
 * A call that parses is then printed, text and JSON, with an outcome
 * built from the input bytes (return value, errno, buffers, an end).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "abi.h"
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
		o->argv[i] = c->args[i].value;
		if (c->args[i].kind == ARG_BUF) {
			o->out[i] = (unsigned char *)d;
			o->outlen[i] = n;
		} else if (c->args[i].kind == ARG_INTPTR) {
			o->have_int[i] = 1;
			o->outint[i] = (int)(n * 2654435761u);
		}
	}
	if (n > 12 && d[12] & 1)
		o->new_exe = (char *)"/usr/bin/new\x01program";
}

static void show(const struct call *c, const uint8_t *d, size_t n)
{
	struct outcome o;

	fake_outcome(c, d, n, &o);
	print_text(sink(), c, &o);
	print_json(sink(), 1, c, &o);
	print_json_unrun(sink(), 1, c, -(int)(n % 140));
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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	if (data[0] & 1)
		words(data + 1, size - 1);
	else
		one_call(data + 1, size - 1);
	return 0;
}
