#!/usr/bin/env bash
# make install into a temporary DESTDIR: the files a package would hold,
# a program built with nothing but pkg-config against the installed copy
# and run against a live process, the installed scremote, its manual
# pages and its bash completion; then make uninstall leaves nothing.
. "$SCREMOTE_TOP/tests/cli/lib.sh"

B=$SCREMOTE_BUILD TOP=$SCREMOTE_TOP
PREFIX=/usr/local
D=$TMPD/stage
P=$D$PREFIX
VERSION=$(sed -n 's/^#define SCREMOTE_VERSION "\(.*\)"/\1/p' "$TOP/include/scremote.h")
MAJOR=${VERSION%%.*}

if [ ! -f "$B/libscremote.so.$VERSION" ]; then
	fail install "$B/libscremote.so.$VERSION not built"
	exit 1
fi
# The sanitizer pass builds the same sources: installing its library would
# only test that a program cannot load it without the ASan runtime.
if grep -q __asan_init "$B/libscremote.so.$VERSION" 2>/dev/null; then
	skip install "sanitizer build ($(basename "$B")); installing is tested in the plain build"
	exit 0
fi

# make in the top directory, on the build directory we were given.
build_rel=${B#"$TOP"/}
mk() { timeout 120 make --no-print-directory -s -C "$TOP" BUILD="$build_rel" "$@"; }

if ! out=$(mk install PREFIX="$PREFIX" DESTDIR="$D" 2>&1); then
	fail install "make install: $(tail -c 600 <<<"$out" | tr '\n' ' ')"
	exit 1
fi
pass install

# Every file a package needs, and the shared library's soname links.
t=installed_files
missing=''
for f in bin/scremote include/scremote.h lib/libscremote.a \
	lib/libscremote.so.$VERSION lib/pkgconfig/libscremote.pc \
	share/man/man1/scremote.1 share/man/man3/libscremote.3 \
	share/bash-completion/completions/scremote; do
	[ -f "$P/$f" ] || missing+="$f "
done
while read -r fn; do
	[ -e "$P/share/man/man3/$fn.3" ] || missing+="man3/$fn.3 "
done <"$TOP/lib/libscremote.symbols"
if [ -n "$missing" ]; then
	fail $t "missing: $missing"
elif [ "$(readlink "$P/lib/libscremote.so.$MAJOR")" != "libscremote.so.$VERSION" ] ||
     [ "$(readlink "$P/lib/libscremote.so")" != "libscremote.so.$MAJOR" ]; then
	fail $t "soname links: $(ls -l "$P"/lib/libscremote.so* | tr '\n' ' ')"
elif command -v readelf >/dev/null &&
     ! readelf -d "$P/lib/libscremote.so.$VERSION" | grep -q "SONAME.*\[libscremote.so.$MAJOR\]"; then
	fail $t "SONAME is not libscremote.so.$MAJOR"
elif ! cmp -s "$TOP/include/scremote.h" "$P/include/scremote.h"; then
	fail $t "installed header differs"
elif [ -n "$(find "$D" -type f -perm /022)" ]; then
	fail $t "group/other-writable: $(find "$D" -type f -perm /022)"
else
	pass $t
fi

# A client built with pkg-config only.
cat >"$TMPD/client.c" <<'EOF'
/* client PID DIR: changes the working directory of process PID. */
#include <scremote.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>

int main(int argc, char **argv)
{
	struct scr_proc *p;
	struct ptrace_sc_ret ret;
	unsigned long path;
	int e;

	if (argc != 3)
		return 2;
	e = scr_attach((pid_t)atoi(argv[1]), 0, &p);
	if (e) {
		fprintf(stderr, "attach: %s\n", strerror(-e));
		return 3;
	}
	e = scr_push(p, argv[2], strlen(argv[2]) + 1, &path);
	if (!e)
		e = scr_syscall(p, 0, SYS_chdir, &path, 1, &ret);
	scr_detach(p);
	if (e) {
		fprintf(stderr, "chdir not run: %s\n", strerror(-e));
		return 3;
	}
	printf("libscremote %s: chdir = %ld %d\n", scr_version(),
	       ret.sr_retval[0], ret.sr_error);
	return ret.sr_error ? 1 : 0;
}
EOF
export PKG_CONFIG_LIBDIR=$P/lib/pkgconfig PKG_CONFIG_PATH='' \
	PKG_CONFIG_SYSROOT_DIR=$D
t=pkg_config
if ! command -v pkg-config >/dev/null; then
	skip $t "pkg-config not installed"
else
	flags=$(pkg-config --cflags --libs libscremote 2>&1)
	mv=$(pkg-config --modversion libscremote 2>&1)
	if [ "$mv" != "$VERSION" ]; then
		fail $t "modversion '$mv', expected $VERSION"
	elif [[ " $flags " != *" -I$P/include "* ||
		" $flags " != *" -L$P/lib "* || " $flags " != *" -lscremote "* ]]; then
		fail $t "flags: $flags"
	else
		pass $t
	fi

	(cd / && exec sleep 300) & T=$!; track "$T"
	wait_until 5 '[ "$(readlink /proc/$T/cwd)" = / ]'
	t=client_shared
	# shellcheck disable=SC2046
	if ! out=$(gcc -Wall -Wextra -Werror "$TMPD/client.c" -o "$TMPD/client" \
		$(pkg-config --cflags --libs libscremote) 2>&1); then
		fail $t "build: $out"
	elif ! LD_LIBRARY_PATH=$P/lib ldd "$TMPD/client" |
		grep -q "libscremote.so.$MAJOR => $P/lib/"; then
		fail $t "not linked to the installed libscremote.so.$MAJOR: $(LD_LIBRARY_PATH=$P/lib ldd "$TMPD/client" | tr '\n' ' ')"
	else
		out=$(LD_LIBRARY_PATH=$P/lib timeout 20 "$TMPD/client" "$T" "$TMPD" 2>&1)
		rc=$?
		if [ $rc -ne 0 ] || [ "$out" != "libscremote $VERSION: chdir = 0 0" ]; then
			fail $t "rc $rc: $out"
		elif [ "$(readlink "/proc/$T/cwd")" != "$TMPD" ]; then
			fail $t "cwd is $(readlink "/proc/$T/cwd")"
		elif ! released "$T"; then
			fail $t "target not released"
		else
			pass $t
		fi
	fi

	# The same program, static: the installed archive is complete.
	t=client_static
	libdir=$(pkg-config --variable=libdir libscremote)
	[[ $libdir == "$D"/* ]] || libdir=$D$libdir	# sysroot not applied
	if ! out=$(gcc -Wall -Wextra -Werror "$TMPD/client.c" -o "$TMPD/client-static" \
		$(pkg-config --cflags libscremote) "$libdir/libscremote.a" 2>&1); then
		fail $t "build: $out"
	else
		out=$(timeout 20 "$TMPD/client-static" "$T" / 2>&1)
		rc=$?
		if [ $rc -ne 0 ] || [ "$(readlink "/proc/$T/cwd")" != / ]; then
			fail $t "rc $rc, cwd $(readlink "/proc/$T/cwd"): $out"
		else
			pass $t
		fi
	fi
fi

# The installed CLI finds the installed library (it links it statically)
# and works on a live process.
t=installed_cli
sleep 300 & S=$!; track "$S"
out=$(timeout 20 "$P/bin/scremote" "$S" getpid 2>&1)
ver=$("$P/bin/scremote" --version 2>&1)
if [ "$out" != "getpid() = $S" ]; then
	fail $t "scremote $S getpid: $out"
elif [ "$ver" != "scremote $VERSION (libscremote $VERSION)" ]; then
	fail $t "--version: $ver"
else
	pass $t
fi

# man finds every page by name, links included.
t=installed_man
if ! command -v man >/dev/null; then
	skip $t "man not installed"
else
	bad=''
	for name in scremote.1 $(sed 's/$/.3/' "$TOP/lib/libscremote.symbols") libscremote.3; do
		sec=${name##*.} n=${name%.*}
		out=$(MANWIDTH=80 timeout 20 man -M "$P/share/man" "$sec" "$n" 2>/dev/null | sed "s/.\x08//g")
		grep -qw "$n" <<<"$out" || bad+="$name "
	done
	[ -z "$bad" ] && pass $t || fail $t "man -M cannot show: $bad"
fi

# The bash completion, driven as bash would drive it.
# complete_words WORD...: the words of the line, the last being completed.
complete_words() {
	P=$P bash -c '
		. "$P/share/bash-completion/completions/scremote" || exit 1
		COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
		_scremote "${COMP_WORDS[0]}" "${COMP_WORDS[COMP_CWORD]}" \
			"${COMP_WORDS[COMP_CWORD - 1]}"
		printf "%s\n" "${COMPREPLY[@]}"' bash "$@"
}
t=completion
has() { grep -qx -- "$1" <<<"$2"; }
r1=$(complete_words "$P/bin/scremote" "$S" ope)
r2=$(complete_words "$P/bin/scremote" "$S" openat AT_FDCWD x O_CRE)
r3=$(complete_words "$P/bin/scremote" "$S" openat AT_FDCWD x 'O_WRONLY|O_CRE')
r4=$(complete_words "$P/bin/scremote" "$S" -e getp)
r5=$(complete_words "$P/bin/scremote" --js)
r6=$(complete_words "$P/bin/scremote" "${S:0:2}")
r7=$(complete_words "$P/bin/scremote" --timeout 100 -t "$S" "$S" clo)
r8=$(complete_words "$P/bin/scremote" "$S" -t "")
# Each argument offers the constants of the family it takes.
r9=$(complete_words "$P/bin/scremote" "$S" lseek 3 0 SEEK_)
r10=$(complete_words "$P/bin/scremote" "$S" openat AT_FDCWD x SEE)
r11=$(complete_words "$P/bin/scremote" "$S" kill "$S" SIGTE)
r12=$(complete_words "$P/bin/scremote" --list ope)
if ! has openat "$r1" || has close "$r1"; then
	fail $t "syscall names for 'ope': $r1"
elif ! has O_CREAT "$r2"; then
	fail $t "constants for O_CRE: $r2"
elif ! has 'O_WRONLY|O_CREAT' "$r3"; then
	fail $t "constants after '|': $r3"
elif ! has getpid "$r4" || ! has getppid "$r4"; then
	fail $t "syscall names after -e: $r4"
elif [ "$r5" != --json ]; then
	fail $t "options: $r5"
elif ! grep -qE "^$S( |\$)" <<<"$r6"; then
	# (Several candidates show their names: "1234  (sleep)".)
	fail $t "process ids: $S not offered ($(grep -c . <<<"$r6") candidates: $(head -c 300 <<<"$r6" | tr '\n' ' '))"
elif ! has close "$r7"; then
	fail $t "syscall names after options: $r7"
elif [ "$r8" != "$S" ]; then
	fail $t "thread ids of $S: $r8"
elif ! has SEEK_END "$r9" || [ -n "$r10" ] || [ "$r11" != SIGTERM ]; then
	fail $t "families: lseek's whence [$r9], openat's flags for SEE [$r10], kill's signal [$r11]"
elif ! has openat "$r12"; then
	fail $t "--list names: $r12"
else
	pass $t
fi

# A different prefix reaches the pkg-config file.
t=pkg_config_prefix
D2=$TMPD/stage2
if out=$(mk install PREFIX=/opt/scr DESTDIR="$D2" 2>&1) &&
   grep -qx 'prefix=/opt/scr' "$D2/opt/scr/lib/pkgconfig/libscremote.pc" &&
   grep -qx 'libdir=/opt/scr/lib' "$D2/opt/scr/lib/pkgconfig/libscremote.pc" &&
   grep -qx 'includedir=/opt/scr/include' "$D2/opt/scr/lib/pkgconfig/libscremote.pc"; then
	pass $t
else
	fail $t "$out $(cat "$D2/opt/scr/lib/pkgconfig/libscremote.pc" 2>&1 | tr '\n' ' ')"
fi
mk uninstall PREFIX=/opt/scr DESTDIR="$D2" >/dev/null 2>&1

# make uninstall removes every file and link it installed; directories
# (which may be shared with other packages) stay.  Something of someone
# else's in the same directories is left alone.
t=uninstall
touch "$P/lib/other.so" "$P/share/man/man3/other.3"
if ! out=$(mk uninstall PREFIX="$PREFIX" DESTDIR="$D" 2>&1); then
	fail $t "make uninstall: $out"
else
	left=$(cd "$D" && find . ! -type d | sort | tr '\n' ' ')
	left2=$(cd "$D2" && find . ! -type d | tr '\n' ' ')
	if [ "$left" != "./usr/local/lib/other.so ./usr/local/share/man/man3/other.3 " ]; then
		fail $t "left behind or removed too much: $left"
	elif [ -n "$left2" ]; then
		fail $t "left behind under /opt/scr: $left2"
	else
		pass $t
	fi
fi

finish
