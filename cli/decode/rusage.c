/*
 * struct rusage (getrusage, wait4): two timevals of the ABI's long and
 * fourteen longs, shown with every field as strace -v does; strace's
 * own "..." after ru_stime is read as "the rest is output".
 */
#include "decode.h"

#define L(n) { n, FT_LONG, SH_DEC, 0, NULL, NULL, 0, 0, 0, NULL }
#define TV(n) { n, FT_STRUCT, SH_DEC, 0, NULL, &timeval_d, 0, 0, 0, NULL }

static const struct field timeval_f[] = {
	L("tv_sec"), L("tv_usec"),
};
static const struct sdesc timeval_d = { "timeval", timeval_f, 2 };

static const struct field rusage_f[] = {
	TV("ru_utime"), TV("ru_stime"), L("ru_maxrss"), L("ru_ixrss"),
	L("ru_idrss"), L("ru_isrss"), L("ru_minflt"), L("ru_majflt"),
	L("ru_nswap"), L("ru_inblock"), L("ru_oublock"), L("ru_msgsnd"),
	L("ru_msgrcv"), L("ru_nsignals"), L("ru_nvcsw"), L("ru_nivcsw"),
};
static const struct sdesc rusage_d = { "rusage", rusage_f, NFIELDS(rusage_f) };

static const struct sdesc *rusage(const struct sys_abi *abi)
{
	(void)abi;
	return &rusage_d;
}

static const struct dstruct structs[] = {
	{ "rusage", rusage, NULL, NULL, NULL },
	{ NULL, NULL, NULL, NULL, NULL },
};

const struct decoder decoder_rusage = { "rusage", structs, NULL };
