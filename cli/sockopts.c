/* Socket options through injected getsockopt/setsockopt, batched. */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "sockopts.h"

#define CHUNK 256		/* calls per batch */

const struct sockopt_def sockopt_defs[] = {
	{ "keepalive", SOL_SOCKET, SO_KEEPALIVE, "SOL_SOCKET",
	  "SO_KEEPALIVE", 0, 1 },
	{ "keepidle", IPPROTO_TCP, TCP_KEEPIDLE, "IPPROTO_TCP",
	  "TCP_KEEPIDLE", 1, 1 },
	{ "keepintvl", IPPROTO_TCP, TCP_KEEPINTVL, "IPPROTO_TCP",
	  "TCP_KEEPINTVL", 1, 1 },
	{ "keepcnt", IPPROTO_TCP, TCP_KEEPCNT, "IPPROTO_TCP", "TCP_KEEPCNT",
	  1, 1 },
	{ "nodelay", IPPROTO_TCP, TCP_NODELAY, "IPPROTO_TCP", "TCP_NODELAY",
	  1, 1 },
	{ "user_timeout", IPPROTO_TCP, TCP_USER_TIMEOUT, "IPPROTO_TCP",
	  "TCP_USER_TIMEOUT", 1, 1 },
	{ "rcvbuf", SOL_SOCKET, SO_RCVBUF, "SOL_SOCKET", "SO_RCVBUF", 0, 0 },
	{ "sndbuf", SOL_SOCKET, SO_SNDBUF, "SOL_SOCKET", "SO_SNDBUF", 0, 0 },
	{ NULL, 0, 0, NULL, NULL, 0, 0 }
};

const struct sockopt_def *sockopt_find(const char *name)
{
	for (const struct sockopt_def *d = sockopt_defs; d->name; d++)
		if (strcmp(d->name, name) == 0)
			return d;
	return NULL;
}

/* In the target, per call: the int value, then the socklen_t length. */
struct slot {
	int32_t value;
	uint32_t len;
};

static void call_text(struct sb *b, const struct sockop *op, int shown,
		      int dry)
{
	const struct sockopt_def *d = op->def;

	sb_addf(b, "%ssockopt(%d, %s, %s, ", op->set ? "set" : "get", op->fd,
		d->level_name, d->opt_name);
	if (op->set)
		sb_addf(b, "[%d], 4)", op->value);
	else if (dry || !shown)
		sb_addf(b, "[?], [4])");
	else
		sb_addf(b, "[%d], [4])", op->value);
}

static void show_dry(struct target *t, struct sockop *ops, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct sb b = { 0 };

		call_text(&b, &ops[i], 0, 1);
		t_show(t, b.s, NULL, 0);
		sb_free(&b);
		ops[i].err = 0;
	}
}

static int run_chunk(struct target *t, struct sockop *ops, size_t n,
		     long nr_get, long nr_set)
{
	struct scr_call calls[CHUNK];
	struct slot slots[CHUNK];
	unsigned long base;
	int r, done;

	memset(calls, 0, sizeof(calls));
	for (size_t i = 0; i < n; i++) {
		slots[i].value = ops[i].set ? ops[i].value : 0;
		slots[i].len = sizeof(int32_t);
	}
	scr_scratch_reset(t->p);
	r = scr_scratch_alloc(t->p, n * sizeof(struct slot), &base);
	if (r == 0 && scr_write(t->p, base, slots, n * sizeof(struct slot)) !=
		      (ssize_t)(n * sizeof(struct slot)))
		r = -EFAULT;
	if (r < 0) {
		t_err(t, VEXIT_NORUN, "cannot place the option values in the "
		      "process's memory: %s", strerror(-r));
		return r;
	}
	for (size_t i = 0; i < n; i++) {
		unsigned long a = base + i * sizeof(struct slot);

		calls[i].nr = ops[i].set ? nr_set : nr_get;
		calls[i].nargs = 5;
		calls[i].args[0] = (unsigned long)ops[i].fd;
		calls[i].args[1] = (unsigned long)ops[i].def->level;
		calls[i].args[2] = (unsigned long)ops[i].def->opt;
		calls[i].args[3] = a;
		calls[i].args[4] = ops[i].set ? sizeof(int32_t) :
			a + offsetof(struct slot, len);
	}
	done = scr_batch(t->p, 0, calls, n, 0);
	if (done > 0 && scr_read(t->p, base, slots, n * sizeof(struct slot)) !=
			(ssize_t)(n * sizeof(struct slot)))
		done = -EFAULT;
	for (size_t i = 0; i < n; i++) {
		struct sb b = { 0 };
		int status = done < 0 ? done : calls[i].status;

		if (status == 0 && (size_t)done > i) {
			ops[i].err = calls[i].ret.sr_error;
			if (!ops[i].err && !ops[i].set)
				ops[i].value = slots[i].value;
		} else {
			ops[i].err = status < 0 ? status : -EIO;
		}
		call_text(&b, &ops[i], status == 0 && !ops[i].err, 0);
		t_show(t, b.s, &calls[i].ret, ops[i].err < 0 ? ops[i].err : 0);
		sb_free(&b);
	}
	if (done < 0 || (size_t)done < n) {
		int e = done < 0 ? done : calls[done].status;

		t_err(t, VEXIT_NORUN, "socket option calls could not run: %s",
		      strerror(-e));
		return e;
	}
	return 0;
}

int sockops_run(struct target *t, struct sockop *ops, size_t n)
{
	long nr_get, nr_set;

	if (t->o->dry_run) {
		show_dry(t, ops, n);
		return 0;
	}
	nr_get = t_nr(t, "getsockopt");
	nr_set = t_nr(t, "setsockopt");
	if (nr_get < 0 || nr_set < 0) {
		t_err(t, VEXIT_NORUN, "getsockopt/setsockopt: not system calls"
		      " of this process's ABI (%s)",
		      scr_abi_name(t->abi) ? scr_abi_name(t->abi) : "?");
		return VEXIT_NORUN;
	}
	for (size_t i = 0; i < n; i += CHUNK) {
		size_t k = n - i < CHUNK ? n - i : CHUNK;

		if (run_chunk(t, ops + i, k, nr_get, nr_set) < 0) {
			for (size_t j = i + k; j < n; j++)
				ops[j].err = -ECANCELED;
			return VEXIT_NORUN;
		}
	}
	return 0;
}
