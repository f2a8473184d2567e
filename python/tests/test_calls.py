"""Session.call: arguments of every form, results, failures, and the checks
that keep a mistake from reaching the target."""
import errno
import os
import pathlib
import signal
import socket

import pytest

import scremote
from conftest import released


def fds(target):
    return target.ask("sorted(int(f) for f in os.listdir('/proc/self/fd'))")


def test_strings_and_constants_by_name(target, tmp_path):
    path = str(tmp_path / "opened")
    with scremote.attach(target.pid) as s:
        fd = s.call("openat", "AT_FDCWD", path, "O_WRONLY|O_CREAT|O_APPEND", 0o640)
        assert s.call("write", fd, b"from outside\n", 13) == 13
    assert target.ask(f"os.readlink('/proc/self/fd/{fd}')") == path
    assert target.ask(f"fcntl.fcntl({fd}, fcntl.F_GETFL) & os.O_APPEND") == os.O_APPEND
    assert open(path).read() == "from outside\n"
    umask = int(open(f"/proc/{target.pid}/status").read().split("Umask:")[1].split()[0], 8)
    assert os.stat(path).st_mode & 0o777 == 0o640 & ~umask
    with scremote.attach(target.pid) as s:
        assert s.call("close", fd) == 0
    assert not target.ask(f"os.path.exists('/proc/self/fd/{fd}')")


def test_a_call_that_ran_and_failed_raises_oserror_as_os_does(target):
    with scremote.attach(target.pid) as s:
        with pytest.raises(OSError) as ei:
            s.call("close", 9999)
        e = ei.value
        assert type(e) is OSError and not isinstance(e, scremote.Error)
        assert (e.errno, e.strerror) == (errno.EBADF, os.strerror(errno.EBADF))
        assert getattr(e, "__notes__", ["close in process"])[0].startswith("close in process")
        with pytest.raises(FileNotFoundError) as ei:
            s.call("openat", "AT_FDCWD", "/nonexistent/x", "O_RDONLY")
        assert ei.value.filename == "/nonexistent/x"
        assert str(ei.value) == "[Errno 2] No such file or directory: '/nonexistent/x'"
        with pytest.raises(IsADirectoryError):
            s.call("openat", "AT_FDCWD", "/", "O_WRONLY")
    assert released(target.pid)


def test_arguments_are_checked_before_anything_reaches_the_target(target):
    before = fds(target)
    with scremote.attach(target.pid) as s:
        with pytest.raises(scremote.ArgumentError) as ei:
            s.call("close")
        assert str(ei.value) == ("close takes 1 argument (fd), got 0 "
                                 f"(to pass anything, call it by number: "
                                 f"{scremote.syscall_nr('close')})")
        assert isinstance(ei.value, TypeError) and isinstance(ei.value, ValueError)
        with pytest.raises(scremote.ArgumentError, match=r"openat takes 3 to 4 arguments "
                           r"\(dfd, filename, flags\[, mode\]\), got 5"):
            s.call("openat", "AT_FDCWD", "/tmp/x", "O_RDONLY", 0, 0)
        with pytest.raises(scremote.ArgumentError, match="openat's flags takes constants of "
                           "open_flags .O_..; SEEK_END is a constant of whence"):
            s.call("openat", "AT_FDCWD", "/tmp/x", "SEEK_END")
        with pytest.raises(scremote.UnknownName, match="did you mean .*openat"):
            s.call("opneat", "AT_FDCWD", "/tmp/x", 0)
        with pytest.raises(scremote.UnknownName, match="no constant 'O_RDONY'.*O_RDONLY"):
            s.call("openat", "AT_FDCWD", "/tmp/x", "O_RDONY")
        with pytest.raises(scremote.ArgumentError, match="cannot hold a NUL"):
            s.call("openat", "AT_FDCWD", "/tmp/x\0y", 0)
        with pytest.raises(scremote.ArgumentError, match="does not fit in 64 bits"):
            s.call("close", 1 << 64)
        with pytest.raises(scremote.ArgumentError, match="close's fd takes an integer"):
            s.call("close", b"3")
        with pytest.raises(scremote.ArgumentError, match="close's fd takes an integer, not None"):
            s.call("close", None)
        with pytest.raises(scremote.ArgumentError, match="ref.. stands for a result"):
            s.call("close", scremote.ref(0))
        with pytest.raises(scremote.ArgumentError, match="name or a number"):
            s.call(3.0)
        with pytest.raises(scremote.ArgumentError, match="negative number"):
            s.call(-1)
        with pytest.raises(scremote.ArgumentError, match="cannot take dict"):
            s.call("write", 1, {}, 0)
        with pytest.raises(scremote.ArgumentError, match="tid is a thread id"):
            s.call("getpid", tid="1")
        with pytest.raises(scremote.ArgumentError, match="tid is a thread id"):
            s.batch([("getpid",)], tid=None)
        assert s.call("getpid") == target.pid
    assert fds(target) == before


def test_a_call_by_number_takes_anything(target):
    dup = scremote.syscall_nr("dup")
    with scremote.attach(target.pid) as s:
        fd = s.call(dup, 0)
        assert s.call(scremote.syscall_nr("close"), fd, 1, 2, 3, 4, 5) == 0
        # Unknown numbers run, and fail as the kernel says.
        with pytest.raises(OSError) as ei:
            s.call(4000)
        assert ei.value.errno == errno.ENOSYS
        # A string to a call by number is a string in the target.
        fd = s.call(scremote.syscall_nr("openat"), scremote.AT_FDCWD, "/", os.O_RDONLY)
        s.call("close", fd)
        with pytest.raises(scremote.ArgumentError, match="dup: a system call takes at most 6 arguments, got 7"):
            s.call(dup, 1, 2, 3, 4, 5, 6, 7)


