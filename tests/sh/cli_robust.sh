#!/usr/bin/env bash
# End-to-end robustness of scremote(1): signals to the tool during a
# blocked call, calls that end or replace the target, seccomp refusals,
# a PID that dies or is reused between pinning and attaching, and -t
# with a thread of another process.  Every wait is bounded and every
# process started is killed on exit.
. "$SCREMOTE_TOP/tests/cli/lib.sh"

# ms since the epoch, from bash itself (no fork).
now_ms() { local t=${EPOCHREALTIME/[.,]/}; echo $((t / 1000)); }

# reap_within PID SECONDS: the exit status of background job PID into
# BG ("timeout" if it does not end in time).  Not in $(...): only this
# shell can wait for its own children.
reap_within() {
	if wait_until "$2" '! kill -0 '"$1"' 2>/dev/null || [ "$(status_field '"$1"' State | cut -c1)" = Z ]'; then
		wait "$1"
		BG=$?
	else
		BG=timeout
	fi
}

# ---- signals during a call that would block for ever ----------------
#
# The target is cat reading an empty FIFO; scremote runs a read of the
# same FIFO in it with --timeout 0 (no bound), and gets SIG.  The call
# must be broken off at once, the target released, scremote must exit
# 128+SIG, and cat's own pending read must still get the data.
test_signal() {
	local sig=$1 num t=signal_$1 k r t0 t1 rc d=$TMPD/sig_$1
	num=$(kill -l "$sig")
	mkdir -p "$d"
	mkfifo "$d/fifo"
	cat <"$d/fifo" >"$d/cat.out" & k=$!; track "$k"
	exec 8>"$d/fifo"
	if ! wait_until 5 '[ "$(status_field "$k" State | cut -c1)" = S ]'; then
		exec 8>&-; fail "$t" "cat did not block"; return
	fi
	# Not under timeout(1), which would forward the signal; signals a
	# shell ignores for its background jobs are reset to default.
	env --default-signal=INT,TERM,HUP,PIPE "$SCR" --timeout 0 "$k" \
		read 0 'buf(16)' 16 >"$d/out" 2>"$d/err" & r=$!; track "$r"
	# Wait until the remote read is in flight: the target is traced and
	# its main thread sleeps in read again (our call, not its own).
	wait_until 5 '[ "$(status_field "$k" TracerPid)" = "$r" ]' &&
		sleep 0.3
	t0=$(now_ms)
	kill -"$sig" "$r"
	reap_within "$r" 5; rc=$BG
	t1=$(now_ms)
	released "$k"; local rel=$?
	echo hello >&8
	exec 8>&-
	if [ "$rc" != $((128 + num)) ]; then
		fail "$t" "exit $rc, expected $((128 + num)): $(cat "$d/err")"
	elif [ $((t1 - t0)) -ge 2000 ]; then
		fail "$t" "took $((t1 - t0)) ms to exit"
	elif [ "$rel" -ne 0 ]; then
		fail "$t" "target left traced or stopped"
	elif ! grep -q "interrupted by signal $num" "$d/err"; then
		fail "$t" "no message: $(cat "$d/err")"
	elif [ -s "$d/out" ]; then
		fail "$t" "printed a result: $(cat "$d/out")"
	elif ! wait_until 5 '[ "$(cat "$d/cat.out")" = hello ]'; then
		fail "$t" "target lost its input: '$(cat "$d/cat.out")'"
	else
		pass "$t"
	fi
	kill "$k" 2>/dev/null
}

for s in INT TERM HUP PIPE; do
	test_signal "$s"
done

