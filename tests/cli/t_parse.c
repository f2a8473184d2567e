/*
 * Table-driven tests of the scremote(1) call parser: what valid input
 * becomes, and that invalid input is refused with the right message at
 * the right place; the arity of every call of the host ABI; constants
 * checked against the family each argument takes; expressions; lines
 * pasted from strace.  Nothing here attaches to anything.
 */
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
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

/* An expected argument: its form, and its value (ARG_INT without $N,
 * ARG_BUF and ARG_OUT sizes, ARG_INTPTR), bytes (strings, blobs) or
 * the largest $N it refers to (ref). */
struct xarg {
	enum arg_form form;
	unsigned long value;
	const char *data;
	size_t len;
	unsigned long ref;
};

struct good {
	const char *src;
	unsigned int index;
	const char *name;
	long nr;
	unsigned int nargs;
	struct xarg a[CLI_MAX_ARGS];
};

#define I(v) { ARG_INT, (unsigned long)(v), NULL, 0, 0 }
#define R(n) { ARG_INT, 0, NULL, 0, n }
#define S(d, n) { ARG_STR, 0, d, n, 0 }
#define B(d, n) { ARG_BYTES, 0, d, n, 0 }
#define BUF(n) { ARG_BUF, n, NULL, 0, 0 }
#define OUT(n) { ARG_OUT, n, NULL, 0, 0 }
#define IP(n) { ARG_INTPTR, (unsigned long)(n), NULL, 0, 0 }

