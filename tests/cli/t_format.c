/*
 * Tests of scremote(1)'s output: strace-style escaping, JSON strings,
 * whole text and JSON lines for parsed calls with made-up outcomes.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>

#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/poll.h>
#include <sys/socket.h>

#include "emit.h"
#include "format.h"
#include "parse.h"

/* The host's numbers, as text: "nr" in JSON comes from the ABI table. */
#define STR_(x) #x
#define STR(x) STR_(x)

static int failed;

static void check(const char *name, const char *got, const char *want)
{
	if (strcmp(got, want) == 0) {
		printf("PASS %s\n", name);
	} else {
		printf("FAIL %s: got [%s], want [%s]\n", name, got, want);
		failed = 1;
	}
}

/* Runs one formatter into a string. */
#define CAPTURE(buf, size, expr) do {				\
	FILE *f = fmemopen(buf, size, "w");			\
	if (!f)							\
		abort();					\
	expr;							\
	fclose(f);						\
} while (0)

static void quoted_cases(void)
{
	static const struct {
		const char *name, *data;
		size_t len, max;
		const char *want;
	} c[] = {
		{ "quoted_plain", "hello", 5, 100, "\"hello\"" },
		{ "quoted_controls", "a\n\t\r\v\fb", 7, 100,
		  "\"a\\n\\t\\r\\v\\fb\"" },
		{ "quoted_quote_backslash", "\"\\", 2, 100, "\"\\\"\\\\\"" },
		{ "quoted_nul_then_digit", "\0001", 2, 100, "\"\\0001\"" },
		{ "quoted_nul_then_letter", "\0a", 2, 100, "\"\\0a\"" },
		{ "quoted_high", "\377\200", 2, 100, "\"\\377\\200\"" },
		{ "quoted_truncated", "abcdef", 6, 3, "\"abc\"..." },
		{ "quoted_empty", "", 0, 100, "\"\"" },
	};
	char buf[256];

	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		memset(buf, 0, sizeof(buf));
		CAPTURE(buf, sizeof(buf),
			fmt_quoted(f, (const unsigned char *)c[i].data,
				   c[i].len, c[i].max));
		check(c[i].name, buf, c[i].want);
	}
}

static void json_cases(void)
{
	static const struct {
		const char *name, *data;
		size_t len;
		const char *want;
	} c[] = {
		{ "json_plain", "abc", 3, "\"abc\"" },
		{ "json_escapes", "\"\\\n\t\001", 5,
		  "\"\\\"\\\\\\n\\t\\u0001\"" },
		{ "json_utf8_kept", "\xc3\xa9", 2, "\"\xc3\xa9\"" },
		{ "json_bad_utf8", "\xc3(", 2, "\"\\u00c3(\"" },
		{ "json_overlong", "\xc0\xaf", 2, "\"\\u00c0\\u00af\"" },
		{ "json_surrogate", "\xed\xa0\x80", 3,
		  "\"\\u00ed\\u00a0\\u0080\"" },
		{ "json_truncated_seq", "\xe2\x82", 2, "\"\\u00e2\\u0082\"" },
		{ "json_nul", "a\0b", 3, "\"a\\u0000b\"" },
	};
	char buf[256];

	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		memset(buf, 0, sizeof(buf));
		CAPTURE(buf, sizeof(buf),
			fmt_json_string(f, (const unsigned char *)c[i].data,
					c[i].len));
		check(c[i].name, buf, c[i].want);
	}
}

static void parse_or_die(const char *src, unsigned int index,
			 struct call *c)
{
	struct parse_err e;

	if (parse_call(abi_default(), src, index, c, &e) < 0) {
		printf("FAIL parse %s: %s\n", src, e.msg);
		exit(1);
	}
}

static const struct dctx *offline(void)
{
	static struct dctx x;

	x.abi = abi_default();
	x.read = NULL;
	x.ret = 0;
	return &x;
}

