/*
 * scremote sockopt PID FD[,FD...] NAME[=VALUE]...: socket options read
 * and set inside the process, each shown before and after, in one
 * attach (one batch: the reads, the writes, the reads again).
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "procfd.h"
#include "sockopts.h"
#include "target.h"
#include "verbs.h"

static const char usage[] =
"usage: scremote sockopt PID FD[,FD...] NAME[=VALUE]...\n"
"\n"
"Read, and with =VALUE set, options of the process's sockets; each value\n"
"is shown before and after.  NAME is one of:\n"
"  keepalive     SO_KEEPALIVE (0 or 1)\n"
"  keepidle      TCP_KEEPIDLE: idle seconds before the first probe\n"
"  keepintvl     TCP_KEEPINTVL: seconds between probes\n"
"  keepcnt       TCP_KEEPCNT: probes before the connection is dropped\n"
"  nodelay       TCP_NODELAY (0 or 1)\n"
"  user_timeout  TCP_USER_TIMEOUT, milliseconds\n"
"  rcvbuf        SO_RCVBUF, bytes (the kernel doubles it, within\n"
"                net.core.rmem_max)\n"
"  sndbuf        SO_SNDBUF, bytes (doubled, within net.core.wmem_max)\n"
"\n"
"Example: scremote sockopt 4242 9 keepalive=1 keepidle=60 keepintvl=10\n";

#define MAX_FDS 1024
#define MAX_NAMES 16

struct want {
	const struct sockopt_def *def;
	int set, value;
};

struct sockopt_job {
	int fds[MAX_FDS];
	size_t nfds;
	struct want w[MAX_NAMES];
	size_t nw;
};

static int parse_int(const char *s, long max, long *v)
{
	char *end;

	errno = 0;
	if (*s < '0' || *s > '9')
		return -1;
	*v = strtol(s, &end, 10);
	return errno || *end || *v < 0 || *v > max ? -1 : 0;
}

static int parse_wants(char **words, int n, struct sockopt_job *j)
{
	for (int i = 0; i < n; i++) {
		char name[32];
		const char *eq = strchr(words[i], '=');
		size_t len = eq ? (size_t)(eq - words[i]) : strlen(words[i]);
		struct want *w;
		long v;

		if (len >= sizeof(name))
			len = sizeof(name) - 1;
		memcpy(name, words[i], len);
		name[len] = '\0';
		if ((size_t)j->nw == MAX_NAMES) {
			verb_complain("sockopt", "at most %d options at once",
				      MAX_NAMES);
			return -1;
		}
		w = &j->w[j->nw];
		w->def = sockopt_find(name);
		if (!w->def) {
			verb_complain("sockopt", "unknown option '%s' (one of "
				      "keepalive, keepidle, keepintvl, keepcnt,"
				      " nodelay, user_timeout, rcvbuf, sndbuf)",
				      name);
			return -1;
		}
		for (size_t k = 0; k < j->nw; k++)
			if (j->w[k].def == w->def) {
				verb_complain("sockopt", "option %s is named "
					      "twice", name);
				return -1;
			}
		if (eq) {
			if (parse_int(eq + 1, INT_MAX, &v) < 0) {
				verb_complain("sockopt", "%s: '%s' is not a "
					      "value (a whole number, 0 to %d)",
					      name, eq + 1, INT_MAX);
				return -1;
			}
			w->set = 1;
			w->value = (int)v;
		}
		j->nw++;
	}
	return 0;
}

/* Every descriptor a socket, and a TCP one for TCP options: checked
 * from /proc before anything is attached. */
static int check_sockets(struct target *t, const struct sockopt_job *j)
{
	struct socktab *tab = socktab_load(t->pid);
	int rc = 0;

	for (size_t i = 0; i < j->nfds && !rc; i++) {
		struct fdent e;
		const struct sockent *s;
		int r = procfd_get(t->pid, j->fds[i], &e);

		if (r < 0) {
			t_err(t, VEXIT_USAGE, "descriptor %d: %s (see "
			      "scremote fds %d)", j->fds[i], r == -ENOENT ?
			      "not open" : strerror(-r), (int)t->pid);
			rc = VEXIT_USAGE;
			break;
		}
		s = socktab_find(tab, fdent_sock_ino(&e));
		if (e.kind != FD_SOCKET) {
			t_err(t, VEXIT_USAGE, "descriptor %d is not a socket "
			      "(it is %s)", j->fds[i], fdkind_name(e.kind));
			rc = VEXIT_USAGE;
		}
		for (size_t k = 0; k < j->nw && !rc; k++)
			if (j->w[k].def->stream_only && !sockent_is_stream(s) &&
			    !j->w[k].def->tcp_only) {
				t_err(t, VEXIT_USAGE, "descriptor %d is a %s "
				      "socket: %s applies to stream sockets "
				      "(TCP, unix stream) only", j->fds[i],
				      s ? sockent_type(s) : "non-stream",
				      j->w[k].def->name);
				rc = VEXIT_USAGE;
			} else if (j->w[k].def->tcp_only && !sockent_is_tcp(s)) {
				t_err(t, VEXIT_USAGE, "descriptor %d is a %s "
				      "socket: %s applies to TCP sockets "
				      "only", j->fds[i],
				      s ? sockent_type(s) : "non-TCP",
				      j->w[k].def->name);
				rc = VEXIT_USAGE;
			}
		fdent_clear(&e);
	}
	socktab_free(tab);
	return rc;
}

