/*
 * scremote fds [--sockopts] PID: every descriptor of a process, read
 * from /proc without stopping it.  --sockopts adds the live socket
 * options, read by getsockopt inside the process (one attach, batched):
 * no other tool shows them.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "fdflags.h"
#include "procfd.h"
#include "sockopts.h"
#include "target.h"
#include "verbs.h"

static const char usage[] =
"usage: scremote fds [--sockopts] [--json] PID\n"
"\n"
"Every descriptor of the process: number, type, open flags, offset, and\n"
"the path or the socket's endpoints and state; deleted files are marked,\n"
"with their size.  Read from /proc: the process is not stopped.\n"
"\n"
"  --sockopts   also the live options of each socket (keepalive, keepidle,\n"
"               keepintvl, keepcnt, nodelay, user_timeout, rcvbuf, sndbuf),\n"
"               read by getsockopt inside the process: it is attached\n"
"               once, for all of them\n";

enum { OPT_SOCKOPTS = 1 };

static const struct vopt fds_opts[] = {
	{ "--sockopts", 0, OPT_SOCKOPTS }, { NULL, 0, 0 }
};

struct fds_job {
	int sockopts;
};

static int set_opt(void *data, int id, const char *value)
{
	struct fds_job *j = data;

	(void)value;
	if (id == OPT_SOCKOPTS)
		j->sockopts = 1;
	return 0;
}

/* What one descriptor is, with what the socket tables add. */
struct fdrow {
	struct fdent *e;
	const struct sockent *sock;
	struct sockop *ops;	/* its options, with --sockopts */
	size_t nops;
};

/* "eventfd" from "anon_inode:[eventfd]" or "anon_inode:inotify". */
static void anon_name(const char *link, char *buf, size_t size)
{
	const char *s = link + strlen("anon_inode:");
	size_t n;

	if (*s == '[')
		s++;
	n = strcspn(s, "]");
	if (n >= size)
		n = size - 1;
	memcpy(buf, s, n);
	buf[n] = '\0';
}

static void type_text(const struct fdrow *r, char *buf, size_t size)
{
	if (r->sock)
		snprintf(buf, size, "%s", sockent_type(r->sock));
	else if (r->e->kind == FD_ANON)
		anon_name(r->e->link, buf, size);
	else if (r->e->memfd)
		snprintf(buf, size, "memfd");
	else
		snprintf(buf, size, "%s", fdkind_name(r->e->kind));
}

static int has_offset(const struct fdent *e)
{
	return e->have_info && (e->kind == FD_FILE || e->kind == FD_DIR ||
				e->kind == FD_BLK || e->kind == FD_CHR);
}

static void endpoint_text(struct sb *b, const struct sockent *s, int remote)
{
	char a[64];
	unsigned int port = remote ? s->rport : s->lport;

	sockent_addr(s, remote, a, sizeof(a));
	if (s->family == AF_INET6)
		sb_addf(b, "[%s]", a);
	else
		sb_addf(b, "%s", a);
	if (port)
		sb_addf(b, ":%u", port);
	else
		sb_addf(b, ":*");
}

static void sock_text(struct sb *b, const struct sockent *s)
{
	static const char *const utype[] = { "", "stream", "dgram", "raw",
					     "rdm", "seqpacket" };
	const char *st = sockent_state(s);

	switch (s->family) {
	case AF_INET:
	case AF_INET6:
		sb_addf(b, "local ");
		endpoint_text(b, s, 0);
		if (s->rport) {
			sb_addf(b, " peer ");
			endpoint_text(b, s, 1);
		}
		break;
	case AF_UNIX:
		sb_addf(b, "%s",
			s->type > 0 && (size_t)s->type < sizeof(utype) /
			sizeof(utype[0]) ? utype[s->type] : "?");
		if (s->path) {
			sb_addc(b, ' ');
			sb_add_safe(b, s->path);
		}
		break;
	case AF_NETLINK:
		sb_addf(b, "protocol %d", s->proto);
		break;
	}
	if (*st)
		sb_addf(b, " %s", st);
	sb_addf(b, " (inode %lu)", s->ino);
}

/* Column widths: as wide as the widest entry of this listing. */
struct widths {
	int type, flags;
};

static void flags_of(const struct fdent *e, struct sb *b)
{
	if (e->have_info)
		fdflags_text(b, e->flags);
	else
		sb_addf(b, "?");
}

