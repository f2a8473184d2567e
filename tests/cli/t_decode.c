/*
 * Table-driven tests of the decoders (cli/decode/): every family read
 * from a literal in strace's syntax and shown again, in text and in
 * JSON; the bytes a literal makes compared with the C library's own
 * struct (so the layouts are the kernel's); struct sizes on each of the
 * four ABIs.  Nothing here attaches to anything.
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "abi.h"
#include "decode/decode.h"
#include "emit.h"

static int failed;

static void failf(const char *name, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void failf(const char *name, const char *fmt, ...)
{
	va_list ap;

	printf("FAIL %s: ", name);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	failed = 1;
}

static struct dctx ctx(const struct sys_abi *abi)
{
	struct dctx x = { abi, NULL, NULL, 0, NULL };

	return x;
}

/* Parses text as type into a new blob, or NULL (failing the test). */
static struct blob *parse(const char *name, const char *type,
			  const char *text)
{
	struct parse_err err;
	struct cur c = { text, 0, strlen(text), abi_default(), 1, &err, 0 };
	struct blob *b = blob_new(0);

	if (decode_parse(&c, abi_default(), type, 0, b) < 0) {
		failf(name, "'%s' refused: %s (at %zu)", text, err.msg, err.pos);
		blob_free(b);
		return NULL;
	}
	lex_skip_ws(&c);
	if (!lex_at_end(&c)) {
		failf(name, "'%s': text left at %zu", text, c.pos);
		blob_free(b);
		return NULL;
	}
	return b;
}

static char *show(const char *type, const void *p, size_t len, int json,
		  size_t count)
{
	char *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);
	struct dctx x = ctx(abi_default());
	struct emit e;

	emit_init(&e, f, json);
	decode_print(&e, &x, type, p, len, count);
	fclose(f);
	return buf;
}

struct rt {
	const char *type;
	const char *in;		/* a literal */
	const char *text;	/* how it shows (NULL: as in) */
	const char *json;
};

/*
 * Round trips: each literal parses, shows as text (the literal again,
 * in its canonical form) and as JSON.
 */
