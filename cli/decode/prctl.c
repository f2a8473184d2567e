/*
 * prctl's and arch_prctl's second argument: a number for most options,
 * but where the kernel writes through it (PR_GET_NAME's 16 bytes,
 * PR_GET_PDEATHSIG's int, ARCH_GET_FS's word) a place for the call to
 * write, so that a raw address from a trace is refused there as for
 * every output pointer (buf(N), int(N) or strace's [...] instead).
 */
#include "decode.h"

static void prctl_arg(const struct sys_abi *abi, unsigned int i,
		      const unsigned long *v, const unsigned char *known,
		      struct argtype *t)
{
	static const char *const int_out[] = {
		"PR_GET_PDEATHSIG", "PR_GET_CHILD_SUBREAPER", "PR_GET_TSC",
		"PR_GET_ENDIAN", "PR_GET_FPEMU", "PR_GET_FPEXC",
		"PR_GET_UNALIGN", NULL
	};
	unsigned long opt = v[0];

	if (i != 1 || !known[0])
		return;
	if (sym_is(abi, opt, "PR_GET_NAME"))
		argtype_set(t, SCR_ARG_OUT, "task_comm");
	else if (sym_is(abi, opt, "PR_SET_NAME"))
		argtype_set(t, SCR_ARG_STR, NULL);
	else if (sym_is(abi, opt, "PR_GET_TID_ADDRESS"))
		argtype_set(t, SCR_ARG_OUT, "addr_word");
	else if (sym_is_any(abi, opt, int_out))
		argtype_set(t, SCR_ARG_OUT, "int");
	else if (sym_is(abi, opt, "PR_SET_PDEATHSIG"))
		argtype_set(t, SCR_ARG_SIGNAL, NULL);
}

static void arch_prctl_arg(const struct sys_abi *abi, unsigned int i,
			   const unsigned long *v, const unsigned char *known,
			   struct argtype *t)
{
	static const char *const word_out[] = {
		"ARCH_GET_FS", "ARCH_GET_GS", "ARCH_GET_UNTAG_MASK", NULL
	};
	static const char *const u64_out[] = {
		"ARCH_GET_XCOMP_SUPP", "ARCH_GET_XCOMP_PERM",
		"ARCH_GET_XCOMP_GUEST_PERM", NULL
	};

	if (i != 1 || !known[0])
		return;
	if (sym_is_any(abi, v[0], word_out))
		argtype_set(t, SCR_ARG_OUT, "addr_word");
	else if (sym_is_any(abi, v[0], u64_out))
		argtype_set(t, SCR_ARG_OUT, "u64");
	else if (sym_is(abi, v[0], "ARCH_GET_MAX_TAG_BITS"))
		argtype_set(t, SCR_ARG_OUT, "int");
}

/* PR_GET_NAME's 16 bytes, shown as the string they hold. */
static size_t comm_size(const struct sys_abi *abi)
{
	(void)abi;
	return 16;
}

static void comm_print(struct emit *e, const struct dctx *x,
		       const unsigned char *p, size_t len)
{
	size_t n = 0;

	(void)x;
	while (n < len && p[n])
		n++;
	emit_str(e, p, n);
}

/* ARCH_GET_FS's word, an address: [0x7f...]. */
static size_t word_size(const struct sys_abi *abi)
{
	return abi->word_size;
}

static void word_print(struct emit *e, const struct dctx *x,
		       const unsigned char *p, size_t len)
{
	unsigned int n = x->abi->word_size;

	emit_arr_begin(e);
	if (len >= n)
		emit_hex(e, get_le(p, n));
	emit_arr_end(e);
}

static const struct dstruct structs[] = {
	{ "task_comm", NULL, comm_size, comm_print, NULL },
	{ "addr_word", NULL, word_size, word_print, NULL },
	{ NULL, NULL, NULL, NULL, NULL },
};

static const struct callhook hooks[] = {
	{ "prctl", prctl_arg, NULL, NULL },
	{ "arch_prctl", arch_prctl_arg, NULL, NULL },
	{ NULL, NULL, NULL, NULL },
};

const struct decoder decoder_prctl = { "prctl", structs, hooks };
