/*
 * struct stat and struct statx.  The kernel has three layouts of struct
 * stat for the four ABIs (arch/x86/include/uapi/asm/stat.h for x86_64
 * and i386, include/uapi/asm-generic/stat.h for aarch64 and riscv64),
 * plus i386's struct stat64; statx is the same everywhere.  Shown with
 * every field, as strace -v does (and in its order).
 */
#include <string.h>
#include <sys/stat.h>

#include "decode.h"

#define F(n, t) { n, t, SH_DEC, 0, NULL, NULL, 0, 0, 0, NULL }
#define S(n, t, sh) { n, t, sh, 0, NULL, NULL, 0, 0, 0, NULL }
#define HIDE(n, t) { n, t, SH_HIDE, 0, NULL, NULL, 0, 0, 0, NULL }
#define PAD(n, bytes) { n, FT_PAD, SH_HIDE, bytes, NULL, NULL, 0, 0, 0, NULL }
#define SYM(n, t, fam) { n, t, SH_SYM, 0, fam, NULL, 0, 0, 0, NULL }

/* The times of the three layouts: seconds and nanoseconds. */
#define TIMES(t)							\
	S("st_atime", t, SH_TIMENS), F("st_atime_nsec", t),		\
	S("st_mtime", t, SH_TIMENS), F("st_mtime_nsec", t),		\
	S("st_ctime", t, SH_TIMENS), F("st_ctime_nsec", t)

static const struct field x86_64_f[] = {
	S("st_dev", FT_ULONG, SH_DEV), F("st_ino", FT_ULONG),
	F("st_nlink", FT_ULONG), S("st_mode", FT_U32, SH_MODE),
	F("st_uid", FT_U32), F("st_gid", FT_U32), HIDE("__pad0", FT_U32),
	S("st_rdev", FT_ULONG, SH_DEV), F("st_size", FT_LONG),
	F("st_blksize", FT_LONG), F("st_blocks", FT_LONG), TIMES(FT_ULONG),
	PAD("__unused", 24),
};

static const struct field generic_f[] = {
	S("st_dev", FT_ULONG, SH_DEV), F("st_ino", FT_ULONG),
	S("st_mode", FT_U32, SH_MODE), F("st_nlink", FT_U32),
	F("st_uid", FT_U32), F("st_gid", FT_U32),
	S("st_rdev", FT_ULONG, SH_DEV), HIDE("__pad1", FT_ULONG),
	F("st_size", FT_LONG), F("st_blksize", FT_I32), HIDE("__pad2", FT_I32),
	F("st_blocks", FT_LONG), TIMES(FT_LONG),
	HIDE("__unused4", FT_U32), HIDE("__unused5", FT_U32),
};

static const struct field i386_f[] = {
	S("st_dev", FT_ULONG, SH_DEV), F("st_ino", FT_ULONG),
	S("st_mode", FT_U16, SH_MODE), F("st_nlink", FT_U16),
	F("st_uid", FT_U16), F("st_gid", FT_U16),
	S("st_rdev", FT_ULONG, SH_DEV), F("st_size", FT_ULONG),
	F("st_blksize", FT_ULONG), F("st_blocks", FT_ULONG), TIMES(FT_ULONG),
	HIDE("__unused4", FT_ULONG), HIDE("__unused5", FT_ULONG),
};

static const struct field stat64_f[] = {
	S("st_dev", FT_U64, SH_DEV), PAD("__pad0", 4), HIDE("__st_ino", FT_ULONG),
	S("st_mode", FT_U32, SH_MODE), F("st_nlink", FT_U32),
	F("st_uid", FT_ULONG), F("st_gid", FT_ULONG),
	S("st_rdev", FT_U64, SH_DEV), PAD("__pad3", 4), F("st_size", FT_I64),
	F("st_blksize", FT_ULONG), F("st_blocks", FT_U64), TIMES(FT_ULONG),
	F("st_ino", FT_U64),
};

static const struct sdesc x86_64_d = { "stat", x86_64_f, NFIELDS(x86_64_f) };
static const struct sdesc generic_d = { "stat", generic_f, NFIELDS(generic_f) };
static const struct sdesc i386_d = { "stat", i386_f, NFIELDS(i386_f) };
static const struct sdesc stat64_d = { "stat64", stat64_f, NFIELDS(stat64_f) };

static const struct sdesc *stat_desc(const struct sys_abi *abi)
{
	if (!strcmp(abi->name, "x86_64"))
		return &x86_64_d;
	if (!strcmp(abi->name, "i386"))
		return &i386_d;
	return &generic_d;
}

static const struct sdesc *stat64_desc(const struct sys_abi *abi)
{
	return abi->word_size == 4 ? &stat64_d : NULL;
}

/*
 * In strace -v's order, which is not the layout's; a device shows its
 * st_rdev where anything else shows its st_size.
 */
static void stat_show(struct emit *e, const struct dctx *x,
		      const struct sdesc *d, const unsigned char *p, size_t len)
{
	static const char *const dev[] = {
		"st_dev", "st_ino", "st_mode", "st_nlink", "st_uid", "st_gid",
		"st_blksize", "st_blocks", "st_rdev", "st_atime",
		"st_atime_nsec", "st_mtime", "st_mtime_nsec", "st_ctime",
		"st_ctime_nsec", NULL
	};
	static const char *const other[] = {
		"st_dev", "st_ino", "st_mode", "st_nlink", "st_uid", "st_gid",
		"st_blksize", "st_blocks", "st_size", "st_atime",
		"st_atime_nsec", "st_mtime", "st_mtime_nsec", "st_ctime",
		"st_ctime_nsec", NULL
	};
	unsigned long long mode = 0;

	if (!d) {
		emit_str(e, p, len);
		return;
	}
	if (e->json) {		/* every field, for programs */
		sdesc_print(e, x, d, p, len);
		return;
	}
	sdesc_value(d, x->abi, p, len, "st_mode", &mode);
	sdesc_print_fields(e, x, d, p, len,
			   S_ISCHR(mode) || S_ISBLK(mode) ? dev : other);
}

