#!/usr/bin/env bash
# Prints the path of an arm64 kernel Image for the qemu tests: Debian's
# current linux-image-arm64 (resolved through the metapackage, whose ABI
# number changes with security updates), downloaded once into the cache
# directory $1.  The package's vmlinuz is an uncompressed Image.  Without
# apt data for arm64 (dpkg --add-architecture arm64 && apt-get update),
# the newest image already in the cache is used.
set -euo pipefail
cache=${1:?cache directory}
mkdir -p "$cache"
pkg=$(apt-cache depends linux-image-arm64:arm64 2>/dev/null |
	sed -n 's/^ *Depends: \(linux-image-[^ ]*\)$/\1/p' | head -1)
ver=
[ -n "$pkg" ] && ver=$(apt-cache show --no-all-versions "$pkg" 2>/dev/null |
	sed -n 's/^Version: //p' | head -1)
if [ -z "$ver" ]; then
	old=$(ls -t "$cache"/aarch64-Image-* 2>/dev/null | head -1 || true)
	[ -n "$old" ] || { echo "kernel-aarch64: no linux-image-arm64:arm64 in apt (dpkg --add-architecture arm64; apt-get update)" >&2; exit 1; }
	echo "kernel-aarch64: apt knows no arm64 kernel, using $old" >&2
	echo "$old"
	exit 0
fi
out="$cache/aarch64-Image-${pkg%%:*}_$ver"
if [ ! -s "$out" ]; then
	work=$(mktemp -d "$cache/aarch64-dl.XXXXXX")
	trap 'rm -rf "$work"' EXIT
	chmod 755 "$work"
	echo "kernel-aarch64: downloading $pkg $ver" >&2
	(cd "$work" && apt-get download -q "$pkg=$ver" >&2)
	dpkg-deb --fsys-tarfile "$work"/*.deb | tar -x -C "$work" ./boot
	cp "$work"/boot/vmlinuz-* "$out.tmp"
	mv "$out.tmp" "$out"
fi
echo "$out"
