/* Text and JSON output of calls. */
#include <errno.h>
#include <string.h>
#include <sys/wait.h>

#include "format.h"

struct sysflag {
	const char *name;
	unsigned int flags;
};

/* Names, not numbers: the same on every ABI. */
static const struct sysflag sysflags[] = {
	{ "brk", SYS_RET_ADDR },
	{ "fgetxattr", SYS_RET_LEN },
	{ "flistxattr", SYS_RET_LEN },
	{ "getcwd", SYS_RET_LEN | SYS_RET_CSTR },
	{ "getdents", SYS_RET_LEN },
	{ "getdents64", SYS_RET_LEN },
	{ "getrandom", SYS_RET_LEN },
	{ "getxattr", SYS_RET_LEN },
	{ "lgetxattr", SYS_RET_LEN },
	{ "listxattr", SYS_RET_LEN },
	{ "llistxattr", SYS_RET_LEN },
	{ "mmap", SYS_RET_ADDR },
	{ "mmap2", SYS_RET_ADDR },
	{ "mq_timedreceive", SYS_RET_LEN },
	{ "mremap", SYS_RET_ADDR },
	{ "pread64", SYS_RET_LEN },
	{ "read", SYS_RET_LEN },
	{ "readlink", SYS_RET_LEN },
	{ "readlinkat", SYS_RET_LEN },
	{ "recvfrom", SYS_RET_LEN },
	{ "shmat", SYS_RET_ADDR },
};

unsigned int sys_flags(const char *name)
{
	for (size_t i = 0; i < sizeof(sysflags) / sizeof(sysflags[0]); i++)
		if (strcmp(sysflags[i].name, name) == 0)
			return sysflags[i].flags;
	return 0;
}

const char *errno_name(int err)
{
	return err > 0 ? strerrorname_np(err) : NULL;
}

/* strace's escaping: octal for other bytes, three digits when a digit
 * follows so that "\0" "1" is not read back as "\01". */
static void put_escaped(FILE *f, unsigned char ch, int next)
{
	switch (ch) {
	case '"': fputs("\\\"", f); return;
	case '\\': fputs("\\\\", f); return;
	case '\n': fputs("\\n", f); return;
	case '\t': fputs("\\t", f); return;
	case '\r': fputs("\\r", f); return;
	case '\v': fputs("\\v", f); return;
	case '\f': fputs("\\f", f); return;
	}
	if (ch >= 0x20 && ch < 0x7f)
		fputc(ch, f);
	else if (next >= '0' && next <= '7')
		fprintf(f, "\\%03o", ch);
	else
		fprintf(f, "\\%o", ch);
}

void fmt_quoted(FILE *f, const unsigned char *data, size_t len, size_t max)
{
	size_t n = len < max ? len : max;

	fputc('"', f);
	for (size_t i = 0; i < n; i++)
		put_escaped(f, data[i], i + 1 < n ? data[i + 1] : -1);
	fputc('"', f);
	if (n < len)
		fputs("...", f);
}

/* Length of the valid UTF-8 sequence at p (0 if invalid). */
static size_t utf8_len(const unsigned char *p, size_t left)
{
	size_t n;
	unsigned int cp;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		n = 2, cp = p[0] & 0x1f;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		n = 3, cp = p[0] & 0x0f;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		n = 4, cp = p[0] & 0x07;
	else
		return 0;
	if (n > left)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	/* Overlong forms, surrogates and values past U+10FFFF. */
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return n;
}

void fmt_json_string(FILE *f, const unsigned char *data, size_t len)
{
	fputc('"', f);
	for (size_t i = 0; i < len;) {
		unsigned char ch = data[i];
		size_t n = utf8_len(data + i, len - i);

		if (ch == '"' || ch == '\\')
			fprintf(f, "\\%c", ch);
		else if (ch == '\n')
			fputs("\\n", f);
		else if (ch == '\t')
			fputs("\\t", f);
		else if (ch < 0x20 || ch == 0x7f || n == 0)
			fprintf(f, "\\u%04x", ch);
		else {
			fwrite(data + i, 1, n, f);
			i += n;
			continue;
		}
		i++;
	}
	fputc('"', f);
}

static void json_cstr(FILE *f, const char *s)
{
	if (s)
		fmt_json_string(f, (const unsigned char *)s, strlen(s));
	else
		fputs("null", f);
}

static void print_arg_text(FILE *f, const struct call *c,
			   const struct outcome *o, unsigned int i)
{
	const struct arg *a = &c->args[i];

	if (a->kind == ARG_BUF && o->out[i])
		fmt_quoted(f, o->out[i], o->outlen[i], FMT_TEXT_MAX);
	else if (a->kind == ARG_INTPTR && o->have_int[i])
		fprintf(f, "[%d]", o->outint[i]);
	else if (a->kind == ARG_REF)
		fprintf(f, "%ld", (long)o->argv[i]);
	else
		fputs(a->text, f);
}

static void print_ret_text(FILE *f, const struct call *c,
			   const struct outcome *o)
{
	const char *name;

	if (o->ret.sr_error) {
		name = errno_name(o->ret.sr_error);
		if (name)
			fprintf(f, " = -1 %s (%s)\n", name,
				strerror(o->ret.sr_error));
		else
			fprintf(f, " = -1 errno %d (%s)\n", o->ret.sr_error,
				strerror(o->ret.sr_error));
	} else if (sys_flags(c->name) & SYS_RET_ADDR) {
		fprintf(f, " = %#lx\n", (unsigned long)o->ret.sr_retval[0]);
	} else {
		fprintf(f, " = %ld\n", o->ret.sr_retval[0]);
	}
}

