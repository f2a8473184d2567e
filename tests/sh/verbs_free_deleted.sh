#!/usr/bin/env bash
# scremote free-deleted: on nginx, whose deleted access log is freed
# while a client loop runs (no byte of any response corrupted, the space
# comes back, nginx logs on); and on a target holding deleted files of
# every kind, which checks itself afterwards: same descriptor numbers,
# the log still written, the mapping still readable.
. "$SCREMOTE_TOP/tests/verbs/lib.sh"

blocks_of() { stat -L -c %b "/proc/$1/fd/$2" 2>/dev/null; }

# start_holder NAME: sets PID and the ready file H.
start_holder() {
	mkdir -p "$TMPD/$1"
	H=$TMPD/$1.ready
	"$VT" holder "$TMPD/$1" "$H" "$TMPD/$1.report" >/dev/null 2>&1 &
	PID=$!; track "$PID"
	wait_until 10 '[ -s "$H" ]' || return 1
	track "$(ready_field "$H" child)"
}

# report NAME: the holder's self-check, fresh.
self_check() {
	local sc_file=$TMPD/$1.report
	rm -f "$sc_file"
	kill -USR1 "$PID"
	wait_until 5 '[ -s "$sc_file" ]' && cat "$sc_file"
}

test_all_deleted_files() {
	local t=all_deleted_files log ro mapped shared memfd rep
	start_holder a || { fail $t "no target"; return; }
	log=$(ready_field "$H" log) ro=$(ready_field "$H" ro)
	mapped=$(ready_field "$H" mapped) shared=$(ready_field "$H" shared)
	memfd=$(ready_field "$H" memfd)
	scr free-deleted "$PID"
	# The mapped file is refused: exit 1, the rest is done.
	[ "$RC" -eq 1 ] || { fail $t "rc $RC: $OUT $ERR"; return; }
	grep -qx "fd $log $TMPD/a/log (deleted): truncated, 2.0 MiB freed" <<<"$OUT" &&
		grep -qx "fd $ro $TMPD/a/ro (deleted): truncated, 1.0 MiB freed" <<<"$OUT" &&
		grep -qx "fd $shared $TMPD/a/shared (deleted): truncated, 1.0 MiB freed" <<<"$OUT" &&
		grep -qx "4.0 MiB freed in total" <<<"$OUT" ||
		{ fail $t "output: $OUT"; return; }
	[[ $ERR == *"fd $mapped $TMPD/a/mapped (deleted): mapped into the process's memory"* ]] ||
		{ fail $t "mapped file not refused: $ERR"; return; }
	! grep -q "fd $memfd " <<<"$OUT$ERR" || { fail $t "memfd touched: $OUT $ERR"; return; }
	for fd in "$log" "$ro" "$shared"; do
		[ "$(blocks_of "$PID" "$fd")" -eq 0 ] || { fail $t "fd $fd still has $(blocks_of "$PID" "$fd") blocks"; return; }
	done
	rep=$(self_check a) || { fail $t "no self-check"; return; }
	# Same descriptors, same files; the log takes lines; the mapping
	# reads (no SIGBUS); the memfd and the mapped file untouched.
	grep -qx "log fd $log same 1 nlink 0 size 0 blocks 0" <<<"$rep" &&
		grep -qx "ro fd $ro same 1 nlink 0 size 0 blocks 0" <<<"$rep" &&
		grep -qx "mapped fd $mapped same 1 nlink 0 size 65536 blocks [1-9][0-9]*" <<<"$rep" &&
		grep -qx "memfd fd $memfd same 1 nlink 0 size 65536 blocks [0-9]*" <<<"$rep" &&
		grep -qx "logwrite 5" <<<"$rep" && grep -qx "mapsum 16" <<<"$rep" ||
		{ fail $t "self-check: $rep"; return; }
	released "$PID" || { fail $t "not released"; return; }
	pass $t
}

