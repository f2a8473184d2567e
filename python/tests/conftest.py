"""Shared by the binding's tests: the package under test, live targets that
are always killed, bounded waits, a watchdog, and the PASS/FAIL/SKIP lines
that tests/run.sh counts.

The package comes from this source tree (python/scremote) unless
SCREMOTE_PY_INSTALLED is set; the library from $SCREMOTE_LIB, or the
build tree (see scremote._lib).
"""
import ast
import faulthandler
import json
import os
import select
import signal
import subprocess
import sys
import time

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
PYDIR = os.path.dirname(HERE)
TOP = os.path.dirname(PYDIR)
if not os.environ.get("SCREMOTE_PY_INSTALLED"):
    sys.path.insert(0, PYDIR)

BUILD = os.environ.get("SCREMOTE_BUILD", os.path.join(TOP, "build"))

# Under the sanitizer build tests/sh/python.sh preloads the ASan runtime
# into this interpreter, for the library; targets do without it.
TARGET_ENV = dict(os.environ)
if os.environ.get("SCREMOTE_ASAN_PRELOAD"):
    for var in ("LD_PRELOAD", "ASAN_OPTIONS"):
        TARGET_ENV.pop(var, None)
TEST_LIMIT = float(os.environ.get("SCREMOTE_PY_TEST_LIMIT", 120))  # s for any one test

# Children die with us, whatever happens to this process.
_libc = __import__("ctypes").CDLL(None, use_errno=True)


def _die_with_parent():
    _libc.prctl(1, signal.SIGKILL)      # PR_SET_PDEATHSIG


def wait_until(cond, seconds=10.0, what="condition"):
    """Polls cond() until true, for at most seconds; fails the test then."""
    end = time.monotonic() + seconds
    while True:
        v = cond()
        if v:
            return v
        if time.monotonic() > end:
            pytest.fail(f"waited {seconds} s for {what}")
        time.sleep(0.01)


def status_field(pid, field, tid=None):
    path = f"/proc/{pid}/task/{tid}/status" if tid else f"/proc/{pid}/status"
    try:
        with open(path) as f:
            for line in f:
                if line.startswith(field + ":"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        return None
    return None


def released(pid):
    """Alive, traced by nobody, and no thread in a stop: the target runs."""
    tasks = os.listdir(f"/proc/{pid}/task")
    for tid in tasks:
        if status_field(pid, "TracerPid", tid) != "0":
            return False
        state = status_field(pid, "State", tid) or "?"
        if state[0] not in "SRD":
            return False
    return True


def in_syscall(pid, nr, tid=None):
    """Is the thread blocked in system call nr (/proc/PID/syscall)?"""
    path = f"/proc/{pid}/task/{tid or pid}/syscall"
    try:
        with open(path) as f:
            return f.read().split()[0] == str(nr)
    except (OSError, IndexError):
        return False


class Target:
    """A running tests/target.py: ask() evaluates an expression inside it."""

    def __init__(self, *opts, lifetime=120):
        ctl_r, ctl_w = os.pipe()
        rep_r, rep_w = os.pipe()
        self.proc = subprocess.Popen(
            [sys.executable, os.path.join(HERE, "target.py"), "--lifetime", str(lifetime),
             "--ctl", str(ctl_r), "--rep", str(rep_w), *opts],
            stdin=subprocess.DEVNULL, pass_fds=(ctl_r, rep_w),
            preexec_fn=_die_with_parent, cwd="/", env=TARGET_ENV)
        self.ctl_fd = ctl_r     # the target's end of its command pipe
        os.close(ctl_r)
        os.close(rep_w)
        self.ctl = ctl_w
        self.rep = rep_r
        self.buf = b""
        line = self._line(20)
        if not line.startswith("READY "):
            pytest.fail(f"target did not start: {line!r}")
        info = json.loads(line[6:])
        self.pid = info["pid"]
        self.tids = info["tids"]
        # Back in its read of its command pipe, where every test starts.
        wait_until(lambda: in_syscall(self.pid, _nr("read")), 10, "the target to wait in read")

    def _line(self, seconds):
        end = time.monotonic() + seconds
        while b"\n" not in self.buf:
            left = end - time.monotonic()
            if left <= 0 or not select.select([self.rep], [], [], left)[0]:
                pytest.fail(f"no answer from target in {seconds} s")
            chunk = os.read(self.rep, 65536)
            if not chunk:
                pytest.fail(f"target exited: {self.proc.poll()}")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        return line.decode()

    def send(self, expr):
        os.write(self.ctl, expr.encode() + b"\n")

    def answer(self, seconds=10):
        line = self._line(seconds)
        if line.startswith("ERR "):
            raise AssertionError(f"target: {line}")
        return ast.literal_eval(line)

    def ask(self, expr, seconds=10):
        """The value of expr evaluated in the target (a literal)."""
        self.send(expr)
        return self.answer(seconds)

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            pass
        for fd in (self.ctl, self.rep):
            try:
                os.close(fd)
            except OSError:
                pass


_nrs = {}


def _nr(name):
    if name not in _nrs:
        import scremote
        _nrs[name] = scremote.syscall_nr(name)
    return _nrs[name]


@pytest.fixture
def spawn():
    """spawn(*opts) -> Target; every target is killed after the test."""
    made = []

    def make(*opts, **kw):
        t = Target(*opts, **kw)
        made.append(t)
        return t
    yield make
    for t in made:
        t.kill()


@pytest.fixture
def target(spawn):
    return spawn()


@pytest.fixture(autouse=True)
def watchdog(request):
    """No test outlives TEST_LIMIT: a stuck one dumps its stack and ends
    the run.  pytest captures stderr, so the stack goes to a file of its
    own, $SCREMOTE_RESULTS.watchdog, under the test's name: tests/sh/python.sh
    reports it as that test's failure."""
    out = os.environ.get("SCREMOTE_RESULTS")
    f = open(out + ".watchdog", "w") if out else sys.__stderr__
    if out:
        f.write(f"{request.node.nodeid}\n")
        f.flush()
    faulthandler.dump_traceback_later(TEST_LIMIT, exit=True, file=f)
    yield
    faulthandler.cancel_dump_traceback_later()
    if out:
        f.close()
        os.unlink(out + ".watchdog")


@pytest.fixture
def dead_pid():
    p = subprocess.Popen(["true"])
    p.wait()
    return p.pid


# ---- the PASS/FAIL/SKIP lines of tests/run.sh -----------------------------------

def _one_line(text):
    return " ".join(str(text).split())[:400]


def pytest_runtest_logreport(report):
    out = os.environ.get("SCREMOTE_RESULTS")
    if not out:
        return
    name = report.nodeid.split("::", 1)[-1]
    name = f"py_{os.path.splitext(os.path.basename(report.fspath))[0][5:]}.{name}"
    line = None
    if report.when == "call" and report.passed:
        line = f"PASS {name}"
    elif report.failed:
        why = report.longrepr.reprcrash.message if hasattr(report.longrepr, "reprcrash") \
            and report.longrepr.reprcrash else report.longreprtext.splitlines()[-1:]
        line = f"FAIL {name}: {report.when}: {_one_line(why)}"
    elif report.skipped and report.when in ("setup", "call"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        line = f"SKIP {name}: {_one_line(str(reason).replace('Skipped: ', ''))}"
    if line:
        with open(out, "a") as f:
            f.write(line + "\n")
