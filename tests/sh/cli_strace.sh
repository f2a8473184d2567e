#!/usr/bin/env bash
# A line of strace's output is a scremote call: real programs are traced
# (strace -e CALL), the lines they produce are replayed unchanged into a
# live target, and the effect seen from inside the target (its own
# report, cli_target state) must be the effect the traced program had on
# itself; scremote's own line must read as strace's (up to the result).
. "$SCREMOTE_TOP/tests/cli/lib.sh"

if ! command -v strace >/dev/null || ! command -v python3 >/dev/null; then
	skip strace_replay "strace or python3 not installed (apt-get install strace python3)"
	finish
fi

# A fresh target that reports its own state on SIGUSR1.
start_target() {
	rm -f "$TMPD/ready" "$TMPD/report"
	"$TGT" state "$TMPD/ready" "$TMPD/report" >"$TMPD/target.out" 2>&1 &
	T=$!; track "$T"
	wait_until 5 '[ -s "$TMPD/ready" ]' || { echo "target did not start"; return 1; }
}

# The target's report, fresh.
report() {
	rm -f "$TMPD/report"
	kill -USR1 "$T"
	wait_until 5 '[ -s "$TMPD/report" ]' || { echo "no report" >&2; return 1; }
	cat "$TMPD/report"
}

# trace CALLS CMD...: strace's lines for CALLS, in $TMPD/trace.
trace() {
	local calls=$1
	shift
	timeout -k 2 20 strace -qq -e signal=none -e trace="$calls" \
		-o "$TMPD/trace" "$@" >"$TMPD/traced.out" 2>"$TMPD/traced.err"
}

# The part of a line before strace's " = result".
call_part() { sed 's/) *= .*/)/' <<<"$1"; }

# replay_all PID FILE: each line of FILE into PID, whose call part must
# come back as strace's.  N: how many were replayed; on the first that
# differs, returns 1 with WHY.
replay_all() {
	local line
	N=0
	while IFS= read -r line; do
		N=$((N + 1))
		scr "$1" -e "$line"
		[ "$(call_part "$OUT")" = "$(call_part "$line")" ] ||
			{ WHY="shown as '$OUT' ($ERR), strace: '$line'"; return 1; }
	done <"$2"
}

