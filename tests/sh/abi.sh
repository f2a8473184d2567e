#!/usr/bin/env bash
# The stable ABI: the shared library exports exactly the functions listed
# in lib/libscremote.symbols, under the version node and soname it should;
# the static library puts nothing outside the scr_ namespace; the public
# header compiles alone as C99, C11 and C++ (extern "C", checked by
# linking).
. "$SCREMOTE_TOP/tests/cli/lib.sh"

B=$SCREMOTE_BUILD TOP=$SCREMOTE_TOP
LIST=$TOP/lib/libscremote.symbols
SO=$(ls "$B"/libscremote.so.*.*.* 2>/dev/null | head -1)
LIBA=$B/libscremote.a

if ! command -v nm >/dev/null; then
	skip exports_match_list "nm not installed (binutils)"
elif [ -z "$SO" ]; then
	fail exports_match_list "no $B/libscremote.so.X.Y.Z"
else
	# Defined dynamic symbols: "ADDR TYPE NAME@@VERSION"; A is the
	# version node itself.
	nm -D --defined-only "$SO" >"$TMPD/nm"
	awk '$2 ~ /^[TWi]$/ { sub(/@.*/, "", $3); print $3 }' "$TMPD/nm" |
		LC_ALL=C sort >"$TMPD/exported"
	LC_ALL=C sort "$LIST" >"$TMPD/listed"
	extra=$(LC_ALL=C comm -23 "$TMPD/exported" "$TMPD/listed" | tr '\n' ' ')
	missing=$(LC_ALL=C comm -13 "$TMPD/exported" "$TMPD/listed" | tr '\n' ' ')
	if [ -n "$extra$missing" ]; then
		fail exports_match_list "exported but not in lib/libscremote.symbols: [${extra% }]; listed but not exported: [${missing% }] (an intended change updates the list)"
	else
		pass exports_match_list
	fi

	other=$(awk '$2 !~ /^[TWiA]$/ { print $3 }' "$TMPD/nm" | tr '\n' ' ')
	[ -z "$other" ] && pass exports_functions_only ||
		fail exports_functions_only "data or other symbols exported: ${other% }"

	unversioned=$(awk '$2 ~ /^[TWi]$/ && $3 !~ /@@LIBSCREMOTE_0$/ { print $3 }' \
		"$TMPD/nm" | tr '\n' ' ')
	[ -z "$unversioned" ] && pass exports_versioned ||
		fail exports_versioned "not under LIBSCREMOTE_0: ${unversioned% }"
fi

if ! command -v readelf >/dev/null; then
	skip soname "readelf not installed (binutils)"