static void stat_print(struct emit *e, const struct dctx *x,
		       const unsigned char *p, size_t len)
{
	stat_show(e, x, stat_desc(x->abi), p, len);
}

static void stat64_print(struct emit *e, const struct dctx *x,
			 const unsigned char *p, size_t len)
{
	stat_show(e, x, stat64_desc(x->abi), p, len);
}

/* ---- statx ---------------------------------------------------------------- */

static const struct field stx_time_f[] = {
	F("tv_sec", FT_I64), F("tv_nsec", FT_U32),
	HIDE("__reserved", FT_I32),
};
static const struct sdesc stx_time_d = { "statx_timestamp", stx_time_f,
					 NFIELDS(stx_time_f) };

#define STX_TIME(n) { n, FT_STRUCT, SH_DEC, 0, NULL, &stx_time_d, 0, 0, 0, NULL }

static const struct field statx_f[] = {
	SYM("stx_mask", FT_U32, "statx_mask"), F("stx_blksize", FT_U32),
	SYM("stx_attributes", FT_U64, "statx_attr"), F("stx_nlink", FT_U32),
	F("stx_uid", FT_U32), F("stx_gid", FT_U32),
	S("stx_mode", FT_U16, SH_MODE), PAD("__spare0", 2),
	F("stx_ino", FT_U64), F("stx_size", FT_U64), F("stx_blocks", FT_U64),
	SYM("stx_attributes_mask", FT_U64, "statx_attr"),
	STX_TIME("stx_atime"), STX_TIME("stx_btime"), STX_TIME("stx_ctime"),
	STX_TIME("stx_mtime"),
	F("stx_rdev_major", FT_U32), F("stx_rdev_minor", FT_U32),
	F("stx_dev_major", FT_U32), F("stx_dev_minor", FT_U32),
	S("stx_mnt_id", FT_U64, SH_HEX), F("stx_dio_mem_align", FT_U32),
	F("stx_dio_offset_align", FT_U32), PAD("__spare3", 96),
};
static const struct sdesc statx_d = { "statx", statx_f, NFIELDS(statx_f) };

static const struct sdesc *stx_time_desc(const struct sys_abi *abi)
{
	(void)abi;
	return &stx_time_d;
}

static const struct sdesc *statx_desc(const struct sys_abi *abi)
{
	(void)abi;
	return &statx_d;
}

/*
 * statx as strace -v shows it: a time is {tv_sec=..., tv_nsec=...} with
 * its date after it; stx_btime, stx_mnt_id and the direct I/O
 * alignments only when stx_mask says the kernel filled them.  The
 * layout is the same on every ABI (include/uapi/linux/stat.h).
 */
#ifndef STATX_MNT_ID
#define STATX_MNT_ID 0x1000U
#endif
#ifndef STATX_DIOALIGN
#define STATX_DIOALIGN 0x2000U
#endif

static void statx_print(struct emit *e, const struct dctx *x,
			const unsigned char *p, size_t len)
{
	static const char *const head[] = {
		"stx_mask", "stx_blksize", "stx_attributes", "stx_nlink",
		"stx_uid", "stx_gid", "stx_mode", "stx_ino", "stx_size",
		"stx_blocks", "stx_attributes_mask", NULL
	};
	static const char *const devs[] = {
		"stx_rdev_major", "stx_rdev_minor", "stx_dev_major",
		"stx_dev_minor", NULL
	};
	static const struct {
		const char *name;
		size_t off;
		unsigned int needs;
	} times[] = {
		{ "stx_atime", 64, 0 }, { "stx_btime", 80, STATX_BTIME },
		{ "stx_ctime", 96, 0 }, { "stx_mtime", 112, 0 },
	};
	unsigned int mask;

	if (e->json || len < sdesc_size(&statx_d, x->abi)) {
		sdesc_print(e, x, &statx_d, p, len);
		return;
	}
	mask = (unsigned int)get_le(p, 4);
	emit_obj_begin(e);
	for (const char *const *n = head; *n; n++)
		sdesc_print_field(e, x, &statx_d, p, len, *n);
	for (size_t i = 0; i < sizeof(times) / sizeof(times[0]); i++) {
		const unsigned char *t = p + times[i].off;

		if (times[i].needs && !(mask & times[i].needs))
			continue;
		emit_key(e, times[i].name);
		sdesc_print(e, x, &stx_time_d, t, 16);
		emit_date_note(e, (long long)get_le(t, 8), get_le(t + 8, 4));
	}
	for (const char *const *n = devs; *n; n++)
		sdesc_print_field(e, x, &statx_d, p, len, *n);
	if (mask & STATX_MNT_ID)
		sdesc_print_field(e, x, &statx_d, p, len, "stx_mnt_id");
	if (mask & STATX_DIOALIGN) {
		sdesc_print_field(e, x, &statx_d, p, len, "stx_dio_mem_align");
		sdesc_print_field(e, x, &statx_d, p, len,
				  "stx_dio_offset_align");
	}
	emit_obj_end(e);
}

static const struct dstruct structs[] = {
	{ "stat", stat_desc, NULL, stat_print, NULL },
	{ "stat64", stat64_desc, NULL, stat64_print, NULL },
	{ "statx", statx_desc, NULL, statx_print, NULL },
	{ "statx_timestamp", stx_time_desc, NULL, NULL, NULL },
	{ NULL, NULL, NULL, NULL, NULL },
};

const struct decoder decoder_stat = { "stat", structs, NULL };
