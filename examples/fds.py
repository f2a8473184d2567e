#!/usr/bin/env python3
"""fds PID: the descriptors of a running process as it sees them.

Each descriptor with its access mode, status flags and offset (asked of
the process with fcntl and lseek), and for a socket its type, local
address and buffer sizes (getsockopt, getsockname): what /proc does not
tell.  One batch of calls per descriptor; the process is stopped only for
those, and left as it was.

    $ python3 examples/fds.py 4242
    FD MODE OFFSET  FLAGS        WHAT
     0 r    -       -            /dev/null
     3 rw   1048576 O_APPEND     /var/log/app.log
     7 rw   -       O_NONBLOCK   socket:[81236] tcp 127.0.0.1:8080 rcvbuf=131072 sndbuf=16384 keepalive=1
     8 rw   -       -            socket:[81240] unix stream /run/app.sock rcvbuf=212992 sndbuf=212992 keepalive=0
"""
import os
import socket
import struct
import sys

import scremote

MODES = {os.O_RDONLY: "r", os.O_WRONLY: "w", os.O_RDWR: "rw"}
SHOWN = ("O_APPEND", "O_NONBLOCK", "O_DIRECT", "O_SYNC", "O_DSYNC", "O_NOATIME")
KINDS = {socket.SOCK_STREAM: "stream", socket.SOCK_DGRAM: "dgram",
         socket.SOCK_SEQPACKET: "seqpacket", socket.SOCK_RAW: "raw"}
IP = {socket.SOCK_STREAM: "tcp", socket.SOCK_DGRAM: "udp"}


def escape(raw: bytes) -> str:
    """Names are chosen by the process: printable ASCII as is, the rest \\xNN."""
    return "".join(chr(b) if 32 <= b < 127 and b != 92 else f"\\x{b:02x}" for b in raw)


def address(raw: bytes, kind: int) -> str:
    """A struct sockaddr the process holds, as text (its bytes escaped)."""
    family = struct.unpack_from("H", raw)[0] if len(raw) >= 2 else -1
    if family in (socket.AF_INET, socket.AF_INET6) and len(raw) >= 8:
        port = struct.unpack_from("!H", raw, 2)[0]
        ip = socket.inet_ntop(family, raw[4:8] if family == socket.AF_INET else raw[8:24])
        return f"{IP.get(kind, KINDS.get(kind, kind))} " + \
            (f"{ip}:{port}" if family == socket.AF_INET else f"[{ip}]:{port}")
    if family == socket.AF_UNIX:
        path = raw[2:].split(b"\0", 1)[0] if raw[2:3] != b"\0" else b"@" + raw[3:]
        return f"unix {KINDS.get(kind, kind)} {escape(path) or '(unnamed)'}"
    return f"family {family} {KINDS.get(kind, kind)}"


def describe(s: scremote.Session, fd: int, what: str) -> str:
    flags, offset = s.batch([("fcntl", fd, "F_GETFL"), ("lseek", fd, 0, "SEEK_CUR")],
                            stop_on_error=False)
    mode = MODES.get(flags & os.O_ACCMODE, "?")
    names = [n for n in SHOWN if flags & scremote.constants(family="open_flags")[n]]
    row = f"{fd:2} {mode:4} {offset if isinstance(offset, int) else '-':<7} " \
          f"{'|'.join(names) or '-':12} {what}"
    if what.startswith("socket:"):
        kind, rcv, snd, alive = scremote.Int(), scremote.Int(), scremote.Int(), scremote.Int()
        name, size = scremote.Buffer(128), scremote.Int(128)
        # A socket that lacks one of these answers the others all the same.
        s.batch([("getsockopt", fd, "SOL_SOCKET", "SO_TYPE", kind, scremote.Int(4)),
                 ("getsockopt", fd, "SOL_SOCKET", "SO_RCVBUF", rcv, scremote.Int(4)),
                 ("getsockopt", fd, "SOL_SOCKET", "SO_SNDBUF", snd, scremote.Int(4)),
                 ("getsockopt", fd, "SOL_SOCKET", "SO_KEEPALIVE", alive, scremote.Int(4)),
                 ("getsockname", fd, name, size)], stop_on_error=False)
        row += (f" {address(name.data[:size.value], kind.value)}"
                f" rcvbuf={rcv.value} sndbuf={snd.value} keepalive={alive.value}")
    return row


def main() -> int:
    if len(sys.argv) != 2 or not sys.argv[1].isdigit():
        print("usage: fds.py PID", file=sys.stderr)
        return 2
    pid = int(sys.argv[1])
    try:
        with scremote.attach(pid) as s:
            print("FD MODE OFFSET  FLAGS        WHAT")
            # Stopped, the process opens and closes nothing meanwhile.
            for fd in sorted(int(f) for f in os.listdir(f"/proc/{pid}/fd")):
                print(describe(s, fd, escape(os.readlink(f"/proc/{pid}/fd/{fd}".encode()))))
    except (scremote.Error, OSError) as e:
        print(f"fds: {e}", file=sys.stderr)
        return 3
    return 0


if __name__ == "__main__":
    sys.exit(main())
