/*
 * Socket options: what setsockopt and getsockopt take depends on the
 * level (the option's family: SO_* for SOL_SOCKET, TCP_* for
 * IPPROTO_TCP) and on the option (an int, a struct linger, a timeval, a
 * struct ucred, a struct tcp_info).  And those small structs.
 */
#include <string.h>

#include "decode.h"
#include "format.h"

/* The family of option names at a level, or NULL (any option). */
static const char *names_of(const struct sys_abi *abi, unsigned long level)
{
	if (sym_is(abi, level, "SOL_SOCKET"))
		return "so_opt";
	if (sym_is(abi, level, "IPPROTO_TCP"))
		return "tcp_opt";
	if (sym_is(abi, level, "IPPROTO_IP"))
		return "ip_opt";
	if (sym_is(abi, level, "IPPROTO_IPV6"))
		return "ipv6_opt";
	return NULL;
}

/* What an option's value is: a struct, "int", or NULL (bytes). */
static const char *value_of(const struct sys_abi *abi, unsigned long level,
			    unsigned long opt)
{
	static const char *const timeouts[] = {
		"SO_RCVTIMEO", "SO_SNDTIMEO", "SO_RCVTIMEO_OLD",
		"SO_SNDTIMEO_OLD", NULL
	};

	if (sym_is(abi, level, "SOL_SOCKET")) {
		if (sym_is(abi, opt, "SO_LINGER"))
			return "linger";
		if (sym_is(abi, opt, "SO_PEERCRED"))
			return "ucred";
		for (size_t i = 0; timeouts[i]; i++)
			if (sym_is(abi, opt, timeouts[i]))
				return "old_timeval";
		if (sym_is(abi, opt, "SO_ERROR"))
			return "sock_error";
		if (sym_is(abi, opt, "SO_BINDTODEVICE") ||
		    sym_is(abi, opt, "SO_ATTACH_FILTER") ||
		    sym_is(abi, opt, "SO_PEERSEC"))
			return NULL;
		return "int";
	}
	if (sym_is(abi, level, "IPPROTO_TCP")) {
		if (sym_is(abi, opt, "TCP_INFO"))
			return "tcp_info";
		if (sym_is(abi, opt, "TCP_CONGESTION") || sym_is(abi, opt, "TCP_ULP") ||
		    sym_is(abi, opt, "TCP_MD5SIG") || sym_is(abi, opt, "TCP_REPAIR_WINDOW") ||
		    sym_is(abi, opt, "TCP_CC_INFO"))
			return NULL;
		return "int";
	}
	/* IP and IPv6: ints, but for the structs and raw options below. */
	if (sym_is(abi, level, "IPPROTO_IP")) {
		static const char *const raw[] = {
			"IP_OPTIONS", "IP_PKTOPTIONS", "IP_ADD_MEMBERSHIP",
			"IP_DROP_MEMBERSHIP", "IP_MULTICAST_IF", "IP_MSFILTER",
			"IP_ADD_SOURCE_MEMBERSHIP", "IP_DROP_SOURCE_MEMBERSHIP",
			"IP_BLOCK_SOURCE", "IP_UNBLOCK_SOURCE", "IP_RETOPTS",
			"MCAST_JOIN_GROUP", "MCAST_LEAVE_GROUP",
			"MCAST_JOIN_SOURCE_GROUP", "MCAST_LEAVE_SOURCE_GROUP",
			"MCAST_BLOCK_SOURCE", "MCAST_UNBLOCK_SOURCE",
			"MCAST_MSFILTER", NULL
		};

		for (size_t i = 0; raw[i]; i++)
			if (sym_is(abi, opt, raw[i]))
				return NULL;
		return "int";
	}
	if (sym_is(abi, level, "IPPROTO_IPV6")) {
		static const char *const raw[] = {
			"IPV6_ADD_MEMBERSHIP", "IPV6_DROP_MEMBERSHIP",
			"IPV6_JOIN_GROUP", "IPV6_LEAVE_GROUP", "IPV6_PKTINFO",
			"IPV6_NEXTHOP", "IPV6_HOPOPTS", "IPV6_DSTOPTS",
			"IPV6_RTHDR", "IPV6_RTHDRDSTOPTS", "IPV6_2292PKTOPTIONS",
			"IPV6_2292PKTINFO", "IPV6_2292HOPOPTS",
			"IPV6_2292DSTOPTS", "IPV6_2292RTHDR", "IPV6_FLOWLABEL_MGR",
			"IPV6_IPSEC_POLICY", "IPV6_XFRM_POLICY", "MCAST_JOIN_GROUP",
			"MCAST_LEAVE_GROUP", "MCAST_MSFILTER", NULL
		};

		for (size_t i = 0; raw[i]; i++)
			if (sym_is(abi, opt, raw[i]))
				return NULL;
		return "int";
	}
	return NULL;
}