static const struct good goods[] = {
	{ "getpid()", 1, "getpid", SYS_getpid, 0, { { 0 } } },
	{ "getpid", 1, "getpid", SYS_getpid, 0, { { 0 } } },
	{ "  getpid ( )  ", 1, "getpid", SYS_getpid, 0, { { 0 } } },
	{ "close(3)", 1, "close", SYS_close, 1, { I(3) } },
	{ "close(-1)", 1, "close", SYS_close, 1, { I(-1L) } },
	{ "close(0x1F)", 1, "close", SYS_close, 1, { I(31) } },
	{ "close(STDERR_FILENO)", 1, "close", SYS_close, 1, { I(2) } },
	{ "fchmod(3, 0644)", 1, "fchmod", SYS_fchmod, 2, { I(3), I(0644) } },
	{ "fchmod(3, S_IRUSR|S_IWUSR)", 1, "fchmod", SYS_fchmod, 2,
	  { I(3), I(0600) } },
	{ "lseek(3, 'A', SEEK_CUR)", 1, "lseek", SYS_lseek, 3,
	  { I(3), I('A'), I(SEEK_CUR) } },
	{ "lseek(3, '\\n', '\\x41')", 1, "lseek", SYS_lseek, 3,
	  { I(3), I('\n'), I(0x41) } },
	{ "openat(AT_FDCWD, \"/tmp/log\", O_WRONLY|O_CREAT|O_APPEND, 0644)", 1,
	  "openat", SYS_openat, 4,
	  { I(AT_FDCWD), S("/tmp/log", 9), I(O_WRONLY | O_CREAT | O_APPEND),
	    I(0644) } },
	/* The mode may be left out, as strace does. */
	{ "openat(AT_FDCWD,\"x\",O_RDONLY | O_CLOEXEC | 0100)", 1,
	  "openat", SYS_openat, 3,
	  { I(AT_FDCWD), S("x", 2), I(O_CLOEXEC | 0100) } },
	{ "write(1, \"a\\tb\\n\\\\\\\"\\x01\\377\", 8)", 1, "write", SYS_write, 3,
	  { I(1), S("a\tb\n\\\"\x01\377", 9), I(8) } },
	{ "write(1, \"\\x41BC\", 3)", 1, "write", SYS_write, 3,
	  { I(1), S("ABC", 4), I(3) } },
	{ "write(1, \"a,b)c\", 5)", 1, "write", SYS_write, 3,
	  { I(1), S("a,b)c", 6), I(5) } },
	{ "write(1, bytes(\"\\x01\\x00\\x02\"), 3)", 1, "write", SYS_write, 3,
	  { I(1), B("\x01\x00\x02", 3), I(3) } },
	{ "read(0, buf(100), 100)", 1, "read", SYS_read, 3,
	  { I(0), BUF(100), I(100) } },
	{ "read(0, buf( 0x10 ), 16)", 1, "read", SYS_read, 3,
	  { I(0), BUF(16), I(16) } },
	{ "read(0, buf(1048576), 1)", 1, "read", SYS_read, 3,
	  { I(0), BUF(1048576), I(1) } },
	{ "getsockopt(3, SOL_SOCKET, SO_RCVBUF, int(0), int(4))", 1,
	  "getsockopt", SYS_getsockopt, 5,
	  { I(3), I(SOL_SOCKET), I(SO_RCVBUF), IP(0), IP(4) } },
	{ "dup3($2, $1, O_CLOEXEC)", 3, "dup3", SYS_dup3, 3,
	  { R(2), R(1), I(O_CLOEXEC) } },
	{ "mmap(NULL, 4096, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)",
	  1, "mmap", SYS_mmap, 6,
	  { I(0), I(4096), I(PROT_READ | PROT_WRITE),
	    I(MAP_PRIVATE | MAP_ANONYMOUS), I(-1L), I(0) } },
	{ "kill(1, SIGTERM)", 1, "kill", SYS_kill, 2, { I(1), I(SIGTERM) } },
	{ "rt_sigprocmask(SIG_BLOCK, NULL, NULL, 8)", 1, "rt_sigprocmask",
	  SYS_rt_sigprocmask, 4, { I(SIG_BLOCK), I(0), I(0), I(8) } },
	{ "setsockopt(3, SOL_SOCKET, SO_KEEPALIVE, int(1), 4)", 1, "setsockopt",
	  SYS_setsockopt, 5,
	  { I(3), I(SOL_SOCKET), I(SO_KEEPALIVE), IP(1), I(4) } },
	{ "setsockopt(3, IPPROTO_TCP, TCP_NODELAY, int(1), 4)", 1, "setsockopt",
	  SYS_setsockopt, 5,
	  { I(3), I(IPPROTO_TCP), I(1), IP(1), I(4) } },
	{ "close(0xffffffffffffffff)", 1, "close", SYS_close, 1, { I(ULONG_MAX) } },
	{ "close(-9223372036854775808)", 1, "close", SYS_close, 1, { I(LONG_MIN) } },
	{ "syscall_" STR(SYS_getpid) "()", 1, "getpid", SYS_getpid, 0, { { 0 } } },
	{ "#" STR(SYS_getpid), 1, "getpid", SYS_getpid, 0, { { 0 } } },
	{ "#99999()", 1, "syscall_99999", 99999, 0, { { 0 } } },
	/* Numbers are not checked: any arguments, as many as 6. */
	{ "#" STR(SYS_close) "(1, 2, 3, 4, 5, 6)", 1, "close", SYS_close, 6,
	  { I(1), I(2), I(3), I(4), I(5), I(6) } },
	{ "#" STR(SYS_close) "(\"x\", O_RDONLY)", 1, "close", SYS_close, 2,
	  { S("x", 2), I(O_RDONLY) } },
	{ "exit_group(0)", 1, "exit_group", SYS_exit_group, 1, { I(0) } },
	/* Expressions, with constants of the argument's family. */
	{ "fcntl(3, F_SETFL, O_RDWR|O_NONBLOCK)", 1, "fcntl", SYS_fcntl, 3,
	  { I(3), I(F_SETFL), I(O_RDWR | O_NONBLOCK) } },
	{ "fcntl(3, F_SETFL, $1|O_NONBLOCK)", 2, "fcntl", SYS_fcntl, 3,
	  { I(3), I(F_SETFL), R(1) } },
	{ "fcntl(3, F_SETFL, ($1 & ~O_NONBLOCK) | O_APPEND)", 2, "fcntl",
	  SYS_fcntl, 3, { I(3), I(F_SETFL), R(1) } },
	{ "fcntl(3, F_GETFL)", 1, "fcntl", SYS_fcntl, 2, { I(3), I(F_GETFL) } },
	{ "fcntl(3, F_SETFD, FD_CLOEXEC)", 1, "fcntl", SYS_fcntl, 3,
	  { I(3), I(F_SETFD), I(FD_CLOEXEC) } },
	{ "fcntl(3, F_DUPFD, 10)", 1, "fcntl", SYS_fcntl, 3,
	  { I(3), I(F_DUPFD), I(10) } },
	{ "lseek(3, 1 << 12, SEEK_SET)", 1, "lseek", SYS_lseek, 3,
	  { I(3), I(4096), I(SEEK_SET) } },
	{ "lseek(3, (1 + 2) << 4 | 1, SEEK_SET)", 1, "lseek", SYS_lseek, 3,
	  { I(3), I(49), I(SEEK_SET) } },
	{ "lseek(3, 1 | 2 & 3, SEEK_SET)", 1, "lseek", SYS_lseek, 3,
	  { I(3), I(3), I(SEEK_SET) } },
	{ "lseek(3, 10 - 2 - 3, SEEK_SET)", 1, "lseek", SYS_lseek, 3,
	  { I(3), I(5), I(SEEK_SET) } },
	{ "lseek(3, ~0, SEEK_SET)", 1, "lseek", SYS_lseek, 3,
	  { I(3), I(~0UL), I(SEEK_SET) } },
	{ "lseek(3, -(2 + 3), SEEK_SET)", 1, "lseek", SYS_lseek, 3,
	  { I(3), I(-5L), I(SEEK_SET) } },
	{ "lseek(3, 0x10 ^ 0x11, SEEK_SET)", 1, "lseek", SYS_lseek, 3,
	  { I(3), I(1), I(SEEK_SET) } },
	{ "lseek(3, 256 >> 4, SEEK_SET)", 1, "lseek", SYS_lseek, 3,
	  { I(3), I(16), I(SEEK_SET) } },
	{ "lseek(3, 1 << 64, SEEK_SET)", 1, "lseek", SYS_lseek, 3,
	  { I(3), I(0), I(SEEK_SET) } },
	{ "lseek(3, $1 + 10, SEEK_CUR)", 3, "lseek", SYS_lseek, 3,
	  { I(3), R(1), I(SEEK_CUR) } },
	{ "mmap(NULL, 4096, PROT_READ, MAP_SHARED|MAP_FIXED, $2, 0)", 3, "mmap",
	  SYS_mmap, 6, { I(0), I(4096), I(PROT_READ),
	  I(MAP_SHARED | MAP_FIXED), R(2), I(0) } },
	/* A constant in no family passes as a number anywhere. */
	{ "lseek(3, O_RDONLY, SEEK_SET)", 1, "lseek", SYS_lseek, 3,
	  { I(3), I(0), I(SEEK_SET) } },
	/* Lines of strace's output. */
	{ "openat(AT_FDCWD, \"/etc/hostname\", O_RDONLY|O_CLOEXEC) = 3", 1,
	  "openat", SYS_openat, 3,
	  { I(AT_FDCWD), S("/etc/hostname", 14), I(O_CLOEXEC) } },
	{ "read(3, \"myhost\\n\", 4096) = 7", 1, "read", SYS_read, 3,
	  { I(3), OUT(4096), I(4096) } },
	{ "read(3, \"some\"..., 4096) = 4096", 1, "read", SYS_read, 3,
	  { I(3), OUT(4096), I(4096) } },
	{ "close(3)                                = 0", 1, "close", SYS_close,
	  1, { I(3) } },
	{ "[pid  4242] close(3) = -1 EBADF (Bad file descriptor)", 1, "close",
	  SYS_close, 1, { I(3) } },
	{ "getpid() = 4242", 1, "getpid", SYS_getpid, 0, { { 0 } } },
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
	{ "close(,)", 1, "missing value", 6 },
	{ "close(1,)", 1, "missing value", 8 },
	{ "close(1,,2)", 1, "missing value", 8 },
	{ "close(08)", 1, "not a valid octal", 6 },
	{ "close(0x)", 1, "has no digits", 6 },
	{ "close(0xg1)", 1, "not a valid hexadecimal", 6 },
	{ "close(12abc)", 1, "not a valid decimal", 6 },
	{ "close(10UL)", 1, "not a valid decimal", 6 },
	{ "close(18446744073709551616)", 1, "does not fit in 64 bits", 6 },
	{ "close(-9223372036854775809)", 1, "below the smallest", 6 },
	{ "close(-)", 1, "'-' needs a value", 6 },
	{ "close(-x)", 1, "unknown constant 'x'", 7 },
	{ "close(O_CRAET)", 1, "did you mean 'O_CREAT'", 6 },
	{ "lseek(3, 1|, SEEK_SET)", 1, "'|' needs a value", 10 },
	{ "lseek(3, 1|FOO_BAR_BAZ_QUUX, SEEK_SET)", 1, "unknown constant", 11 },
	{ "lseek(3, (1, SEEK_SET)", 1, "expected ')'", 11 },
	{ "lseek(3, 1 <, SEEK_SET)", 1, "expected ',' or ')'", 11 },
	{ "close(stdout)", 1, "unknown constant 'stdout'", 6 },
	{ "close('')", 1, "empty character constant", 6 },
	{ "close('ab')", 1, "one character", 6 },
	{ "close('a)", 1, "one character", 6 },
	{ "chdir(\"abc)", 1, "no closing '\"'", 6 },
	{ "chdir(\"a\\qb\")", 1, "unknown escape '\\q'", 8 },
	{ "chdir(\"a\\x\")", 1, "needs hexadecimal digits", 8 },
	{ "chdir(\"a\\400\")", 1, "over \\377", 8 },
	{ "chdir(\"a\\", 1, "at the end", 8 },
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
	{ "#" STR(SYS_mmap) "(1,2,3,4,5,6,7)", 1, "at most 6",
	  sizeof("#" STR(SYS_mmap) "(1,2,3,4,5,6,") - 1 },
	{ "#", 1, "must be followed by a system call number", 0 },
	{ "#99999999999", 1, "too large", 1 },
	{ "syscall_99999999999", 1, "too large", 8 },
	{ "close(3) garbage", 1, "unexpected text", 9 },
	{ "close(@)", 1, "expected a number", 6 },
	/* Arity, with the prototype. */
	{ "close()", 1, "close takes 1 argument (unsigned int fd), got 0", 6 },
	{ "close", 1, "close takes 1 argument", 5 },
	{ "close(1, 2)", 1, "close takes 1 argument (unsigned int fd), got 2", 9 },
	{ "dup2(2)", 1, "dup2 takes 2 arguments (unsigned int oldfd, unsigned "
	  "int newfd), got 1", 6 },
	{ "write(1, \"hi\")", 1, "write takes 3 arguments", 13 },
	{ "openat(AT_FDCWD, \"x\")", 1, "openat takes 3 to 4 arguments (int dfd, "
	  "const char *filename, int flags[, umode_t mode]), got 2", 20 },
	{ "getpid(1)", 1, "getpid takes 0 arguments (), got 1", 7 },
	{ "mmap(1,2,3,4,5,6,7)", 1, "at most 6", 17 },
	/* A pasted struct of no layout here: the kernel would write the
	 * whole struct, so no guess at its size. */
	{ "statfs(\"/tmp\", {f_type=EXT2_SUPER_MAGIC, f_bsize=4096})", 1,
	  "statfs's buf: the size of this buffer is not known here (statfs "
	  "has no layout in scremote); give buf(N)", 15 },
	{ "sysinfo({uptime=1})", 1, "sysinfo's info: the size of this buffer "
	  "is not known here", 8 },
	/* Constants of the wrong family, before anything runs. */
	{ "openat(AT_FDCWD, \"x\", SEEK_END)", 1, "openat's flags takes "
	  "constants of open_flags (O_*); SEEK_END is a constant of whence", 22 },
	{ "lseek(3, 0, O_RDONLY)", 1, "lseek's whence takes constants of "
	  "whence (SEEK_*)", 12 },
	{ "kill(1, SIGTERM|O_CREAT)", 1, "O_CREAT is a constant of open_flags",
	  16 },
	{ "kill(SIGTERM, 1)", 1, "kill's pid takes a process id; SIGTERM is "
	  "a constant of signal", 5 },
	{ "close(AT_FDCWD)", 1, "close's fd takes constants of fd", 6 },
	{ "fcntl(3, F_SETFL, $1|SEEK_END)", 2, "fcntl's arg takes constants "
	  "of open_flags", 21 },
	{ "fcntl(3, F_SETFD, O_CLOEXEC)", 1, "fcntl's arg takes constants of "
	  "fd_flags", 18 },
	{ "fcntl(3, O_RDONLY)", 1, "constants of fcntl_cmd (F_*)", 9 },
	{ "mmap(NULL, 4096, MAP_SHARED, PROT_READ, -1, 0)", 1, "mmap's prot "
	  "takes constants of mmap_prot (PROT_*)", 17 },
	{ "setsockopt(3, SO_KEEPALIVE, SOL_SOCKET, int(1), 4)", 1,
	  "setsockopt's level takes constants of sockopt_level", 14 },
	{ "socket(SOCK_STREAM, AF_INET, 0)", 1, "socket's domain takes "
	  "constants of address_family", 7 },
	{ "fchmod(3, O_RDWR)", 1, "fchmod's mode takes constants of mode", 10 },
	/* Strings only where pointers go; pointers for output never raw. */
	{ "close(\"3\")", 1, "close's fd takes a file descriptor, not a string",
	  6 },
	{ "lseek(3, \"0\", SEEK_SET)", 1, "not a string", 9 },
	{ "read(3, 0x7ffd1000, 10)", 1, "read's buf is where the call writes: "
	  "give buf(N)", 8 },
	{ "read(3, $1, 10)", 2, "read's buf is where the call writes", 8 },
	{ "close(buf(10))", 1, "close's fd takes a file descriptor, not a "
	  "buffer", 6 },
	{ "write(1, \"hello\"..., 100)", 1, "strace cut this string short", 9 },
	{ "read(3, \"x\", count)", 1, "unknown constant 'count'", 13 },
};

