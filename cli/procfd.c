/*
 * Descriptors, sockets and mappings of a process, from /proc only: the
 * process is never stopped for any of this.
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "procfd.h"
#include "util.h"

#define PROC_FILE_MAX (512UL << 20)	/* bound on one /proc file */

/* A /proc file whole, NUL-terminated, in a new buffer; NULL with errno. */
static char *read_proc(const char *path, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct sb b = { 0 };
	char chunk[16384];

	if (fd < 0)
		return NULL;
	for (;;) {
		ssize_t n = read(fd, chunk, sizeof(chunk));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;

			close(fd);
			sb_free(&b);
			errno = e;
			return NULL;
		}
		if (n == 0 || b.len > PROC_FILE_MAX)
			break;
		sb_add(&b, chunk, (size_t)n);
	}
	close(fd);
	if (len)
		*len = b.len;
	return sb_take(&b);
}

char *proc_link(pid_t pid, const char *what)
{
	char path[64], *buf;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, what);
	buf = xmalloc(PATH_MAX + 1);
	n = readlink(path, buf, PATH_MAX);
	if (n < 0) {
		int e = errno;

		free(buf);
		errno = e;
		return NULL;
	}
	buf[n] = '\0';
	return buf;
}

int proc_comm(pid_t pid, char *buf, size_t size)
{
	char path[64];
	char *s;

	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	s = read_proc(path, NULL);
	if (!s)
		return -1;
	s[strcspn(s, "\n")] = '\0';
	snprintf(buf, size, "%s", s);
	free(s);
	return 0;
}

int proc_stat(pid_t pid, char *state, unsigned long *flags,
	      unsigned long long *starttime)
{
	char path[64], *s, *p;
	unsigned long fl = 0;
	unsigned long long st = 0;
	char c = '?';
	int r = -1;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	s = read_proc(path, NULL);
	if (!s)
		return -1;
	/* The name may hold ')' and spaces: the fields follow the last ')'. */
	p = strrchr(s, ')');
	if (p && sscanf(p + 1, " %c %*d %*d %*d %*d %*d %lu %*u %*u %*u %*u "
			"%*u %*u %*d %*d %*d %*d %*d %*d %llu", &c, &fl,
			&st) == 3)
		r = 0;
	free(s);
	if (state)
		*state = c;
	if (flags)
		*flags = fl;
	if (starttime)
		*starttime = st;
	return r;
}

long proc_nofile(pid_t pid)
{
	char path[64], *s, *line;
	long v = -1;

	snprintf(path, sizeof(path), "/proc/%d/limits", (int)pid);
	s = read_proc(path, NULL);
	if (!s)
		return -1;
	line = strstr(s, "Max open files");
	if (line) {
		line += strlen("Max open files");
		while (*line == ' ')
			line++;
		if (strncmp(line, "unlimited", 9) == 0)
			v = LONG_MAX;
		else
			v = strtol(line, NULL, 10);
	}
	free(s);
	return v;
}

/* ---- descriptors ---------------------------------------------------- */

const char *fdkind_name(enum fdkind k)
{
	static const char *const names[] = {
		[FD_UNKNOWN] = "?", [FD_FILE] = "file", [FD_DIR] = "dir",
		[FD_CHR] = "chr", [FD_BLK] = "blk", [FD_PIPE] = "pipe",
		[FD_FIFO] = "fifo", [FD_SOCKET] = "socket",
		[FD_ANON] = "anon", [FD_OTHER] = "other",
	};

	return (unsigned int)k < sizeof(names) / sizeof(names[0]) ?
	       names[k] : "?";
}

static int ends_with(const char *s, const char *tail)
{
	size_t a = strlen(s), b = strlen(tail);

	return a >= b && strcmp(s + a - b, tail) == 0;
}

