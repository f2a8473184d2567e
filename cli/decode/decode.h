/*
 * Decoders: what scremote(1) knows of the data system calls take and
 * return, one family per file in cli/decode/ (stat.c, sockaddr.c, ...),
 * as strace keeps them.  A decoder file owns its structs' layouts, how
 * they are read from a literal ({rlim_cur=4096, rlim_max=8192}) and how
 * they are shown, in text and in JSON alike; it may also refine what a
 * call takes from its other arguments (fcntl's third argument is open
 * flags after F_SETFL, a struct flock after F_SETLK).  The generic code
 * finds decoders by name in the registry (the list is generated from
 * the files), and never names a struct itself.
 *
 * Most structs need only a description: their fields, each with a type
 * and a way to show it; layout.c computes the offsets for each ABI
 * (word size, alignment), prints and parses them.  A struct that is a
 * union (sockaddr) or a bit set (sigset_t) brings its own functions.
 */
#ifndef CLI_DECODE_H
#define CLI_DECODE_H

#include <stddef.h>
#include <stdio.h>

#include "blob.h"
#include "emit.h"
#include "lex.h"
#include "scremote.h"
#include "systab.h"

/* ---- what an argument is ------------------------------------------------ */

struct argtype {
	unsigned char kind;	/* SCR_ARG_*, 0: unknown (a raw #N call) */
	const char *detail;	/* family, or pointed-to type: "stat",
				   "int[2]", "iovec" */
	const char *name;	/* in the kernel's prototype: "fd" */
	const char *ctype;	/* its C type there */
	signed char ref;	/* linked size/count or pointer, -1: none */
};

/* What a hook says argument (or result) t is. */
static inline void argtype_set(struct argtype *t, int kind, const char *detail)
{
	t->kind = kind;
	t->detail = detail;
}

/* ---- reading and showing data ------------------------------------------- */

/* Where printers get memory a pointer refers to. */
struct dctx {
	const struct sys_abi *abi;
	/* Copies up to len bytes at addr into buf; returns the count, or
	 * -1 (NULL: nothing can be read, pointers show as addresses). */
	long (*read)(void *opaque, unsigned long addr, void *buf, size_t len);
	void *opaque;
	long ret;		/* the call's return value, when known */
	/* Bytes the call says it moved, shared by the buffers shown in
	 * turn (readv's iovecs), or NULL: each shown whole. */
	long *left;
};

/* ---- struct descriptions (layout.c) ------------------------------------- */

enum ftype {
	FT_I8 = 1, FT_U8, FT_I16, FT_U16, FT_I32, FT_U32, FT_I64, FT_U64,
	FT_LONG,	/* the ABI's long */
	FT_ULONG,
	FT_PTR,		/* a pointer, word sized */
	FT_CHARS,	/* char[n], a NUL-terminated string */
	FT_BYTES,	/* unsigned char[n] */
	FT_STRUCT,	/* a nested struct (sub) */
	FT_PAD,		/* n bytes never shown */
};

enum fshow {
	SH_DEC,		/* decimal */
	SH_HEX,
	SH_OCT,
	SH_SYM,		/* constants of family */
	SH_MODE,	/* S_IFREG|0644 */
	SH_DEV,		/* makedev(0x8, 0x1) */
	SH_TIME,	/* seconds since the epoch, with the date */
	SH_TIMENS,	/* the same, its nanoseconds (a word) the next
			   field: the date to the nanosecond */
	SH_PORT,	/* network order: htons(8080), htonl(0) */
	SH_INADDR,	/* inet_addr("127.0.0.1") */
	SH_IN6ADDR,	/* inet_pton(AF_INET6, "::1", &sin6_addr) */
	SH_SIGSET,	/* [INT TERM] */
	SH_BUF,		/* a pointer to bytes (iov_base), length in the
			   next field */
	SH_NAMES,	/* one of names[] (a value the kernel's headers
			   name in an enum: tcpi_state=TCP_ESTABLISHED) */
	SH_RLIM,	/* a limit: family names the infinity (all ones)
			   as strace does, multiples of 1024 as N*1024 */
	SH_SUNPATH,	/* a socket path; @"name" when abstract */
	SH_PTR,		/* an address: NULL or 0x7ffd... */
	SH_HIDE,	/* not shown (padding, reserved) */
};

/* Field flags. */
#define FF_SAME 0x1	/* a bit field sharing the previous field's unit,
			   or a union member at the same offset */
#define FF_PACKED 0x2	/* not aligned (__attribute__((packed)) structs) */

struct field {
	const char *name;
	unsigned char type;	/* FT_* */
	unsigned char show;	/* SH_* */
	unsigned short n;	/* FT_CHARS, FT_BYTES, FT_PAD: bytes */
	const char *family;	/* SH_SYM */
	const struct sdesc *sub;/* FT_STRUCT */
	unsigned char bit, bits;/* a bit field: bits bits from bit */
	unsigned char flags;	/* FF_* */
	const char *const *names;	/* SH_NAMES: names[value], NULL-ended */
};

struct sdesc {
	const char *name;
	const struct field *f;
	unsigned int n;
};

#define NFIELDS(a) (sizeof(a) / sizeof((a)[0]))

size_t sdesc_size(const struct sdesc *d, const struct sys_abi *abi);

