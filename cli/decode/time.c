/*
 * Times: struct timespec (the kernel's __kernel_timespec, 64-bit
 * seconds on every ABI, and old_timespec32), struct timeval (the
 * ABI's long), itimerspec, itimerval, timezone.  strace's form:
 * {tv_sec=1, tv_nsec=0}, {it_interval={...}, it_value={...}}.
 */
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

/* By the names the tables give (the kernel's, __kernel_ taken off). */
static const struct dstruct structs[] = {
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
