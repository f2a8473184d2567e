"""A target process for the binding's tests, which answers for itself.

    python3 target.py [--threads N] [--seccomp ACTION:NR ...] [--lifetime S]

It reads Python expressions, one a line, on fd --ctl and writes the repr
of each one's value (or "ERR why") as a line on fd --rep, so that a test checks
what a remote call did from inside the target: its descriptors, working
directory, memory, socket options.  Its first line is "READY {json}" with
its pid and thread ids.  --threads starts N threads that wait on an event;
--seccomp installs a filter answering system call NR with ACTION (kill,
trap, or errno: EBADFD).  It ends by itself after --lifetime seconds (the
default action of SIGALRM) or when its command pipe is closed.
"""
import argparse
import ctypes
import fcntl  # noqa: F401
import json
import mmap  # noqa: F401
import os
import signal
import socket  # noqa: F401  (for the expressions the tests send)
import struct
import sys
import threading
import time  # noqa: F401

libc = ctypes.CDLL(None, use_errno=True)
keep = []       # objects an expression wants to outlive it (sockets, buffers)


def nap(seconds):
    """A relative nanosleep, which the kernel resumes through a
    restart_syscall after a stop: the state a call must not overwrite."""
    ts = struct.pack("ql", int(seconds), int(seconds % 1 * 1e9))
    buf = ctypes.create_string_buffer(ts)
    return libc.nanosleep(buf, None)


def install_seccomp(rules):
    """A classic BPF filter: each (action, nr) rule, everything else allowed."""
    actions = {"kill": 0x80000000, "trap": 0x00030000, "errno": 0x00050000 | 77}
    prog = [(0x20, 0, 0, 0)]                        # A = seccomp_data.nr
    for action, nr in rules:
        prog.append((0x15, 0, 1, nr))               # if A == nr
        prog.append((0x06, 0, 0, actions[action]))  #   return action
    prog.append((0x06, 0, 0, 0x7FFF0000))           # return ALLOW
    raw = b"".join(struct.pack("HBBI", *insn) for insn in prog)
    filt = ctypes.create_string_buffer(raw)
    fprog = struct.pack("HxxxxxxQ", len(prog), ctypes.addressof(filt))
    fbuf = ctypes.create_string_buffer(fprog)
    if libc.prctl(38, 1, 0, 0, 0) or libc.prctl(22, 2, fbuf, 0, 0):  # NO_NEW_PRIVS, SECCOMP
        raise OSError(ctypes.get_errno(), "seccomp")
    keep.extend([filt, fbuf])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=0)
    ap.add_argument("--seccomp", action="append", default=[])
    ap.add_argument("--lifetime", type=int, default=120)
    ap.add_argument("--ctl", type=int, default=3)
    ap.add_argument("--rep", type=int, default=4)
    opts = ap.parse_args()
    signal.alarm(opts.lifetime)
    stop = threading.Event()
    tids = []
    ready = threading.Barrier(opts.threads + 1)

    def waiter():
        tids.append(threading.get_native_id())
        ready.wait()
        stop.wait()
    for _ in range(opts.threads):
        threading.Thread(target=waiter, daemon=True).start()
    ready.wait()
    if opts.seccomp:
        install_seccomp([(r.split(":")[0], int(r.split(":")[1])) for r in opts.seccomp])
    ctl = os.fdopen(opts.ctl, "r")
    out = os.fdopen(opts.rep, "w")
    out.write("READY " + json.dumps({"pid": os.getpid(), "tids": tids}) + "\n")
    out.flush()
    env = dict(globals())
    for line in ctl:
        try:
            value = repr(eval(line, env))
        except Exception as e:  # the test reads the failure as a value
            value = "ERR " + repr(e)
        out.write(value.replace("\n", "\\n") + "\n")
        out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
