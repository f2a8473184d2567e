"""libscremote through ctypes: the one module that knows the C side.

Where the library is, the layout of its structs, the signature of each
function it exports and the error checkers that turn its negative errno
returns into exceptions.  The public classes (``_session``, ``_tables``)
call only what is declared here.

The library is looked for, in order:

1. ``$SCREMOTE_LIB``, a path to libscremote.so.0 (and nothing else if set);
2. beside this package (a copy that bundles it);
3. the directory ``make install`` put it in (``_config.LIBDIR``);
4. the build tree this package sits in (``python/`` of a source tree
   whose ``build/`` holds a built library), for running from a checkout;
5. the dynamic loader's own search (``libscremote.so.0``, then
   :func:`ctypes.util.find_library`).
"""
from __future__ import annotations

import ctypes
import enum
import os
from ctypes import (POINTER, Structure, c_char_p, c_int, c_long, c_longlong, c_size_t,
                    c_ssize_t, c_uint, c_ulong, c_void_p)
from typing import Any, Callable, Dict, Iterator, List, Optional, Tuple

from ._errors import TargetError

SONAME = "libscremote.so.0"

# From include/scremote.h (checked against it by the tests).
SCR_MAX_ARGS = 6
# scr_dump_core(3) flags.
PC_COMPRESS = 0x1
PC_ALL = 0x2
SCR_CORE_SNAPSHOT = 0x100
SCR_ATTACH_SECCOMP_UNCHECKED = 0x1
SCR_DEFAULT_TIMEOUT_MS = 10000
SCR_BATCH_STOP_ON_ERROR = 0x1
SCR_RET = 255

ABI_IDS: Dict[str, int] = {"x86_64": 1, "i386": 2, "aarch64": 3, "riscv64": 4}


class ArgKind(enum.IntEnum):
    """What an argument, or a return value, of a system call is
    (``enum scr_arg_kind``)."""

    INT = 1
    FD = 2
    DIRFD = 3
    PATH = 4
    STR = 5
    FLAGS = 6
    ENUM = 7
    MODE = 8
    SIGNAL = 9
    PID = 10
    ADDR = 11
    SIZE = 12
    COUNT = 13
    IN = 14
    OUT = 15
    INOUT = 16
    STRV = 17
    PTR = 18


class PtraceScRet(Structure):
    """``struct ptrace_sc_ret``; the two return values are separate
    fields (same layout as ``long sr_retval[2]``) because reading a field
    is cheaper than indexing an array on every call."""

    _fields_ = [("sr_retval0", c_long), ("sr_retval1", c_long), ("sr_error", c_int)]


class PtraceScRemote(Structure):
    """``struct ptrace_sc_remote`` (FreeBSD's layout)."""

    _fields_ = [("pscr_ret", PtraceScRet), ("pscr_syscall", c_uint),
                ("pscr_nargs", c_uint), ("pscr_args", POINTER(c_ulong))]


class ScrCall(Structure):
    """``struct scr_call``: one call of a batch."""

    _fields_ = [("nr", c_long), ("nargs", c_uint), ("ref_mask", c_uint),
                ("args", c_ulong * 6), ("ret", PtraceScRet), ("status", c_int)]


# ---- error checkers ---------------------------------------------------------

def _what(func_name: str, args: Tuple[Any, ...]) -> str:
    """What the failed function was asked, in the user's terms."""
    if func_name == "scr_read":
        return f"cannot read {args[3]} bytes at {args[1]:#x} in the target"
    if func_name == "scr_write":
        return f"cannot write {args[3]} bytes at {args[1]:#x} in the target"
    if func_name in ("scr_scratch_alloc", "scr_push"):
        n = args[1] if func_name == "scr_scratch_alloc" else args[2]
        return f"cannot reserve {n} bytes of scratch memory in the target"
    if func_name == "scr_threads":
        return "cannot list the threads of the target"
    return func_name


def check_negative_errno(result: int, func: Any, args: Tuple[Any, ...]) -> int:
    """For functions that return a count or 0, or a negative errno:
    raises :class:`TargetError` for the latter."""
    if result < 0:
        err = -result
        raise TargetError(err, f"{_what(func.__name__, args)}: {os.strerror(err)}")
    return result


# ---- signatures ---------------------------------------------------------------

_proc = c_void_p
_pid = c_int
_Checker = Optional[Callable[[int, Any, Tuple[Any, ...]], int]]

