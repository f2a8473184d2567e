#!/usr/bin/env bash
# The programs in examples/, each against a live process, checking the
# effect from outside (/proc, ss) and from inside the target where it can
# tell (cli_target reports its own socket options on SIGUSR1).
. "$SCREMOTE_TOP/tests/cli/lib.sh"

EX=$SCREMOTE_BUILD/examples

# ex NAME ARGS...: runs an example with a bound; sets OUT, ERR, RC.
ex() {
	local name=$1
	shift
	OUT=$(timeout -k 2 20 "$EX/$name" "$@" 2>"$TMPD/stderr")
	RC=$?
	ERR=$(cat "$TMPD/stderr")
}

# fdlist: each descriptor with its mode and offset; the offsets are not
# moved by asking.
test_fdlist() {
	local t=fdlist pid fd row
	head -c 1000 /dev/zero >"$TMPD/data"
	exec 7< <(exec sleep 300)	# a pipe; bash sets $! to its writer
	track $!
	"$TGT" hold "$TMPD/data" 123 "$TMPD/hold" 3>"$TMPD/w3" 4<>"$TMPD/rw4" \
		5<&7 7<&- & pid=$!; track "$pid"
	exec 7<&-
	wait_until 5 '[ -s "$TMPD/hold" ]' || { fail $t "no target"; return; }
	fd=$(cat "$TMPD/hold")
	ex fdlist "$pid"
	if [ "$RC" -ne 0 ]; then
		fail $t "rc $RC: $ERR"; return
	fi
	row() { awk -v fd="$1" '$1 == fd { print $1, $2, $3, $4 }' <<<"$OUT"; }
	if [ "$(head -1 <<<"$OUT" | tr -s ' ')" != " FD MODE OFFSET NAME" ]; then
		fail $t "header: $(head -1 <<<"$OUT")"
	elif [ "$(row "$fd")" != "$fd r 123 $TMPD/data" ]; then
		fail $t "held file: '$(row "$fd")'"
	elif [ "$(row 3)" != "3 w 0 $TMPD/w3" ] ||
	     [ "$(row 4)" != "4 rw 0 $TMPD/rw4" ]; then
		fail $t "fds 3, 4: '$(row 3)' '$(row 4)'"
	elif ! row 5 | grep -qx '5 r - pipe:\[[0-9]*\]'; then
		fail $t "pipe: '$(row 5)'"
	elif [ "$(grep -c . <<<"$OUT")" -ne "$(($(ls "/proc/$pid/fd" | wc -l) + 1))" ]; then
		fail $t "not every descriptor listed: $OUT"
	elif ! grep -qx 'pos:[[:space:]]*123' "/proc/$pid/fdinfo/$fd"; then
		fail $t "offset moved: $(head -1 "/proc/$pid/fdinfo/$fd")"
	elif ! released "$pid"; then
		fail $t "target not released"
	else
		pass $t
	fi
}

test_fdlist_errors() {
	local t=fdlist_errors d
	d=$(dead_pid)
	ex fdlist
	[ "$RC" -eq 2 ] || { fail $t "no argument: rc $RC"; return; }
	ex fdlist 12x
	[ "$RC" -eq 2 ] || { fail $t "bad pid: rc $RC"; return; }
	ex fdlist "$d"
	[ "$RC" -eq 3 ] && [[ $ERR == *"No such process"* ]] ||
		{ fail $t "dead pid: rc $RC $ERR"; return; }
	pass $t
}

