#!/usr/bin/env bash
# End-to-end tests of the README recipes of scremote(1): each one acts on
# a real running process and checks the effect from outside (/proc,
# file contents, ss) and, where it can, from inside the target.
. "$SCREMOTE_TOP/tests/cli/lib.sh"

lines() { wc -l <"$1" 2>/dev/null || echo 0; }

# Redirect the stdout of a running process to a file.
test_redirect_stdout() {
	local t=redirect_stdout pid before fd
	"$TGT" tick 20 >"$TMPD/orig.log" & pid=$!; track "$pid"
	wait_until 5 '[ "$(lines "$TMPD/orig.log")" -ge 2 ]' ||
		{ fail $t "target did not start"; return; }
	scr "$pid" -e "openat(AT_FDCWD, \"$TMPD/new.log\", O_WRONLY|O_CREAT|O_APPEND, 0644)" \
		-e 'dup2($1, 1)' -e 'close($1)'
	fd=$(sed -n '1s/.* = \([0-9]*\)$/\1/p' <<<"$OUT")
	if [ "$RC" -ne 0 ] || [ -z "$fd" ]; then
		fail $t "rc $RC: $OUT $ERR"; return
	fi
	if ! grep -qx "openat(AT_FDCWD, \"$TMPD/new.log\", O_WRONLY|O_CREAT|O_APPEND, 0644) = $fd" <<<"$OUT" ||
	   ! grep -qx "dup2($fd, 1) = 1" <<<"$OUT" ||
	   ! grep -qx "close($fd) = 0" <<<"$OUT"; then
		fail $t "unexpected output: $OUT"; return
	fi
	[ "$(readlink "/proc/$pid/fd/1")" = "$TMPD/new.log" ] ||
		{ fail $t "fd 1 is $(readlink "/proc/$pid/fd/1")"; return; }
	[ ! -e "/proc/$pid/fd/$fd" ] ||
		{ fail $t "temporary fd $fd still open"; return; }
	wait_until 5 '[ "$(lines "$TMPD/new.log")" -ge 3 ]' ||
		{ fail $t "new.log does not grow"; return; }
	before=$(lines "$TMPD/orig.log")
	sleep 0.2
	[ "$(lines "$TMPD/orig.log")" -eq "$before" ] ||
		{ fail $t "old file still written"; return; }
	released "$pid" || { fail $t "target not released"; return; }
	pass $t
}

