#!/usr/bin/env bash
# make demo: a heartbeat process, and libscremote acting on it from outside.
set -eu
build=${1:-build}
log=$(mktemp /tmp/scremote-demo.XXXXXX)
rm -f "$log"
"$build/demo/heartbeat" &
pid=$!
trap 'kill $pid 2>/dev/null || true; rm -f "$log"' EXIT
sleep 0.7
echo "== scremote: redirecting the stdout of heartbeat (pid $pid) to $log"
"$build/demo/demo" "$pid" "$log"
sleep 1
echo "== heartbeat is still running; its stdout now goes to $log:"
sed 's/^/   | /' "$log"
kill $pid
wait $pid 2>/dev/null || true
echo "== stopped heartbeat"
