/*
 * Where the bytes of a core go.
 *
 *   a regular file   written with pwrite at the offset the fd had; pages
 *                    never touched are holes (seeked over, not written),
 *                    and the ELF header goes in last, so that a dump that
 *                    fails half way never looks like a core;
 *   anything else    (a pipe, a socket, a file opened O_APPEND) written
 *                    in order, holes as zeros;
 *   zstd             (PC_COMPRESS) one zstd frame of the whole core, in
 *                    order, holes as zeros, which zstd squeezes to
 *                    almost nothing.  Built only where libzstd is.
 *
 * SIGPIPE is blocked while we write: a reader that went away is EPIPE,
 * not the death of the caller (which would leave a snapshot's clone
 * behind); a SIGPIPE we caused is taken back before the mask is.
 *
 * A write to a pipe or a socket whose reader does not read must not hold
 * the dump for ever: a socket is written with MSG_DONTWAIT, a pipe
 * through a second, non-blocking, open file description of it (through
 * /proc/self/fd, so that the caller's stays as it was), and a full one
 * is waited for in short polls that see scr_interrupt().
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#ifdef SCR_HAVE_ZSTD
#include <zstd.h>
#endif

#include "core_impl.h"

#define ZEROS 65536
static const unsigned char zeros[ZEROS];

bool scr__core_can_compress(void)
{
#ifdef SCR_HAVE_ZSTD
	return true;
#else
	return false;
#endif
}

static bool cancelled(const struct core_sink *s)
{
	return s->session && scr__proc_interrupted(s->session);
}

/* Waits until fd takes more (a non-blocking fd), a little at a time so
 * that an interrupt is seen. */
static int wait_writable(struct core_sink *s)
{
	struct pollfd pfd = { s->nb_fd >= 0 ? s->nb_fd : s->fd, POLLOUT, 0 };

	while (poll(&pfd, 1, 200) == 0)
		if (cancelled(s))
			return -EINTR;
	return 0;
}

static ssize_t write_once(struct core_sink *s, const void *p, size_t len,
			  off_t at)
{
	if (at >= 0)
		return pwrite(s->fd, p, len, at);
	if (s->socket)
		return send(s->fd, p, len, MSG_DONTWAIT | MSG_NOSIGNAL);
	return write(s->nb_fd >= 0 ? s->nb_fd : s->fd, p, len);
}

static int raw_write(struct core_sink *s, const void *data, size_t len,
		     off_t at)
{
	const unsigned char *p = data;

	while (len) {
		ssize_t n = write_once(s, p, len, at);

		if (n < 0) {
			int e = errno;

			if (e == EINTR && !cancelled(s))
				continue;
			if (e == EAGAIN || e == EWOULDBLOCK) {
				int w = wait_writable(s);

				if (w)
					return w;
				continue;
			}
			s->epipe |= e == EPIPE;
			return -e;
		}
		if (n == 0)
			return -EIO;
		p += n;
		len -= (size_t)n;
		if (at >= 0)
			at += n;
		s->written += (uint64_t)n;
	}
	return 0;
}

#ifdef SCR_HAVE_ZSTD
static int zstd_feed(struct core_sink *s, const void *data, size_t len,
		     ZSTD_EndDirective mode)
{
	ZSTD_inBuffer in = { data, len, 0 };
	size_t left;

	do {
		ZSTD_outBuffer out = { s->zout, s->zout_len, 0 };
		int e;

		left = ZSTD_compressStream2(s->zstd, &out, &in, mode);
		if (ZSTD_isError(left))
			return -EIO;
		e = raw_write(s, s->zout, out.pos, -1);
		if (e)
			return e;
	} while (mode == ZSTD_e_end ? left != 0 : in.pos < in.size);
	return 0;
}

static int zstd_open(struct core_sink *s, uint64_t total)
{
	s->zstd = ZSTD_createCCtx();
	s->zout_len = ZSTD_CStreamOutSize();
	s->zout = malloc(s->zout_len);
	if (!s->zstd || !s->zout)
		return -ENOMEM;
	/* The default level: about as fast as memory is read here, and
	 * what systemd-coredump stores. */
	if (ZSTD_isError(ZSTD_CCtx_setParameter(s->zstd,
						ZSTD_c_compressionLevel,
						ZSTD_CLEVEL_DEFAULT)) ||
	    ZSTD_isError(ZSTD_CCtx_setParameter(s->zstd, ZSTD_c_checksumFlag,
						1)) ||
	    ZSTD_isError(ZSTD_CCtx_setPledgedSrcSize(s->zstd, total)))
		return -EIO;
	return 0;
}

