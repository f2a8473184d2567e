#!/usr/bin/env bash
# scremote redirect and redirect --undo on a Python program printing
# numbered lines into a pipe: the lines land in the file, then back in
# the very same pipe, none lost or doubled; the kept original, the
# records, undoing twice or the wrong descriptor, exec, --force,
# --dry-run and --json.
. "$SCREMOTE_TOP/tests/verbs/lib.sh"

if ! have python3; then
	skip verbs_redirect "python3 not installed"
	finish
fi

# Prints "line N" every 10 ms; on SIGUSR1 runs itself again (execve); on
# SIGUSR2 points its own stdout at /dev/null.
cat >"$TMPD/printer.py" <<'EOF'
import os, signal, sys, time
n = int(sys.argv[1]) if len(sys.argv) > 1 else 0
state = {"n": n}
def again(sig, frame):
    os.execv(sys.executable, [sys.executable, sys.argv[0], str(state["n"])])
def own(sig, frame):
    os.dup2(os.open("/dev/null", os.O_WRONLY), 1)
signal.signal(signal.SIGUSR1, again)
signal.signal(signal.SIGUSR2, own)
end = time.time() + 120
while time.time() < end:
    try:
        os.write(1, b"line %d\n" % state["n"])
    except OSError:
        pass
    state["n"] += 1
    time.sleep(0.01)
EOF

lines() { wc -l <"$1" 2>/dev/null || echo 0; }

# start_printer NAME: the printer, its stdout a pipe into NAME.pipe; sets
# PID.
start_printer() {
	local sp_out=$TMPD/$1.pipe
	: >"$sp_out"
	python3 "$TMPD/printer.py" > >(exec cat >>"$sp_out") 2>/dev/null &
	PID=$!; track "$PID"
	wait_until 10 '[ "$(lines "$sp_out")" -ge 3 ]'
}

# grows FILE: it gets new lines within a bound.
grows() {
	local g_file=$1 g_n
	g_n=$(lines "$g_file")
	wait_until 5 '[ "$(lines "$g_file")" -ge $((g_n + 3)) ]'
}

# still FILE: it gets no new line for a while, once what was in flight
# (a pipe's reader, cat, may still be copying) has landed.
still() {
	local n
	sleep 0.5
	n=$(lines "$1")
	sleep 0.3
	[ "$(lines "$1")" -eq "$n" ]
}

# Every number the printer printed appears exactly once across FILES,
# from the first to the last: no line lost, none doubled.
contiguous() {
	cat "$@" | awk '{ print $2 }' | sort -n | awk '
		NR == 1 { prev = $1; next }
		$1 != prev + 1 { print "gap or repeat after " prev ": " $1; bad = 1; exit }
		{ prev = $1 }
		END { exit bad }'
}

