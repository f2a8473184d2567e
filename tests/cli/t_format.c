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

static void line_cases(void)
{
	struct outcome o;
	struct call c;
	char buf[1024];
	unsigned char data[] = "hello\nworld";

	parse_or_die("openat(AT_FDCWD, \"/tmp/log\", O_WRONLY|O_CREAT|O_APPEND,"
		     " 0644)", 1, &c);
	memset(&o, 0, sizeof(o));
	o.ret.sr_retval[0] = 3;
	CAPTURE(buf, sizeof(buf), print_text(f, &c, &o));
	check("text_openat", buf, "openat(AT_FDCWD, \"/tmp/log\", "
	      "O_WRONLY|O_CREAT|O_APPEND, 0644) = 3\n");
	call_free(&c);

	parse_or_die("close(99)", 1, &c);
	memset(&o, 0, sizeof(o));
	o.argv[0] = 99;
	o.ret.sr_error = EBADF;
	CAPTURE(buf, sizeof(buf), print_text(f, &c, &o));
	check("text_error", buf, "close(99) = -1 EBADF (Bad file descriptor)\n");
	CAPTURE(buf, sizeof(buf), print_json(f, 2, &c, &o));
	check("json_error", buf, "{\"call\":2,\"syscall\":\"close\",\"nr\":" STR(SYS_close) ","
	      "\"args\":[{\"text\":\"99\",\"value\":99}],\"executed\":true,"
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
	o.outlen[1] = 11;
	CAPTURE(buf, sizeof(buf), print_text(f, &c, &o));
	check("text_read_buf", buf, "read(5, \"hello\\nworld\", 64) = 11\n");
	CAPTURE(buf, sizeof(buf), print_json(f, 2, &c, &o));
	check("json_read_buf", buf, "{\"call\":2,\"syscall\":\"read\",\"nr\":" STR(SYS_read) ","
	      "\"args\":[{\"text\":\"$1\",\"value\":5},{\"text\":\"buf(64)\","
	      "\"value\":4096},{\"text\":\"64\",\"value\":64}],"
	      "\"executed\":true,\"retval\":11,\"errno\":0,\"errname\":null,"
	      "\"strerror\":null,\"buffers\":[{\"arg\":1,\"len\":11,"
	      "\"data\":\"hello\\nworld\",\"hex\":\"68656c6c6f0a776f726c64\"}]}\n");
	/* A failed read shows the buffer as written, not its contents. */
	o.out[1] = NULL;
	o.ret.sr_error = EAGAIN;
	CAPTURE(buf, sizeof(buf), print_text(f, &c, &o));
	check("text_read_failed", buf, "read(5, buf(64), 64) = -1 EAGAIN "
	      "(Resource temporarily unavailable)\n");
	call_free(&c);

	parse_or_die("getsockopt(3, SOL_SOCKET, SO_RCVBUF, int(0), int(4))", 1,
		     &c);
	memset(&o, 0, sizeof(o));
	o.outint[3] = 212992;
	o.have_int[3] = 1;
	o.outint[4] = 4;
	o.have_int[4] = 1;
	CAPTURE(buf, sizeof(buf), print_text(f, &c, &o));
	check("text_intptr", buf, "getsockopt(3, SOL_SOCKET, SO_RCVBUF, "
	      "[212992], [4]) = 0\n");
	call_free(&c);

	parse_or_die("mmap(NULL, 4096, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1,"
		     " 0)", 1, &c);
	memset(&o, 0, sizeof(o));
	o.ret.sr_retval[0] = 0x7f0000001000L;
	CAPTURE(buf, sizeof(buf), print_text(f, &c, &o));
	check("text_mmap_hex", buf, "mmap(NULL, 4096, PROT_READ, "
	      "MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7f0000001000\n");
	call_free(&c);

	parse_or_die("getpid()", 1, &c);
	CAPTURE(buf, sizeof(buf), print_json_unrun(f, 1, &c, -ETIMEDOUT));
	check("json_unrun", buf, "{\"call\":1,\"syscall\":\"getpid\",\"nr\":" STR(SYS_getpid) ","
	      "\"args\":[],\"executed\":false,\"error\":\"ETIMEDOUT\","
	      "\"strerror\":\"Connection timed out\"}\n");
	call_free(&c);
}

static void flag_cases(void)
{
	int ok = (sys_flags("read") & SYS_RET_LEN) &&
		 (sys_flags("getcwd") & SYS_RET_CSTR) &&
		 (sys_flags("mmap") & SYS_RET_ADDR) &&
		 sys_flags("close") == 0 && sys_flags("") == 0;

	if (ok)
		printf("PASS sys_flags\n");
	else {
		printf("FAIL sys_flags: wrong flags\n");
		failed = 1;
	}
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
	flag_cases();
	return failed;
}
