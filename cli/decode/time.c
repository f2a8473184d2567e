/*
 * Times: struct timespec (the kernel's __kernel_timespec, 64-bit
 * seconds on every ABI, and old_timespec32), struct timeval (the
 * ABI's long), itimerspec, itimerval, timezone.  strace's form:
 * {tv_sec=1, tv_nsec=0}, {it_interval={...}, it_value={...}}.
 */
#include <string.h>

#include "decode.h"

#define F(n, t) { n, t, SH_DEC, 0, NULL, NULL, 0, 0, 0, NULL }
#define SUB(n, d) { n, FT_STRUCT, SH_DEC, 0, NULL, d, 0, 0, 0, NULL }

static const struct field timespec_f[] = {
	F("tv_sec", FT_I64), F("tv_nsec", FT_I64),
};
static const struct field timespec32_f[] = {
	F("tv_sec", FT_I32), F("tv_nsec", FT_I32),
};
static const struct field timeval_f[] = {
	F("tv_sec", FT_LONG), F("tv_usec", FT_LONG),
};
static const struct field timeval32_f[] = {
	F("tv_sec", FT_I32), F("tv_usec", FT_I32),
};
static const struct field timezone_f[] = {
	F("tz_minuteswest", FT_I32), F("tz_dsttime", FT_I32),
};

static const struct sdesc timespec_d = { "timespec", timespec_f, 2 };
static const struct sdesc timespec32_d = { "old_timespec32", timespec32_f, 2 };
static const struct sdesc timeval_d = { "timeval", timeval_f, 2 };
static const struct sdesc timeval32_d = { "old_timeval32", timeval32_f, 2 };
static const struct sdesc timezone_d = { "timezone", timezone_f, 2 };

static const struct field itimerspec_f[] = {
	SUB("it_interval", &timespec_d), SUB("it_value", &timespec_d),
};
static const struct field itimerspec32_f[] = {
	SUB("it_interval", &timespec32_d), SUB("it_value", &timespec32_d),
};
static const struct field itimerval_f[] = {
	SUB("it_interval", &timeval_d), SUB("it_value", &timeval_d),
};
static const struct sdesc itimerspec_d = { "itimerspec", itimerspec_f, 2 };
static const struct sdesc itimerspec32_d = { "old_itimerspec32",
					     itimerspec32_f, 2 };
static const struct sdesc itimerval_d = { "itimerval", itimerval_f, 2 };

#define GETTER(fn, d)						\
	static const struct sdesc *fn(const struct sys_abi *abi)	\
	{							\
		(void)abi;					\
		return &d;					\
	}

GETTER(timespec, timespec_d)
GETTER(timespec32, timespec32_d)
GETTER(timeval, timeval_d)
GETTER(timeval32, timeval32_d)
GETTER(timezone_, timezone_d)
GETTER(itimerspec, itimerspec_d)
GETTER(itimerspec32, itimerspec32_d)
GETTER(itimerval, itimerval_d)

/*
 * utimensat's times: strace shows UTIME_NOW and UTIME_OMIT (special
 * nanoseconds) by name, and any other time followed by its date, to
 * the nanosecond when it has any: [UTIME_NOW, {tv_sec=1, tv_nsec=5}
 * /\* 1970-01-01T00:00:01.000000005+0000 *\/].
 */
#define UTIME_NOW_NS ((1LL << 30) - 1)
#define UTIME_OMIT_NS ((1LL << 30) - 2)

static const char *utime_name(long long nsec)
{
	return nsec == UTIME_NOW_NS ? "UTIME_NOW" :
	       nsec == UTIME_OMIT_NS ? "UTIME_OMIT" : NULL;
}

static size_t utimespec_size(const struct sys_abi *abi)
{
	return sdesc_size(&timespec_d, abi);
}

static void utimespec_print(struct emit *e, const struct dctx *x,
			    const unsigned char *p, size_t len)
{
	long long sec, nsec;

	if (len < 16) {
		sdesc_print(e, x, &timespec_d, p, len);
		return;
	}
	sec = (long long)get_le(p, 8);
	nsec = (long long)get_le(p + 8, 8);
	if (utime_name(nsec)) {
		emit_sym(e, utime_name(nsec));
		return;
	}
	sdesc_print(e, x, &timespec_d, p, len);
	emit_date_note(e, sec, nsec > 0 ? (unsigned long long)nsec : 0);
}

static int utimespec_parse(struct cur *c, const struct sys_abi *abi,
			   struct blob *b, size_t off)
{
	size_t n;

	(void)abi;
	lex_skip_ws(c);
	n = lex_ident_len(c);
	if ((n == 9 && !memcmp(c->s + c->pos, "UTIME_NOW", 9)) ||
	    (n == 10 && !memcmp(c->s + c->pos, "UTIME_OMIT", 10))) {
		blob_put(b, off, 8, 0);
		blob_put(b, off + 8, 8, n == 9 ? UTIME_NOW_NS : UTIME_OMIT_NS);
		c->pos += n;
		return 0;
	}
	return sdesc_parse(c, &timespec_d, b, off);
}

/* By the names the tables give (the kernel's, __kernel_ taken off). */
static const struct dstruct structs[] = {
	{ "utimespec", NULL, utimespec_size, utimespec_print, utimespec_parse },
	{ "timespec", timespec, NULL, NULL, NULL },
	{ "old_timespec32", timespec32, NULL, NULL, NULL },
	{ "old_timeval", timeval, NULL, NULL, NULL },
	{ "timeval", timeval, NULL, NULL, NULL },
	{ "old_timeval32", timeval32, NULL, NULL, NULL },
	{ "timezone", timezone_, NULL, NULL, NULL },
	{ "itimerspec", itimerspec, NULL, NULL, NULL },
	{ "old_itimerspec32", itimerspec32, NULL, NULL, NULL },
	{ "old_itimerval", itimerval, NULL, NULL, NULL },
	{ NULL, NULL, NULL, NULL, NULL },
};

const struct decoder decoder_time = { "time", structs, NULL };
