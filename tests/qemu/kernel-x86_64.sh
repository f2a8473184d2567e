#!/bin/sh
# The amd64 kernel for make check-i386, whose 32-bit targets this
# project's machines cannot run (see kernel-debian.sh).
exec "$(dirname "$0")/kernel-debian.sh" amd64 x86_64 "$@"
