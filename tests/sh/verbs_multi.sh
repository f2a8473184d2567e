#!/usr/bin/env bash
# Several processes at once: PID lists, --pidof, --pgrep; "[pid N]"
# prefixes; each process attached, acted on and released before the
# next (strace shows the order); the worst exit status; a failure does
# not skip the others unless --stop-on-error.
. "$SCREMOTE_TOP/tests/verbs/lib.sh"

# Three copies of the target under a name of their own (a process name
# is its program's, up to 15 characters).
NAME=scrvm$$
NAME=${NAME:0:15}
cp "$VT" "$TMPD/$NAME"
P=()
for i in 1 2 3; do
	mkdir -p "$TMPD/m$i"
	"$TMPD/$NAME" fds "$TMPD/m$i" "$TMPD/m$i.ready" >/dev/null 2>&1 & P+=($!); track $!
done
for i in 1 2 3; do
	wait_until 10 '[ -s "$TMPD/m$i.ready" ]' || { fail multi_targets "target $i did not start"; finish; }
done
CONN=$(ready_field "$TMPD/m1.ready" conn)
LIST="${P[0]},${P[1]},${P[2]}"

test_pid_list() {
	local t=pid_list p
	scr fds "$LIST"
	[ "$RC" -eq 0 ] || { fail $t "rc $RC: $ERR"; return; }
	for p in "${P[@]}"; do
		[ "$(grep -c "^\[pid $p\] " <<<"$OUT")" -eq $(($(ls "/proc/$p/fd" | wc -l) + 1)) ] ||
			{ fail $t "lines of $p: $OUT"; return; }
	done
	# In the order given.
	[ "$(grep -o '^\[pid [0-9]*\]' <<<"$OUT" | uniq | tr -d '[]a-z ' | tr '\n' ',')" = "$LIST," ] ||
		{ fail $t "order: $OUT"; return; }
	scr fds "${P[0]}"
	! grep -q '^\[pid' <<<"$OUT" || { fail $t "a single process got prefixes"; return; }
	pass $t
}

test_pidof_and_pgrep() {
	local t=pidof_and_pgrep want got
	want=$(printf '%s\n' "${P[@]}" | sort -n | tr '\n' ' ')
	scr fds --json --pidof "$NAME"
	got=$(pyq '" ".join(str(o["pid"]) for o in J) + " "' <<<"$OUT")
	[ "$RC" -eq 0 ] && [ "$got" = "$want" ] || { fail $t "--pidof: rc $RC: $got, want $want ($ERR)"; return; }
	scr fds --json --pgrep "^${NAME:0:5}(${NAME:5})$"
	got=$(pyq '" ".join(str(o["pid"]) for o in J) + " "' <<<"$OUT")
	[ "$RC" -eq 0 ] && [ "$got" = "$want" ] || { fail $t "--pgrep: rc $RC: $got, want $want ($ERR)"; return; }
	scr fds --pgrep 'no_such_name_[0-9]{9}'
	[ "$RC" -eq 3 ] && [[ $ERR == *"--pgrep 'no_such_name_[0-9]{9}': no process name matches"* ]] ||
		{ fail $t "no match: rc $RC $ERR"; return; }
	scr fds --pidof "no_such_prog_$$"
	[ "$RC" -eq 3 ] && [[ $ERR == *"no process runs a program of that name"* ]] || { fail $t "pidof no match: rc $RC $ERR"; return; }
	scr fds --pgrep 'a(' 
	[ "$RC" -eq 2 ] && [[ $ERR == *"not a valid extended regular expression"* ]] || { fail $t "bad regex: rc $RC $ERR"; return; }
	scr fds --pgrep x --pidof y
	[ "$RC" -eq 2 ] || { fail $t "--pgrep with --pidof: rc $RC"; return; }
	scr fds --pidof /usr/bin/x
	[ "$RC" -eq 2 ] && [[ $ERR == *"give a program name, not a path"* ]] || { fail $t "pidof path: rc $RC $ERR"; return; }
	pass $t
}