/* Shows the struct at p (len bytes; fields past len are left out). */
void sdesc_print(struct emit *e, const struct dctx *x, const struct sdesc *d,
		 const unsigned char *p, size_t len);
/* Field name alone, "name=value" (nothing if it is not within len). */
void sdesc_print_field(struct emit *e, const struct dctx *x,
		       const struct sdesc *d, const unsigned char *p,
		       size_t len, const char *name);
/* strace's date after a time, in a comment: 2023-11-14T22:13:20+0000,
 * to the nanosecond when ns is not 0 (text only). */
void emit_date_note(struct emit *e, long long t, unsigned long long ns);
/* The same, only the fields named (NULL-ended), in that order. */
void sdesc_print_fields(struct emit *e, const struct dctx *x,
			const struct sdesc *d, const unsigned char *p,
			size_t len, const char *const *names);
/* The value of field name at p: 0, or -1 when it is not within len. */
int sdesc_value(const struct sdesc *d, const struct sys_abi *abi,
		const unsigned char *p, size_t len, const char *name,
		unsigned long long *v);

/* Reads "{name=value, ...}" at the cursor into b at off (b grows to
 * off + the struct's size); "..." is allowed and skipped. */
int sdesc_parse(struct cur *c, const struct sdesc *d, struct blob *b,
		size_t off);

/* ---- named constants (sym.c) ------------------------------------------- */

/* "O_RDWR|O_LARGEFILE", "SIGTERM", "0x40000" for what has no name. */
void sym_format(const struct sys_abi *abi, const char *family,
		unsigned long long v, char *buf, size_t size);
void emit_family(struct emit *e, const struct sys_abi *abi,
		 const char *family, unsigned long long v);
/* S_IFREG|0644 */
void sym_mode(const struct sys_abi *abi, unsigned long long v, char *buf,
	      size_t size);
/* The name of v in family (an enum), or NULL. */
/* Is v the value of constant name on this ABI (of any of names, a
 * NULL-ended list)?  For decoders that choose by a request or command. */
int sym_is(const struct sys_abi *abi, unsigned long v, const char *name);
int sym_is_any(const struct sys_abi *abi, unsigned long v,
	       const char *const *names);
const char *sym_name(const struct sys_abi *abi, const char *family,
		     unsigned long long v);

/* ---- decoders ------------------------------------------------------------ */

/* A struct (or type) a decoder knows, by the name the tables give. */
struct dstruct {
	const char *name;
	/* Its fields for this ABI (NULL: not on this ABI). */
	const struct sdesc *(*desc)(const struct sys_abi *abi);
	/* Or its own functions, when fields are not enough. */
	size_t (*size)(const struct sys_abi *abi);
	void (*print)(struct emit *e, const struct dctx *x,
		      const unsigned char *p, size_t len);
	int (*parse)(struct cur *c, const struct sys_abi *abi, struct blob *b,
		     size_t off);
};

/* What a call takes at argument i, and returns, may depend on the
 * values of its earlier arguments: v[j] for j < i, known[j] when the
 * value is not a $N reference (unknown until the calls run). */
struct callhook {
	const char *calls;	/* "fcntl,fcntl64" */
	void (*arg)(const struct sys_abi *abi, unsigned int i,
		    const unsigned long *v, const unsigned char *known,
		    struct argtype *t);
	/* The return value, given every argument (nargs of them). */
	void (*ret)(const struct sys_abi *abi, unsigned int nargs,
		    const unsigned long *v, const unsigned char *known,
		    struct argtype *t);
	/* What strace shows after a successful result, " (Timeout)",
	 * written to f (text only), from the result r, the values
	 * passed (v) and what was read back after the call (out[j],
	 * outlen[j]; out[j] NULL: nothing). */
	void (*result)(FILE *f, const struct dctx *x, const char *call,
		       long r, const unsigned long *v,
		       unsigned char *const *out, const size_t *outlen);
};

struct decoder {
	const char *file;
	const struct dstruct *structs;	/* ends with a NULL name */
	const struct callhook *hooks;	/* ends with a NULL calls */
};

/* Generated from the files of cli/decode/; NULL-terminated. */
extern const struct decoder *const decoders[];

const struct dstruct *decode_struct(const char *name);
const struct callhook *decode_hook(const char *call);

/* The size of type name ("stat", "int", "timespec") on abi; 0 when
 * unknown.  "int[2]": two ints. */
size_t decode_size(const struct sys_abi *abi, const char *name);

/* Shows the data of type name at p: count elements in [] (an array,
 * even of one), or with count 0 what the name says ("stat" a struct,
 * "int[2]" an array, "int" a scalar in [], as strace shows pointed
 * values). */
void decode_print(struct emit *e, const struct dctx *x, const char *name,
		  const unsigned char *p, size_t len, size_t count);

/* Reads a literal of type name: "{...}", "[...]" for arrays (count
 * elements at most; 0: any), or a scalar expression. */
int decode_parse(struct cur *c, const struct sys_abi *abi, const char *name,
		 size_t count, struct blob *b);
/* The same, into b at off (a struct's own parser: sched_param's [0]). */
int decode_parse_at(struct cur *c, const char *name, struct blob *b,
		    size_t off);

#endif