test_redirect_then_undo() {
	local t=redirect_then_undo pipe kept out
	start_printer a || { fail $t "the printer did not start"; return; }
	pipe=$(readlink "/proc/$PID/fd/1")
	[[ $pipe == pipe:* ]] || { fail $t "stdout is $pipe, not a pipe"; return; }
	scr redirect "$PID" 1 "$TMPD/a.file"
	[ "$RC" -eq 0 ] || { fail $t "redirect: rc $RC: $ERR"; return; }
	kept=$(sed -n "s/^fd 1 -> .* (was pipe:\[[0-9]*\], kept as fd \([0-9]*\) for redirect --undo)$/\1/p" <<<"$OUT")
	[ -n "$kept" ] || { fail $t "redirect said: $OUT"; return; }
	[ "$(readlink "/proc/$PID/fd/1")" = "$TMPD/a.file" ] ||
		{ fail $t "fd 1 is $(readlink "/proc/$PID/fd/1")"; return; }
	[ "$(readlink "/proc/$PID/fd/$kept")" = "$pipe" ] ||
		{ fail $t "fd $kept is $(readlink "/proc/$PID/fd/$kept"), not $pipe"; return; }
	grep -q 'O_CLOEXEC' "/proc/$PID/fdinfo/$kept" 2>/dev/null ||
		[ $((8#$(sed -n 's/^flags:[[:space:]]*//p' "/proc/$PID/fdinfo/$kept") & 02000000)) -ne 0 ] ||
		{ fail $t "kept fd $kept is not close-on-exec"; return; }
	grows "$TMPD/a.file" || { fail $t "the file does not grow"; return; }
	still "$TMPD/a.pipe" || { fail $t "the pipe still gets lines"; return; }
	released "$PID" || { fail $t "not released"; return; }
	ls "$SCREMOTE_STATE_DIR"/redirect."$PID".* >/dev/null 2>&1 ||
		{ fail $t "no record in $SCREMOTE_STATE_DIR"; return; }

	scr redirect --undo "$PID" 1
	[ "$RC" -eq 0 ] && [ "$OUT" = "fd 1 -> $pipe again (kept fd $kept closed)" ] ||
		{ fail $t "undo: rc $RC: $OUT $ERR"; return; }
	[ "$(readlink "/proc/$PID/fd/1")" = "$pipe" ] ||
		{ fail $t "after undo fd 1 is $(readlink "/proc/$PID/fd/1")"; return; }
	[ ! -e "/proc/$PID/fd/$kept" ] || { fail $t "kept fd $kept still open"; return; }
	grows "$TMPD/a.pipe" || { fail $t "the pipe gets no lines again"; return; }
	still "$TMPD/a.file" || { fail $t "the file still grows"; return; }
	ls "$SCREMOTE_STATE_DIR"/redirect."$PID".* >/dev/null 2>&1 &&
		{ fail $t "record left after the undo"; return; }
	out=$(contiguous "$TMPD/a.pipe" "$TMPD/a.file") || { fail $t "$out"; return; }

	# Undone already: a clear error, nothing touched.
	scr redirect --undo "$PID" 1
	[ "$RC" -eq 1 ] && [[ $ERR == *"fd 1 of process $PID has no redirect to undo"* ]] ||
		{ fail $t "second undo: rc $RC: $ERR"; return; }
	[ "$(readlink "/proc/$PID/fd/1")" = "$pipe" ] || { fail $t "second undo changed fd 1"; return; }
	pass $t
}

# Several descriptors, the wrong one at undo, twice redirected, a
# descriptor that was not open, --truncate and --append.
test_fd_lists_and_modes() {
	local t=fd_lists_and_modes pipe
	start_printer b || { fail $t "the printer did not start"; return; }
	pipe=$(readlink "/proc/$PID/fd/1")
	echo "old content" >"$TMPD/b.file"
	scr redirect "$PID" 1,2,9 "$TMPD/b.file"
	[ "$RC" -eq 0 ] && [ "$(wc -l <<<"$OUT")" -eq 3 ] &&
		grep -qx "fd 9 -> $TMPD/b.file (was not open; --undo closes it)" <<<"$OUT" ||
		{ fail $t "redirect 1,2,9: rc $RC: $OUT $ERR"; return; }
	for fd in 1 2 9; do
		[ "$(readlink "/proc/$PID/fd/$fd")" = "$TMPD/b.file" ] ||
			{ fail $t "fd $fd is $(readlink "/proc/$PID/fd/$fd")"; return; }
	done
	grows "$TMPD/b.file" || { fail $t "file does not grow"; return; }
	[ "$(head -1 "$TMPD/b.file")" = "old content" ] || { fail $t "--append lost content"; return; }

	scr redirect --undo "$PID" 3
	[ "$RC" -eq 1 ] && [[ $ERR == *"fd 3 of process $PID has no redirect to undo"*"redirected now: "* ]] ||
		{ fail $t "wrong fd: rc $RC: $ERR"; return; }

	# Again, elsewhere, emptied: the first original is the one kept.
	scr redirect --truncate "$PID" 1 "$TMPD/b2.file"
	[ "$RC" -eq 0 ] && [[ $OUT == "fd 1 -> $TMPD/b2.file (was $pipe, kept as fd "* ]] ||
		{ fail $t "second redirect: rc $RC: $OUT $ERR"; return; }
	scr redirect --undo "$PID" 1,2,9
	[ "$RC" -eq 0 ] || { fail $t "undo: rc $RC: $OUT $ERR"; return; }
	[ "$(readlink "/proc/$PID/fd/1")" = "$pipe" ] &&
		[ "$(readlink "/proc/$PID/fd/2")" = /dev/null ] &&
		[ ! -e "/proc/$PID/fd/9" ] ||
		{ fail $t "after undo: 1 $(readlink "/proc/$PID/fd/1") 2 $(readlink "/proc/$PID/fd/2") 9 $(readlink "/proc/$PID/fd/9")"; return; }
	grows "$TMPD/b.pipe" || { fail $t "pipe gets no lines again"; return; }
	released "$PID" || { fail $t "not released"; return; }
	pass $t
}

# The process runs a new program: the kept original went with the old
# one (close-on-exec); undo says so and drops the record.
test_exec_drops_the_original() {
	local t=exec_drops_the_original kept
	start_printer c || { fail $t "the printer did not start"; return; }
	scr redirect "$PID" 1 "$TMPD/c.file"
	kept=$(sed -n 's/.*kept as fd \([0-9]*\).*/\1/p' <<<"$OUT")
	[ "$RC" -eq 0 ] && [ -n "$kept" ] || { fail $t "redirect: rc $RC: $OUT $ERR"; return; }
	kill -USR1 "$PID"
	wait_until 5 '[ ! -e "/proc/$PID/fd/$kept" ]' || { fail $t "exec kept fd $kept"; return; }
	grows "$TMPD/c.file" || { fail $t "the new program does not write to the file"; return; }
	scr redirect --undo "$PID" 1
	[ "$RC" -eq 1 ] && [[ $ERR == *"is no longer kept at fd $kept"*"ran a new program"* ]] ||
		{ fail $t "undo after exec: rc $RC: $ERR"; return; }
	[ "$(readlink "/proc/$PID/fd/1")" = "$TMPD/c.file" ] || { fail $t "fd 1 changed"; return; }
	scr redirect --undo "$PID" 1
	[ "$RC" -eq 1 ] && [[ $ERR == *"has no redirect to undo"* ]] ||
		{ fail $t "record not dropped: rc $RC: $ERR"; return; }
	pass $t
}

# The process changed the descriptor itself: undo refuses, --force
# restores.
test_changed_needs_force() {
	local t=changed_needs_force pipe
	start_printer d || { fail $t "the printer did not start"; return; }
	pipe=$(readlink "/proc/$PID/fd/1")
	scr redirect "$PID" 1 "$TMPD/d.file"
	[ "$RC" -eq 0 ] || { fail $t "redirect: rc $RC $ERR"; return; }
	kill -USR2 "$PID"
	wait_until 5 '[ "$(readlink "/proc/$PID/fd/1")" = /dev/null ]' || { fail $t "printer did not move fd 1"; return; }
	scr redirect --undo "$PID" 1
	[ "$RC" -eq 1 ] && [[ $ERR == *"fd 1 no longer points at $TMPD/d.file"*"--force"* ]] ||
		{ fail $t "undo: rc $RC: $ERR"; return; }
	[ "$(readlink "/proc/$PID/fd/1")" = /dev/null ] || { fail $t "undo changed fd 1"; return; }
	scr redirect --undo --force "$PID" 1
	[ "$RC" -eq 0 ] && [ "$(readlink "/proc/$PID/fd/1")" = "$pipe" ] ||
		{ fail $t "--force: rc $RC: $ERR"; return; }
	grows "$TMPD/d.pipe" || { fail $t "pipe gets no lines"; return; }
	pass $t
}

# --dry-run shows the calls and touches nothing: no attach (a stand-in
# tracer holds the process, and strace sees no ptrace), no record.
test_dry_run() {
	local t=dry_run pipe
	start_printer e || { fail $t "the printer did not start"; return; }
	pipe=$(readlink "/proc/$PID/fd/1")
	start_tracer "$PID" || { fail $t "no stand-in tracer"; return; }
	scr redirect "$PID" 1 "$TMPD/e.file"
	[ "$RC" -eq 3 ] || { fail $t "control: an attach succeeded despite the tracer (rc $RC)"; stop_tracer; return; }
	scr redirect --dry-run "$PID" 1 "$TMPD/e.file"
	stop_tracer
	[ "$RC" -eq 0 ] || { fail $t "rc $RC: $ERR"; return; }
	[ "$OUT" = "openat(AT_FDCWD, \"$TMPD/e.file\", O_WRONLY|O_APPEND|O_CLOEXEC|O_CREAT|O_NOCTTY, 0666) = \$1
fcntl(1, F_DUPFD_CLOEXEC, 1000) = \$2
dup3(\$1, 1, 0) = \$3
close(\$1) = \$4" ] || { fail $t "dry run showed: $OUT"; return; }
	if have strace; then
		under_strace "$TMPD/e.strace" redirect --dry-run "$PID" 1 "$TMPD/e.file" >/dev/null 2>&1
		no_ptrace_by "$TMPD/e.strace" || { fail $t "strace saw: $(grep -E 'ptrace|pidfd_open' "$TMPD/e.strace" | head -3)"; return; }
	fi
	[ "$(readlink "/proc/$PID/fd/1")" = "$pipe" ] && [ ! -e "$TMPD/e.file" ] ||
		{ fail $t "something was done"; return; }
	! ls "$SCREMOTE_STATE_DIR"/redirect."$PID".* >/dev/null 2>&1 || { fail $t "a record was written"; return; }
	pass $t
}

test_json_and_verbose() {
	local t=json_and_verbose got
	start_printer f || { fail $t "the printer did not start"; return; }
	scr redirect --json -v "$PID" 1 "$TMPD/f.file"
	[ "$RC" -eq 0 ] || { fail $t "rc $RC: $ERR"; return; }
	got=$(pyq '[J[0]["pid"], [r["fd"] for r in J[0]["redirected"]], J[0]["redirected"][0]["was"][:5], [c["call"].split("(")[0] for c in J[0]["calls"]], J[0]["status"]]' <<<"$OUT")
	[ "$got" = "[$PID, [1], \"pipe:\", [\"openat\", \"fcntl\", \"dup3\", \"close\"], 0]" ] ||
		{ fail $t "json: $got ($OUT)"; return; }
	scr redirect -v --undo "$PID" 1
	[ "$RC" -eq 0 ] && grep -qx 'dup3([0-9]*, 1, 0) = 1' <<<"$ERR" && grep -qx 'close([0-9]*) = 0' <<<"$ERR" ||
		{ fail $t "-v: rc $RC: $ERR"; return; }
	pass $t
}

test_bad_input() {
	local t=bad_input
	start_printer g || { fail $t "the printer did not start"; return; }
	scr redirect "$PID" 1 "$TMPD/no/such/dir/x"
	[ "$RC" -eq 2 ] && [[ $ERR == *"$TMPD/no/such/dir: no such directory; nothing was done"* ]] ||
		{ fail $t "missing dir: rc $RC: $ERR"; return; }
	scr redirect "$PID" 1
	[ "$RC" -eq 2 ] && [[ $ERR == *"give the descriptors and a file"* ]] || { fail $t "no path: rc $RC: $ERR"; return; }
	scr redirect "$PID" 1,x "$TMPD/x"
	[ "$RC" -eq 2 ] && [[ $ERR == *"'x' is not a descriptor number"* ]] || { fail $t "bad fd: rc $RC: $ERR"; return; }
	scr redirect --undo "$PID" 1 "$TMPD/x"
	[ "$RC" -eq 2 ] && [[ $ERR == *"--undo takes the descriptors only"* ]] || { fail $t "undo + path: rc $RC: $ERR"; return; }
	scr redirect --append --truncate "$PID" 1 "$TMPD/x"
	[ "$RC" -eq 2 ] || { fail $t "--append --truncate: rc $RC"; return; }
	scr redirect "$PID" 1 "$TMPD"
	[ "$RC" -eq 2 ] && [[ $ERR == *"is a directory"* ]] || { fail $t "a directory: rc $RC: $ERR"; return; }
	[ "$(readlink "/proc/$PID/fd/1")" != "$TMPD/x" ] && [ "$(tracer_of "$PID")" = 0 ] ||
		{ fail $t "bad input reached the process"; return; }
	pass $t
}

# Without SCREMOTE_STATE_DIR, root's records go to /run/scremote.
test_default_record_dir() {
	local t=default_record_dir
	if [ "$(id -u)" -ne 0 ]; then skip $t "needs root (/run/scremote)"; return; fi
	start_printer h || { fail $t "the printer did not start"; return; }
	SCREMOTE_STATE_DIR= scr redirect "$PID" 1 "$TMPD/h.file"
	[ "$RC" -eq 0 ] && ls /run/scremote/redirect."$PID".* >/dev/null 2>&1 ||
		{ fail $t "rc $RC, no record in /run/scremote: $ERR"; return; }
	[ "$(stat -c %a /run/scremote)" = 700 ] || { fail $t "/run/scremote mode $(stat -c %a /run/scremote)"; return; }
	SCREMOTE_STATE_DIR= scr redirect --undo "$PID" 1
	[ "$RC" -eq 0 ] && ! ls /run/scremote/redirect."$PID".* >/dev/null 2>&1 ||
		{ fail $t "undo: rc $RC $ERR"; return; }
	pass $t
}

test_redirect_then_undo
test_fd_lists_and_modes
test_exec_drops_the_original
test_changed_needs_force
test_dry_run
test_json_and_verbose
test_bad_input
test_default_record_dir
finish
