#!/usr/bin/env bash
# End-to-end tests of scremote(1)'s failure paths and options: exit
# codes 1/2/3, messages that name the cause and the fix, bad input refused
# before attaching, JSON, --list, -t, and signals during a call.
. "$SCREMOTE_TOP/tests/cli/lib.sh"

sleep 300 & S=$!; track "$S"
wait_until 5 '[ "$(status_field "$S" State | cut -c1)" = S ]'

# expect_usage NAME 'message part' ARGS...: exit 2, message, target intact.
expect_usage() {
	local t=$1 msg=$2
	shift 2
	scr "$@"
	if [ "$RC" -ne 2 ]; then
		fail "$t" "exit $RC, expected 2 ($ERR)"
	elif [[ $ERR != *"$msg"* ]]; then
		fail "$t" "message lacks '$msg': $ERR"
	elif [ -n "$OUT" ]; then
		fail "$t" "printed a result: $OUT"
	elif ! released "$S"; then
		fail "$t" "target left traced or stopped"
	else
		pass "$t"
	fi
}

expect_usage usage_unknown_syscall "did you mean 'openat'" "$S" opnat 1
expect_usage usage_unknown_syscall_e "did you mean 'getpid'" "$S" -e 'getpdi()'
expect_usage usage_ref_too_far '$1..$1' "$S" -e getpid -e 'close($9)'
expect_usage usage_ref_first 'this is the first call' "$S" close '$1'
expect_usage usage_pid_not_number "is not a process id" 12x getpid
expect_usage usage_pid_zero "is not a process id" 0 getpid
expect_usage usage_pid_negative "unknown option '-5'" -5 getpid
expect_usage usage_buf_too_big "1..1048576 bytes" "$S" read 0 'buf(2000000)' 1
expect_usage usage_too_many_args "at most 6" "$S" mmap 1 2 3 4 5 6 7
expect_usage usage_unquoted_path "strings need double quotes" "$S" chdir /tmp
expect_usage usage_bad_string "no closing '\"'" "$S" -e 'chdir("/tmp)'
expect_usage usage_unknown_const "did you mean 'O_CREAT'" "$S" -e 'openat(AT_FDCWD, "x", O_CRAET)'
expect_usage usage_no_call "nothing to run" "$S"
expect_usage usage_no_pid "missing PID" --timeout 100
expect_usage usage_unknown_option "unknown option '--frobnicate'" --frobnicate "$S" getpid
expect_usage usage_bad_timeout "--timeout 'soon'" --timeout soon "$S" getpid
expect_usage usage_bad_tid "-t 'x'" -t x "$S" getpid
expect_usage usage_words_after_e "write each call as -e" "$S" -e getpid close 3

# The caret points at the offending text.
scr "$S" -e 'openat(AT_FDCWD, "x", O_CRAET)'
if grep -qx '                        ^~~~~~~' <<<"$ERR"; then
	pass usage_caret
else
	fail usage_caret "no caret under O_CRAET: $ERR"
fi

# Parsing comes before attaching: bad input for a dead PID is still 2.
D=$(dead_pid)
scr "$D" opnat
[ "$RC" -eq 2 ] && pass usage_before_attach || fail usage_before_attach "exit $RC"

# Exit 3: no such process.
scr "$D" getpid
if [ "$RC" -eq 3 ] && [[ $ERR == *"no process $D"* ]]; then
	pass norun_no_such_pid
else
	fail norun_no_such_pid "exit $RC: $ERR"
fi

# Exit 3: a kernel thread (kthreadd is PID 2 wherever there is one) is
# diagnosed as such, not with advice about permissions or SELinux.
if grep -q '^Name:.*kthreadd' /proc/2/status 2>/dev/null; then
	scr 2 getpid
	if [ "$RC" -eq 3 ] && [[ $ERR == *"is a kernel thread"* ]] &&
	   [[ $ERR != *SELinux* ]]; then
		pass norun_kernel_thread
	else
		fail norun_kernel_thread "exit $RC: $ERR"
	fi
else
	skip norun_kernel_thread "PID 2 is not kthreadd here (a container?)"
