/*
 * The target's seccomp filters, judged before a call is injected.
 *
 * An injected call passes through the target's filters like any call it
 * makes: a filter answering KILL would kill the target, TRAP would hit it
 * with SIGSYS, USER_NOTIF would hand it to a supervisor.  So the filters
 * are read (PTRACE_SECCOMP_GET_FILTER, which needs CAP_SYS_ADMIN) and run
 * here, in a classic BPF interpreter, on the exact call: number, ABI,
 * instruction pointer and arguments.  Filter programs come from the
 * kernel, but nothing in them is trusted: every load, jump and scratch
 * slot is bounds-checked, and a program that would misbehave counts as
 * answering KILL.
 */
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>

#include "internal.h"

#define MAX_FILTERS	64
#define MAX_INSNS	BPF_MAXINSNS	/* the kernel's own limit: 4096 */

struct scr_filters {
	unsigned int n;
	struct {
		unsigned int len;
		struct sock_filter *insns;
	} prog[MAX_FILTERS];
};

void scr__filters_free(struct scr_filters *f)
{
	if (!f)
		return;
	for (unsigned int i = 0; i < f->n; i++)
		free(f->prog[i].insns);
	free(f);
}

int scr__filters_read(pid_t tid, struct scr_filters **out)
{
	struct scr_filters *f = calloc(1, sizeof(*f));
	struct sock_filter *buf;
	int e = 0;

	if (!f)
		return -ENOMEM;
	for (unsigned long i = 0; i < MAX_FILTERS; i++) {
		long len = ptrace(PTRACE_SECCOMP_GET_FILTER, tid, i, NULL);

		if (len < 0) {
			/* ENOENT: past the oldest filter. */
			e = errno == ENOENT && i > 0 ? 0 : -errno;
			break;
		}
		if (len == 0 || len > MAX_INSNS) {
			e = -EPROTO;
			break;
		}
		buf = calloc((size_t)len, sizeof(*buf));
		if (!buf) {
			e = -ENOMEM;
			break;
		}
		if (ptrace(PTRACE_SECCOMP_GET_FILTER, tid, i, buf) != len) {
			free(buf);
			e = errno ? -errno : -EPROTO;
			break;
		}
		f->prog[f->n].len = (unsigned int)len;
		f->prog[f->n].insns = buf;
		f->n++;
	}
	if (!e && f->n == MAX_FILTERS)
		e = -E2BIG;
	if (e) {
		scr__filters_free(f);
		return e;
	}
	*out = f;
	return 0;
}

/* Runs one classic BPF program on data; returns its verdict. */
static uint32_t run_bpf(const struct sock_filter *insns, unsigned int len,
			const struct seccomp_data *data)
{
	const unsigned char *d = (const unsigned char *)data;
	uint32_t a = 0, x = 0, mem[BPF_MEMWORDS] = { 0 };

	for (unsigned int pc = 0; pc < len; pc++) {
		const struct sock_filter *in = &insns[pc];
		uint32_t k = in->k, src = BPF_SRC(in->code) == BPF_X ? x : k;

		switch (in->code) {
		case BPF_LD | BPF_W | BPF_ABS:
			if (k > sizeof(*data) - 4 || (k & 3))
				return SECCOMP_RET_KILL_PROCESS;
			memcpy(&a, d + k, 4);
			continue;
		case BPF_LD | BPF_W | BPF_LEN:
			a = sizeof(*data);
			continue;
		case BPF_LDX | BPF_W | BPF_LEN:
			x = sizeof(*data);
			continue;
		case BPF_LD | BPF_IMM:
			a = k;
			continue;
		case BPF_LDX | BPF_IMM:
			x = k;
			continue;
		case BPF_LD | BPF_MEM:
		case BPF_LDX | BPF_MEM:
		case BPF_ST:
		case BPF_STX:
			if (k >= BPF_MEMWORDS)
				return SECCOMP_RET_KILL_PROCESS;
			if (in->code == (BPF_LD | BPF_MEM))
				a = mem[k];
			else if (in->code == (BPF_LDX | BPF_MEM))
				x = mem[k];
			else
				mem[k] = in->code == BPF_ST ? a : x;
			continue;
		case BPF_MISC | BPF_TAX:
			x = a;
			continue;
		case BPF_MISC | BPF_TXA:
			a = x;
			continue;
		case BPF_RET | BPF_K:
			return k;
		case BPF_RET | BPF_A:
			return a;
		case BPF_JMP | BPF_JA:
			if (k >= len - pc - 1)
				return SECCOMP_RET_KILL_PROCESS;
			pc += k;
			continue;
		default:
			break;
		}
		switch (BPF_CLASS(in->code)) {
		case BPF_ALU:
			switch (BPF_OP(in->code)) {
			case BPF_ADD: a += src; break;
			case BPF_SUB: a -= src; break;
			case BPF_MUL: a *= src; break;
			case BPF_DIV: a = src ? a / src : 0; break;
			case BPF_MOD: a = src ? a % src : 0; break;
			case BPF_OR: a |= src; break;
			case BPF_AND: a &= src; break;
			case BPF_XOR: a ^= src; break;
			case BPF_LSH: a = src < 32 ? a << src : 0; break;
			case BPF_RSH: a = src < 32 ? a >> src : 0; break;
			case BPF_NEG: a = -a; break;
			default: return SECCOMP_RET_KILL_PROCESS;
			}
			continue;
		case BPF_JMP: {
			bool t;

			switch (BPF_OP(in->code)) {
			case BPF_JEQ: t = a == src; break;
			case BPF_JGT: t = a > src; break;
			case BPF_JGE: t = a >= src; break;
			case BPF_JSET: t = (a & src) != 0; break;
			default: return SECCOMP_RET_KILL_PROCESS;
			}
			unsigned int off = t ? in->jt : in->jf;

			if (off >= len - pc - 1)
				return SECCOMP_RET_KILL_PROCESS;
			pc += off;
			continue;
		}
		default:
			return SECCOMP_RET_KILL_PROCESS;
		}
	}
	return SECCOMP_RET_KILL_PROCESS;	/* fell off the end */
}

uint32_t scr__filters_verdict(const struct scr_filters *f, uint32_t audit_arch,
			      long nr, unsigned long ip,
			      const unsigned long *args, unsigned int nargs)
{
	struct seccomp_data data;
	uint32_t verdict = SECCOMP_RET_ALLOW;

	memset(&data, 0, sizeof(data));
	data.nr = (int)nr;
	data.arch = audit_arch;
	data.instruction_pointer = ip;
	for (unsigned int i = 0; i < nargs && i < 6; i++)
		data.args[i] = args[i];
	/* Every filter runs; the kernel keeps the verdict of highest
	 * precedence, which is the lowest action as a signed number. */
	for (unsigned int i = 0; i < f->n; i++) {
		uint32_t r = run_bpf(f->prog[i].insns, f->prog[i].len, &data);

		if ((int32_t)(r & SECCOMP_RET_ACTION_FULL) <
		    (int32_t)(verdict & SECCOMP_RET_ACTION_FULL))
			verdict = r;
	}
	return verdict;
}

bool scr__verdict_harms(uint32_t verdict)
{
	switch (verdict & SECCOMP_RET_ACTION_FULL) {
	case SECCOMP_RET_KILL_PROCESS:
	case SECCOMP_RET_KILL_THREAD:
	case SECCOMP_RET_TRAP:
	case SECCOMP_RET_USER_NOTIF:
		return true;
	default:
		return false;
	}
}