static void line_cases(void)
{
	struct outcome o;
	struct call c;
	char buf[2048], want[1024];
	unsigned char data[] = "hello\nworld";
	const struct dctx *x = offline();

	parse_or_die("openat(AT_FDCWD, \"/tmp/log\", O_WRONLY|O_CREAT|O_APPEND,"
		     " 0644)", 1, &c);
	memset(&o, 0, sizeof(o));
	o.argv[0] = (unsigned long)AT_FDCWD;
	o.argv[2] = O_WRONLY | O_CREAT | O_APPEND;
	o.argv[3] = 0644;
	o.ret.sr_retval[0] = 3;
	CAPTURE(buf, sizeof(buf), print_text(f, &c, &o, x));
	check("text_openat", buf, "openat(AT_FDCWD, \"/tmp/log\", "
	      "O_WRONLY|O_CREAT|O_APPEND, 0644) = 3\n");
	call_free(&c);

	/* Flags shown by name whatever the input said, unknown bits in hex. */
	parse_or_die("openat(AT_FDCWD, \"x\", 0x40 | 1 | 0x40000000)", 1, &c);
	memset(&o, 0, sizeof(o));
	o.argv[0] = (unsigned long)AT_FDCWD;
	o.argv[2] = 0x40 | 1 | 0x40000000;
	o.ret.sr_retval[0] = 4;
	CAPTURE(buf, sizeof(buf), print_text(f, &c, &o, x));
	check("text_flags_canonical", buf, "openat(AT_FDCWD, \"x\", "
	      "O_WRONLY|O_CREAT|0x40000000) = 4\n");
	call_free(&c);

	parse_or_die("close(99)", 2, &c);
	memset(&o, 0, sizeof(o));
	o.argv[0] = 99;
	o.ret.sr_error = EBADF;
	CAPTURE(buf, sizeof(buf), print_text(f, &c, &o, x));
	check("text_error", buf, "close(99) = -1 EBADF (Bad file descriptor)\n");
	CAPTURE(buf, sizeof(buf), print_json(f, &c, &o, x));
	check("json_error", buf, "{\"call\":2,\"syscall\":\"close\",\"nr\":" STR(SYS_close) ","
	      "\"args\":[{\"name\":\"fd\",\"text\":\"99\",\"input\":\"99\","
	      "\"value\":99}],\"executed\":true,"
	      "\"retval\":-1,\"errno\":9,\"errname\":\"EBADF\","
	      "\"strerror\":\"Bad file descriptor\",\"buffers\":[]}\n");
	call_free(&c);

	parse_or_die("read($1, buf(64), 64)", 2, &c);
	memset(&o, 0, sizeof(o));
	o.argv[0] = 5;
	o.argv[1] = 0x1000;
	o.argv[2] = 64;
	o.ret.sr_retval[0] = 11;
	o.out[1] = data;
	o.outlen[1] = 64 < sizeof(data) ? 64 : sizeof(data);
	CAPTURE(buf, sizeof(buf), print_text(f, &c, &o, x));
	check("text_read_buf", buf, "read(5, \"hello\\nworld\", 64) = 11\n");
	CAPTURE(buf, sizeof(buf), print_json(f, &c, &o, x));
	check("json_read_buf", buf, "{\"call\":2,\"syscall\":\"read\",\"nr\":" STR(SYS_read) ","
	      "\"args\":[{\"name\":\"fd\",\"text\":\"5\",\"input\":\"$1\","
	      "\"value\":5},{\"name\":\"buf\",\"text\":\"\\\"hello\\\\nworld\\\"\","
	      "\"input\":\"buf(64)\",\"value\":4096,\"decoded\":\"hello\\nworld\"},"
	      "{\"name\":\"count\",\"text\":\"64\",\"input\":\"64\",\"value\":64}],"
	      "\"executed\":true,\"retval\":11,\"errno\":0,\"errname\":null,"
	      "\"strerror\":null,\"buffers\":[{\"arg\":1,\"len\":11,"
	      "\"data\":\"hello\\nworld\",\"hex\":\"68656c6c6f0a776f726c64\"}]}\n");
	/* A failed read shows the buffer as written, not its contents. */
	o.out[1] = NULL;
	o.ret.sr_error = EAGAIN;
	CAPTURE(buf, sizeof(buf), print_text(f, &c, &o, x));
	check("text_read_failed", buf, "read(5, buf(64), 64) = -1 EAGAIN "
	      "(Resource temporarily unavailable)\n");
	call_free(&c);

	parse_or_die("getsockopt(3, SOL_SOCKET, SO_RCVBUF, int(0), int(4))", 1,
		     &c);
	memset(&o, 0, sizeof(o));
	int rcvbuf = 212992, four = 4;
	o.argv[0] = 3;
	o.argv[1] = SOL_SOCKET;
	o.argv[2] = SO_RCVBUF;
	o.out[3] = (unsigned char *)&rcvbuf;
	o.outlen[3] = sizeof(int);
	o.out[4] = (unsigned char *)&four;
	o.outlen[4] = sizeof(int);
	CAPTURE(buf, sizeof(buf), print_text(f, &c, &o, x));
	check("text_intptr", buf, "getsockopt(3, SOL_SOCKET, SO_RCVBUF, "
	      "[212992], [4]) = 0\n");
	call_free(&c);

	parse_or_die("mmap(NULL, 4096, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1,"
		     " 0)", 1, &c);
	memset(&o, 0, sizeof(o));
	o.argv[1] = 4096;
	o.argv[2] = PROT_READ;
	o.argv[3] = MAP_PRIVATE | MAP_ANONYMOUS;
	o.argv[4] = (unsigned long)-1;
	o.ret.sr_retval[0] = 0x7f0000001000L;
	CAPTURE(buf, sizeof(buf), print_text(f, &c, &o, x));
	check("text_mmap_hex", buf, "mmap(NULL, 4096, PROT_READ, "
	      "MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7f0000001000\n");
	call_free(&c);

	/* fcntl's result is open flags after F_GETFL, as strace shows it. */
	parse_or_die("fcntl(3, F_GETFL)", 1, &c);
	memset(&o, 0, sizeof(o));
	o.argv[0] = 3;
	o.argv[1] = F_GETFL;
	long long largefile;	/* the kernel's value, not glibc's 0 */
	abi_const(abi_default(), "O_LARGEFILE", 11, &largefile);
	o.ret.sr_retval[0] = O_RDWR | largefile;
	CAPTURE(buf, sizeof(buf), print_text(f, &c, &o, x));
	snprintf(want, sizeof(want), "fcntl(3, F_GETFL) = %#llx (flags "
		 "O_RDWR|O_LARGEFILE)\n", (long long)O_RDWR | largefile);
	check("text_fcntl_getfl", buf, want);
	CAPTURE(buf, sizeof(buf), print_json(f, &c, &o, x));
	snprintf(want, sizeof(want), "{\"call\":1,\"syscall\":\"fcntl\",\"nr\":"
		 STR(SYS_fcntl) ",\"args\":[{\"name\":\"fd\",\"text\":\"3\","
		 "\"input\":\"3\",\"value\":3},{\"name\":\"cmd\",\"text\":"
		 "\"F_GETFL\",\"input\":\"F_GETFL\",\"value\":%d}],\"executed\":true,"
		 "\"retval\":%lld,\"errno\":0,\"errname\":null,\"strerror\":null,"
		 "\"retval_text\":\"O_RDWR|O_LARGEFILE\",\"buffers\":[]}\n",
		 F_GETFL, (long long)O_RDWR | largefile);
	check("json_fcntl_getfl", buf, want);
	call_free(&c);

	parse_or_die("getpid()", 1, &c);
	CAPTURE(buf, sizeof(buf), print_json_unrun(f, &c, -ETIMEDOUT, "m", x));
	check("json_unrun", buf, "{\"call\":1,\"syscall\":\"getpid\",\"nr\":" STR(SYS_getpid) ","
	      "\"args\":[],\"executed\":false,\"error\":\"ETIMEDOUT\","
	      "\"strerror\":\"Connection timed out\",\"message\":\"m\"}\n");
	call_free(&c);
}