static const struct rt rts[] = {
	{ "rlimit64", "{rlim_cur=4096, rlim_max=8192}",
	  "{rlim_cur=4*1024, rlim_max=8*1024}",
	  "{\"rlim_cur\":4096,\"rlim_max\":8192}" },
	{ "rlimit64", "{rlim_cur=1000, rlim_max=RLIM64_INFINITY}", NULL,
	  "{\"rlim_cur\":1000,\"rlim_max\":18446744073709551615}" },
	{ "rlimit64", "{rlim_cur=8192*1024, rlim_max=RLIM_INFINITY}",
	  "{rlim_cur=8192*1024, rlim_max=RLIM64_INFINITY}",
	  "{\"rlim_cur\":8388608,\"rlim_max\":18446744073709551615}" },
	{ "rlimit", "{rlim_cur=0, rlim_max=1024}", NULL,
	  "{\"rlim_cur\":0,\"rlim_max\":1024}" },
	{ "timespec", "{tv_sec=1, tv_nsec=500000000}", NULL,
	  "{\"tv_sec\":1,\"tv_nsec\":500000000}" },
	{ "timespec", "{tv_sec=-1, tv_nsec=0}", NULL,
	  "{\"tv_sec\":-1,\"tv_nsec\":0}" },
	{ "old_timeval", "{tv_sec=5, tv_usec=10}", NULL,
	  "{\"tv_sec\":5,\"tv_usec\":10}" },
	{ "itimerspec", "{it_interval={tv_sec=0, tv_nsec=0}, it_value={tv_sec=2, "
	  "tv_nsec=0}}", NULL, "{\"it_interval\":{\"tv_sec\":0,\"tv_nsec\":0},"
	  "\"it_value\":{\"tv_sec\":2,\"tv_nsec\":0}}" },
	{ "old_itimerval", "{it_interval={tv_sec=1, tv_usec=0}, it_value={tv_sec=1,"
	  " tv_usec=0}}", NULL, "{\"it_interval\":{\"tv_sec\":1,\"tv_usec\":0},"
	  "\"it_value\":{\"tv_sec\":1,\"tv_usec\":0}}" },
	/* As strace shows poll's array: revents after the result. */
	{ "pollfd", "{fd=3, events=POLLIN|POLLPRI}", NULL,
	  "{\"fd\":3,\"events\":\"POLLIN|POLLPRI\",\"revents\":\"0\"}" },
	{ "pollfd", "{fd=-1}", NULL,
	  "{\"fd\":-1,\"events\":\"0\",\"revents\":\"0\"}" },
	{ "sigset_t", "[INT TERM]", NULL, "[\"SIGINT\",\"SIGTERM\"]" },
	{ "sigset_t", "[SIGHUP, 10]", "[HUP USR1]", "[\"SIGHUP\",\"SIGUSR1\"]" },
	{ "sigset_t", "[]", NULL, "[]" },
	/* The kernel's real-time signals, counted from its SIGRTMIN (32)
	 * as strace does; RTMAX is read, shown as RT_32. */
	{ "sigset_t", "[RTMIN RT_1 RTMAX]", "[RTMIN RT_1 RT_32]",
	  "[\"SIGRTMIN\",\"SIGRT_1\",\"SIGRT_32\"]" },
	{ "sigset_t", "[SYS 32 35]", "[SYS RTMIN RT_3]",
	  "[\"SIGSYS\",\"SIGRTMIN\",\"SIGRT_3\"]" },
	{ "sigset_t", "~[KILL STOP]", NULL, NULL },
	{ "linger", "{l_onoff=1, l_linger=30}", NULL,
	  "{\"l_onoff\":1,\"l_linger\":30}" },
	{ "ucred", "{pid=1, uid=0, gid=4294967295}", NULL,
	  "{\"pid\":1,\"uid\":0,\"gid\":4294967295}" },
	{ "sockaddr", "{sa_family=AF_INET, sin_port=htons(8080), "
	  "sin_addr=inet_addr(\"127.0.0.1\")}", NULL,
	  "{\"sa_family\":\"AF_INET\",\"sin_port\":8080,\"sin_addr\":\"127.0.0.1\"}" },
	{ "sockaddr", "{sa_family=AF_INET, sin_port=443, sin_addr=\"10.1.2.3\"}",
	  "{sa_family=AF_INET, sin_port=htons(443), sin_addr=inet_addr("
	  "\"10.1.2.3\")}", NULL },
	{ "sockaddr", "{sa_family=AF_INET6, sin6_port=htons(22), sin6_flowinfo="
	  "htonl(0), inet_pton(AF_INET6, \"::1\", &sin6_addr), sin6_scope_id=0}",
	  NULL, "{\"sa_family\":\"AF_INET6\",\"sin6_port\":22,\"sin6_flowinfo\":0,"
	  "\"sin6_addr\":\"::1\",\"sin6_scope_id\":0}" },
	{ "sockaddr", "{sa_family=AF_INET6, sin6_port=htons(22), sin6_addr="
	  "inet_pton(AF_INET6, \"fe80::1\")}",
	  "{sa_family=AF_INET6, sin6_port=htons(22), sin6_flowinfo=htonl(0), "
	  "inet_pton(AF_INET6, \"fe80::1\", &sin6_addr), sin6_scope_id=0}", NULL },
	{ "sockaddr", "{sa_family=AF_UNIX, sun_path=\"/run/x.sock\"}", NULL,
	  "{\"sa_family\":\"AF_UNIX\",\"sun_path\":\"/run/x.sock\"}" },
	{ "sockaddr", "{sa_family=AF_UNIX, sun_path=@\"abstract\"}", NULL,
	  "{\"sa_family\":\"AF_UNIX\",\"sun_path\":\"@abstract\"}" },
	{ "sockaddr", "{sa_family=AF_NETLINK, nl_pid=0, nl_groups=0x1}", NULL,
	  NULL },
	{ "flock", "{l_type=F_WRLCK, l_whence=SEEK_SET, l_start=0, l_len=100}",
	  "{l_type=F_WRLCK, l_whence=SEEK_SET, l_start=0, l_len=100, l_pid=0}",
	  "{\"l_type\":\"F_WRLCK\",\"l_whence\":\"SEEK_SET\",\"l_start\":0,"
	  "\"l_len\":100,\"l_pid\":0}" },
	{ "epoll_event", "{events=EPOLLIN|EPOLLET, data={u64=7}}",
	  "{events=EPOLLIN|EPOLLET, data={u32=7, u64=7}}",
	  "{\"events\":\"EPOLLIN|EPOLLET\",\"data\":{\"u32\":7,\"u64\":7}}" },
	{ "new_utsname", "{sysname=\"Linux\", nodename=\"h\", release=\"6.1\", "
	  "version=\"#1\", machine=\"x86_64\", domainname=\"(none)\"}", NULL,
	  "{\"sysname\":\"Linux\",\"nodename\":\"h\",\"release\":\"6.1\","
	  "\"version\":\"#1\",\"machine\":\"x86_64\",\"domainname\":\"(none)\"}" },
	{ "tcp_info", "{tcpi_state=TCP_ESTABLISHED, tcpi_ca_state=TCP_CA_Loss, "
	  "tcpi_options=TCPI_OPT_SACK|TCPI_OPT_WSCALE, tcpi_snd_wscale=7, "
	  "tcpi_rcv_wscale=9, tcpi_rtt=1500, tcpi_bytes_acked=99, ...}", NULL,
	  NULL },
	{ "int[2]", "[3, 4]", NULL, "[3,4]" },
	{ "int", "[16]", NULL, "[16]" },
	/* statx's dates follow the struct (the statx printer's). */
	{ "statx_timestamp", "{tv_sec=0, tv_nsec=5}", NULL,
	  "{\"tv_sec\":0,\"tv_nsec\":5}" },
	{ "utimespec[2]", "[UTIME_NOW, {tv_sec=1, tv_nsec=5}]",
	  "[UTIME_NOW, {tv_sec=1, tv_nsec=5} /* 1970-01-01T00:00:01.000000005+0000 */]",
	  NULL },
	{ "sched_param", "[7]", NULL, "[7]" },
	{ "sock_error", "[111]", "[ECONNREFUSED]", "[111]" },
	{ "winsize", "{ws_row=24, ws_col=80, ws_xpixel=0, ws_ypixel=0}", NULL,
	  "{\"ws_row\":24,\"ws_col\":80,\"ws_xpixel\":0,\"ws_ypixel\":0}" },
	{ "sigaltstack", "{ss_sp=NULL, ss_flags=SS_DISABLE, ss_size=0}", NULL,
	  "{\"ss_sp\":null,\"ss_flags\":\"SS_DISABLE\",\"ss_size\":0}" },
};