static void measure(const struct fdrow *rows, size_t n, struct widths *w)
{
	w->type = 4;
	w->flags = 5;
	for (size_t i = 0; i < n; i++) {
		struct sb f = { 0 };
		char type[32];

		type_text(&rows[i], type, sizeof(type));
		flags_of(rows[i].e, &f);
		if ((int)strlen(type) > w->type)
			w->type = (int)strlen(type);
		if ((int)f.len > w->flags)
			w->flags = (int)f.len;
		sb_free(&f);
	}
}

static void print_row(struct target *t, const struct fdrow *r,
		      const struct widths *w)
{
	const struct fdent *e = r->e;
	struct sb flags = { 0 }, what = { 0 };
	char type[32], off[24], sz[32], disk[32];

	type_text(r, type, sizeof(type));
	flags_of(e, &flags);
	if (has_offset(e))
		snprintf(off, sizeof(off), "%llu", e->pos);
	else
		snprintf(off, sizeof(off), "-");
	if (r->sock)
		sock_text(&what, r->sock);
	else
		sb_add_safe(&what, e->link);
	if (e->deleted)
		sb_addf(&what, " [size %s, %s on disk]",
			human_size((unsigned long long)e->st.st_size, sz,
				   sizeof(sz)),
			human_size((unsigned long long)e->st.st_blocks * 512,
				   disk, sizeof(disk)));
	t_out(t, "%4d %-*s %-*s %10s %s", e->fd, w->type, type, w->flags,
	      flags.s, off, what.s);
	if (r->nops) {
		struct sb o = { 0 };

		for (size_t i = 0; i < r->nops; i++) {
			const struct sockop *op = &r->ops[i];

			if (op->err)
				sb_addf(&o, " %s=?", op->def->name);
			else
				sb_addf(&o, " %s=%d", op->def->name,
					op->value);
		}
		t_out(t, "%4s %s", "", o.s + 1);
		sb_free(&o);
	}
	sb_free(&flags);
	sb_free(&what);
}

static void json_endpoint(FILE *f, const struct sockent *s, int remote)
{
	char a[64];

	sockent_addr(s, remote, a, sizeof(a));
	fprintf(f, "{\"address\":\"%s\",\"port\":%u}", a,
		remote ? s->rport : s->lport);
}

static void json_sock(FILE *f, const struct sockent *s)
{
	fprintf(f, ",\"socket\":{\"type\":\"%s\",\"inode\":%lu",
		sockent_type(s), s->ino);
	if (s->family == AF_INET || s->family == AF_INET6) {
		fputs(",\"local\":", f);
		json_endpoint(f, s, 0);
		fputs(",\"peer\":", f);
		if (s->rport)
			json_endpoint(f, s, 1);
		else
			fputs("null", f);
	} else if (s->family == AF_UNIX) {
		fprintf(f, ",\"unix_type\":%d,\"path\":", s->type);
		if (s->path)
			put_json_str(f, s->path);
		else
			fputs("null", f);
	} else if (s->family == AF_NETLINK) {
		fprintf(f, ",\"protocol\":%d", s->proto);
	}
	fprintf(f, ",\"state\":\"%s\",\"listening\":%s}", sockent_state(s),
		s->listening ? "true" : "false");
}

static void json_row(FILE *f, const struct fdrow *r, int first)
{
	const struct fdent *e = r->e;
	struct sb flags = { 0 };
	char type[32];

	type_text(r, type, sizeof(type));
	fprintf(f, "%s{\"fd\":%d,\"type\":", first ? "" : ",", e->fd);
	put_json_str(f, type);
	fputs(",\"path\":", f);
	put_json_str(f, e->link);
	if (e->have_info) {
		fdflags_text(&flags, e->flags);
		fprintf(f, ",\"flags\":\"%s\",\"flags_value\":%u,\"pos\":%llu,"
			"\"mnt_id\":%d", flags.s, e->flags, e->pos,
			e->mnt_id);
		sb_free(&flags);
	}
	if (e->have_stat)
		fprintf(f, ",\"dev\":%llu,\"ino\":%llu",
			(unsigned long long)e->st.st_dev,
			(unsigned long long)e->st.st_ino);
	if (e->kind == FD_FILE)
		fprintf(f, ",\"size\":%lld,\"disk_bytes\":%lld",
			(long long)e->st.st_size,
			(long long)e->st.st_blocks * 512);
	fprintf(f, ",\"deleted\":%s", e->deleted ? "true" : "false");
	if (r->sock)
		json_sock(f, r->sock);
	if (r->nops) {
		fputs(",\"sockopts\":{", f);
		for (size_t i = 0; i < r->nops; i++) {
			fprintf(f, "%s\"%s\":", i ? "," : "",
				r->ops[i].def->name);
			if (r->ops[i].err)
				fputs("null", f);
			else
				fprintf(f, "%d", r->ops[i].value);
		}
		fputc('}', f);
	}
	fputc('}', f);
}