# openat from cat: the target gets the same file, read-only.
test_openat() {
	local t=replay_openat line fd
	start_target || { fail $t "no target"; return; }
	trace openat cat /etc/hostname || { fail $t "strace failed"; return; }
	line=$(grep -m1 '"/etc/hostname"' "$TMPD/trace")
	[ -n "$line" ] || { fail $t "no openat line in $(cat "$TMPD/trace")"; return; }
	scr "$T" -e "$line"
	fd=${OUT##* = }
	if [ "$RC" -ne 0 ] || [ "$(call_part "$OUT")" != "$(call_part "$line")" ]; then
		fail $t "replaying '$line': rc $RC: $OUT $ERR"; return
	fi
	# The target sees /etc/hostname at that descriptor, read-only.
	if ! report | grep -Eq "^fd $fd 0x[0-9a-f]*[048c]000 /etc/hostname$"; then
		fail $t "target's fd $fd: $(grep "^fd $fd " "$TMPD/report")"; return
	fi
	released "$T" || { fail $t "target not released"; return; }
	pass $t
}

# prlimit64 from Python's setrlimit: the target's limits become the
# ones the program gave itself.
test_prlimit() {
	local t=replay_prlimit line want
	start_target || { fail $t "no target"; return; }
	trace prlimit64 python3 -c '
import resource
resource.setrlimit(resource.RLIMIT_NOFILE, (100, 200))
print(*resource.getrlimit(resource.RLIMIT_NOFILE))' || { fail $t "strace failed"; return; }
	line=$(grep -m1 'RLIMIT_NOFILE, {' "$TMPD/trace")
	want=$(cat "$TMPD/traced.out")
	[ -n "$line" ] || { fail $t "no prlimit64 line: $(cat "$TMPD/trace")"; return; }
	scr "$T" -e "$line"
	if [ "$RC" -ne 0 ] || [ "$(call_part "$OUT")" != "$(call_part "$line")" ]; then
		fail $t "replaying '$line': rc $RC: $OUT $ERR"; return
	fi
	report | grep -qx "nofile $want" ||
		{ fail $t "target: $(grep nofile "$TMPD/report"), program: $want"; return; }
	pass $t
}

# fcntl F_GETFL then F_SETFL, from a file (-f): the target's stdout gets
# the flags the program gave its own.
test_fcntl_file() {
	local t=replay_fcntl_file want got
	start_target || { fail $t "no target"; return; }
	exec {out}>"$TMPD/py.out"
	trace fcntl python3 -c '
import fcntl, os, sys
fl = fcntl.fcntl(1, fcntl.F_GETFL)
fcntl.fcntl(1, fcntl.F_SETFL, fl | os.O_APPEND | os.O_NONBLOCK)
sys.stderr.write("%#x\n" % fcntl.fcntl(1, fcntl.F_GETFL))' >&$out || true
	exec {out}>&-
	want=$(tail -1 "$TMPD/traced.err")
	grep -E '^fcntl\(1, F_[GS]ETFL' "$TMPD/trace" | head -2 >"$TMPD/calls"
	[ "$(wc -l <"$TMPD/calls")" = 2 ] || { fail $t "trace: $(cat "$TMPD/trace")"; return; }
	# The target's stdout is a regular file too, opened the same way.
	kill "$T"
	rm -f "$TMPD/ready"
	"$TGT" state "$TMPD/ready" "$TMPD/report" >"$TMPD/target.out" 2>&1 &
	T=$!; track "$T"
	wait_until 5 '[ -s "$TMPD/ready" ]' || { fail $t "no target"; return; }
	scr "$T" -f "$TMPD/calls"
	[ "$RC" -eq 0 ] || { fail $t "rc $RC: $OUT $ERR"; return; }
	if [ "$(call_part "$(sed -n 2p <<<"$OUT")")" != \
	     "$(call_part "$(sed -n 2p "$TMPD/calls")")" ]; then
		fail $t "shown as '$(sed -n 2p <<<"$OUT")', strace: '$(sed -n 2p "$TMPD/calls")'"
		return
	fi
	got=$(report | sed -n 's/^fd 1 \(0x[0-9a-f]*\) .*/\1/p')
	[ "$got" = "$want" ] ||
		{ fail $t "target's fd 1 flags $got, the program's $want"; return; }
	pass $t
}

# rt_sigprocmask: strace's signal sets, [HUP USR2].
test_sigmask() {
	local t=replay_sigmask line want
	start_target || { fail $t "no target"; return; }
	trace rt_sigprocmask python3 -c '
import signal
signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGHUP, signal.SIGUSR2, 34, 64})
print("%x" % sum(1 << (s - 1) for s in signal.pthread_sigmask(signal.SIG_BLOCK, set())))' ||
		{ fail $t "strace failed"; return; }
	# Real-time signals as strace counts them: 34 is RT_2 (from the
	# kernel's SIGRTMIN, 32), 64 is RT_32.
	line=$(grep -m1 'rt_sigprocmask(SIG_BLOCK, \[HUP USR2 RT_2 RT_32\]' "$TMPD/trace")
	want=$(cat "$TMPD/traced.out")
	[ -n "$line" ] || { fail $t "no line: $(cat "$TMPD/trace")"; return; }
	scr "$T" -e "$line"
	if [ "$RC" -ne 0 ] || [ "$(call_part "$OUT")" != "$(call_part "$line")" ]; then
		fail $t "replaying '$line': rc $RC: $OUT $ERR"; return
	fi
	report | grep -qx "sigblk $want" ||
		{ fail $t "target: $(grep sigblk "$TMPD/report"), program: $want"; return; }
	pass $t
}

# write from printf: the same bytes reach the target's stdout.
test_write() {
	local t=replay_write line
	rm -f "$TMPD/ready"
	"$TGT" state "$TMPD/ready" "$TMPD/report" >"$TMPD/w.out" 2>&1 & T=$!; track "$T"
	wait_until 5 '[ -s "$TMPD/ready" ]' || { fail $t "no target"; return; }
	trace write printf 'tab\there "quoted"\n\001' || { fail $t "strace failed"; return; }
	line=$(head -1 "$TMPD/trace")
	scr "$T" -e "$line"
	if [ "$RC" -ne 0 ] || [ "$OUT" != "$line" ]; then
		fail $t "replaying '$line': rc $RC: $OUT $ERR"; return
	fi
	cmp -s "$TMPD/w.out" "$TMPD/traced.out" ||
		{ fail $t "target wrote $(od -c "$TMPD/w.out" | head -2)"; return; }
	pass $t
}