# One process at a time: in strace's log of scremote, the ptrace
# requests of each process form one run, ending with its release.
test_one_at_a_time() {
	local t=one_at_a_time order
	if ! have strace; then skip $t "strace not installed"; return; fi
	under_strace "$TMPD/multi.strace" sockopt "$LIST" "$CONN" nodelay=1 >"$TMPD/multi.out" 2>&1
	order=$(sed -n 's/.*ptrace(PTRACE_[A-Z]*, \([0-9]*\),.*/\1/p' "$TMPD/multi.strace" | uniq | tr '\n' ',')
	[ "$order" = "$LIST," ] || { fail $t "ptrace requests by process: $order (want $LIST,)"; return; }
	for p in "${P[@]}"; do
		grep -q "ptrace(PTRACE_DETACH, $p," "$TMPD/multi.strace" || { fail $t "$p not detached"; return; }
		released "$p" || { fail $t "$p not released"; return; }
	done
	grep -qx "\[pid ${P[2]}\] fd $CONN: nodelay [01] -> 1" "$TMPD/multi.out" || { fail $t "output: $(cat "$TMPD/multi.out")"; return; }
	pass $t
}

# The worst status wins; a failure does not skip the others...
test_worst_status() {
	local t=worst_status dead
	dead=$(dead_pid)
	scr sockopt -v "${P[0]},$dead,${P[1]}" "$CONN" keepcnt=6
	[ "$RC" -eq 3 ] || { fail $t "rc $RC, want 3"; return; }
	grep -qx "\[pid ${P[0]}\] fd $CONN: keepcnt 4 -> 6" <<<"$OUT" &&
		grep -qx "\[pid ${P[1]}\] fd $CONN: keepcnt 4 -> 6" <<<"$OUT" ||
		{ fail $t "output: $OUT"; return; }
	grep -qx "scremote: \[pid $dead\] no process $dead (check the PID with ps or pgrep)" <<<"$ERR" &&
		grep -qx "\[pid ${P[1]}\] setsockopt($CONN, IPPROTO_TCP, TCP_KEEPCNT, \[6\], 4) = 0" <<<"$ERR" ||
		{ fail $t "stderr: $ERR"; return; }
	# A refusal (2) is worse than success, milder than a failed attach.
	scr sockopt "${P[0]},${P[1]}" "$(ready_field "$TMPD/m1.ready" file)" keepcnt=6
	[ "$RC" -eq 2 ] && [ "$(grep -c 'is not a socket' <<<"$ERR")" -eq 2 ] || { fail $t "refusals: rc $RC $ERR"; return; }
	pass $t
}

# ...unless --stop-on-error.
test_stop_on_error() {
	local t=stop_on_error dead
	dead=$(dead_pid)
	scr sockopt --stop-on-error "$dead,${P[0]},${P[1]}" "$CONN" keepcnt=7
	[ "$RC" -eq 3 ] && [ -z "$OUT" ] && [[ $ERR == *"--stop-on-error: 2 processes left untouched"* ]] ||
		{ fail $t "rc $RC: $OUT $ERR"; return; }
	scr sockopt "${P[0]}" "$CONN" keepcnt
	[ "$OUT" = "fd $CONN: keepcnt 6" ] || { fail $t "a process after the failure was touched: $OUT"; return; }
	pass $t
}

test_json_lines() {
	local t=json_lines got
	scr sockopt --json "$LIST" "$CONN" keepidle
	got=$(pyq '[(o["pid"], o["options"][0]["before"], o["status"]) for o in J]' <<<"$OUT")
	[ "$got" = "[[${P[0]}, 77, 0], [${P[1]}, 77, 0], [${P[2]}, 77, 0]]" ] || { fail $t "$got"; return; }
	pass $t
}

