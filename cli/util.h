#ifndef CLI_UTIL_H
#define CLI_UTIL_H

#include <stdarg.h>
#include <stddef.h>

/* Allocation that cannot fail: scremote runs with tiny inputs, so running
 * out of memory is reported and ends the program (before any attach;
 * after it, the run code allocates with plain malloc and cleans up). */
void *xmalloc(size_t n);
void *xrealloc(void *p, size_t n);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A growable byte string, always NUL-terminated. */
struct sb {
	char *s;
	size_t len, cap;
};

void sb_add(struct sb *b, const void *p, size_t n);
void sb_addc(struct sb *b, char c);
void sb_addf(struct sb *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
char *sb_take(struct sb *b);	/* the string; b is empty afterwards */
void sb_free(struct sb *b);

#endif
