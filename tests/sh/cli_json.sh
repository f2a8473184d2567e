#!/usr/bin/env bash
# With --json, every outcome is a JSON object on standard output, so a
# script never has to read stderr: calls that succeed, fail, cannot run
# or end the process; parse errors (with the text and column), usage
# errors, attach failures (with the reason), interruptions; --list and
# --version.  Each case checks the objects with Python's json module.
. "$SCREMOTE_TOP/tests/cli/lib.sh"

if ! command -v python3 >/dev/null; then
	skip json_outcomes "python3 not installed"
	finish
fi

# check NAME RC PYTHON_ASSERTS -- ARGS...: runs scremote --json ARGS;
# the exit status must be RC, every line of stdout one JSON object, and
# the asserts hold with o the list of objects.
check() {
	local t=$1 rc=$2 code=$3
	shift 4
	scr --json "$@"
	if [ "$RC" -ne "$rc" ]; then
		fail "$t" "exit $RC, want $rc: $OUT $ERR"
		return
	fi
	if out=$(python3 - "$OUT" "$code" 2>&1 <<'EOF'
import json, sys
lines = sys.argv[1].splitlines()
o = [json.loads(l) for l in lines]
exec(sys.argv[2])
EOF
	); then
		pass "$t"
	else
		fail "$t" "$(tail -3 <<<"$out" | tr '\n' ' ') -- stdout: $OUT"
	fi
}

rm -f "$TMPD/ready"
"$TGT" state "$TMPD/ready" "$TMPD/report" >/dev/null 2>&1 & S=$!; track "$S"
wait_until 5 '[ -s "$TMPD/ready" ]' || { fail json_target "no target"; finish; }

check json_success 0 '
assert len(o) == 2
a, b = o
assert a["call"] == 1 and a["syscall"] == "fcntl" and a["executed"] is True
assert a["args"][1] == {"name": "cmd", "text": "F_GETFL", "input": "F_GETFL",
                        "value": a["args"][1]["value"]}
assert "O_LARGEFILE" in a["retval_text"]
assert b["syscall"] == "prlimit64" and b["retval"] == 0 and b["errno"] == 0
d = b["args"][3]["decoded"]
assert set(d) == {"rlim_cur", "rlim_max"} and d["rlim_cur"] <= d["rlim_max"]
' -- "$S" -e 'fcntl(1, F_GETFL)' -e 'prlimit64(0, RLIMIT_NOFILE, NULL, {})'

check json_errno 1 '
assert len(o) == 1 and o[0]["errno"] == 9 and o[0]["errname"] == "EBADF"
assert o[0]["retval"] == -1 and o[0]["strerror"] == "Bad file descriptor"
' -- "$S" close 9999

check json_decoded_struct 0 '
s = o[0]["args"][2]["decoded"]
assert s["st_mode"].startswith("S_IFREG|"), s
assert s["st_size"] > 0 and isinstance(s["st_dev"]["major"], int)
assert o[0]["args"][2]["text"].startswith("{st_dev=makedev(")
' -- "$S" -e 'newfstatat(AT_FDCWD, "/etc/hostname", {}, 0)'

check json_parse_error 2 '
assert len(o) == 1 and o[0]["error"] == "parse"
assert o[0]["text"] == "openat(AT_FDCWD, \"x\", O_CRAET)"
assert o[0]["column"] == 23 and o[0]["length"] == 7 and o[0]["call"] == 1
assert "did you mean" in o[0]["message"]
' -- "$S" -e 'openat(AT_FDCWD, "x", O_CRAET)'

check json_arity_error 2 '
assert o[0]["error"] == "parse" and "close takes 1 argument" in o[0]["message"]
' -- "$S" close

check json_usage_error 2 '
assert o == [{"error": "usage", "message": "unknown option '"'"'--frobnicate'"'"' (see scremote --help)"}]
' -- --frobnicate "$S" getpid

printf 'getpid()\nclose(\n' >"$TMPD/bad"
check json_file_error 2 '
assert o[0]["error"] == "parse" and o[0]["line"] == 2 and o[0]["call"] == 2
' -- "$S" -f "$TMPD/bad"

