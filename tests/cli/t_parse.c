/*
 * Table-driven tests of the scremote(1) call parser: what valid input
 * becomes, and that invalid input is refused with the right message at
 * the right place.  Nothing here attaches to anything.
 */
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "abi.h"
#include "parse.h"
#include "suggest.h"

/* Host numbers as text, for the raw-number forms. */
#define STR_(x) #x
#define STR(x) STR_(x)

static int failed;

static void pass(const char *name)
{
	printf("PASS %s\n", name);
}

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

struct xarg {
	enum arg_kind kind;
	unsigned long value;	/* ARG_INT, REF, BUF, INTPTR */
	const char *text;
	const char *data;	/* ARG_STR, ARG_BYTES: expected bytes */
	size_t len;
};

struct good {
	const char *src;
	unsigned int index;
	const char *name;
	long nr;
	unsigned int nargs;
	struct xarg a[CLI_MAX_ARGS];
};

#define I(v, t) { ARG_INT, (unsigned long)(v), t, NULL, 0 }
#define S(t, d, n) { ARG_STR, 0, t, d, n }
#define B(t, d, n) { ARG_BYTES, 0, t, d, n }

static const struct good goods[] = {
	{ "getpid()", 1, "getpid", SYS_getpid, 0, { { 0 } } },
	{ "getpid", 1, "getpid", SYS_getpid, 0, { { 0 } } },
	{ "  getpid ( )  ", 1, "getpid", SYS_getpid, 0, { { 0 } } },
	{ "close(3)", 1, "close", SYS_close, 1, { I(3, "3") } },
	{ "close(-1)", 1, "close", SYS_close, 1, { I(-1L, "-1") } },
	{ "close(0x1F)", 1, "close", SYS_close, 1, { I(31, "0x1F") } },
	{ "close(0)", 1, "close", SYS_close, 1, { I(0, "0") } },
	{ "fchmod(3, 0644)", 1, "fchmod", SYS_fchmod, 2,
	  { I(3, "3"), I(0644, "0644") } },
	{ "lseek(3, 'A', SEEK_CUR)", 1, "lseek", SYS_lseek, 3,
	  { I(3, "3"), I('A', "'A'"), I(SEEK_CUR, "SEEK_CUR") } },
	{ "lseek(3, '\\n', '\\x41')", 1, "lseek", SYS_lseek, 3,
	  { I(3, "3"), I('\n', "'\\n'"), I(0x41, "'\\x41'") } },
	{ "lseek(3, '\\'', '\\0')", 1, "lseek", SYS_lseek, 3,
	  { I(3, "3"), I('\'', "'\\''"), I(0, "'\\0'") } },
	{ "openat(AT_FDCWD, \"/tmp/log\", O_WRONLY|O_CREAT|O_APPEND, 0644)", 1,
	  "openat", SYS_openat, 4,
	  { I(AT_FDCWD, "AT_FDCWD"), S("\"/tmp/log\"", "/tmp/log", 9),
	    I(O_WRONLY | O_CREAT | O_APPEND, "O_WRONLY|O_CREAT|O_APPEND"),
	    I(0644, "0644") } },
	{ "openat(AT_FDCWD,\"x\",O_RDONLY | O_CLOEXEC | 0100)", 1,
	  "openat", SYS_openat, 3,
	  { I(AT_FDCWD, "AT_FDCWD"), S("\"x\"", "x", 2),
	    I(O_CLOEXEC | 0100, "O_RDONLY|O_CLOEXEC|0100") } },
	{ "write(1, \"a\\tb\\n\\\\\\\"\\x01\\377\", 8)", 1, "write", SYS_write, 3,
	  { I(1, "1"), S("\"a\\tb\\n\\\\\\\"\\x01\\377\"", "a\tb\n\\\"\x01\377", 9),
	    I(8, "8") } },
	{ "write(1, \"\\x41BC\", 3)", 1, "write", SYS_write, 3,
	  { I(1, "1"), S("\"\\x41BC\"", "ABC", 4), I(3, "3") } },
	{ "write(1, \"\", 0)", 1, "write", SYS_write, 3,
	  { I(1, "1"), S("\"\"", "", 1), I(0, "0") } },
	{ "write(1, \"a,b)c\", 5)", 1, "write", SYS_write, 3,
	  { I(1, "1"), S("\"a,b)c\"", "a,b)c", 6), I(5, "5") } },
	{ "write(1, bytes(\"\\x01\\x00\\x02\"), 3)", 1, "write", SYS_write, 3,
	  { I(1, "1"), B("\"\\x01\\x00\\x02\"", "\x01\x00\x02", 3),
	    I(3, "3") } },
	{ "read(0, buf(100), 100)", 1, "read", SYS_read, 3,
	  { I(0, "0"), { ARG_BUF, 100, "buf(100)", NULL, 0 }, I(100, "100") } },
	{ "read(0, buf( 0x10 ), 16)", 1, "read", SYS_read, 3,
	  { I(0, "0"), { ARG_BUF, 16, "buf(16)", NULL, 0 }, I(16, "16") } },
	{ "read(0, buf(1048576), 1)", 1, "read", SYS_read, 3,
	  { I(0, "0"), { ARG_BUF, 1048576, "buf(1048576)", NULL, 0 },
	    I(1, "1") } },
	{ "getsockopt(3, SOL_SOCKET, SO_RCVBUF, int(0), int(4))", 1,
	  "getsockopt", SYS_getsockopt, 5,
	  { I(3, "3"), I(SOL_SOCKET, "SOL_SOCKET"), I(SO_RCVBUF, "SO_RCVBUF"),
	    { ARG_INTPTR, 0, "[0]", NULL, 0 },
	    { ARG_INTPTR, 4, "[4]", NULL, 0 } } },
#ifdef SYS_dup2	/* not in the asm-generic table */
	{ "dup2($1, 1)", 2, "dup2", SYS_dup2, 2,
	  { { ARG_REF, 1, "$1", NULL, 0 }, I(1, "1") } },
#endif
	{ "dup3($2, $1, O_CLOEXEC)", 3, "dup3", SYS_dup3, 3,
	  { { ARG_REF, 2, "$2", NULL, 0 }, { ARG_REF, 1, "$1", NULL, 0 },
	    I(O_CLOEXEC, "O_CLOEXEC") } },
	{ "mmap(NULL, 4096, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)",
	  1, "mmap", SYS_mmap, 6,
	  { I(0, "NULL"), I(4096, "4096"), I(PROT_READ | PROT_WRITE,
	    "PROT_READ|PROT_WRITE"), I(MAP_PRIVATE | MAP_ANONYMOUS,
	    "MAP_PRIVATE|MAP_ANONYMOUS"), I(-1L, "-1"), I(0, "0") } },
	{ "kill(1, SIGTERM)", 1, "kill", SYS_kill, 2,
	  { I(1, "1"), I(SIGTERM, "SIGTERM") } },
	{ "rt_sigprocmask(SIG_BLOCK, NULL, NULL, 8)", 1, "rt_sigprocmask",
	  SYS_rt_sigprocmask, 4,
	  { I(SIG_BLOCK, "SIG_BLOCK"), I(0, "NULL"), I(0, "NULL"), I(8, "8") } },
	{ "fadvise64(3, 0, 0, POSIX_FADV_DONTNEED)", 1, "fadvise64",
	  SYS_fadvise64, 4,
	  { I(3, "3"), I(0, "0"), I(0, "0"),
	    I(POSIX_FADV_DONTNEED, "POSIX_FADV_DONTNEED") } },
	{ "setsockopt(3, SOL_SOCKET, SO_KEEPALIVE, int(1), 4)", 1, "setsockopt",
	  SYS_setsockopt, 5,
	  { I(3, "3"), I(SOL_SOCKET, "SOL_SOCKET"),
	    I(SO_KEEPALIVE, "SO_KEEPALIVE"), { ARG_INTPTR, 1, "[1]", NULL, 0 },
	    I(4, "4") } },
	{ "close(0xffffffffffffffff)", 1, "close", SYS_close, 1,
	  { I(ULONG_MAX, "0xffffffffffffffff") } },
	{ "close(-9223372036854775808)", 1, "close", SYS_close, 1,
	  { I(LONG_MIN, "-9223372036854775808") } },
	{ "syscall_" STR(SYS_getpid) "()", 1, "getpid", SYS_getpid, 0, { { 0 } } },
	{ "#" STR(SYS_getpid), 1, "getpid", SYS_getpid, 0, { { 0 } } },
	{ "#99999()", 1, "syscall_99999", 99999, 0, { { 0 } } },
	{ "exit_group(0)", 1, "exit_group", SYS_exit_group, 1, { I(0, "0") } },
};

