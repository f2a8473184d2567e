/*
 * Table tests of the verbs' helpers: open flags decoded, descriptor and
 * PID lists parsed (bad ones refused with a message), sizes shown.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fdflags.h"
#include "pids.h"
#include "target.h"

static int failed;

static void check(const char *name, const char *got, const char *want)
{
	if (strcmp(got, want) == 0) {
		printf("PASS %s\n", name);
	} else {
		printf("FAIL %s: got [%s], want [%s]\n", name, got, want);
		failed = 1;
	}
}

static void flags_cases(void)
{
	static const struct {
		const char *name;
		unsigned int flags;
		const char *want;
	} c[] = {
		{ "flags_rdonly", O_RDONLY, "O_RDONLY" },
		{ "flags_wronly_append", O_WRONLY | O_APPEND,
		  "O_WRONLY|O_APPEND" },
		{ "flags_rdwr_nonblock_cloexec", O_RDWR | O_NONBLOCK | O_CLOEXEC,
		  "O_RDWR|O_NONBLOCK|O_CLOEXEC" },
		{ "flags_sync_not_dsync_twice", O_WRONLY | O_SYNC,
		  "O_WRONLY|O_SYNC" },
		{ "flags_dsync", O_WRONLY | O_DSYNC, "O_WRONLY|O_DSYNC" },
		{ "flags_directory", O_RDONLY | O_DIRECTORY,
		  "O_RDONLY|O_DIRECTORY" },
		{ "flags_path", O_PATH | O_CLOEXEC, "O_PATH|O_CLOEXEC" },
	};
	char name[64];

	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		struct sb b = { 0 };

		fdflags_text(&b, c[i].flags);
		check(c[i].name, b.s, c[i].want);
		sb_free(&b);
	}
	/* The kernel's O_LARGEFILE, which glibc calls 0 here. */
	{
		struct sb b = { 0 };

		fdflags_text(&b, O_WRONLY | kernel_o_largefile);
		check("flags_largefile", b.s, "O_WRONLY|O_LARGEFILE");
		sb_free(&b);
	}
	/* Unknown bits stay visible, in octal. */
	{
		struct sb b = { 0 };

		fdflags_text(&b, O_RDONLY | 010000000000u);
		snprintf(name, sizeof(name), "O_RDONLY|%#o", 010000000000u);
		check("flags_unknown_bits", b.s, name);
		sb_free(&b);
	}
}

static void fd_list_cases(void)
{
	static const struct {
		const char *name, *text;
		int ok;
		const char *want;
	} c[] = {
		{ "fds_one", "3", 1, "3" },
		{ "fds_list", "1,2,10", 1, "1,2,10" },
		{ "fds_leading_zero", "007", 1, "7" },
		{ "fds_empty", "", 0, NULL },
		{ "fds_trailing_comma", "1,", 0, NULL },
		{ "fds_double_comma", "1,,2", 0, NULL },
		{ "fds_negative", "-1", 0, NULL },
		{ "fds_letters", "1,x", 0, NULL },
		{ "fds_twice", "1,2,1", 0, NULL },
		{ "fds_too_big", "99999999999", 0, NULL },
		{ "fds_space", "1, 2", 0, NULL },
	};

	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		int fds[8];
		size_t n = 0;
		int r = parse_fds("test", c[i].text, fds, 8, &n);
		struct sb b = { 0 };

		if (r == 0)
			for (size_t k = 0; k < n; k++)
				sb_addf(&b, "%s%d", k ? "," : "", fds[k]);
		else
			sb_addf(&b, "refused");
		check(c[i].name, b.s, c[i].ok ? c[i].want : "refused");
		sb_free(&b);
	}
	{
		int fds[2];
		size_t n;

		check("fds_at_most", parse_fds("test", "1,2,3", fds, 2, &n) ?
		      "refused" : "taken", "refused");
	}
}

static void pid_list_cases(void)
{
	static const struct {
		const char *name, *text, *want;
	} c[] = {
		{ "pids_one", "1", "1" },
		{ "pids_order_kept", "30,1,20", "30,1,20" },
		{ "pids_repeats_dropped", "5,1,5", "5,1" },
		{ "pids_zero", "0", "2" },
		{ "pids_bad", "12x", "2" },
		{ "pids_empty_item", "1,,2", "2" },
		{ "pids_trailing", "1,", "2" },
		{ "pids_huge", "99999999999", "2" },
	};
	char self[64];

	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		struct pidlist l;
		struct sb b = { 0 };
		int r = pids_resolve(c[i].text, NULL, NULL, &l);

		if (r)
			sb_addf(&b, "%d", r);
		for (size_t k = 0; !r && k < l.n; k++)
			sb_addf(&b, "%s%d", k ? "," : "", (int)l.v[k]);
		check(c[i].name, b.s, c[i].want);
		sb_free(&b);
		if (!r)
			pids_free(&l);
	}
	/* scremote itself is never a target. */
	snprintf(self, sizeof(self), "1,%d", (int)getpid());
	{
		struct pidlist l;
		int r = pids_resolve(self, NULL, NULL, &l);

		check("pids_self_refused", r == 2 ? "2" : "taken", "2");
		if (!r)
			pids_free(&l);
	}
}

static void size_cases(void)
{
	char buf[32];

	check("size_bytes", human_size(512, buf, sizeof(buf)), "512 bytes");
	check("size_kib", human_size(100000, buf, sizeof(buf)), "97.7 KiB");
	check("size_mib", human_size(8ULL << 20, buf, sizeof(buf)), "8.0 MiB");
	check("size_gib", human_size(3ULL << 30, buf, sizeof(buf)), "3.0 GiB");
}

int main(void)
{
	/* The refusals explain themselves on stderr; the lines here count. */
	if (!freopen("/dev/null", "w", stderr))
		return 1;
	flags_cases();
	fd_list_cases();
	pid_list_cases();
	size_cases();
	return failed;
}
