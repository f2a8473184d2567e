"""Every way a call is not executed, each raising NotExecuted with its
errno and a message that says what to do, and the target left as it was."""
import errno
import os
import signal
import subprocess
import sys
import threading
import time

import pytest

import scremote
from conftest import PYDIR, in_syscall, released, wait_until

TIMESPEC_5S = (5).to_bytes(8, "little") + bytes(8)


def test_not_executed_is_no_oserror():
    assert issubclass(scremote.NotExecuted, scremote.Error)
    assert not issubclass(scremote.NotExecuted, OSError)
    assert issubclass(scremote.TargetExited, scremote.NotExecuted)


def test_timeout(target):
    """A read that nothing will satisfy, broken off; the target's own read
    of the same pipe is untouched."""
    with scremote.attach(target.pid, timeout_ms=300) as s:
        t0 = time.monotonic()
        with pytest.raises(scremote.NotExecuted) as ei:
            s.call("read", target.ctl_fd, scremote.Buffer(16), 16)
        took = time.monotonic() - t0
        e = ei.value
        assert (e.errno, e.errorcode, e.syscall, e.tid) == (errno.ETIMEDOUT, "ETIMEDOUT",
                                                            "read", 0)
        assert str(e).startswith("read did not complete within 300 ms and was broken off")
        assert 0.25 < took < 5, took
        assert s.call("getpid") == target.pid       # the session goes on
    assert released(target.pid)
    assert target.ask("'read intact'") == "read intact"


def test_ebusy_a_sleep_the_kernel_will_resume(target):
    """The target sleeps in a relative nanosleep; a nanosleep of ours would
    overwrite the restart block it resumes from."""
    # Long enough that a loaded machine still attaches during it.
    target.send("nap(4)")
    wait_until(lambda: in_syscall(target.pid, scremote.syscall_nr("clock_nanosleep")) or
               in_syscall(target.pid, scremote.syscall_nr("nanosleep")), 10, "the nap")
    t0 = time.monotonic()
    with scremote.attach(target.pid, timeout_ms=1000) as s:
        with pytest.raises(scremote.NotExecuted) as ei:
            s.call("nanosleep", TIMESPEC_5S, None)
        assert ei.value.errno == errno.EBUSY, ei.value
        assert "stopped in a system call the kernel will resume" in str(ei.value)
        assert s.call("getpid") == target.pid
    # The nap ends, undisturbed (0: not interrupted), not later than asked.
    assert target.answer(20) == 0
    assert time.monotonic() - t0 < 15


def test_ebusy_execve_in_a_threaded_process(spawn):
    t = spawn("--threads", "2")
    with scremote.attach(t.pid) as s:
        with pytest.raises(scremote.NotExecuted) as ei:
            s.call("execve", "/bin/true", ["true"], None)
        assert ei.value.errno == errno.EBUSY
        assert "has other threads" in str(ei.value)
    assert t.ask("threading.active_count()") == 3


def test_seccomp_eperm(spawn):
    t = spawn("--seccomp", f"kill:{scremote.syscall_nr('getppid')}",
              "--seccomp", f"errno:{scremote.syscall_nr('getuid')}")
    with scremote.attach(t.pid, seccomp_unchecked=True) as s:
        with pytest.raises(scremote.NotExecuted) as ei:
            s.call("getppid")
        assert ei.value.errno == errno.EPERM
        assert "seccomp policy" in str(ei.value)
        # What the filter answers with an errno runs, and fails with it.
        with pytest.raises(OSError) as ei:
            s.call("getuid")
        assert ei.value.errno == errno.EBADFD
        assert s.call("getpid") == t.pid
    assert released(t.pid) and t.ask("6") == 6


# Run in a child that gives up CAP_SYS_ADMIN: seccomp filters are then
# unreadable, and only the waiver lets calls run (at the target's risk:
# here a filter that raises SIGSYS, which the engine takes back).
UNREADABLE = r"""
import ctypes, errno, sys
import scremote
libc = ctypes.CDLL(None, use_errno=True)
hdr = (ctypes.c_uint32 * 2)(0x20080522, 0)
data = (ctypes.c_uint32 * 6)()
capget, capset = scremote.syscall_nr("capget"), scremote.syscall_nr("capset")
assert libc.syscall(capget, hdr, data) == 0
data[0] &= ~(1 << 21)                     # CAP_SYS_ADMIN, effective
assert libc.syscall(capset, hdr, data) == 0, ctypes.get_errno()
pid = int(sys.argv[1])
with scremote.attach(pid) as s:
    try:
        s.call("getpid")
    except scremote.NotExecuted as e:
        print("unchecked:", e.errorcode, "seccomp_unchecked=True" in str(e))
with scremote.attach(pid, seccomp_unchecked=True) as s:
    print("waived:", s.call("getpid") == pid)
    try:
        s.call("getppid")
    except scremote.NotExecuted as e:
        print("fault:", e.errorcode, "fault signal" in str(e))
    print("after:", s.call("getpid") == pid)
"""


