/*
 * Resource limits: struct rlimit (getrlimit, setrlimit: the ABI's
 * unsigned long) and struct rlimit64 (prlimit64: 64 bits everywhere),
 * shown as strace does: {rlim_cur=8192*1024, rlim_max=RLIM64_INFINITY}.
 */
#include "decode.h"

static const struct field rlimit_f[] = {
	{ "rlim_cur", FT_ULONG, SH_RLIM, 0, "RLIM_INFINITY", NULL, 0, 0, 0, NULL },
	{ "rlim_max", FT_ULONG, SH_RLIM, 0, "RLIM_INFINITY", NULL, 0, 0, 0, NULL },
};
/* strace names a 64-bit ABI's infinity RLIM64_INFINITY in both. */
static const struct field rlimit_wide_f[] = {
	{ "rlim_cur", FT_ULONG, SH_RLIM, 0, "RLIM64_INFINITY", NULL, 0, 0, 0, NULL },
	{ "rlim_max", FT_ULONG, SH_RLIM, 0, "RLIM64_INFINITY", NULL, 0, 0, 0, NULL },
};
static const struct field rlimit64_f[] = {
	{ "rlim_cur", FT_U64, SH_RLIM, 0, "RLIM64_INFINITY", NULL, 0, 0, 0, NULL },
	{ "rlim_max", FT_U64, SH_RLIM, 0, "RLIM64_INFINITY", NULL, 0, 0, 0, NULL },
};
static const struct sdesc rlimit_d = { "rlimit", rlimit_f, NFIELDS(rlimit_f) };
static const struct sdesc rlimit_wide_d = { "rlimit", rlimit_wide_f,
					    NFIELDS(rlimit_wide_f) };
static const struct sdesc rlimit64_d = { "rlimit64", rlimit64_f,
					 NFIELDS(rlimit64_f) };

static const struct sdesc *rlimit(const struct sys_abi *abi)
{
	return abi->word_size == 8 ? &rlimit_wide_d : &rlimit_d;
}

static const struct sdesc *rlimit64(const struct sys_abi *abi)
{
	(void)abi;
	return &rlimit64_d;
}

static const struct dstruct structs[] = {
	{ "rlimit", rlimit, NULL, NULL, NULL },
	{ "rlimit64", rlimit64, NULL, NULL, NULL },
	{ NULL, NULL, NULL, NULL, NULL },
};

const struct decoder decoder_rlimit = { "rlimit", structs, NULL };
