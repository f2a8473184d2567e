#!/usr/bin/env bash
# scremote -f FILE: one call per line, comments, $N references, a stop
# at the first failure, every line checked before anything runs, and
# 10,000 calls in one attach.
. "$SCREMOTE_TOP/tests/cli/lib.sh"

start_target() {
	rm -f "$TMPD/ready" "$TMPD/report"
	"$TGT" state "$TMPD/ready" "$TMPD/report" >/dev/null 2>&1 & T=$!; track "$T"
	wait_until 5 '[ -s "$TMPD/ready" ]'
}

report() {
	rm -f "$TMPD/report"
	kill -USR1 "$T"
	wait_until 5 '[ -s "$TMPD/report" ]' && cat "$TMPD/report"
}

start_target || { fail script_target "target did not start"; finish; }
mkdir -p "$TMPD/dir a"

# Comments, blank lines, a call by number, $N, strace's " = N".
close_nr=$("$SCR" --list close | awk '{ print $2 }')
cat >"$TMPD/f1" <<EOF
# move the process, open a file there, duplicate it, close the first
chdir("$TMPD/dir a")          # a comment after a call

openat(AT_FDCWD, "x#y", O_WRONLY|O_CREAT|O_TRUNC, 0600) = 3
	fcntl(\$2, F_DUPFD_CLOEXEC, 20)
#$close_nr(\$2)
EOF
scr "$T" -f "$TMPD/f1"
fd=$(sed -n '2s/.* = \([0-9]*\)$/\1/p' <<<"$OUT")
if [ "$RC" -ne 0 ] || [ "$(wc -l <<<"$OUT")" -ne 4 ] || [ -z "$fd" ]; then
	fail script_basics "rc $RC: $OUT $ERR"
elif ! report >/dev/null || ! grep -qx "cwd $TMPD/dir a" "$TMPD/report" ||
     grep -q "^fd $fd " "$TMPD/report" ||
     ! grep -Eq "^fd 2[0-9] .* $TMPD/dir a/x#y$" "$TMPD/report"; then
	fail script_basics "target: $(cat "$TMPD/report")"
elif ! grep -qx "fcntl($fd, F_DUPFD_CLOEXEC, 20) = 2[0-9]" <<<"$OUT"; then
	fail script_basics "output: $OUT"
else
	pass script_basics
fi

# Standard input.
OUT=$(printf 'getpid()\ngetppid()\n' | timeout 20 "$SCR" "$T" -f - 2>"$TMPD/err")
RC=$?
if [ "$RC" -eq 0 ] && [ "$OUT" = "getpid() = $T
getppid() = $$" ]; then
	pass script_stdin
else
	fail script_stdin "rc $RC: $OUT $(cat "$TMPD/err")"
fi

# The first failure stops the file: the chdir after it does not run.
printf 'chdir("/")\nclose(9999)\nchdir("/tmp")\n' >"$TMPD/f2"
scr "$T" -f "$TMPD/f2"
if [ "$RC" -eq 1 ] && [ "$(wc -l <<<"$OUT")" -eq 2 ] &&
   report >/dev/null && grep -qx "cwd /" "$TMPD/report"; then
	pass script_stops_at_failure
else
	fail script_stops_at_failure "rc $RC: $OUT $(grep cwd "$TMPD/report")"
fi

# A bad line anywhere: nothing runs, the message names the line.
printf 'chdir("/tmp")\n# fine so far\nopenat(AT_FDCWD, "x", SEEK_END)\n' >"$TMPD/f3"
scr "$T" -f "$TMPD/f3"
if [ "$RC" -eq 2 ] && [ -z "$OUT" ] && [[ $ERR == *"f3:3: openat's flags takes"* ]] &&
   report >/dev/null && grep -qx "cwd /" "$TMPD/report"; then
	pass script_checked_first
else
	fail script_checked_first "rc $RC: $OUT $ERR"
fi

# $N must name an earlier call of the file.
printf 'getpid()\nclose($2)\n' >"$TMPD/f4"
scr "$T" -f "$TMPD/f4"
[ "$RC" -eq 2 ] && [[ $ERR == *'f4:2: $2: this is call 2, so $N can only be $1..$1'* ]] &&
	pass script_ref_checked || fail script_ref_checked "rc $RC: $ERR"

# Files that are not scripts.
: >"$TMPD/empty"
scr "$T" -f "$TMPD/empty"
[ "$RC" -eq 2 ] && [[ $ERR == *"has no calls"* ]] && pass script_empty ||
	fail script_empty "rc $RC: $ERR"
printf 'getpid()\n\0\n' >"$TMPD/nul"
scr "$T" -f "$TMPD/nul"
[ "$RC" -eq 2 ] && [[ $ERR == *"NUL byte"* ]] && pass script_binary ||
	fail script_binary "rc $RC: $ERR"
scr "$T" -f "$TMPD/no-such-file"
[ "$RC" -eq 2 ] && [[ $ERR == *"cannot read $TMPD/no-such-file: No such file"* ]] &&
	pass script_missing || fail script_missing "rc $RC: $ERR"
scr "$T" -f "$TMPD/f1" -e 'getpid()'
[ "$RC" -eq 2 ] && [ -z "$OUT" ] && pass script_not_with_e || fail script_not_with_e "rc $RC: $ERR"

# 10,000 calls in one attach: dup and close, each close naming the dup
# before it, so every result is used; the target ends with the
# descriptors it had.
before=$(report | grep -c '^fd ')
awk 'BEGIN { for (i = 1; i <= 5000; i++) printf "dup(1)\nclose($%d)\n", 2 * i - 1 }' \
	>"$TMPD/many"
start=$(date +%s.%N)
OUT=$(timeout -k 2 120 "$SCR" "$T" -f "$TMPD/many" 2>"$TMPD/err")
RC=$?
took=$(echo "$(date +%s.%N) - $start" | bc 2>/dev/null || echo "?")
n=$(wc -l <<<"$OUT")
closes=$(grep -c '^close([0-9]*) = 0$' <<<"$OUT")
if [ "$RC" -ne 0 ] || [ "$n" -ne 10000 ] || [ "$closes" -ne 5000 ]; then
	fail script_10000_calls "rc $RC, $n lines, $closes closes: $(head -c 300 "$TMPD/err")"
elif ! released "$T"; then
	fail script_10000_calls "target not released"
elif [ "$(report | grep -c '^fd ')" -ne "$before" ]; then
	fail script_10000_calls "descriptors: $before before, now $(grep -c '^fd ' "$TMPD/report")"
else
	printf '# 10,000 calls from a file in %.2f s\n' "$took"
	pass script_10000_calls
fi

finish
