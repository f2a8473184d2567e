/*
 * fcntl: what its third argument and its result are depend on the
 * command (open flags after F_SETFL and from F_GETFL, a struct flock
 * for the locks, a descriptor from F_DUPFD), and struct flock itself.
 */
#include <string.h>

#include "decode.h"

/* Is v the value of constant name in this ABI? */
static const char *const set_locks[] = {
	"F_SETLK", "F_SETLKW", "F_OFD_SETLK", "F_OFD_SETLKW", NULL
};
static const char *const get_locks[] = { "F_GETLK", "F_OFD_GETLK", NULL };
static const char *const set_locks64[] = { "F_SETLK64", "F_SETLKW64", NULL };

/* flock64 only where it differs (a 32-bit ABI's F_SETLK64 is 13, not
 * F_SETLK): on 64-bit ABIs the names have the same values. */
static const char *lock_struct(const struct sys_abi *abi, unsigned long cmd)
{
	if (abi->word_size == 4 && (sym_is_any(abi, cmd, set_locks64) ||
				     sym_is(abi, cmd, "F_GETLK64")))
		return "flock64";
	return "flock";
}

static void fcntl_arg(const struct sys_abi *abi, unsigned int i,
		      const unsigned long *v, const unsigned char *known,
		      struct argtype *t)
{
	unsigned long cmd = v[1];

	if (i != 2 || !known[1])
		return;
	if (sym_is(abi, cmd, "F_SETFL"))
		argtype_set(t, SCR_ARG_FLAGS, "open_flags");
	else if (sym_is(abi, cmd, "F_SETFD"))
		argtype_set(t, SCR_ARG_FLAGS, "fd_flags");
	else if (sym_is(abi, cmd, "F_DUPFD") || sym_is(abi, cmd, "F_DUPFD_CLOEXEC"))
		argtype_set(t, SCR_ARG_FD, NULL);
	else if (sym_is(abi, cmd, "F_SETOWN"))
		argtype_set(t, SCR_ARG_PID, NULL);
	else if (sym_is(abi, cmd, "F_SETSIG"))
		argtype_set(t, SCR_ARG_SIGNAL, NULL);
	else if (sym_is(abi, cmd, "F_SETLEASE"))
		argtype_set(t, SCR_ARG_ENUM, "lock_type");
	else if (sym_is(abi, cmd, "F_ADD_SEALS"))
		argtype_set(t, SCR_ARG_FLAGS, "seal_flags");
	else if (sym_is_any(abi, cmd, set_locks) || sym_is_any(abi, cmd, set_locks64))
		argtype_set(t, SCR_ARG_IN, strcmp(lock_struct(abi, cmd), "flock") ?
		    "flock64_set" : "flock_set");
	else if (sym_is(abi, cmd, "F_NOTIFY"))
		argtype_set(t, SCR_ARG_FLAGS, "dn_flags");
	else if (sym_is(abi, cmd, "F_SETOWN_EX"))
		argtype_set(t, SCR_ARG_IN, "f_owner_ex");
	else if (sym_is(abi, cmd, "F_GETOWN_EX"))
		argtype_set(t, SCR_ARG_OUT, "f_owner_ex");
	else if (sym_is_any(abi, cmd, get_locks) || sym_is(abi, cmd, "F_GETLK64"))
		argtype_set(t, SCR_ARG_INOUT, lock_struct(abi, cmd));
}

static void fcntl_ret(const struct sys_abi *abi, unsigned int nargs,
		      const unsigned long *v, const unsigned char *known,
		      struct argtype *t)
{
	unsigned long cmd = v[1];

	if (nargs < 2 || !known[1])
		return;
	if (sym_is(abi, cmd, "F_GETFL"))
		argtype_set(t, SCR_ARG_FLAGS, "open_flags");
	else if (sym_is(abi, cmd, "F_GETFD"))
		argtype_set(t, SCR_ARG_FLAGS, "fd_flags");
	else if (sym_is(abi, cmd, "F_DUPFD") || sym_is(abi, cmd, "F_DUPFD_CLOEXEC"))
		argtype_set(t, SCR_ARG_FD, NULL);
	else if (sym_is(abi, cmd, "F_GETOWN"))
		argtype_set(t, SCR_ARG_PID, NULL);
	else if (sym_is(abi, cmd, "F_GETSIG"))
		argtype_set(t, SCR_ARG_SIGNAL, NULL);
	else if (sym_is(abi, cmd, "F_GETLEASE"))
		argtype_set(t, SCR_ARG_ENUM, "lock_type");
	else if (sym_is(abi, cmd, "F_GET_SEALS"))
		argtype_set(t, SCR_ARG_FLAGS, "seal_flags");
}