/* The options worth asking of this socket. */
static size_t ops_for(const struct sockent *s, struct sockop *out, int fd)
{
	size_t n = 0;

	if (!s || !(s->family == AF_INET || s->family == AF_INET6 ||
		    s->family == AF_UNIX))
		return 0;
	for (const struct sockopt_def *d = sockopt_defs; d->name; d++) {
		if ((d->tcp_only && !sockent_is_tcp(s)) ||
		    (d->stream_only && !sockent_is_stream(s)))
			continue;
		if (out) {
			memset(&out[n], 0, sizeof(out[n]));
			out[n].fd = fd;
			out[n].def = d;
		}
		n++;
	}
	return n;
}

static int read_sockopts(struct target *t, struct fdrow *rows, size_t n,
			 struct sockop **all)
{
	size_t total = 0, k = 0;
	int rc;

	for (size_t i = 0; i < n; i++)
		total += ops_for(rows[i].sock, NULL, rows[i].e->fd);
	*all = NULL;
	if (!total)
		return 0;
	*all = xmalloc(total * sizeof(**all));
	for (size_t i = 0; i < n; i++) {
		rows[i].ops = *all + k;
		rows[i].nops = ops_for(rows[i].sock, rows[i].ops,
				       rows[i].e->fd);
		k += rows[i].nops;
	}
	rc = t_attach(t);
	if (rc)
		return rc;
	rc = sockops_run(t, *all, total);
	t_detach(t);
	return rc;
}

static int proc_unreadable(struct target *t, int err)
{
	if (err == -ENOENT || err == -ESRCH)
		t_err(t, VEXIT_NORUN, "no process %d (check the PID with ps "
		      "or pgrep)", (int)t->pid);
	else
		t_err(t, VEXIT_NORUN, "cannot read /proc/%d/fd: %s (reading "
		      "another user's descriptors needs root or "
		      "CAP_SYS_PTRACE)", (int)t->pid, strerror(-err));
	return VEXIT_NORUN;
}

static int fds_act(struct target *t, void *data)
{
	const struct fds_job *j = data;
	struct socktab *socks = NULL;
	struct sockop *ops = NULL;
	struct fdent *v;
	struct fdrow *rows;
	size_t n;
	int rc = 0, r = procfd_list(t->pid, &v, &n);

	if (r < 0)
		return proc_unreadable(t, r);
	rows = xmalloc((n ? n : 1) * sizeof(*rows));
	for (size_t i = 0; i < n; i++) {
		memset(&rows[i], 0, sizeof(rows[i]));
		rows[i].e = &v[i];
		if (v[i].kind == FD_SOCKET && !socks)
			socks = socktab_load(t->pid);
	}
	for (size_t i = 0; i < n; i++)
		rows[i].sock = socktab_find(socks, fdent_sock_ino(&v[i]));
	if (j->sockopts)
		rc = read_sockopts(t, rows, n, &ops);
	if (t->o->json) {
		fputs(",\"fds\":[", t->json);
		for (size_t i = 0; i < n; i++)
			json_row(t->json, &rows[i], i == 0);
		fputc(']', t->json);
	} else if (!t->o->dry_run) {
		struct widths w;

		measure(rows, n, &w);
		t_out(t, "%4s %-*s %-*s %10s %s", "FD", w.type, "TYPE",
		      w.flags, "FLAGS", "OFFSET", "WHAT");
		for (size_t i = 0; i < n; i++)
			print_row(t, &rows[i], &w);
	}
	free(ops);
	free(rows);
	socktab_free(socks);
	fdents_free(v, n);
	return rc;
}

int cmd_fds(int argc, char **argv)
{
	struct fds_job j = { 0 };
	struct vparse vp = { "fds", usage, fds_opts, set_opt, &j };
	struct vopts o;
	struct pidlist l;
	int npos, rc;
	char **pos = verb_args(argc, argv, &vp, &o, &npos, &l, &rc);

	if (!pos)
		return rc;
	if (npos > 0) {
		verb_complain("fds", "unexpected '%s': fds takes only the "
			      "process (see scremote fds --help)", pos[0]);
		rc = VEXIT_USAGE;
	} else {
		rc = verb_each(&o, &l, fds_act, &j);
	}
	pids_free(&l);
	free(pos);
	return rc;
}