/* The canonical text of a round trip must parse to the same bytes. */
static void check_rt(const struct rt *r, size_t i)
{
	char name[64];
	struct blob *b, *b2;
	char *t, *j;

	snprintf(name, sizeof(name), "roundtrip_%02zu_%s", i, r->type);
	b = parse(name, r->type, r->in);
	if (!b)
		return;
	t = show(r->type, b->data, b->len, 0, 0);
	j = show(r->type, b->data, b->len, 1, 0);
	if (r->type[0] == 't' && !strcmp(r->type, "tcp_info")) {
		/* Long: check what was given, and the reparse below. */
		if (!strstr(t, "tcpi_state=TCP_ESTABLISHED, tcpi_ca_state="
			    "TCP_CA_Loss") || !strstr(t, "tcpi_snd_wscale=7, "
			    "tcpi_rcv_wscale=9") || !strstr(t, "tcpi_rtt=1500,") ||
		    !strstr(t, "tcpi_bytes_acked=99,") ||
		    !strstr(t, "tcpi_options=TCPI_OPT_SACK|TCPI_OPT_WSCALE"))
			failf(name, "shows %s", t);
	} else if (strcmp(t, r->text ? r->text : r->in)) {
		failf(name, "shows %s, want %s", t, r->text ? r->text : r->in);
		goto out;
	}
	if (r->json && strcmp(j, r->json)) {
		failf(name, "JSON %s, want %s", j, r->json);
		goto out;
	}
	b2 = parse(name, r->type, t);
	if (b2 && (b2->len != b->len || memcmp(b2->data, b->data, b->len)))
		failf(name, "%s reads back as other bytes", t);
	else if (b2)
		printf("PASS %s\n", name);
	blob_free(b2);
out:
	free(t);
	free(j);
	blob_free(b);
}

