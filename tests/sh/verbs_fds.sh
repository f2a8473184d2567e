#!/usr/bin/env bash
# scremote fds: every descriptor of a process, checked against /proc,
# ss -p and what the process itself set up; --sockopts against the
# options it set; /proc only (the process is never attached) unless
# --sockopts.
. "$SCREMOTE_TOP/tests/verbs/lib.sh"

mkdir -p "$TMPD/fds"
"$VT" fds "$TMPD/fds" "$TMPD/fds.ready" & PID=$!; track "$PID"
if ! wait_until 5 '[ -s "$TMPD/fds.ready" ]'; then
	fail fds_target "the target did not start"
	finish
fi
R=$TMPD/fds.ready
fd_of() { ready_field "$R" "$@"; }

# The JSON listing, field by field, against what the target made.
test_json_matches_target() {
	local t=json_matches_target bad
	scr fds --json "$PID"
	[ "$RC" -eq 0 ] || { fail $t "rc $RC: $ERR"; return; }
	bad=$(OUT=$OUT python3 - "$R" "$TMPD/fds" <<'EOF' 2>&1
import json, os, sys
ready = {l.split()[0]: [int(x) for x in l.split()[1:]] for l in open(sys.argv[1])}
d = sys.argv[2]
D = {f["fd"]: f for f in json.loads(os.environ["OUT"])["fds"]}
port = lambda n: ready[n][1]
sock = lambda f: f.get("socket", {})
checks = {
    "file": lambda f: f["type"] == "file" and f["pos"] == 123 and
        f["flags"].startswith("O_RDWR") and f["path"] == d + "/data" and
        not f["deleted"],
    "deleted": lambda f: f["deleted"] and f["size"] == 100000 and
        f["flags"].startswith("O_WRONLY|O_APPEND") and
        f["path"] == d + "/gone (deleted)",
    "piper": lambda f: f["type"] == "pipe" and f["flags"].startswith("O_RDONLY"),
    "pipew": lambda f: f["type"] == "pipe" and
        f["flags"].startswith("O_WRONLY|O_NONBLOCK"),
    "eventfd": lambda f: f["type"] == "eventfd" and "O_CLOEXEC" in f["flags"],
    "dir": lambda f: f["type"] == "dir" and f["path"] == d,
    "listen": lambda f: f["type"] == "tcp" and sock(f)["state"] == "LISTEN" and
        sock(f)["local"] == {"address": "127.0.0.1", "port": port("listen")} and
        sock(f)["peer"] is None,
    "client": lambda f: f["type"] == "tcp" and sock(f)["state"] == "ESTAB" and
        sock(f)["local"]["port"] == port("client") and
        sock(f)["peer"] == {"address": "127.0.0.1", "port": port("listen")},
    "conn": lambda f: f["type"] == "tcp" and
        sock(f)["local"]["port"] == port("listen") and
        sock(f)["peer"]["port"] == port("client"),
    "udp": lambda f: f["type"] == "udp" and sock(f)["state"] == "UNCONN" and
        sock(f)["local"]["port"] == port("udp"),
    "unix": lambda f: f["type"] == "unix" and sock(f)["path"] == d + "/sock" and
        sock(f)["listening"] and sock(f)["state"] == "LISTEN",
}
print("; ".join("%s: %s" % (n, json.dumps(D.get(ready[n][0])))
                for n, ok in checks.items()
                if ready[n][0] not in D or not ok(D[ready[n][0]])))
EOF
)
	[ -z "$bad" ] || { fail $t "$bad"; return; }
	pass $t
}

# Every descriptor /proc lists, with fdinfo's flags and offset; nothing
# more.
test_json_matches_proc() {
	local t=json_matches_proc want got fd
	scr fds --json "$PID"
	want=$(for fd in $(ls "/proc/$PID/fd" | sort -n); do
		printf '%s %s %s %s\n' "$fd" \
			"$(sed -n 's/^pos:[[:space:]]*//p' "/proc/$PID/fdinfo/$fd")" \
			"$((8#$(sed -n 's/^flags:[[:space:]]*//p' "/proc/$PID/fdinfo/$fd")))" \
			"$(readlink "/proc/$PID/fd/$fd")"
	done)
	got=$(pyq '"\n".join("%d %d %d %s" % (f["fd"], f["pos"], f["flags_value"], f["path"]) for f in J[0]["fds"])' <<<"$OUT")
	[ "$want" = "$got" ] || { fail $t "/proc: $want; scremote: $got"; return; }
	pass $t
}

