/* scremote --list (list.h). */
#include <string.h>

#include "abi.h"
#include "emit.h"
#include "list.h"
#include "parse.h"

const char *kind_name(int kind)
{
	static const char *const names[] = {
		[SCR_ARG_INT] = "int", [SCR_ARG_FD] = "fd",
		[SCR_ARG_DIRFD] = "dirfd", [SCR_ARG_PATH] = "path",
		[SCR_ARG_STR] = "string", [SCR_ARG_FLAGS] = "flags",
		[SCR_ARG_ENUM] = "enum", [SCR_ARG_MODE] = "mode",
		[SCR_ARG_SIGNAL] = "signal", [SCR_ARG_PID] = "pid",
		[SCR_ARG_ADDR] = "addr", [SCR_ARG_SIZE] = "size",
		[SCR_ARG_COUNT] = "count", [SCR_ARG_IN] = "in",
		[SCR_ARG_OUT] = "out", [SCR_ARG_INOUT] = "inout",
		[SCR_ARG_STRV] = "strv", [SCR_ARG_PTR] = "ptr",
	};

	if (kind <= 0 || (size_t)kind >= sizeof(names) / sizeof(names[0]))
		return "unknown";
	return names[kind];
}

static void json_call(struct emit *e, const struct sys_call *c)
{
	const struct sys_sig *s = c->sig;

	emit_obj_begin(e);
	emit_key(e, "name");
	emit_sym(e, c->name);
	emit_key(e, "nr");
	emit_int(e, c->nr);
	if (!s) {
		emit_key(e, "args");
		emit_null(e);
		emit_obj_end(e);
		return;
	}
	emit_key(e, "required");
	emit_uint(e, s->nreq);
	emit_key(e, "args");
	emit_arr_begin(e);
	for (unsigned int i = 0; i < s->nargs; i++) {
		const struct sys_arg *a = &s->args[i];

		emit_obj_begin(e);
		emit_key(e, "name");
		emit_sym(e, a->name);
		emit_key(e, "type");
		emit_sym(e, a->type);
		emit_key(e, "kind");
		emit_sym(e, kind_name(a->kind));
		if (a->detail) {
			emit_key(e, "detail");
			emit_sym(e, a->detail);
		}
		if (a->ref >= 0) {
			emit_key(e, "ref");
			emit_int(e, a->ref);
		}
		emit_obj_end(e);
	}
	emit_arr_end(e);
	emit_key(e, "returns");
	emit_sym(e, kind_name(s->ret));
	emit_obj_end(e);
}

static void text_call(FILE *f, const struct sys_call *c)
{
	char proto[512];

	if (c->sig)
		call_prototype(c->sig, proto, sizeof(proto));
	else
		strcpy(proto, "(arguments unknown)");
	fprintf(f, "%-24s %4d %s\n", c->name, c->nr, proto);
}

int print_list(FILE *f, const struct sys_abi *abi, char *const *names,
	       size_t n, int json)
{
	struct emit e;

	/* Every name must be a call: a typo is said, not skipped. */
	for (size_t i = 0; i < n; i++) {
		const char *near;

		if (scr__call_by_name(abi, names[i], strlen(names[i])))
			continue;
		near = abi_suggest_sys(abi, names[i], strlen(names[i]));
		fprintf(stderr, "scremote: --list: no system call '%s' in %s%s%s%s\n",
			names[i], abi->name, near ? " (did you mean '" : "",
			near ? near : "", near ? "'?)" : "");
		if (json) {
			emit_init(&e, f, 1);
			emit_obj_begin(&e);
			emit_key(&e, "error");
			emit_sym(&e, "usage");
			emit_key(&e, "message");
			emit_sym(&e, "no such system call");
			emit_key(&e, "text");
			emit_sym(&e, names[i]);
			if (near) {
				emit_key(&e, "suggestion");
				emit_sym(&e, near);
			}
			emit_obj_end(&e);
			fputc('\n', f);
		}
		return 2;
	}
	if (json) {
		emit_init(&e, f, 1);
		emit_obj_begin(&e);
		emit_key(&e, "abi");
		emit_sym(&e, abi->name);
		emit_key(&e, "calls");
		emit_arr_begin(&e);
	} else if (!n) {
		fprintf(f, "# %s: %zu system calls\n", abi->name, abi->ncalls);
	}
	for (size_t i = 0; i < abi->ncalls; i++) {
		const struct sys_call *c = &abi->calls[abi->bynr[i]];
		int wanted = !n;

		for (size_t k = 0; k < n && !wanted; k++)
			wanted = !strcmp(names[k], c->name);
		if (!wanted)
			continue;
		if (json)
			json_call(&e, c);
		else
			text_call(f, c);
	}
	if (json) {
		emit_arr_end(&e);
		emit_obj_end(&e);
		fputc('\n', f);
	}
	return 0;
}