static enum fdkind kind_of(const struct fdent *e)
{
	if (strncmp(e->link, "anon_inode:", 11) == 0)
		return FD_ANON;
	if (!e->have_stat)
		return FD_UNKNOWN;
	switch (e->st.st_mode & S_IFMT) {
	case S_IFREG: return FD_FILE;
	case S_IFDIR: return FD_DIR;
	case S_IFCHR: return FD_CHR;
	case S_IFBLK: return FD_BLK;
	case S_IFSOCK: return FD_SOCKET;
	case S_IFIFO:
		return strncmp(e->link, "pipe:[", 6) == 0 ? FD_PIPE : FD_FIFO;
	}
	return FD_OTHER;
}

/* fdinfo: "pos:", "flags:" (octal), "mnt_id:"; later lines vary by kind. */
static void read_fdinfo(pid_t pid, struct fdent *e)
{
	char path[64], *s;
	unsigned long long pos;
	unsigned int flags;
	int mnt;

	snprintf(path, sizeof(path), "/proc/%d/fdinfo/%d", (int)pid, e->fd);
	s = read_proc(path, NULL);
	if (!s)
		return;
	if (sscanf(s, "pos: %llu flags: %o mnt_id: %d", &pos, &flags,
		   &mnt) == 3) {
		e->pos = pos;
		e->flags = flags;
		e->mnt_id = mnt;
		e->have_info = 1;
	}
	free(s);
}

static int fill_entry(pid_t pid, int fd, struct fdent *e)
{
	char what[32], path[64];

	memset(e, 0, sizeof(*e));
	e->fd = fd;
	snprintf(what, sizeof(what), "fd/%d", fd);
	e->link = proc_link(pid, what);
	if (!e->link)
		return -errno;
	snprintf(path, sizeof(path), "/proc/%d/fd/%d", (int)pid, fd);
	if (stat(path, &e->st) == 0)
		e->have_stat = 1;
	read_fdinfo(pid, e);
	e->kind = kind_of(e);
	/* The " (deleted)" of the link could be part of a real name; a
	 * link count of 0 cannot lie.  A name unlinked while another
	 * remains is not deleted: its data is still reachable. */
	if (e->kind == FD_FILE && e->st.st_nlink == 0 &&
	    ends_with(e->link, " (deleted)")) {
		e->deleted = 1;
		e->memfd = strncmp(e->link, "/memfd:", 7) == 0;
	}
	return 0;
}

int procfd_get(pid_t pid, int fd, struct fdent *e)
{
	return fill_entry(pid, fd, e);
}

void fdent_clear(struct fdent *e)
{
	free(e->link);
	e->link = NULL;
}

void fdents_free(struct fdent *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		fdent_clear(&v[i]);
	free(v);
}

static int cmp_fd(const void *a, const void *b)
{
	int x = ((const struct fdent *)a)->fd, y = ((const struct fdent *)b)->fd;

	return (x > y) - (x < y);
}

int procfd_list(pid_t pid, struct fdent **out, size_t *n)
{
	char path[64];
	struct fdent *v = NULL;
	size_t len = 0, cap = 0;
	struct dirent *d;
	DIR *dir;

	snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
	dir = opendir(path);
	if (!dir)
		return -errno;
	while ((d = readdir(dir))) {
		char *end;
		long fd = strtol(d->d_name, &end, 10);

		if (d->d_name[0] < '0' || d->d_name[0] > '9' || *end ||
		    fd < 0 || fd > INT_MAX)
			continue;
		if (len == cap) {
			cap = cap ? cap * 2 : 64;
			v = xrealloc(v, cap * sizeof(*v));
		}
		/* Closed since the directory was read: not listed. */
		if (fill_entry(pid, (int)fd, &v[len]) == 0)
			len++;
	}
	closedir(dir);
	if (len)
		qsort(v, len, sizeof(*v), cmp_fd);
	*out = v;
	*n = len;
	return 0;
}