/* What a literal must not be. */
struct bad {
	const char *type, *in, *msg;
};

static const struct bad bads[] = {
	{ "rlimit64", "{rlim_cur=1, rlim_cur=2}", "rlim_cur given twice" },
	{ "rlimit64", "{rlim_now=1}", "rlimit64 has no field 'rlim_now' (it "
	  "has: rlim_cur, rlim_max)" },
	{ "rlimit64", "{rlim_cur=1", "no closing '}'" },
	{ "rlimit64", "{rlim_cur 1}", "expected '=' after the field name" },
	{ "rlimit64", "{rlim_cur=\"1\"}", "not a string" },
	{ "pollfd", "{fd=3, events=O_RDONLY}", "field events of pollfd takes "
	  "constants of poll_events" },
	{ "flock", "{l_type=SEEK_SET}", "constants of lock_type" },
	{ "sockaddr", "{sin_port=1}", "a sockaddr starts with its family" },
	{ "sockaddr", "{sa_family=AF_INET, sin_addr=\"300.1.1.1\"}",
	  "not an IPv4 address" },
	{ "sockaddr", "{sa_family=AF_INET6, sin6_addr=\"::zz\"}",
	  "not an IPv6 address" },
	{ "sockaddr", "{sa_family=AF_INET, sun_path=\"/x\"}",
	  "sockaddr_in has no field 'sun_path'" },
	{ "sockaddr", "{sa_family=AF_UNIX, sun_path=\"" "0123456789012345678901"
	  "23456789012345678901234567890123456789012345678901234567890123456789"
	  "01234567890123456789\"}", "holds at most 107 bytes" },
	{ "sigset_t", "[INT FOO]", "unknown signal 'FOO'" },
	{ "sigset_t", "[65]", "signals are 1..64" },
	{ "sigset_t", "[INT", "no closing ']'" },
	{ "int[2]", "[1]", "takes 2 elements, got 1" },
	{ "int[2]", "[1, 2, 3]", "too many elements" },
	{ "timespec", "{tv_sec=$1}", "cannot be used inside a struct" },
	{ "iovec", "[{iov_base=\"ab\"}, ...]", "strace left elements out" },
};

static void check_bad(const struct bad *b, size_t i)
{
	struct parse_err err;
	struct cur c = { b->in, 0, strlen(b->in), abi_default(), 2, &err, 0 };
	struct blob *bl = blob_new(0);
	char name[64];

	snprintf(name, sizeof(name), "refused_%02zu_%s", i, b->type);
	memset(&err, 0, sizeof(err));
	if (decode_parse(&c, abi_default(), b->type, 0, bl) == 0)
		failf(name, "'%s' accepted", b->in);
	else if (!strstr(err.msg, b->msg))
		failf(name, "'%s': '%s' lacks '%s'", b->in, err.msg, b->msg);
	else
		printf("PASS %s\n", name);
	blob_free(bl);
}

/* A literal's bytes against the C library's own struct. */
static void same_as(const char *name, const char *type, const char *in,
		    const void *want, size_t len)
{
	struct blob *b = parse(name, type, in);

	if (!b)
		return;
	if (b->len != len)
		failf(name, "%zu bytes, the C library's struct has %zu", b->len,
		      len);
	else if (memcmp(b->data, want, len))
		failf(name, "bytes differ from the C library's struct");
	else
		printf("PASS %s\n", name);
	blob_free(b);
}

