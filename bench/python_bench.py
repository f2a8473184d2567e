#!/usr/bin/env python3
"""make bench, Python part: remote calls from Python against the same calls
from C, through the same shared library, on the same target, in
interleaved rounds so that the noise of a shared machine falls on both
sides alike: each ratio is the median of the rounds' own ratios, each
taken between runs made one right after the other.

    C        scr_syscall(getpid) in a loop (bench/call_loop.c)
    Python   Session.call("getpid") in a loop
    ctypes   the bare scr_syscall through ctypes, without the binding
    batch    one scr_batch() of the calls, from C and Session.batch()

and the user CPU time of each per call: the caller's own work, where the
binding's cost shows without the remote call's waits around it.

    python_bench.py BUILD       (BUILD: the build directory)
"""
import ctypes
import os
import resource
import signal
import statistics
import subprocess
import sys
import time

ROUNDS = 11
ITERS = 2000
GOAL = 1.5


def spawn_target():
    pid = os.fork()
    if pid == 0:
        ctypes.CDLL(None).prctl(1, signal.SIGKILL)     # PR_SET_PDEATHSIG
        while True:
            signal.pause()
    return pid


def c_round(loop, pid, mode):
    out = subprocess.run([loop, str(pid), str(ITERS), mode], capture_output=True,
                         text=True, timeout=300)
    if out.returncode:
        sys.exit(f"python_bench: {loop}: {out.stderr.strip()}")
    elapsed, user = out.stdout.split()
    return float(elapsed), float(user)


def user_s():
    return resource.getrusage(resource.RUSAGE_SELF).ru_utime


def py_round(scremote, pid, mode):
    with scremote.attach(pid) as s:
        call = s.call
        u0 = user_s()
        if mode == "call":
            t0 = time.perf_counter()
            for _ in range(ITERS):
                call("getpid")
        elif mode == "ctypes":
            from scremote import _lib
            fn, h, argv, ret = _lib.lib.scr_syscall, s._handle, s._argv, s._retp
            nr = scremote.syscall_nr("getpid", s.abi)
            t0 = time.perf_counter()
            for _ in range(ITERS):
                fn(h, 0, nr, argv, 0, ret)
        else:
            calls = [("getpid",)] * ITERS
            t0 = time.perf_counter()
            out = s.batch(calls)
            assert out[-1] == pid
        return ((time.perf_counter() - t0) / ITERS * 1e6,
                (user_s() - u0) / ITERS * 1e6)


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: python_bench.py BUILD")
    build = os.path.abspath(sys.argv[1])
    top = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    os.environ["SCREMOTE_LIB"] = os.path.join(build, "libscremote.so.0")
    sys.path.insert(0, os.path.join(top, "python"))
    import scremote
    loop = os.path.join(build, "bench", "call_loop")
    pid = spawn_target()
    series = {k: [] for k in ("c", "py", "ctypes", "c_batch", "py_batch")}
    try:
        for r in range(ROUNDS):
            # Alternate who goes first, so that a trend favours neither.
            pairs = [[("c", lambda: c_round(loop, pid, "call")),
                      ("py", lambda: py_round(scremote, pid, "call"))],
                     [("ctypes", lambda: py_round(scremote, pid, "ctypes"))],
                     [("c_batch", lambda: c_round(loop, pid, "batch")),
                      ("py_batch", lambda: py_round(scremote, pid, "batch"))]]
            for pair in pairs:
                for name, fn in (pair if r % 2 == 0 else pair[::-1]):
                    series[name].append(fn())
    finally:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    med = {k: statistics.median(e for e, _ in v) for k, v in series.items()}
    cpu = {k: statistics.median(u for _, u in v) for k, v in series.items()}

    def ratio(a, b):
        return statistics.median(x[0] / y[0] for x, y in zip(series[a], series[b]))
    print(f"remote getpid from Python, {ROUNDS} rounds x {ITERS} calls, medians of rounds:")
    print(f"  C scr_syscall                  {med['c']:8.3f} us")
    print(f"  Python Session.call            {med['py']:8.3f} us")
    print(f"  Python bare ctypes call        {med['ctypes']:8.3f} us")
    print(f"  C scr_batch, per call          {med['c_batch']:8.3f} us")
    print(f"  Python Session.batch, per call {med['py_batch']:8.3f} us")
    print(f"ratio Session.call / C:         {ratio('py', 'c'):5.2f}x (goal <= {GOAL:.2f}x)")
    print(f"ratio Session.batch / C batch:  {ratio('py_batch', 'c_batch'):5.2f}x")
    # The binding's own cost is CPU time of the caller, which the remote
    # call's waits hide from the elapsed times above.
    print(f"user CPU per call: C {cpu['c']:.2f} us, ctypes {cpu['ctypes']:.2f} us, "
          f"Session.call {cpu['py']:.2f} us; batch: C {cpu['c_batch']:.2f} us, "
          f"Python {cpu['py_batch']:.2f} us")


if __name__ == "__main__":
    main()