struct bad {
	const char *src;
	unsigned int index;
	const char *msg;	/* a substring of the message */
	size_t pos;		/* where the caret goes */
};

static const struct bad bads[] = {
	{ "", 1, "expected a system call name", 0 },
	{ "opnat(1)", 1, "did you mean 'openat'", 0 },
	{ "getpdi()", 1, "did you mean 'getpid'", 0 },
	{ "xyzzyplugh()", 1, "unknown system call 'xyzzyplugh'", 0 },
	{ "3close(3)", 1, "expected a system call name", 0 },
	{ "close(3", 1, "missing ')'", 7 },
	{ "close(3))", 1, "unexpected text after the call", 8 },
	{ "close 3", 1, "unexpected text after the call", 6 },
	{ "close(3 4)", 1, "expected ',' or ')'", 8 },
	{ "close(,)", 1, "missing argument", 6 },
	{ "close(1,)", 1, "missing argument", 8 },
	{ "close(1,,2)", 1, "missing argument", 8 },
	{ "close(08)", 1, "not a valid octal", 6 },
	{ "close(0x)", 1, "has no digits", 6 },
	{ "close(0xg1)", 1, "not a valid hexadecimal", 6 },
	{ "close(12abc)", 1, "not a valid decimal", 6 },
	{ "close(10UL)", 1, "not a valid decimal", 6 },
	{ "close(18446744073709551616)", 1, "does not fit in 64 bits", 6 },
	{ "close(-9223372036854775809)", 1, "below the smallest", 6 },
	{ "close(-)", 1, "expected digits after '-'", 6 },
	{ "close(-x)", 1, "expected digits after '-'", 6 },
	{ "close(O_CRAET)", 1, "did you mean 'O_CREAT'", 6 },
	{ "close(O_RDONLY|)", 1, "missing argument", 15 },
	{ "close(O_RDONLY|FOO_BAR_BAZ_QUUX)", 1, "unknown constant", 15 },
	{ "close(stdout)", 1, "unknown constant 'stdout'", 6 },
	{ "close('')", 1, "empty character constant", 6 },
	{ "close('ab')", 1, "one character", 6 },
	{ "close('a)", 1, "one character", 6 },
	{ "open(\"abc)", 1, "no closing '\"'", 5 },
	{ "open(\"a\\qb\")", 1, "unknown escape '\\q'", 7 },
	{ "open(\"a\\x\")", 1, "needs hexadecimal digits", 7 },
	{ "open(\"a\\400\")", 1, "over \\377", 7 },
	{ "open(\"a\\", 1, "at the end", 7 },
	{ "open(/tmp/x, 0)", 1, "strings need double quotes", 5 },
	{ "open(./x, 0)", 1, "strings need double quotes", 5 },
	{ "read(0, buf(0), 1)", 1, "the size must be 1..1048576", 12 },
	{ "read(0, buf(1048577), 1)", 1, "the size must be 1..1048576", 12 },
	{ "read(0, buf(-1), 1)", 1, "the size must be", 12 },
	{ "read(0, buf(x), 1)", 1, "buf() takes a number", 12 },
	{ "setsockopt(3, 1, 9, int(), 4)", 1, "int() takes a number", 24 },
	{ "read(0, buf(10, 1)", 1, "expected ')'", 14 },
	{ "read(0, buf(10), 1", 1, "missing ')'", 18 },
	{ "write(1, bytes(1), 1)", 1, "bytes() takes a \"string\"", 15 },
	{ "write(1, bytes(\"a\"", 1, "expected ')'", 18 },
	{ "setsockopt(3, 1, 9, int(4294967296), 4)", 1, "range of a C int", 24 },
	{ "close($1)", 1, "this is the first call", 6 },
	{ "close($2)", 2, "$1..$1", 6 },
	{ "close($9)", 3, "$1..$2", 6 },
	{ "close($0)", 3, "$1..$2", 6 },
	{ "close($)", 2, "must be followed by a call number", 6 },
	{ "close($1x)", 2, "not a call reference", 6 },
	{ "a(1,2,3,4,5,6,7)", 1, "unknown system call", 0 },
	{ "mmap(1,2,3,4,5,6,7)", 1, "at most 6", 17 },
	{ "#", 1, "must be followed by a system call number", 0 },
	{ "#99999999999", 1, "too large", 1 },
	{ "syscall_99999999999", 1, "too large", 8 },
	{ "close(3) garbage", 1, "unexpected text", 9 },
	{ "close(@)", 1, "expected a number", 6 },
};

