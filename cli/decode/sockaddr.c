/*
 * Socket addresses: struct sockaddr is a union chosen by its family,
 * shown as strace does ({sa_family=AF_INET, sin_port=htons(8080),
 * sin_addr=inet_addr("127.0.0.1")}, inet_pton(AF_INET6, "::1",
 * &sin6_addr), sun_path=@"abstract") and read back from that form.
 */
#include <string.h>
#include <sys/socket.h>

#include "decode.h"
#include "expr.h"

#define F(n, t) { n, t, SH_DEC, 0, NULL, NULL, 0, 0, 0, NULL }
#define S(n, t, sh) { n, t, sh, 0, NULL, NULL, 0, 0, 0, NULL }
#define FAMILY { "sa_family", FT_U16, SH_SYM, 0, "address_family", NULL, 0, 0, 0, NULL }

static const struct field in_f[] = {
	FAMILY, S("sin_port", FT_U16, SH_PORT), S("sin_addr", FT_U32, SH_INADDR),
	{ "sin_zero", FT_PAD, SH_HIDE, 8, NULL, NULL, 0, 0, 0, NULL },
};
static const struct field in6_f[] = {
	FAMILY, S("sin6_port", FT_U16, SH_PORT),
	S("sin6_flowinfo", FT_U32, SH_PORT),
	{ "sin6_addr", FT_BYTES, SH_IN6ADDR, 16, NULL, NULL, 0, 0, 0, NULL },
	F("sin6_scope_id", FT_U32),
};
static const struct field un_f[] = {
	FAMILY,
	{ "sun_path", FT_CHARS, SH_SUNPATH, 108, NULL, NULL, 0, 0, 0, NULL },
};
static const struct field nl_f[] = {
	FAMILY, S("nl_pad", FT_U16, SH_HIDE), F("nl_pid", FT_U32),
	S("nl_groups", FT_U32, SH_HEX),
};
static const struct field other_f[] = {
	FAMILY,
	{ "sa_data", FT_BYTES, SH_DEC, 14, NULL, NULL, 0, 0, 0, NULL },
};

static const struct sdesc in_d = { "sockaddr_in", in_f, NFIELDS(in_f) };
static const struct sdesc in6_d = { "sockaddr_in6", in6_f, NFIELDS(in6_f) };
static const struct sdesc un_d = { "sockaddr_un", un_f, NFIELDS(un_f) };
static const struct sdesc nl_d = { "sockaddr_nl", nl_f, NFIELDS(nl_f) };
static const struct sdesc other_d = { "sockaddr", other_f, NFIELDS(other_f) };

static const struct sdesc *desc_for(unsigned int family)
{
	switch (family) {
	case AF_INET: return &in_d;
	case AF_INET6: return &in6_d;
	case AF_UNIX: return &un_d;
	case AF_NETLINK: return &nl_d;
	}
	return &other_d;
}

/* Room for any address: what a call that writes one is given. */
static size_t sockaddr_size(const struct sys_abi *abi)
{
	(void)abi;
	return sizeof(struct sockaddr_storage);
}

static void sockaddr_print(struct emit *e, const struct dctx *x,
			   const unsigned char *p, size_t len)
{
	if (len < 2) {
		emit_obj_begin(e);
		emit_obj_end(e);
		return;
	}
	sdesc_print(e, x, desc_for((unsigned int)get_le(p, 2)), p, len);
}

/* The family comes first and says which fields follow. */
static int sockaddr_parse(struct cur *c, const struct sys_abi *abi,
			  struct blob *b, size_t off)
{
	struct cur look = *c;
	struct expr_ctx x = { .any = 1, .what = "sa_family",
			      .expects = "an address family" };
	struct expr ex;
	unsigned long family = AF_UNSPEC;

	(void)abi;
	lex_skip_ws(&look);
	if (lex_peek(&look) == '{') {
		look.pos++;
		lex_skip_ws(&look);
		if (lex_word(&look, "sa_family") && lex_peek(&look) == '=') {
			look.pos++;
			lex_skip_ws(&look);
			if (expr_parse(&look, &x, &ex) < 0) {
				*c = look;
				return -1;
			}
			family = expr_value(&ex);
			expr_free(&ex);
		}
	}
	if (family == AF_UNSPEC && lex_peek(c) == '{')
		return lex_fail(c, c->pos, 1, "a sockaddr starts with its "
				"family: {sa_family=AF_INET, ...}");
	return sdesc_parse(c, desc_for((unsigned int)family), b, off);
}

static const struct dstruct structs[] = {
	{ "sockaddr", NULL, sockaddr_size, sockaddr_print, sockaddr_parse },
	{ NULL, NULL, NULL, NULL, NULL },
};

const struct decoder decoder_sockaddr = { "sockaddr", structs, NULL };
