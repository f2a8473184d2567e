/* Open flags decoded; the names and values are the host's. */
#include <fcntl.h>

#include "fdflags.h"

struct flagname {
	unsigned int bit;
	const char *name;
};

/* O_SYNC contains O_DSYNC and O_TMPFILE O_DIRECTORY: the wider first. */
static const struct flagname names[] = {
	{ O_SYNC, "O_SYNC" }, { O_DSYNC, "O_DSYNC" },
	{ O_TMPFILE, "O_TMPFILE" }, { O_DIRECTORY, "O_DIRECTORY" },
	{ O_APPEND, "O_APPEND" }, { O_NONBLOCK, "O_NONBLOCK" },
	{ O_ASYNC, "O_ASYNC" }, { O_DIRECT, "O_DIRECT" },
	{ O_NOATIME, "O_NOATIME" }, { O_NOFOLLOW, "O_NOFOLLOW" },
	{ O_CLOEXEC, "O_CLOEXEC" },
};

int fdflags_accmode(unsigned int flags)
{
	if (flags & O_PATH)
		return -1;
	return (int)(flags & O_ACCMODE);
}

void fdflags_text(struct sb *b, unsigned int flags)
{
	static const char *const acc[] = { "O_RDONLY", "O_WRONLY", "O_RDWR",
					   "O_ACCMODE" };
	unsigned int left = flags;

	if (flags & O_PATH) {
		sb_addf(b, "O_PATH");
		left &= ~(unsigned int)O_PATH;
	} else {
		sb_addf(b, "%s", acc[flags & O_ACCMODE]);
	}
	left &= ~(unsigned int)O_ACCMODE;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].bit && (left & names[i].bit) == names[i].bit) {
			sb_addf(b, "|%s", names[i].name);
			left &= ~names[i].bit;
		}
	if (kernel_o_largefile && (left & kernel_o_largefile)) {
		sb_addf(b, "|O_LARGEFILE");
		left &= ~kernel_o_largefile;
	}
	if (left)
		sb_addf(b, "|%#o", left);
}
