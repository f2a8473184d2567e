/* struct utsname (uname: the kernel's new_utsname, 65-byte fields), and
 * the older ones i386 still has. */
#include "decode.h"

#define C(n, len) { n, FT_CHARS, SH_DEC, len, NULL, NULL, 0, 0, 0, NULL }

static const struct field new_f[] = {
	C("sysname", 65), C("nodename", 65), C("release", 65),
	C("version", 65), C("machine", 65), C("domainname", 65),
};
static const struct field old_f[] = {
	C("sysname", 65), C("nodename", 65), C("release", 65),
	C("version", 65), C("machine", 65),
};
static const struct field oldold_f[] = {
	C("sysname", 9), C("nodename", 9), C("release", 9),
	C("version", 9), C("machine", 9),
};
static const struct sdesc new_d = { "new_utsname", new_f, NFIELDS(new_f) };
static const struct sdesc old_d = { "old_utsname", old_f, NFIELDS(old_f) };
static const struct sdesc oldold_d = { "oldold_utsname", oldold_f,
				       NFIELDS(oldold_f) };

static const struct sdesc *new_(const struct sys_abi *a) { (void)a; return &new_d; }
static const struct sdesc *old_(const struct sys_abi *a) { (void)a; return &old_d; }
static const struct sdesc *oldold_(const struct sys_abi *a) { (void)a; return &oldold_d; }

static const struct dstruct structs[] = {
	{ "new_utsname", new_, NULL, NULL, NULL },
	{ "old_utsname", old_, NULL, NULL, NULL },
	{ "oldold_utsname", oldold_, NULL, NULL, NULL },
	{ NULL, NULL, NULL, NULL, NULL },
};

const struct decoder decoder_uname = { "uname", structs, NULL };
