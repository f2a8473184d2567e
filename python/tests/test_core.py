"""Session.dump_core: a core the kernel's readers take, of memory the
target wrote, with the target running on and the session usable after."""
import errno
import io
import os
import shutil
import struct
import subprocess

import pytest

import scremote
from conftest import released

PT_LOAD, PT_NOTE, NT_PRSTATUS, ET_CORE = 1, 4, 1, 4


def elf_core(data):
    """(e_type, [(vaddr, offset, filesz)], [pr_pid of each NT_PRSTATUS]) of
    a 64-bit little-endian core."""
    assert data[:4] == b"\x7fELF" and data[4] == 2 and data[5] == 1, data[:16]
    e_type, = struct.unpack_from("<H", data, 16)
    e_phoff, = struct.unpack_from("<Q", data, 32)
    e_phentsize, e_phnum = struct.unpack_from("<HH", data, 54)
    loads, pids = [], []
    for k in range(e_phnum):
        p_type, _, p_offset, p_vaddr, _, p_filesz = struct.unpack_from(
            "<IIQQQQ", data, e_phoff + k * e_phentsize)
        if p_type == PT_LOAD:
            loads.append((p_vaddr, p_offset, p_filesz))
        elif p_type == PT_NOTE:
            off, end = p_offset, p_offset + p_filesz
            while off < end:
                namesz, descsz, ntype = struct.unpack_from("<III", data, off)
                desc = off + 12 + ((namesz + 3) & ~3)
                if ntype == NT_PRSTATUS:
                    pids.append(struct.unpack_from("<i", data, desc + 32)[0])
                off = desc + ((descsz + 3) & ~3)
    return e_type, loads, pids


def at(data, loads, addr, n):
    for vaddr, offset, filesz in loads:
        if vaddr <= addr and addr + n <= vaddr + filesz:
            return data[offset + addr - vaddr:offset + addr - vaddr + n]
    raise AssertionError(f"{addr:#x} is in no PT_LOAD segment with file data")


def marked(target):
    """Puts a marker in the target's memory: (its address, its bytes)."""
    mark = b"core-marker-" + os.urandom(8).hex().encode()
    addr = target.ask(f"keep.append(ctypes.create_string_buffer({mark!r})) "
                      f"or ctypes.addressof(keep[-1])")
    return addr, mark


def check_core(data, target, addr, mark):
    e_type, loads, pids = elf_core(data)
    assert e_type == ET_CORE
    assert pids and pids[0] == target.pid
    assert sorted(pids) == sorted([target.pid] + target.tids)
    assert at(data, loads, addr, len(mark)) == mark


@pytest.mark.skipif(struct.calcsize("P") != 8, reason="the check reads 64-bit cores")
@pytest.mark.parametrize("snapshot", [False, True], ids=["plain", "snapshot"])
def test_a_core_to_a_path(spawn, tmp_path, snapshot):
    target = spawn("--threads", "2")
    addr, mark = marked(target)
    path = tmp_path / "core"
    with scremote.attach(target.pid) as s:
        assert s.call("access", "/", 0) == 0     # scratch memory in use
        s.dump_core(path, snapshot=snapshot)
        # The session goes on: its scratch memory (unmapped for the dump)
        # comes back.
        assert s.call("getpid") == target.pid
        assert s.call("access", "/", 0) == 0
        assert s.read(s.push("after"), 6) == b"after\0"
    assert released(target.pid)
    assert os.stat(path).st_mode & 0o777 == 0o600
    check_core(path.read_bytes(), target, addr, mark)
    # The target ran on untouched, and has no child left by a snapshot.
    assert target.ask(f"keep[-1].raw[:{len(mark)}]") == mark
    assert target.ask("open('/proc/self/task/%d/children' % os.getpid()).read()") == ""


@pytest.mark.skipif(struct.calcsize("P") != 8, reason="the check reads 64-bit cores")
def test_a_core_to_a_file_object_and_compressed(target, tmp_path):
    addr, mark = marked(target)
    with scremote.attach(target.pid) as s, open(tmp_path / "core", "wb") as f:
        s.dump_core(f)
    check_core((tmp_path / "core").read_bytes(), target, addr, mark)
    zst = tmp_path / "core.zst"
    with scremote.attach(target.pid) as s:
        try:
            s.dump_core(zst, compress=True)
        except scremote.TargetError as e:
            assert e.errno == errno.EOPNOTSUPP and "without libzstd" in str(e)
            pytest.skip("libscremote built without libzstd")
    if not shutil.which("zstd"):
        pytest.skip("no zstd to read the compressed core (Debian: zstd)")
    out = subprocess.run(["zstd", "-dc", str(zst)], capture_output=True, timeout=60)
    assert out.returncode == 0, out.stderr
    check_core(out.stdout, target, addr, mark)


def test_refusals_leave_no_file_and_the_target_as_it_was(target, tmp_path):
    link = tmp_path / "link"
    os.symlink(tmp_path / "elsewhere", link)
    with scremote.attach(target.pid) as s:
        with pytest.raises(OSError) as ei:
            s.dump_core(link)
        assert ei.value.errno == errno.ELOOP and "symbolic link" in str(ei.value)
        assert not (tmp_path / "elsewhere").exists()
        big = tmp_path / "big"
        with pytest.raises(scremote.TargetError) as ei:
            s.dump_core(big, limit=4096)
        assert str(ei.value) == (f"the core of process {target.pid} would exceed the "
                                 f"limit of 4096 bytes")
        assert not big.exists()
        with pytest.raises(scremote.ArgumentError):
            s.dump_core(big, limit=-1)
        with pytest.raises(scremote.ArgumentError):
            s.dump_core(3.5)            # type: ignore[arg-type]
        with pytest.raises(scremote.ArgumentError, match="BytesIO has none"):
            s.dump_core(io.BytesIO())
        r, w = os.pipe()
        os.close(w)
        with pytest.raises(scremote.TargetError) as ei:
            s.dump_core(r)              # the read end of a pipe
        os.close(r)
        assert ei.value.errno == errno.EBADF
        assert s.call("getpid") == target.pid
    assert released(target.pid)
    assert target.ask("1 + 1") == 2
