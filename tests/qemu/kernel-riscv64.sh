#!/usr/bin/env bash
# Prints the path of a riscv64 kernel Image for the qemu tests, building
# it from Debian's linux-source package (tinyconfig + riscv64.config) into
# the cache directory $1 when it is not there yet.  The cache key is the
# source version and the option list, so a change to either rebuilds.
set -euo pipefail
cache=${1:?cache directory}
here=$(cd "$(dirname "$0")" && pwd)
src=$(ls /usr/src/linux-source-*.tar.xz 2>/dev/null | sort -V | tail -1)
[ -n "$src" ] || { echo "kernel-riscv64: no /usr/src/linux-source-*.tar.xz (install linux-source)" >&2; exit 1; }
ver=$(dpkg-query -W -f='${Version}' "$(basename "$src" .tar.xz)" 2>/dev/null || stat -c %Y "$src")
key=$(printf '%s\n' "$ver" | cat - "$here/riscv64.config" "$0" | sha256sum | cut -c1-12)
out="$cache/riscv64-Image-$key"
if [ -s "$out" ]; then
	echo "$out"
	exit 0
fi
mkdir -p "$cache"
work=$(mktemp -d "$cache/riscv64-build.XXXXXX")
trap 'rm -rf "$work"' EXIT
echo "kernel-riscv64: building $out from $src (a few minutes, once)" >&2
tar -C "$work" -xJf "$src"
cd "$work"/linux-source-*
mk=(make -s ARCH=riscv CROSS_COMPILE=riscv64-linux-gnu- -j"$(nproc)")
"${mk[@]}" tinyconfig >&2
scripts/kconfig/merge_config.sh -m .config "$here/riscv64.config" >/dev/null
"${mk[@]}" olddefconfig >&2
missing=0
while IFS= read -r opt; do
	case $opt in CONFIG_*) ;; *) continue ;; esac
	grep -qx "$opt" .config || { echo "kernel-riscv64: $opt did not stick" >&2; missing=1; }
done <"$here/riscv64.config"
[ $missing -eq 0 ] || exit 1
"${mk[@]}" Image >&2
cp arch/riscv/boot/Image "$out.tmp"
mv "$out.tmp" "$out"
echo "$out"