unsigned long fdent_sock_ino(const struct fdent *e)
{
	unsigned long ino;

	if (sscanf(e->link, "socket:[%lu]", &ino) == 1)
		return ino;
	return 0;
}

/* ---- sockets -------------------------------------------------------- */

struct socktab {
	struct sockent *v;	/* open addressing on ino; ino 0 = empty */
	size_t cap;		/* a power of two */
	size_t n;
};

static size_t slot_of(const struct socktab *t, unsigned long ino)
{
	return (size_t)(ino * 0x9e3779b97f4a7c15UL) & (t->cap - 1);
}

static void tab_grow(struct socktab *t);

static struct sockent *tab_put(struct socktab *t, unsigned long ino)
{
	size_t i;

	if ((t->n + 1) * 2 > t->cap)
		tab_grow(t);
	for (i = slot_of(t, ino); t->v[i].ino && t->v[i].ino != ino;
	     i = (i + 1) & (t->cap - 1))
		;
	if (t->v[i].ino == ino)		/* listed twice: keep the first */
		return NULL;
	t->v[i].ino = ino;
	t->n++;
	return &t->v[i];
}

static void tab_grow(struct socktab *t)
{
	struct socktab bigger = { 0 };

	bigger.cap = t->cap ? t->cap * 2 : 256;
	bigger.v = xmalloc(bigger.cap * sizeof(*bigger.v));
	memset(bigger.v, 0, bigger.cap * sizeof(*bigger.v));
	for (size_t i = 0; i < t->cap; i++) {
		size_t j;

		if (!t->v[i].ino)
			continue;
		for (j = slot_of(&bigger, t->v[i].ino); bigger.v[j].ino;
		     j = (j + 1) & (bigger.cap - 1))
			;
		bigger.v[j] = t->v[i];
		bigger.n++;
	}
	free(t->v);
	*t = bigger;
}

const struct sockent *socktab_find(const struct socktab *t, unsigned long ino)
{
	if (!t || !t->cap || !ino)
		return NULL;
	for (size_t i = slot_of(t, ino); t->v[i].ino;
	     i = (i + 1) & (t->cap - 1))
		if (t->v[i].ino == ino)
			return &t->v[i];
	return NULL;
}

void socktab_free(struct socktab *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->cap; i++)
		free(t->v[i].path);
	free(t->v);
	free(t);
}

/* The kernel prints each 32-bit word of an address as a host-order
 * integer, so the word's bytes in memory are the address's bytes. */
static int parse_hexaddr(const char *hex, struct in6_addr *a)
{
	size_t len = strlen(hex), words = len / 8;

	if ((len != 8 && len != 32) || len % 8)
		return -1;
	memset(a, 0, sizeof(*a));
	for (size_t i = 0; i < words; i++) {
		char w[9];
		unsigned int v;

		memcpy(w, hex + 8 * i, 8);
		w[8] = '\0';
		if (sscanf(w, "%x", &v) != 1)
			return -1;
		memcpy((unsigned char *)a + 4 * i, &v, 4);
	}
	return 0;
}

/* /proc/PID/net/{tcp,udp}{,6}: "sl local rem st ... uid timeout inode". */
static void load_inet(struct socktab *t, pid_t pid, const char *file,
		      int family, int proto)
{
	char path[64], *s, *line, *next;

	snprintf(path, sizeof(path), "/proc/%d/net/%s", (int)pid, file);
	s = read_proc(path, NULL);
	if (!s)
		return;
	line = strchr(s, '\n');		/* the heading */
	for (; line && *++line; line = next) {
		char la[40], ra[40];
		unsigned int lp, rp, st;
		unsigned long ino;
		struct sockent *e;

		next = strchr(line, '\n');
		if (next)
			*next = '\0';
		if (sscanf(line, " %*s %39[0-9A-Fa-f]:%x %39[0-9A-Fa-f]:%x %x "
			   "%*s %*s %*s %*u %*d %lu", la, &lp, ra, &rp, &st,
			   &ino) != 6 || !ino)
			goto again;
		e = tab_put(t, ino);
		if (!e)
			goto again;
		if (parse_hexaddr(la, &e->laddr) < 0 ||
		    parse_hexaddr(ra, &e->raddr) < 0)
			memset(&e->laddr, 0, sizeof(e->laddr));
		e->family = family;
		e->proto = proto;
		e->lport = lp;
		e->rport = rp;
		e->state = (int)st;
		e->listening = proto == IPPROTO_TCP && st == 10;
again:
		if (!next)
			break;
	}
	free(s);
}

