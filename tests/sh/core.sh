#!/usr/bin/env bash
# scremote core: files named as gcore names them, cores readelf reads,
# processes that run on, and input errors that touch nothing.
. "$SCREMOTE_TOP/tests/cli/lib.sh"

lines() { wc -l <"$1" 2>/dev/null || echo 0; }

# A ticking target; its PID in $pid once it ticks.
start_ticker() {
	"$TGT" tick 10 >"$TMPD/$1.log" & pid=$!; track "$pid"
	wait_until 5 "[ \"\$(lines '$TMPD/$1.log')\" -ge 2 ]"
}

# It ticks on: released and running.
ticks_on() {
	local before
	before=$(lines "$TMPD/$2.log")
	wait_until 5 "[ \"\$(lines '$TMPD/$2.log')\" -gt $before ]" &&
		released "$1"
}

is_core() {
	command -v readelf >/dev/null || return 0
	readelf -h "$1" 2>/dev/null | grep -q 'Type:.*CORE'
}

test_default_name() {
	local t=core_default_name pid
	start_ticker a || { fail $t "target did not start"; return; }
	cd "$TMPD" && scr core "$pid"
	cd - >/dev/null || return
	if [ "$RC" -ne 0 ] || [ ! -s "$TMPD/core.$pid" ]; then
		fail $t "rc $RC, out '$OUT', err '$ERR'"; return
	fi
	grep -Eq "^core\.$pid: .*, 1 thread, process stopped [0-9.]+ ms$" <<<"$OUT" ||
		{ fail $t "summary: '$OUT'"; return; }
	is_core "$TMPD/core.$pid" || { fail $t "not an ELF core"; return; }
	[ "$(stat -c %a "$TMPD/core.$pid")" = 600 ] ||
		{ fail $t "mode $(stat -c %a "$TMPD/core.$pid")"; return; }
	if command -v readelf >/dev/null &&
	   [ "$(readelf -n "$TMPD/core.$pid" | grep -c NT_PRSTATUS)" != 1 ]; then
		fail $t "not one NT_PRSTATUS"; return
	fi
	ticks_on "$pid" a || { fail $t "target not running on"; return; }
	pass $t
}

test_snapshot_prefix_zstd() {
	local t=core_snapshot_prefix_zstd pid p1 p2 f
	start_ticker b || { fail $t "target did not start"; return; }
	p1=$pid
	start_ticker c || { fail $t "target did not start"; return; }
	p2=$pid
	if ! "$SCR" core -z --help >/dev/null 2>&1; then
		fail $t "--help failed"; return
	fi
	scr core --snapshot -z -o "$TMPD/snap" "$p1" "$p2"
	if [ "$RC" -eq 2 ] && grep -q "without libzstd" <<<"$ERR"; then
		skip $t "built without libzstd"; return
	fi
	[ "$RC" -eq 0 ] || { fail $t "rc $RC, err '$ERR'"; return; }
	for f in "$TMPD/snap.$p1.zst" "$TMPD/snap.$p2.zst"; do
		[ "$(head -c 4 "$f" | od -An -tx1 | tr -d ' ')" = 28b52ffd ] ||
			{ fail $t "$f is not zstd"; return; }
		if command -v zstd >/dev/null; then
			zstd -q -d -c "$f" >"$TMPD/out.core" && is_core "$TMPD/out.core" ||
				{ fail $t "$f does not decompress to a core"; return; }
		fi
	done
	[ "$(grep -c 'compressed), 1 thread, process stopped .* to reap its clone (snapshot)$' <<<"$OUT")" = 2 ] ||
		{ fail $t "summary: '$OUT'"; return; }
	ticks_on "$p1" b && ticks_on "$p2" c || { fail $t "targets not running on"; return; }
	[ -z "$(cat /proc/"$p1"/task/*/children)" ] ||
		{ fail $t "the target has a child left"; return; }
	pass $t
}

test_all_memory() {
	local t=core_all_memory pid
	start_ticker d || { fail $t "target did not start"; return; }
	# An ASan target's shadow is terabytes marked not to dump: -a
	# would write it all (as gcore -a would).
	if grep -q libasan "/proc/$pid/maps"; then
		skip $t "the target is built with ASan"; return
	fi
	scr core -a -o "$TMPD/all" "$pid"
	[ "$RC" -eq 0 ] && is_core "$TMPD/all.$pid" ||
		{ fail $t "rc $RC, err '$ERR'"; return; }
	ticks_on "$pid" d || { fail $t "target not running on"; return; }
	pass $t
}

test_usage_errors() {
	local t=core_usage_errors before
	before=$(ls "$TMPD" | wc -l)
	scr core
	[ "$RC" -eq 2 ] && grep -q "no PID given" <<<"$ERR" ||
		{ fail $t "no PID: rc $RC '$ERR'"; return; }
	scr core 12x
	[ "$RC" -eq 2 ] && grep -q "'12x' is not a process id" <<<"$ERR" ||
		{ fail $t "12x: rc $RC '$ERR'"; return; }
	scr core -q 1
	[ "$RC" -eq 2 ] && grep -q "unknown option '-q'" <<<"$ERR" ||
		{ fail $t "-q: rc $RC '$ERR'"; return; }
	scr core -o
	[ "$RC" -eq 2 ] && grep -q -- "-o needs" <<<"$ERR" ||
		{ fail $t "-o: rc $RC '$ERR'"; return; }
	[ "$(ls "$TMPD" | wc -l)" = "$before" ] ||
		{ fail $t "a usage error left a file"; return; }
	pass $t
}

test_dead_pid_leaves_no_file() {
	local t=core_dead_pid dead
	dead=$(dead_pid)
	scr core -o "$TMPD/dead" "$dead"
	[ "$RC" -eq 3 ] && grep -q "no process $dead" <<<"$ERR" ||
		{ fail $t "rc $RC '$ERR'"; return; }
	[ ! -e "$TMPD/dead.$dead" ] || { fail $t "file left"; return; }
	pass $t
}

# A link where the core goes is not followed, and the process is left
# running.
test_link_not_followed() {
	local t=core_link_not_followed pid
	start_ticker e || { fail $t "target did not start"; return; }
	echo precious >"$TMPD/precious"
	ln -s "$TMPD/precious" "$TMPD/lnk.$pid"
	scr core -o "$TMPD/lnk" "$pid"
	[ "$RC" -eq 3 ] && grep -q "symbolic link" <<<"$ERR" ||
		{ fail $t "rc $RC '$ERR'"; return; }
	[ "$(cat "$TMPD/precious")" = precious ] ||
		{ fail $t "the link's target was written"; return; }
	ticks_on "$pid" e || { fail $t "target not running on"; return; }
	pass $t
}

test_default_name
test_snapshot_prefix_zstd
test_all_memory
test_usage_errors
test_dead_pid_leaves_no_file
test_link_not_followed
finish