/* "SIGKILL" for 9; NULL when the number has no name. */
static const char *signame(int sig)
{
	const char *abbrev = sig > 0 ? sigabbrev_np(sig) : NULL;
	static char buf[16];

	if (!abbrev)
		return NULL;
	snprintf(buf, sizeof(buf), "SIG%s", abbrev);
	return buf;
}

/* strace's last line for a process that is gone. */
static void print_end_text(FILE *f, int status)
{
	if (WIFEXITED(status)) {
		fprintf(f, "+++ exited with %d +++\n", WEXITSTATUS(status));
	} else if (WIFSIGNALED(status)) {
		const char *name = signame(WTERMSIG(status));

		if (name)
			fprintf(f, "+++ killed by %s%s +++\n", name,
				WCOREDUMP(status) ? " (core dumped)" : "");
		else
			fprintf(f, "+++ killed by signal %d%s +++\n",
				WTERMSIG(status),
				WCOREDUMP(status) ? " (core dumped)" : "");
	} else {
		fprintf(f, "+++ ended (wait status %#x) +++\n",
			(unsigned int)status);
	}
}

void print_text(FILE *f, const struct call *c, const struct outcome *o)
{
	fprintf(f, "%s(", c->name);
	for (unsigned int i = 0; i < c->nargs; i++) {
		if (i)
			fputs(", ", f);
		print_arg_text(f, c, o, i);
	}
	fputc(')', f);
	if (o->ended) {
		fputs(" = ?\n", f);
		print_end_text(f, o->wstatus);
		return;
	}
	print_ret_text(f, c, o);
}

static void print_json_head(FILE *f, unsigned int index, const struct call *c,
			    const unsigned long *argv)
{
	fprintf(f, "{\"call\":%u,\"syscall\":", index);
	json_cstr(f, c->name);
	fprintf(f, ",\"nr\":%ld,\"args\":[", c->nr);
	for (unsigned int i = 0; i < c->nargs; i++) {
		fprintf(f, "%s{\"text\":", i ? "," : "");
		json_cstr(f, c->args[i].text);
		if (argv)
			fprintf(f, ",\"value\":%ld", (long)argv[i]);
		fputc('}', f);
	}
	fputc(']', f);
}

static void print_json_buffers(FILE *f, const struct call *c,
			       const struct outcome *o)
{
	int first = 1;

	fputs(",\"buffers\":[", f);
	for (unsigned int i = 0; i < c->nargs; i++) {
		if (!o->out[i] && !o->have_int[i])
			continue;
		fprintf(f, "%s{\"arg\":%u", first ? "" : ",", i);
		first = 0;
		if (o->have_int[i]) {
			fprintf(f, ",\"int\":%d}", o->outint[i]);
			continue;
		}
		fprintf(f, ",\"len\":%zu,\"data\":", o->outlen[i]);
		fmt_json_string(f, o->out[i], o->outlen[i]);
		fputs(",\"hex\":\"", f);
		for (size_t j = 0; j < o->outlen[i]; j++)
			fprintf(f, "%02x", o->out[i][j]);
		fputs("\"}", f);
	}
	fputc(']', f);
}

static void print_json_end(FILE *f, int status)
{
	fputs(",\"ended\":{", f);
	if (WIFEXITED(status)) {
		fprintf(f, "\"exited\":%d", WEXITSTATUS(status));
	} else if (WIFSIGNALED(status)) {
		fprintf(f, "\"signal\":%d,\"signame\":", WTERMSIG(status));
		json_cstr(f, signame(WTERMSIG(status)));
		fprintf(f, ",\"core\":%s", WCOREDUMP(status) ? "true" : "false");
	} else {
		fprintf(f, "\"wait_status\":%d", status);
	}
	fputc('}', f);
}

void print_json(FILE *f, unsigned int index, const struct call *c,
		const struct outcome *o)
{
	int err = o->ret.sr_error;

	print_json_head(f, index, c, o->argv);
	if (o->ended) {
		fputs(",\"executed\":true,\"retval\":null,\"errno\":null,"
		      "\"errname\":null,\"strerror\":null", f);
		print_json_end(f, o->wstatus);
		fputs(",\"buffers\":[]}\n", f);
		return;
	}
	fprintf(f, ",\"executed\":true,\"retval\":%ld,\"errno\":%d,"
		"\"errname\":",
		err ? -1L : o->ret.sr_retval[0], err);
	json_cstr(f, errno_name(err));
	fputs(",\"strerror\":", f);
	json_cstr(f, err ? strerror(err) : NULL);
	print_json_buffers(f, c, o);
	if (o->new_exe) {
		fputs(",\"new_program\":", f);
		json_cstr(f, o->new_exe);
	}
	fputs("}\n", f);
}

void print_json_unrun(FILE *f, unsigned int index, const struct call *c,
		      int err)
{
	print_json_head(f, index, c, NULL);
	fputs(",\"executed\":false,\"error\":", f);
	json_cstr(f, errno_name(-err));
	fputs(",\"strerror\":", f);
	json_cstr(f, strerror(-err));
	fputs("}\n", f);
}