fi

# Exit 3: a thread that is not in the process.
scr -t "$D" "$S" getpid
if [ "$RC" -eq 3 ] && [[ $ERR == *"thread $D is not a thread of process $S"* ]]; then
	pass norun_bad_tid
else
	fail norun_bad_tid "exit $RC: $ERR"
fi

# Exit 3: permission, explained with the ptrace rules of this machine.
if [ "$(id -u)" -ne 0 ]; then
	skip norun_permission "needs root to run scremote as another user"
elif ! command -v setpriv >/dev/null; then
	skip norun_permission "setpriv not installed"
else
	OUT=$(timeout 20 setpriv --reuid=65534 --regid=65534 --clear-groups \
		--inh-caps=-all "$SCR" "$S" getpid 2>"$TMPD/stderr")
	RC=$? ERR=$(cat "$TMPD/stderr")
	if [ "$RC" -ne 3 ]; then
		fail norun_permission "exit $RC: $ERR"
	elif [[ $ERR != *"cannot attach to process $S (sleep)"* ||
		$ERR != *"same user as the target or CAP_SYS_PTRACE"* ||
		$ERR != *"you are uid 65534, the target runs as uid 0"* ]]; then
		fail norun_permission "unclear message: $ERR"
	elif [ -e /proc/sys/kernel/yama/ptrace_scope ] &&
	     [[ $ERR != *"Yama ptrace_scope is $(cat /proc/sys/kernel/yama/ptrace_scope)"* ]]; then
		fail norun_permission "Yama not explained: $ERR"
	else
		pass norun_permission
	fi
fi

# Exit 3: the target already has a tracer, named in the message.
if command -v strace >/dev/null; then
	strace -p "$S" -o /dev/null 2>/dev/null & st=$!; track "$st"
	if wait_until 5 '[ "$(status_field "$S" TracerPid)" = "$st" ]'; then
		scr "$S" getpid
		if [ "$RC" -eq 3 ] &&
		   [[ $ERR == *"already traced by process $st (strace)"* ]]; then
			pass norun_already_traced
		else
			fail norun_already_traced "exit $RC: $ERR"
		fi
	else
		skip norun_already_traced "strace could not attach"
	fi
	kill "$st" 2>/dev/null
	wait_until 5 '[ "$(status_field "$S" TracerPid)" = 0 ]'
else
	skip norun_already_traced "strace not installed"
fi

# Exit 1: a failing call stops the run; later calls are not made.
(cd / && exec sleep 300) & C=$!; track "$C"
wait_until 5 '[ "$(readlink /proc/$C/cwd)" = / ]'
scr "$C" -e 'close(9999)' -e "chdir(\"$TMPD\")"
if [ "$RC" -eq 1 ] && [ "$OUT" = "close(9999) = -1 EBADF (Bad file descriptor)" ] &&
   [ "$(readlink "/proc/$C/cwd")" = / ] && released "$C"; then
	pass fail_stops_run
else
	fail fail_stops_run "exit $RC, cwd $(readlink "/proc/$C/cwd"): $OUT"
fi

