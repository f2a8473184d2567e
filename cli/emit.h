/*
 * One writer for both outputs of scremote(1): strace-style text
 * ({st_mode=S_IFREG|0644, st_size=5}) and JSON ({"st_mode":"S_IFREG|0644",
 * "st_size":5}).  Decoders describe a value once, as keys and values;
 * the writer puts the separators, quotes and escapes of the mode.
 * Everything from the target is data of unknown origin: strings are
 * escaped and bounded here.
 */
#ifndef CLI_EMIT_H
#define CLI_EMIT_H

#include <stddef.h>
#include <stdio.h>

/* Text mode shows this much of a buffer, then "..."; JSON shows all. */
#define EMIT_TEXT_MAX 4096
#define EMIT_DEPTH 16

struct emit {
	FILE *f;
	int json;
	unsigned int depth;
	unsigned char first[EMIT_DEPTH];	/* no separator needed yet */
	unsigned char keyed;	/* a key was just written */
};

void emit_init(struct emit *e, FILE *f, int json);

void emit_obj_begin(struct emit *e);
void emit_obj_end(struct emit *e);
void emit_arr_begin(struct emit *e);
void emit_arr_end(struct emit *e);

/* The name of the next value: "name=" or "\"name\":". */
void emit_key(struct emit *e, const char *name);

void emit_int(struct emit *e, long long v);
void emit_uint(struct emit *e, unsigned long long v);
/* Text 0x1f, JSON 31. */
void emit_hex(struct emit *e, unsigned long long v);
/* Text 0644, JSON 420. */
void emit_oct(struct emit *e, unsigned long long v);
/* A symbolic value: text as is (O_RDWR|O_CREAT), JSON a string. */
void emit_sym(struct emit *e, const char *text);
/* Bytes: text strace-quoted (at most EMIT_TEXT_MAX, then "..."),
 * JSON a string. */
void emit_str(struct emit *e, const void *data, size_t len);
/* The same, every byte a \x escape in text, as strace shows random
 * bytes ("\x87\x99"). */
void emit_str_hex(struct emit *e, const void *data, size_t len);
/* Text only: printed as is, nothing in JSON (a comment, "..."). */
void emit_text_only(struct emit *e, const char *text);
/* JSON null; text NULL. */
void emit_null(struct emit *e);
/* JSON true/false. */
void emit_bool(struct emit *e, int v);

/* strace-style quoted, escaped string of at most max bytes of data. */
void fmt_quoted(FILE *f, const unsigned char *data, size_t len, size_t max);

/* JSON string: valid UTF-8 passes, every other byte becomes \u00XX. */
void fmt_json_string(FILE *f, const unsigned char *data, size_t len);

#endif
