#!/usr/bin/env bash
# Prints the path of an amd64 kernel for the qemu tests of i386 targets
# (this project's own machines cannot execute 32-bit programs, Debian's
# amd64 kernel under qemu can): Debian's current linux-image-amd64,
# resolved through the metapackage, downloaded once into the cache
# directory $1.  Without apt data, the newest one in the cache is used.
set -euo pipefail
cache=${1:?cache directory}
mkdir -p "$cache"
pkg=$(apt-cache depends linux-image-amd64 2>/dev/null |
	sed -n 's/^ *Depends: \(linux-image-[^ ]*\)$/\1/p' | head -1)
ver=
[ -n "$pkg" ] && ver=$(apt-cache show --no-all-versions "$pkg" 2>/dev/null |
	sed -n 's/^Version: //p' | head -1)
if [ -z "$ver" ]; then
	old=$(ls -t "$cache"/x86_64-bzImage-* 2>/dev/null | head -1 || true)
	[ -n "$old" ] || { echo "kernel-x86_64: no linux-image-amd64 in apt (apt-get update)" >&2; exit 1; }
	echo "kernel-x86_64: apt knows no amd64 kernel, using $old" >&2
	echo "$old"
	exit 0
fi
out="$cache/x86_64-bzImage-${pkg%%:*}_$ver"
if [ ! -s "$out" ]; then
	work=$(mktemp -d "$cache/x86_64-dl.XXXXXX")
	trap 'rm -rf "$work"' EXIT
	chmod 755 "$work"
	echo "kernel-x86_64: downloading $pkg $ver" >&2
	(cd "$work" && apt-get download -q "$pkg=$ver" >&2)
	dpkg-deb --fsys-tarfile "$work"/*.deb | tar -x -C "$work" ./boot
	cp "$work"/boot/vmlinuz-* "$out.tmp"
	mv "$out.tmp" "$out"
fi
echo "$out"
