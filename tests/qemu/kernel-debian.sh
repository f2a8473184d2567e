#!/usr/bin/env bash
# Prints the path of a Debian kernel image for the qemu tests:
#
#   kernel-debian.sh DEBIAN_ARCH NAME CACHE_DIR
#
# The current linux-image-DEBIAN_ARCH, resolved through the metapackage
# (whose ABI number changes with security updates), downloaded once into
# CACHE_DIR as NAME-vmlinuz-<package>_<version>.  A foreign architecture
# needs apt data for it (dpkg --add-architecture; apt-get update).
# Without apt data, the newest image already in the cache is used.
# (arm64's vmlinuz is an uncompressed Image, amd64's a bzImage: qemu's
# -kernel takes both.)
set -euo pipefail
arch=${1:?Debian architecture} name=${2:?name} cache=${3:?cache directory}
mkdir -p "$cache"
meta=linux-image-$arch
[ "$arch" = "$(dpkg --print-architecture)" ] || meta=$meta:$arch
pkg=$(apt-cache depends "$meta" 2>/dev/null |
	sed -n 's/^ *Depends: \(linux-image-[^ ]*\)$/\1/p' | head -1)
ver=
[ -n "$pkg" ] && ver=$(apt-cache show --no-all-versions "$pkg" 2>/dev/null |
	sed -n 's/^Version: //p' | head -1)
if [ -z "$ver" ]; then
	old=$(ls -t "$cache/$name"-vmlinuz-* 2>/dev/null | head -1 || true)
	[ -n "$old" ] || { echo "kernel-debian: apt knows no $meta (dpkg --add-architecture $arch; apt-get update)" >&2; exit 1; }
	echo "kernel-debian: apt knows no $meta, using $old" >&2
	echo "$old"
	exit 0
fi
out="$cache/$name-vmlinuz-${pkg%%:*}_$ver"
if [ ! -s "$out" ]; then
	work=$(mktemp -d "$cache/$name-dl.XXXXXX")
	trap 'rm -rf "$work"' EXIT
	chmod 755 "$work"
	echo "kernel-debian: downloading $pkg $ver" >&2
	(cd "$work" && apt-get download -q "$pkg=$ver" >&2)
	dpkg-deb --fsys-tarfile "$work"/*.deb | tar -x -C "$work" ./boot
	cp "$work"/boot/vmlinuz-* "$out.tmp"
	mv "$out.tmp" "$out"
fi
echo "$out"