# The system call form takes the same lists, with the same rules.
test_syscall_form() {
	local t=syscall_form dead got
	scr "$LIST" getpid
	[ "$RC" -eq 0 ] && [ "$OUT" = "[pid ${P[0]}] getpid() = ${P[0]}
[pid ${P[1]}] getpid() = ${P[1]}
[pid ${P[2]}] getpid() = ${P[2]}" ] || { fail $t "list: rc $RC: $OUT $ERR"; return; }
	scr --pidof "$NAME" -e 'getpid()' -e "fcntl($CONN, F_GETFD)"
	[ "$RC" -eq 0 ] && [ "$(grep -c "^\[pid [0-9]*\] fcntl($CONN, F_GETFD) = 0$" <<<"$OUT")" -eq 3 ] ||
		{ fail $t "--pidof: rc $RC: $OUT $ERR"; return; }
	scr --json --pgrep "^${NAME:0:5}(${NAME:5})$" getppid
	got=$(pyq '[o["pid"] for o in J if o["syscall"] == "getppid" and o["retval"] == '"$$"']' <<<"$OUT")
	[ "$RC" -eq 0 ] && [ "$got" = "[$(printf '%s\n' "${P[@]}" | sort -n | paste -sd, | sed 's/,/, /g')]" ] ||
		{ fail $t "--json --pgrep: rc $RC: $got $OUT"; return; }
	dead=$(dead_pid)
	scr "${P[0]},$dead,${P[1]}" getpid
	[ "$RC" -eq 3 ] && [ "$OUT" = "[pid ${P[0]}] getpid() = ${P[0]}
[pid ${P[1]}] getpid() = ${P[1]}" ] && [[ $ERR == *"scremote: [pid $dead] no process $dead"* ]] ||
		{ fail $t "worst status: rc $RC: $OUT $ERR"; return; }
	scr --stop-on-error "$dead,${P[0]}" getpid
	[ "$RC" -eq 3 ] && [ -z "$OUT" ] && [[ $ERR == *"--stop-on-error: 1 process left untouched"* ]] ||
		{ fail $t "--stop-on-error: rc $RC: $OUT $ERR"; return; }
	# Bad input is the same for every process: said once, nothing run.
	scr "$LIST" opnat
	[ "$RC" -eq 2 ] && [ -z "$OUT" ] && [ "$(grep -c "unknown system call 'opnat'" <<<"$ERR")" -eq 1 ] ||
		{ fail $t "bad input: rc $RC: $OUT $ERR"; return; }
	scr -t "${P[0]}" "$LIST" getpid
	[ "$RC" -eq 2 ] && [[ $ERR == *"-t names a thread of one process"* ]] || { fail $t "-t: rc $RC $ERR"; return; }
	if have strace; then
		under_strace "$TMPD/sys.strace" "$LIST" getpid >/dev/null 2>&1
		got=$(sed -n 's/.*ptrace(PTRACE_[A-Z]*, \([0-9]*\),.*/\1/p' "$TMPD/sys.strace" | uniq | tr '\n' ',')
		[ "$got" = "$LIST," ] || { fail $t "ptrace requests by process: $got"; return; }
	fi
	for p in "${P[@]}"; do
		released "$p" || { fail $t "$p not released"; return; }
	done
	pass $t
}

# A signal to scremote while a call blocks in the first process: the
# call is broken off, that process released, the others never touched.
test_interrupted() {
	local t=interrupted piper pid rc
	piper=$(ready_field "$TMPD/m1.ready" piper)
	"$SCR" --timeout 0 "${P[0]},${P[1]}" read "$piper" 'buf(1)' 1 >"$TMPD/int.out" 2>"$TMPD/int.err" &
	pid=$!
	wait_until 10 '[ "$(tracer_of "${P[0]}")" != 0 ]' || { fail $t "never attached"; kill "$pid"; return; }
	sleep 0.2
	# (SIGTERM: a background job of a script has SIGINT ignored.)
	kill -TERM "$pid"
	wait_until 10 '! kill -0 "$pid" 2>/dev/null' || { fail $t "scremote did not exit"; kill -KILL "$pid"; return; }
	wait "$pid"; rc=$?
	[ "$rc" -eq 143 ] || { fail $t "rc $rc: $(cat "$TMPD/int.err")"; return; }
	wait_until 10 'released "${P[0]}"' || { fail $t "first process not released"; return; }
	released "${P[0]}" && released "${P[1]}" || { fail $t "not released"; return; }
	! grep -q "pid ${P[1]}" "$TMPD/int.out" "$TMPD/int.err" || { fail $t "the second process was touched: $(cat "$TMPD/int.out" "$TMPD/int.err")"; return; }
	# scremote killed outright: its run still releases the process.
	"$SCR" --timeout 0 "${P[0]},${P[1]}" read "$piper" 'buf(1)' 1 >/dev/null 2>&1 &
	pid=$!
	wait_until 10 '[ "$(tracer_of "${P[0]}")" != 0 ]' || { fail $t "never attached"; kill "$pid"; return; }
	kill -KILL "$pid"
	wait "$pid" 2>/dev/null
	wait_until 10 'released "${P[0]}"' || { fail $t "not released after SIGKILL of scremote"; return; }
	released "${P[1]}" || { fail $t "second process touched"; return; }
	pass $t
}

test_pid_list
test_pidof_and_pgrep
test_syscall_form
test_interrupted
test_one_at_a_time
test_worst_status
test_stop_on_error
test_json_lines
finish
