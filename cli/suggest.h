#ifndef CLI_SUGGEST_H
#define CLI_SUGGEST_H

#include <stddef.h>

/*
 * The "did you mean" helper.  names points at the first name pointer of
 * n records stride bytes apart (a field of an array of structs).  Returns
 * the name closest to word (len bytes) by edit distance, ignoring case,
 * or NULL when none is close enough to be a plausible typo.
 */
const char *suggest(const char *word, size_t len, const char *const *names,
		    size_t n, size_t stride);

/* Edit distance with adjacent transpositions, case-insensitive. */
size_t edit_distance(const char *a, size_t alen, const char *b, size_t blen);

#endif
