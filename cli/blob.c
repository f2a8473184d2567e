/* Blobs of target data (blob.h). */
#include <stdlib.h>
#include <string.h>

#include "blob.h"
#include "util.h"

struct blob *blob_new(size_t len)
{
	struct blob *b = xmalloc(sizeof(*b));

	memset(b, 0, sizeof(*b));
	b->data = xmalloc(len ? len : 1);
	memset(b->data, 0, len ? len : 1);
	b->len = len;
	return b;
}

struct blob *blob_of(const void *data, size_t len)
{
	struct blob *b = blob_new(len);

	if (len)
		memcpy(b->data, data, len);
	return b;
}

void blob_grow(struct blob *b, size_t len)
{
	if (len <= b->len)
		return;
	b->data = xrealloc(b->data, len);
	memset(b->data + b->len, 0, len - b->len);
	b->len = len;
}

void blob_point(struct blob *b, size_t off, struct blob *child)
{
	b->rel = xrealloc(b->rel, (b->nrel + 1) * sizeof(*b->rel));
	b->rel[b->nrel].off = off;
	b->rel[b->nrel].to = child;
	b->nrel++;
}

void blob_free(struct blob *b)
{
	if (!b)
		return;
	for (unsigned int i = 0; i < b->nrel; i++)
		blob_free(b->rel[i].to);
	free(b->rel);
	free(b->data);
	free(b);
}

/* The four ABIs are little-endian. */
void blob_put(struct blob *b, size_t off, unsigned int n,
	      unsigned long long v)
{
	blob_grow(b, off + n);
	for (unsigned int i = 0; i < n; i++)
		b->data[off + i] = (unsigned char)(v >> (8 * i));
}

unsigned long long get_le(const unsigned char *p, unsigned int n)
{
	unsigned long long v = 0;

	for (unsigned int i = n; i-- > 0;)
		v = v << 8 | p[i];
	return v;
}