#define UNIX_ACCEPTCON 0x10000	/* __SO_ACCEPTCON: a listening socket */

/* "Num RefCount Protocol Flags Type St Inode [Path]" */
static void load_unix(struct socktab *t, pid_t pid)
{
	char path[64], *s, *line, *next;

	snprintf(path, sizeof(path), "/proc/%d/net/unix", (int)pid);
	s = read_proc(path, NULL);
	if (!s)
		return;
	line = strchr(s, '\n');
	for (; line && *++line; line = next) {
		unsigned int flags, type, st;
		unsigned long ino;
		int at = 0;
		struct sockent *e;

		next = strchr(line, '\n');
		if (next)
			*next = '\0';
		if (sscanf(line, "%*s %*x %*x %x %x %x %lu%n", &flags, &type,
			   &st, &ino, &at) != 4 || !ino)
			goto again;
		e = tab_put(t, ino);
		if (!e)
			goto again;
		e->family = AF_UNIX;
		e->type = (int)type;
		e->state = (int)st;
		e->listening = (flags & UNIX_ACCEPTCON) != 0;
		if (line[at] == ' ' && line[at + 1])
			e->path = xstrndup(line + at + 1, strlen(line + at + 1));
again:
		if (!next)
			break;
	}
	free(s);
}

/* "sk Eth Pid Groups Rmem Wmem Dump Locks Drops Inode" */
static void load_netlink(struct socktab *t, pid_t pid)
{
	char path[64], *s, *line, *next;

	snprintf(path, sizeof(path), "/proc/%d/net/netlink", (int)pid);
	s = read_proc(path, NULL);
	if (!s)
		return;
	line = strchr(s, '\n');
	for (; line && *++line; line = next) {
		int proto;
		unsigned long ino;
		struct sockent *e;

		next = strchr(line, '\n');
		if (next)
			*next = '\0';
		if (sscanf(line, "%*s %d %*s %*s %*s %*s %*s %*s %*s %lu",
			   &proto, &ino) == 2 && ino && (e = tab_put(t, ino))) {
			e->family = AF_NETLINK;
			e->proto = proto;
		}
		if (!next)
			break;
	}
	free(s);
}

struct socktab *socktab_load(pid_t pid)
{
	struct socktab *t = xmalloc(sizeof(*t));

	memset(t, 0, sizeof(*t));
	load_inet(t, pid, "tcp", AF_INET, IPPROTO_TCP);
	load_inet(t, pid, "tcp6", AF_INET6, IPPROTO_TCP);
	load_inet(t, pid, "udp", AF_INET, IPPROTO_UDP);
	load_inet(t, pid, "udp6", AF_INET6, IPPROTO_UDP);
	load_unix(t, pid);
	load_netlink(t, pid);
	if (!t->n) {
		socktab_free(t);
		return NULL;
	}
	return t;
}

const char *sockent_type(const struct sockent *s)
{
	switch (s->family) {
	case AF_INET:
		return s->proto == IPPROTO_TCP ? "tcp" : "udp";
	case AF_INET6:
		return s->proto == IPPROTO_TCP ? "tcp6" : "udp6";
	case AF_UNIX:
		return "unix";
	case AF_NETLINK:
		return "netlink";
	}
	return "socket";
}