static int same_bytes(const unsigned char *a, size_t alen, const char *b,
		      size_t blen)
{
	return alen == blen && (alen == 0 || memcmp(a, b, alen) == 0);
}

/* "" when arg matches, else what differs. */
static const char *arg_mismatch(const struct arg *got, const struct xarg *x)
{
	if (got->form != x->form)
		return "form";
	switch (x->form) {
	case ARG_INT:
		if (x->ref)
			return expr_max_ref(&got->expr) == x->ref ? "" : "ref";
		return expr_has_refs(&got->expr) ||
		       expr_value(&got->expr) != x->value ? "value" : "";
	case ARG_STR:
	case ARG_BYTES:
	case ARG_BLOB:
		return same_bytes(got->blob->data, got->blob->len, x->data,
				  x->len) ? "" : "data";
	case ARG_BUF:
	case ARG_OUT:
		return got->size == x->value ? "" : "size";
	case ARG_INTPTR:
		return (unsigned long)got->ival == x->value ? "" : "value";
	}
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
			failf(name, "'%s' argument %u: %s differs (text '%s')",
			      g->src, j + 1, why, c.args[j].text);
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

/*
 * Every call of the host ABI with a signature, given 0 to 7 arguments
 * "0": accepted exactly from its required count to its full count (a 0
 * suits every kind: a number, NULL, the first constant), refused
 * otherwise with the prototype; its raw number (#N) takes them all.
 */
static void check_arity_sweep(void)
{
	const struct sys_abi *abi = abi_default();
	size_t calls = 0, wrong = 0, refusals = 0;
	char text[128], first[600] = "";

	for (size_t i = 0; i < abi->ncalls; i++) {
		const struct sys_call *sc = &abi->calls[i];

		if (!sc->sig)
			continue;
		calls++;
		for (unsigned int k = 0; k <= 7; k++) {
			struct parse_err e;
			struct call c;
			int ok, want = k >= sc->sig->nreq && k <= sc->sig->nargs;
			size_t len = (size_t)snprintf(text, sizeof(text), "%s(",
						      sc->name);

			for (unsigned int j = 0; j < k; j++)
				len += (size_t)snprintf(text + len,
							sizeof(text) - len,
							"%s0", j ? ", " : "");
			snprintf(text + len, sizeof(text) - len, ")");
			ok = parse_call(abi, text, 1, &c, &e) == 0;
			if (ok)
				call_free(&c);
			else if (k <= 6 && !strstr(e.msg, " takes "))
				ok = -1;	/* refused for another reason */
			if (!ok && !want && k <= 6)
				refusals++;
			if (ok != want && !(k == 7 && !ok)) {
				if (!wrong++)
					snprintf(first, sizeof(first), "%s: %s",
						 text, ok ? "accepted" : e.msg);
			}
		}
	}
	if (wrong || calls < 300)
		failf("arity_sweep", "%zu of %zu calls wrong; first: %s", wrong,
		      calls, first);
	else
		printf("PASS arity_sweep (%zu calls, %zu refusals)\n", calls,
		       refusals);
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
	char *none[] = { "close" };
	char *dup[] = { "dup2", "2" };
	char *wr[] = { "write", "1", "\"hi\"" };
	struct parse_err e;
	struct call c;

	if (parse_words(abi_default(), ok, 5, &c, &e) == 0 && c.nargs == 4 &&
	    c.nr == SYS_openat && c.args[1].blob->len == 9 &&
	    expr_value(&c.args[2].expr) == (O_WRONLY | O_CREAT)) {
		pass("words_openat");
	} else {
		failf("words_openat", "not parsed as expected");
	}
	call_free(&c);
	if (parse_words(abi_default(), neg, 2, &c, &e) == 0 &&
	    expr_value(&c.args[0].expr) == (unsigned long)-1)
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
		{ "words_empty", empty, 2, "missing value", 6 },
		{ "words_too_many", many, 8, "at most 6", 17 },
		{ "words_ref", ref, 2, "first call", 6 },
		{ "words_none", NULL, 0, "missing system call name", 0 },
		{ "words_option_after_pid", opt, 4, "options go before the PID",
		  7 },
		/* What the first users ran into: fd 0 closed, stdin dup'ed
		 * over, 0 bytes written. */
		{ "words_close_no_fd", none, 1, "close takes 1 argument", 5 },
		{ "words_dup2_one", dup, 2, "dup2 takes 2 arguments", 6 },
		{ "words_write_no_count", wr, 3, "write takes 3 arguments", 12 },
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

/* Deep nesting is refused, not a stack overflow. */
static void check_depth(void)
{
	char text[4096];
	struct parse_err e;
	struct call c;
	size_t n = 0;

	n += (size_t)snprintf(text, sizeof(text), "lseek(3, ");
	for (int i = 0; i < 1000; i++)
		text[n++] = '(';
	text[n++] = '1';
	for (int i = 0; i < 1000; i++)
		text[n++] = ')';
	snprintf(text + n, sizeof(text) - n, ", SEEK_SET)");
	if (parse_call(abi_default(), text, 1, &c, &e) == 0) {
		call_free(&c);
		failf("depth_parentheses", "accepted");
	} else if (!strstr(e.msg, "nested too deep")) {
		failf("depth_parentheses", "%s", e.msg);
	} else {
		pass("depth_parentheses");
	}
	n = (size_t)snprintf(text, sizeof(text), "lseek(3, ");
	for (int i = 0; i < 1000; i++)
		text[n++] = '~';
	snprintf(text + n, sizeof(text) - n, "1, SEEK_SET)");
	if (parse_call(abi_default(), text, 1, &c, &e) == 0) {
		call_free(&c);
		failf("depth_unary", "accepted");
	} else {
		pass("depth_unary");
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

	static const char *const wanted[] = {
		"AT_FDCWD", "O_CREAT", "PROT_EXEC", "MAP_SHARED",
		"MADV_DONTNEED", "SEEK_END", "F_GETFL", "FD_CLOEXEC", "SIGKILL",
		"SIG_UNBLOCK", "RLIMIT_NOFILE", "PR_SET_NAME", "AF_INET",
		"SOCK_STREAM", "SOL_SOCKET", "SO_REUSEADDR", "IPPROTO_TCP",
		"TCP_NODELAY", "CLOCK_MONOTONIC", "POSIX_FADV_WILLNEED",
		"EPOLLIN", "POLLIN", "S_IFREG", "S_IRUSR", "STDOUT_FILENO",
		/* Names strace prints that the prefix rule once missed:
		 * no underscore after the prefix, enum members with no
		 * macro, a leading __, kernel-only values. */
		"FIONREAD", "TIOCGWINSZ", "FASYNC", "__WALL", "P_ALL",
		"PER_LINUX", "KCMP_FILE", "MEMBARRIER_CMD_QUERY", "UTIME_NOW",
		"IPC_CREAT", "NETLINK_ROUTE", "PIDFD_NONBLOCK", "SUID_DUMP_USER",
		"SIGRT_1", "CAP_SYS_ADMIN",
	};
	size_t bad = 0;
	for (size_t i = 0; i < sizeof(wanted) / sizeof(wanted[0]); i++)
		if (abi_const(abi, wanted[i], strlen(wanted[i]), &v) < 0) {
			failf("table_consts", "%s missing", wanted[i]);
			bad++;
		}
	if (!bad)
		pass("table_consts");
	/* Macros that are not integer constants must have been dropped;
	 * SIGRTMIN is the kernel's (glibc's calls a function, and is 34). */
	if (abi_const(abi, "SIGSTKSZ", 8, &v) < 0 &&
	    abi_const(abi, "SIGRTMIN", 8, &v) == 0 && v == 32 &&
	    abi_const(abi, "SIGRT_2", 7, &v) == 0 && v == 34)
		pass("table_no_runtime_macros");
	else
		failf("table_no_runtime_macros", "SIGSTKSZ present or SIGRTMIN "
		      "not the kernel's");
	if (abi_const(abi, "IPPROTO_TCP", 11, &v) == 0 && v == IPPROTO_TCP &&
	    abi_const(abi, "SO_KEEPALIVE", 12, &v) == 0 && v == SO_KEEPALIVE)
		pass("table_values");
	else
		failf("table_values", "wrong values");
	/* The value the kernel uses, not glibc's 0 of 64-bit ABIs. */
	if (abi_const(abi, "O_LARGEFILE", 11, &v) == 0 && v != 0)
		pass("table_kernel_o_largefile");
	else
		failf("table_kernel_o_largefile", "O_LARGEFILE is %lld", v);
}

static void check_prototypes(void)
{
	const struct sys_abi *abi = abi_default();
	const struct sys_call *c = scr__call_by_name(abi, "openat", 6);
	char buf[256];

	call_prototype(c->sig, buf, sizeof(buf));
	if (!strcmp(buf, "(int dfd, const char *filename, int flags[, umode_t "
		    "mode])"))
		pass("prototype_optional");
	else
		failf("prototype_optional", "%s", buf);
	c = scr__call_by_name(abi, "getpid", 6);
	call_prototype(c->sig, buf, sizeof(buf));
	if (!strcmp(buf, "()"))
		pass("prototype_none");
	else
		failf("prototype_none", "%s", buf);
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
	check_arity_sweep();
	check_words();
	check_depth();
	check_tables();
	check_prototypes();
	check_suggest();
	return failed;
}
