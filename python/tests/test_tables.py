"""The package itself: loading, declarations against the C header, the
system call tables and the constants (no target needed)."""
import ctypes
import errno
import fcntl
import mmap
import os
import re
import resource
import select
import shutil
import signal
import socket
import subprocess
import sys
import threading

import pytest

import scremote
from scremote import _lib
from conftest import PYDIR, TOP

HEADER = os.path.join(TOP, "include", "scremote.h")


def c_facts(tmp_path):
    """What the C compiler says about the header: every value and layout
    the binding declares by hand."""
    cc = shutil.which("cc") or shutil.which("gcc")
    if not cc or not os.path.exists(HEADER):
        pytest.skip("needs a C compiler and the source tree's include/scremote.h")
    kinds = [k.name for k in _lib.ArgKind]
    src = ['#include <stdio.h>', '#include <stddef.h>', '#include "scremote.h"',
           'int main(void) {']
    for k in kinds:
        src.append(f'printf("ARG_{k} %d\\n", (int)SCR_ARG_{k});')
    for m in ("SCR_MAX_ARGS", "SCR_ATTACH_SECCOMP_UNCHECKED", "SCR_DEFAULT_TIMEOUT_MS",
              "SCR_BATCH_STOP_ON_ERROR", "SCR_RET", "SCR_ABI_X86_64", "SCR_ABI_I386",
              "SCR_ABI_AARCH64", "SCR_ABI_RISCV64"):
        src.append(f'printf("{m} %ld\\n", (long){m});')
    for s, fields in (("ptrace_sc_ret", ("sr_retval", "sr_error")),
                      ("ptrace_sc_remote", ("pscr_ret", "pscr_syscall", "pscr_nargs",
                                            "pscr_args")),
                      ("scr_call", ("nr", "nargs", "ref_mask", "args", "ret", "status"))):
        src.append(f'printf("sizeof {s} %zu\\n", sizeof(struct {s}));')
        for f in fields:
            src.append(f'printf("offsetof {s}.{f} %zu\\n", offsetof(struct {s}, {f}));')
    src.append('printf("VERSION %s\\n", SCREMOTE_VERSION); return 0; }')
    (tmp_path / "facts.c").write_text("\n".join(src))
    exe = tmp_path / "facts"
    subprocess.run([cc, "-I", os.path.dirname(HEADER), "-o", str(exe),
                    str(tmp_path / "facts.c")], check=True, timeout=60)
    out = subprocess.run([str(exe)], check=True, capture_output=True, text=True,
                         timeout=10).stdout
    return dict(line.rsplit(" ", 1) for line in out.splitlines())


def test_declarations_match_the_header(tmp_path):
    facts = c_facts(tmp_path)
    for k in _lib.ArgKind:
        assert int(facts[f"ARG_{k.name}"]) == k.value, k
    assert int(facts["SCR_MAX_ARGS"]) == _lib.SCR_MAX_ARGS
    assert int(facts["SCR_ATTACH_SECCOMP_UNCHECKED"]) == _lib.SCR_ATTACH_SECCOMP_UNCHECKED
    assert int(facts["SCR_DEFAULT_TIMEOUT_MS"]) == _lib.SCR_DEFAULT_TIMEOUT_MS
    assert int(facts["SCR_BATCH_STOP_ON_ERROR"]) == _lib.SCR_BATCH_STOP_ON_ERROR
    assert int(facts["SCR_RET"]) == _lib.SCR_RET
    for name, i in _lib.ABI_IDS.items():
        assert int(facts[f"SCR_ABI_{name.upper()}"]) == i
    layouts = {"ptrace_sc_ret": (_lib.PtraceScRet, {"sr_retval": "sr_retval0"}),
               "ptrace_sc_remote": (_lib.PtraceScRemote, {}),
               "scr_call": (_lib.ScrCall, {})}
    for cname, (ctype, renamed) in layouts.items():
        assert int(facts[f"sizeof {cname}"]) == ctypes.sizeof(ctype), cname
        for key, value in facts.items():
            if key.startswith(f"offsetof {cname}."):
                field = key.split(".", 1)[1]
                py = getattr(ctype, renamed.get(field, field))
                assert py.offset == int(value), key
    assert facts["VERSION"] == scremote.library_version == scremote.__version__


