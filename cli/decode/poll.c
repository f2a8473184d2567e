/*
 * struct pollfd as strace shows poll's array: what the call was asked,
 * [{fd=3, events=POLLIN}, {fd=-1}] (a negative fd is ignored, so are
 * its events), and what it answered after the result:
 * = 1 ([{fd=3, revents=POLLIN}]), = 0 (Timeout).  JSON has every field.
 */
#include <string.h>

#include "decode.h"

static const struct field pollfd_f[] = {
	{ "fd", FT_I32, SH_DEC, 0, NULL, NULL, 0, 0, 0, NULL },
	{ "events", FT_I16, SH_SYM, 0, "poll_events", NULL, 0, 0, 0, NULL },
	{ "revents", FT_I16, SH_SYM, 0, "poll_events", NULL, 0, 0, 0, NULL },
};
static const struct sdesc pollfd_d = { "pollfd", pollfd_f, NFIELDS(pollfd_f) };

#define POLLFD_SIZE 8	/* the same on every ABI */

static const struct sdesc *pollfd(const struct sys_abi *abi)
{
	(void)abi;
	return &pollfd_d;
}

static void pollfd_print(struct emit *e, const struct dctx *x,
			 const unsigned char *p, size_t len)
{
	int fd;

	if (e->json || len < POLLFD_SIZE) {
		sdesc_print(e, x, &pollfd_d, p, len);
		return;
	}
	fd = (int)get_le(p, 4);
	emit_obj_begin(e);
	emit_key(e, "fd");
	emit_int(e, fd);
	if (fd >= 0) {
		emit_key(e, "events");
		emit_family(e, x->abi, "poll_events", get_le(p + 4, 2));
	}
	emit_obj_end(e);
}

/* The entries with revents, then for ppoll the time left (the kernel
 * rewrites the timeout in place: read it again). */
static void poll_result(FILE *f, const struct dctx *x, const char *call,
			long r, const unsigned long *v,
			unsigned char *const *out, const size_t *outlen)
{
	const char *ts = !strcmp(call, "ppoll_time32") ? "old_timespec32" :
			 "timespec";
	unsigned char left[16];
	size_t n = out[0] ? outlen[0] / POLLFD_SIZE : 0;
	long got = -1;
	struct emit e;

	if (r == 0) {
		fputs(" (Timeout)", f);
		return;
	}
	if (n > v[1])
		n = v[1];
	if (strcmp(call, "poll") && v[2] && x->read &&
	    decode_size(x->abi, ts) <= sizeof(left))
		got = x->read(x->opaque, v[2], left, decode_size(x->abi, ts));
	if (!out[0] && got <= 0)
		return;
	fputs(" (", f);
	emit_init(&e, f, 0);
	if (out[0]) {
		emit_arr_begin(&e);
		for (size_t i = 0; i < n; i++) {
			const unsigned char *p = out[0] + i * POLLFD_SIZE;
			unsigned long long revents = get_le(p + 6, 2);

			if (!revents)
				continue;
			emit_obj_begin(&e);
			emit_key(&e, "fd");
			emit_int(&e, (int)get_le(p, 4));
			emit_key(&e, "revents");
			emit_family(&e, x->abi, "poll_events", revents);
			emit_obj_end(&e);
		}
		emit_arr_end(&e);
	}
	if (got > 0) {
		fputs(out[0] ? ", left " : "left ", f);
		emit_init(&e, f, 0);
		decode_print(&e, x, ts, left, (size_t)got, 0);
	}
	fputc(')', f);
}

static const struct dstruct structs[] = {
	{ "pollfd", pollfd, NULL, pollfd_print, NULL },
	{ NULL, NULL, NULL, NULL, NULL },
};

static const struct callhook hooks[] = {
	{ "poll,ppoll,ppoll_time32", NULL, NULL, poll_result },
	{ NULL, NULL, NULL, NULL },
};

const struct decoder decoder_poll = { "poll", structs, hooks };
