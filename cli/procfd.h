/*
 * What /proc tells about a process's descriptors, read without stopping
 * it: /proc/PID/fd (what each one points at), fdinfo (offset, flags),
 * maps (files mapped into memory) and the socket tables of its network
 * namespace, /proc/PID/net/{tcp,tcp6,udp,udp6,unix,netlink}.
 *
 * Everything here comes from the target or from whoever named its files:
 * strings are raw bytes, to be escaped when shown.  The process runs on
 * while it is read, so an entry may vanish or change between two reads;
 * callers that act on an entry check it again after attaching.
 */
#ifndef CLI_PROCFD_H
#define CLI_PROCFD_H

#include <netinet/in.h>
#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

enum fdkind {
	FD_UNKNOWN, FD_FILE, FD_DIR, FD_CHR, FD_BLK, FD_PIPE, FD_FIFO,
	FD_SOCKET, FD_ANON, FD_OTHER
};

struct fdent {
	int fd;
	char *link;		/* readlink of /proc/PID/fd/N */
	enum fdkind kind;
	int have_stat;		/* st: stat of the object (follows the link) */
	struct stat st;
	int have_info;		/* pos, flags, mnt_id: from fdinfo */
	unsigned long long pos;
	unsigned int flags;	/* f_flags, O_CLOEXEC included */
	int mnt_id;
	int deleted;		/* a regular file with no name left */
	int memfd;		/* memfd_create(2): anonymous memory */
};

/* Every descriptor of pid, sorted by number.  0, or a negative errno
 * (-ENOENT no such process, -EACCES not allowed to look). */
int procfd_list(pid_t pid, struct fdent **out, size_t *n);

/* Descriptor fd of pid alone: 0, -ENOENT (not open), -EACCES, ... */
int procfd_get(pid_t pid, int fd, struct fdent *e);

void fdent_clear(struct fdent *e);
void fdents_free(struct fdent *v, size_t n);

/* "file", "dir", "pipe", ... (for sockets, see sockent_type). */
const char *fdkind_name(enum fdkind k);

/* The socket inode of a "socket:[N]" link, or 0. */
unsigned long fdent_sock_ino(const struct fdent *e);

/* A socket as the tables of the process's network namespace show it. */
struct sockent {
	unsigned long ino;
	int family;		/* AF_INET, AF_INET6, AF_UNIX, AF_NETLINK */
	int proto;		/* IPPROTO_TCP or IPPROTO_UDP; netlink: its
				   protocol; unix: 0 */
	int type;		/* unix: SOCK_STREAM, SOCK_DGRAM, ... */
	int state;		/* tcp: TCP_ESTABLISHED...; unix: SS_* */
	int listening;
	struct in6_addr laddr, raddr;	/* IPv4 in the first 4 bytes */
	unsigned int lport, rport;
	char *path;		/* unix: bound name, "@..." abstract */
};

struct socktab;

/* The socket tables of pid's network namespace; NULL when none can be
 * read (they are optional: sockets then show as plain "socket"). */
struct socktab *socktab_load(pid_t pid);
const struct sockent *socktab_find(const struct socktab *t, unsigned long ino);
void socktab_free(struct socktab *t);

/* "tcp", "tcp6", "udp", "udp6", "unix", "netlink" */
const char *sockent_type(const struct sockent *s);
/* "ESTABLISHED", "LISTEN", ... or "" */
const char *sockent_state(const struct sockent *s);
/* "127.0.0.1", "::1", "::ffff:10.0.0.1" into buf (>= INET6_ADDRSTRLEN). */
void sockent_addr(const struct sockent *s, int remote, char *buf, size_t size);
int sockent_is_tcp(const struct sockent *s);
int sockent_is_stream(const struct sockent *s);	/* tcp, unix stream */

/* Is the inode (dev, ino) mapped into pid's memory?  1, 0, or -1 when
 * the map cannot be read. */
int proc_maps_has(pid_t pid, dev_t dev, ino_t ino);

/*
 * Does a descriptor other than fd of pid, in any process /proc lets us
 * see, hold the deleted file (dev, ino)?  1 with "pid N fd M" in who,
 * or 0.  Only descriptors whose link ends in " (deleted)" can hold it.
 */
int deleted_held_elsewhere(dev_t dev, ino_t ino, pid_t pid, int fd,
			   char *who, size_t size);

/* Fields of /proc/PID/stat: state letter, flags (PF_*), start time in
 * clock ticks since boot.  0 or -1. */
int proc_stat(pid_t pid, char *state, unsigned long *flags,
	      unsigned long long *starttime);

/* RLIMIT_NOFILE's soft value from /proc/PID/limits, or -1. */
long proc_nofile(pid_t pid);

/* The program name (/proc/PID/comm), NUL-terminated, into buf; -1 if
 * gone. */
int proc_comm(pid_t pid, char *buf, size_t size);

/* readlink of /proc/PID/<what> ("cwd", "exe", "fd/3") as a new string,
 * or NULL with errno. */
char *proc_link(pid_t pid, const char *what);

#endif
