#!/usr/bin/env bash
# Adds up the counts files written by tests/run.sh and prints the final
# line, after the failures (BUILD/check.failures) once more, where the
# tail of a long log shows them; fails when any test failed or a pass did
# not run at all.
set -u
p=0 f=0 s=0
for c in "$@"; do
	if [ ! -s "$c" ]; then
		echo "missing $c: a test pass did not complete" >&2
		f=$((f + 1))
		continue
	fi
	read -r a b d <"$c"
	p=$((p + a)) f=$((f + b)) s=$((s + d))
done
# The failures again, last, where a log's tail shows them.
for c in "$@"; do
	fl=${c%.counts}.failures
	[ -s "$fl" ] || continue
	echo "failed in ${c%/check.counts}:"
	cut -c1-400 "$fl" | sed 's/^/  /'
done
if [ "$s" -gt 0 ]; then
	echo "$p passed, $f failed, $s skipped"
else
	echo "$p passed, $f failed"
fi
[ "$f" -eq 0 ] && [ "$p" -gt 0 ]
