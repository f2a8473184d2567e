#!/usr/bin/env bash
# The Python binding's tests (python/tests, pytest) against this build's
# libscremote: one PASS/FAIL/SKIP line per test, for tests/run.sh.
#
# Needs a python3 that has pytest (Debian: python3-pytest, which
# tests/deps.sh installs); skips, saying so, without one.  In the sanitizer
# build the library needs the ASan runtime loaded first: the interpreter
# runs with it preloaded (LD_PRELOAD), so that the library's own memory
# errors and undefined behaviour still abort the test that causes them.
# Leak checking is off there: an interpreter keeps objects until it exits.
set -u
: "${SCREMOTE_BUILD:?run through tests/run.sh, or set SCREMOTE_BUILD}"
TOP=${SCREMOTE_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
LIB=$SCREMOTE_BUILD/libscremote.so.0

py=''
for cand in ${PYTHON:-} python3 /usr/bin/python3; do
	if command -v "$cand" >/dev/null &&
	   "$cand" -c 'import pytest' 2>/dev/null; then
		py=$cand
		break
	fi
done
if [ -z "$py" ]; then
	echo "SKIP python: no python3 with pytest (Debian: apt-get install python3-pytest)"
	exit 0
fi
if [ ! -e "$LIB" ]; then
	echo "FAIL python: $LIB not built"
	exit 1
fi

preload=''
if grep -q __asan_init "$LIB" 2>/dev/null; then
	for rt in libasan.so libubsan.so; do
		f=$(${CC:-gcc} -print-file-name=$rt 2>/dev/null)
		if [ ! -e "$f" ]; then
			echo "SKIP python: sanitizer build, and no $rt to preload into python3"
			exit 0
		fi
		preload="$preload${preload:+:}$(readlink -f "$f")"
	done
fi

results=$(mktemp "${TMPDIR:-/tmp}/scremote-py.XXXXXX")
trap 'rm -f "$results" "$results.watchdog"' EXIT
# No bytecode or cache files in the source tree.
SCREMOTE_LIB=$LIB SCREMOTE_RESULTS=$results PYTHONDONTWRITEBYTECODE=1 \
	SCREMOTE_ASAN_PRELOAD=$preload \
	LD_PRELOAD=$preload ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 \
	timeout -k 5 280 "$py" -m pytest -p no:cacheprovider -q -rfE \
	"$TOP/python/tests" >"$results.log" 2>&1
rc=$?
cat "$results"
wd=$results.watchdog
if [ -s "$wd" ] && [ "$(wc -l <"$wd")" -gt 1 ]; then
	# The watchdog (conftest.py) ended the run: name the test it stopped.
	node=$(head -1 "$wd")
	file=${node%%::*} file=${file##*/} file=${file%.py}
	echo "FAIL py_${file#test_}.${node#*::}: still running after its bound," \
	     "stacks: $(tail -n +2 "$wd" | tr -s ' \n' ' ' | cut -c1-1500)"
	cat "$wd" >&2
elif [ "$rc" -ne 0 ] && ! grep -q '^FAIL ' "$results"; then
	echo "FAIL python: pytest exited with $rc: $(tail -c 1500 "$results.log" | tr '\n' ' ')"
elif ! grep -q '^PASS ' "$results"; then
	echo "FAIL python: no test passed: $(tail -c 1500 "$results.log" | tr '\n' ' ')"
fi
[ "$rc" -ne 0 ] && cat "$results.log" >&2
rm -f "$results.log"
exit 0
