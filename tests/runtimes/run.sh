#!/usr/bin/env bash
# make check-runtimes: the engine against real language runtimes.
#
#   tests/runtimes/run.sh BUILD [go] [jvm] [node] [redis]
#
# Each runtime runs a program that works and checks its own results
# (tests/runtimes/<runtime>/) while BUILD/runtimes/inject attaches to it
# again and again for RUNTIMES_SECONDS (default 20) and runs calls in
# random threads, checking each one.  Then the program's input is closed
# and it must stop, check its totals and exit 0 with "VERDICT PASS".
# Redis runs under redis-benchmark load instead, with known data that is
# checked afterwards, live and again after a restart from its AOF.
#
# Two lines per runtime: NAME_inject (every call right, every thread
# stopped while attached and released after) and NAME_selfcheck (the
# program's own verdict, a clean exit).  A runtime that is not installed
# is skipped, saying so.  Every wait is bounded.  Logs stay in
# BUILD/runtimes/work/.  SCREMOTE_RUNTIMES_SEED=N replays the injector's
# choices.
set -u
build=${1:?usage: run.sh BUILD [RUNTIME...]}
shift
[ $# -gt 0 ] || set -- go jvm node redis
top=$(cd "$(dirname "$0")/../.." && pwd)
B=$top/$build
RT=$B/runtimes
WORK=$RT/work
INJECT=$RT/inject
SRC=$top/tests/runtimes
SECS=${RUNTIMES_SECONDS:-20}
START_S=90		# a cold JVM on a loaded machine
STOP_S=90		# end of input to exit
pass=0 fail=0 skip=0
started=()

cleanup() {
	local p
	for p in "${started[@]}"; do
		kill -KILL "$p" 2>/dev/null
	done
}
trap cleanup EXIT

say_pass() { echo "PASS $1"; pass=$((pass + 1)); }
say_fail() { echo "FAIL $1: $2"; fail=$((fail + 1)); }
say_skip() { echo "SKIP $1: $2"; skip=$((skip + 1)); }
info() { echo "  $*"; }

# wait_until SECONDS 'shell condition': polls, never longer than asked.
wait_until() {
	local end=$((SECONDS + $1))
	until eval "$2"; do
		[ "$SECONDS" -ge "$end" ] && return 1
		sleep 0.05
	done
}

# gone PID: it has exited (a child of ours stays a zombie until waited).
gone() {
	! kill -0 "$1" 2>/dev/null ||
		grep -q '^State:.*[ZX]' "/proc/$1/status" 2>/dev/null
}

# The last lines of a log, on one line, for a FAIL message.
tail_of() { tail -n "${2:-3}" "$1" 2>/dev/null | tr '\n' ' ' | cut -c1-400; }

# missing CMD...: prints the first command that is not installed.
missing() {
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null || { echo "$c"; return 0; }
	done
	return 1
}

# inject NAME PID PORT STATES [ACKFILE]: runs the injector (with
# ACKFILE, it also sends SIGUSR2 that the target counts there); its
# verdict is the NAME_inject line.  Returns 0 when it passed.
inject() {
	local name=$1 pid=$2 port=$3 states=$4 log=$WORK/$1.inject.log rc
	local sig=()
	[ -n "${5:-}" ] && sig=(-s "$5")
	timeout -k 5 $((SECS * 3 + 60)) "$INJECT" -p "$port" "${sig[@]}" \
		-w "$states" "$pid" "$SECS" >"$log" 2>&1
	rc=$?
	grep -v -e '^inject: PASS' -e '^inject: pid' "$log" | sed 's/^inject: /  /'
	if [ "$rc" -eq 0 ] && grep -q '^inject: PASS' "$log"; then
		say_pass "${name}_inject"
		return 0
	fi
	[ "$rc" -eq 124 ] &&
		echo "inject: FAIL: no end within $((SECS * 3 + 60)) s" >>"$log"
	say_fail "${name}_inject" "$(grep -m1 '^inject: FAIL' "$log" |
		sed 's/^inject: FAIL //') (exit $rc; log: $log)"
	return 1
}