# Back-references carry results; raw numbers run the same call.
scr "$S" -e getpid -e 'kill($1, 0)' -e '#39' -e 'syscall_39()'
if [ "$RC" -eq 0 ] && [ "$OUT" = "getpid() = $S
kill($S, 0) = 0
getpid() = $S
getpid() = $S" ]; then
	pass backref_and_numbers
else
	fail backref_and_numbers "exit $RC: $OUT $ERR"
fi

# Output buffers: what the target reads is shown strace-style.
printf 'line one\n\001\002' >"$TMPD/in"
"$TGT" hold "$TMPD/in" 0 "$TMPD/h" & H=$!; track "$H"
wait_until 5 '[ -s "$TMPD/h" ]'
hfd=$(cat "$TMPD/h")
scr "$H" -e "read($hfd, buf(64), 64)" -e "pread64($hfd, buf(4), 4, 5)" \
	-e 'getcwd(buf(4096), 4096)'
if [ "$RC" -eq 0 ] && [ "$OUT" = "read($hfd, \"line one\\n\\1\\2\", 64) = 11
pread64($hfd, \"one\\n\", 4, 5) = 4
getcwd(\"$PWD\", 4096) = $((${#PWD} + 1))" ]; then
	pass output_buffers
else
	fail output_buffers "exit $RC: $OUT $ERR"
fi

# JSON: one object per call per line, with the documented fields.
scr --json "$S" -e getpid -e 'close(9999)'
if [ "$RC" -eq 1 ] && python3 - "$S" "$OUT" <<'EOF'
import json, sys
pid, out = int(sys.argv[1]), sys.argv[2].splitlines()
assert len(out) == 2, out
a, b = (json.loads(l) for l in out)
assert a["syscall"] == "getpid" and a["retval"] == pid and a["errno"] == 0
assert a["errname"] is None and a["args"] == [] and a["call"] == 1
assert b["syscall"] == "close" and b["retval"] == -1 and b["errno"] == 9
assert b["errname"] == "EBADF"
assert b["args"] == [{"name": "fd", "text": "9999", "input": "9999", "value": 9999}]
assert isinstance(b["nr"], int) and b["buffers"] == []
EOF
then
	pass json_output
else
	fail json_output "exit $RC: $OUT"
fi

scr --json "$H" lseek "$hfd" 0 SEEK_SET
scr --json "$H" read "$hfd" 'buf(8)' 8
if python3 -c '
import json, sys
o = json.loads(sys.argv[1])
b = o["buffers"][0]
assert b["arg"] == 1 and b["len"] == 8 and b["data"] == "line one"
assert bytes.fromhex(b["hex"]) == b"line one"
' "$OUT"; then
	pass json_buffer
else
	fail json_buffer "$OUT"
fi

# --list: the generated table, with numbers and prototypes; --help and
# --version.
scr --list
n=$(grep -c '^[a-z_0-9]* *[0-9]* (.*)$' <<<"$OUT")
if [ "$RC" -eq 0 ] && [ "$n" -gt 300 ] &&
   grep -q '^openat  *[0-9][0-9]* (int dfd, const char \*filename, int flags\[, umode_t mode\])$' <<<"$OUT"; then
	pass list
else
	fail list "exit $RC, $n names"
fi
scr --list "$S"
[ "$RC" -eq 0 ] && [[ $OUT == "# x86_64:"* || $OUT == "# "* ]] &&
	pass list_for_pid || fail list_for_pid "exit $RC"
scr --help
[ "$RC" -eq 0 ] && [[ $OUT == usage:* ]] && pass help || fail help "exit $RC"
scr --version
[ "$RC" -eq 0 ] && [[ $OUT == "scremote "* ]] && pass version || fail version "exit $RC"

# -t: a call runs in the chosen thread (gettid returns its id).
python3 -c '
import threading, time
threading.Thread(target=time.sleep, args=(300,), daemon=True).start()
time.sleep(300)' & P=$!; track "$P"
if wait_until 10 '[ "$(ls /proc/$P/task 2>/dev/null | wc -l)" -ge 2 ]'; then
	tid=$(ls "/proc/$P/task" | grep -vx "$P" | head -1)
	scr -t "$tid" "$P" gettid
	a=$OUT
	scr "$P" gettid
	if [ "$a" = "gettid() = $tid" ] && [ "$OUT" = "gettid() = $P" ]; then
		pass thread_option
	else
		fail thread_option "got '$a' and '$OUT'"
	fi
else
	skip thread_option "python3 thread did not start"
fi

# A signal during a blocked call: the call is abandoned, the target is
# released unchanged (its own pending read still gets the data), and
# scremote exits 128+signal.
mkfifo "$TMPD/fifo"
cat <"$TMPD/fifo" >"$TMPD/cat.out" & K=$!; track "$K"
exec 8>"$TMPD/fifo"
wait_until 5 '[ "$(status_field "$K" State | cut -c1)" = S ]'
# Not under timeout(1): it would forward the signal and then SIGKILL.
"$SCR" --timeout 2000 "$K" read 0 'buf(16)' 16 \
	>"$TMPD/sig.out" 2>"$TMPD/sig.err" & R=$!; track "$R"
sleep 0.5
kill -TERM "$R"
# The call in flight is broken off at once, then the target is released
# (tests/sh/cli_robust.sh checks each signal with no --timeout at all).
if wait_until 10 '! kill -0 $R 2>/dev/null || [ "$(status_field $R State | cut -c1)" = Z ]'; then
	wait "$R"; RC=$?
else
	RC=timeout
fi
released "$K"; k_released=$?
echo hello >&8
exec 8>&-
if [ "$RC" -ne 143 ]; then
	fail signal_releases "exit $RC: $(cat "$TMPD/sig.err")"
elif [ "$k_released" -ne 0 ]; then
	fail signal_releases "target left traced or stopped"
elif ! grep -q 'interrupted by signal 15' "$TMPD/sig.err"; then
	fail signal_releases "no message: $(cat "$TMPD/sig.err")"
elif ! wait_until 5 '[ "$(cat "$TMPD/cat.out")" = hello ]'; then
	fail signal_releases "target lost its input: '$(cat "$TMPD/cat.out")'"
else
	pass signal_releases
fi

# SIGPIPE (stdout closed) after the first call: the second is not run,
# the target is released, exit 141.
(cd / && exec sleep 300) & W=$!; track "$W"
wait_until 5 '[ "$(readlink /proc/$W/cwd)" = / ]'
python3 - "$SCR" "$W" "$TMPD" <<'EOF' >"$TMPD/pipe.out" 2>&1
import os, subprocess, sys
scr, pid, d = sys.argv[1:]
r, w = os.pipe()
os.close(r)
p = subprocess.run([scr, pid, "-e", "getpid()", "-e", 'chdir("%s")' % d],
                   stdout=w, stderr=subprocess.PIPE, timeout=20)
print(p.returncode, p.stderr.decode().strip())
EOF
if [[ $(cat "$TMPD/pipe.out") == "141 "*"interrupted by signal 13"* ]] &&
   [ "$(readlink "/proc/$W/cwd")" = / ] && released "$W"; then
	pass sigpipe_between_calls
else
	fail sigpipe_between_calls "$(cat "$TMPD/pipe.out"), cwd $(readlink "/proc/$W/cwd")"
fi

# A stopped process is left stopped; a running one keeps running.
kill -STOP "$W"
wait_until 5 '[ "$(status_field "$W" State | cut -c1)" = T ]'
scr "$W" getpid
if [ "$RC" -eq 0 ] && [ "$OUT" = "getpid() = $W" ] &&
   [ "$(status_field "$W" State | cut -c1)" = T ] &&
   [ "$(status_field "$W" TracerPid)" = 0 ]; then
	pass stopped_stays_stopped
else
	fail stopped_stays_stopped "exit $RC, state $(status_field "$W" State)"
fi
kill -CONT "$W"

# Never setuid: a set-user-ID copy refuses to run, before anything else.
if [ "$(id -u)" -eq 0 ]; then
	cp "$SCR" "$TMPD/scremote-suid"
	chown 65534 "$TMPD/scremote-suid" && chmod 4755 "$TMPD/scremote-suid"
	chmod 755 "$TMPD"
	OUT=$(timeout 20 "$TMPD/scremote-suid" "$S" getpid 2>"$TMPD/stderr")
	RC=$? ERR=$(cat "$TMPD/stderr")
	if [ "$RC" -eq 2 ] && [[ $ERR == *"refusing to run setuid"* ]]; then
		pass refuses_setuid
	elif [ "$RC" -eq 0 ] && findmnt -no OPTIONS -T "$TMPD" | grep -qw nosuid; then
		skip refuses_setuid "$TMPD is on a nosuid mount"
	else
		fail refuses_setuid "exit $RC: $OUT $ERR"
	fi
else
	skip refuses_setuid "needs root to make a set-user-ID copy"
fi

released "$S" && pass target_intact || fail target_intact "sleep left traced"
finish
