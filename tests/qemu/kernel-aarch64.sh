#!/bin/sh
# The arm64 kernel for make check-aarch64 (see kernel-debian.sh).
exec "$(dirname "$0")/kernel-debian.sh" arm64 aarch64 "$@"