static int same_bytes(const unsigned char *a, size_t alen, const char *b,
		      size_t blen)
{
	return alen == blen && (alen == 0 || memcmp(a, b, alen) == 0);
}

/* "" when arg matches, else what differs. */
static const char *arg_mismatch(const struct arg *got, const struct xarg *x)
{
	if (got->kind != x->kind)
		return "kind";
	if (strcmp(got->text, x->text) != 0)
		return "text";
	if ((x->kind == ARG_STR || x->kind == ARG_BYTES) &&
	    !same_bytes(got->data, got->len, x->data, x->len))
		return "data";
	if (x->kind != ARG_STR && x->kind != ARG_BYTES &&
	    got->value != x->value)
		return "value";
	return "";
}

static void check_good(const struct good *g, size_t i)
{
	struct parse_err e;
	struct call c;
	char name[64];

	snprintf(name, sizeof(name), "good_%02zu", i);
	if (parse_call(abi_default(), g->src, g->index, &c, &e) < 0) {
		failf(name, "'%s' refused: %s", g->src, e.msg);
		return;
	}
	if (c.nr != g->nr || strcmp(c.name, g->name) != 0 ||
	    c.nargs != g->nargs) {
		failf(name, "'%s': got %s/%ld with %u args", g->src, c.name,
		      c.nr, c.nargs);
		call_free(&c);
		return;
	}
	for (unsigned int j = 0; j < c.nargs; j++) {
		const char *why = arg_mismatch(&c.args[j], &g->a[j]);

		if (*why) {
			failf(name, "'%s' argument %u: %s differs (text '%s',"
			      " value %#lx)", g->src, j + 1, why,
			      c.args[j].text, c.args[j].value);
			call_free(&c);
			return;
		}
	}
	call_free(&c);
	pass(name);
}