def test_unreadable_filters_eacces_and_a_fault_signal_eremoteio(spawn):
    t = spawn("--seccomp", f"trap:{scremote.syscall_nr('getppid')}")
    r = subprocess.run([sys.executable, "-c", UNREADABLE, str(t.pid)], cwd=PYDIR,
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines() == ["unchecked: EACCES True", "waived: True",
                                     "fault: EREMOTEIO True", "after: True"]
    assert released(t.pid)
    # The SIGSYS was dropped: the target lives and its handler state is intact.
    assert t.ask("signal.getsignal(signal.SIGSYS) == signal.SIG_DFL") is True
    assert t.ask("7") == 7


def test_a_dead_thread_or_a_bad_tid(target, dead_pid):
    with scremote.attach(target.pid) as s:
        with pytest.raises(scremote.NotExecuted) as ei:
            s.call("getpid", tid=dead_pid)
        assert ei.value.errno == errno.ESRCH and ei.value.tid == dead_pid
        assert f"thread {dead_pid} is gone" in str(ei.value)
    assert released(target.pid)


def test_the_target_killed_during_a_call(target):
    """SIGKILL while a 5 s nanosleep of ours runs in it: the call ends at
    once, the process reported ended by that signal, and its real parent
    (this process) reaps it with its true status."""
    nr = scremote.syscall_nr("nanosleep")

    def kill_when_inside():
        end = time.monotonic() + 10
        while not in_syscall(target.pid, nr) and time.monotonic() < end:
            time.sleep(0.005)
        os.kill(target.pid, signal.SIGKILL)
    killer = threading.Thread(target=kill_when_inside)
    with scremote.attach(target.pid) as s:
        killer.start()
        t0 = time.monotonic()
        try:
            with pytest.raises(scremote.TargetExited) as ei:
                s.call("nanosleep", TIMESPEC_5S, None)
        finally:
            killer.join(15)
        assert time.monotonic() - t0 < 4
        e = ei.value
        assert (e.errno, e.returncode) == (errno.ESRCH, -signal.SIGKILL)
        assert str(e) == f"process {target.pid} ended during nanosleep (killed by signal 9)"
        with pytest.raises(scremote.NotExecuted) as ei:
            s.call("getpid")
        assert ei.value.errno == errno.ESRCH
    assert s.closed
    assert target.proc.wait(10) == -signal.SIGKILL


def test_exit_group_ends_the_process_with_its_status(target):
    with scremote.attach(target.pid) as s:
        with pytest.raises(scremote.TargetExited) as ei:
            s.call("exit_group", 7)
        e = ei.value
        assert (e.errno, e.returncode, e.syscall) == (errno.ESRCH, 7, "exit_group")
        assert os.WIFEXITED(e.status) and os.WEXITSTATUS(e.status) == 7
        assert str(e) == f"process {target.pid} ended during exit_group (exit status 7)"
        assert s.exit_status == e.status
    assert target.proc.wait(10) == 7


def test_interrupt_from_another_thread(target):
    with scremote.attach(target.pid, timeout_ms=0) as s:
        stopper = threading.Timer(0.3, s.interrupt)
        stopper.start()
        t0 = time.monotonic()
        try:
            with pytest.raises(scremote.NotExecuted) as ei:
                s.call("read", target.ctl_fd, scremote.Buffer(8), 8)
        finally:
            stopper.cancel()
        assert ei.value.errno == errno.EINTR and time.monotonic() - t0 < 5
        with pytest.raises(scremote.NotExecuted, match="interrupted; detach"):
            s.call("getpid")
    assert released(target.pid)
    assert target.ask("8") == 8


SQPOLL = (
    "(lambda p: (keep.append(p), libc.syscall({nr}, 4, p)))"
    "(ctypes.create_string_buffer(struct.pack('IIII', 0, 0, 2, 100000) + bytes(104)))[1]")


def test_a_thread_that_never_returns_to_user_mode(target):
    """An io_uring SQPOLL kernel thread is refused at once (EOPNOTSUPP)."""
    fd = target.ask(SQPOLL.format(nr=scremote.syscall_nr("io_uring_setup")))
    if fd < 0:
        pytest.skip("io_uring SQPOLL unavailable here")

    def sqp():
        for tid in os.listdir(f"/proc/{target.pid}/task"):
            if open(f"/proc/{target.pid}/task/{tid}/comm").read().startswith("iou-sqp"):
                return int(tid)
    tid = wait_until(sqp, 5, "the iou-sqp thread")
    with scremote.attach(target.pid) as s:
        assert tid in s.threads
        t0 = time.monotonic()
        with pytest.raises(scremote.NotExecuted) as ei:
            s.call("getpid", tid=tid)
        assert ei.value.errno == errno.EOPNOTSUPP and time.monotonic() - t0 < 3
        assert "never returns to user mode" in str(ei.value)
        assert s.call("getpid") == target.pid
    assert target.ask("9") == 9
