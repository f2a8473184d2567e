/*
 * scremote cd PID DIR: chdir(DIR) inside the process.  DIR is what it
 * means at the user's shell (relative to scremote's own directory); it
 * is checked before anything is attached when the process sees the same
 * file system tree as scremote.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "procfd.h"
#include "target.h"
#include "verbs.h"

static const char usage[] =
"usage: scremote cd PID DIR\n"
"\n"
"Change the working directory of the process (chdir inside it), e.g. to\n"
"let go of a file system that must be unmounted.  A relative DIR is taken\n"
"from the directory scremote runs in, as the shell would.  Prints the\n"
"directory before and after.\n";

struct cd_job {
	char *dir;
};

static int check_dir(struct target *t, const char *dir)
{
	struct stat st;

	if (stat(dir, &st) < 0) {
		t_err(t, VEXIT_USAGE, "%s: %s; nothing was done", dir,
		      strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		t_err(t, VEXIT_USAGE, "%s is not a directory; nothing was "
		      "done", dir);
		return -1;
	}
	return 0;
}

static void show_dir(struct sb *b, const char *d)
{
	if (d)
		sb_add_safe(b, d);
	else
		sb_addf(b, "?");
}

static int cd_act(struct target *t, void *data)
{
	const struct cd_job *j = data;
	char *before = proc_link(t->pid, "cwd"), *after, *q;
	unsigned long addr;
	long r;
	int rc;

	if (!before && errno == ENOENT) {
		t_err(t, VEXIT_NORUN, "no process %d (check the PID with ps "
		      "or pgrep)", (int)t->pid);
		return VEXIT_NORUN;
	}
	if (same_fs_view(t->pid) && check_dir(t, j->dir) < 0) {
		free(before);
		return VEXIT_USAGE;
	}
	rc = t_attach(t);
	if (rc) {
		free(before);
		return rc;
	}
	if (t_push(t, j->dir, strlen(j->dir) + 1, &addr) < 0) {
		t_err(t, VEXIT_NORUN, "cannot place the path in the process's "
		      "memory");
		free(before);
		return VEXIT_NORUN;
	}
	q = c_string(j->dir);
	r = t_call(t, "chdir", &addr, 1, "%s", q);
	free(q);
	t_detach(t);
	after = proc_link(t->pid, "cwd");
	if (t->o->json) {
		fputs(",\"from\":", t->json);
		put_json_str(t->json, before ? before : "");
		fputs(",\"to\":", t->json);
		put_json_str(t->json, after ? after : "");
	}
	if (r == T_UNRUN) {
		rc = VEXIT_NORUN;
	} else if (r < 0) {
		t_err(t, VEXIT_FAILED, "chdir(\"%s\") failed in the process: "
		      "%s; its directory is unchanged", j->dir,
		      strerror((int)-r));
		rc = VEXIT_FAILED;
	} else if (!t->o->dry_run) {
		struct sb b = { 0 };

		sb_addf(&b, "cwd ");
		show_dir(&b, before);
		sb_addf(&b, " -> ");
		show_dir(&b, after);
		t_out(t, "%s", b.s);
		sb_free(&b);
	}
	free(before);
	free(after);
	return rc;
}

int cmd_cd(int argc, char **argv)
{
	struct cd_job j = { 0 };
	struct vparse vp = { "cd", usage, NULL, NULL, NULL };
	struct vopts o;
	struct pidlist l;
	int npos, rc;
	char **pos = verb_args(argc, argv, &vp, &o, &npos, &l, &rc);

	if (!pos)
		return rc;
	if (npos != 1) {
		verb_complain("cd", npos ? "one directory only, got '%s' too" :
			      "missing DIR (scremote cd PID DIR)",
			      npos > 1 ? pos[1] : "");
		rc = VEXIT_USAGE;
	} else if (!*pos[0]) {
		verb_complain("cd", "the directory is an empty string");
		rc = VEXIT_USAGE;
	} else {
		j.dir = absolute_path(pos[0]);
		rc = verb_each(&o, &l, cd_act, &j);
		free(j.dir);
	}
	pids_free(&l);
	free(pos);
	return rc;
}