/* struct flock: off_t is the ABI's long; flock64's loff_t is 64 bits
 * (only on 32-bit ABIs, where it differs). */
static const struct field flock_f[] = {
	{ "l_type", FT_I16, SH_SYM, 0, "lock_type", NULL, 0, 0, 0, NULL },
	{ "l_whence", FT_I16, SH_SYM, 0, "whence", NULL, 0, 0, 0, NULL },
	{ "l_start", FT_LONG, SH_DEC, 0, NULL, NULL, 0, 0, 0, NULL },
	{ "l_len", FT_LONG, SH_DEC, 0, NULL, NULL, 0, 0, 0, NULL },
	{ "l_pid", FT_I32, SH_DEC, 0, NULL, NULL, 0, 0, 0, NULL },
};
static const struct field flock64_f[] = {
	{ "l_type", FT_I16, SH_SYM, 0, "lock_type", NULL, 0, 0, 0, NULL },
	{ "l_whence", FT_I16, SH_SYM, 0, "whence", NULL, 0, 0, 0, NULL },
	{ "l_start", FT_I64, SH_DEC, 0, NULL, NULL, 0, 0, 0, NULL },
	{ "l_len", FT_I64, SH_DEC, 0, NULL, NULL, 0, 0, 0, NULL },
	{ "l_pid", FT_I32, SH_DEC, 0, NULL, NULL, 0, 0, 0, NULL },
};
static const struct sdesc flock_d = { "flock", flock_f, NFIELDS(flock_f) };
static const struct sdesc flock64_d = { "flock64", flock64_f,
					NFIELDS(flock64_f) };

static const struct sdesc *flock_desc(const struct sys_abi *abi)
{
	(void)abi;
	return &flock_d;
}

static const struct sdesc *flock64_desc(const struct sys_abi *abi)
{
	(void)abi;
	return &flock64_d;
}

/* A lock being set: strace shows no l_pid (the kernel ignores it). */
static void lock_set_show(struct emit *e, const struct dctx *x,
			  const struct sdesc *d, const unsigned char *p,
			  size_t len)
{
	static const char *const shown[] = {
		"l_type", "l_whence", "l_start", "l_len", NULL
	};

	if (e->json)
		sdesc_print(e, x, d, p, len);
	else
		sdesc_print_fields(e, x, d, p, len, shown);
}

static void flock_set_print(struct emit *e, const struct dctx *x,
			    const unsigned char *p, size_t len)
{
	lock_set_show(e, x, &flock_d, p, len);
}

static void flock64_set_print(struct emit *e, const struct dctx *x,
			      const unsigned char *p, size_t len)
{
	lock_set_show(e, x, &flock64_d, p, len);
}

/* F_SETOWN_EX's and F_GETOWN_EX's {type=F_OWNER_PID, pid=0}. */
static const struct field owner_f[] = {
	{ "type", FT_I32, SH_SYM, 0, "owner_type", NULL, 0, 0, 0, NULL },
	{ "pid", FT_I32, SH_DEC, 0, NULL, NULL, 0, 0, 0, NULL },
};
static const struct sdesc owner_d = { "f_owner_ex", owner_f, NFIELDS(owner_f) };

static const struct sdesc *owner_desc(const struct sys_abi *abi)
{
	(void)abi;
	return &owner_d;
}

static const struct dstruct structs[] = {
	{ "f_owner_ex", owner_desc, NULL, NULL, NULL },
	{ "flock", flock_desc, NULL, NULL, NULL },
	{ "flock64", flock64_desc, NULL, NULL, NULL },
	{ "flock_set", flock_desc, NULL, flock_set_print, NULL },
	{ "flock64_set", flock64_desc, NULL, flock64_set_print, NULL },
	{ NULL, NULL, NULL, NULL, NULL },
};

static const struct callhook hooks[] = {
	{ "fcntl,fcntl64", fcntl_arg, fcntl_ret, NULL },
	{ NULL, NULL, NULL, NULL },
};

const struct decoder decoder_fcntl = { "fcntl", structs, hooks };
