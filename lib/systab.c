/*
 * Lookups in the generated system call tables (systab.h): the public
 * scr_syscall_*() and scr_const*() functions, and the internal ones
 * scremote(1) uses.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "systab.h"

const struct sys_abi *scr__sys_abi(int id)
{
	if (id <= SCR_ABI_UNKNOWN || id > SCR_ABI_RISCV64)
		return NULL;
	return scr__abis[id];
}

/* Names are compared as counted strings: the CLI looks up words inside
 * the text it parses. */
static int cmp_counted(const char *key, size_t len, const char *name)
{
	int c = strncmp(key, name, len);

	if (c)
		return c;
	return name[len] ? -1 : 0;
}

const struct sys_call *scr__call_by_name(const struct sys_abi *abi,
					const char *name, size_t len)
{
	size_t lo = 0, hi = abi->ncalls;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = cmp_counted(name, len, abi->calls[mid].name);

		if (c == 0)
			return &abi->calls[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

/* Index into bynr of the first call numbered nr or more. */
static size_t nr_lower_bound(const struct sys_abi *abi, long nr)
{
	size_t lo = 0, hi = abi->ncalls;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (abi->calls[abi->bynr[mid]].nr < nr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

const struct sys_call *scr__call_by_nr(const struct sys_abi *abi, long nr)
{
	size_t i = nr_lower_bound(abi, nr);

	if (i < abi->ncalls && abi->calls[abi->bynr[i]].nr == nr)
		return &abi->calls[abi->bynr[i]];
	return NULL;
}

const struct sys_const *scr__const_by_name(const struct sys_abi *abi,
					  const char *name, size_t len)
{
	const struct sys_consts *cs = abi->consts;
	size_t lo = 0, hi;

	if (!cs)
		return NULL;
	hi = cs->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = cmp_counted(name, len, cs->c[mid].name);

		if (c == 0)
			return &cs->c[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

const struct sys_family *scr__family(const struct sys_abi *abi,
				    const char *name)
{
	if (!abi->consts || !name)
		return NULL;
	for (size_t i = 0; i < abi->consts->nfam; i++)
		if (strcmp(abi->consts->fam[i].name, name) == 0)
			return &abi->consts->fam[i];
	return NULL;
}

int scr__const_in(const struct sys_abi *abi, const struct sys_const *c,
		 const struct sys_family *f)
{
	size_t fi = (size_t)(f - abi->consts->fam) + 1;

	for (size_t i = 0; i < sizeof(c->fam) && c->fam[i]; i++)
		if (c->fam[i] == fi)
			return 1;
	return 0;
}

/* ---- the public API ---------------------------------------------------- */

SCR_EXPORT long scr_syscall_nr(int abi, const char *name)
{
	const struct sys_abi *a = scr__sys_abi(abi);
	const struct sys_call *c;

	if (!a)
		return -EINVAL;
	if (!name)
		return -ENOENT;
	c = scr__call_by_name(a, name, strlen(name));
	return c ? c->nr : -ENOENT;
}

SCR_EXPORT const char *scr_syscall_name(int abi, long nr)
{
	const struct sys_abi *a = scr__sys_abi(abi);
	const struct sys_call *c = a ? scr__call_by_nr(a, nr) : NULL;

	return c ? c->name : NULL;
}

SCR_EXPORT long scr_syscall_next(int abi, long nr)
{
	const struct sys_abi *a = scr__sys_abi(abi);
	size_t i;

	if (!a)
		return -EINVAL;
	if (nr < -1)
		nr = -1;
	i = nr_lower_bound(a, nr + 1);
	return i < a->ncalls ? a->calls[a->bynr[i]].nr : -ENOENT;
}

/* The signature of call nr, or NULL with the error in *err. */
static const struct sys_sig *sig_of(int abi, long nr, int *err)
{
	const struct sys_abi *a = scr__sys_abi(abi);
	const struct sys_call *c;

	if (!a) {
		*err = -EINVAL;
		return NULL;
	}
	c = scr__call_by_nr(a, nr);
	if (!c || !c->sig)
		*err = c ? -ENODATA : -ENOENT;
	return c ? c->sig : NULL;
}

SCR_EXPORT int scr_syscall_nargs(int abi, long nr)
{
	int err;
	const struct sys_sig *s = sig_of(abi, nr, &err);

	return s ? s->nargs : err;
}

SCR_EXPORT int scr_syscall_nreq(int abi, long nr)
{
	int err;
	const struct sys_sig *s = sig_of(abi, nr, &err);

	return s ? s->nreq : err;
}

SCR_EXPORT int scr_syscall_arg(int abi, long nr, unsigned int i,
			       const char **name, const char **detail)
{
	int err;
	const struct sys_sig *s = sig_of(abi, nr, &err);

	if (!s)
		return err;
	if (i == SCR_RET) {
		if (name)
			*name = NULL;
		if (detail)
			*detail = s->ret_detail;
		return s->ret;
	}
	if (i >= s->nargs)
		return -ERANGE;
	if (name)
		*name = s->args[i].name;
	if (detail)
		*detail = s->args[i].detail;
	return s->args[i].kind;
}

SCR_EXPORT int scr_syscall_arg_ref(int abi, long nr, unsigned int i)
{
	int err;
	const struct sys_sig *s = sig_of(abi, nr, &err);

	if (!s)
		return err;
	if (i >= s->nargs)
		return -ERANGE;
	return s->args[i].ref >= 0 ? s->args[i].ref : -ENOENT;
}

/*
 * The k-th (constant, family) pair.  Walking all constants to find it
 * is quick enough for an iterator run once (the binding's import).
 */
SCR_EXPORT int scr_const(int abi, size_t k, const char **name,
			 long long *value, const char **family)
{
	const struct sys_abi *a = scr__sys_abi(abi);
	const struct sys_consts *cs = a ? a->consts : NULL;

	if (!cs)
		return -EINVAL;
	for (size_t i = 0; i < cs->n; i++) {
		const struct sys_const *c = &cs->c[i];
		size_t nf = 0;

		while (nf < sizeof(c->fam) && c->fam[nf])
			nf++;
		if (k >= (nf ? nf : 1)) {
			k -= nf ? nf : 1;
			continue;
		}
		if (name)
			*name = c->name;
		if (value)
			*value = c->value;
		if (family)
			*family = nf ? cs->fam[c->fam[k] - 1].name : NULL;
		return 0;
	}
	return -ENOENT;
}

SCR_EXPORT int scr_const_value(int abi, const char *name, long long *value)
{
	const struct sys_abi *a = scr__sys_abi(abi);
	const struct sys_const *c;

	if (!a || !a->consts)
		return -EINVAL;
	if (!name)
		return -ENOENT;
	c = scr__const_by_name(a, name, strlen(name));
	if (!c)
		return -ENOENT;
	if (value)
		*value = c->value;
	return 0;
}