static void check_layouts(void)
{
	struct rlimit rl = { 4096, RLIM_INFINITY };
	struct timespec ts = { 3, 4 };
	struct pollfd pfd = { 5, POLLOUT, 0 };
	struct linger lg = { 1, 9 };
	struct sockaddr_in sin;
	struct sockaddr_in6 sin6;
	struct sockaddr_un sun;
	struct flock fl;
	struct epoll_event ev;
	struct itimerspec its;

	same_as("layout_rlimit", "rlimit", "{rlim_cur=4096, rlim_max="
		"RLIM_INFINITY}", &rl, sizeof(rl));
	same_as("layout_timespec", "timespec", "{tv_sec=3, tv_nsec=4}", &ts,
		sizeof(ts));
	same_as("layout_pollfd", "pollfd", "{fd=5, events=POLLOUT}", &pfd,
		sizeof(pfd));
	same_as("layout_linger", "linger", "{l_onoff=1, l_linger=9}", &lg,
		sizeof(lg));
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(8080);
	sin.sin_addr.s_addr = htonl(0x7f000001);
	same_as("layout_sockaddr_in", "sockaddr", "{sa_family=AF_INET, sin_port="
		"htons(8080), sin_addr=inet_addr(\"127.0.0.1\")}", &sin,
		sizeof(sin));
	memset(&sin6, 0, sizeof(sin6));
	sin6.sin6_family = AF_INET6;
	sin6.sin6_port = htons(53);
	inet_pton(AF_INET6, "2001:db8::5", &sin6.sin6_addr);
	sin6.sin6_scope_id = 2;
	same_as("layout_sockaddr_in6", "sockaddr", "{sa_family=AF_INET6, "
		"sin6_port=htons(53), inet_pton(AF_INET6, \"2001:db8::5\", "
		"&sin6_addr), sin6_scope_id=2}", &sin6, sizeof(sin6));
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	strcpy(sun.sun_path, "/tmp/s");
	same_as("layout_sockaddr_un", "sockaddr", "{sa_family=AF_UNIX, "
		"sun_path=\"/tmp/s\"}", &sun, sizeof(sun));
	memset(&fl, 0, sizeof(fl));
	fl.l_type = F_RDLCK;
	fl.l_whence = SEEK_END;
	fl.l_start = -10;
	fl.l_len = 10;
	same_as("layout_flock", "flock", "{l_type=F_RDLCK, l_whence=SEEK_END, "
		"l_start=-10, l_len=10}", &fl, sizeof(fl));
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN;
	ev.data.u64 = 0x100000002ULL;
	same_as("layout_epoll_event", "epoll_event", "{events=EPOLLIN, "
		"data={u64=0x100000002}}", &ev, sizeof(ev));
	memset(&its, 0, sizeof(its));
	its.it_value.tv_sec = 7;
	same_as("layout_itimerspec", "itimerspec", "{it_interval={tv_sec=0, "
		"tv_nsec=0}, it_value={tv_sec=7, tv_nsec=0}}", &its, sizeof(its));
}

/* Output structs from the C library, shown: what the kernel wrote. */
static void check_shown(void)
{
	struct stat st;
	struct utsname u;
	struct sockaddr_un sun;
	char *t;
	int fd = open("/proc/self/exe", O_RDONLY);

	if (fd < 0 || fstat(fd, &st) < 0) {
		failf("show_stat", "cannot fstat");
	} else {
		char want[256];

		t = show("stat", &st, sizeof(st), 0, 0);
		snprintf(want, sizeof(want), "st_ino=%llu, ",
			 (unsigned long long)st.st_ino);
		if (!strstr(t, "st_mode=S_IFREG|07") || !strstr(t, want))
			failf("show_stat", "%s", t);
		else
			printf("PASS show_stat\n");
		free(t);
		t = show("stat", &st, sizeof(st), 1, 0);
		snprintf(want, sizeof(want), "\"st_size\":%lld,",
			 (long long)st.st_size);
		if (!strstr(t, "\"st_mode\":\"S_IFREG|07") || !strstr(t, want) ||
		    !strstr(t, "\"st_dev\":{\"major\":"))
			failf("show_stat_json", "%s", t);
		else
			printf("PASS show_stat_json\n");
		free(t);
	}
	if (fd >= 0)
		close(fd);
	if (uname(&u) == 0) {
		char want[256];

		t = show("new_utsname", &u, sizeof(u), 0, 0);
		snprintf(want, sizeof(want), "{sysname=\"%s\", nodename=", u.sysname);
		if (strncmp(t, want, strlen(want)))
			failf("show_utsname", "%s", t);
		else
			printf("PASS show_utsname\n");
		free(t);
	}
	/* An abstract name may hold any bytes: escaped, not cut at NUL. */
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, "\0a\"b\n", 5);
	t = show("sockaddr", &sun, offsetof(struct sockaddr_un, sun_path) + 5, 0, 0);
	if (strcmp(t, "{sa_family=AF_UNIX, sun_path=@\"a\\\"b\\n\"}"))
		failf("show_abstract_escaped", "%s", t);
	else
		printf("PASS show_abstract_escaped\n");
	free(t);
	/* A short struct (an old kernel's tcp_info): the fields it has. */
	unsigned char ti[8] = { 1, 0, 0, 0, 0, 0, 0x97, 0 };
	t = show("tcp_info", ti, sizeof(ti), 0, 0);
	if (strcmp(t, "{tcpi_state=TCP_ESTABLISHED, tcpi_ca_state=TCP_CA_Open, "
		   "tcpi_retransmits=0, tcpi_probes=0, tcpi_backoff=0, "
		   "tcpi_options=0, tcpi_snd_wscale=7, tcpi_rcv_wscale=9, "
		   "tcpi_delivery_rate_app_limited=0, "
		   "tcpi_fastopen_client_fail=0}"))
		failf("show_short_tcp_info", "%s", t);
	else
		printf("PASS show_short_tcp_info\n");
	free(t);
}

