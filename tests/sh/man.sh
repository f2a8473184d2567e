#!/usr/bin/env bash
# The manual pages: mandoc -Tlint reports nothing, man(1) renders them,
# every exported function is named by a page, and the example program of
# libscremote(3) compiles against the header.
. "$SCREMOTE_TOP/tests/cli/lib.sh"

TOP=$SCREMOTE_TOP
pages=("$TOP"/man/*.[1-9])

# mandoc checks that each .Xr names a page installed on this machine, so
# its verdict on cross references depends on what is installed.  Accept
# a missing page only for our own names and for these Linux pages, which
# are spelt right (manpages-dev, strace); anything else is a finding.
known_xr=' ptrace.2 syscall.2 seccomp.2 waitpid.2 execve.2 exit_group.2
restart_syscall.2 nanosleep.2 clock_nanosleep.2 poll.2 futex.2
rt_sigprocmask.2 mmap.2 process_vm_readv.2 process_vm_writev.2 epoll_wait.2
sigtimedwait.2 semtimedop.2 pidfd_open.2 signal.7 strace.1
getsockopt.2 dup3.2 open.2 accept.2 ftruncate.2 chdir.2 pgrep.1 pidof.8 ss.8 '
own=' '
for p in "${pages[@]}"; do
	while read -r n; do
		own+="$n.${p##*.} "
	done < <(sed -n 's/^\.Nm \([A-Za-z0-9_]*\).*/\1/p' "$p")
done

if ! command -v mandoc >/dev/null; then
	skip mandoc_lint "mandoc not installed (apt-get install mandoc)"
else
	for p in "${pages[@]}"; do
		t=lint_$(basename "$p")
		bad=$(mandoc -Tlint "$p" 2>&1 | grep -v 'outdated mandoc.db' |
			while IFS= read -r line; do
				if [[ $line =~ referenced\ manual\ not\ found:\ Xr\ ([^ ]+)\ ([0-9]) ]]; then
					x="${BASH_REMATCH[1]}.${BASH_REMATCH[2]}"
					[[ $own == *" $x "* || $known_xr == *[[:space:]]$x[[:space:]]* ]] &&
						continue
				fi
				printf '%s; ' "${line#mandoc: }"
			done)
		[ -z "$bad" ] && pass "$t" || fail "$t" "$bad"
	done
fi

if ! command -v man >/dev/null; then
	skip man_renders "man not installed"
else
	for p in "${pages[@]}"; do
		t=renders_$(basename "$p")
		out=$(MANWIDTH=80 timeout 20 man -l "$p" 2>"$TMPD/err")
		title=$(basename "$p" | sed 's/\.[1-9]$//' | tr a-z A-Z)
		if [ -s "$TMPD/err" ]; then
			fail "$t" "man says: $(head -c 300 "$TMPD/err" | tr '\n' ' ')"
		elif ! grep -q "^$title(" <<<"$out" ||
		     ! grep -q '^NAME' <<<"$out"; then
			fail "$t" "no title $title( or NAME section in the output"
		else
			pass "$t"
		fi
	done
fi

# Each function in lib/libscremote.symbols is named (.Nm) by a page.
undoc=''
while read -r f; do
	[[ $own == *" $f.3 "* ]] || undoc+="$f "
done <"$TOP/lib/libscremote.symbols"
[ -z "$undoc" ] && pass every_exported_function_documented ||
	fail every_exported_function_documented "no .Nm in man/*.3 for: ${undoc% }"

# The EXAMPLES code of libscremote(3), as rendered, is real code, in C
# and in C++ (where the header's extern "C" and the initializers matter).
if ! command -v mandoc >/dev/null; then
	skip libscremote3_example_compiles "mandoc not installed"
else
	# From its first #include to the prose after it (less indented).
	mandoc -Tascii "$TOP/man/libscremote.3" | sed "s/.\x08//g" |
		awk '/#include <fcntl.h>/ { f = 1; n = match($0, /#/) - 1 }
		     f && /[^ ]/ && match($0, /[^ ]/) - 1 < n { exit }
		     f { print substr($0, n + 1) }' >"$TMPD/ex.c"
	cp "$TMPD/ex.c" "$TMPD/ex.cc"
	if out=$(gcc -std=gnu11 -Wall -Wextra -Werror -Wno-missing-prototypes \
		-I"$TOP/include" -c "$TMPD/ex.c" -o "$TMPD/ex.o" 2>&1) &&
	   grep -q redirect_stdout "$TMPD/ex.c"; then
		pass libscremote3_example_compiles
	else
		fail libscremote3_example_compiles "$(head -c 400 <<<"$out" | tr '\n' ' ')"
	fi
	if ! command -v g++ >/dev/null; then
		skip libscremote3_example_cxx "g++ not installed"
	elif out=$(g++ -std=c++11 -Wall -Wextra -Werror -Wno-missing-declarations \
		-I"$TOP/include" -c "$TMPD/ex.cc" -o "$TMPD/excc.o" 2>&1) &&
	     nm "$TMPD/excc.o" | grep -q ' U scr_syscall_nr$'; then
		pass libscremote3_example_cxx
	else
		fail libscremote3_example_cxx "$(head -c 400 <<<"$out" | tr '\n' ' ')"
	fi
fi

finish
