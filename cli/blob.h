/*
 * Data for the target's memory: the bytes of a string, a struct or an
 * array, and where those bytes hold pointers to other blobs (an iovec's
 * iov_base, argv's strings).  run.c copies the blobs into the target's
 * scratch area and fills the pointers in with the target's addresses.
 */
#ifndef CLI_BLOB_H
#define CLI_BLOB_H

#include <stddef.h>

struct blob;

struct reloc {
	size_t off;		/* where the pointer goes in data */
	struct blob *to;	/* what it points to */
};

struct blob {
	unsigned char *data;
	size_t len;
	struct reloc *rel;
	unsigned int nrel;
	unsigned long addr;	/* in the target, once placed */
};

struct blob *blob_new(size_t len);		/* zeroed */
struct blob *blob_of(const void *data, size_t len);
void blob_grow(struct blob *b, size_t len);	/* zero-fills */
/* A pointer at off to child, of word_size bytes once placed. */
void blob_point(struct blob *b, size_t off, struct blob *child);
void blob_free(struct blob *b);

/* Little-endian integers of n bytes (1, 2, 4, 8) at off. */
void blob_put(struct blob *b, size_t off, unsigned int n,
	      unsigned long long v);
unsigned long long get_le(const unsigned char *p, unsigned int n);

#endif