# keepalive: SO_KEEPALIVE and its timing on an accepted connection.
test_keepalive() {
	local t=keepalive pid port lfd cfd
	"$TGT" server "$TMPD/ready" "$TMPD/report" & pid=$!; track "$pid"
	wait_until 5 '[ -s "$TMPD/ready" ]' || { fail $t "no server"; return; }
	read -r port lfd <"$TMPD/ready"
	exec 9<>"/dev/tcp/127.0.0.1/$port" || { fail $t "cannot connect"; return; }
	wait_until 5 '[ "$(wc -l <"$TMPD/ready")" -ge 2 ]' ||
		{ fail $t "no accept"; exec 9>&-; return; }
	cfd=$(sed -n 2p "$TMPD/ready")
	ex keepalive "$pid" "$cfd" 42 7 3
	if [ "$RC" -ne 0 ] ||
	   [ "$OUT" != "fd $cfd: SO_KEEPALIVE=1 TCP_KEEPIDLE=42 TCP_KEEPINTVL=7 TCP_KEEPCNT=3" ]; then
		fail $t "rc $RC: $OUT $ERR"; exec 9>&-; return
	fi
	# From inside: the target's own getsockopt.
	kill -USR1 "$pid"
	wait_until 5 '[ -s "$TMPD/report" ]' ||
		{ fail $t "no report from the target"; exec 9>&-; return; }
	if ! grep -q '^conn keepalive=1 ' "$TMPD/report" ||
	   ! grep -q '^listen keepalive=0 ' "$TMPD/report"; then
		fail $t "target reports $(tr '\n' ' ' <"$TMPD/report")"; exec 9>&-; return
	fi
	# From outside: the kernel's keepalive timer, set to TCP_KEEPIDLE.
	if command -v ss >/dev/null &&
	   ! ss -tnoe state established "( sport = :$port )" |
		grep -q 'timer:(keepalive,4[0-2]sec'; then
		fail $t "ss: $(ss -tnoe state established "( sport = :$port )" | tail -1)"
		exec 9>&-; return
	fi
	exec 9>&-
	released "$pid" || { fail $t "target not released"; return; }
	# Scratch memory is unmapped again: the memory map is unchanged.
	local before after
	before=$(cat "/proc/$pid/maps")
	ex keepalive "$pid" "$lfd"
	after=$(cat "/proc/$pid/maps")
	[ "$RC" -eq 0 ] && [ "$before" = "$after" ] ||
		{ fail $t "listening socket: rc $RC $ERR, or maps changed"; return; }
	pass $t
}

test_keepalive_errors() {
	local t=keepalive_errors pid
	sleep 300 & pid=$!; track "$pid"
	ex keepalive "$pid" 0
	if [ "$RC" -ne 1 ] || [[ $ERR != *"setsockopt SO_KEEPALIVE: Socket operation on non-socket"* ]]; then
		fail $t "non-socket: rc $RC $ERR"; return
	fi
	ex keepalive "$pid" 99
	if [ "$RC" -ne 1 ] || [[ $ERR != *"Bad file descriptor"* ]]; then
		fail $t "closed fd: rc $RC $ERR"; return
	fi
	ex keepalive "$pid" 0 0
	[ "$RC" -eq 2 ] || { fail $t "IDLE 0: rc $RC"; return; }
	released "$pid" || { fail $t "target not released"; return; }
	pass $t
}

# redirect: the target's stdout goes to the file, after a hello.
test_redirect() {
	local t=redirect pid
	"$TGT" tick 20 >"$TMPD/orig.log" & pid=$!; track "$pid"
	wait_until 5 '[ -s "$TMPD/orig.log" ]' || { fail $t "no target"; return; }
	ex redirect "$pid" "$TMPD/new.log"
	if [ "$RC" -ne 0 ] || ! grep -qx "  getpid() = $pid" <<<"$OUT"; then
		fail $t "rc $RC: $OUT $ERR"; return
	fi
	grep -qx "hello from inside PID $pid" "$TMPD/orig.log" ||
		{ fail $t "no hello in the old stdout"; return; }
	[ "$(readlink "/proc/$pid/fd/1")" = "$TMPD/new.log" ] ||
		{ fail $t "fd 1 is $(readlink "/proc/$pid/fd/1")"; return; }
	wait_until 5 'grep -q "^tick" "$TMPD/new.log"' ||
		{ fail $t "new.log does not grow"; return; }
	released "$pid" || { fail $t "target not released"; return; }
	pass $t
}

for e in fdlist keepalive redirect; do
	[ -x "$EX/$e" ] || { fail "build_$e" "$EX/$e not built"; }
done
test_fdlist
test_fdlist_errors
test_keepalive
test_keepalive_errors
test_redirect
finish
