#!/bin/sh
# Lists the named constants libscremote knows (O_CREAT, AT_FDCWD,
# SOL_SOCKET, ...), taken from the system headers rather than typed by
# hand: one name a line on stdout, and WORKDIR/consts-inc.h, the headers
# that define them.
#
#   gen-consts.sh WORKDIR
#
# Candidates are the object-like macros of the headers below whose names
# start with one of the prefixes.  Some of them are not integer constants
# (SIGRTMIN calls a function, SIGSTKSZ is sysconf() since glibc 2.34,
# MAP_FAILED is a pointer); rather than guess from their text, we compile
# a probe and drop every line the compiler rejects, until it compiles.
# CC names the compiler (default cc).
set -eu
[ $# -eq 1 ] || { echo "usage: $0 WORKDIR" >&2; exit 2; }
dir=$1
cc=${CC:-cc}
mkdir -p "$dir"

headers='stdio.h fcntl.h unistd.h sys/mman.h signal.h sys/resource.h
sys/prctl.h sys/socket.h netinet/in.h netinet/tcp.h time.h sys/time.h
sys/stat.h sys/wait.h sys/epoll.h sys/eventfd.h sys/timerfd.h
sys/signalfd.h sys/inotify.h sched.h poll.h sys/ioctl.h sys/file.h
sys/mount.h sys/xattr.h sys/random.h sys/uio.h sys/shm.h linux/ptrace.h'
optional='asm/prctl.h sys/ipc.h sys/personality.h sys/fanotify.h
linux/netlink.h linux/kcmp.h linux/seccomp.h linux/membarrier.h
linux/capability.h linux/ioprio.h sys/pidfd.h linux/if_ether.h'

# Names of the form PREFIX_REST.
prefixes='AT|O|PROT|MAP|MADV|MCL|MLOCK|MS|MNT|UMOUNT|MFD|MREMAP|SEEK|F|FD|SIG
|SA|SS|SI|RLIMIT|RLIM|RLIM64|PR|PRIO|RUSAGE|AF|PF|SOCK|SOL|SO|SCM|MSG|SHUT
|IPPROTO|IP|IPV6|TCP|CLOCK|TIMER|TFD|SFD|ITIMER|POSIX_FADV|EPOLL|EFD|IN
|CLONE|P|W|R_OK|W_OK|X_OK|TIOC|FIO|LOCK|POLL|STATX|FALLOC_FL|SYNC_FILE_RANGE
|SPLICE_F|CLOSE_RANGE|XATTR|RWF|RENAME|GRND|SHM|SCHED|PTRACE|TCPI_OPT|ARCH
|IPC|UTIME|DN|NETLINK|FAN|KCMP|SECCOMP|PIDFD|IOPRIO|MEMBARRIER|PER|ADDR|CAP
|SUID_DUMP|FSOPEN|FSMOUNT|MOVE_MOUNT|OPEN_TREE|ETH_P'
prefixes=$(printf '%s' "$prefixes" | tr -d '\n')
# Whole names without a prefix of their own: SIGINT..., waitpid options,
# poll and epoll events, mode bits, terminal ioctls.
whole='SIG[A-Z0-9]+|W(NOHANG|UNTRACED|CONTINUED|EXITED|STOPPED|NOWAIT|ALL|CLONE|NOTHREAD)
|__W(ALL|CLONE|NOTHREAD)|FASYNC|E?POLL[A-Z]+|S_I[A-Z]+|TC[A-Z]+[0-9]*|TIOC[A-Z]+|FIO[A-Z]+
|STD(IN|OUT|ERR)_FILENO'
whole=$(printf '%s' "$whole" | tr -d '\n')
# Constants the headers declare as enum members with no macro of the
# same name, so that -dM does not see them (waitid's idtype_t).
enums='P_ALL P_PID P_PGID P_PIDFD F_OWNER_TID F_OWNER_PID F_OWNER_PGRP
PER_LINUX PER_LINUX_32BIT PER_LINUX_FDPIC PER_SVR4 PER_SVR3 PER_SCOSVR3
PER_OSR5 PER_WYSEV386 PER_ISCR4 PER_BSD PER_SUNOS PER_XENIX PER_LINUX32
PER_LINUX32_3GB PER_IRIX32 PER_IRIXN32 PER_IRIX64 PER_RISCOS PER_SOLARIS
PER_UW7 PER_OSF4 PER_HPUX PER_MASK ADDR_NO_RANDOMIZE ADDR_COMPAT_LAYOUT
ADDR_LIMIT_32BIT ADDR_LIMIT_3GB MMAP_PAGE_ZERO READ_IMPLIES_EXEC SHORT_INODE
WHOLE_SECONDS STICKY_TIMEOUTS FDPIC_FUNCPTRS UNAME26
KCMP_FILE KCMP_VM KCMP_FILES KCMP_FS KCMP_SIGHAND KCMP_IO KCMP_SYSVSEM
KCMP_EPOLL_TFD
MEMBARRIER_CMD_QUERY MEMBARRIER_CMD_GLOBAL MEMBARRIER_CMD_GLOBAL_EXPEDITED
MEMBARRIER_CMD_REGISTER_GLOBAL_EXPEDITED MEMBARRIER_CMD_PRIVATE_EXPEDITED
MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED
MEMBARRIER_CMD_PRIVATE_EXPEDITED_SYNC_CORE
MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED_SYNC_CORE
MEMBARRIER_CMD_PRIVATE_EXPEDITED_RSEQ
MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED_RSEQ
IOPRIO_WHO_PROCESS IOPRIO_WHO_PGRP IOPRIO_WHO_USER IOPRIO_CLASS_NONE
IOPRIO_CLASS_RT IOPRIO_CLASS_BE IOPRIO_CLASS_IDLE'

inc="$dir/consts-inc.h"
: >"$inc"
for h in $headers; do
	echo "#include <$h>" >>"$inc"
done
# Headers only some architectures have (arch_prctl's ARCH_SET_FS).
for h in $optional; do
	printf '#if __has_include(<%s>)\n#include <%s>\n#endif\n' "$h" "$h" >>"$inc"
done

# Object-like macros only ("NAME value", not "NAME(args) value") with
# one of the prefixes or whole names, and the enum members; the probe
# below drops those this C library does not have.
{
	$cc -D_GNU_SOURCE -E -dM -x c "$inc" |
		sed -n 's/^#define \([A-Za-z_][A-Za-z0-9_]*\) .*/\1/p' |
		grep -E "^(($prefixes)(_|\$)|($whole)\$)"
	printf '%s\n' $enums
} | LC_ALL=C sort -u >"$dir/consts-names"

write_probe() {
	echo "#include \"consts-inc.h\""
	echo "struct c { const char *n; long long v; };"
	echo "const struct c probe[] = {"
	while read -r n; do
		printf '{ "%s", (long long)(%s) },\n' "$n" "$n"
	done <"$dir/consts-names"
	echo "};"
}

# Each pass drops the lines named in "probe.c:LINE:COL: error"; with the
# macro expansion tracking off, errors point at our line, not the header.
pass=0
: >"$dir/consts-dropped"
while :; do
	write_probe >"$dir/probe.c"
	if $cc -D_GNU_SOURCE -ftrack-macro-expansion=0 -fsyntax-only -Werror \
	    -c "$dir/probe.c" 2>"$dir/probe.err"; then
		break
	fi
	pass=$((pass + 1))
	bad=$(sed -n 's/^[^:]*probe\.c:\([0-9][0-9]*\):[0-9]*: error:.*/\1/p' \
		"$dir/probe.err" | sort -un)
	if [ -z "$bad" ] || [ $pass -gt 10 ]; then
		echo "$0: cannot build the constants table:" >&2
		cat "$dir/probe.err" >&2
		exit 1
	fi
	# Probe line L holds name number L-3 (three header lines).
	for l in $bad; do
		echo "$((l - 3))d"
	done >"$dir/consts-drop.sed"
	sed -n -e "$(sed 's/d$/p/' "$dir/consts-drop.sed")" "$dir/consts-names" \
		>>"$dir/consts-dropped"
	sed -i -f "$dir/consts-drop.sed" "$dir/consts-names"
done

cat "$dir/consts-names"
