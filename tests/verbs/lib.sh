# Shared by tests/sh/verbs_*.sh (sourced): tests/cli/lib.sh, plus the
# verbs' target program, a private record directory for redirect, JSON
# queries and a stand-in tracer.
. "$SCREMOTE_TOP/tests/cli/lib.sh"
VT=$SCREMOTE_BUILD/tests/verbs/verbs_target
export SCREMOTE_STATE_DIR=$TMPD/state

have() { command -v "$1" >/dev/null 2>&1; }

# ready_field FILE NAME [N]: field N (default 2) of the line NAME... .
ready_field() { awk -v n="$2" -v k="${3:-2}" '$1 == n { print $k; exit }' "$1"; }

# jq-like queries without jq: pyq 'EXPR' <json; EXPR sees the decoded
# objects, one per input line, as the list J (J[0] for one process).
pyq() {
	python3 -c '
import json, sys
J = [json.loads(l) for l in sys.stdin if l.strip()]
r = eval(sys.argv[1])
print(r if not isinstance(r, (dict, list)) else json.dumps(r))' "$1"
}

# start_tracer PID: makes a stand-in tracer hold PID, so that anything
# else's attach fails; sets TRACER.
start_tracer() {
	rm -f "$TMPD/tracer.ready"
	"$VT" tracer "$1" "$TMPD/tracer.ready" & TRACER=$!; track "$TRACER"
	wait_until 5 '[ -s "$TMPD/tracer.ready" ]'
}

stop_tracer() {
	kill "$TRACER" 2>/dev/null
	wait "$TRACER" 2>/dev/null
}

tracer_of() { status_field "$1" TracerPid; }

# under_strace LOG ARGS...: scremote ARGS run under strace -f, its system
# calls logged to LOG.  (A sanitizer's leak check at exit ptraces
# scremote's own threads, and does not work under a tracer: it is off
# here, and on in every other run.)
under_strace() {
	local log=$1
	shift
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
		timeout 60 strace -f -o "$log" "$SCR" "$@"
}

# no_ptrace_by LOG: the strace log of a scremote run shows no ptrace
# request and no pidfd_open: nothing was attached.
no_ptrace_by() { ! grep -qE '(^|[] ])(ptrace|pidfd_open)\(' "$1"; }
