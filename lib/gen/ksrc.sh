#!/bin/sh
# Copies the few kernel source files the system call tables are made from
# into DIR (a cache in the build tree), once per kernel source:
#
#   ksrc.sh DIR
#
# The source is KSRC when set (a kernel tree, e.g. a git checkout), else
# the newest Debian linux-source tarball in /usr/src.  Taking one file out
# of the xz tarball means decompressing all of it (about ten seconds), so
# the files are kept in DIR with a stamp naming where they came from, and
# taken again only when that changes.
set -eu
[ $# -eq 1 ] || { echo "usage: $0 DIR" >&2; exit 2; }
dir=$1

# Everything the generator reads: the prototypes, and the number tables
# of each ABI (x86's .tbl files; asm-generic's unistd.h for aarch64 and
# riscv64, through their own uapi headers).
files='include/linux/syscalls.h
arch/x86/entry/syscalls/syscall_64.tbl
arch/x86/entry/syscalls/syscall_32.tbl
include/uapi/asm-generic/unistd.h
arch/arm64/include/uapi/asm/unistd.h
arch/riscv/include/uapi/asm/unistd.h'

if [ -n "${KSRC:-}" ]; then
	src=$KSRC
	[ -f "$src/include/linux/syscalls.h" ] || {
		echo "$0: KSRC=$src has no include/linux/syscalls.h: point it at a Linux source tree" >&2
		exit 1
	}
	stamp="tree $(cd "$src" && pwd)"
else
	src=$(ls /usr/src/linux-source-*.tar.xz 2>/dev/null | sort -V | tail -1)
	[ -n "$src" ] || {
		echo "$0: the system call tables are generated from the kernel's own prototypes, and no kernel source was found." >&2
		echo "$0: install it (Debian: apt-get install linux-source), or set KSRC to a Linux source tree." >&2
		exit 1
	}
	stamp="tar $src $(stat -c '%s %Y' "$src")"
fi
if [ -f "$dir/stamp" ] && [ "$(cat "$dir/stamp")" = "$stamp" ]; then
	exit 0
fi

rm -rf "$dir.tmp"
mkdir -p "$dir.tmp"
if [ -n "${KSRC:-}" ]; then
	for f in $files; do
		mkdir -p "$dir.tmp/$(dirname "$f")"
		cp "$src/$f" "$dir.tmp/$f"
	done
else
	top=$(basename "$src" .tar.xz)
	echo "ksrc: taking the system call prototypes and tables from $src" >&2
	# shellcheck disable=SC2086
	tar -C "$dir.tmp" -xJf "$src" --strip-components=1 \
		$(for f in $files; do echo "$top/$f"; done)
fi
for f in $files; do
	[ -s "$dir.tmp/$f" ] || { echo "$0: $f missing from $src" >&2; exit 1; }
done
echo "$stamp" >"$dir.tmp/stamp"
rm -rf "$dir"
mv "$dir.tmp" "$dir"
