/*
 * Signal sets (sigset_t: 64 bits on the four ABIs), as strace shows
 * them: [INT TERM], ~[KILL STOP] for the complement of a set with most
 * signals in it, [] for none; real-time signals RTMIN, RT_1...  JSON:
 * the list of the signals in the set, by full name.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"

#define NSIG_KERNEL 64

/* "INT" for 2 (without SIG), "RTMIN" for 32, "RT_3" for 35 (the
 * kernel's real-time signals, as strace counts them), or the number. */
static void sig_short(const struct sys_abi *abi, unsigned int sig, char *buf,
		      size_t size)
{
	const char *n = sym_name(abi, "signal", sig);

	if (n && !strncmp(n, "SIG", 3))
		snprintf(buf, size, "%s", n + 3);
	else
		snprintf(buf, size, "%u", sig);
}

static void sigset_print(struct emit *e, const struct dctx *x,
			 const unsigned char *p, size_t len)
{
	unsigned long long set = get_le(p, len >= 8 ? 8 : (unsigned int)len);
	int inverse = !e->json && __builtin_popcountll(set) > NSIG_KERNEL / 2;
	char buf[64], *text = NULL;
	size_t tlen = 0;
	FILE *m;

	if (e->json) {
		emit_arr_begin(e);
		for (unsigned int sig = 1; sig <= NSIG_KERNEL; sig++)
			if (set >> (sig - 1) & 1) {
				sig_short(x->abi, sig, buf + 3, sizeof(buf) - 3);
				memcpy(buf, "SIG", 3);
				emit_sym(e, isdigit((unsigned char)buf[3]) ?
					 buf + 3 : buf);
			}
		emit_arr_end(e);
		return;
	}
	/* Text: one token, "[INT TERM]", written whole. */
	m = open_memstream(&text, &tlen);
	if (!m)
		return;
	fputs(inverse ? "~[" : "[", m);
	for (unsigned int sig = 1, first = 1; sig <= NSIG_KERNEL; sig++)
		if ((set >> (sig - 1) & 1) != (unsigned long long)inverse) {
			sig_short(x->abi, sig, buf, sizeof(buf));
			fprintf(m, "%s%s", first ? "" : " ", buf);
			first = 0;
		}
	fputc(']', m);
	fclose(m);
	emit_sym(e, text);
	free(text);
}

/* One signal of a set: INT, SIGINT, RTMIN, RT_3, RTMAX or a number. */
static int parse_sig(struct cur *c, const struct sys_abi *abi,
		     unsigned int *sig)
{
	size_t start = c->pos, n = lex_ident_len(c);
	char name[64];
	const struct sys_const *k;
	unsigned long v;

	if (!n && isdigit((unsigned char)lex_peek(c))) {
		if (lex_magnitude(c, &v) < 0)
			return -1;
		if (v < 1 || v > NSIG_KERNEL)
			return lex_fail(c, start, c->pos - start, "signals are "
					"1..%d", NSIG_KERNEL);
		*sig = (unsigned int)v;
		return 0;
	}
	if (!n || n > 40)
		return lex_fail(c, start, lex_token_len(c, start), "expected a "
				"signal name, as INT or SIGINT");
	c->pos += n;
	snprintf(name, sizeof(name), "%s%.*s",
		 strncmp(c->s + start, "SIG", 3) ? "SIG" : "", (int)n,
		 c->s + start);
	k = scr__const_by_name(abi, name, strlen(name));
	if (k && k->value >= 1 && k->value <= NSIG_KERNEL) {
		*sig = (unsigned int)k->value;
		return 0;
	}
	return lex_fail(c, start, n, "unknown signal '%.*s'", SHOW(c, start, n));
}

static int sigset_parse(struct cur *c, const struct sys_abi *abi,
			struct blob *b, size_t off)
{
	unsigned long long set = 0;
	int inverse = 0;

	lex_skip_ws(c);
	if (lex_peek(c) == '~') {
		inverse = 1;
		c->pos++;
	}
	if (lex_peek(c) != '[')
		return lex_fail(c, c->pos, lex_token_len(c, c->pos),
				"a signal set is written [INT TERM]");
	c->pos++;
	lex_skip_ws(c);
	while (lex_peek(c) != ']') {
		unsigned int sig = 0;

		if (lex_at_end(c))
			return lex_fail(c, c->pos, 1, "signal set has no closing "
					"']'");
		if (parse_sig(c, abi, &sig) < 0)
			return -1;
		set |= 1ULL << (sig - 1);
		lex_skip_ws(c);
		if (lex_peek(c) == ',') {
			c->pos++;
			lex_skip_ws(c);
		}
	}
	c->pos++;
	blob_put(b, off, 8, inverse ? ~set : set);
	return 0;
}

static size_t sigset_size(const struct sys_abi *abi)
{
	(void)abi;
	return 8;
}

/* stack_t (the kernel's struct sigaltstack): {ss_sp=NULL,
 * ss_flags=SS_DISABLE, ss_size=0}. */
static const struct field sigaltstack_f[] = {
	{ "ss_sp", FT_PTR, SH_PTR, 0, NULL, NULL, 0, 0, 0, NULL },
	{ "ss_flags", FT_I32, SH_SYM, 0, "ss_flags", NULL, 0, 0, 0, NULL },
	{ "ss_size", FT_ULONG, SH_DEC, 0, NULL, NULL, 0, 0, 0, NULL },
};
static const struct sdesc sigaltstack_d = { "sigaltstack", sigaltstack_f,
					    NFIELDS(sigaltstack_f) };

static const struct sdesc *sigaltstack_desc(const struct sys_abi *abi)
{
	(void)abi;
	return &sigaltstack_d;
}

static const struct dstruct structs[] = {
	{ "sigset_t", NULL, sigset_size, sigset_print, sigset_parse },
	{ "sigaltstack", sigaltstack_desc, NULL, NULL, NULL },
	{ NULL, NULL, NULL, NULL, NULL },
};

const struct decoder decoder_signal = { "signal", structs, NULL };
