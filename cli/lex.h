/*
 * The lexical layer of scremote's call language: a cursor over a
 * bounded span of text, and its tokens (numbers, names, C strings and
 * characters).  Every error records the span it blames, so that the
 * user sees a caret under the offending characters.  Shared by the call
 * parser and the struct literal parsers of the decoders.
 */
#ifndef CLI_LEX_H
#define CLI_LEX_H

#include <stddef.h>

struct sys_abi;

/* Where and why parsing stopped: the span [pos, pos+len) of the text. */
struct parse_err {
	size_t pos, len;
	char msg[400];
};

struct cur {
	const char *s;
	size_t pos, end;
	const struct sys_abi *abi;
	unsigned int index;	/* 1-based number of the call ($N < index) */
	struct parse_err *err;
	unsigned int depth;	/* nesting, bounded: the parser recurses */
};

/* Deeper nesting of parentheses, braces or brackets is refused. */
#define LEX_MAX_DEPTH 32

int lex_fail(struct cur *c, size_t pos, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

int lex_at_end(const struct cur *c);
char lex_peek(const struct cur *c);
char lex_peek2(const struct cur *c);	/* the character after */
void lex_skip_ws(struct cur *c);
int lex_is_ident_start(char ch);
int lex_is_ident(char ch);
size_t lex_ident_len(const struct cur *c);
/* Is the name at the cursor word (then skipped with what follows)? */
int lex_word(struct cur *c, const char *word);
/* The rest of the current token, for messages: up to a separator. */
size_t lex_token_len(const struct cur *c, size_t pos);
/* Consumes ch (after spaces) or fails saying what was expected. */
int lex_expect(struct cur *c, char ch, const char *what);

/* An unsigned number in C notation (0x hex, 0 octal, decimal). */
int lex_magnitude(struct cur *c, unsigned long *out);
/* 'c' with C escapes. */
int lex_char(struct cur *c, unsigned long *out);
/* "..." with C escapes: the bytes (no NUL added) in *data, malloc'ed. */
int lex_string(struct cur *c, unsigned char **data, size_t *len);

/* Messages quote user text; keep them to one readable line. */
#define SHOW(c, pos, len) (int)((len) > 40 ? 40 : (len)), (c)->s + (pos)

#endif