static struct sockop *plan(const struct sockopt_job *j, size_t *n)
{
	struct sockop *ops = xmalloc(j->nfds * j->nw * 3 * sizeof(*ops));
	size_t k = 0;

	for (int phase = 0; phase < 3; phase++)
		for (size_t f = 0; f < j->nfds; f++)
			for (size_t i = 0; i < j->nw; i++) {
				if (phase && !j->w[i].set)
					continue;
				memset(&ops[k], 0, sizeof(ops[k]));
				ops[k].fd = j->fds[f];
				ops[k].def = j->w[i].def;
				ops[k].set = phase == 1;
				ops[k].value = j->w[i].value;
				k++;
			}
	*n = k;
	return ops;
}

static const struct sockop *find_op(const struct sockop *ops, size_t n,
				    int phase_set, size_t from, int fd,
				    const struct sockopt_def *d)
{
	for (size_t i = from; i < n; i++)
		if (ops[i].fd == fd && ops[i].def == d && ops[i].set == phase_set)
			return &ops[i];
	return NULL;
}

static void value_text(struct sb *b, const struct sockop *op)
{
	if (!op || op->err)
		sb_addf(b, "?");
	else
		sb_addf(b, "%d", op->value);
}

static void json_value(FILE *f, const struct sockop *op)
{
	if (!op || op->err)
		fputs("null", f);
	else
		fprintf(f, "%d", op->value);
}

/* Reports one option of one descriptor; returns 1 if it failed. */
static int report(struct target *t, const struct sockop *ops, size_t n,
		  size_t nget, int fd, const struct want *w, int first)
{
	const struct sockop *before = find_op(ops, nget, 0, 0, fd, w->def);
	const struct sockop *set = find_op(ops, n, 1, nget, fd, w->def);
	const struct sockop *after = set ? find_op(ops, n, 0, nget, fd,
						   w->def) : NULL;
	int bad = (before && before->err) || (set && set->err);

	if (t->o->json) {
		fprintf(t->json, "%s{\"fd\":%d,\"name\":\"%s\",\"before\":",
			first ? "" : ",", fd, w->def->name);
		json_value(t->json, before);
		if (set) {
			fprintf(t->json, ",\"set\":%d,\"after\":", w->value);
			json_value(t->json, after);
			if (set->err > 0)
				fprintf(t->json, ",\"errno\":%d", set->err);
		}
		fputc('}', t->json);
	} else if (!t->o->dry_run) {
		struct sb b = { 0 };

		sb_addf(&b, "fd %d: %s ", fd, w->def->name);
		value_text(&b, before);
		if (set) {
			sb_addf(&b, " -> ");
			value_text(&b, after);
		}
		t_out(t, "%s", b.s);
		sb_free(&b);
	}
	if (set && set->err > 0)
		t_err(t, VEXIT_FAILED, "fd %d: setsockopt %s=%d failed: %s",
		      fd, w->def->name, w->value, strerror(set->err));
	else if (before && before->err > 0)
		t_err(t, VEXIT_FAILED, "fd %d: getsockopt %s failed: %s", fd,
		      w->def->name, strerror(before->err));
	return bad;
}

static int sockopt_act(struct target *t, void *data)
{
	const struct sockopt_job *j = data;
	struct sockop *ops;
	size_t n, nget = j->nfds * j->nw;
	int rc = check_sockets(t, j), first = 1;

	if (rc)
		return rc;
	rc = t_attach(t);
	if (rc)
		return rc;
	ops = plan(j, &n);
	rc = sockops_run(t, ops, n);
	t_detach(t);
	if (t->o->json)
		fputs(",\"options\":[", t->json);
	for (size_t f = 0; f < j->nfds; f++)
		for (size_t i = 0; i < j->nw; i++) {
			report(t, ops, n, nget, j->fds[f], &j->w[i], first);
			first = 0;
		}
	if (t->o->json)
		fputc(']', t->json);
	free(ops);
	return rc;
}

int cmd_sockopt(int argc, char **argv)
{
	static struct sockopt_job j;
	struct vparse vp = { "sockopt", usage, NULL, NULL, NULL };
	struct vopts o;
	struct pidlist l;
	char **pos;
	int npos, rc;

	memset(&j, 0, sizeof(j));
	pos = verb_args(argc, argv, &vp, &o, &npos, &l, &rc);
	if (!pos)
		return rc;
	if (npos < 2) {
		verb_complain("sockopt", npos ? "missing NAME[=VALUE] after "
			      "the descriptor (see scremote sockopt --help)" :
			      "missing FD and NAME[=VALUE] (see scremote "
			      "sockopt --help)");
		rc = VEXIT_USAGE;
	} else if (parse_fds("sockopt", pos[0], j.fds, MAX_FDS, &j.nfds) < 0 ||
		   parse_wants(pos + 1, npos - 1, &j) < 0) {
		rc = VEXIT_USAGE;
	}
	if (!rc)
		rc = verb_each(&o, &l, sockopt_act, &j);
	pids_free(&l);
	free(pos);
	return rc;
}
