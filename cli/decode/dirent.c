/*
 * getdents64's records, as strace -v shows them: [{d_ino=..., d_off=...,
 * d_reclen=24, d_type=DT_DIR, d_name="."}, ...], as many as the bytes
 * the call returned hold.  A record is struct linux_dirent64: u64 d_ino,
 * s64 d_off, u16 d_reclen, u8 d_type, then the NUL-terminated name; each
 * is read only within its own d_reclen and the returned length, which
 * come from the process and are not trusted.
 */
#include "decode.h"

#define HEAD 19		/* d_ino, d_off, d_reclen, d_type */

static const char *const dt_names[16] = {
	[0] = "DT_UNKNOWN", [1] = "DT_FIFO", [2] = "DT_CHR", [4] = "DT_DIR",
	[6] = "DT_BLK", [8] = "DT_REG", [10] = "DT_LNK", [12] = "DT_SOCK",
	[14] = "DT_WHT",
};

static size_t dirent64_size(const struct sys_abi *abi)
{
	(void)abi;
	return 0;	/* records of their own lengths */
}

static void dirent64_print(struct emit *e, const struct dctx *x,
			   const unsigned char *p, size_t len)
{
	size_t off = 0;

	(void)x;
	emit_arr_begin(e);
	while (off + HEAD <= len) {
		const unsigned char *r = p + off;
		size_t reclen = get_le(r + 16, 2), n = 0;
		unsigned int type = r[18];

		if (reclen < HEAD || reclen > len - off)
			break;		/* not a record: stop, show no more */
		while (HEAD + n < reclen && r[HEAD + n])
			n++;
		emit_obj_begin(e);
		emit_key(e, "d_ino");
		emit_uint(e, get_le(r, 8));
		emit_key(e, "d_off");
		emit_int(e, (long long)get_le(r + 8, 8));
		emit_key(e, "d_reclen");
		emit_uint(e, reclen);
		emit_key(e, "d_type");
		if (type < 16 && dt_names[type])
			emit_sym(e, dt_names[type]);
		else
			emit_uint(e, type);
		emit_key(e, "d_name");
		emit_str(e, r + HEAD, n);
		emit_obj_end(e);
		off += reclen;
	}
	emit_arr_end(e);
}

static const struct dstruct structs[] = {
	{ "dirent64", NULL, dirent64_size, dirent64_print, NULL },
	{ NULL, NULL, NULL, NULL, NULL },
};

const struct decoder decoder_dirent = { "dirent", structs, NULL };
