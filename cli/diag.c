/*
 * Why an attach failed, in terms the user can act on.  ptrace(2) says
 * only EPERM; the reasons (another user, missing capability, Yama,
 * another tracer, a non-dumpable process) are told apart here from
 * /proc.  Everything read there about the target is shown escaped: its
 * name is chosen by whoever runs it.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "diag.h"

#define CAP_SYS_PTRACE_BIT 19
#define STATUS_MAX 16384

/* Reads a small /proc file whole (bounded), NUL-terminated. */
static ssize_t read_small(const char *path, char *buf, size_t size)
{
	ssize_t n, total = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	while ((size_t)total + 1 < size) {
		n = read(fd, buf + total, size - 1 - (size_t)total);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		total += n;
	}
	close(fd);
	buf[total] = '\0';
	return total;
}

static int status_field(const char *path, const char *field, char *out,
			size_t size)
{
	char *buf = malloc(STATUS_MAX);
	size_t flen = strlen(field);
	int rc = -1;

	if (!buf)
		return -1;
	if (read_small(path, buf, STATUS_MAX) < 0)
		goto out;
	for (char *line = buf; *line;) {
		char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);

		if (len > flen && strncmp(line, field, flen) == 0 &&
		    line[flen] == ':') {
			const char *v = line + flen + 1;
			size_t vlen = len - flen - 1;

			while (vlen && (*v == ' ' || *v == '\t'))
				v++, vlen--;
			if (vlen >= size)
				vlen = size - 1;
			memcpy(out, v, vlen);
			out[vlen] = '\0';
			rc = 0;
			break;
		}
		if (!nl)
			break;
		line = nl + 1;
	}
out:
	free(buf);
	return rc;
}

int proc_status_field(pid_t pid, const char *field, char *buf, size_t size)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	return status_field(path, field, buf, size);
}

int have_cap_sys_ptrace(void)
{
	char v[64];

	if (status_field("/proc/self/status", "CapEff", v, sizeof(v)) < 0)
		return 0;
	return (strtoull(v, NULL, 16) >> CAP_SYS_PTRACE_BIT) & 1;
}

/* Process names are chosen by their owner: show them escaped. */
static void put_safe(FILE *f, const char *s)
{
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (isprint(ch) && ch != '\\')
			fputc(ch, f);
		else
			fprintf(f, "\\x%02x", ch);
	}
}

static void put_name(FILE *f, pid_t pid)
{
	char name[64];

	if (proc_status_field(pid, "Name", name, sizeof(name)) == 0) {
		fputs(" (", f);
		put_safe(f, name);
		fputc(')', f);
	}
}

/* Returns 1 when a tracer was found and explained. */
static int explain_tracer(FILE *f, pid_t pid)
{
	char v[32];
	long tracer;

	if (proc_status_field(pid, "TracerPid", v, sizeof(v)) < 0)
		return 0;
	tracer = strtol(v, NULL, 10);
	if (tracer <= 0)
		return 0;
	fprintf(f, "  - it is already traced by process %ld", tracer);
	put_name(f, (pid_t)tracer);
	fputs(", a debugger or tracer; a process has only one tracer at a "
	      "time: detach or quit that one (gdb: 'detach'; strace: "
	      "Ctrl-C) and retry\n", f);
	return 1;
}

static void explain_user(FILE *f, pid_t pid, int cap)
{
	char v[128];
	long ruid = -1, euid = -1;

	if (proc_status_field(pid, "Uid", v, sizeof(v)) == 0)
		sscanf(v, "%ld %ld", &ruid, &euid);
	fprintf(f, "  - ptrace needs the same user as the target or "
		"CAP_SYS_PTRACE: you are uid %ld", (long)getuid());
	if (ruid >= 0)
		fprintf(f, ", the target runs as uid %ld", euid);
	fprintf(f, "; you %s CAP_SYS_PTRACE", cap ? "have" : "lack");
	if (!cap)
		fputs(" (run as the target's user, or with sudo)", f);
	fputc('\n', f);
	if (ruid >= 0 && (uid_t)ruid == getuid() && !cap)
		fputs("  - with the same uid, a process that changed "
		      "credentials (a setuid or setgid program) or made "
		      "itself non-dumpable (prctl PR_SET_DUMPABLE 0) still "
		      "needs CAP_SYS_PTRACE\n", f);
}

