#!/usr/bin/env bash
# Boots the test suite of BUILD in qemu-system for ARCH and decides from
# the guest's marker line, never from qemu's exit status.
#
#   run.sh ARCH BUILD KERNEL
#
# BUILD holds the static test programs (tests/t_*), scremote, the CLI
# target and qemu/init.  Every boot runs under an outer timeout
# (SCREMOTE_QEMU_TIMEOUT seconds, default 900).
set -euo pipefail
arch=$1 build=$2 kernel=$3
limit=${SCREMOTE_QEMU_TIMEOUT:-900}
tests=${SCREMOTE_QEMU_TESTS:-t_freebsd t_blocked t_state t_fidelity t_batch t_agent t_core}
q=$build/qemu
root=$q/root

rm -rf "$root"
mkdir -p "$root"/{bin,dev,proc,sys,tmp,tests}
cp "$q/init" "$root/init"
ln "$root/init" "$root/bin/true"
for t in $tests; do
	cp "$build/tests/$t" "$root/tests/"
done
cp "$q/cli_e2e" "$root/tests/t_zcli_e2e"
# A core for gdb-multiarch on the host (tests/qemu/core_gdb.sh).
[ ! -x "$q/core_export" ] || cp "$q/core_export" "$root/tests/t_zcore_export"
cp "$build/scremote" "$root/bin/"
# The 32-bit target of t_i386, where it was built.
t32=$build/tests/arch/x86_64/i386/target32
[ ! -x "$t32" ] || cp "$t32" "$root/bin/"
cp "$build/tests/cli/cli_target" "$root/bin/"
if [ "$(id -u)" = 0 ]; then
	mknod -m 600 "$root/dev/console" c 5 1
fi
(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet) >"$q/initrd.cpio"

smp=${SCREMOTE_QEMU_SMP:-2}
case $arch in
aarch64)
	cmd=(qemu-system-aarch64 -machine virt
	     -cpu "${SCREMOTE_QEMU_CPU:-max,pauth-impdef=on}"
	     -append "console=ttyAMA0 panic=-1 rdinit=/init quiet")
	;;
riscv64)
	# One CPU: with two, a test program (the tracer, not a target)
	# was killed now and then by a load fault inside its own vDSO
	# clock_gettime (about 1 boot in 4; never in 8+ boots with one).
	# print-fatal-signals shows such faults on the console.
	smp=${SCREMOTE_QEMU_SMP:-1}
	cmd=(qemu-system-riscv64 -machine virt -bios default
	     -append "console=ttyS0 panic=-1 rdinit=/init loglevel=6 print-fatal-signals=1")
	;;
x86_64)
	# Software emulation (no KVM here): slower, but it runs 32-bit
	# programs, which the machines of this project cannot.
	cmd=(qemu-system-x86_64 -cpu max
	     -append "console=ttyS0 panic=-1 rdinit=/init quiet")
	;;
*)
	echo "run.sh: no qemu recipe for $arch" >&2
	exit 2
	;;
esac
cmd+=(-smp "$smp" -m 512 -nographic -no-reboot -nic none
      -kernel "$kernel" -initrd "$q/initrd.cpio")

log=$q/console.log
echo "== $arch: booting $(basename "$kernel") (timeout ${limit}s)"
start=$(date +%s.%N)
timeout -k 10 "$limit" "${cmd[@]}" </dev/null 2>&1 | tr -d '\r' | tee "$log" || true
took=$(echo "$(date +%s.%N) - $start" | bc)
marker=$(grep -a -E '^scremote-guest: [0-9]+ passed, [0-9]+ failed' "$log" | tail -1 || true)
booted=$(sed -n 's/.*scremote-guest: booted in \([0-9.]*\) s$/\1/p' "$log" | tail -1)
if [ -z "$marker" ]; then
	echo "$arch: FAIL: the guest printed no result line (crash, panic or timeout after ${took%.*} s); log: $log"
	exit 1
fi
read -r p f <<<"$(sed -E 's/^scremote-guest: ([0-9]+) passed, ([0-9]+) failed.*/\1 \2/' <<<"$marker")"
printf '%s: %s passed, %s failed (guest booted in %s s, whole run %.1f s)\n' \
	"$arch" "$p" "$f" "${booted:-?}" "$took"
gdb_ok=0
[ ! -x "$q/core_export" ] || "$(dirname "$0")/core_gdb.sh" "$arch" "$q" "$log" || gdb_ok=1
[ "$f" -eq 0 ] && [ "$p" -gt 0 ] && [ "$gdb_ok" -eq 0 ]
