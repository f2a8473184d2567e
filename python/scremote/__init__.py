"""Run system calls inside another process, from Python.

scremote is the Linux counterpart of FreeBSD's ptrace(PT_SC_REMOTE): a
process is attached, every thread stops, system calls run inside it as if
it had made them, and it is released exactly as it was (registers,
signals, interrupted calls).  This package is a binding of libscremote
through ctypes; the library does the work.

Redirect the standard output of process 4242 to a file::

    import scremote

    with scremote.attach(4242) as s:
        fd = s.call("openat", "AT_FDCWD", "/tmp/log", "O_WRONLY|O_CREAT|O_APPEND", 0o644)
        s.call("dup2", fd, 1)
        s.call("close", fd)
        print(f"process {s.pid} ({s.abi}) now writes to /tmp/log")

Calls are named as in the target's ABI (an i386 process gets i386's
numbers) and checked against the kernel's prototypes before anything
reaches the target; constants may be given by name ("O_WRONLY|O_CREAT")
and are checked against the family the argument takes.  A call that ran
and failed raises OSError, as os functions do; one that was not executed
raises scremote.NotExecuted.  More: help(scremote.Session),
Session.call, Session.batch, and the C manual (scr_attach(3)).

The named constants of this machine's ABI are attributes of the module
(scremote.O_WRONLY, scremote.SIGTERM, scremote.SOL_SOCKET...), taken from
the library's generated tables; for another ABI use Session.const().
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Union

from . import _lib, _tables
from ._errors import (ArgumentError, AttachError, Error, NotExecuted, TargetError,
                      TargetExited, UnknownName)
from ._lib import ArgKind
from ._session import (Buffer, Int, Ref, Session, attach, attach_pidfd, ref,
                       sc_remote)
from ._tables import ABIS, Arg, Signature, host_abi
from ._version import __version__

__all__ = [
    "attach", "attach_pidfd", "Session", "sc_remote", "Buffer", "Int", "ref", "Ref",
    "Error", "NotExecuted", "TargetExited", "TargetError", "AttachError",
    "ArgumentError", "UnknownName", "ArgKind", "Arg", "Signature",
    "syscall_nr", "syscall_name", "syscall_names", "signature", "const", "constants",
    "families", "ABIS", "host_abi", "library_path", "library_version", "__version__",
]

# Shown as scremote.X in reprs and tracebacks, where users know them.
for _cls in (Error, NotExecuted, TargetExited, TargetError, AttachError, ArgumentError,
             UnknownName, ArgKind, Arg, Signature, Buffer, Int, Ref, Session):
    _cls.__module__ = __name__
del _cls

#: The libscremote the binding loaded, and its version.
library_path: str = _lib.real_path()
library_version: str = _lib.version


def syscall_nr(name: str, abi: Optional[str] = None) -> int:
    """The number of system call name in abi (default: this machine's)."""
    return _tables.abi(abi).nr(name)


def syscall_name(nr: int, abi: Optional[str] = None) -> Optional[str]:
    """The name of system call nr in abi, or None."""
    return _tables.abi(abi).name_of(nr)


def syscall_names(abi: Optional[str] = None) -> List[str]:
    """Every system call name of abi, in the order of their numbers."""
    return _tables.abi(abi).names()


def signature(syscall: Union[str, int], abi: Optional[str] = None) -> Optional[Signature]:
    """What a system call takes and returns in abi; None when the tables
    do not know its arguments."""
    a = _tables.abi(abi)
    return a.signature(syscall if isinstance(syscall, int) else a.nr(syscall))


def const(expr: Union[str, int], abi: Optional[str] = None,
          family: Optional[str] = None) -> int:
    """The value of a constant, or of constants and numbers OR-ed
    (``"O_WRONLY|O_CREAT"``), in abi; with family, each name must be one
    of that family's."""
    return _tables.abi(abi).const(expr, family)


def constants(abi: Optional[str] = None, family: Optional[str] = None) -> Dict[str, int]:
    """The named constants of abi (an ABI this build attaches to), or only
    those of one family (``"open_flags"``, ``"signal"``, ``"whence"``...)."""
    a = _tables.abi(abi)
    if family is None:
        return dict(a.constants())
    if family not in a.families():
        raise UnknownName(f"no family of constants {family!r} in {a.name}"
                          f"{a._suggest(family, list(a.families()))}")
    return dict(a.families()[family])


def families(abi: Optional[str] = None) -> List[str]:
    """The names of the families of constants of abi."""
    return sorted(_tables.abi(abi).families())


def _export_constants() -> None:
    g = globals()
    for name, value in _tables.abi().constants().items():
        if name.isidentifier() and name not in g:
            g[name] = value


_export_constants()


def __getattr__(name: str) -> Any:
    if name.isupper():
        a = _tables.abi()
        hint = a._suggest(name, list(a.constants()))
        raise AttributeError(f"module 'scremote' has no attribute {name!r}: no constant "
                             f"of that name in {a.name}{hint}")
    raise AttributeError(f"module 'scremote' has no attribute {name!r}")
