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

int sym_is(const struct sys_abi *abi, unsigned long v, const char *name)
{
	const struct sys_const *k = scr__const_by_name(abi, name, strlen(name));

	return k && (unsigned long)k->value == v;
}

int sym_is_any(const struct sys_abi *abi, unsigned long v,
	       const char *const *names)
{
	for (; *names; names++)
		if (sym_is(abi, v, *names))
			return 1;
	return 0;
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
		out[n].key = f->is_flags & 2 ? at :
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

/*
 * What strace writes beside a value of f it has no name for: "SEEK_???"
 * from the names' common prefix, "?_OK" from a common suffix; "" when
 * the names share neither (ioctl requests).
 */
static void unknown_note(const struct sys_abi *abi, const struct sys_family *f,
			 char *buf, size_t size)
{
	const char *first = f->nmembers ? abi->consts->c[f->members[0]].name : "";
	size_t pre = strlen(first), suf = pre, flen = pre;

	for (size_t i = 1; i < f->nmembers; i++) {
		const char *m = abi->consts->c[f->members[i]].name;
		size_t j = 0, mlen = strlen(m);

		while (j < pre && m[j] == first[j])
			j++;
		pre = j;
		for (j = 0; j < suf && j < mlen && m[mlen - 1 - j] == first[flen - 1 - j]; j++)
			;
		suf = j;
	}
	while (pre && first[pre - 1] != '_')
		pre--;
	while (suf && first[flen - suf] != '_')
		suf--;
	if (f->nmembers < 2 || (!pre && !suf))
		buf[0] = '\0';
	else if (pre)
		snprintf(buf, size, "%.*s???", (int)pre, first);
	else
		snprintf(buf, size, "?%s", first + flen - suf);
}

/* mmap's huge page size, log2 in bits 26..31: strace's 21<<MAP_HUGE_SHIFT.
 * Taken out of *v; 0 when none or not mmap's flags. */
static unsigned long long huge_pages(const struct sys_abi *abi,
				     const struct sys_family *f,
				     unsigned long long *v)
{
	const struct sys_const *shift, *mask;
	unsigned long long h;

	if (strcmp(f->name, "mmap_flags") ||
	    !(shift = scr__const_by_name(abi, "MAP_HUGE_SHIFT", 14)) ||
	    !(mask = scr__const_by_name(abi, "MAP_HUGE_MASK", 13)) ||
	    shift->value < 0 || shift->value > 56)
		return 0;
	h = *v >> shift->value & (unsigned long long)mask->value;
	*v &= ~((unsigned long long)mask->value << shift->value);
	return h;
}

/* v shown as constants of f; *unknown set when a part has no name. */
static void format_family(const struct sys_abi *abi,
			  const struct sys_family *f, unsigned long long v,
			  char *buf, size_t size, int *unknown)
{
	struct pick p[64];
	unsigned long long mask, huge;
	char hex[48];
	size_t len = 0, n;
	const char *name;

	buf[0] = '\0';
	*unknown = 0;
	if (!f->is_flags) {
		name = name_in(abi, f, v);
		if (name)
			snprintf(buf, size, "%s", name);
		else if ((long long)v < 0)
			snprintf(buf, size, "%lld", (long long)v);
		else {
			snprintf(buf, size, "%#llx", v);
			*unknown = 1;
		}
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
			*unknown = 1;
		}
		v &= ~mask;
	}
	huge = huge_pages(abi, f, &v);
	n = pick_flags(abi, f, &v, mask, p, sizeof(p) / sizeof(p[0]));
	for (size_t i = 0; i < n; i++)
		append(buf, size, &len, p[i].name);
	if (v) {
		snprintf(hex, sizeof(hex), "%#llx", v);
		append(buf, size, &len, hex);
		*unknown = !n;	/* strace notes it only when alone */
	}
	if (huge) {
		snprintf(hex, sizeof(hex), "%llu<<MAP_HUGE_SHIFT", huge);
		append(buf, size, &len, hex);
	}
	if (!len)
		snprintf(buf, size, "%s",
			 (f->is_flags & 4) && (name = name_in(abi, f, 0)) ?
			 name : "0");
}

void sym_format(const struct sys_abi *abi, const char *family,
		unsigned long long v, char *buf, size_t size)
{
	const struct sys_family *f = family_of(abi, family);
	int unknown;

	if (f)
		format_family(abi, f, v, buf, size, &unknown);
	else
		snprintf(buf, size, "%#llx", v);
}

/* As strace, a value or bits with no name get a note after them,
 * SEEK_??? in a comment (text only, not JSON). */
void emit_family(struct emit *e, const struct sys_abi *abi,
		 const char *family, unsigned long long v)
{
	const struct sys_family *f = family_of(abi, family);
	char buf[1024], note[64];
	size_t len;
	int unknown;

	if (!f) {
		emit_uint(e, v);
		return;
	}
	format_family(abi, f, v, buf, sizeof(buf), &unknown);
	if (unknown && !e->json) {
		unknown_note(abi, f, note, sizeof(note));
		len = strlen(buf);
		if (note[0])
			snprintf(buf + len, sizeof(buf) - len, " /* %s */", note);
	}
	emit_sym(e, buf);
}

void sym_mode(const struct sys_abi *abi, unsigned long long v, char *buf,
	      size_t size)
{
	static const struct { unsigned long long bit; const char *name; } special[] = {
		{ 04000, "S_ISUID|" }, { 02000, "S_ISGID|" }, { 01000, "S_ISVTX|" },
	};
	const char *type = sym_name(abi, "file_type", v & 0170000);
	size_t len = 0;
	int n;

	/* strace's S_IFDIR|S_ISVTX|0777, S_IFREG|000: with a type, the
	 * special bits by name and the permissions in octal. */
	if (!type) {
		snprintf(buf, size, "%#03llo", v);
		return;
	}
	n = snprintf(buf, size, "%s|", type);
	len = n > 0 && (size_t)n < size ? (size_t)n : 0;
	for (size_t i = 0; i < sizeof(special) / sizeof(special[0]); i++)
		if (v & special[i].bit) {
			n = snprintf(buf + len, size - len, "%s", special[i].name);
			len += n > 0 && (size_t)n < size - len ? (size_t)n : 0;
		}
	snprintf(buf + len, size - len, "%#03llo", v & 0777);
}
