"""An i386 process, attached from this 64-bit library: calls by name get
i386's numbers, arguments are 32-bit.  Needs tests/arch/x86_64/i386's
target32 (built with gcc -m32) and a kernel that runs 32-bit programs;
skips otherwise, saying which is missing."""
import errno
import os
import select
import subprocess

import pytest

import scremote
from conftest import BUILD, released

TARGET32 = os.path.join(BUILD, "tests", "arch", "x86_64", "i386", "target32")


@pytest.fixture
def target32():
    if scremote.host_abi != "x86_64":
        pytest.skip("i386 processes run on x86_64 only")
    if not os.path.exists(TARGET32):
        pytest.skip(f"no {TARGET32} (gcc -m32 unavailable at build)")
    try:
        subprocess.run([TARGET32, "none"], capture_output=True, timeout=10)
    except OSError as e:
        if e.errno == errno.ENOEXEC:
            pytest.skip("this kernel cannot run 32-bit programs (ENOEXEC)")
        raise
    r, w = os.pipe()
    p = subprocess.Popen(["sh", "-c", 'exec "$0" wait 3>&"$1"', TARGET32, str(w)],
                         pass_fds=(w,))
    os.close(w)
    try:
        ready = select.select([r], [], [], 20)[0] and os.read(r, 64)
        assert ready == b"READY\n", ready
        yield p
    finally:
        p.kill()
        p.wait()
        os.close(r)


def test_an_i386_target_by_name(target32):
    pid = target32.pid
    with scremote.attach(pid) as s:
        assert s.abi == "i386"
        assert s.call("getpid") == pid
        assert s.call("getppid") == os.getpid()
        assert s.syscall_names == scremote.syscall_names("i386")
        assert s.signature("pread64").args[3].name == "pos_lo"
        # Strings go to 32-bit addresses; constants are i386's.
        fd = s.call("openat", "AT_FDCWD", "/", "O_RDONLY|O_DIRECTORY")
        assert os.readlink(f"/proc/{pid}/fd/{fd}") == "/"
        out = s.batch([("dup", fd), ("close", scremote.ref(0)), ("close", fd)])
        assert out[1:] == [0, 0]
        with pytest.raises(scremote.ArgumentError, match="does not fit in 32 bits"):
            s.call("close", 1 << 32)
        with pytest.raises(OSError) as ei:
            s.call("close", 9999)
        assert ei.value.errno == errno.EBADF
        with pytest.raises(scremote.ArgumentError, match="F_GETLK64"):
            s.const("F_GETLK64", family="open_flags")
        assert s.const("F_GETLK64") == scremote.const("F_GETLK64", abi="i386")
    assert released(pid)