/* Output arrays the result counts: strace shows the elements the call
 * returned, not the whole buffer. */
static void count_cases(void)
{
	struct outcome o;
	struct call c;
	char buf[2048];
	struct epoll_event ev[8];
	unsigned int gids[32];
	const struct dctx *x = offline();

	parse_or_die("epoll_wait(5, [], 8, 0)", 1, &c);
	memset(&o, 0, sizeof(o));
	memset(ev, 0, sizeof(ev));
	o.argv[0] = 5;
	o.argv[2] = 8;
	o.out[1] = (unsigned char *)ev;
	o.outlen[1] = sizeof(ev);
	CAPTURE(buf, sizeof(buf), print_text(f, &c, &o, x));
	check("text_epoll_wait_none", buf, "epoll_wait(5, [], 8, 0) = 0\n");
	ev[0].events = EPOLLIN;
	ev[0].data.u64 = 3;
	ev[1].events = EPOLLOUT;
	ev[1].data.u64 = 0x123456789ULL;
	o.ret.sr_retval[0] = 2;
	CAPTURE(buf, sizeof(buf), print_text(f, &c, &o, x));
	check("text_epoll_wait_two", buf, "epoll_wait(5, [{events=EPOLLIN, "
	      "data={u32=3, u64=3}}, {events=EPOLLOUT, data={u32=591751049, "
	      "u64=4886718345}}], 8, 0) = 2\n");
	call_free(&c);

	parse_or_die("getgroups(32, [0, 5, 100])", 1, &c);
	memset(&o, 0, sizeof(o));
	memset(gids, 0, sizeof(gids));
	gids[1] = 5;
	gids[2] = 100;
	o.argv[0] = 32;
	o.out[1] = (unsigned char *)gids;
	o.outlen[1] = sizeof(gids);
	o.ret.sr_retval[0] = 3;
	CAPTURE(buf, sizeof(buf), print_text(f, &c, &o, x));
	check("text_getgroups", buf, "getgroups(32, [0, 5, 100]) = 3\n");
	call_free(&c);

	/* A CPU mask: the CPUs in the bytes the call returned. */
	unsigned char mask[128] = { 0x03, 0, 0, 0, 0, 0, 0, 0, 0x01 };

	mask[40] = 0x80;	/* past the result: not shown */
	parse_or_die("sched_getaffinity(0, 128, [0 1])", 1, &c);
	memset(&o, 0, sizeof(o));
	o.argv[1] = 128;
	o.out[2] = mask;
	o.outlen[2] = sizeof(mask);
	o.ret.sr_retval[0] = 32;
	CAPTURE(buf, sizeof(buf), print_text(f, &c, &o, x));
	check("text_sched_getaffinity", buf, "sched_getaffinity(0, 128, "
	      "[0 1 64]) = 32\n");
	CAPTURE(buf, sizeof(buf), print_json(f, &c, &o, x));
	if (strstr(buf, "\"text\":\"[0 1 64]\"") &&
	    strstr(buf, "\"decoded\":[0,1,64]}"))
		printf("PASS json_sched_getaffinity\n");
	else
		check("json_sched_getaffinity", buf, "\"decoded\":[0,1,64]");
	call_free(&c);
}

