# Shared by tests/sh/cli_*.sh (sourced, not run): paths, the PASS/FAIL
# protocol, bounded waits, and targets that are always killed on exit.
set -u
: "${SCREMOTE_BUILD:?run through tests/run.sh, or set SCREMOTE_BUILD}"
SCR=$SCREMOTE_BUILD/scremote
TGT=$SCREMOTE_BUILD/tests/cli/cli_target
TMPD=$(mktemp -d "${TMPDIR:-/tmp}/scremote-cli.XXXXXX")
failed=0
targets=()

cleanup() {
	local p
	for p in "${targets[@]}"; do
		kill -KILL "$p" 2>/dev/null
	done
	wait 2>/dev/null
	rm -rf "$TMPD"
}
trap cleanup EXIT

pass() { echo "PASS $1"; }
fail() { echo "FAIL $1: $2"; failed=1; }
skip() { echo "SKIP $1: $2"; }

# Remember a background process ($!) for the cleanup.
track() { targets+=("$1"); }

# wait_until SECONDS 'shell condition': polls, never longer than asked.
wait_until() {
	local end=$((SECONDS + $1))
	until eval "$2"; do
		[ "$SECONDS" -ge "$end" ] && return 1
		sleep 0.02
	done
}

# scr ARGS...: runs scremote with a bound; sets OUT, ERR, RC.
scr() {
	OUT=$(timeout -k 2 20 "$SCR" "$@" 2>"$TMPD/stderr")
	RC=$?
	ERR=$(cat "$TMPD/stderr")
}

status_field() { sed -n "s/^$2:[[:space:]]*//p" "/proc/$1/status" 2>/dev/null; }

# The target is alive, not traced, and in the state it should be in
# (default: sleeping or running, not stopped).
released() {
	local state
	state=$(status_field "$1" State)
	[ "$(status_field "$1" TracerPid)" = 0 ] &&
		case "$state" in [SRD]*) true ;; *) false ;; esac
}

# Prints the PID of a process that has just exited: almost surely free.
dead_pid() {
	local p
	sh -c 'exit 0' & p=$!
	wait "$p"
	echo "$p"
}

finish() { exit "$failed"; }