# name: (argument types, return type, error checker).  The hot functions
# (scr_syscall, scr_batch) have no checker: their callers tell a call not
# executed from a failed one, which a generic checker cannot.
SIGNATURES: Dict[str, Tuple[List[Any], Any, _Checker]] = {
    "scr_version": ([], c_char_p, None),
    "scr_sc_remote": ([_pid, POINTER(PtraceScRemote)], c_int, None),
    "scr_sc_remote_timed": ([_pid, POINTER(PtraceScRemote), c_int], c_int, None),
    "scr_attach": ([_pid, c_uint, POINTER(_proc)], c_int, None),
    "scr_attach_pidfd": ([c_int, c_uint, POINTER(_proc)], c_int, None),
    "scr_exit_status": ([_proc, POINTER(c_int)], c_int, None),
    "scr_detach": ([_proc], c_int, None),
    "scr_syscall": ([_proc, _pid, c_long, POINTER(c_ulong), c_uint, POINTER(PtraceScRet)],
                    c_int, None),
    "scr_interrupt": ([_proc], None, None),
    "scr_set_timeout": ([_proc, c_int], c_int, None),
    "scr_pid": ([_proc], _pid, None),
    "scr_threads": ([_proc, POINTER(_pid), c_size_t], c_int, check_negative_errno),
    "scr_read": ([_proc, c_ulong, c_void_p, c_size_t], c_ssize_t, check_negative_errno),
    "scr_write": ([_proc, c_ulong, c_void_p, c_size_t], c_ssize_t, check_negative_errno),
    "scr_scratch_alloc": ([_proc, c_size_t, POINTER(c_ulong)], c_int, check_negative_errno),
    "scr_push": ([_proc, c_void_p, c_size_t, POINTER(c_ulong)], c_int, check_negative_errno),
    "scr_scratch_reset": ([_proc], None, None),
    "scr_dump_core": ([_proc, c_int, c_uint, ctypes.c_int64], c_int, None),
    "scr_batch": ([_proc, _pid, POINTER(ScrCall), c_size_t, c_uint], c_int, None),
    "scr_abi": ([_proc], c_int, None),
    "scr_abi_name": ([c_int], c_char_p, None),
    "scr_syscall_nr": ([c_int, c_char_p], c_long, None),
    "scr_syscall_name": ([c_int, c_long], c_char_p, None),
    "scr_syscall_next": ([c_int, c_long], c_long, None),
    "scr_syscall_nargs": ([c_int, c_long], c_int, None),
    "scr_syscall_nreq": ([c_int, c_long], c_int, None),
    "scr_syscall_arg": ([c_int, c_long, c_uint, POINTER(c_char_p), POINTER(c_char_p)],
                        c_int, None),
    "scr_syscall_arg_ref": ([c_int, c_long, c_uint], c_int, None),
    "scr_const": ([c_int, c_size_t, POINTER(c_char_p), POINTER(c_longlong),
                   POINTER(c_char_p)], c_int, None),
    "scr_const_value": ([c_int, c_char_p, POINTER(c_longlong)], c_int, None),
    # Optional (a later library): how the last batch ran.
    "scr_agent_status": ([_proc, POINTER(c_char_p)], c_int, None),
}
OPTIONAL = {"scr_agent_status"}


# ---- loading ------------------------------------------------------------------

def _candidates() -> Iterator[str]:
    env = os.environ.get("SCREMOTE_LIB")
    if env:
        yield env
        return
    here = os.path.dirname(os.path.abspath(__file__))
    yield os.path.join(here, SONAME)
    try:
        from ._config import LIBDIR  # type: ignore[import]  # by make install
    except ImportError:
        pass
    else:
        yield os.path.join(LIBDIR, SONAME)
    top = os.path.dirname(os.path.dirname(here))
    if os.path.isfile(os.path.join(top, "include", "scremote.h")):
        yield os.path.join(top, "build", SONAME)
    yield SONAME
    import ctypes.util      # slow to import, and seldom needed
    found = ctypes.util.find_library("scremote")
    if found:
        yield found


def _load() -> Tuple[ctypes.CDLL, str]:
    tried: List[str] = []
    for cand in _candidates():
        if os.sep in cand and not os.path.exists(cand):
            tried.append(f"{cand} (absent)")
            continue
        try:
            return ctypes.CDLL(cand, use_errno=True), cand
        except OSError as e:
            tried.append(f"{cand} ({e})")
    raise ImportError(
        f"scremote: cannot load {SONAME}: install libscremote (make install, then "
        f"ldconfig) or set SCREMOTE_LIB=/path/to/{SONAME}; tried: " + "; ".join(tried))


def _declare(lib: ctypes.CDLL, path: str) -> None:
    missing = []
    for name, (argtypes, restype, checker) in SIGNATURES.items():
        try:
            fn = getattr(lib, name)
        except AttributeError:
            if name not in OPTIONAL:
                missing.append(name)
            continue
        fn.argtypes = argtypes
        fn.restype = restype
        if checker is not None:
            fn.errcheck = checker
    if missing:
        version = lib.scr_version().decode() if hasattr(lib, "scr_version") else "unknown"
        raise ImportError(
            f"scremote: {path} (libscremote {version}) lacks {', '.join(missing)}: "
            f"this binding needs a libscremote with the system call tables "
            f"(scr_syscall_nr(3)); install a newer one or point SCREMOTE_LIB at it")


lib, path = _load()
_declare(lib, path)
version: str = lib.scr_version().decode()


def has(name: str) -> bool:
    """Does the loaded library export function name?"""
    return hasattr(lib, name)


def real_path() -> str:
    """The file the library was loaded from, as the loader found it."""
    try:
        with open("/proc/self/maps") as maps:
            for line in maps:
                if "libscremote.so" in line:
                    return line.split(None, 5)[5].strip()
    except OSError:
        pass
    return path