# --null: replaced by /dev/null; the space of a file another process
# still holds does not come back, and the output says who holds it.
test_null() {
	local t=null ro shared child rep
	start_holder b || { fail $t "no target"; return; }
	ro=$(ready_field "$H" ro) shared=$(ready_field "$H" shared)
	child=$(ready_field "$H" child)
	scr free-deleted -v --null "$PID" "$ro,$shared"
	[ "$RC" -eq 0 ] || { fail $t "rc $RC: $OUT $ERR"; return; }
	grep -qx "fd $ro $TMPD/b/ro (deleted): replaced by /dev/null, 1.0 MiB freed" <<<"$OUT" &&
		grep -qx "fd $shared $TMPD/b/shared (deleted): replaced by /dev/null, 0 bytes freed (process $child fd $shared still holds the 1.0 MiB)" <<<"$OUT" ||
		{ fail $t "output: $OUT"; return; }
	grep -qx "openat(AT_FDCWD, \"/dev/null\", O_RDONLY|O_CLOEXEC) = [0-9]*" <<<"$ERR" &&
		grep -qx "dup3([0-9]*, $ro, 0) = $ro" <<<"$ERR" ||
		{ fail $t "-v: $ERR"; return; }
	[ "$(readlink "/proc/$PID/fd/$ro")" = /dev/null ] && [ "$(readlink "/proc/$PID/fd/$shared")" = /dev/null ] ||
		{ fail $t "not /dev/null: $(ls -l "/proc/$PID/fd")"; return; }
	rep=$(self_check b) || { fail $t "no self-check"; return; }
	grep -qx "ro fd $ro same 0 nlink 1 size 0 blocks 0" <<<"$rep" || { fail $t "self-check: $rep"; return; }
	pass $t
}

# Named descriptors that are not deleted files: refused, then --force.
test_refusals_and_force() {
	local t=refusals_and_force live memfd rep
	start_holder c || { fail $t "no target"; return; }
	live=$(ready_field "$H" live) memfd=$(ready_field "$H" memfd)
	scr free-deleted "$PID" "$live" "$memfd" 77
	[ "$RC" -eq 1 ] && [[ $ERR == *"fd $live $TMPD/c/live: not a deleted file (--force replaces it by /dev/null; to drop what it points at, keeping the number, also: scremote redirect PID FD /dev/null); left as it is"* ]] &&
		[[ $ERR == *"fd $memfd /memfd:scratch (deleted): a memfd"* ]] &&
		[[ $ERR == *"fd 77: not open; left as it is"* ]] ||
		{ fail $t "refusals: rc $RC $ERR"; return; }
	[ "$(tracer_of "$PID")" = 0 ] && [ "$(readlink "/proc/$PID/fd/$live")" = "$TMPD/c/live" ] ||
		{ fail $t "a refused descriptor changed"; return; }
	[ "$(stat -c %s "$TMPD/c/live")" = 4096 ] || { fail $t "live file truncated"; return; }
	scr free-deleted --force "$PID" "$live"
	[ "$RC" -eq 0 ] && [ "$(readlink "/proc/$PID/fd/$live")" = /dev/null ] &&
		[ "$(stat -c %s "$TMPD/c/live")" = 4096 ] ||
		{ fail $t "--force: rc $RC $OUT $ERR"; return; }
	scr free-deleted --force "$PID"
	[ "$RC" -eq 2 ] && [[ $ERR == *"--force acts only on descriptors named one by one"* ]] ||
		{ fail $t "--force without fds: rc $RC $ERR"; return; }
	rep=$(self_check c) || { fail $t "no self-check"; return; }
	grep -qx "logwrite 5" <<<"$rep" || { fail $t "self-check: $rep"; return; }
	pass $t
}