# ss -p names each socket's process and descriptor: the same endpoints.
test_matches_ss() {
	local t=matches_ss n=0 fd l p st got proto
	if ! have ss; then skip $t "ss (iproute2) not installed"; return; fi
	scr fds --json "$PID"
	while read -r proto st l p fd; do
		got=$(pyq '[f["socket"]["local"]["address"] + ":" + str(f["socket"]["local"]["port"]) + " " + ("%s:%d" % (f["socket"]["peer"]["address"], f["socket"]["peer"]["port"]) if f["socket"]["peer"] else "*") for f in J[0]["fds"] if f["fd"] == '"$fd"'][0]' <<<"$OUT" 2>&1)
		# ss prints a missing peer as 0.0.0.0:* or *:*.
		case $p in *:\*) p='*' ;; esac
		[ "$got" = "$l $p" ] ||
			{ fail $t "$proto fd $fd: ss $l $p, scremote $got"; return; }
		n=$((n + 1))
	done < <(ss -tuanp 2>/dev/null | awk -v pid="pid=$PID," '
		index($0, pid) { match($0, pid "fd=[0-9]+"); f = substr($0, RSTART + length(pid) + 3, RLENGTH - length(pid) - 3);
		                 print $1, $2, $5, $6, f }')
	[ "$n" -eq 4 ] || { fail $t "ss shows $n inet sockets of the target, expected 4"; return; }
	pass $t
}

# The text form: a header, one line per descriptor, the deleted file's
# size.
test_text() {
	local t=text lines
	scr fds "$PID"
	[ "$RC" -eq 0 ] || { fail $t "rc $RC: $ERR"; return; }
	lines=$(($(ls "/proc/$PID/fd" | wc -l) + 1))
	[ "$(wc -l <<<"$OUT")" -eq "$lines" ] || { fail $t "$(wc -l <<<"$OUT") lines, expected $lines: $OUT"; return; }
	grep -qE "^ +$(fd_of deleted) file +O_WRONLY\|O_APPEND.* $TMPD/fds/gone \(deleted\) \[size 97\.7 KiB" <<<"$OUT" ||
		{ fail $t "no deleted-file line: $OUT"; return; }
	grep -qE "^ +$(fd_of conn) tcp .* local 127\.0\.0\.1:$(fd_of listen 3) peer 127\.0\.0\.1:$(fd_of client 3) ESTAB" <<<"$OUT" ||
		{ fail $t "no connection line: $OUT"; return; }
	pass $t
}

# Without --sockopts nothing is attached: it works on a process another
# tracer holds, which any attach would fail on (the control below).
test_proc_only() {
	local t=proc_only_never_attaches
	start_tracer "$PID" || { fail $t "no stand-in tracer"; return; }
	scr fds "$PID"
	[ "$RC" -eq 0 ] || { fail $t "rc $RC with another tracer: $ERR"; stop_tracer; return; }
	scr fds --sockopts "$PID"
	[ "$RC" -eq 3 ] || { fail $t "control: --sockopts attached despite the other tracer (rc $RC)"; stop_tracer; return; }
	scr fds --sockopts --dry-run "$PID"
	[ "$RC" -eq 0 ] || { fail $t "--dry-run attached: rc $RC $ERR"; stop_tracer; return; }
	[ "$(tracer_of "$PID")" = "$TRACER" ] || { fail $t "tracer changed"; stop_tracer; return; }
	stop_tracer
	pass $t
}

# --sockopts: the values the target set on the accepted connection.
test_sockopts() {
	local t=sockopts conn got
	conn=$(fd_of conn)
	scr fds --json --sockopts "$PID"
	[ "$RC" -eq 0 ] || { fail $t "rc $RC: $ERR"; return; }
	got=$(pyq '[f["sockopts"] for f in J[0]["fds"] if f["fd"] == '"$conn"'][0]' <<<"$OUT")
	[ "$got" = '{"keepalive": 1, "keepidle": 77, "keepintvl": 11, "keepcnt": 4, "nodelay": 1, "user_timeout": 0, "rcvbuf": 100000, "sndbuf": '"$(pyq '[f["sockopts"]["sndbuf"] for f in J[0]["fds"] if f["fd"] == '"$conn"'][0]' <<<"$OUT")"'}' ] ||
		{ fail $t "fd $conn: $got"; return; }
	got=$(pyq '[sorted(f["sockopts"]) for f in J[0]["fds"] if f["fd"] == '"$(fd_of unix)"'][0]' <<<"$OUT")
	[ "$got" = '["keepalive", "rcvbuf", "sndbuf"]' ] || { fail $t "unix socket: $got"; return; }
	released "$PID" || { fail $t "target not released"; return; }
	scr fds --sockopts "$PID"
	grep -qx " *keepalive=1 keepidle=77 keepintvl=11 keepcnt=4 nodelay=1 user_timeout=0 rcvbuf=100000 sndbuf=[0-9]*" <<<"$OUT" ||
		{ fail $t "text: $OUT"; return; }
	pass $t
}