# drive NAME STATES ACKFILE CMD...: starts CMD (which prints "READY
# pid=N port=P" and works until its input ends), injects, ends its input
# and judges its verdict.  ACKFILE: where CMD counts SIGUSR2 ('': it
# gets none).
drive() {
	local name=$1 states=$2 ackfile=$3 fifo infd tpid pid port rc
	shift 3
	local out=$WORK/$name.out err=$WORK/$name.err
	fifo=$WORK/$name.in
	rm -f "$fifo"
	mkfifo "$fifo" || { say_fail "${name}_selfcheck" "mkfifo failed"; return; }
	exec {infd}<>"$fifo"
	"$@" <"$fifo" >"$out" 2>"$err" {infd}>&- &
	tpid=$!
	started+=("$tpid")
	if ! wait_until "$START_S" "grep -q '^READY' '$out' || gone $tpid" ||
	   ! grep -q '^READY' "$out"; then
		exec {infd}>&-
		kill -KILL "$tpid" 2>/dev/null
		wait "$tpid" 2>/dev/null
		say_fail "${name}_selfcheck" "did not start within $START_S s:" \
			"$(tail_of "$out") $(tail_of "$err")"
		return
	fi
	pid=$(sed -n 's/^READY pid=\([0-9]*\) port=\([0-9]*\).*/\1/p' "$out")
	port=$(sed -n 's/^READY pid=\([0-9]*\) port=\([0-9]*\).*/\2/p' "$out")
	if [ "$pid" != "$tpid" ]; then
		exec {infd}>&-
		kill -KILL "$tpid" 2>/dev/null
		say_fail "${name}_selfcheck" "READY names pid $pid, started $tpid"
		return
	fi
	inject "$name" "$pid" "$port" "$states" "$ackfile"

	exec {infd}>&-		# end of input: stop, check, exit
	if ! wait_until "$STOP_S" "gone $tpid"; then
		kill -KILL "$tpid" 2>/dev/null
		wait "$tpid" 2>/dev/null
		say_fail "${name}_selfcheck" "did not exit within $STOP_S s of" \
			"the end of its input: $(tail_of "$out")"
		return
	fi
	{ wait "$tpid"; } 2>/dev/null	# (no "Aborted" from the shell)
	rc=$?
	grep -E '^VERDICT' "$out" | sed 's/^VERDICT PASS /self-check: /; s/^/  /'
	if [ "$rc" -eq 0 ] && grep -q '^VERDICT PASS' "$out"; then
		say_pass "${name}_selfcheck"
	else
		say_fail "${name}_selfcheck" "$(exit_text "$rc"):" \
			"$(why_failed "$out" "$err") (logs: $out, $err)"
	fi
}

exit_text() {
	if [ "$1" -gt 128 ]; then
		echo "killed by SIG$(kill -l $(($1 - 128)) 2>/dev/null)"
	else
		echo "exit status $1"
	fi
}

