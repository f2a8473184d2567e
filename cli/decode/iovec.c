/*
 * struct iovec: [{iov_base="hello", iov_len=5}].  In a literal,
 * iov_base is the bytes (placed apart, the field points to them; the
 * length follows them unless given) or buf(N) for readv to fill.
 */
#include "decode.h"

static const struct field iovec_f[] = {
	{ "iov_base", FT_PTR, SH_BUF, 0, NULL, NULL, 0, 0, 0, NULL },
	{ "iov_len", FT_ULONG, SH_DEC, 0, NULL, NULL, 0, 0, 0, NULL },
};
static const struct sdesc iovec_d = { "iovec", iovec_f, NFIELDS(iovec_f) };

static const struct sdesc *iovec(const struct sys_abi *abi)
{
	(void)abi;
	return &iovec_d;
}

static const struct dstruct structs[] = {
	{ "iovec", iovec, NULL, NULL, NULL },
	{ NULL, NULL, NULL, NULL, NULL },
};

const struct decoder decoder_iovec = { "iovec", structs, NULL };
