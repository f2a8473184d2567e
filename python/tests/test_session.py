"""Sessions: attach, the state they show, detach, and that the target is
never left stopped whatever happens in between."""
import errno
import gc
import os
import subprocess
import sys
import threading
import time
import warnings

import pytest

import scremote
from conftest import PYDIR, released, status_field, wait_until


def test_attach_call_detach(target):
    me = target.ask("(os.getpid(), os.getppid())")
    with scremote.attach(target.pid) as s:
        assert (s.pid, s.abi) == (target.pid, scremote.host_abi)
        assert s.threads == [target.pid]
        assert s.call("getpid") == me[0]
        assert s.call("getppid") == me[1] == os.getpid()
        assert s.exit_status is None and not s.closed
        assert repr(s) == f"<scremote.Session pid={target.pid} abi={s.abi}>"
        # Every thread stays stopped while attached.
        assert status_field(target.pid, "TracerPid") == str(os.getpid())
        assert status_field(target.pid, "State")[0] == "t"
    assert s.closed and repr(s) == f"<scremote.Session pid={target.pid} detached>"
    assert released(target.pid)
    assert target.ask("1 + 1") == 2


def test_context_manager_releases_the_target_on_an_exception(target):
    with pytest.raises(RuntimeError, match="in the block"):
        with scremote.attach(target.pid) as s:
            s.call("getpid")
            raise RuntimeError("in the block")
    assert s.closed and released(target.pid)
    assert target.ask("'still here'") == "still here"


def test_context_manager_releases_the_target_after_a_failed_call(target):
    with pytest.raises(OSError) as ei:
        with scremote.attach(target.pid) as s:
            s.call("close", 999)
    assert ei.value.errno == errno.EBADF
    assert released(target.pid) and target.ask("2") == 2


def test_detach_is_idempotent_and_a_detached_session_refuses(target):
    s = scremote.attach(target.pid)
    s.detach()
    s.detach()
    assert released(target.pid)
    with pytest.raises(scremote.Error, match=f"session of process {target.pid} is detached"):
        s.call("getpid")
    with pytest.raises(scremote.Error, match="detached"):
        s.read(0x1000, 1)
    with pytest.raises(scremote.Error, match="detached"):
        s.threads


def test_attach_errors(dead_pid):
    with pytest.raises(scremote.AttachError) as ei:
        scremote.attach(dead_pid)
    assert isinstance(ei.value, OSError) and isinstance(ei.value, scremote.Error)
    assert ei.value.errno == errno.ESRCH
    assert str(ei.value) == f"cannot attach to process {dead_pid}: no such process"
    with pytest.raises(scremote.AttachError, match="cannot trace itself"):
        scremote.attach(os.getpid())
    with pytest.raises(scremote.AttachError, match="cannot trace itself"):
        scremote.attach(threading.get_native_id())
    for bad in (0, -5):
        with pytest.raises(scremote.ArgumentError, match="positive"):
            scremote.attach(bad)
    for bad in ("123", 1.5, None, True):
        with pytest.raises(scremote.ArgumentError, match="process id is an int"):
            scremote.attach(bad)
    with pytest.raises(scremote.ArgumentError, match="timeout_ms cannot be negative"):
        scremote.attach(1, timeout_ms=-1)


def test_attach_to_a_process_someone_else_traces(target):
    """EBUSY, with the tracer named; the other tracer keeps its session."""
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sys, scremote\n"
         f"s = scremote.attach({target.pid})\n"
         "print('attached', flush=True)\n"
         "sys.stdin.read()\n"
         "print(s.call('getpid'), flush=True)\n"
         "s.detach()\n"],
        cwd=PYDIR, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline() == "attached\n"
        with pytest.raises(scremote.AttachError) as ei:
            scremote.attach(target.pid)
        # scr_attach(3) promises EBUSY; the library says EPERM for a main
        # thread someone else traces.  The message names the tracer either way.
        assert ei.value.errno in (errno.EBUSY, errno.EPERM)
        assert f"already traced by process {holder.pid}" in str(ei.value)
        out, _ = holder.communicate("", timeout=30)
        assert out == f"{target.pid}\n" and holder.returncode == 0
    finally:
        holder.kill()
        holder.wait()
    assert released(target.pid)


