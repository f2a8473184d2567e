/* The table of verbs; main() dispatches through it. */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "verbs.h"

const struct verb verbs[] = {
	{ "fds", cmd_fds, "list descriptors: type, flags, offset, "
			  "path or socket endpoints" },
	{ "redirect", cmd_redirect, "point descriptors at a file; "
				    "--undo puts the originals back" },
	{ "free-deleted", cmd_free_deleted, "give back the space of "
					    "deleted files still held open" },
	{ "cd", cmd_cd, "change the working directory" },
	{ "sockopt", cmd_sockopt, "read and set socket options "
				  "(keepalive, nodelay, buffers)" },
	{ "core", cmd_core, "write a core file, as gcore does; --snapshot "
			    "stops it only for a fork" },
	{ NULL, NULL, NULL }
};

const struct verb *verb_find(const char *name)
{
	for (const struct verb *v = verbs; v->name; v++)
		if (strcmp(v->name, name) == 0)
			return v;
	return NULL;
}

/* Options of the system call form that take the next word as value. */
static int takes_value(const char *w)
{
	return strcmp(w, "-t") == 0 || strcmp(w, "--tid") == 0 ||
	       strcmp(w, "--timeout") == 0 || strcmp(w, "-e") == 0;
}

int verb_dispatch(int argc, char **argv, int *rc)
{
	const struct verb *v = argc > 1 ? verb_find(argv[1]) : NULL;

	if (v) {
		*rc = v->fn(argc - 1, argv + 1);
		return 1;
	}
	/* "scremote --json fds 1": the first word that is not an option
	 * (nor an option's value) names a verb. */
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			break;
		if (argv[i][0] == '-') {
			if (takes_value(argv[i]))
				i++;
			continue;
		}
		v = verb_find(argv[i]);
		if (v) {
			fprintf(stderr, "scremote: options go after the verb: "
				"scremote %s %s ... (see scremote %s --help)\n",
				v->name, argv[1], v->name);
			*rc = 2;
			return 1;
		}
		break;
	}
	return 0;
}

void verbs_usage(FILE *f)
{
	fputs("\nVerbs (scremote VERB --help for each):\n", f);
	for (const struct verb *v = verbs; v->name; v++)
		fprintf(f, "  %-14s %s\n", v->name, v->summary);
}