def test_version_is_the_same_everywhere():
    pyproject = open(os.path.join(PYDIR, "pyproject.toml")).read()
    assert 'attr = "scremote._version.__version__"' in pyproject
    assert re.fullmatch(r"\d+\.\d+\.\d+", scremote.__version__)
    assert scremote.library_version == scremote.__version__


def test_every_declared_function_is_exported():
    for name in _lib.SIGNATURES:
        assert name in _lib.OPTIONAL or _lib.has(name), name


def test_library_not_found_says_how_to_fix_it():
    env = dict(os.environ, SCREMOTE_LIB="/nonexistent/libscremote.so.0")
    r = subprocess.run([sys.executable, "-c", "import scremote"], env=env, cwd=PYDIR,
                       capture_output=True, text=True, timeout=60)
    assert r.returncode != 0
    assert "ImportError: scremote: cannot load libscremote.so.0" in r.stderr
    assert "SCREMOTE_LIB=" in r.stderr and "/nonexistent/libscremote.so.0 (absent)" in r.stderr


def test_host_numbers_are_the_kernels():
    """The host ABI's numbers reach the right calls of this very kernel."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    assert libc.syscall(scremote.syscall_nr("getpid")) == os.getpid()
    assert libc.syscall(scremote.syscall_nr("getppid")) == os.getppid()
    assert libc.syscall(scremote.syscall_nr("gettid")) == threading.get_native_id()
    assert libc.syscall(scremote.syscall_nr("getuid")) == os.getuid()


def test_names_and_numbers_round_trip_in_every_abi():
    for abi in scremote.ABIS:
        names = scremote.syscall_names(abi)
        assert len(names) > 250 and len(set(names)) == len(names)
        nrs = [scremote.syscall_nr(n, abi) for n in names]
        assert nrs == sorted(nrs)
        for n, nr in zip(names, nrs):
            assert scremote.syscall_name(nr, abi) == n
    if scremote.host_abi == "x86_64":
        assert scremote.syscall_nr("getpid", "i386") != scremote.syscall_nr("getpid")
        assert scremote.syscall_name(scremote.syscall_nr("openat", "i386"), "i386") == "openat"
    assert scremote.syscall_name(99999) is None


def test_unknown_names_suggest_the_close_ones():
    with pytest.raises(scremote.UnknownName, match=r"no system call 'opne' in .*did you mean .*open"):
        scremote.syscall_nr("opne")
    with pytest.raises(scremote.ArgumentError, match="unknown ABI 'sparc'"):
        scremote.syscall_nr("getpid", "sparc")


def test_signatures():
    sig = scremote.signature("openat")
    assert str(sig) == "openat(dfd, filename, flags[, mode])"
    assert sig.nreq == 3 and sig.nargs == 4
    assert [a.kind for a in sig.args] == [scremote.ArgKind.DIRFD, scremote.ArgKind.PATH,
                                          scremote.ArgKind.FLAGS, scremote.ArgKind.MODE]
    assert sig.args[2].detail == "open_flags"
    assert sig.ret == scremote.ArgKind.FD
    read = scremote.signature("read")
    assert read.args[1].ref == 2 and read.args[2].ref == 1
    assert str(scremote.signature("getpid")) == "getpid()"
    # On a 32-bit ABI a 64-bit argument takes two.
    assert [a.name for a in scremote.signature("pread64", "i386").args][3:] == ["pos_lo", "pos_hi"]
    assert repr(sig).startswith("<scremote.Signature ")


def _python_knows(name):
    for mod in (os, socket, signal, fcntl, select, resource, mmap, errno):
        v = getattr(mod, name, None)
        if isinstance(v, int):
            return int(v)
    return None


def test_constants_come_from_the_tables_and_agree_with_python():
    table = scremote.constants()
    assert len(table) > 500
    # glibc defines O_LARGEFILE 0 on 64-bit ABIs, where it is implied; the
    # kernel sets and reports its own bit (fcntl F_GETFL): the tables have that.
    # Real-time signals are strace's, from the kernel's SIGRTMIN (32);
    # Python's SIGRTMIN is glibc's (34).
    differ = {"O_LARGEFILE", "SIGRTMIN", "SIGRTMAX"}
    compared = 0
    for name, value in table.items():
        theirs = _python_knows(name)
        if theirs is not None and name not in differ:
            assert value == theirs, name
            compared += 1
        assert getattr(scremote, name) == value
    assert compared > 300
    assert scremote.O_WRONLY == os.O_WRONLY and scremote.SIGTERM == signal.SIGTERM
    assert scremote.SIGRTMIN == 32 and scremote.SIGRT_2 == signal.SIGRTMIN
    assert scremote.SOL_SOCKET == socket.SOL_SOCKET and scremote.AT_FDCWD == -100


def test_constants_by_family():
    assert scremote.constants(family="whence")["SEEK_END"] == os.SEEK_END
    assert "SIGKILL" in scremote.constants(family="signal")
    assert "open_flags" in scremote.families()
    with pytest.raises(scremote.UnknownName, match="did you mean open_flags"):
        scremote.constants(family="open_flag")
    with pytest.raises(AttributeError, match="did you mean O_WRONLY"):
        scremote.O_WRONGLY


def test_constant_expressions():
    assert scremote.const("O_WRONLY|O_CREAT") == os.O_WRONLY | os.O_CREAT
    assert scremote.const(" O_WRONLY | 0x10 ") == os.O_WRONLY | 0x10
    assert scremote.const("0644") == 0o644 and scremote.const("0o755") == 0o755
    assert scremote.const("-1") == -1 and scremote.const(7) == 7
    assert scremote.const("SEEK_END", family="whence") == os.SEEK_END
    with pytest.raises(scremote.ArgumentError, match="takes constants of open_flags .O_..; "
                       "SEEK_END is a constant of whence"):
        scremote.const("O_WRONLY|SEEK_END", family="open_flags")
    with pytest.raises(scremote.UnknownName, match="did you mean O_CREAT"):
        scremote.const("O_CRAET")
    with pytest.raises(scremote.ArgumentError, match="empty term"):
        scremote.const("O_WRONLY|")
    with pytest.raises(scremote.ArgumentError, match="not a number"):
        scremote.const("09x")


def test_constants_of_another_abi():
    if scremote.host_abi != "x86_64":
        pytest.skip("the i386 constants come with an x86_64 build")
    # The same names, the values of i386 where they differ.
    assert scremote.const("O_WRONLY", abi="i386") == os.O_WRONLY
    assert scremote.const("F_GETLK64", abi="i386") != scremote.const("F_GETLK64")
    with pytest.raises(scremote.UnknownName, match="no constants for ABI aarch64 in this build"):
        scremote.const("O_WRONLY", abi="aarch64")


def test_help_reads_well():
    doc = scremote.__doc__
    assert "with scremote.attach(4242) as s:" in doc
    for obj in (scremote.attach, scremote.Session, scremote.Session.call,
                scremote.Session.batch, scremote.sc_remote, scremote.Buffer,
                scremote.NotExecuted, scremote.Session.read, scremote.Session.push):
        assert obj.__doc__ and len(obj.__doc__) > 80, obj
    assert "py.typed" in os.listdir(os.path.dirname(scremote.__file__))


def test_type_hints_hold(tmp_path):
    """mypy --strict on the package, where mypy is installed."""
    if subprocess.run([sys.executable, "-m", "mypy", "--version"],
                      capture_output=True).returncode:
        pytest.skip("mypy is not installed (Debian: python3-mypy)")
    r = subprocess.run([sys.executable, "-m", "mypy", "--strict", "--cache-dir",
                        str(tmp_path), os.path.join(PYDIR, "scremote")],
                       capture_output=True, text=True, timeout=240)
    assert r.returncode == 0, r.stdout + r.stderr
