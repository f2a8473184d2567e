"""scremote.sc_remote: FreeBSD's entry point, for a caller that is already
the tracer.  This test traces the target itself, through libc's ptrace."""
import ctypes
import errno
import os

import pytest

import scremote
from conftest import released

PTRACE_DETACH, PTRACE_SEIZE, PTRACE_INTERRUPT = 17, 0x4206, 0x4207
WALL = 0x40000000

libc = ctypes.CDLL(None, use_errno=True)
libc.ptrace.argtypes = [ctypes.c_long, ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p]
libc.ptrace.restype = ctypes.c_long


def ptrace(req, pid):
    if libc.ptrace(req, pid, None, None) == -1:
        e = ctypes.get_errno()
        raise OSError(e, os.strerror(e))


def test_sc_remote_on_a_thread_we_trace(target):
    ptrace(PTRACE_SEIZE, target.pid)
    try:
        ptrace(PTRACE_INTERRUPT, target.pid)
        pid, status = os.waitpid(target.pid, WALL)
        assert pid == target.pid and os.WIFSTOPPED(status)
        assert scremote.sc_remote(target.pid, "getpid") == (target.pid, 0)
        assert scremote.sc_remote(target.pid, scremote.syscall_nr("getppid"), []) == \
            (os.getpid(), 0)
        ret, err = scremote.sc_remote(target.pid, "close", [9999])
        assert err == errno.EBADF
        assert scremote.sc_remote(target.pid, "dup2", [0, 0], timeout_ms=2000) == (0, 0)
        # Unknown numbers give ENOSYS, as on FreeBSD.
        assert scremote.sc_remote(target.pid, 4000)[1] == errno.ENOSYS
        with pytest.raises(scremote.ArgumentError, match="at most 6"):
            scremote.sc_remote(target.pid, "getpid", [0] * 7)
        # No wait status is left behind.
        assert os.waitpid(target.pid, WALL | os.WNOHANG) == (0, 0)
    finally:
        ptrace(PTRACE_DETACH, target.pid)
    assert released(target.pid)
    assert target.ask("10") == 10


def test_sc_remote_on_a_thread_we_do_not_trace(target):
    with pytest.raises(scremote.NotExecuted) as ei:
        scremote.sc_remote(target.pid, "getpid")
    assert ei.value.errno == errno.ESRCH
    assert "not traced by this OS thread" in str(ei.value)
    assert released(target.pid)