# socket, bind, listen, getsockname from Python: the descriptor the
# target gets replaces the program's in the later lines (the one edit a
# user makes), and the target listens on 127.0.0.1.
test_socket() {
	local t=replay_socket sfd tfd port line
	start_target || { fail $t "no target"; return; }
	trace socket,bind,listen,getsockname python3 -c '
import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(7)
s.getsockname()' || { fail $t "strace failed"; return; }
	# Python's own socket (a C library may open others, nscd's AF_UNIX).
	line=$(grep -m1 '^socket(AF_INET, ' "$TMPD/trace")
	sfd=${line##* = }
	{ echo "$line"; grep -E "^(bind|listen|getsockname)\($sfd, " "$TMPD/trace"; } |
		head -4 >"$TMPD/calls"
	[ "$(wc -l <"$TMPD/calls")" = 4 ] || { fail $t "trace: $(cat "$TMPD/trace")"; return; }
	scr "$T" -e "$line"
	tfd=${OUT##* = }
	[ "$RC" -eq 0 ] && [ -n "$tfd" ] || { fail $t "socket: rc $RC: $OUT $ERR"; return; }
	[ "$(call_part "$OUT")" = "$(call_part "$line")" ] ||
		{ fail $t "shown as '$OUT', strace: '$line'"; return; }
	sed -n '2,4p' "$TMPD/calls" | sed "s/^\([a-z]*\)($sfd,/\1($tfd,/" >"$TMPD/rest"
	scr "$T" -f "$TMPD/rest"
	[ "$RC" -eq 0 ] || { fail $t "rc $RC: $OUT $ERR"; return; }
	port=$(sed -n 's/^getsockname(.*sin_port=htons(\([0-9]*\)).*/\1/p' <<<"$OUT")
	[ -n "$port" ] && [ "$port" != 0 ] || { fail $t "no port in: $OUT"; return; }
	if command -v ss >/dev/null; then
		ss -ltnpH "sport = :$port" 2>/dev/null | grep -q "pid=$T," ||
			{ fail $t "target does not listen on $port: $(ss -ltnp | grep ":$port")"; return; }
	fi
	grep -q "^listen($tfd, 7) = 0$" <<<"$OUT" || { fail $t "$OUT"; return; }
	# A C program's sockaddr_storage: strace's [128 => 16] is read (128
	# goes in) and shown so.
	scr "$T" -e "getsockname($tfd, {sa_family=AF_INET, sin_port=htons(0), sin_addr=inet_addr(\"0.0.0.0\")}, [128 => 16])"
	grep -q "^getsockname($tfd, {sa_family=AF_INET, sin_port=htons($port), sin_addr=inet_addr(\"127.0.0.1\")}, \[128 => 16\]) = 0$" <<<"$OUT" ||
		{ fail $t "getsockname: rc $RC: $OUT $ERR"; return; }
	pass $t
}

# Flags as strace orders them, which is not always by value: its tables
# list SOCK_CLOEXEC before SOCK_NONBLOCK, R_OK before W_OK, O_DIRECTORY
# after O_CLOEXEC; and the names it picks: F_OK and PROT_NONE for 0,
# AT_REMOVEDIR (not AT_EACCESS, the same bit), modes in octal with no
# file type, umask's result in octal, "0x7 /* SEEK_??? */" for a value
# of no name.  Each traced line is replayed; scremote must show it as
# strace did.
test_flag_order() {
	local t=replay_flag_order
	start_target || { fail $t "no target"; return; }
	mkdir -p "$TMPD/dir"
	trace access,faccessat,faccessat2,openat,eventfd2,socket,wait4,umask,mkdir,chmod,unlinkat,lseek,mmap,socket python3 -c '
import mmap, os, socket, sys
d = sys.argv[1]
os.access(d, os.R_OK | os.W_OK | os.X_OK)
os.access(d, os.F_OK)
os.umask(0o27)
os.mkdir(d + "/sub", 0o750)
os.rmdir("sub", dir_fd=os.open(d, os.O_RDONLY))
os.chmod(d, 0o40755)
try:
    os.lseek(0, 0, 7)
except OSError:
    pass
mmap.mmap(-1, 8192, flags=mmap.MAP_PRIVATE, prot=0)
os.open(d, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC | os.O_NONBLOCK | os.O_ASYNC)
os.open(d + "/f", os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_APPEND | os.O_SYNC | os.O_NOFOLLOW | os.O_CLOEXEC, 0o640)
if hasattr(os, "eventfd"):
    os.eventfd(0, os.EFD_CLOEXEC | os.EFD_NONBLOCK | os.EFD_SEMAPHORE)
socket.socket(socket.AF_UNIX, socket.SOCK_STREAM | socket.SOCK_NONBLOCK | socket.SOCK_CLOEXEC)' \
		"$TMPD/dir" || { fail $t "strace failed: $(cat "$TMPD/traced.err")"; return; }
	# The lines of the calls above, not the interpreter's start-up, and
	# lines as strace 6 prints them where Python has no such call (the
	# target has no children: ECHILD).
	{
		grep -E "\"$TMPD/dir|^eventfd2\(0, EFD_SEM|^socket\(AF_UNIX, SOCK_STREAM\|SOCK_CLOEXEC\|SOCK_NONBLOCK, |^umask\(|\"sub\", AT_REMOVEDIR|^lseek\(0, 0, 0x7|^mmap\(NULL, 8192, PROT_NONE" \
			"$TMPD/trace"
		echo 'wait4(-1, NULL, WNOHANG|WSTOPPED|WCONTINUED|__WALL, NULL) = -1 ECHILD (No child processes)'
		echo 'waitid(P_ALL, 0, NULL, WNOHANG|WEXITED|WSTOPPED|WNOWAIT, NULL) = -1 ECHILD (No child processes)'
	} >"$TMPD/calls"
	replay_all "$T" "$TMPD/calls" || { fail $t "$WHY"; return; }
	[ "$N" -ge 14 ] || { fail $t "only $((N - 2)) calls traced: $(cat "$TMPD/trace")"; return; }
	released "$T" || { fail $t "target not released"; return; }
	pass $t
}

# Options strace shows in forms that were refused: an int at the IP
# level (SOL_IP, IP_TOS, [16]: of no known layout) and the bytes of a
# timeval strace does not decode (SO_RCVTIMEO_OLD, "\3\0..."); the
# target's socket must carry both.
test_ip_sockopt() {
	local t=replay_sockopts line sfd tfd
	start_target || { fail $t "no target"; return; }
	trace socket,setsockopt python3 -c '
import socket, struct
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.IPPROTO_IP, socket.IP_TOS, 16)
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO, struct.pack("ll", 3, 0))' ||
		{ fail $t "strace failed"; return; }
	grep -E '^setsockopt\(.*(IP_TOS|SO_RCVTIMEO)' "$TMPD/trace" >"$TMPD/calls"
	[ "$(wc -l <"$TMPD/calls")" = 2 ] || { fail $t "lines: $(cat "$TMPD/trace")"; return; }
	sfd=$(sed -n '1s/^setsockopt(\([0-9]*\),.*/\1/p' "$TMPD/calls")
	scr "$T" socket AF_INET SOCK_DGRAM 0
	tfd=${OUT##* = }
	[ "$RC" -eq 0 ] || { fail $t "socket: $OUT $ERR"; return; }
	sed "s/^setsockopt($sfd,/setsockopt($tfd,/" "$TMPD/calls" >"$TMPD/rest"
	echo "getsockopt($tfd, SOL_IP, IP_TOS, buf(4), int(4))" >>"$TMPD/rest"
	echo "getsockopt($tfd, SOL_SOCKET, SO_RCVTIMEO_OLD, buf(16), int(16))" >>"$TMPD/rest"
	scr "$T" -f "$TMPD/rest"
	[ "$RC" -eq 0 ] && grep -q "^getsockopt($tfd, SOL_IP, IP_TOS, \[16\], \[4\]) = 0$" <<<"$OUT" &&
		grep -q "^getsockopt($tfd, SOL_SOCKET, SO_RCVTIMEO_OLD, {tv_sec=3, tv_usec=0}, \[16\]) = 0$" <<<"$OUT" ||
		{ fail $t "rc $RC: $OUT $ERR"; return; }
	pass $t
}

# utimensat's times as strace shows them: dated timespecs, and
# UTIME_NOW/UTIME_OMIT by name; the file's times tell what happened.
test_utimensat() {
	local t=replay_utimensat line
	start_target || { fail $t "no target"; return; }
	: >"$TMPD/f1"; : >"$TMPD/f2"
	trace utimensat python3 -c '
import os, sys
os.utime(sys.argv[1], ns=(1700000000000000005, 1700000001000000000))' "$TMPD/f1" ||
		{ fail $t "strace failed"; return; }
	line=$(grep -m1 '^utimensat(' "$TMPD/trace")
	[ -n "$line" ] || { fail $t "no line: $(cat "$TMPD/trace")"; return; }
	scr "$T" -e "${line//f1/f2}"
	[ "$RC" -eq 0 ] && [ "$(call_part "$OUT")" = "$(call_part "${line//f1/f2}")" ] ||
		{ fail $t "replaying '$line': rc $RC: $OUT $ERR"; return; }
	[ "$(stat -c %X.%Y "$TMPD/f2")" = 1700000000.1700000001 ] ||
		{ fail $t "times of f2: $(stat -c %X.%Y "$TMPD/f2")"; return; }
	scr "$T" -e "utimensat(AT_FDCWD, \"$TMPD/f2\", [UTIME_OMIT, UTIME_NOW], 0)"
	[ "$RC" -eq 0 ] && grep -q '\[UTIME_OMIT, UTIME_NOW\], 0) = 0$' <<<"$OUT" ||
		{ fail $t "rc $RC: $OUT $ERR"; return; }
	[ "$(stat -c %X "$TMPD/f2")" = 1700000000 ] && [ "$(stat -c %Y "$TMPD/f2")" -gt 1700000001 ] ||
		{ fail $t "after UTIME_OMIT, UTIME_NOW: $(stat -c %X.%Y "$TMPD/f2")"; return; }
	pass $t
}

# A struct stat as strace -v shows it: its order (not the layout's),
# st_size for a file (st_rdev for a device), dates to the nanosecond.
# The file's times are set first, so the traced and the replayed call
# see the same struct.
test_stat() {
	local t=replay_stat line
	start_target || { fail $t "no target"; return; }
	echo data >"$TMPD/s"
	python3 -c 'import os, sys; os.utime(sys.argv[1], ns=(1700000000000000005, 1700000001000000000))' "$TMPD/s"
	timeout -k 2 20 strace -v -qq -e signal=none -e trace=newfstatat,stat,statx \
		-o "$TMPD/trace" python3 -c 'import os, sys; os.stat(sys.argv[1])' "$TMPD/s" ||
		{ fail $t "strace failed"; return; }
	line=$(grep -m1 "\"$TMPD/s\"" "$TMPD/trace")
	case "$line" in
	newfstatat*|stat*) ;;
	*) skip $t "this Python stats with: $line"; return ;;
	esac
	scr "$T" -e "$line"
	[ "$RC" -eq 0 ] && [ "$OUT" = "$(sed 's/) *= 0$/) = 0/' <<<"$line")" ] ||
		{ fail $t "shown as '$OUT' ($ERR), strace: '$line'"; return; }
	# statx, from coreutils' stat: times in {...} with their dates
	# after them, stx_btime and stx_mnt_id as stx_mask says.
	if timeout -k 2 20 strace -v -qq -e signal=none -e trace=statx \
		-o "$TMPD/trace" stat "$TMPD/s" >/dev/null 2>&1 &&
	   line=$(grep -m1 "^statx(AT_FDCWD, \"$TMPD/s\", .* = 0$" "$TMPD/trace"); then
		scr "$T" -e "$line"
		[ "$RC" -eq 0 ] && [ "$OUT" = "$(sed 's/) *= 0$/) = 0/' <<<"$line")" ] ||
			{ fail $t "shown as '$OUT' ($ERR), strace: '$line'"; return; }
	fi
	pass $t
}

# Arrays the result counts, and poll's answer after the result: a
# Python program's epoll, poll and CPU mask calls, on an eventfd and an
# epoll at fixed descriptors, replayed into a target given the same
# ones; the whole line, result included, must be strace's.
test_counted() {
	local t=replay_counted line n=0 want groups
	start_target || { fail $t "no target"; return; }
	trace epoll_wait,epoll_ctl,poll,write,getgroups,sched_getaffinity python3 -c '
import os, select
if not hasattr(os, "eventfd"):
    raise SystemExit(3)
os.dup2(os.eventfd(0), 200)
ep = select.epoll()
os.dup2(ep.fileno(), 202)
ep.close()
ep = select.epoll.fromfd(202)
ep.poll(0)
ep.register(200, select.EPOLLIN | select.EPOLLOUT)
ep.poll(0, 8)
p = select.poll()
p.register(200, select.POLLIN)
p.poll(0)
os.eventfd_write(200, 1)
p.register(200, select.POLLIN | select.POLLOUT)
p.poll(0)
ep.poll(0)
os.getgroups()
os.sched_getaffinity(0)'
	case $? in
	0) ;;
	3) skip $t "python3 has no os.eventfd"; return ;;
	*) fail $t "strace failed: $(cat "$TMPD/traced.err")"; return ;;
	esac
	scr "$T" -e 'eventfd2(0, 0)' -e 'dup2($1, 200)' -e 'epoll_create1(0)' \
		-e 'dup2($3, 202)'
	[ "$RC" -eq 0 ] || { fail $t "no eventfd and epoll in the target: $OUT $ERR"; return; }
	# The target's groups are the program's: getgroups with room for
	# more shows those the call returned.
	groups=$(sed -n 's/^getgroups([1-9][0-9]*, \(\[.*\]\)).*/\1/p' "$TMPD/trace")
	{
		grep -E '^(epoll_wait|epoll_ctl|poll|write)\(20[02],|^poll\(\[\{fd=200,|'\
'^sched_getaffinity\(0,' "$TMPD/trace"
		echo "getgroups(64, ${groups:-[]}) = 0"
	} >"$TMPD/calls"
	while IFS= read -r line; do
		n=$((n + 1))
		scr "$T" -e "$line"
		want=$(sed 's/) *= /) = /' <<<"$line")
		case $line in
		getgroups*)	# the count is the target's
			[ "$(call_part "$OUT")" = "$(call_part "$want")" ] ;;
		*)
			[ "$OUT" = "$want" ] ;;
		esac || { fail $t "shown as '$OUT' ($ERR), strace: '$line'"; return; }
	done <"$TMPD/calls"
	[ $n -ge 9 ] || { fail $t "only $n calls traced: $(cat "$TMPD/trace")"; return; }
	released "$T" || { fail $t "target not released"; return; }
	pass $t
}

