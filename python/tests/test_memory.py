"""Session.read, write, push, alloc and reset_scratch, checked from inside
the target."""
import errno
import mmap

import pytest

import scremote
from conftest import released


def test_read_and_write_the_targets_memory(target):
    addr = target.ask("keep.append(ctypes.create_string_buffer(b'hello world', 32)) "
                      "or ctypes.addressof(keep[-1])")
    with scremote.attach(target.pid) as s:
        assert s.read(addr, 11) == b"hello world"
        assert s.read(addr, 0) == b""
        assert s.write(addr, b"HELLO") == 5
        assert s.write(addr, b"") == 0
        assert s.read(addr, 11) == b"HELLO world"
    assert target.ask("keep[-1].value") == b"HELLO world"


def test_a_read_short_at_the_end_of_a_mapping(target):
    """A range that runs into an unmapped page is read up to it; one that
    starts there is an error."""
    page = mmap.PAGESIZE
    base = target.ask(
        f"(lambda m: (keep.append(m), m.write(b'x' * {2 * page}), "
        f"ctypes.addressof(ctypes.c_char.from_buffer(m)))[2])(mmap.mmap(-1, {2 * page}))")
    # Unmap the second page from inside, leaving a hole after the first.
    target.ask(f"libc.munmap(ctypes.c_void_p({base + page}), {page})")
    with scremote.attach(target.pid) as s:
        assert s.read(base + page - 3, 10) == b"xxx"
        with pytest.raises(scremote.TargetError) as ei:
            s.read(base + page, 10)
        assert ei.value.errno == errno.EFAULT and isinstance(ei.value, OSError)
        assert str(ei.value) == (f"cannot read 10 bytes at {base + page:#x} in the target: "
                                 f"Bad address")
        assert s.write(base + page - 2, b"abcd") == 2
        with pytest.raises(scremote.ArgumentError):
            s.read(-1, 1)
        with pytest.raises(scremote.ArgumentError):
            s.read(base, -1)
    assert released(target.pid)


def test_push_alloc_and_reset(target):
    maps = target.ask("open('/proc/self/maps').read()")
    with scremote.attach(target.pid) as s:
        a = s.push(b"\x00\x01binary")
        b = s.push("text")
        c = s.alloc(100)
        assert a % 16 == 0 and b % 16 == 0 and c % 16 == 0
        assert s.read(a, 8) == b"\x00\x01binary"
        assert s.read(b, 5) == b"text\0"
        assert s.read(c, 100) == bytes(100)
        # A call reads what was pushed.
        path = s.push("/")
        assert s.call("access", path, 0) == 0
        big = s.alloc(1 << 20)
        assert s.write(big + (1 << 20) - 4, b"tail") == 4
        mapped = open(f"/proc/{target.pid}/maps").read()
        s.reset_scratch()
        assert s.alloc(1 << 20) in (a, big)    # reused, not mapped anew
        assert open(f"/proc/{target.pid}/maps").read() == mapped
        with pytest.raises(scremote.ArgumentError):
            s.alloc(0)
        with pytest.raises(scremote.TargetError, match="cannot reserve"):
            s.alloc(2 << 30)
    # The scratch area is gone: the memory map is as it was.
    assert target.ask("open('/proc/self/maps').read()") == maps