static void check_bad(const struct bad *b, size_t i)
{
	struct parse_err e;
	struct call c;
	char name[64];

	snprintf(name, sizeof(name), "bad_%02zu", i);
	memset(&e, 0, sizeof(e));
	if (parse_call(abi_default(), b->src, b->index, &c, &e) == 0) {
		failf(name, "'%s' was accepted", b->src);
		call_free(&c);
		return;
	}
	if (!strstr(e.msg, b->msg))
		failf(name, "'%s': message '%s' lacks '%s'", b->src, e.msg,
		      b->msg);
	else if (e.pos != b->pos)
		failf(name, "'%s': caret at %zu, expected %zu (%s)", b->src,
		      e.pos, b->pos, e.msg);
	else if (c.nargs != 0 || c.name != NULL)
		failf(name, "'%s': call not emptied after the error", b->src);
	else
		pass(name);
}

/* The positional form: one word per argument. */
static void check_words(void)
{
	char *ok[] = { "openat", "AT_FDCWD", "\"/tmp/a b\"",
		       "O_WRONLY | O_CREAT", "0644" };
	char *neg[] = { "close", "-1" };
	char *two[] = { "close", "3 4" };
	char *opt[] = { "read", "0", "--timeout", "200" };
	char *paren[] = { "close(3)" };
	char *quote[] = { "chdir", "/tmp" };
	char *empty[] = { "close", "" };
	char *many[] = { "mmap", "1", "2", "3", "4", "5", "6", "7" };
	char *ref[] = { "close", "$1" };
	struct parse_err e;
	struct call c;

	if (parse_words(abi_default(), ok, 5, &c, &e) == 0 && c.nargs == 4 &&
	    c.nr == SYS_openat && c.args[1].len == 9 &&
	    strcmp(c.args[2].text, "O_WRONLY|O_CREAT") == 0 &&
	    c.args[2].value == (O_WRONLY | O_CREAT)) {
		pass("words_openat");
	} else {
		failf("words_openat", "not parsed as expected");
	}
	call_free(&c);
	if (parse_words(abi_default(), neg, 2, &c, &e) == 0 &&
	    c.args[0].value == (unsigned long)-1)
		pass("words_negative");
	else
		failf("words_negative", "close -1 not parsed");
	call_free(&c);

	struct {
		const char *name;
		char **w;
		size_t n;
		const char *msg;
		size_t pos;
	} bad[] = {
		{ "words_two_in_one", two, 2, "one argument per word", 8 },
		{ "words_paren", paren, 1, "use -e", 5 },
		{ "words_unquoted", quote, 2, "double quotes", 6 },
		{ "words_empty", empty, 2, "missing argument", 6 },
		{ "words_too_many", many, 8, "at most 6", 17 },
		{ "words_ref", ref, 2, "first call", 6 },
		{ "words_none", NULL, 0, "missing system call name", 0 },
		{ "words_option_after_pid", opt, 4, "options go before the PID",
		  7 },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (parse_words(abi_default(), bad[i].w, bad[i].n, &c, &e) == 0) {
			failf(bad[i].name, "accepted");
			call_free(&c);
		} else if (!strstr(e.msg, bad[i].msg) || e.pos != bad[i].pos) {
			failf(bad[i].name, "message '%s' at %zu", e.msg, e.pos);
		} else {
			pass(bad[i].name);
		}
	}
}