def test_enums_pathlike_and_negative_numbers(target, tmp_path):
    (tmp_path / "d").mkdir()
    with scremote.attach(target.pid) as s:
        assert s.call("chdir", tmp_path / "d") == 0
        fd = s.call("openat", scremote.AT_FDCWD, pathlib.Path("."), os.O_RDONLY | os.O_DIRECTORY)
        assert s.call("fcntl", fd, "F_GETFD") == 0
        assert s.call("fcntl", fd, "F_SETFD", "FD_CLOEXEC") == 0
        assert s.call("fcntl", fd, "F_GETFD") == 1
        assert s.call("kill", 0, signal.SIGCONT) == 0     # an IntEnum
        assert s.call("kill", 0, "SIGCONT") == 0
        with pytest.raises(scremote.ArgumentError, match="kill's sig takes constants of signal"):
            s.call("kill", 0, "SEEK_SET")
    assert target.ask("os.getcwd()") == str(tmp_path / "d")
    assert target.ask(f"fcntl.fcntl({fd}, fcntl.F_GETFD)") == 1
    target.ask("os.chdir('/')")


def test_buffers_the_call_writes(target):
    with scremote.attach(target.pid) as s:
        buf = scremote.Buffer(4096)
        n = s.call("getcwd", buf, 4096)
        assert buf.data[:n] == b"/\0" and buf.addr is not None
        assert len(buf) == 4096 and repr(buf).startswith("<scremote.Buffer 4096 bytes at 0x")
        # A buffer the call reads and rewrites, and one it only reads.
        r, w = scremote.Int(size=4), scremote.Int(size=4)
        fds_ = scremote.Buffer(8)
        assert s.call("pipe2", fds_, "O_CLOEXEC") == 0
        rfd, wfd = (int.from_bytes(fds_.data[i:i + 4], "little") for i in (0, 4))
        assert s.call("write", wfd, scremote.Buffer(b"ping"), 4) == 4
        got = scremote.Buffer(16)
        assert s.call("read", rfd, got, 16) == 4 and got.data[:4] == b"ping"
        for fd in (rfd, wfd):
            s.call("close", fd)
        del r, w


def test_socket_options_through_int_pointers(target):
    fd = target.ask("keep.append(socket.socket()) or keep[-1].fileno()")
    with scremote.attach(target.pid) as s:
        val, size = scremote.Int(), scremote.Int(4)
        assert s.call("getsockopt", fd, "SOL_SOCKET", "SO_TYPE", val, size) == 0
        assert (val.value, size.value) == (socket.SOCK_STREAM, 4)
        assert repr(val) == f"<scremote.Int {socket.SOCK_STREAM} (4 bytes)>"
        assert s.call("setsockopt", fd, "SOL_SOCKET", "SO_KEEPALIVE", scremote.Int(1), 4) == 0
        with pytest.raises(scremote.ArgumentError, match="takes constants of sockopt_name"):
            s.call("setsockopt", fd, "SOL_SOCKET", "O_RDONLY", scremote.Int(1), 4)
    assert target.ask("keep[-1].getsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE)") == 1


def test_int_helper():
    assert scremote.Int(-1).value == -1
    assert scremote.Int(2**40, size=8).value == 2**40
    assert scremote.Int(255, size=1, signed=False).value == 255
    with pytest.raises(scremote.ArgumentError, match="does not fit"):
        scremote.Int(2**40)
    with pytest.raises(scremote.ArgumentError, match="size must be"):
        scremote.Int(1, size=3)
    with pytest.raises(scremote.ArgumentError, match="negative"):
        scremote.Buffer(-1)


def test_strings_do_not_pile_up_in_scratch_memory(target):
    """Arguments live in the scratch area only for their call: 5,000 calls
    with a 1 KiB string each fit in a 64 KiB area."""
    before = target.ask("open('/proc/self/maps').read()")
    with scremote.attach(target.pid) as s:
        long_path = "/nonexistent/" + "x/" * 500
        for _ in range(5000):
            with pytest.raises(FileNotFoundError):
                s.call("access", long_path, 0)
        kept = s.push(b"mine")
        assert s.call("access", "/", 0) == 0
        assert s.read(kept, 4) == b"mine"
    assert target.ask("open('/proc/self/maps').read()") == before


def test_execve_with_an_argv(target, tmp_path):
    """A list is a NULL-terminated array of strings; the session follows
    the new image."""
    with scremote.attach(target.pid) as s:
        with pytest.raises(FileNotFoundError):
            s.call("execve", "/nonexistent", ["x"], None)
        s.call("execve", "/bin/sleep", ["sleep", "77"], [b"SCREMOTE=1"])
        assert s.call("getpid") == target.pid
        assert s.call("access", "/", 0) == 0       # scratch memory in the new image
    assert open(f"/proc/{target.pid}/cmdline").read() == "sleep\x0077\x00"
    assert open(f"/proc/{target.pid}/environ").read() == "SCREMOTE=1\x00"
    assert released(target.pid)