# Files at fixed descriptors in the traced program and in the target
# (210: a file read, 211: one written, 212/213: a pipe), so that each
# replayed call does what the traced one did: offsets shown as strace
# does (sendfile's [2] => [7], splice's value going in), a lock being
# set without l_pid, F_NOTIFY's DN_*, O_ACCMODE, a device number,
# mmap's huge page size.
test_files() {
	local t=replay_files line
	start_target || { fail $t "no target"; return; }
	printf 'abcdefghijklmnop' >"$TMPD/src"
	mkdir -p "$TMPD/d"
	trace openat,sendfile,copy_file_range,splice,fcntl,mmap,mknodat python3 -c '
import fcntl, mmap, os, stat, struct, sys
d = sys.argv[1]
os.dup2(os.open(d + "/src", os.O_RDONLY), 210)
os.dup2(os.open(d + "/dst", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), 211)
r, w = os.pipe()
os.dup2(r, 212); os.dup2(w, 213)
os.sendfile(211, 210, 2, 5)
os.copy_file_range(210, 211, 4, 0, 0)
if hasattr(os, "splice"):
    os.splice(210, 213, 4, offset_src=3)
fcntl.fcntl(211, fcntl.F_SETLK, struct.pack("hhqqi4x", fcntl.F_WRLCK, 0, 0, 10, 0))
dfd = os.open(d + "/d", os.O_RDONLY)
os.dup2(dfd, 214)
fcntl.fcntl(214, fcntl.F_NOTIFY, fcntl.DN_ACCESS | fcntl.DN_MODIFY | fcntl.DN_MULTISHOT)
try:
    os.open(d + "/src", 3)
except OSError:
    pass
os.mknod(d + "/d/null", stat.S_IFCHR | 0o600, os.makedev(1, 3))
try:
    mmap.mmap(-1, 2 << 20, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS | 0x40000 | (21 << 26))
except OSError:
    pass' "$TMPD" || { fail $t "strace failed: $(cat "$TMPD/traced.err")"; return; }
	scr "$T" -e "openat(AT_FDCWD, \"$TMPD/src\", O_RDONLY)" -e 'dup2($1, 210)' \
		-e "openat(AT_FDCWD, \"$TMPD/dst2\", O_WRONLY|O_CREAT|O_TRUNC, 0600)" \
		-e 'dup2($3, 211)' -e "openat(AT_FDCWD, \"$TMPD/d\", O_RDONLY)" \
		-e 'dup2($5, 214)' -e 'pipe2(buf(8), 0)'
	[ "$RC" -eq 0 ] || { fail $t "no files in the target: $OUT $ERR"; return; }
	line=$(sed -n 's/^pipe2(\[\([0-9]*\), \([0-9]*\)\], 0) = 0$/\1 \2/p' <<<"$OUT")
	[ -n "$line" ] || { fail $t "no pipe: $OUT"; return; }
	scr "$T" -e "dup2(${line% *}, 212)" -e "dup2(${line#* }, 213)"
	[ "$RC" -eq 0 ] || { fail $t "pipe at 212, 213: $OUT $ERR"; return; }
	{
		grep -E '^(sendfile|copy_file_range|splice)\(21[0-3], |^fcntl\(21[14], F_(SETLK|NOTIFY)|'\
'O_ACCMODE|^mknodat\(|^mmap\(NULL, 2097152, ' "$TMPD/trace" |
			sed "s#$TMPD/d/null#$TMPD/d/null2#"
	} >"$TMPD/calls"
	replay_all "$T" "$TMPD/calls" || { fail $t "$WHY"; return; }
	[ "$N" -ge 8 ] || { fail $t "only $N calls traced: $(cat "$TMPD/trace")"; return; }
	released "$T" || { fail $t "target not released"; return; }
	pass $t
}