static void sockopt_arg(const struct sys_abi *abi, unsigned int i,
			const unsigned long *v, const unsigned char *known,
			struct argtype *t)
{
	if (i == 2 && known[1]) {
		const char *fam = names_of(abi, v[1]);

		if (fam)
			t->detail = fam;
	} else if (i == 3 && known[1] && known[2]) {
		t->detail = value_of(abi, v[1], v[2]);
	}
}

/* socket's protocol is an IPPROTO_* for the internet families only
 * (AF_UNIX takes 0, AF_NETLINK its own numbers). */
static void socket_arg(const struct sys_abi *abi, unsigned int i,
		       const unsigned long *v, const unsigned char *known,
		       struct argtype *t)
{
	if (i == 2 && known[0] && !sym_is(abi, v[0], "AF_INET") &&
	    !sym_is(abi, v[0], "AF_INET6")) {
		t->kind = SCR_ARG_INT;
		t->detail = NULL;
	}
}

#define F(n, t) { n, t, SH_DEC, 0, NULL, NULL, 0, 0, 0, NULL }

static const struct field linger_f[] = {
	F("l_onoff", FT_I32), F("l_linger", FT_I32),
};
static const struct field ucred_f[] = {
	F("pid", FT_I32), F("uid", FT_U32), F("gid", FT_U32),
};
static const struct sdesc linger_d = { "linger", linger_f, NFIELDS(linger_f) };
static const struct sdesc ucred_d = { "ucred", ucred_f, NFIELDS(ucred_f) };

static const struct sdesc *linger(const struct sys_abi *a) { (void)a; return &linger_d; }
static const struct sdesc *ucred(const struct sys_abi *a) { (void)a; return &ucred_d; }

/* SO_ERROR's int is an errno: strace's [ECONNREFUSED]. */
static size_t sock_error_size(const struct sys_abi *abi)
{
	(void)abi;
	return 4;
}

static void sock_error_print(struct emit *e, const struct dctx *x,
			     const unsigned char *p, size_t len)
{
	int err = len >= 4 ? (int)get_le(p, 4) : 0;
	const char *name = errno_name(err);

	(void)x;
	emit_arr_begin(e);
	if (name && !e->json)
		emit_sym(e, name);
	else
		emit_int(e, err);
	emit_arr_end(e);
}

static int sock_error_parse(struct cur *c, const struct sys_abi *abi,
			    struct blob *b, size_t off)
{
	size_t n;

	(void)abi;
	lex_skip_ws(c);
	if (lex_peek(c) == '[') {	/* [ECONNREFUSED] */
		size_t at = c->pos++;

		lex_skip_ws(c);
		n = lex_ident_len(c);
		for (int err = 1; n && err < 4096; err++) {
			const char *name = errno_name(err);

			if (!name || strlen(name) != n ||
			    memcmp(c->s + c->pos, name, n))
				continue;
			c->pos += n;
			lex_skip_ws(c);
			if (lex_peek(c) != ']')
				break;
			c->pos++;
			blob_put(b, off, 4, (unsigned long long)err);
			return 0;
		}
		c->pos = at;
	}
	return decode_parse_at(c, "int[1]", b, off);
}

static const struct dstruct structs[] = {
	{ "sock_error", NULL, sock_error_size, sock_error_print,
	  sock_error_parse },
	{ "linger", linger, NULL, NULL, NULL },
	{ "ucred", ucred, NULL, NULL, NULL },
	{ NULL, NULL, NULL, NULL, NULL },
};

static const struct callhook hooks[] = {
	{ "setsockopt,getsockopt", sockopt_arg, NULL, NULL },
	{ "socket,socketpair", socket_arg, NULL, NULL },
	{ NULL, NULL, NULL, NULL },
};

const struct decoder decoder_socket = { "socket", structs, hooks };
