/*
 * struct epoll_event: {events=EPOLLIN, data={u32=3, u64=3}}.  x86
 * declares it packed (12 bytes, data at offset 4); elsewhere data is
 * aligned (16 bytes).
 */
#include <string.h>

#include "decode.h"

static const struct field data_f[] = {
	{ "u32", FT_U32, SH_DEC, 0, NULL, NULL, 0, 0, 0, NULL },
	{ "u64", FT_U64, SH_DEC, 0, NULL, NULL, 0, 0, FF_SAME, NULL },
};
static const struct sdesc data_d = { "epoll_data", data_f, NFIELDS(data_f) };

static const struct field event_f[] = {
	{ "events", FT_U32, SH_SYM, 0, "epoll_events", NULL, 0, 0, 0, NULL },
	{ "data", FT_STRUCT, SH_DEC, 0, NULL, &data_d, 0, 0, 0, NULL },
};
static const struct field packed_f[] = {
	{ "events", FT_U32, SH_SYM, 0, "epoll_events", NULL, 0, 0, 0, NULL },
	{ "data", FT_STRUCT, SH_DEC, 0, NULL, &data_d, 0, 0, FF_PACKED, NULL },
};
static const struct sdesc event_d = { "epoll_event", event_f,
				      NFIELDS(event_f) };
static const struct sdesc packed_d = { "epoll_event", packed_f,
				       NFIELDS(packed_f) };

static const struct sdesc *epoll_event(const struct sys_abi *abi)
{
	return !strcmp(abi->name, "x86_64") || !strcmp(abi->name, "i386") ?
	       &packed_d : &event_d;
}

static const struct dstruct structs[] = {
	{ "epoll_event", epoll_event, NULL, NULL, NULL },
	{ NULL, NULL, NULL, NULL, NULL },
};

const struct decoder decoder_epoll = { "epoll", structs, NULL };