static void explain_yama(FILE *f, int cap)
{
	static const char *const meaning[] = {
		"classic rules: same user is enough",
		"restricted: only an ancestor of the target may trace it, "
		"unless the target allowed us with prctl(PR_SET_PTRACER); "
		"otherwise CAP_SYS_PTRACE is needed",
		"admin-only: CAP_SYS_PTRACE is needed",
		"no attach: ptrace is disabled until reboot",
	};
	char v[16];
	long scope;

	if (read_small("/proc/sys/kernel/yama/ptrace_scope", v,
		       sizeof(v)) <= 0)
		return;
	scope = strtol(v, NULL, 10);
	fprintf(f, "  - Yama ptrace_scope is %ld (%s)\n", scope,
		scope >= 0 && scope <= 3 ? meaning[scope] : "unknown value");
	if ((scope == 1 && !cap) || scope == 2)
		fputs("    to relax it: echo 0 | sudo tee "
		      "/proc/sys/kernel/yama/ptrace_scope\n", f);
}

static void explain_denied(FILE *f, pid_t pid, int err)
{
	int cap = have_cap_sys_ptrace();

	fprintf(f, "scremote: cannot attach to process %d", (int)pid);
	put_name(f, pid);
	fprintf(f, ": %s\n", strerror(-err));
	if (explain_tracer(f, pid))
		return;
	explain_user(f, pid, cap);
	explain_yama(f, cap);
	if (cap)
		fputs("  - you have CAP_SYS_PTRACE and it still failed: a "
		      "security module (SELinux, AppArmor) or a seccomp "
		      "filter may forbid ptrace here; in a container, "
		      "start it with --cap-add=SYS_PTRACE\n", f);
}

/* EBUSY: a tracer holds the process (scr_attach(3)); waiting will not
 * free it, its tracer must let go. */
static void explain_busy(FILE *f, pid_t pid)
{
	fprintf(f, "scremote: cannot attach to process %d", (int)pid);
	put_name(f, pid);
	fputs(": it is already being traced\n", f);
	if (!explain_tracer(f, pid))
		fputs("  - another process is its tracer (a debugger, strace, "
		      "or a supervisor that traces its children); a process "
		      "has only one tracer at a time: stop that one first\n",
		      f);
}

static int is_zombie(pid_t pid)
{
	char v[64];

	return proc_status_field(pid, "State", v, sizeof(v)) == 0 &&
	       (v[0] == 'Z' || v[0] == 'X');
}

/* A kernel thread (kthreadd, kworker/...): PF_KTHREAD in the flags,
 * field 9 of /proc/PID/stat. */
static int is_kernel_thread(pid_t pid)
{
	char path[64], buf[1024];
	const char *p;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (read_small(path, buf, sizeof(buf)) <= 0)
		return 0;
	p = strrchr(buf, ')');
	for (int i = 0; p && i < 7; i++)
		p = strchr(p + 1, ' ');
	return p && (strtoul(p + 1, NULL, 10) & 0x00200000UL);
}

void explain_attach(FILE *f, pid_t pid, int err)
{
	if (err == -EPERM && is_kernel_thread(pid)) {
		fprintf(f, "scremote: process %d", (int)pid);
		put_name(f, pid);
		fputs(" is a kernel thread: it has no user space to run a "
		      "system call in, and cannot be traced\n", f);
		return;
	}
	switch (err) {
	case -ESRCH:
		if (is_zombie(pid))
			fprintf(f, "scremote: process %d has exited (it is a "
				"zombie waiting for its parent): nothing can "
				"run in it\n", (int)pid);
		else
			fprintf(f, "scremote: no process %d (check the PID "
				"with ps or pgrep)\n", (int)pid);
		break;
	case -EPERM:
	case -EACCES:
		explain_denied(f, pid, err);
		break;
	case -EBUSY:
		explain_busy(f, pid);
		break;
	default:
		fprintf(f, "scremote: cannot attach to process %d: %s\n",
			(int)pid, strerror(-err));
	}
}
