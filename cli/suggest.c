/* "Did you mean": the nearest table name by edit distance. */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "suggest.h"

/* Longer words are not typos of system call or constant names. */
#define WORD_MAX 64

static int same(char a, char b)
{
	return tolower((unsigned char)a) == tolower((unsigned char)b);
}

static size_t min3(size_t a, size_t b, size_t c)
{
	size_t m = a < b ? a : b;
	return m < c ? m : c;
}

/* The distance, or more than max as soon as it must exceed max (a row
 * of the table never goes below its minimum again). */
static size_t distance_within(const char *a, size_t alen, const char *b,
			      size_t blen, size_t max)
{
	size_t d[WORD_MAX + 1][WORD_MAX + 1];

	if (alen > WORD_MAX || blen > WORD_MAX)
		return (size_t)-1;
	for (size_t i = 0; i <= alen; i++)
		d[i][0] = i;
	for (size_t j = 0; j <= blen; j++)
		d[0][j] = j;
	for (size_t i = 1; i <= alen; i++) {
		size_t row_min = d[i][0];

		if (i >= 2 && d[i - 2][0] < row_min)
			row_min = d[i - 2][0];
		for (size_t j = 1; j <= blen; j++) {
			size_t cost = same(a[i - 1], b[j - 1]) ? 0 : 1;
			d[i][j] = min3(d[i - 1][j] + 1, d[i][j - 1] + 1,
				       d[i - 1][j - 1] + cost);
			if (i > 1 && j > 1 && same(a[i - 1], b[j - 2]) &&
			    same(a[i - 2], b[j - 1]) &&
			    d[i - 2][j - 2] + 1 < d[i][j])
				d[i][j] = d[i - 2][j - 2] + 1;
			if (d[i][j] < row_min)
				row_min = d[i][j];
		}
		/* A swap reaches back two rows: stop only when this row and
		 * the one before are both past max. */
		if (row_min > max && i >= 2) {
			size_t prev_min = (size_t)-1;

			for (size_t j = 0; j <= blen; j++)
				if (d[i - 1][j] < prev_min)
					prev_min = d[i - 1][j];
			if (prev_min > max)
				return max + 1;
		}
	}
	return d[alen][blen];
}

/* Optimal string alignment distance: Levenshtein plus swapping two
 * neighbours (getpdi -> getpid), the commonest typing slip. */
size_t edit_distance(const char *a, size_t alen, const char *b, size_t blen)
{
	return distance_within(a, alen, b, blen, (size_t)-2);
}

/* pread for pread64, fadvise for fadvise64: the word plus a number. */
static int is_numbered(const char *word, size_t len, const char *name)
{
	if (strncasecmp(name, word, len) != 0 || !name[len])
		return 0;
	for (name += len; *name; name++)
		if (!isdigit((unsigned char)*name))
			return 0;
	return 1;
}

const char *suggest(const char *word, size_t len, const char *const *names,
		    size_t n, size_t stride)
{
	/* Allow about one slip per three letters, and at least one. */
	size_t limit = len / 3 > 1 ? len / 3 : 1;
	const char *best = NULL;
	size_t best_d = limit + 1;

	if (len == 0 || len > WORD_MAX)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		/* Each entry starts with its name pointer; memcpy, as the
		 * byte arithmetic loses the alignment the compiler knew. */
		const char *name;

		memcpy(&name, (const char *)names + i * stride, sizeof(name));
		size_t nlen = strlen(name);
		size_t gap = nlen > len ? nlen - len : len - nlen;

		if (is_numbered(word, len, name))
			return name;
		/* The distance is at least the difference in length: most
		 * names are too long or too short to be worth measuring. */
		if (gap >= best_d)
			continue;
		size_t d = distance_within(word, len, name, nlen, best_d - 1);

		if (d < best_d) {
			best = name;
			best_d = d;
		}
	}
	return best;
}
