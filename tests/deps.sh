#!/usr/bin/env bash
# Installs, on Debian, what the test suite and the demo use beyond gcc
# and make, so that `make check` and `make demo` set up a fresh machine by
# themselves.  Only what is missing, only as root with apt-get; otherwise
# it says what is missing (the tests that need it skip or fail, saying so).
set -u
# linux-source: the system call tables are generated from its prototypes.
# python3-pytest runs the Python binding's tests; python3-pip (with
# setuptools) checks that it installs offline.
pkgs=(python3 iproute2 procps util-linux strace mandoc man-db pkg-config g++
      linux-source xz-utils python3-pytest python3-pip)
# Real servers for the verbs' tests (tests/sh/verbs_*.sh).  Debian starts
# them as services where an init system runs; the tests start their own.
pkgs+=(nginx redis-server redis-tools)
# Core dumps: compressed ones (libzstd-dev, zstd), and the tools that
# read them as they read the process (gdb, eu-stack, readelf).
pkgs+=(libzstd-dev zstd gdb elfutils binutils)
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
	echo "deps: missing ${missing[*]}; install them (apt-get install ${missing[*]}) for the full suite" >&2
	exit 0
fi
echo "deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >/dev/null &&
	apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null ||
	echo "deps: could not install ${missing[*]}" >&2
exit 0