# -v shows each getsockopt strace-style, on stderr; --dry-run shows them
# on stdout and runs nothing.
test_verbose_and_dry_run() {
	local t=verbose_and_dry_run conn
	conn=$(fd_of conn)
	scr fds -v --sockopts "$PID"
	grep -qx "getsockopt($conn, IPPROTO_TCP, TCP_KEEPIDLE, \[77\], \[4\]) = 0" <<<"$ERR" ||
		{ fail $t "-v: $ERR"; return; }
	scr fds --dry-run --sockopts "$PID"
	[ "$RC" -eq 0 ] && grep -qx "getsockopt($conn, IPPROTO_TCP, TCP_KEEPIDLE, \[?\], \[4\]) = \$[0-9]*" <<<"$OUT" ||
		{ fail $t "--dry-run: rc $RC $OUT"; return; }
	! grep -q FLAGS <<<"$OUT" || { fail $t "--dry-run also listed: $OUT"; return; }
	pass $t
}

# Hundreds of sockets: several batches, and each value back where it
# belongs (the target gave socket j the receive buffer 5000 + 100 j).
test_many_sockets() {
	local t=many_sockets p first last bad
	"$VT" many 200 "$TMPD/many.ready" >/dev/null 2>&1 & p=$!; track "$p"
	wait_until 10 '[ -s "$TMPD/many.ready" ]' || { fail $t "no target"; return; }
	first=$(ready_field "$TMPD/many.ready" first) last=$(ready_field "$TMPD/many.ready" last)
	scr fds --json --sockopts "$p"
	[ "$RC" -eq 0 ] || { fail $t "rc $RC: $ERR"; return; }
	# (Socket j is the j-th in descriptor order: an inherited descriptor
	# may sit between two of them.)
	bad=$(pyq '[(j, f["fd"], f.get("sockopts")) for j, f in enumerate(f for f in J[0]["fds"] if f["type"] == "unix" and '"$first"' <= f["fd"] <= '"$last"') if f["sockopts"] != {"keepalive": 0, "rcvbuf": 2 * (5000 + 100 * j), "sndbuf": f["sockopts"]["sndbuf"]}] + ([] if len([f for f in J[0]["fds"] if f["type"] == "unix"]) == 400 else ["not 400 sockets"])' <<<"$OUT")
	[ "$bad" = "[]" ] || { fail $t "wrong values: $bad"; return; }
	released "$p" || { fail $t "not released"; return; }
	pass $t
}

test_errors() {
	local t=errors dead
	dead=$(dead_pid)
	scr fds "$dead"
	[ "$RC" -eq 3 ] && [ "$ERR" = "scremote: no process $dead (check the PID with ps or pgrep)" ] ||
		{ fail $t "dead pid: rc $RC $ERR"; return; }
	scr fds "$PID" extra
	[ "$RC" -eq 2 ] && [[ $ERR == *"unexpected 'extra'"* ]] || { fail $t "extra word: rc $RC $ERR"; return; }
	scr fds --sockopt "$PID"
	[ "$RC" -eq 2 ] && [[ $ERR == *"unknown option '--sockopt'"* ]] || { fail $t "bad option: rc $RC $ERR"; return; }
	scr fds 12x
	[ "$RC" -eq 2 ] && [[ $ERR == *"'12x' is not a process id"* ]] || { fail $t "bad pid: rc $RC $ERR"; return; }
	scr --json fds "$PID"
	[ "$RC" -eq 2 ] && [[ $ERR == *"options go after the verb: scremote fds --json"* ]] ||
		{ fail $t "option before the verb: rc $RC $ERR"; return; }
	pass $t
}

test_json_matches_target
test_json_matches_proc
test_matches_ss
test_text
test_proc_only
test_sockopts
test_verbose_and_dry_run
test_many_sockets
test_errors
finish