def test_attach_by_pidfd(target):
    if not hasattr(os, "pidfd_open"):
        pytest.skip("os.pidfd_open needs Python 3.9 on Linux 5.3")
    fd = os.pidfd_open(target.pid)
    try:
        with scremote.attach_pidfd(fd, timeout_ms=2000) as s:
            assert s.pid == target.pid and s.timeout_ms == 2000
            assert s.call("getpid") == target.pid
    finally:
        os.close(fd)
    assert released(target.pid)


def test_a_session_belongs_to_the_thread_that_attached(target):
    s = scremote.attach(target.pid)
    try:
        caught = []

        def elsewhere():
            try:
                s.call("getpid")
            except scremote.Error as e:
                caught.append(e)
        t = threading.Thread(target=elsewhere)
        t.start()
        t.join(30)
        assert len(caught) == 1 and "ptrace(2) takes requests only from the thread" \
            in str(caught[0])
        assert s.call("getpid") == target.pid
    finally:
        s.detach()
    assert released(target.pid)


def test_an_abandoned_session_is_detached_by_the_garbage_collector(target):
    s = scremote.attach(target.pid)
    assert s.call("getpid") == target.pid
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        del s
        gc.collect()
    assert any(issubclass(x.category, ResourceWarning) and "was not detached" in str(x.message)
               for x in w)
    assert released(target.pid) and target.ask("3") == 3


def test_a_session_left_open_at_exit_is_released(target):
    r = subprocess.run(
        [sys.executable, "-W", "ignore", "-c",
         f"import scremote; s = scremote.attach({target.pid}); print(s.call('getpid'))"],
        cwd=PYDIR, capture_output=True, text=True, timeout=60)
    assert r.stdout == f"{target.pid}\n", r.stderr
    wait_until(lambda: released(target.pid), 5, "the target to run")
    assert target.ask("4") == 4


def test_timeout_property(target):
    with scremote.attach(target.pid, timeout_ms=1500) as s:
        assert s.timeout_ms == 1500
        s.timeout_ms = 0
        assert s.timeout_ms == 0
        with pytest.raises(scremote.ArgumentError):
            s.timeout_ms = -3
    with scremote.attach(target.pid) as s:
        assert s.timeout_ms == 10000


def test_syscall_names_and_signatures_of_the_session(target):
    with scremote.attach(target.pid) as s:
        assert s.syscall_names == scremote.syscall_names(s.abi)
        assert str(s.signature("close")) == "close(fd)"
        assert s.const("O_RDWR|O_CLOEXEC") == os.O_RDWR | os.O_CLOEXEC
        st = s.agent_status
        assert st is None or isinstance(st[0], int)


def test_a_stopped_process_stays_stopped(target):
    os.kill(target.pid, 19)   # SIGSTOP
    wait_until(lambda: status_field(target.pid, "State")[0] == "T", 10, "the stop")
    with scremote.attach(target.pid) as s:
        assert s.call("getpid") == target.pid
    time.sleep(0.05)
    assert status_field(target.pid, "State")[0] == "T"
    assert status_field(target.pid, "TracerPid") == "0"
    os.kill(target.pid, 18)   # SIGCONT
    assert target.ask("5") == 5


FORK = r"""
import gc, os, sys, scremote
s = scremote.attach(int(sys.argv[1]))
child = os.fork()
if child == 0:          # not the tracer: must leave the session alone
    del s
    gc.collect()
    sys.exit(0)         # atexit would detach a session of its own
_, status = os.waitpid(child, 0)
print(status, s.call("getpid") == int(sys.argv[1]))
s.detach()
"""


def test_a_forked_child_leaves_its_parents_session_alone(target):
    r = subprocess.run([sys.executable, "-W", "error::ResourceWarning", "-c", FORK,
                        str(target.pid)], cwd=PYDIR, capture_output=True, text=True, timeout=60)
    assert r.stdout == "0 True\n", r.stderr
    assert r.stderr == ""       # the child did not even warn about the session
    assert released(target.pid)
