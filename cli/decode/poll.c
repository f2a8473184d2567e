/* struct pollfd: [{fd=3, events=POLLIN, revents=POLLIN}]. */
#include "decode.h"

static const struct field pollfd_f[] = {
	{ "fd", FT_I32, SH_DEC, 0, NULL, NULL, 0, 0, 0, NULL },
	{ "events", FT_I16, SH_SYM, 0, "poll_events", NULL, 0, 0, 0, NULL },
	{ "revents", FT_I16, SH_SYM, 0, "poll_events", NULL, 0, 0, 0, NULL },
};
static const struct sdesc pollfd_d = { "pollfd", pollfd_f, NFIELDS(pollfd_f) };

static const struct sdesc *pollfd(const struct sys_abi *abi)
{
	(void)abi;
	return &pollfd_d;
}

static const struct dstruct structs[] = {
	{ "pollfd", pollfd, NULL, NULL, NULL },
	{ NULL, NULL, NULL, NULL, NULL },
};

const struct decoder decoder_poll = { "poll", structs, NULL };
