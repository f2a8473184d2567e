#!/usr/bin/env bash
# The bash completion, driven as bash drives it: COMP_WORDS and
# COMP_CWORD set, _scremote called, COMPREPLY checked.  Verbs, their
# options, PIDs with their names, PID lists, descriptors with what they
# point at (sockets only for sockopt, deleted files for free-deleted),
# files, directories, option names; the system call form as before.
. "$SCREMOTE_TOP/tests/verbs/lib.sh"

COMP=$SCREMOTE_BUILD/completion/scremote
if [ ! -r "$COMP" ]; then
	fail completion "$COMP not built"
	finish
fi
# shellcheck source=/dev/null
. "$COMP"

# comp WORD...: the candidates for the last word, one per line.
comp() {
	COMP_WORDS=("$SCR" "$@")
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMP_LINE="${COMP_WORDS[*]}"
	COMP_POINT=${#COMP_LINE}
	COMPREPLY=()
	_scremote scremote "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}" 2>/dev/null
	printf '%s\n' "${COMPREPLY[@]}"
}

# has LINE < candidates
has() { grep -qxF -- "$1"; }

mkdir -p "$TMPD/fds"
NAME=scrcomp$$
NAME=${NAME:0:15}
cp "$VT" "$TMPD/$NAME"
"$TMPD/$NAME" fds "$TMPD/fds" "$TMPD/fds.ready" >/dev/null 2>&1 & PID=$!; track "$PID"
wait_until 5 '[ -s "$TMPD/fds.ready" ]' || { fail completion_target "no target"; finish; }
R=$TMPD/fds.ready

test_verbs() {
	local t=verbs out
	out=$(comp f)
	[ "$out" = "fds
free-deleted" ] || { fail $t "f: $out"; return; }
	out=$(comp '')
	for v in fds redirect free-deleted cd sockopt; do
		has "$v" <<<"$out" || { fail $t "'' lacks $v"; return; }
	done
	has "$PID  ($NAME)" <<<"$out" || { fail $t "'' lacks the target's PID with its name"; return; }
	pass $t
}

test_verb_options() {
	local t=verb_options out
	out=$(comp fds --)
	for o in --sockopts --json --dry-run --pgrep --pidof --stop-on-error --help; do
		has "$o" <<<"$out" || { fail $t "fds -- lacks $o: $out"; return; }
	done
	[ "$(comp redirect --un)" = --undo ] || { fail $t "redirect --un: $(comp redirect --un)"; return; }
	[ "$(comp free-deleted --nu)" = --null ] || { fail $t "free-deleted --nu"; return; }
	has "$NAME" <<<"$(comp fds --pidof "${NAME:0:8}")" || { fail $t "--pidof: $(comp fds --pidof "${NAME:0:8}")"; return; }
	pass $t
}

test_pids() {
	local t=pids out
	out=$(comp fds "$PID")
	has "$PID" <<<"$out" || has "$PID  ($NAME)" <<<"$out" || { fail $t "fds $PID: $out"; return; }
	# A unique match is inserted bare.
	out=$(comp fds --json "$PID,$PID")
	[ -n "$out" ] && ! grep -qv "^$PID,$PID" <<<"$out" || { fail $t "list: $out"; return; }
	out=$(comp "$PID")
	has "$PID" <<<"$out" || has "$PID  ($NAME)" <<<"$out" || { fail $t "first word $PID: $out"; return; }
	pass $t
}

test_fds() {
	local t=descriptors out conn deleted unix
	conn=$(ready_field "$R" conn) deleted=$(ready_field "$R" deleted)
	out=$(comp redirect "$PID" '')
	has "$deleted  ($TMPD/fds/gone (deleted))" <<<"$out" &&
		has "$conn  ($(readlink "/proc/$PID/fd/$conn"))" <<<"$out" ||
		{ fail $t "redirect PID: $out"; return; }
	[ "$(wc -l <<<"$out")" -eq "$(ls "/proc/$PID/fd" | wc -l)" ] || { fail $t "not every descriptor: $out"; return; }
	out=$(comp redirect "$PID" "1,$deleted")
	has "1,$deleted" <<<"$out" || { fail $t "fd list: $out"; return; }
	out=$(comp sockopt "$PID" '')
	! grep -qv 'socket:\[' <<<"$out" && has "$conn  ($(readlink "/proc/$PID/fd/$conn"))" <<<"$out" ||
		{ fail $t "sockopt: only sockets: $out"; return; }
	out=$(comp free-deleted "$PID" '')
	[ "$out" = "$deleted" ] || { fail $t "free-deleted: only deleted files: $out"; return; }
	out=$(comp sockopt --pidof "$NAME" '')
	[ -z "$out" ] || { fail $t "no PID to list descriptors of: $out"; return; }
	pass $t
}

test_other_arguments() {
	local t=other_arguments out
	out=$(comp sockopt "$PID" 7 keep)
	[ "$out" = "keepalive=
keepidle=
keepintvl=
keepcnt=" ] || { fail $t "sockopt names: $out"; return; }
	mkdir -p "$TMPD/dir.one"
	out=$(comp cd "$PID" "$TMPD/dir.o")
	[ "$out" = "$TMPD/dir.one/" ] || { fail $t "cd: $out"; return; }
	touch "$TMPD/file.one"
	out=$(comp redirect "$PID" 1 "$TMPD/file.o")
	[ "$out" = "$TMPD/file.one" ] || { fail $t "redirect file: $out"; return; }
	out=$(comp redirect --undo "$PID" 1 '')
	[ -z "$out" ] || { fail $t "redirect --undo takes no file: $out"; return; }
	pass $t
}

# The system call form is unchanged.
test_syscall_form() {
	local t=syscall_form out
	out=$(comp "$PID" clos)
	has close <<<"$out" || { fail $t "$PID clos: $out"; return; }
	out=$(comp "$PID" openat AT_FDCWD '"/x"' 'O_WRONLY|O_CRE')
	[ "$out" = "O_WRONLY|O_CREAT" ] || { fail $t "constants: $out"; return; }
	pass $t
}

# Arguments the signature table types as descriptors complete with the
# process's descriptors.
test_fd_arguments() {
	local t=fd_typed_arguments out conn
	if ! "$SCR" --json --list "$PID" close 2>/dev/null | grep -q '"kind":"fd"'; then
		skip $t "this scremote's --json --list gives no argument kinds (no signature table)"
		return
	fi
	conn=$(ready_field "$R" conn)
	out=$(comp "$PID" close '')
	has "$conn  ($(readlink "/proc/$PID/fd/$conn"))" <<<"$out" || { fail $t "close: $out"; return; }
	out=$(comp "$PID" dup2 3 "$conn")
	has "$conn" <<<"$out" || has "$conn  ($(readlink "/proc/$PID/fd/$conn"))" <<<"$out" || { fail $t "dup2 second: $out"; return; }
	out=$(comp "$PID" lseek 3 0 SEEK_CU)
	[ "$out" = SEEK_CUR ] || { fail $t "lseek whence: $out"; return; }
	pass $t
}

test_verbs
test_fd_arguments
test_verb_options
test_pids
test_fds
test_other_arguments
test_syscall_form
finish