elif [ -n "$SO" ]; then
	soname=$(readelf -d "$SO" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
	major=$(sed -n 's/^#define SCREMOTE_VERSION_MAJOR \([0-9]*\)/\1/p' \
		"$TOP/include/scremote.h")
	if [ "$soname" = "libscremote.so.$major" ] &&
	   [ "$(readlink "$B/libscremote.so.$major")" = "$(basename "$SO")" ] &&
	   [ "$(readlink "$B/libscremote.so")" = "libscremote.so.$major" ]; then
		pass soname
	else
		fail soname "SONAME '$soname', links $(readlink "$B/libscremote.so.$major") $(readlink "$B/libscremote.so")"
	fi
fi

# Internal functions are hidden in the shared library; in the static one
# they must at least stay in the library's namespace (scr_, scr__).
if command -v nm >/dev/null && [ -f "$LIBA" ]; then
	stray=$(nm -g --defined-only "$LIBA" 2>/dev/null |
		awk 'NF == 3 && $3 !~ /^(scr_|arch_|__)/ { print $3 }' |
		LC_ALL=C sort -u | tr '\n' ' ')
	[ -z "$stray" ] && pass static_lib_namespace ||
		fail static_lib_namespace "global names outside scr_/arch_: ${stray% }"
fi

# A user of the header: every declaration used, so that each is parsed.
cat >"$TMPD/use.h" <<'EOF'
#include <errno.h>
#include <scremote.h>
#include <scremote.h>	/* the include guard works */

static const char *use_everything(void)
{
	struct ptrace_sc_remote pscr = { { { 0, 0 }, 0 }, 39, 0, 0 };
	struct scr_proc *p = 0;
	struct ptrace_sc_ret ret;
	unsigned long a = 0;
	pid_t tids[1];
	char buf[1];
	const char *name, *detail;
	long long v;
	long nr = scr_syscall_nr(SCR_ABI_X86_64, "openat");

	if (scr_sc_remote(-1, &pscr) == 0 ||
	    scr_sc_remote_timed(-1, &pscr, SCR_DEFAULT_TIMEOUT_MS) == 0 ||
	    scr_attach(-1, 0, &p) == 0) {
		scr_syscall(p, 0, 39, &a, SCR_MAX_ARGS - 5, &ret);
		scr_set_timeout(p, 0);
		(void)scr_pid(p);
		(void)scr_threads(p, tids, 1);
		(void)scr_read(p, a, buf, 1);
		(void)scr_write(p, a, buf, 1);
		(void)scr_scratch_alloc(p, 1, &a);
		(void)scr_push(p, buf, 1, &a);
		scr_scratch_reset(p);
		(void)scr_abi_name(scr_abi(p));
		scr_detach(p);
	}
	if (!scr_syscall_name(SCR_ABI_I386, scr_syscall_next(SCR_ABI_I386, -1)) ||
	    scr_syscall_nargs(SCR_ABI_X86_64, nr) != 4 ||
	    scr_syscall_nreq(SCR_ABI_X86_64, nr) != 3)
		return "no signatures";
	if (scr_syscall_arg(SCR_ABI_X86_64, nr, SCR_RET, &name, &detail) !=
	    SCR_ARG_FD || scr_syscall_arg_ref(SCR_ABI_X86_64, nr, 0) != -ENOENT)
		return "wrong signature";
	if (scr_const(SCR_ABI_UNKNOWN, 0, &name, &v, &detail) != -EINVAL ||
	    scr_const_value(SCR_ABI_UNKNOWN, "O_RDONLY", &v) != -EINVAL)
		return "constants of no ABI";
	return SCREMOTE_VERSION_MAJOR + SCREMOTE_VERSION_MINOR +
	       SCREMOTE_VERSION_PATCH >= 0 ? scr_version() : SCREMOTE_VERSION;
}
EOF
cat >"$TMPD/use.c" <<'EOF'
#include <stdio.h>
#include <string.h>
#include "use.h"

int main(void)
{
	const char *v = use_everything();

	printf("%s\n", v);
	return strcmp(v, SCREMOTE_VERSION) != 0;
}
EOF
cp "$TMPD/use.c" "$TMPD/use.cc"

# The sanitizer build's library needs the sanitizer runtimes to link.
san=()
grep -q __asan_init "$LIBA" 2>/dev/null && san=(-fsanitize=address,undefined)

# header_case NAME COMPILER FLAGS... SOURCE: compile, link with the static
# library, run.
header_case() {
	local t=$1 comp=$2 src=${!#} out
	local flags=("${@:3:$#-3}")
	if ! command -v "$comp" >/dev/null; then
		skip "$t" "$comp not installed"
		return
	fi
	if ! out=$("$comp" "${flags[@]}" -pedantic -Wall -Wextra -Werror \
		"${san[@]}" -I"$TOP/include" -I"$TMPD" "$src" "$LIBA" \
		-o "$TMPD/$t" 2>&1); then
		fail "$t" "$(head -c 600 <<<"$out" | tr '\n' ' ')"
	elif ! out=$(timeout 10 "$TMPD/$t" 2>&1); then
		fail "$t" "runs, but says: $out"
	else
		pass "$t"
	fi
}
header_case header_c99 gcc -std=c99 "$TMPD/use.c"
header_case header_c11 gcc -std=c11 "$TMPD/use.c"
header_case header_gnu89_ansi gcc -std=gnu89 -Wno-long-long "$TMPD/use.c"
# C++ sees C linkage only through extern "C": without it the names would
# be mangled and the link against the C library would fail.
header_case header_cxx11 g++ -std=c++11 "$TMPD/use.cc"

finish
