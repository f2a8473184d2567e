#!/usr/bin/env bash
# Rebuilds the core a qemu guest printed (tests/qemu/core_export.c) and
# reads it with gdb-multiarch, which knows each architecture's note
# layouts on its own: three threads, each waiting in export_block()
# called by export_nest().  Skips without gdb-multiarch (or gdb for the
# host's own architecture).
#
#   core_gdb.sh ARCH QEMU_DIR CONSOLE_LOG
set -u
arch=$1 q=$2 log=$3
gdb=$(command -v gdb-multiarch || true)
if [ -z "$gdb" ] && [ "$arch" = "$(uname -m)" ]; then
	gdb=$(command -v gdb || true)
fi
if [ -z "$gdb" ]; then
	echo "$arch: SKIP core_gdb: no gdb-multiarch on the host (apt-get install gdb-multiarch)"
	exit 0
fi
core=$q/core_export.core
if ! python3 - "$log" "$core" <<'PY'
import sys
log, out = sys.argv[1], sys.argv[2]
size, chunks = None, []
for line in open(log, errors='replace'):
    for key in ('CORESIZE ', 'COREHEX '):
        i = line.find(key)
        if i < 0:
            continue
        f = line[i + len(key):].split()
        if key == 'CORESIZE ':
            size = int(f[0])
        else:
            chunks.append((int(f[0]), bytes.fromhex(f[1])))
if size is None or not chunks:
    sys.exit(1)
with open(out, 'wb') as f:
    f.truncate(size)
    for off, data in chunks:
        f.seek(off)
        f.write(data)
PY
then
	echo "$arch: FAIL core_gdb: the guest printed no core (see $log)"
	exit 1
fi
out=$(timeout -k 5 120 "$gdb" -nx -batch -ex 'info threads' \
	-ex 'thread apply all bt' "$q/core_export" "$core" 2>&1)
bad=$(awk '
	/^Thread [0-9]+ \(/ { if (t) check(); t = $0; b = n = 0; next }
	/export_block/ { b = 1 }
	/export_nest/ { n = 1 }
	function check() { if (!b || !n) print "no export_nest/export_block in " t; threads++ }
	END { if (t) check(); if (threads != 3) print threads " threads, not 3" }' <<<"$out")
if [ -n "$bad" ]; then
	printf '%s: FAIL core_gdb: %s\n%s\n' "$arch" "$bad" "$out"
	exit 1
fi
echo "$arch: PASS core_gdb: gdb-multiarch reads the guest's core (3 threads, their frames)"
rm -f "$core"