# Structs that had no layout here and are common in traces: rusage
# (strace's "..." after ru_stime is read as the rest being output),
# sched_param shown as [0]; the policy replayed is the target's after.
test_structs() {
	local t=replay_structs line
	start_target || { fail $t "no target"; return; }
	trace getrusage,sched_getparam,sched_setscheduler python3 -c '
import os, resource
resource.getrusage(resource.RUSAGE_SELF)
os.sched_getparam(0)
os.sched_setscheduler(0, os.SCHED_BATCH, os.sched_param(0))' ||
		{ fail $t "strace failed: $(cat "$TMPD/traced.err")"; return; }
	line=$(grep -m1 '^getrusage(RUSAGE_SELF, {ru_utime=' "$TMPD/trace")
	scr "$T" -e "$line"
	[ "$RC" -eq 0 ] && grep -q '^getrusage(RUSAGE_SELF, {ru_utime={tv_sec=[0-9]*, tv_usec=[0-9]*}, ru_stime={.*}, ru_maxrss=[1-9]' <<<"$OUT" ||
		{ fail $t "getrusage: '$line': rc $RC: $OUT $ERR"; return; }
	for line in "$(grep -m1 '^sched_getparam(0, \[0\])' "$TMPD/trace")" \
		"$(grep -m1 '^sched_setscheduler(0, SCHED_BATCH, \[0\])' "$TMPD/trace")"; do
		[ -n "$line" ] || { fail $t "trace: $(cat "$TMPD/trace")"; return; }
		scr "$T" -e "$line"
		[ "$RC" -eq 0 ] && [ "$(call_part "$OUT")" = "$(call_part "$line")" ] ||
			{ fail $t "'$line': rc $RC: $OUT $ERR"; return; }
	done
	grep -Eq '^policy +: +3$' "/proc/$T/sched" ||
		{ fail $t "target's policy: $(grep policy "/proc/$T/sched")"; return; }
	# strace's line for a thread with no signal stack (the target may
	# have one: ASan's), and a descriptor's owner set and read back.
	scr "$T" -e 'sigaltstack(NULL, {ss_sp=NULL, ss_flags=SS_DISABLE, ss_size=0}) = 0'
	[ "$RC" -eq 0 ] && grep -Eq '^sigaltstack\(NULL, \{ss_sp=(NULL|0x[0-9a-f]+), ss_flags=(0|SS_[A-Z|_]+), ss_size=[0-9]+\}\) = 0$' <<<"$OUT" ||
		{ fail $t "sigaltstack: rc $RC: $OUT $ERR"; return; }
	for line in "fcntl(0, F_SETOWN_EX, {type=F_OWNER_PID, pid=$T}) = 0" \
		"fcntl(0, F_GETOWN_EX, {type=F_OWNER_PID, pid=$T}) = 0"; do
		scr "$T" -e "$line"
		[ "$RC" -eq 0 ] && [ "$OUT" = "$line" ] ||
			{ fail $t "'$line': rc $RC: $OUT $ERR"; return; }
	done
	pass $t
}

