#!/usr/bin/env bash
# make demo: a heartbeat process, and scremote acting on it from outside.
set -eu
build=${1:-build}
scremote=$build/scremote
log=$(mktemp /tmp/scremote-demo.XXXXXX)
"$build/demo/heartbeat" &
pid=$!
trap 'kill $pid 2>/dev/null || true; rm -f "$log"' EXIT
sleep 0.7

# Prints the command as one would type it, then runs it.
show() {
	local line="\$ scremote" a
	for a in "$@"; do
		case $a in
		*[!A-Za-z0-9_./-]*) line+=" '$a'" ;;
		*) line+=" $a" ;;
		esac
	done
	echo "$line"
	"$scremote" "$@"
}
echo "== heartbeat is running as pid $pid; now from outside:"
show "$pid" getpid
msg="hello from inside PID $pid"
show "$pid" write 1 "\"$msg\\n\"" $((${#msg} + 1))
echo "== redirect its stdout to $log, in one attach:"
show "$pid" -e "openat(AT_FDCWD, \"$log\", O_WRONLY|O_CREAT|O_TRUNC, 0644)" \
	-e 'dup2($1, 1)' -e 'close($1)'
sleep 1
echo "== heartbeat is still running; its stdout now goes to $log:"
sed 's/^/   | /' "$log"
kill $pid
wait $pid 2>/dev/null || true
echo "== stopped heartbeat"
