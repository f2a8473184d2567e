"""The exceptions of scremote.

A remote call has three outcomes, and each has its own shape:

- it ran and succeeded: ``Session.call`` returns its result;
- it ran and failed: :class:`OSError` with the call's errno, as Python's
  own :mod:`os` functions raise it (``FileNotFoundError`` for ENOENT...);
- it was not executed: :class:`NotExecuted`, which is *not* an OSError,
  so that ``except OSError`` never mistakes "the target refused" for "we
  could not ask".

Everything scremote itself refuses or fails at derives from :class:`Error`.
"""
from __future__ import annotations

import errno as _errno
import os
from typing import Any, List, Optional, Union


class Error(Exception):
    """Base class of every exception scremote raises itself.

    ``errno`` is the errno value behind it, or None when there is none
    (a bad argument, a session used from the wrong thread...).
    """

    errno: Optional[int] = None


class NotExecuted(Error):
    """A system call was not executed; the target is as it was.

    Attributes: ``errno`` (why: ESRCH the thread or process is gone,
    ETIMEDOUT it blocked past the session's timeout and was broken off,
    EPERM the target's seccomp policy would kill it for this call, EACCES
    its seccomp filters cannot be read (see ``seccomp_unchecked``), EBUSY
    the thread is in a sleep the kernel will resume or the call is an
    execve in a threaded process, EREMOTEIO the call raised a fault signal
    and was taken back, EOPNOTSUPP the thread never returns to user mode,
    EINTR the session was interrupted, ECANCELED an earlier call of the
    batch failed), ``strerror``, ``syscall`` (the name or number asked
    for) and ``tid`` (0: the main thread).
    """

    def __init__(self, err: int, message: str, syscall: Union[str, int, None] = None,
                 tid: int = 0) -> None:
        super().__init__(message)
        self.errno = err
        self.strerror = os.strerror(err)
        self.syscall = syscall
        self.tid = tid

    @property
    def errorcode(self) -> str:
        """The errno's symbolic name, e.g. ``"ETIMEDOUT"``."""
        return _errno.errorcode.get(self.errno or 0, str(self.errno))


class TargetExited(NotExecuted):
    """The process ended during the call (exit_group, or a fatal signal).

    ``errno`` is ESRCH; ``status`` is the wait status it ended with (see
    :func:`os.waitstatus_to_exitcode`) and ``returncode`` the same in
    :mod:`subprocess`'s convention: the exit code, or -N for signal N.
    """

    def __init__(self, message: str, status: int, syscall: Union[str, int, None] = None,
                 tid: int = 0) -> None:
        super().__init__(_errno.ESRCH, message, syscall, tid)
        self.status = status
        self.returncode = returncode_of(status)


class TargetError(OSError, Error):  # type: ignore[misc]  # errno: OSError's
    """The library could not do what was asked of the target: attach to
    it, read or write its memory, reserve scratch memory in it, detach.

    An :class:`OSError` too, with ``errno`` and ``strerror`` set.
    """

    def __init__(self, err: int, message: str) -> None:
        OSError.__init__(self, err, os.strerror(err))
        self.message = message

    def __str__(self) -> str:
        return self.message


class AttachError(TargetError):
    """``attach()`` failed: ESRCH no such process, EPERM ptrace(2) does
    not allow it (the message says which rule), EBUSY another tracer has
    it, EINVAL a bad pid."""


class ArgumentError(Error, TypeError, ValueError):
    """A call, a batch or a constant was refused before anything reached
    the target: wrong number of arguments, a value the argument cannot
    take, a constant of another family.  Both a TypeError and a
    ValueError, as Python raises either for such mistakes."""


class UnknownName(ArgumentError):
    """No system call or constant of that name in the ABI (the message
    suggests the closest names)."""


def returncode_of(status: int) -> int:
    """A wait status as :mod:`subprocess` reports it: the exit code, or
    -N when signal N ended the process."""
    if os.WIFSIGNALED(status):
        return -os.WTERMSIG(status)
    if os.WIFEXITED(status):
        return os.WEXITSTATUS(status)
    return status


def batch_failure(exc: BaseException, index: int, results: List[Any]) -> BaseException:
    """Attaches a batch's partial results to the exception it raises."""
    setattr(exc, "index", index)
    setattr(exc, "results", results)
    return exc