static void check_tables(void)
{
	const struct sys_abi *abi = abi_default();
	long long v;

	if (abi_sysnr(abi, "getpid", 6) == SYS_getpid &&
	    abi_sysnr(abi, "getpidx", 7) == -1 &&
	    abi_sysnr(abi, "getpi", 5) == -1 &&
	    strcmp(abi_sysname(abi, SYS_openat), "openat") == 0 &&
	    abi->ncalls > 300)
		pass("table_syscalls");
	else
		failf("table_syscalls", "lookups wrong (%zu names)", abi->ncalls);

	/* Every name the table holds is found again, with its number. */
	size_t bad = 0;
	for (size_t i = 0; i < abi->ncalls; i++)
		if (abi_sysnr(abi, abi->calls[i].name,
			      strlen(abi->calls[i].name)) != abi->calls[i].nr)
			bad++;
	if (bad)
		failf("table_sorted", "%zu names not found by bsearch", bad);
	else
		pass("table_sorted");

	static const char *const wanted[] = {
		"AT_FDCWD", "O_CREAT", "PROT_EXEC", "MAP_SHARED",
		"MADV_DONTNEED", "SEEK_END", "F_GETFL", "FD_CLOEXEC", "SIGKILL",
		"SIG_UNBLOCK", "RLIMIT_NOFILE", "PR_SET_NAME", "AF_INET",
		"SOCK_STREAM", "SOL_SOCKET", "SO_REUSEADDR", "IPPROTO_TCP",
		"TCP_NODELAY", "CLOCK_MONOTONIC", "POSIX_FADV_WILLNEED",
	};
	bad = 0;
	for (size_t i = 0; i < sizeof(wanted) / sizeof(wanted[0]); i++)
		if (abi_const(abi, wanted[i], strlen(wanted[i]), &v) < 0) {
			failf("table_consts", "%s missing", wanted[i]);
			bad++;
		}
	if (!bad)
		pass("table_consts");
	/* Macros that are not integer constants must have been dropped. */
	if (abi_const(abi, "SIGRTMIN", 8, &v) < 0 &&
	    abi_const(abi, "SIGSTKSZ", 8, &v) < 0)
		pass("table_no_runtime_macros");
	else
		failf("table_no_runtime_macros", "SIGRTMIN or SIGSTKSZ present");
	if (abi_const(abi, "IPPROTO_TCP", 11, &v) == 0 && v == IPPROTO_TCP &&
	    abi_const(abi, "SO_KEEPALIVE", 12, &v) == 0 && v == SO_KEEPALIVE)
		pass("table_values");
	else
		failf("table_values", "wrong values");
}

static void check_suggest(void)
{
	const struct sys_abi *abi = abi_default();
	const char *s;

	if (edit_distance("getpdi", 6, "getpid", 6) == 1 &&
	    edit_distance("abc", 3, "abc", 3) == 0 &&
	    edit_distance("", 0, "abc", 3) == 3 &&
	    edit_distance("OPENAT", 6, "openat", 6) == 0)
		pass("edit_distance");
	else
		failf("edit_distance", "wrong distances");
	s = abi_suggest_sys(abi, "fadvise", 7);
	if (s && strcmp(s, "fadvise64") == 0)
		pass("suggest_fadvise");
	else
		failf("suggest_fadvise", "got %s", s ? s : "nothing");
	s = abi_suggest_sys(abi, "opnat", 5);
	if (s && strcmp(s, "openat") == 0)
		pass("suggest_openat");
	else
		failf("suggest_openat", "got %s", s ? s : "nothing");
	s = abi_suggest_const(abi, "O_WRONYL", 8);
	if (s && strcmp(s, "O_WRONLY") == 0)
		pass("suggest_const");
	else
		failf("suggest_const", "got %s", s ? s : "nothing");
	s = abi_suggest_sys(abi, "qqqqqqqqqq", 10);
	if (!s)
		pass("suggest_nothing_far");
	else
		failf("suggest_nothing_far", "suggested %s", s);
	char longword[200];
	memset(longword, 'a', sizeof(longword));
	if (!abi_suggest_sys(abi, longword, sizeof(longword)) &&
	    abi_sysnr(abi, longword, sizeof(longword)) == -1)
		pass("suggest_long_word");
	else
		failf("suggest_long_word", "long word matched");
}

int main(void)
{
	for (size_t i = 0; i < sizeof(goods) / sizeof(goods[0]); i++)
		check_good(&goods[i], i);
	for (size_t i = 0; i < sizeof(bads) / sizeof(bads[0]); i++)
		check_bad(&bads[i], i);
	check_words();
	check_tables();
	check_suggest();
	return failed;
}
