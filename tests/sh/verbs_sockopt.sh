#!/usr/bin/env bash
# scremote sockopt: TCP keepalive turned on for a live client connection
# of a Redis server (ss -tnoe shows the timer, the server and the
# connection go on working); values before and after; refusals before
# anything is attached.
. "$SCREMOTE_TOP/tests/verbs/lib.sh"

sysctl_val() { cat "/proc/sys/net/ipv4/$1"; }

# The descriptor of the server's end of the one connection to PORT.
conn_fd() {
	scr fds --json "$1"
	pyq '[f["fd"] for f in J[0]["fds"] if f.get("socket", {}).get("state") == "ESTAB" and f["socket"]["local"]["port"] == '"$2"'][0]' <<<"$OUT"
}

test_redis_keepalive() {
	local t=redis_keepalive pid port fd reply idle
	if ! have redis-server || ! have redis-cli; then
		skip $t "redis-server or redis-cli not installed (apt-get install redis-server redis-tools)"; return
	fi
	mkdir -p "$TMPD/redis"
	for try in 1 2 3; do
		port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
		redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no \
			--tcp-keepalive 0 --daemonize no --dir "$TMPD/redis" \
			--logfile "$TMPD/redis/log" >/dev/null 2>&1 & pid=$!; track "$pid"
		wait_until 10 '[ "$(redis-cli -p "$port" ping 2>/dev/null)" = PONG ]' && break
		kill -KILL "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; pid=
	done
	[ -n "$pid" ] || { fail $t "redis did not start: $(tail -3 "$TMPD/redis/log")"; return; }
	exec 9<>"/dev/tcp/127.0.0.1/$port" || { fail $t "cannot connect"; return; }
	printf 'PING\r\n' >&9
	read -r -t 5 reply <&9
	[ "${reply%$'\r'}" = +PONG ] || { fail $t "no PONG: $reply"; exec 9>&-; return; }
	fd=$(conn_fd "$pid" "$port")
	[[ $fd =~ ^[0-9]+$ ]] || { fail $t "no connection in fds: $OUT"; exec 9>&-; return; }
	if ss -tnoe state established "( sport = :$port )" | grep -q 'timer:(keepalive'; then
		fail $t "keepalive already on"; exec 9>&-; return
	fi
	idle=$(sysctl_val tcp_keepalive_time)
	scr sockopt "$pid" "$fd" keepalive=1 keepidle=60 keepintvl=10 keepcnt=5
	[ "$RC" -eq 0 ] && [ "$OUT" = "fd $fd: keepalive 0 -> 1
fd $fd: keepidle $idle -> 60
fd $fd: keepintvl $(sysctl_val tcp_keepalive_intvl) -> 10
fd $fd: keepcnt $(sysctl_val tcp_keepalive_probes) -> 5" ] ||
		{ fail $t "rc $RC: $OUT $ERR"; exec 9>&-; return; }
	# ss sees the keepalive timer, counting down from 60 s (shown as
	# 1min, then 59sec...), not from the 2 hours of the default.
	ss -tnoe state established "( sport = :$port )" | grep -qE 'timer:\(keepalive,(1min|[1-5]?[0-9]sec),0\)' ||
		{ fail $t "ss: $(ss -tnoe state established "( sport = :$port )")"; exec 9>&-; return; }
	released "$pid" || { fail $t "redis not released"; exec 9>&-; return; }
	printf 'PING\r\n' >&9
	read -r -t 5 reply <&9
	[ "${reply%$'\r'}" = +PONG ] && [ "$(redis-cli -p "$port" ping)" = PONG ] ||
		{ fail $t "redis stopped answering"; exec 9>&-; return; }
	scr sockopt "$pid" "$fd" keepidle
	[ "$OUT" = "fd $fd: keepidle 60" ] || { fail $t "read back: $OUT"; exec 9>&-; return; }
	exec 9>&-
	pass $t
}

# On the verbs target: values before and after, -v, --json, --dry-run.
test_values_and_forms() {
	local t=values_and_forms got conn
	mkdir -p "$TMPD/fds"
	"$VT" fds "$TMPD/fds" "$TMPD/fds.ready" >/dev/null 2>&1 & PID=$!; track "$PID"
	wait_until 5 '[ -s "$TMPD/fds.ready" ]' || { fail $t "no target"; return; }
	conn=$(ready_field "$TMPD/fds.ready" conn)
	scr sockopt -v "$PID" "$conn" nodelay=0 rcvbuf=30000 keepcnt
	[ "$RC" -eq 0 ] && [ "$OUT" = "fd $conn: nodelay 1 -> 0
fd $conn: rcvbuf 100000 -> 60000
fd $conn: keepcnt 4" ] || { fail $t "rc $RC: $OUT $ERR"; return; }
	grep -qx "setsockopt($conn, SOL_SOCKET, SO_RCVBUF, \[30000\], 4) = 0" <<<"$ERR" &&
		grep -qx "getsockopt($conn, SOL_SOCKET, SO_RCVBUF, \[60000\], \[4\]) = 0" <<<"$ERR" ||
		{ fail $t "-v: $ERR"; return; }
	scr sockopt --json "$PID" "$conn" nodelay=1
	got=$(pyq '[(o["fd"], o["name"], o["before"], o["set"], o["after"]) for o in J[0]["options"]]' <<<"$OUT")
	[ "$got" = "[[$conn, \"nodelay\", 0, 1, 1]]" ] || { fail $t "json: $got"; return; }
	start_tracer "$PID" || { fail $t "no stand-in tracer"; return; }
	scr sockopt --dry-run "$PID" "$conn" nodelay=0
	stop_tracer
	[ "$RC" -eq 0 ] && [ "$OUT" = "getsockopt($conn, IPPROTO_TCP, TCP_NODELAY, [?], [4]) = \$1
setsockopt($conn, IPPROTO_TCP, TCP_NODELAY, [0], 4) = \$2
getsockopt($conn, IPPROTO_TCP, TCP_NODELAY, [?], [4]) = \$3" ] ||
		{ fail $t "dry run: rc $RC: $OUT $ERR"; return; }
	scr sockopt "$PID" "$conn" nodelay
	[ "$OUT" = "fd $conn: nodelay 1" ] || { fail $t "the dry run changed it: $OUT"; return; }
	pass $t
}

# Refused before anything is attached: the process never stops.
test_refusals() {
	local t=refusals r="$TMPD/fds.ready"
	[ -n "${PID:-}" ] || { skip $t "no target"; return; }
	start_tracer "$PID" || { fail $t "no stand-in tracer"; return; }
	scr sockopt "$PID" "$(ready_field "$r" file)" keepalive=1
	[ "$RC" -eq 2 ] && [[ $ERR == *"descriptor $(ready_field "$r" file) is not a socket (it is file)"* ]] ||
		{ fail $t "file: rc $RC $ERR"; stop_tracer; return; }
	scr sockopt "$PID" "$(ready_field "$r" unix)" keepidle=5
	[ "$RC" -eq 2 ] && [[ $ERR == *"is a unix socket: keepidle applies to TCP sockets only"* ]] ||
		{ fail $t "unix: rc $RC $ERR"; stop_tracer; return; }
	scr sockopt "$PID" "$(ready_field "$r" udp)" keepalive=1
	[ "$RC" -eq 2 ] && [[ $ERR == *"is a udp socket: keepalive applies to stream sockets"* ]] ||
		{ fail $t "udp: rc $RC $ERR"; stop_tracer; return; }
	scr sockopt "$PID" 99 keepalive=1
	[ "$RC" -eq 2 ] && [[ $ERR == *"descriptor 99: not open"* ]] || { fail $t "closed fd: rc $RC $ERR"; stop_tracer; return; }
	scr sockopt "$PID" "$(ready_field "$r" conn)" keepalive=yes
	[ "$RC" -eq 2 ] && [[ $ERR == *"keepalive: 'yes' is not a value"* ]] || { fail $t "bad value: rc $RC $ERR"; stop_tracer; return; }
	scr sockopt "$PID" "$(ready_field "$r" conn)" keepalvie=1
	[ "$RC" -eq 2 ] && [[ $ERR == *"unknown option 'keepalvie' (one of keepalive,"* ]] || { fail $t "bad name: rc $RC $ERR"; stop_tracer; return; }
	scr sockopt "$PID" "$(ready_field "$r" conn)"
	[ "$RC" -eq 2 ] && [[ $ERR == *"missing NAME[=VALUE]"* ]] || { fail $t "no name: rc $RC $ERR"; stop_tracer; return; }
	[ "$(tracer_of "$PID")" = "$TRACER" ] || { fail $t "tracer changed"; stop_tracer; return; }
	stop_tracer
	pass $t
}

test_redis_keepalive
test_values_and_forms
test_refusals
finish