# The same with dup3, the positional form and a file name with a space.
test_redirect_dup3() {
	local t=redirect_dup3 pid fd
	"$TGT" tick 20 >/dev/null & pid=$!; track "$pid"
	scr "$pid" openat AT_FDCWD "\"$TMPD/with space.log\"" 'O_WRONLY|O_CREAT|O_TRUNC' 0600
	fd=${OUT##* = }
	[ "$RC" -eq 0 ] && [ -n "$fd" ] || { fail $t "openat: rc $RC $ERR"; return; }
	scr "$pid" dup3 "$fd" 1 0
	[ "$RC" -eq 0 ] && [ "$OUT" = "dup3($fd, 1, 0) = 1" ] ||
		{ fail $t "dup3: rc $RC $OUT $ERR"; return; }
	scr "$pid" close "$fd"
	[ "$(readlink "/proc/$pid/fd/1")" = "$TMPD/with space.log" ] ||
		{ fail $t "fd 1 is $(readlink "/proc/$pid/fd/1")"; return; }
	[ "$(stat -c %a "$TMPD/with space.log")" = 600 ] ||
		{ fail $t "mode 0600 not applied"; return; }
	wait_until 5 '[ "$(lines "$TMPD/with space.log")" -ge 2 ]' ||
		{ fail $t "file does not grow"; return; }
	pass $t
}

# Close a leaked descriptor; closing it again fails with EBADF, exit 1.
test_close_leaked_fd() {
	local t=close_leaked_fd pid
	echo leak >"$TMPD/leak"
	sleep 300 7<"$TMPD/leak" & pid=$!; track "$pid"
	wait_until 5 '[ -e /proc/$pid/fd/7 ]' || { fail $t "no fd 7"; return; }
	scr "$pid" close 7
	[ "$RC" -eq 0 ] && [ "$OUT" = "close(7) = 0" ] ||
		{ fail $t "rc $RC: $OUT $ERR"; return; }
	[ ! -e "/proc/$pid/fd/7" ] || { fail $t "fd 7 still open"; return; }
	scr "$pid" close 7
	[ "$RC" -eq 1 ] && [ "$OUT" = "close(7) = -1 EBADF (Bad file descriptor)" ] ||
		{ fail $t "second close: rc $RC: $OUT"; return; }
	released "$pid" || { fail $t "target not released"; return; }
	pass $t
}

# Change a process's working directory.
test_chdir() {
	local t=chdir pid
	mkdir -p "$TMPD/new cwd"
	(cd / && exec sleep 300) & pid=$!; track "$pid"
	wait_until 5 '[ "$(readlink /proc/$pid/cwd)" = / ]' ||
		{ fail $t "target did not start"; return; }
	scr "$pid" -e "chdir(\"$TMPD/new cwd\")"
	[ "$RC" -eq 0 ] && [ "$OUT" = "chdir(\"$TMPD/new cwd\") = 0" ] ||
		{ fail $t "rc $RC: $OUT $ERR"; return; }
	[ "$(readlink "/proc/$pid/cwd")" = "$TMPD/new cwd" ] ||
		{ fail $t "cwd is $(readlink "/proc/$pid/cwd")"; return; }
	# A failing chdir leaves it where it was.
	scr "$pid" chdir '"/nonexistent/dir"'
	[ "$RC" -eq 1 ] && [[ $OUT == *"= -1 ENOENT (No such file or directory)" ]] ||
		{ fail $t "bad chdir: rc $RC: $OUT"; return; }
	[ "$(readlink "/proc/$pid/cwd")" = "$TMPD/new cwd" ] ||
		{ fail $t "cwd moved by a failed chdir"; return; }
	pass $t
}

# SO_KEEPALIVE and SO_RCVBUF on a live server's sockets: checked by ss
# from outside and by the server itself (getsockopt on SIGUSR1).
test_socket_options() {
	local t=socket_options pid port lfd cfd rb
	"$TGT" server "$TMPD/ready" "$TMPD/report" & pid=$!; track "$pid"
	wait_until 5 '[ -s "$TMPD/ready" ]' || { fail $t "no server"; return; }
	read -r port lfd <"$TMPD/ready"
	exec 9<>"/dev/tcp/127.0.0.1/$port" ||
		{ fail $t "cannot connect"; return; }
	wait_until 5 '[ "$(wc -l <"$TMPD/ready")" -ge 2 ]' ||
		{ fail $t "no accept"; exec 9>&-; return; }
	cfd=$(sed -n 2p "$TMPD/ready")
	if ss -tnoe state established "( sport = :$port )" | grep -q keepalive; then
		fail $t "keepalive already on"; exec 9>&-; return
	fi
	scr "$pid" -e "setsockopt($cfd, SOL_SOCKET, SO_KEEPALIVE, int(1), 4)" \
		-e "setsockopt($lfd, SOL_SOCKET, SO_RCVBUF, int(32768), 4)" \
		-e "getsockopt($cfd, SOL_SOCKET, SO_KEEPALIVE, int(0), int(4))"
	if [ "$RC" -ne 0 ] ||
	   ! grep -qx "getsockopt($cfd, SOL_SOCKET, SO_KEEPALIVE, \[1\], \[4\]) = 0" <<<"$OUT"; then
		fail $t "rc $RC: $OUT $ERR"; exec 9>&-; return
	fi
	ss -tnoe state established "( sport = :$port )" | grep -q 'timer:(keepalive' ||
		{ fail $t "ss shows no keepalive timer"; exec 9>&-; return; }
	# The kernel doubles SO_RCVBUF for its bookkeeping.
	rb=$(ss -tlnm "( sport = :$port )" | grep -o 'rb[0-9]*' | head -1)
	[ "$rb" = rb65536 ] || { fail $t "ss shows $rb"; exec 9>&-; return; }
	kill -USR1 "$pid"
	wait_until 5 '[ -s "$TMPD/report" ]' || { fail $t "no report"; exec 9>&-; return; }
	grep -qx 'conn keepalive=1 rcvbuf=[0-9]*' "$TMPD/report" &&
		grep -qx 'listen keepalive=0 rcvbuf=65536' "$TMPD/report" ||
		{ fail $t "target reports $(tr '\n' ' ' <"$TMPD/report")"; exec 9>&-; return; }
	exec 9>&-
	pass $t
}

# Read a descriptor's offset with lseek; compare with /proc fdinfo.
test_lseek_offset() {
	local t=lseek_offset pid fd
	head -c 1000 /dev/zero >"$TMPD/data"
	"$TGT" hold "$TMPD/data" 123 "$TMPD/hold" & pid=$!; track "$pid"
	wait_until 5 '[ -s "$TMPD/hold" ]' || { fail $t "no target"; return; }
	fd=$(cat "$TMPD/hold")
	scr "$pid" lseek "$fd" 0 SEEK_CUR
	[ "$RC" -eq 0 ] && [ "$OUT" = "lseek($fd, 0, SEEK_CUR) = 123" ] ||
		{ fail $t "rc $RC: $OUT $ERR"; return; }
	grep -q '^pos:[[:space:]]*123$' "/proc/$pid/fdinfo/$fd" ||
		{ fail $t "fdinfo disagrees"; return; }
	# Moving it is visible from outside too.
	scr "$pid" lseek "$fd" -10 SEEK_END
	[ "$RC" -eq 0 ] && [ "$OUT" = "lseek($fd, -10, SEEK_END) = 990" ] &&
		grep -q '^pos:[[:space:]]*990$' "/proc/$pid/fdinfo/$fd" ||
		{ fail $t "SEEK_END: rc $RC: $OUT"; return; }
	scr "$pid" lseek "$fd" 0 99
	[ "$RC" -eq 1 ] && [[ $OUT == *"-1 EINVAL"* ]] ||
		{ fail $t "bad whence: rc $RC: $OUT"; return; }
	pass $t
}

# Drop a file's cached pages with fadvise64; fincore tells from outside.
test_fadvise_dontneed() {
	local t=fadvise_dontneed pid fd before after
	if ! command -v fincore >/dev/null; then
		skip $t "fincore (util-linux) not installed"; return
	fi
	dd if=/dev/urandom of="$TMPD/cached" bs=1M count=4 conv=fsync 2>/dev/null
	cat "$TMPD/cached" >/dev/null
	before=$(fincore -nb -o RES "$TMPD/cached" | tr -d ' ')
	if [ "${before:-0}" -eq 0 ]; then
		skip $t "this file system keeps no page cache for the file"; return
	fi
	"$TGT" hold "$TMPD/cached" 0 "$TMPD/hold2" & pid=$!; track "$pid"
	wait_until 5 '[ -s "$TMPD/hold2" ]' || { fail $t "no target"; return; }
	fd=$(cat "$TMPD/hold2")
	scr "$pid" fadvise64 "$fd" 0 0 POSIX_FADV_DONTNEED
	[ "$RC" -eq 0 ] && [ "$OUT" = "fadvise64($fd, 0, 0, POSIX_FADV_DONTNEED) = 0" ] ||
		{ fail $t "rc $RC: $OUT $ERR"; return; }
	after=$(fincore -nb -o RES "$TMPD/cached" | tr -d ' ')
	[ "${after:-1}" -lt "$before" ] && [ "$after" -le $((before / 4)) ] ||
		{ fail $t "cached bytes $before -> $after"; return; }
	pass $t
}

test_redirect_stdout
test_redirect_dup3
test_close_leaked_fd
test_chdir
test_socket_options
test_lseek_offset
test_fadvise_dontneed
finish