# A signal the caller ignores (nohup) stays ignored: the call runs to
# its --timeout and scremote exits 3 as usual.
test_ignored_signal() {
	local t=ignored_sighup_stays_ignored k r rc d=$TMPD/ign
	mkdir -p "$d"
	mkfifo "$d/fifo"
	cat <"$d/fifo" >/dev/null & k=$!; track "$k"
	exec 8>"$d/fifo"
	wait_until 5 '[ "$(status_field "$k" State | cut -c1)" = S ]'
	env --ignore-signal=HUP "$SCR" --timeout 1000 "$k" read 0 'buf(4)' 4 \
		>/dev/null 2>"$d/err" & r=$!; track "$r"
	wait_until 5 '[ "$(status_field "$k" TracerPid)" = "$r" ]'
	kill -HUP "$r"
	reap_within "$r" 10; rc=$BG
	released "$k"; local rel=$?
	exec 8>&-
	if [ "$rc" = 3 ] && grep -q 'did not complete in time' "$d/err" &&
	   [ "$rel" -eq 0 ]; then
		pass "$t"
	else
		fail "$t" "exit $rc: $(cat "$d/err")"
	fi
	kill "$k" 2>/dev/null
}
test_ignored_signal

# ---- calls that end the process ---------------------------------------

# exit_group: strace's "= ?" and "+++ exited with N +++", exit 3, and
# the parent sees the same status.
test_exit_group() {
	local t=exit_group_reported pid st
	sleep 300 & pid=$!; track "$pid"
	scr "$pid" exit_group 7
	reap_within "$pid" 5; st=$BG
	if [ "$RC" -ne 3 ]; then
		fail $t "exit $RC: $OUT $ERR"
	elif [ "$OUT" != "exit_group(7) = ?
+++ exited with 7 +++" ]; then
		fail $t "output: $OUT"
	elif [ "$st" != 7 ]; then
		fail $t "parent saw status $st"
	elif [ -n "$ERR" ]; then
		fail $t "unexpected message: $ERR"
	else
		pass $t
	fi
}
test_exit_group

# A call that kills the process with a signal: "+++ killed by SIGKILL +++",
# and in JSON the "ended" field.
test_killed() {
	local t=killed_by_signal_reported pid st
	sleep 300 & pid=$!; track "$pid"
	scr "$pid" -e getpid -e "kill($pid, SIGKILL)"
	reap_within "$pid" 5; st=$BG
	if [ "$RC" -eq 3 ] && [ "$OUT" = "getpid() = $pid
kill($pid, SIGKILL) = ?
+++ killed by SIGKILL +++" ] && [ "$st" = 137 ]; then
		pass $t
	else
		fail $t "exit $RC, parent saw $st: $OUT $ERR"
	fi

	t=json_ended_field
	sleep 300 & pid=$!; track "$pid"
	scr --json "$pid" -e 'exit_group(3)'
	if [ "$RC" -eq 3 ] && python3 -c '
import json, sys
o = json.loads(sys.argv[1])
assert o["syscall"] == "exit_group" and o["executed"] is True, o
assert o["retval"] is None and o["ended"] == {"exited": 3}, o
' "$OUT"; then
		pass $t
	else
		fail $t "exit $RC: $OUT"
	fi
	sleep 300 & pid=$!; track "$pid"
	scr --json "$pid" kill "$pid" SIGKILL
	if [ "$RC" -eq 3 ] && python3 -c '
import json, sys
o = json.loads(sys.argv[1])
assert o["ended"] == {"signal": 9, "signame": "SIGKILL", "core": False}, o
' "$OUT"; then
		pass json_ended_by_signal
	else
		fail json_ended_by_signal "exit $RC: $OUT"
	fi
}
test_killed

# execve: "= 0", a note naming the new program, and later calls of the
# same run reach the new image (the same process).
test_execve() {
	local t=execve_new_image pid
	sleep 300 & pid=$!; track "$pid"
	wait_until 5 '[ "$(readlink /proc/$pid/exe)" != "$(readlink /proc/self/exe)" ]'
	scr "$pid" -e "execve(\"$TGT\", NULL, NULL)" -e getpid -e 'getppid()'
	if [ "$RC" -ne 0 ]; then
		fail $t "exit $RC: $OUT $ERR"
	elif [ "$OUT" != "execve(\"$TGT\", NULL, NULL) = 0
getpid() = $pid
getppid() = $$" ]; then
		fail $t "output: $OUT"
	elif [[ $ERR != *"process $pid now runs a new program, $TGT"* ]]; then
		fail $t "no note: $ERR"
	elif [ "$(readlink "/proc/$pid/exe")" != "$TGT" ]; then
		fail $t "exe is $(readlink "/proc/$pid/exe")"
	elif ! released "$pid"; then
		fail $t "target not released"
	else
		pass $t
	fi

	t=json_new_program
	sleep 300 & pid=$!; track "$pid"
	scr --json "$pid" execve "\"$TGT\"" NULL NULL
	if [ "$RC" -eq 0 ] && python3 -c '
import json, sys
o = json.loads(sys.argv[1])
assert o["retval"] == 0 and o["new_program"] == sys.argv[2], o
' "$OUT" "$TGT" && released "$pid"; then
		pass $t
	else
		fail $t "exit $RC: $OUT $ERR"
	fi
}
test_execve

# ---- seccomp ----------------------------------------------------------

test_seccomp() {
	local t pid rdy=$TMPD/seccomp.ready
	"$TGT" seccomp "$rdy" & pid=$!; track "$pid"
	if ! wait_until 5 '[ "$(cat "$rdy" 2>/dev/null)" = ready ]'; then
		fail seccomp_target "target did not install its filter"
		return
	fi
	t=seccomp_kill_refused
	scr "$pid" getppid
	if [ "$RC" -ne 3 ] || [ -n "$OUT" ]; then
		fail $t "exit $RC: $OUT $ERR"
	elif [[ $ERR != *"getppid refused: the seccomp filter of process $pid"* ]]; then
		fail $t "message: $ERR"
	elif ! released "$pid"; then
		fail $t "target not released"
	else
		kill -USR1 "$pid"
		if wait_until 5 '[ "$(cat "$rdy")" = alive ]'; then
			pass $t
		else
			fail $t "target does not answer after the refusal"
		fi
	fi

	t=seccomp_errno_reported
	scr "$pid" getuid
	[ "$RC" -eq 1 ] && [ "$OUT" = "getuid() = -1 EBADFD (File descriptor in bad state)" ] &&
		pass $t || fail $t "exit $RC: $OUT $ERR"

	# Without CAP_SYS_ADMIN the filters cannot be read: refused, with
	# the cause and both fixes named; --no-seccomp-check overrides.
	t=seccomp_unreadable_refused
	if [ "$(id -u)" -ne 0 ] || ! command -v setpriv >/dev/null; then
		skip $t "needs root and setpriv to drop CAP_SYS_ADMIN"
		skip seccomp_override_option "needs root and setpriv"
		return
	fi
	local drop=(setpriv --bounding-set=-sys_admin --inh-caps=-sys_admin)
	OUT=$(timeout 20 "${drop[@]}" "$SCR" "$pid" getpid 2>"$TMPD/stderr")
	RC=$? ERR=$(cat "$TMPD/stderr")
	if [ "$RC" -ne 3 ] || [ -n "$OUT" ]; then
		fail $t "exit $RC: $OUT $ERR"
	elif [[ $ERR != *"needs CAP_SYS_ADMIN"* || $ERR != *"as root"* ||
		$ERR != *"--no-seccomp-check"* ]]; then
		fail $t "message: $ERR"
	else
		pass $t
	fi
	t=seccomp_override_option
	OUT=$(timeout 20 "${drop[@]}" "$SCR" --no-seccomp-check "$pid" getpid 2>"$TMPD/stderr")
	RC=$? ERR=$(cat "$TMPD/stderr")
	if [ "$RC" -eq 0 ] && [ "$OUT" = "getpid() = $pid" ] && released "$pid"; then
		pass $t
	else
		fail $t "exit $RC: $OUT $ERR"
	fi
}
test_seccomp

# ---- the PID pinned at start -------------------------------------------
#
# strace holds scremote for 1.5 s right after its pidfd_open; meanwhile
# the target dies (and, in a PID namespace of our own, its PID is given
# to a new process).  scremote must exit 3, saying so, and leave the new
# process alone.
test_pinning() {
	if ! command -v strace >/dev/null || ! command -v unshare >/dev/null; then
		skip pid_died_after_pinning "needs strace and unshare"
		skip pid_reused_after_pinning "needs strace and unshare"
		return
	fi
	# LeakSanitizer cannot run under a tracer (the ASan pass).
	local hold=(env ASAN_OPTIONS=detect_leaks=0
		    strace -o /dev/null -e trace=pidfd_open
		    -e inject=pidfd_open:delay_exit=1500000)
	local t=pid_died_after_pinning pid r rc
	sleep 300 & pid=$!; track "$pid"
	"${hold[@]}" "$SCR" "$pid" getpid >"$TMPD/pin.out" 2>"$TMPD/pin.err" &
	r=$!; track "$r"
	sleep 0.6
	kill -KILL "$pid"
	wait "$pid" 2>/dev/null
	reap_within "$r" 10; rc=$BG
	if [ "$rc" = 3 ] && [ ! -s "$TMPD/pin.out" ] &&
	   grep -q "process $pid exited before scremote could attach" "$TMPD/pin.err"; then
		pass $t
	else
		fail $t "exit $rc: $(cat "$TMPD/pin.out" "$TMPD/pin.err")"
	fi

	t=pid_reused_after_pinning
	if [ "$(id -u)" -ne 0 ] || ! timeout 5 unshare --pid --fork --mount-proc true 2>/dev/null; then
		skip $t "cannot make a PID namespace here"
		return
	fi
	timeout -k 2 20 unshare --pid --fork --mount-proc bash -c '
		sleep 300 & old=$!
		"${@:2}" "$1" "$old" getpid >"'"$TMPD"'/reuse.out" 2>"'"$TMPD"'/reuse.err" & r=$!
		sleep 0.6
		kill -KILL "$old"; wait "$old"
		echo $((old - 1)) >/proc/sys/kernel/ns_last_pid
		sleep 300 & new=$!
		wait "$r"; rc=$?
		tracer=$(sed -n "s/^TracerPid:\t//p" /proc/$new/status)
		state=$(sed -n "s/^State:\t\(.\).*/\1/p" /proc/$new/status)
		echo "$old $new $rc $tracer $state"
	' _ "$SCR" "${hold[@]}" >"$TMPD/reuse.res" 2>/dev/null
	local old new rc2 tracer state
	read -r old new rc2 tracer state <"$TMPD/reuse.res"
	if [ "${old:-x}" != "${new:-y}" ]; then
		skip $t "could not reuse the PID (got ${old:-?} and ${new:-?})"
	elif [ "$rc2" = 3 ] && [ "$tracer" = 0 ] && [ "$state" = S ] &&
	     [ ! -s "$TMPD/reuse.out" ] &&
	     grep -q "its PID now belongs to another process, which was left alone" "$TMPD/reuse.err"; then
		pass $t
	else
		fail $t "exit $rc2, tracer $tracer, state $state: $(cat "$TMPD/reuse.out" "$TMPD/reuse.err")"
	fi
}
test_pinning

# ---- -t with a thread that is not the process's ------------------------

test_foreign_tid() {
	local t=tid_of_another_process a b
	sleep 300 & a=$!; track "$a"
	sleep 300 & b=$!; track "$b"
	scr -t "$b" "$a" gettid
	if [ "$RC" -eq 3 ] && [ -z "$OUT" ] &&
	   [[ $ERR == *"thread $b is not a thread of process $a (it belongs to process $b"* ]] &&
	   released "$a" && released "$b"; then
		pass $t
	else
		fail $t "exit $RC: $OUT $ERR"
	fi

	t=pid_that_is_a_thread
	python3 -c '
import threading, time
threading.Thread(target=time.sleep, args=(300,), daemon=True).start()
time.sleep(300)' & a=$!; track "$a"
	if ! wait_until 10 '[ "$(ls /proc/$a/task 2>/dev/null | wc -l)" -ge 2 ]'; then
		skip $t "python3 thread did not start"
		return
	fi
	b=$(ls "/proc/$a/task" | grep -vx "$a" | head -1)
	scr "$b" gettid
	if [ "$RC" -eq 3 ] && [[ $ERR == *"$b is a thread of process $a, not a process: use 'scremote $a -t $b"* ]]; then
		pass $t
	else
		fail $t "exit $RC: $OUT $ERR"
	fi
}
test_foreign_tid

finish
