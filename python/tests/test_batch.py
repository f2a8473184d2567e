"""Session.batch: one round trip, references to earlier results, and the
documented way each kind of failure is reported."""
import errno
import os

import pytest

import scremote
from conftest import released


def fds(target):
    return target.ask("sorted(int(f) for f in os.listdir('/proc/self/fd'))")


def test_redirect_in_one_batch(target, tmp_path):
    log = str(tmp_path / "log")
    with scremote.attach(target.pid) as s:
        fd, one, zero = s.batch([
            ("openat", "AT_FDCWD", log, "O_WRONLY|O_CREAT|O_APPEND", 0o644),
            ("dup2", scremote.ref(0), 1),
            ("close", scremote.ref(-2)),
        ])
        assert (one, zero) == (1, 0) and fd > 2
    assert target.ask("os.readlink('/proc/self/fd/1')") == log
    target.ask("print('said inside', flush=True)")
    assert open(log).read() == "said inside\n"
    assert not target.ask(f"os.path.exists('/proc/self/fd/{fd}')")


def test_results_of_every_form(target):
    with scremote.attach(target.pid) as s:
        cwd = scremote.Buffer(64)
        out = s.batch([("getpid",), "getppid", ("getcwd", cwd, 64), ("access", b"/", 0)])
        assert out == [target.pid, os.getpid(), 2, 0]
        assert cwd.data[:2] == b"/\0"
        assert s.batch([]) == []


def test_stop_on_error_raises_the_failed_calls_oserror(target):
    before = fds(target)
    with scremote.attach(target.pid) as s:
        with pytest.raises(OSError) as ei:
            s.batch([("dup", 0), ("close", 9999), ("close", scremote.ref(0))])
        e = ei.value
        assert e.errno == errno.EBADF and e.index == 1
        dup, failed, skipped = e.results
        assert isinstance(dup, int) and failed is e
        assert isinstance(skipped, scremote.NotExecuted) and skipped.errno == errno.ECANCELED
        assert "earlier call of the batch failed" in str(skipped)
        s.call("close", dup)                 # the caller cleans up what ran
    assert fds(target) == before


def test_without_stop_on_error_failures_are_in_the_list(target):
    with scremote.attach(target.pid) as s:
        out = s.batch([("dup", 0), ("close", 9999), ("close", scremote.ref(0))],
                      stop_on_error=False)
        assert isinstance(out[0], int) and out[2] == 0
        assert type(out[1]) is OSError and out[1].errno == errno.EBADF
        with pytest.raises(FileNotFoundError) as ei:
            s.batch([("access", "/nonexistent", 0)])
        assert ei.value.filename == "/nonexistent"


def test_a_call_not_executed_raises_not_executed(target):
    with scremote.attach(target.pid, timeout_ms=300) as s:
        with pytest.raises(scremote.NotExecuted) as ei:
            s.batch([("getpid",), ("read", target.ctl_fd, scremote.Buffer(8), 8), ("getpid",)],
                    stop_on_error=False)
        e = ei.value
        assert (e.errno, e.index) == (errno.ETIMEDOUT, 1)
        assert e.results[0] == target.pid and e.results[1] is e
        assert isinstance(e.results[2], scremote.NotExecuted)
    assert target.ask("'intact'") == "intact"


def test_a_bad_batch_runs_nothing(target):
    before = fds(target)
    with scremote.attach(target.pid) as s:
        bad = [
            ([("dup", 0), ("close",)], "batch call 1: close takes 1 argument"),
            ([("dup", 0), ("close", scremote.ref(1))], r"batch call 1 \(close\): "
             r"scremote.ref\(1\) must name an earlier call"),
            ([("dup", 0), ("close", scremote.ref(-2))], "must name an earlier call"),
            ([("dup", 0), ()], "batch call 1 is empty"),
            ([("dup", 0), ("opne", 1)], "no system call 'opne'"),
            ([("dup", 0), ("lseek", 0, 0, "O_RDONLY")], "batch call 1: lseek's whence takes "
             "constants of whence"),
            ([("dup", 0), (1 << 63,)], "no system call has a number that large"),
            ([("dup", 0), ("dup", 1 << 64)], "does not fit in 64 bits"),
        ]
        for calls, message in bad:
            with pytest.raises(scremote.ArgumentError, match=message):
                s.batch(calls)
    assert fds(target) == before
    assert released(target.pid)


def test_a_batch_that_ends_the_process(target):
    with scremote.attach(target.pid) as s:
        with pytest.raises(scremote.TargetExited) as ei:
            s.batch([("getpid",), ("exit_group", 3), ("getpid",)])
        assert ei.value.index == 1 and ei.value.returncode == 3
        assert ei.value.results[0] == target.pid
    assert target.proc.wait(10) == 3
