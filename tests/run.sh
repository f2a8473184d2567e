#!/usr/bin/env bash
# Runs every test program under BUILD (default build): binaries named t_*
# under BUILD/tests and scripts tests/sh/*.sh.  Each prints one line per
# case: "PASS name", "FAIL name: why" or "SKIP name: why".  A program that
# exits abnormally or overruns its bound counts as one more failure.
# Writes "passed failed skipped" to BUILD/check.counts, the failures'
# lines to BUILD/check.failures.
set -u
build=${1:-build}
top=$(cd "$(dirname "$0")/.." && pwd)
export SCREMOTE_BUILD="$top/$build" SCREMOTE_TOP="$top"
limit=${SCREMOTE_TEST_LIMIT:-300}
pass=0 fail=0 skip=0
log="$top/$build/check.log"
failures="$top/$build/check.failures"
: >"$log"
: >"$failures"

run_one() {
	local name=$1; shift
	local out rc
	out=$(timeout -k 5 "$limit" "$@" 2>>"$log")
	rc=$?
	printf '%s\n' "$out" >>"$log"
	local p f s
	p=$(grep -c '^PASS ' <<<"$out")
	f=$(grep -c '^FAIL ' <<<"$out")
	s=$(grep -c '^SKIP ' <<<"$out")
	grep -E '^(FAIL|SKIP) ' <<<"$out" | sed "s|^|  [$name] |"
	grep '^FAIL ' <<<"$out" | sed "s|^|[$name] |" >>"$failures"
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "  [$name] FAIL: exited with status $rc"
		echo "[$name] FAIL: exited with status $rc" >>"$failures"
		f=$((f + 1))
	fi
	pass=$((pass + p)) fail=$((fail + f)) skip=$((skip + s))
	printf '%-28s %3d passed, %d failed, %d skipped\n' "$name" "$p" "$f" "$s"
}

echo "== tests in $build"
while IFS= read -r t; do
	run_one "${t#"$top/$build/tests/"}" "$t"
done < <(find "$top/$build/tests" -type f -name 't_*' -perm -u+x | sort)
for t in "$top"/tests/sh/*.sh; do
	[ -e "$t" ] || continue
	run_one "$(basename "$t")" bash "$t"
done
echo "$pass $fail $skip" >"$top/$build/check.counts"
echo "$build: $pass passed, $fail failed, $skip skipped (log: $build/check.log)"