# ioctl's argument by request: a struct winsize in and out on a pty of
# the target's, FIONBIO's int, and a raw address refused where the
# kernel would write (a trace's TIOCGWINSZ line as it stands).
test_ioctl() {
	local t=ioctl_by_request fd
	start_target || { fail $t "no target"; return; }
	scr "$T" openat AT_FDCWD '"/dev/ptmx"' 'O_RDWR|O_NOCTTY'
	fd=${OUT##* = }
	[ "$RC" -eq 0 ] || { skip $t "no pty here: $OUT $ERR"; return; }
	scr "$T" -e "ioctl($fd, TIOCSWINSZ, {ws_row=33, ws_col=77, ws_xpixel=0, ws_ypixel=0})" \
		-e "ioctl($fd, TIOCGWINSZ, {ws_row=0, ws_col=0, ws_xpixel=0, ws_ypixel=0})" \
		-e "ioctl($fd, FIONBIO, [1])" -e "fcntl($fd, F_GETFL)"
	[ "$RC" -eq 0 ] &&
		grep -q "^ioctl($fd, TIOCGWINSZ, {ws_row=33, ws_col=77, ws_xpixel=0, ws_ypixel=0}) = 0$" <<<"$OUT" &&
		grep -q "^fcntl($fd, F_GETFL) = .*O_NONBLOCK" <<<"$OUT" ||
		{ fail $t "rc $RC: $OUT $ERR"; return; }
	scr "$T" -e "ioctl($fd, TIOCGWINSZ, 0x7ffc011bf450) = 0"
	[ "$RC" -eq 2 ] && grep -q "where the call writes" <<<"$ERR" ||
		{ fail $t "a raw address for TIOCGWINSZ: rc $RC: $OUT $ERR"; return; }
	released "$T" || { fail $t "target not released"; return; }
	pass $t
}

# Lines that would have the kernel write where nobody handed it a
# buffer are refused before the process is touched (exit 2): a trace's
# address where the call writes (a timeout the kernel updates, prctl's
# and arch_prctl's outputs, an ioctl request not known here), and data
# shorter than the call writes into (poll's array, sendfile's offset).
# A timeout given is the one the call waits.
test_no_stray_writes() {
	local t=no_stray_writes line start
	start_target || { fail $t "no target"; return; }
	while IFS= read -r line; do
		scr "$T" -e "$line"
		[ "$RC" -eq 2 ] && [ -z "$OUT" ] ||
			{ fail $t "'$line' was not refused: rc $RC: $OUT $ERR"; return; }
	done <<'EOF_LINES'
select(0, NULL, NULL, NULL, 0x7ffc011bf450) = 0
ppoll(NULL, 0, 0x7ffc011bf450, NULL, 8) = 0
pselect6(0, NULL, NULL, NULL, 0x7ffc011bf450, NULL) = 0
prctl(PR_GET_NAME, 0x7ffc011bf450) = 0
prctl(PR_GET_PDEATHSIG, 0x7ffc011bf450) = 0
ioctl(1, FIOQSIZE, 0x7ffc011bf450) = 0
ioctl(3, 0x8912, 0x7ffc011bf450) = 0
poll([{fd=0, events=POLLIN}], 8200, 0) = 1
sendfile(1, 0, "x", 0) = 0
EOF_LINES
	if [ "$(uname -m)" = x86_64 ]; then
		scr "$T" -e 'arch_prctl(ARCH_GET_FS, 0x7ffc011bf450) = 0'
		[ "$RC" -eq 2 ] || { fail $t "ARCH_GET_FS: rc $RC: $OUT $ERR"; return; }
	fi
	start=$(date +%s%N)
	scr "$T" -e 'select(0, NULL, NULL, NULL, {tv_sec=0, tv_usec=300000}) = 0 (Timeout)'
	[ "$RC" -eq 0 ] && [ $(( ($(date +%s%N) - start) / 1000000 )) -ge 250 ] &&
		[ "$OUT" = 'select(0, NULL, NULL, NULL, {tv_sec=0, tv_usec=300000}) = 0' ] ||
		{ fail $t "select's timeout: rc $RC: $OUT $ERR"; return; }
	scr "$T" -e 'prctl(PR_GET_NAME, "x") = 0'
	[ "$RC" -eq 0 ] && grep -q '^prctl(PR_GET_NAME, "cli_target") = 0$' <<<"$OUT" ||
		{ fail $t "PR_GET_NAME: rc $RC: $OUT $ERR"; return; }
	released "$T" || { fail $t "target not released"; return; }
	pass $t
}

# More of strace's forms, from the second replay audit: random bytes
# in hex escapes, a timeout shown as passed (not as the kernel left
# it), an unnamed AF_UNIX address as long as the call said, a sticky
# directory's mode with S_ISVTX by name.
test_more_forms() {
	local t=replay_more_forms line sfd fd
	start_target || { fail $t "no target"; return; }
	mkdir -p "$TMPD/sticky"; chmod 01777 "$TMPD/sticky"
	timeout -k 2 20 strace -v -qq -e signal=none \
		-e trace=getrandom,select,pselect6,getsockname,newfstatat \
		-o "$TMPD/trace" python3 -c '
import os, select, socket, sys
os.getrandom(8)
select.select([], [], [], 0.01)
a, b = socket.socketpair()
a.getsockname()
os.stat(sys.argv[1])' "$TMPD/sticky" || { fail $t "strace failed"; return; }
	line=$(grep -m1 '^getrandom(".*", 8, 0) = 8$' "$TMPD/trace")
	scr "$T" -e "$line"
	grep -Eq '^getrandom\("(\\x[0-9a-f]{2}){8}", 8, 0\) = 8$' <<<"$OUT" ||
		{ fail $t "'$line' shown as '$OUT' ($ERR)"; return; }
	line=$(grep -m1 -E '^(p?select6?)\(0, NULL, NULL, NULL, \{' "$TMPD/trace")
	scr "$T" -e "$line"
	[ -n "$line" ] && [ "$(call_part "$OUT")" = "$(call_part "$line")" ] ||
		{ fail $t "'$line' shown as '$OUT' ($ERR)"; return; }
	line=$(grep -m1 '^getsockname([0-9]*, {sa_family=AF_UNIX}, \[' "$TMPD/trace")
	sfd=$(sed 's/^getsockname(\([0-9]*\),.*/\1/' <<<"$line")
	scr "$T" socket AF_UNIX SOCK_STREAM 0
	fd=${OUT##* = }
	scr "$T" -e "${line/getsockname($sfd,/getsockname($fd,}"
	[ -n "$line" ] && [ "$OUT" = "$(sed "s/^getsockname($sfd,/getsockname($fd,/; s/) *= 0$/) = 0/" <<<"$line")" ] ||
		{ fail $t "'$line' shown as '$OUT' ($ERR)"; return; }
	line=$(grep -m1 "^newfstatat(AT_FDCWD, \"$TMPD/sticky\"" "$TMPD/trace")
	scr "$T" -e "$line"
	[ -n "$line" ] && [ "$OUT" = "$(sed 's/) *= 0$/) = 0/' <<<"$line")" ] &&
		grep -q 'st_mode=S_IFDIR|S_ISVTX|0777' <<<"$OUT" ||
		{ fail $t "'$line' shown as '$OUT' ($ERR)"; return; }
	pass $t
}

# getdents64's records as strace -v shows them: ls's own line, replayed
# on the same directory at the same descriptor, comes back whole.
test_getdents() {
	local t=replay_getdents line fd
	start_target || { fail $t "no target"; return; }
	mkdir -p "$TMPD/dd/sub"; : >"$TMPD/dd/a"; ln -sf a "$TMPD/dd/l"
	timeout -k 2 20 strace -v -qq -e signal=none -e trace=getdents64 \
		-o "$TMPD/trace" ls "$TMPD/dd" >/dev/null 2>&1 ||
		{ fail $t "strace failed"; return; }
	line=$(grep -m1 '^getdents64([0-9]*, \[{' "$TMPD/trace")
	[ -n "$line" ] || { skip $t "ls made no getdents64 call: $(cat "$TMPD/trace")"; return; }
	fd=$(sed 's/^getdents64(\([0-9]*\),.*/\1/' <<<"$line")
	scr "$T" -e "openat(AT_FDCWD, \"$TMPD/dd\", O_RDONLY|O_DIRECTORY)" -e "dup2(\$1, $fd)" \
		-e "$line"
	[ "$RC" -eq 0 ] && [ "$(tail -1 <<<"$OUT")" = "$(sed 's/) *= \([0-9]*\)$/) = \1/' <<<"$line")" ] ||
		{ fail $t "'$line' shown as '$OUT' ($ERR)"; return; }
	pass $t
}

test_openat
test_getdents
test_no_stray_writes
test_more_forms
test_ioctl
test_structs
test_files
test_stat
test_utimensat
test_ip_sockopt
test_flag_order
test_counted
test_prlimit
test_fcntl_file
test_sigmask
test_write
test_socket
finish