/* The timeout ppoll left, as the target's memory would have it. */
static long read_left(void *opaque, unsigned long addr, void *buf, size_t len)
{
	long long ts[2] = { 4, 999997836 };

	(void)opaque;
	(void)addr;
	if (len > sizeof(ts))
		len = sizeof(ts);
	memcpy(buf, ts, len);
	return (long)len;
}

/* poll's array shows what was asked, the answer follows the result. */
static void poll_cases(void)
{
	struct outcome o;
	struct call c;
	char buf[2048];
	struct dctx x = *offline();
	struct pollfd pfd[3] = {
		{ 3, POLLIN, POLLIN }, { -1, POLLIN, 0 },
		{ 4, POLLIN | POLLOUT, POLLOUT },
	};

	parse_or_die("poll([{fd=3, events=POLLIN}, {fd=-1}, {fd=4, "
		     "events=POLLIN|POLLOUT}], 3, 0)", 1, &c);
	memset(&o, 0, sizeof(o));
	o.argv[1] = 3;
	o.out[0] = (unsigned char *)pfd;
	o.outlen[0] = sizeof(pfd);
	o.ret.sr_retval[0] = 2;
	CAPTURE(buf, sizeof(buf), print_text(f, &c, &o, &x));
	check("text_poll", buf, "poll([{fd=3, events=POLLIN}, {fd=-1}, "
	      "{fd=4, events=POLLIN|POLLOUT}], 3, 0) = 2 "
	      "([{fd=3, revents=POLLIN}, {fd=4, revents=POLLOUT}])\n");
	call_free(&c);

	parse_or_die("poll([{fd=3, events=POLLIN}], 1, 0)", 1, &c);
	memset(&o, 0, sizeof(o));
	pfd[0].revents = 0;
	o.argv[1] = 1;
	o.out[0] = (unsigned char *)pfd;
	o.outlen[0] = sizeof(pfd[0]);
	CAPTURE(buf, sizeof(buf), print_text(f, &c, &o, &x));
	check("text_poll_timeout", buf, "poll([{fd=3, events=POLLIN}], 1, 0) = "
	      "0 (Timeout)\n");
	call_free(&c);

	parse_or_die("ppoll([{fd=4, events=POLLOUT}], 1, {tv_sec=5, tv_nsec=0}, "
		     "NULL, 8)", 1, &c);
	memset(&o, 0, sizeof(o));
	o.argv[1] = 1;
	o.argv[2] = 0x1000;
	o.argv[4] = 8;
	pfd[2].events = POLLOUT;
	o.out[0] = (unsigned char *)&pfd[2];
	o.outlen[0] = sizeof(pfd[2]);
	o.ret.sr_retval[0] = 1;
	x.read = read_left;
	CAPTURE(buf, sizeof(buf), print_text(f, &c, &o, &x));
	check("text_ppoll_left", buf, "ppoll([{fd=4, events=POLLOUT}], 1, "
	      "{tv_sec=5, tv_nsec=0}, NULL, 8) = 1 ([{fd=4, revents=POLLOUT}], "
	      "left {tv_sec=4, tv_nsec=999997836})\n");
	call_free(&c);
}

static void name_cases(void)
{
	if (errno_name(EBADF) && strcmp(errno_name(EBADF), "EBADF") == 0 &&
	    errno_name(0) == NULL && errno_name(100000) == NULL)
		printf("PASS errno_name\n");
	else {
		printf("FAIL errno_name: wrong names\n");
		failed = 1;
	}
}

int main(void)
{
	quoted_cases();
	json_cases();
	line_cases();
	count_cases();
	poll_cases();
	name_cases();
	return failed;
}