/* Sizes per ABI: the kernel's (uapi headers of each architecture). */
static void check_sizes(void)
{
	static const struct {
		const char *type;
		size_t size[4];	/* x86_64, i386, aarch64, riscv64 */
	} s[] = {
		{ "stat", { 144, 64, 128, 128 } },
		{ "stat64", { 0, 96, 0, 0 } },
		{ "statx", { 256, 256, 256, 256 } },
		{ "rlimit", { 16, 8, 16, 16 } },
		{ "rlimit64", { 16, 16, 16, 16 } },
		{ "timespec", { 16, 16, 16, 16 } },
		{ "old_timespec32", { 8, 8, 8, 8 } },
		{ "old_timeval", { 16, 8, 16, 16 } },
		{ "itimerspec", { 32, 32, 32, 32 } },
		{ "epoll_event", { 12, 12, 16, 16 } },
		{ "flock", { 32, 16, 32, 32 } },
		{ "flock64", { 32, 24, 32, 32 } },
		{ "iovec", { 16, 8, 16, 16 } },
		{ "pollfd", { 8, 8, 8, 8 } },
		{ "sigset_t", { 8, 8, 8, 8 } },
		{ "linger", { 8, 8, 8, 8 } },
		{ "ucred", { 12, 12, 12, 12 } },
		{ "new_utsname", { 390, 390, 390, 390 } },
		{ "tcp_info", { 232, 232, 232, 232 } },
		{ "sockaddr", { 128, 128, 128, 128 } },
		{ "int[2]", { 8, 8, 8, 8 } },
	};
	int bad = 0;

	for (size_t i = 0; i < sizeof(s) / sizeof(s[0]); i++)
		for (int a = 0; a < 4; a++) {
			const struct sys_abi *abi = scr__sys_abi(a + 1);
			size_t got = decode_size(abi, s[i].type);

			if (got != s[i].size[a]) {
				failf("sizes_per_abi", "%s on %s: %zu, want %zu",
				      s[i].type, abi->name, got, s[i].size[a]);
				bad = 1;
			}
		}
	/* And the host's own, against the C library. */
	if (decode_size(abi_default(), "stat") != sizeof(struct stat) ||
	    decode_size(abi_default(), "statx") != sizeof(struct statx) ||
	    decode_size(abi_default(), "epoll_event") != sizeof(struct epoll_event) ||
	    decode_size(abi_default(), "new_utsname") != sizeof(struct utsname)) {
		failf("sizes_host", "a size differs from the C library's");
		bad = 1;
	}
	if (!bad)
		printf("PASS sizes_per_abi\n");
}

int main(void)
{
	for (size_t i = 0; i < sizeof(rts) / sizeof(rts[0]); i++)
		check_rt(&rts[i], i);
	for (size_t i = 0; i < sizeof(bads) / sizeof(bads[0]); i++)
		check_bad(&bads[i], i);
	check_layouts();
	check_shown();
	check_sizes();
	return failed;
}