int sockent_is_tcp(const struct sockent *s)
{
	return s && (s->family == AF_INET || s->family == AF_INET6) &&
	       s->proto == IPPROTO_TCP;
}

int sockent_is_stream(const struct sockent *s)
{
	return sockent_is_tcp(s) ||
	       (s && s->family == AF_UNIX && s->type == SOCK_STREAM);
}

/* The names ss(8) prints. */
const char *sockent_state(const struct sockent *s)
{
	static const char *const tcp[] = {
		"", "ESTAB", "SYN-SENT", "SYN-RECV", "FIN-WAIT-1",
		"FIN-WAIT-2", "TIME-WAIT", "UNCONN", "CLOSE-WAIT",
		"LAST-ACK", "LISTEN", "CLOSING", "NEW-SYN-RECV",
	};

	if (s->family == AF_INET || s->family == AF_INET6)
		return s->state > 0 &&
		       (size_t)s->state < sizeof(tcp) / sizeof(tcp[0]) ?
		       tcp[s->state] : "";
	if (s->family == AF_UNIX) {
		if (s->listening)
			return "LISTEN";
		return s->state == 3 ? "ESTAB" : s->state == 1 ? "UNCONN" : "";
	}
	return "";
}

void sockent_addr(const struct sockent *s, int remote, char *buf, size_t size)
{
	const struct in6_addr *a = remote ? &s->raddr : &s->laddr;

	if (!inet_ntop(s->family == AF_INET ? AF_INET : AF_INET6, a, buf,
		       (socklen_t)size))
		snprintf(buf, size, "?");
}

/* ---- mappings ------------------------------------------------------- */

int proc_maps_has(pid_t pid, dev_t dev, ino_t ino)
{
	char path[64], *s, *line;
	int found = 0;

	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	s = read_proc(path, NULL);
	if (!s)
		return -1;
	for (line = s; line && *line; line = strchr(line, '\n'),
	     line = line ? line + 1 : NULL) {
		unsigned int maj, min;
		unsigned long long i;

		if (sscanf(line, "%*s %*s %*s %x:%x %llu", &maj, &min,
			   &i) == 3 && i == (unsigned long long)ino &&
		    makedev(maj, min) == dev) {
			found = 1;
			break;
		}
	}
	free(s);
	return found;
}

/* ---- other holders of a deleted file -------------------------------- */

static int fd_dir_holds(const char *dir, pid_t owner, dev_t dev, ino_t ino,
			pid_t pid, int fd, char *who, size_t size)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int found = 0;

	if (!d)
		return 0;
	while (!found && (e = readdir(d))) {
		char path[320], link[PATH_MAX + 1];
		struct stat st;
		ssize_t n;
		int num = atoi(e->d_name);

		if (e->d_name[0] < '0' || e->d_name[0] > '9' ||
		    (owner == pid && num == fd))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		n = readlink(path, link, sizeof(link) - 1);
		if (n <= 0)
			continue;
		link[n] = '\0';
		if (!ends_with(link, " (deleted)") || stat(path, &st) < 0)
			continue;
		if (st.st_dev == dev && st.st_ino == ino) {
			snprintf(who, size, "process %d fd %d", (int)owner,
				 num);
			found = 1;
		}
	}
	closedir(d);
	return found;
}

int deleted_held_elsewhere(dev_t dev, ino_t ino, pid_t pid, int fd,
			   char *who, size_t size)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	int found = 0;

	if (!d)
		return 0;
	while (!found && (e = readdir(d))) {
		char dir[64];
		long owner;
		char *end;

		owner = strtol(e->d_name, &end, 10);
		if (e->d_name[0] < '1' || e->d_name[0] > '9' || *end)
			continue;
		snprintf(dir, sizeof(dir), "/proc/%ld/fd", owner);
		found = fd_dir_holds(dir, (pid_t)owner, dev, ino, pid, fd, who,
				     size);
	}
	closedir(d);
	return found;
}