static void zstd_free(struct core_sink *s)
{
	ZSTD_freeCCtx(s->zstd);
	s->zstd = NULL;
}
#else
static int zstd_feed(struct core_sink *s, const void *data, size_t len,
		     int mode)
{
	(void)s, (void)data, (void)len, (void)mode;
	return -EOPNOTSUPP;
}

static int zstd_open(struct core_sink *s, uint64_t total)
{
	(void)s, (void)total;
	return -EOPNOTSUPP;
}

static void zstd_free(struct core_sink *s)
{
	(void)s;
}
#define ZSTD_e_continue 0
#define ZSTD_e_end 2
#endif

int scr__core_sink_open(struct core_sink *s, int fd, bool compress,
			uint64_t total)
{
	sigset_t pipe, pending;
	struct stat st;

	s->fd = fd;
	s->pos = s->written = 0;
	s->seekable = s->epipe = false;
	s->zstd = NULL;
	s->zout = NULL;
	sigemptyset(&pipe);
	sigaddset(&pipe, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &pipe, &s->old_mask);
	s->had_sigpipe = sigpending(&pending) == 0 &&
			 sigismember(&pending, SIGPIPE);
	s->socket = false;
	s->nb_fd = -1;
	if (fstat(fd, &st) == 0 && S_ISSOCK(st.st_mode)) {
		s->socket = true;
	} else if (fstat(fd, &st) == 0 && S_ISFIFO(st.st_mode)) {
		char path[64];

		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		s->nb_fd = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
	}
	if (compress)
		return zstd_open(s, total);
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
	    !(fcntl(fd, F_GETFL) & O_APPEND)) {
		off_t base = lseek(fd, 0, SEEK_CUR);

		/* Holes read as zeros only past the end of what the file
		 * held: the core replaces whatever was after the offset. */
		if (base >= 0 &&
		    (st.st_size <= base || ftruncate(fd, base) == 0)) {
			s->seekable = true;
			s->base = base;
		}
	}
	return 0;
}

int scr__core_sink_write(struct core_sink *s, const void *data, size_t len)
{
	int e;

	if (s->zstd)
		e = zstd_feed(s, data, len, ZSTD_e_continue);
	else
		e = raw_write(s, data, len,
			      s->seekable ? s->base + (off_t)s->pos : -1);
	if (!e)
		s->pos += len;
	return e;
}

int scr__core_sink_skip(struct core_sink *s, uint64_t len)
{
	if (s->seekable) {
		s->pos += len;
		return 0;
	}
	while (len) {
		size_t n = len < ZEROS ? (size_t)len : ZEROS;
		int e = scr__core_sink_write(s, zeros, n);

		if (e)
			return e;
		len -= n;
	}
	return 0;
}

int scr__core_sink_head(struct core_sink *s, const void *head, size_t len)
{
	return s->seekable ? raw_write(s, head, len, s->base) : 0;
}

int scr__core_sink_close(struct core_sink *s, bool ok)
{
	int e = 0;

	if (ok && s->zstd)
		e = zstd_feed(s, NULL, 0, ZSTD_e_end);
	zstd_free(s);
	free(s->zout);
	s->zout = NULL;
	if (ok && !e && s->seekable) {
		struct stat st;
		off_t end = s->base + (off_t)s->pos;

		/* A core that ends in a hole still has its length. */
		if (fstat(s->fd, &st) == 0 && st.st_size < end &&
		    ftruncate(s->fd, end))
			e = -errno;
		lseek(s->fd, end, SEEK_SET);
	}
	if (s->nb_fd >= 0)
		close(s->nb_fd);
	s->nb_fd = -1;
	if (s->epipe && !s->had_sigpipe) {
		sigset_t pipe;
		struct timespec now = { 0, 0 };

		sigemptyset(&pipe);
		sigaddset(&pipe, SIGPIPE);
		while (sigtimedwait(&pipe, NULL, &now) < 0 && errno == EINTR)
			;
	}
	pthread_sigmask(SIG_SETMASK, &s->old_mask, NULL);
	return e;
}
