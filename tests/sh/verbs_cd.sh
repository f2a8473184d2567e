#!/usr/bin/env bash
# scremote cd: the working directory before and after; a relative path
# means what it means at the user's shell; a missing directory never
# reaches the process; a chdir the process may not make fails cleanly.
. "$SCREMOTE_TOP/tests/verbs/lib.sh"

mkdir -p "$TMPD/new dir" "$TMPD/rel"
(cd / && exec sleep 120) & PID=$!; track "$PID"
wait_until 5 '[ "$(readlink "/proc/$PID/cwd")" = / ]' || { fail cd_target "no target"; finish; }

test_cd() {
	local t=cd
	scr cd -v "$PID" "$TMPD/new dir"
	[ "$RC" -eq 0 ] && [ "$OUT" = "cwd / -> $TMPD/new dir" ] &&
		[ "$ERR" = "chdir(\"$TMPD/new dir\") = 0" ] ||
		{ fail $t "rc $RC: $OUT | $ERR"; return; }
	[ "$(readlink "/proc/$PID/cwd")" = "$TMPD/new dir" ] || { fail $t "cwd is $(readlink "/proc/$PID/cwd")"; return; }
	released "$PID" || { fail $t "not released"; return; }
	pass $t
}

test_relative() {
	local t=relative_to_the_shell
	OUT=$(cd "$TMPD" && timeout 20 "$SCR" cd "$PID" rel 2>&1); RC=$?
	[ "$RC" -eq 0 ] && [ "$(readlink "/proc/$PID/cwd")" = "$TMPD/rel" ] ||
		{ fail $t "rc $RC: $OUT; cwd $(readlink "/proc/$PID/cwd")"; return; }
	pass $t
}

test_refusals() {
	local t=refusals
	start_tracer "$PID" || { fail $t "no stand-in tracer"; return; }
	scr cd "$PID" "$TMPD/missing"
	[ "$RC" -eq 2 ] && [ "$ERR" = "scremote: $TMPD/missing: No such file or directory; nothing was done" ] ||
		{ fail $t "missing: rc $RC $ERR"; stop_tracer; return; }
	touch "$TMPD/plain"
	scr cd "$PID" "$TMPD/plain"
	[ "$RC" -eq 2 ] && [[ $ERR == *"is not a directory"* ]] || { fail $t "file: rc $RC $ERR"; stop_tracer; return; }
	scr cd "$PID" a b
	[ "$RC" -eq 2 ] && [[ $ERR == *"one directory only"* ]] || { fail $t "two dirs: rc $RC $ERR"; stop_tracer; return; }
	scr cd "$PID"
	[ "$RC" -eq 2 ] && [[ $ERR == *"missing DIR"* ]] || { fail $t "no dir: rc $RC $ERR"; stop_tracer; return; }
	scr cd --dry-run "$PID" /
	[ "$RC" -eq 0 ] && [ "$OUT" = 'chdir("/") = $1' ] || { fail $t "dry run: rc $RC $OUT $ERR"; stop_tracer; return; }
	[ "$(tracer_of "$PID")" = "$TRACER" ] || { fail $t "tracer changed"; stop_tracer; return; }
	stop_tracer
	pass $t
}

# The process lacks permission (a directory it may not enter): the call
# fails inside it, its directory stays.
test_denied() {
	local t=denied_in_the_process before
	if [ "$(id -u)" -ne 0 ] || ! id nobody >/dev/null 2>&1; then
		skip $t "needs root and the user nobody"; return
	fi
	mkdir -p "$TMPD/locked"
	chmod 700 "$TMPD/locked"
	chmod 755 "$TMPD"
	setpriv --reuid=nobody --regid=nogroup --clear-groups sleep 120 & local p=$!; track "$p"
	wait_until 5 '[ "$(status_field "$p" Uid | cut -f1)" != 0 ] 2>/dev/null' || { fail $t "no target"; return; }
	before=$(readlink "/proc/$p/cwd")
	scr cd "$p" "$TMPD/locked"
	[ "$RC" -eq 1 ] && [[ $ERR == *"chdir(\"$TMPD/locked\") failed in the process: Permission denied; its directory is unchanged"* ]] ||
		{ fail $t "rc $RC: $OUT $ERR"; return; }
	[ "$(readlink "/proc/$p/cwd")" = "$before" ] || { fail $t "cwd moved"; return; }
	pass $t
}

test_cd
test_relative
test_refusals
test_denied
finish