D=$(dead_pid)
check json_attach_no_process 3 '
assert o[0]["error"] == "attach" and o[0]["errno"] == "ESRCH"
assert "no process" in o[0]["message"]
' -- "$D" getpid

check json_not_a_thread 3 '
assert o[0]["error"] == "target" and "is not a thread of process" in o[0]["message"]
' -- -t 1 "$S" getpid

if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null; then
	# Another user without CAP_SYS_PTRACE: EPERM, with the reasons.
	OUT=$(timeout 20 setpriv --reuid=65534 --regid=65534 --clear-groups \
		--inh-caps=-all "$SCR" --json "$S" getpid 2>/dev/null)
	RC=$?
	if [ "$RC" -eq 3 ] && python3 -c '
import json, sys
o = json.loads(sys.argv[1])
assert o["error"] == "attach" and o["errno"] == "EPERM" and "uid" in o["message"]
' "$OUT"; then
		pass json_attach_denied
	else
		fail json_attach_denied "exit $RC: $OUT"
	fi
else
	skip json_attach_denied "needs root and setpriv"
fi

check json_ended 3 '
assert o[0]["retval"] is None and o[0]["ended"] == {"exited": 7}
' -- "$("$TGT" tick 1000 >/dev/null & echo $!)" exit_group 7

# A call refused by the target's seccomp policy: not run.
rm -f "$TMPD/sready"
"$TGT" seccomp "$TMPD/sready" >/dev/null 2>&1 & F=$!; track "$F"
wait_until 5 '[ -s "$TMPD/sready" ]'
check json_unrun 3 '
assert o[0]["executed"] is False and o[0]["error"] == "EPERM"
assert "seccomp" in o[0]["message"] and o[0]["syscall"] == "getppid"
' -- "$F" getppid

# Interrupted: SIGTERM while a call blocks (ppoll without a timeout).
rm -f "$TMPD/iready"
"$TGT" state "$TMPD/iready" "$TMPD/ireport" >/dev/null 2>&1 & I=$!; track "$I"
wait_until 5 '[ -s "$TMPD/iready" ]'
timeout 20 "$SCR" --json --timeout 0 "$I" -e 'getpid()' \
	-e 'ppoll(NULL, 0, NULL, NULL, 8)' >"$TMPD/int.out" 2>/dev/null & K=$!
wait_until 5 '[ "$(status_field "$I" TracerPid)" != 0 ]'
sleep 0.3
kill -TERM "$K"
wait "$K"
RC=$?
if [ "$RC" -eq 143 ] && python3 -c '
import json, sys
o = [json.loads(l) for l in open(sys.argv[1])]
assert o[-1]["error"] == "interrupted" and "signal 15" in o[-1]["message"], o
' "$TMPD/int.out" && released "$I"; then
	pass json_interrupted
else
	fail json_interrupted "exit $RC: $(cat "$TMPD/int.out")"
fi

check json_list 0 '
assert len(o) == 1 and o[0]["abi"]
c = {x["name"]: x for x in o[0]["calls"]}
assert c["openat"]["required"] == 3 and len(c["openat"]["args"]) == 4
assert c["openat"]["args"][2] == {"name": "flags", "type": "int", "kind": "flags",
                                  "detail": "open_flags"}
assert c["openat"]["returns"] == "fd"
' -- --list

check json_list_names 0 '
assert [x["name"] for x in o[0]["calls"]] == ["read", "close"]
' -- --list read close

check json_list_bad_name 2 '
assert o[0]["error"] == "usage" and o[0]["text"] == "opnat" and o[0]["suggestion"] == "openat"
' -- --list read opnat

check json_list_abi 0 '
assert o[0]["abi"] == "aarch64"
c = {x["name"]: x for x in o[0]["calls"]}
assert c["openat"]["nr"] == 56 and "open" not in c
' -- --list aarch64

check json_version 0 '
assert set(o[0]) == {"scremote", "libscremote"}
' -- --version

finish