# The program's own FAIL line; else what a crash printed (a JVM's fatal
# error report names the signal and its siginfo); else its last words.
why_failed() {
	local why
	why=$(grep -m1 '^FAIL' "$1")
	[ -n "$why" ] ||
		why=$(grep -h -e '^#  SIG' -e '^siginfo:' -e '^fatal error' \
			-e '^panic:' -e '^unexpected signal' "$1" "$2" \
			"$WORK"/*hs_err*.log 2>/dev/null | sort -u | head -3 |
			tr '\n' ' ')
	[ -n "$why" ] || why=$(tail_of "$2" 6)
	echo "$why"
}

run_go() {
	local m gobin=$RT/go/gotarget
	if m=$(missing go); then
		say_skip go "$m is not installed (Debian: golang-go)"
		return
	fi
	mkdir -p "$RT/go" "$WORK/go"
	# Offline, standard library only, caches inside the build tree.
	if ! (cd "$SRC/go" &&
	      GOCACHE=$RT/go/cache GOPATH=$RT/go/path GOPROXY=off GOFLAGS= \
	      GO111MODULE=off GOTOOLCHAIN=local \
	      timeout 300 go build -o "$gobin" main.go) >"$WORK/go.build" 2>&1; then
		say_fail go_build "go build failed: $(tail_of "$WORK/go.build" 5)"
		return
	fi
	info "go: $(go version | cut -d' ' -f3-)"
	drive go futex "$WORK/go/signals" "$gobin" "$WORK/go"
}

run_jvm() {
	local m
	if m=$(missing java javac); then
		say_skip jvm "$m is not installed (Debian: default-jdk-headless)"
		return
	fi
	mkdir -p "$RT/jvm"
	if ! timeout 300 javac -Xlint:all -Werror -d "$RT/jvm" "$SRC/jvm/Target.java" \
		>"$WORK/jvm.build" 2>&1; then
		say_fail jvm_build "javac failed: $(tail_of "$WORK/jvm.build" 5)"
		return
	fi
	info "jvm: $(java -version 2>&1 | sed -n 2p)"
	# IPv4 sockets (the injector checks the listener as AF_INET); a
	# crash report goes to the work directory, not the source tree.
	# No SIGUSR2: HotSpot uses it itself.
	drive jvm futex '' java -Xmx256m -Djava.net.preferIPv4Stack=true \
		-XX:ErrorFile="$WORK/jvm-hs_err_%p.log" -cp "$RT/jvm" Target
}

run_node() {
	local m
	if m=$(missing node); then
		say_skip node "$m is not installed (Debian: nodejs)"
		return
	fi
	mkdir -p "$WORK/node"
	info "node: $(node --version)"
	drive node futex,epoll "$WORK/node/signals" \
		node "$SRC/node/target.js" "$WORK/node"
}

# ---- Redis ---------------------------------------------------------------

REDIS_KEYS=2000
BENCH_N=20000
BENCH_TESTS=set,get,incr,lpush,hset,sadd

rcli() { timeout 30 redis-cli -h 127.0.0.1 -p "$RPORT" "$@"; }

# Known data in database 1, sent as inline commands.
redis_load() {
	local i
	for ((i = 0; i < REDIS_KEYS; i++)); do
		printf 'SET known:%d v%d-%08x\r\n' "$i" "$i" \
			$(((i * 2654435761) & 0xffffffff))
	done
	for ((i = 0; i < 300; i++)); do
		printf 'RPUSH known:list item%d\r\n' "$i"
	done
	for ((i = 0; i < 100; i++)); do
		printf 'HSET known:hash f%d %d\r\n' "$i" $((i * i))
	done
}

# What database 1 must hold, as redis-cli prints it.
redis_expected() {
	local i
	for ((i = 0; i < REDIS_KEYS; i++)); do
		printf 'v%d-%08x\n' "$i" $(((i * 2654435761) & 0xffffffff))
	done
	for ((i = 0; i < 300; i++)); do echo "item$i"; done
	for ((i = 0; i < 100; i++)); do printf 'f%d\n%d\n' "$i" $((i * i)); done
	echo $((REDIS_KEYS + 2))
}

redis_actual() {
	local i keys=()
	for ((i = 0; i < REDIS_KEYS; i++)); do keys+=("known:$i"); done
	rcli -n 1 MGET "${keys[@]}"
	rcli -n 1 LRANGE known:list 0 -1
	# HGETALL keeps insertion order for a hash this small (a listpack:
	# at most 128 fields).
	rcli -n 1 HGETALL known:hash
	rcli -n 1 DBSIZE
}

# Database 1 as loaded, and database 0 as RUNS benchmark runs left it:
# every INCR and LPUSH counted exactly once.  Prints what is wrong.
redis_check() {
	local runs=$1 when=$2 v
	if ! redis_actual | cmp -s - "$WORK/redis.expected"; then
		redis_actual >"$WORK/redis.actual" 2>&1
		echo "$when: the known data in database 1 changed" \
			"(compare $WORK/redis.actual with redis.expected)"
		return 1
	fi
	v=$(rcli GET counter:__rand_int__)
	if [ "${v:-0}" != $((runs * BENCH_N)) ]; then
		echo "$when: INCR counter is '$v' after $runs runs of $BENCH_N"
		return 1
	fi
	v=$(rcli LLEN mylist)
	if [ "${v:-0}" != $((runs * BENCH_N)) ]; then
		echo "$when: LPUSH list has '$v' items after $runs runs of $BENCH_N"
		return 1
	fi
}

redis_up() { [ "$(rcli PING 2>/dev/null)" = PONG ]; }

# Starts redis-server on a free port in $WORK/redis; sets RPID, RPORT.
redis_start() {
	local try
	for try in 1 2 3 4 5; do
		RPORT=$((20000 + (RANDOM % 20000)))
		redis-server --port "$RPORT" --bind 127.0.0.1 --save '' \
			--appendonly yes --appendfsync everysec \
			--dir "$WORK/redis" --logfile "$WORK/redis.log" \
			--daemonize no --protected-mode no </dev/null \
			>>"$WORK/redis.err" 2>&1 &
		RPID=$!
		started+=("$RPID")
		# (While it loads its AOF it answers LOADING, not PONG.)
		if wait_until 30 "gone $RPID || redis_up" && ! gone "$RPID" &&
		   redis_up; then
			return 0
		fi
		kill -KILL "$RPID" 2>/dev/null
		wait "$RPID" 2>/dev/null
		grep -q 'Address already in use' "$WORK/redis.log" 2>/dev/null || break
	done
	return 1
}

# Stops it with SHUTDOWN (the AOF is synced) and checks the exit; says
# what is wrong in WHY.  (Not in a subshell: it waits for its child.)
redis_stop() {
	local rc
	rcli SHUTDOWN >/dev/null 2>&1
	if ! wait_until 60 "gone $RPID"; then
		kill -KILL "$RPID" 2>/dev/null
		wait "$RPID" 2>/dev/null
		WHY="redis-server did not exit within 60 s of SHUTDOWN"
		return 1
	fi
	wait "$RPID"
	rc=$?
	if [ "$rc" -ne 0 ]; then
		WHY="redis-server: $(exit_text "$rc"): $(tail_of "$WORK/redis.log")"
		return 1
	fi
}

# Runs redis-benchmark until $WORK/redis.stop exists; counts the runs
# that completed, and stops at the first error.
redis_bench_loop() {
	local runs=0 out
	while [ ! -e "$WORK/redis.stop" ]; do
		out=$WORK/redis.bench.$runs
		if ! timeout 120 redis-benchmark -h 127.0.0.1 -p "$RPORT" -c 16 \
			-n "$BENCH_N" -t "$BENCH_TESTS" --csv >"$out" 2>&1 ||
		   grep -qi error "$out" ||
		   [ "$(grep -c '^"' "$out")" -lt 7 ]; then	# header + 6 tests
			echo "error" >"$WORK/redis.bench.failed"
			break
		fi
		runs=$((runs + 1))
		echo "$runs" >"$WORK/redis.bench.runs"
	done
}

# redis_abort REASON: stops the server, keeps REASON in WHY; returns 1.
redis_abort() {
	local why="$*"

	redis_stop
	WHY=$why
	return 1
}

# Known data, injection under benchmark load, the checks, a restart from
# the AOF and the checks again.  0, or 1 with the reason in WHY.
redis_session() {
	local why bpid runs

	if ! redis_start; then
		WHY="redis-server did not start: $(tail_of "$WORK/redis.log")"
		WHY+=" $(tail_of "$WORK/redis.err")"
		return 1
	fi
	redis_expected >"$WORK/redis.expected"
	redis_load | rcli -n 1 --pipe >"$WORK/redis.load" 2>&1
	grep -q "errors: 0, replies: $((REDIS_KEYS + 400))" "$WORK/redis.load" ||
		{ redis_abort "loading known data: $(tail_of "$WORK/redis.load")"
		  return 1; }
	why=$(redis_check 0 "before") || { redis_abort "$why"; return 1; }

	echo 0 >"$WORK/redis.bench.runs"
	redis_bench_loop &
	bpid=$!
	started+=("$bpid")
	inject redis "$RPID" "$RPORT" futex,epoll
	touch "$WORK/redis.stop"
	if ! wait_until 150 "gone $bpid"; then
		kill -KILL "$bpid" 2>/dev/null
		redis_abort "redis-benchmark did not finish within 150 s"
		return 1
	fi
	wait "$bpid"
	runs=$(cat "$WORK/redis.bench.runs")
	REDIS_RUNS=$runs
	[ ! -e "$WORK/redis.bench.failed" ] ||
		{ redis_abort "redis-benchmark run $((runs + 1)) failed:" \
			"$(tail_of "$WORK/redis.bench.$runs" 4)"; return 1; }
	[ "$runs" -ge 1 ] ||
		{ redis_abort "no redis-benchmark run completed"; return 1; }
	why=$(redis_check "$runs" "live") || { redis_abort "$why"; return 1; }
	redis_stop || return 1

	if ! redis_start; then
		WHY="redis-server did not restart from its AOF:"
		WHY+=" $(tail_of "$WORK/redis.log")"
		return 1
	fi
	why=$(redis_check "$runs" "after a restart from the AOF") ||
		{ redis_abort "$why"; return 1; }
	redis_stop
}

run_redis() {
	local m
	if m=$(missing redis-server redis-cli redis-benchmark); then
		say_skip redis "$m is not installed (Debian: redis-server redis-tools)"
		return
	fi
	rm -rf "$WORK/redis" "$WORK"/redis.*
	mkdir -p "$WORK/redis"
	info "redis: $(redis-server --version | cut -d' ' -f1-3)"
	if redis_session; then
		info "self-check: $REDIS_RUNS redis-benchmark runs of $BENCH_N x" \
			"$BENCH_TESTS, no error; data intact, live and after a" \
			"restart from the AOF"
		say_pass redis_selfcheck
	else
		say_fail redis_selfcheck "$WHY"
	fi
}

# ---------------------------------------------------------------------------

t0=$SECONDS
rm -rf "$WORK"
mkdir -p "$WORK"
if [ ! -x "$INJECT" ]; then
	echo "run.sh: $INJECT is missing: run 'make check-runtimes'" >&2
	exit 2
fi
echo "== runtimes in $build: $SECS s of injection each"
for r in "$@"; do
	case $r in
	go) run_go ;;
	jvm) run_jvm ;;
	node) run_node ;;
	redis) run_redis ;;
	*) say_fail "$r" "unknown runtime (go, jvm, node, redis)" ;;
	esac
done
echo "runtimes: $((SECONDS - t0)) s"
if [ "$skip" -gt 0 ]; then
	echo "$pass passed, $fail failed, $skip skipped"
else
	echo "$pass passed, $fail failed"
fi
[ "$fail" -eq 0 ]
