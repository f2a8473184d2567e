/*
 * Values of named constants shown as strace shows them: flags OR-ed in
 * increasing order with what has no name in hex (O_RDWR|O_LARGEFILE,
 * O_WRONLY|0x40000000), one name for an enum (SIGTERM), a family's
 * field first (clone's exit signal, open's access mode).  The families
 * and their members come from the generated tables (systab.h), in the
 * order the rules prefer (SOL_TCP before IPPROTO_TCP for a level).
 */
#include <stdio.h>
#include <string.h>

#include "decode.h"

static const struct sys_family *family_of(const struct sys_abi *abi,
					  const char *name)
{
	return abi && abi->consts ? scr__family(abi, name) : NULL;
}

static const char *name_in(const struct sys_abi *abi,
			   const struct sys_family *f, unsigned long long v)
{
	for (size_t i = 0; i < f->nmembers; i++) {
		const struct sys_const *k = &abi->consts->c[f->members[i]];

		if ((unsigned long long)k->value == v)
			return k->name;
	}
	return NULL;
}

const char *sym_name(const struct sys_abi *abi, const char *family,
		     unsigned long long v)
{
	const struct sys_family *f = family_of(abi, family);

	return f ? name_in(abi, f, v) : NULL;
}

static int popcount(unsigned long long v)
{
	return __builtin_popcountll(v);
}

struct pick {
	const char *name;
	unsigned long long key;	/* shown in increasing key */
};

/* The flags of f in v (outside mask): the widest constants first, so
 * O_SYNC is named rather than O_DSYNC plus a leftover bit.  Shown as
 * strace lists them: in increasing value, or for a listed family in
 * the family's order (SOCK_CLOEXEC|SOCK_NONBLOCK, R_OK|W_OK). */
static size_t pick_flags(const struct sys_abi *abi,
			 const struct sys_family *f, unsigned long long *v,
			 unsigned long long mask, struct pick *out,
			 size_t max)
{
	size_t n = 0;

	while (*v && n < max) {
		const struct sys_const *best = NULL;
		size_t at = 0;

		for (size_t i = 0; i < f->nmembers; i++) {
			const struct sys_const *k = &abi->consts->c[f->members[i]];
			unsigned long long kv = (unsigned long long)k->value;

			if (!kv || (kv & mask) || (kv & *v) != kv)
				continue;
			if (!best || popcount(kv) >
			    popcount((unsigned long long)best->value)) {
				best = k;
				at = i;
			}
		}
		if (!best)
			break;
		out[n].name = best->name;
		out[n].key = f->is_flags == 2 ? at :
			(unsigned long long)best->value;
		n++;
		*v &= ~(unsigned long long)best->value;
	}
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0 && out[j - 1].key > out[j].key; j--) {
			struct pick t = out[j];

			out[j] = out[j - 1];
			out[j - 1] = t;
		}
	return n;
}

static void append(char *buf, size_t size, size_t *len, const char *s)
{
	int n = snprintf(buf + *len, *len < size ? size - *len : 0, "%s%s",
			 *len ? "|" : "", s);

	if (n > 0)
		*len += (size_t)n;
	if (*len >= size)
		*len = size - 1;
}

void sym_format(const struct sys_abi *abi, const char *family,
		unsigned long long v, char *buf, size_t size)
{
	const struct sys_family *f = family_of(abi, family);
	struct pick p[64];
	unsigned long long mask;
	char hex[32];
	size_t len = 0, n;
	const char *name;

	buf[0] = '\0';
	if (!f) {
		snprintf(buf, size, "%#llx", v);
		return;
	}
	if (!f->is_flags) {
		name = name_in(abi, f, v);
		if (name)
			snprintf(buf, size, "%s", name);
		else
			snprintf(buf, size, "%lld", (long long)v);
		return;
	}
	mask = (unsigned long long)f->mask;
	if (mask) {
		const struct sys_family *mf = f->mask_family >= 0 ?
			&abi->consts->fam[f->mask_family] : f;

		name = name_in(abi, mf, v & mask);
		if (name) {
			append(buf, size, &len, name);
		} else if (v & mask) {
			snprintf(hex, sizeof(hex), "%#llx", v & mask);
			append(buf, size, &len, hex);
		}
		v &= ~mask;
	}
	n = pick_flags(abi, f, &v, mask, p, sizeof(p) / sizeof(p[0]));
	for (size_t i = 0; i < n; i++)
		append(buf, size, &len, p[i].name);
	if (v) {
		snprintf(hex, sizeof(hex), "%#llx", v);
		append(buf, size, &len, hex);
	}
	if (!len)
		snprintf(buf, size, "0");
}

void emit_family(struct emit *e, const struct sys_abi *abi,
		 const char *family, unsigned long long v)
{
	char buf[1024];

	if (!family_of(abi, family)) {
		emit_uint(e, v);
		return;
	}
	sym_format(abi, family, v, buf, sizeof(buf));
	emit_sym(e, buf);
}

void sym_mode(const struct sys_abi *abi, unsigned long long v, char *buf,
	      size_t size)
{
	const char *type = sym_name(abi, "file_type", v & 0170000);
	unsigned long long perm = v & ~0170000ULL;

	if (type && perm)
		snprintf(buf, size, "%s|%#llo", type, perm);
	else if (type)
		snprintf(buf, size, "%s", type);
	else if (v & 0170000)
		snprintf(buf, size, "%#llo", v);
	else
		snprintf(buf, size, "%#03llo", v);
}
