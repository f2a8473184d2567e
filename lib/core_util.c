/* Small helpers of the core writer: a growing buffer, whole /proc files. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core_impl.h"

static int grow(struct core_buf *b, size_t len)
{
	size_t cap = b->cap ? b->cap : 4096;
	unsigned char *p;

	if (len > SIZE_MAX / 2 - b->len)
		return -ENOMEM;
	while (cap < b->len + len)
		cap *= 2;
	if (cap == b->cap)
		return 0;
	p = realloc(b->p, cap);
	if (!p)
		return -ENOMEM;
	b->p = p;
	b->cap = cap;
	return 0;
}

int scr__core_buf_put(struct core_buf *b, const void *data, size_t len)
{
	int e = grow(b, len);

	if (e)
		return e;
	if (len)
		memcpy(b->p + b->len, data, len);
	b->len += len;
	return 0;
}

int scr__core_buf_zero(struct core_buf *b, size_t len)
{
	int e = grow(b, len);

	if (e)
		return e;
	memset(b->p + b->len, 0, len);
	b->len += len;
	return 0;
}

void scr__core_buf_free(struct core_buf *b)
{
	free(b->p);
	memset(b, 0, sizeof(*b));
}

int scr__core_slurp(pid_t pid, const char *name, struct core_buf *b)
{
	char path[96];
	int fd, e = 0;

	b->len = 0;
	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT) {
		/* No such file in a kernel built without it, or no such
		 * process. */
		snprintf(path, sizeof(path), "/proc/%d", (int)pid);
		return access(path, F_OK) == 0 ? -ENOENT : -ESRCH;
	}
	if (fd < 0)
		return -errno;
	for (;;) {
		ssize_t n;

		e = grow(b, 65536);
		if (e)
			break;
		n = read(fd, b->p + b->len, b->cap - b->len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			/* ESRCH: the process is gone; EIO: its memory went
			 * (cmdline of a zombie). */
			e = errno == ESRCH ? -ESRCH : -errno;
			break;
		}
		if (n == 0)
			break;
		b->len += (size_t)n;
	}
	close(fd);
	if (!e)
		b->p[b->len] = '\0';	/* room kept by the read size */
	return e;
}