# --dry-run: the plan, nothing done, nothing attached; --json.
test_dry_run_and_json() {
	local t=dry_run_and_json log got
	start_holder d || { fail $t "no target"; return; }
	log=$(ready_field "$H" log)
	start_tracer "$PID" || { fail $t "no stand-in tracer"; return; }
	scr free-deleted --dry-run "$PID" "$log"
	stop_tracer
	[ "$RC" -eq 0 ] && [ "$OUT" = "(local) open(\"/proc/$PID/fd/$log\", O_WRONLY|O_NONBLOCK|O_CLOEXEC) = \$1
(local) ftruncate(\$1, 0) = \$2" ] || { fail $t "dry run: rc $RC: $OUT $ERR"; return; }
	scr free-deleted --dry-run --null "$PID" "$log"
	[ "$RC" -eq 0 ] && grep -qx "dup3(\$1, $log, 0) = \$2" <<<"$OUT" || { fail $t "dry run --null: $OUT"; return; }
	[ "$(blocks_of "$PID" "$log")" -gt 0 ] && [ "$(readlink "/proc/$PID/fd/$log")" = "$TMPD/d/log (deleted)" ] ||
		{ fail $t "the dry run changed something"; return; }
	scr free-deleted --json "$PID" "$log"
	got=$(pyq '[J[0]["freed"], [(f["fd"], f["action"], f["done"], f["freed"]) for f in J[0]["fds"]], J[0]["status"]]' <<<"$OUT")
	[ "$got" = "[2097152, [[$log, \"truncate\", true, 2097152]], 0]" ] || { fail $t "json: $got $OUT"; return; }
	pass $t
}

# ---- nginx ----------------------------------------------------------

free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

workers() { wc -w <"/proc/$NGINX/task/$NGINX/children" 2>/dev/null || echo 0; }

# start_nginx: master and two workers, the access log preloaded with
# 8 MiB; sets NGINX (the master's PID) and PORT.
start_nginx() {
	local n=$TMPD/nginx user=
	mkdir -p "$n/html" "$n/tmp"
	head -c 20000 /dev/urandom | base64 -w 100 >"$n/html/page.txt"
	head -c $((8 << 20)) /dev/zero | tr '\0' 'x' >"$n/access.log"
	[ "$(id -u)" -eq 0 ] && user="user root;"
	for try in 1 2 3; do
		PORT=$(free_port)
		cat >"$n/nginx.conf" <<EOF
$user
worker_processes 2;
daemon off;
pid $n/nginx.pid;
error_log $n/error.log;
events { worker_connections 256; }
http {
	access_log $n/access.log;
	client_body_temp_path $n/tmp/body;
	proxy_temp_path $n/tmp/proxy;
	fastcgi_temp_path $n/tmp/fastcgi;
	uwsgi_temp_path $n/tmp/uwsgi;
	scgi_temp_path $n/tmp/scgi;
	keepalive_timeout 0;
	server {
		listen 127.0.0.1:$PORT;
		root $n/html;
	}
}
EOF
		nginx -p "$n" -c "$n/nginx.conf" >/dev/null 2>&1 & NGINX=$!; track "$NGINX"
		if wait_until 10 '[ "$(workers)" -ge 2 ] &&
		    (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null'; then
			for w in $(cat "/proc/$NGINX/task/$NGINX/children"); do track "$w"; done
			return 0
		fi
		kill -KILL "$NGINX" 2>/dev/null; wait "$NGINX" 2>/dev/null
	done
	return 1
}

# A client loop over new connections (each one takes a descriptor in a
# worker): every response must be exactly the page.  Stops when STOP
# exists; writes "ok N" or what went wrong to RESULT.
client_loop() {
	python3 - "$PORT" "$TMPD/nginx/html/page.txt" "$TMPD/client.stop" "$TMPD/client.result" "$TMPD/client.count" <<'EOF' &
import os, socket, sys, time
port, page, stop, result, count = int(sys.argv[1]), open(sys.argv[2], "rb").read(), sys.argv[3], sys.argv[4], sys.argv[5]
n, bad, end = 0, [], time.time() + 100
while not os.path.exists(stop) and time.time() < end and len(bad) < 5:
    try:
        s = socket.create_connection(("127.0.0.1", port), timeout=10)
        s.sendall(b"GET /page.txt HTTP/1.0\r\nHost: x\r\n\r\n")
        data = b""
        while True:
            b = s.recv(65536)
            if not b:
                break
            data += b
        s.close()
        head, _, body = data.partition(b"\r\n\r\n")
        if not head.startswith(b"HTTP/1.1 200") or body != page or \
           b"\r\nContent-Length: %d\r\n" % len(page) not in head + b"\r\n":
            bad.append("response %d: %r ... %r" % (n, data[:80], data[-80:]))
    except Exception as e:
        bad.append("request %d: %s" % (n, e))
    n += 1
    time.sleep(0.002)       # the machine is shared
    if n % 20 == 0:
        open(count + ".tmp", "w").write(str(n))
        os.rename(count + ".tmp", count)
open(result, "w").write("ok %d\n" % n if not bad else "\n".join(bad) + "\n")
EOF
	CLIENT=$!; track "$CLIENT"
}

requests() { cat "$TMPD/client.count" 2>/dev/null || echo 0; }

test_nginx_access_log() {
	local t=nginx_deleted_access_log pids fd w before n res total size blocks
	if ! have nginx; then skip $t "nginx not installed (apt-get install nginx)"; return; fi
	if ! have python3; then skip $t "python3 not installed"; return; fi
	start_nginx || { fail $t "nginx did not start: $(cat "$TMPD/nginx/error.log" 2>/dev/null)"; return; }
	pids="$NGINX,$(tr ' ' ',' <"/proc/$NGINX/task/$NGINX/children" | sed 's/,*$//')"
	fd=$(for f in /proc/$NGINX/fd/*; do [ "$(readlink "$f")" = "$TMPD/nginx/access.log" ] && echo "${f##*/}"; done | head -1)
	[ -n "$fd" ] || { fail $t "no access log descriptor in nginx"; return; }
	client_loop
	wait_until 20 '[ "$(requests)" -ge 100 ]' || { fail $t "the client loop does not run: $(cat "$TMPD/client.result" 2>/dev/null)"; return; }
	rm "$TMPD/nginx/access.log"
	before=$(blocks_of "$NGINX" "$fd")
	[ "$before" -ge $((8 << 11)) ] || { fail $t "the log holds only $before blocks"; return; }
	n=$(requests)
	scr free-deleted "$pids" "$fd"
	[ "$RC" -eq 0 ] || { fail $t "rc $RC: $OUT $ERR"; return; }
	grep -qx "\[pid $NGINX\] fd $fd $TMPD/nginx/access.log (deleted): truncated, 8\.[0-9] MiB freed" <<<"$OUT" ||
		{ fail $t "output: $OUT"; return; }
	total=$(grep -c "^\[pid [0-9]*\] fd $fd .*: truncated, " <<<"$OUT")
	[ "$total" -eq 3 ] || { fail $t "$total processes done, expected 3: $OUT"; return; }
	for w in ${pids//,/ }; do
		[ "$(readlink "/proc/$w/fd/$fd")" = "$TMPD/nginx/access.log (deleted)" ] ||
			{ fail $t "pid $w fd $fd is now $(readlink "/proc/$w/fd/$fd")"; return; }
		released "$w" || { fail $t "pid $w not released"; return; }
	done
	# The space is back: what the file holds now is only what nginx
	# logged since (O_APPEND, from 0), well under the 8 MiB it held.
	size=$(stat -L -c %s "/proc/$NGINX/fd/$fd")
	blocks=$(blocks_of "$NGINX" "$fd")
	[ "$size" -lt $((4 << 20)) ] && [ $((blocks * 512)) -le $((size + (1 << 20))) ] ||
		{ fail $t "after: size $size, $blocks blocks"; return; }
	# Serving and logging go on, into the same (emptied) file.
	wait_until 20 '[ "$(requests)" -ge $((n + 200)) ]' || { fail $t "the client loop stalled at $(requests)"; return; }
	[ "$(stat -L -c %s "/proc/$NGINX/fd/$fd")" -gt 0 ] || { fail $t "nginx no longer logs"; return; }
	touch "$TMPD/client.stop"
	wait_until 20 '[ -s "$TMPD/client.result" ]' || { fail $t "the client loop did not end"; return; }
	res=$(cat "$TMPD/client.result")
	[[ $res == "ok "* ]] || { fail $t "client saw: $res"; return; }
	pass $t
}

test_all_deleted_files
test_null
test_refusals_and_force
test_dry_run_and_json
test_nginx_access_log
finish
