/* Calls from a file, a line at a time (script.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "script.h"

/* Standard input, kept in an unlinked file so that it can be read
 * twice (a pipe cannot be rewound). */
static FILE *spool_stdin(void)
{
	const char *dir = getenv("TMPDIR");
	char buf[65536];
	ssize_t n;
	int fd = open(dir && *dir ? dir : "/tmp", O_TMPFILE | O_RDWR | O_CLOEXEC,
		      0600);
	FILE *f;

	if (fd < 0)
		return NULL;
	while ((n = read(STDIN_FILENO, buf, sizeof(buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || write(fd, buf, (size_t)n) != n) {
			int e = errno;

			close(fd);
			errno = e;
			return NULL;
		}
	}
	f = fdopen(fd, "r");
	if (!f) {
		close(fd);
		return NULL;
	}
	rewind(f);
	return f;
}

int script_open(struct script *s, const char *path)
{
	memset(s, 0, sizeof(*s));
	if (strcmp(path, "-") == 0) {
		s->f = spool_stdin();
		s->name = "standard input";
	} else {
		s->f = fopen(path, "re");
		s->name = path;
	}
	return s->f ? 0 : -1;
}

/* Cuts a "# comment" at the end of a line: a '#' after a space,
 * outside a string, and not a call by number (#39). */
static void cut_comment(char *l)
{
	int in_str = 0;

	for (char *p = l; *p; p++) {
		if (in_str) {
			if (*p == '\\' && p[1])
				p++;
			else if (*p == '"')
				in_str = 0;
			continue;
		}
		if (*p == '"')
			in_str = 1;
		else if (*p == '#' && (p == l || p[-1] == ' ' || p[-1] == '\t') &&
			 !(p[1] >= '0' && p[1] <= '9')) {
			*p = '\0';
			return;
		}
	}
}

const char *script_next(struct script *s)
{
	ssize_t n;

	errno = 0;
	while ((n = getline(&s->buf, &s->cap, s->f)) >= 0) {
		char *l = s->buf, *e;

		s->line++;
		if ((size_t)n != strlen(l)) {
			errno = EILSEQ;	/* a NUL byte: not text */
			return NULL;
		}
		cut_comment(l);
		while (*l == ' ' || *l == '\t')
			l++;
		e = l + strlen(l);
		while (e > l && (e[-1] == '\n' || e[-1] == '\r' || e[-1] == ' ' ||
				 e[-1] == '\t'))
			*--e = '\0';
		if (*l)
			return l;
	}
	if (ferror(s->f) && !errno)
		errno = EIO;
	return NULL;
}

int script_rewind(struct script *s)
{
	s->line = 0;
	clearerr(s->f);
	return fseek(s->f, 0, SEEK_SET);
}

void script_close(struct script *s)
{
	if (s->f)
		fclose(s->f);
	free(s->buf);
	memset(s, 0, sizeof(*s));
}
