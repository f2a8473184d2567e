"""Sessions: attach to a process, run system calls in it, detach.

The public classes over libscremote's session API (scr_attach(3)).
"""
from __future__ import annotations

import ctypes
from array import array
import errno
import operator
import os
import struct
import sys
import threading
import warnings
import weakref
from ctypes import (POINTER, byref, c_char_p, c_int, c_ulong, c_void_p,
                    cast, create_string_buffer)
from typing import (IO, Any, Dict, Iterable, List, Optional, Sequence, Tuple, Union)

from . import _lib, _tables
from ._errors import (ArgumentError, AttachError, Error, NotExecuted, TargetError,
                      TargetExited, batch_failure, returncode_of)
from ._lib import SCR_MAX_ARGS, ArgKind, PtraceScRemote, PtraceScRet, ScrCall
from ._tables import POINTER_KINDS, Signature

_L = _lib.lib
_scr_syscall = _L.scr_syscall
_get_ident = threading.get_ident
_MASK64 = (1 << 64) - 1

# struct scr_call as columns of native longs and 32-bit ints, for
# Session.batch(): each field's index in a view of the array as longs
# (_W) or as ints (_I), and the stride of one struct in each, from the
# offsets ctypes gives.
_LONG = ctypes.sizeof(ctypes.c_long)
_LONG_MAX = (1 << (8 * _LONG - 1)) - 1
_CALL_SIZE = ctypes.sizeof(ScrCall)
_STRIDE_W = _CALL_SIZE // _LONG
_STRIDE_I = _CALL_SIZE // 4
_ARGS_W = ScrCall.args.offset // _LONG
_RET_W = ScrCall.ret.offset // _LONG
_NARGS_I = ScrCall.nargs.offset // 4
_MASK_I = ScrCall.ref_mask.offset // 4
_ERR_I = (ScrCall.ret.offset + PtraceScRet.sr_error.offset) // 4
_STATUS_I = ScrCall.status.offset // 4
assert (_CALL_SIZE % _LONG == 0 and ScrCall.nr.offset == 0 and
        ScrCall.args.offset % _LONG == 0 and ScrCall.ret.offset % _LONG == 0)

Syscall = Union[str, int]
"""A system call: its name in the target's ABI, or its number."""

Argument = Union[int, str, bytes, bytearray, memoryview, "os.PathLike[Any]",
                 "Buffer", "Ref", Sequence[Union[str, bytes]], None]
"""What a call argument may be; see :meth:`Session.call`."""


# ---- argument helpers ------------------------------------------------------------

class Buffer:
    """Memory in the target for a pointer argument the call writes to, or
    reads and rewrites.

    ``Buffer(64)`` is 64 zero bytes, ``Buffer(b"...")`` starts with those
    bytes.  During the call it lives in the session's scratch memory; after
    it ``data`` holds what the call left there (``addr`` where it was)::

        buf = scremote.Buffer(4096)
        n = s.call("getcwd", buf, 4096)
        cwd = buf.data[:n - 1].decode()
    """

    __slots__ = ("size", "initial", "data", "addr")

    def __init__(self, size_or_data: Union[int, bytes, bytearray, memoryview] = 0) -> None:
        if isinstance(size_or_data, int) and not isinstance(size_or_data, bool):
            if size_or_data < 0:
                raise ArgumentError(f"a Buffer's size cannot be negative: {size_or_data}")
            self.initial = bytes(size_or_data)
        else:
            self.initial = bytes(size_or_data)
        self.size = len(self.initial)
        self.data: bytes = self.initial
        self.addr: Optional[int] = None

    def __len__(self) -> int:
        return self.size

    def __bytes__(self) -> bytes:
        return self.data

    def __repr__(self) -> str:
        where = f" at {self.addr:#x}" if self.addr is not None else ""
        return f"<scremote.{type(self).__name__} {self.size} bytes{where}: {self.data[:32]!r}>"


class Int(Buffer):
    """A pointer to an integer, as getsockopt's optval and optlen:
    ``Int(4)`` is an int holding 4; after the call ``value`` holds what the
    call wrote.  ``size`` is 4 (an int) or 8 (a long, an off_t); the value
    is signed unless ``signed=False``."""

    __slots__ = ("signed",)

    def __init__(self, value: int = 0, size: int = 4, signed: bool = True) -> None:
        if size not in (1, 2, 4, 8):
            raise ArgumentError(f"Int size must be 1, 2, 4 or 8 bytes, not {size}")
        try:
            data = int(value).to_bytes(size, sys.byteorder, signed=signed)
        except OverflowError:
            raise ArgumentError(f"{value} does not fit in {size} bytes") from None
        super().__init__(data)
        self.signed = signed

    @property
    def value(self) -> int:
        """The integer, as the call left it."""
        return int.from_bytes(self.data, sys.byteorder, signed=self.signed)

    def __int__(self) -> int:
        return self.value

    def __index__(self) -> int:
        return self.value

    def __repr__(self) -> str:
        return f"<scremote.Int {self.value} ({self.size} bytes)>"


class Ref:
    """In a batch, the result of an earlier call of the same batch: ``ref(0)``
    is the first call's, ``ref(-1)`` the previous one's."""

    __slots__ = ("index",)

    def __init__(self, index: int) -> None:
        self.index = operator.index(index)

    def __repr__(self) -> str:
        return f"scremote.ref({self.index})"


def ref(index: int) -> Ref:
    """The result of call ``index`` of the same batch (negative: counted
    back from the call that uses it); see :meth:`Session.batch`."""
    return Ref(index)


class _Spec:
    """A call as resolved in one ABI: number, signature, bounds."""

    __slots__ = ("label", "nr", "sig", "nmin", "nmax", "kinds")

    def __init__(self, label: str, nr: int, sig: Optional[Signature]) -> None:
        self.label = label
        self.nr = nr
        self.sig = sig
        if sig is None:
            self.nmin, self.nmax, self.kinds = 0, SCR_MAX_ARGS, None
        else:
            self.nmin, self.nmax = sig.nreq, sig.nargs
            self.kinds = tuple(a.kind for a in sig.args)

    def arity_error(self, n: int) -> ArgumentError:
        sig = self.sig
        if sig is None:
            return ArgumentError(f"{self.label}: a system call takes at most {SCR_MAX_ARGS} "
                                 f"arguments, got {n}")
        if sig.nreq == sig.nargs:
            many = f"{sig.nargs} argument{'' if sig.nargs == 1 else 's'}"
        else:
            many = f"{sig.nreq} to {sig.nargs} arguments"
        return ArgumentError(f"{self.label} takes {many} ({sig.arglist()}), got {n} "
                             f"(to pass anything, call it by number: {self.nr})")


class _Blob:
    """The strings, bytes and buffers of one call or batch, laid out for a
    single write into the session's scratch arena."""

    __slots__ = ("data", "fixups", "buffers", "slots", "word")

    def __init__(self, word: int) -> None:
        self.data = bytearray()
        self.fixups: List[Tuple[int, int]] = []  # (position, offset): a pointer
        self.buffers: List[Tuple[Buffer, int]] = []
        self.slots: List[Tuple[int, int]] = []  # (call, argument): an offset to relocate
        self.word = word

    def add(self, b: bytes) -> int:
        off = len(self.data)
        self.data += b
        self.data += bytes(-len(self.data) % 16)
        return off

    def pointers(self, offsets: List[int]) -> int:
        """An array of pointers to offsets, then NULL (argv)."""
        off = self.add(bytes(self.word * (len(offsets) + 1)))
        for i, o in enumerate(offsets):
            self.fixups.append((off + i * self.word, o))
        return off

    def place(self, base: int) -> bytes:
        fmt = "<I" if self.word == 4 else "<Q"
        for pos, o in self.fixups:
            struct.pack_into(fmt, self.data, pos, base + o)
        return bytes(self.data)


class _Off(int):
    """An offset into the call's blob, made an address once it is placed."""


# ---- sessions -----------------------------------------------------------------

def _release(handle: int, owner: int, creator: int, pid: int) -> None:
    """Detaches a session that was garbage-collected without detach()."""
    if os.getpid() != creator:
        return      # a forked child: the session is its parent's
    if _get_ident() != owner:
        warnings.warn(f"scremote session of process {pid} was not detached and is "
                      f"collected in another thread than the one that attached it: "
                      f"it stays attached until this process exits; use 'with'",
                      ResourceWarning, stacklevel=2)
        return
    warnings.warn(f"scremote session of process {pid} was not detached; detaching it "
                  f"now (use 'with scremote.attach(pid) as s:')", ResourceWarning,
                  stacklevel=2)
    _L.scr_detach(c_void_p(handle))


class Session:
    """An attached process: every thread stopped until :meth:`detach`.

    Made by :func:`attach`; a context manager that detaches on exit, even
    on an exception.  ptrace(2) demands that a session be used only from
    the thread that attached it (other threads get :class:`Error`; only
    :meth:`interrupt` may be called from anywhere).
    """

    def __init__(self, handle: c_void_p, pid: int, timeout_ms: int) -> None:
        owner = _get_ident()
        self._handle: Optional[c_void_p] = handle
        self._owner: Optional[int] = owner
        self._pid = pid
        self._timeout_ms = timeout_ms
        self._abi = _tables.abi(_L.scr_abi(handle) or _tables.host_abi)
        self._specs: Dict[Syscall, _Spec] = {}
        self._argv = (c_ulong * SCR_MAX_ARGS)()
        self._ret = PtraceScRet()
        self._retp = byref(self._ret)
        self._arena: Optional[Tuple[int, int]] = None   # (address, size)
        self._execs = frozenset(self._abi.nr(n) for n in ("execve", "execveat")
                                if n in self._abi.names())
        self._finalizer = weakref.finalize(self, _release, handle.value or 0, owner,
                                           os.getpid(), pid)

    # ---- state ----------------------------------------------------------------

    @property
    def pid(self) -> int:
        """The process id of the target."""
        return self._pid

    @property
    def abi(self) -> str:
        """The ABI the target's main thread runs: ``"x86_64"``, ``"i386"``..."""
        return self._abi.name

    @property
    def closed(self) -> bool:
        """True once detached."""
        return self._owner is None

    @property
    def threads(self) -> List[int]:
        """The ids of the target's threads (the main thread first)."""
        self._check()
        n = _L.scr_threads(self._handle, None, 0)
        while True:
            tids = (c_int * max(n, 1))()
            m = _L.scr_threads(self._handle, tids, n)
            if m <= n:
                return list(tids[:m])
            n = m

    @property
    def timeout_ms(self) -> int:
        """The bound on one call, in milliseconds (0: none).  A call that
        blocks longer is broken off and undone (:class:`NotExecuted`,
        ETIMEDOUT)."""
        return self._timeout_ms

    @timeout_ms.setter
    def timeout_ms(self, ms: int) -> None:
        self._check()
        ms = _timeout(ms)
        _L.scr_set_timeout(self._handle, ms)
        self._timeout_ms = ms

    @property
    def exit_status(self) -> Optional[int]:
        """The wait status the process ended with during a call (exit_group,
        a fatal signal), or None while it lives."""
        if self._handle is None:
            return None
        st = c_int()
        return st.value if _L.scr_exit_status(self._handle, byref(st)) == 0 else None

    @property
    def syscall_names(self) -> List[str]:
        """Every system call name of the target's ABI, by number."""
        return self._abi.names()

    def signature(self, syscall: Syscall) -> Optional[Signature]:
        """What a call takes in the target's ABI (None: the tables do not
        know its arguments)."""
        nr = syscall if isinstance(syscall, int) else self._abi.nr(syscall)
        return self._abi.signature(nr)

    def const(self, expr: Union[str, int], family: Optional[str] = None) -> int:
        """A constant, or constants OR-ed (``"O_WRONLY|O_CREAT"``), with the
        values of the target's ABI; with ``family``, checked against it."""
        return self._abi.const(expr, family)

    @property
    def agent_status(self) -> Optional[Tuple[int, Optional[str]]]:
        """How the last batch ran, where the library says (scr_agent_status(3)):
        (0, None) through the in-target agent, else (-errno, why not).
        None when this library has no agent."""
        if not _lib.has("scr_agent_status"):
            return None
        self._check()
        why = c_char_p()
        e = _L.scr_agent_status(self._handle, byref(why))
        return e, (why.value.decode(errors="replace") if why.value else None)

    def __repr__(self) -> str:
        if self.closed:
            return f"<scremote.Session pid={self._pid} detached>"
        return f"<scremote.Session pid={self._pid} abi={self.abi}>"

    # ---- life -----------------------------------------------------------------

    def __enter__(self) -> Session:
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        if exc is None:
            self.detach()
            return
        try:
            self.detach()
        except Exception as e:   # never hide the exception that ended the block
            if hasattr(exc, "add_note"):
                exc.add_note(f"and detaching from process {self._pid} failed: {e}")

    def detach(self) -> None:
        """Restores every thread and releases the process, which runs on as
        before (or stays stopped, if it was stopped at attach).  Unmaps the
        scratch memory.  Idempotent; a process that has ended is no error."""
        if self._owner is None:
            return
        self._check()
        handle = self._handle
        self._owner = None
        self._handle = None
        self._finalizer.detach()
        e = _L.scr_detach(handle)
        if e < 0 and e != -errno.ESRCH:
            raise TargetError(-e, f"detaching from process {self._pid}: {os.strerror(-e)}; "
                                  f"the process is released")

    def interrupt(self) -> None:
        """Breaks off the call in flight, if any (the thread is restored; it
        raises :class:`NotExecuted` with EINTR), and refuses every later one:
        what is left to do is :meth:`detach`.  The one method any thread (or
        a signal handler) may call."""
        h = self._handle
        if h is not None:
            _L.scr_interrupt(h)

    def _check(self) -> None:
        if self._owner == _get_ident():
            return
        if self._owner is None:
            raise Error(f"the session of process {self._pid} is detached")
        raise Error(f"the session of process {self._pid} was attached by thread "
                    f"{self._owner}, and ptrace(2) takes requests only from the thread "
                    f"that attached: use it from there (this is thread {_get_ident()})")

    # ---- memory -----------------------------------------------------------------

    def read(self, addr: int, n: int) -> bytes:
        """n bytes of the target's memory at addr; fewer when the range runs
        into an unmapped page, :class:`TargetError` (EFAULT) when none can
        be read."""
        self._check()
        n = operator.index(n)
        if n < 0:
            raise ArgumentError(f"cannot read {n} bytes")
        if n == 0:
            return b""
        buf = create_string_buffer(n)
        got = _L.scr_read(self._handle, _address(addr), buf, n)
        return buf.raw[:got]

    def write(self, addr: int, data: Union[bytes, bytearray, memoryview]) -> int:
        """Writes data into the target's memory at addr (even read-only
        pages, as a debugger does); returns how many bytes were written
        (fewer when the range runs into an unmapped page)."""
        self._check()
        b = bytes(data)
        if not b:
            return 0
        written: int = _L.scr_write(self._handle, _address(addr), b, len(b))
        return written

    def push(self, data: Union[str, bytes, bytearray, memoryview]) -> int:
        """Copies data into the session's scratch memory and returns its
        address, valid until :meth:`reset_scratch` or detach.  A str is
        encoded as the file system encoding does and NUL-terminated."""
        self._check()
        b = _cstr(data) if isinstance(data, str) else bytes(data)
        addr = c_ulong()
        _L.scr_push(self._handle, b, len(b), byref(addr))
        return addr.value

    def alloc(self, n: int) -> int:
        """Reserves n bytes (16-byte aligned) of scratch memory in the
        target and returns their address, valid until :meth:`reset_scratch`
        or detach.  The scratch area is mapped on first use and unmapped at
        detach: the target's memory map ends as it began."""
        self._check()
        n = operator.index(n)
        if n <= 0:
            raise ArgumentError(f"cannot reserve {n} bytes")
        addr = c_ulong()
        _L.scr_scratch_alloc(self._handle, n, byref(addr))
        return addr.value

    def reset_scratch(self) -> None:
        """Releases every reservation of :meth:`push` and :meth:`alloc`
        (the memory stays mapped, to be reused)."""
        self._check()
        _L.scr_scratch_reset(self._handle)
        self._arena = None

    # ---- core dumps -------------------------------------------------------------

    def dump_core(self, file: Union[str, bytes, "os.PathLike[Any]", int, IO[bytes]], *,
                  compress: bool = False, all_memory: bool = False,
                  snapshot: bool = False, limit: int = 0) -> None:
        """Writes a core file of the process, as the kernel would, that
        gdb, eu-stack and readelf read (scr_dump_core(3)).

        ``file`` is a path (created mode 0600, truncated; a symbolic link
        is refused, and a failed dump removes it), a descriptor, or a
        binary file object open for writing (pipes and sockets too).

        - ``compress``: one zstd frame (``zstd -d`` gives the core);
        - ``all_memory``: also what coredump_filter and MADV_DONTDUMP
          leave out, as ``gcore -a`` does;
        - ``snapshot``: the process is stopped only about as long as a
          fork takes, and runs on while the copy is written;
        - ``limit``: the largest core allowed, in bytes (0: none); a
          larger one is refused whole.

        What the session put in the process (its scratch memory, its
        agent) is taken out first: addresses from :meth:`push` and
        :meth:`alloc` are no longer valid afterwards.  Raises
        :class:`TargetError` when the dump fails; the process is as it
        was either way.
        """
        self._check()
        limit = operator.index(limit)
        if limit < 0:
            raise ArgumentError(f"limit cannot be negative ({limit}); 0 means no limit")
        flags = ((_lib.PC_COMPRESS if compress else 0) | (_lib.PC_ALL if all_memory else 0) |
                 (_lib.SCR_CORE_SNAPSHOT if snapshot else 0))
        path = None
        if isinstance(file, int) and not isinstance(file, bool):
            fd = file
        elif isinstance(file, (str, bytes, os.PathLike)):
            path = file
            try:
                fd = os.open(file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC |
                             os.O_NOFOLLOW, 0o600)
            except OSError as oe:
                if oe.errno == errno.ELOOP:
                    oe.strerror = ("a symbolic link, or too many of them: a core holds "
                                   "secrets and is never written through a link")
                raise
        elif hasattr(file, "fileno"):
            if hasattr(file, "flush"):
                file.flush()
            try:
                fd = file.fileno()
            except (OSError, ValueError) as fe:    # io.UnsupportedOperation: BytesIO
                raise ArgumentError(f"dump_core() needs a file with a descriptor: "
                                    f"{type(file).__name__} has none ({fe})") from None
        else:
            raise ArgumentError(f"dump_core() writes to a path, a descriptor or a file "
                                f"object, not {type(file).__name__}")
        e = -errno.EIO
        try:
            e = _L.scr_dump_core(self._handle, fd, flags, limit)
        finally:
            self._arena = None      # the scratch memory was unmapped
            if path is not None:
                try:
                    os.close(fd)
                except OSError as ce:   # the file's last blocks did not reach it
                    e = e or -(ce.errno or errno.EIO)
        if e:
            if path is not None:
                try:
                    os.unlink(path)
                except OSError:
                    pass
            raise TargetError(-e, self._core_failure(-e, limit))

    def _core_failure(self, err: int, limit: int) -> str:
        what = f"cannot dump a core of process {self._pid}: {os.strerror(err)}"
        if err == errno.EOPNOTSUPP:
            return what + " (compress: this libscremote was built without libzstd)"
        if err in (errno.EFBIG, errno.EFAULT) and limit:
            return f"the core of process {self._pid} would exceed the limit of {limit} bytes"
        if err == errno.ESRCH:
            return f"process {self._pid} ended during the dump"
        if err == errno.EBADF:
            return what + " (the descriptor is not open for writing)"
        return what

    # ---- calls ------------------------------------------------------------------

    def call(self, syscall: Syscall, /, *args: Argument, tid: int = 0) -> int:
        """Runs one system call in thread tid (0: the main thread) and
        returns its result.

        ``syscall`` is a name of the target's ABI (``"openat"``; an i386
        target gets i386's numbers) or a number.  By name, the arguments
        are checked against the call's signature before anything reaches
        the target; by number, anything goes.  Arguments:

        - int: passed as is (negative numbers as the C long they are);
        - str: for an integer argument, a constant of the target's ABI or
          several OR-ed (``"O_WRONLY|O_CREAT"``, checked against the family
          the argument takes); for a pointer argument (or any argument of a
          call by number), a string, encoded and NUL-terminated;
        - bytes-like: copied into the target, its address passed (a path
          argument gets its NUL added); os.PathLike too;
        - :class:`Buffer` / :class:`Int`: memory the call may write, read
          back afterwards;
        - a list of str or bytes: a NULL-terminated array of strings (argv);
        - None: NULL (0).

        Strings, bytes and buffers live in the session's scratch memory
        for the call only.  Raises :class:`OSError` (with the call's errno,
        as :mod:`os` functions do) when the call ran and failed,
        :class:`NotExecuted` when it was not executed,
        :class:`ArgumentError` before anything ran.
        """
        if self._owner != _get_ident():
            self._check()
        spec = self._specs.get(syscall)
        if spec is None:
            spec = self._spec(syscall)
        n = len(args)
        if n < spec.nmin or n > spec.nmax:
            raise spec.arity_error(n)
        blob = None
        if n:
            argv = self._argv
            wide = self._abi.word == 8
            for i, a in enumerate(args):
                if type(a) is int and wide and -0x8000000000000000 <= a <= _MASK64:
                    argv[i] = a & _MASK64
                    continue
                if blob is None:
                    blob = _Blob(self._abi.word)
                v = self._convert(spec, i, a, blob)
                if type(v) is _Off:
                    blob.slots.append((0, i))
                argv[i] = v
            if blob is not None and blob.slots:
                base = self._place(blob)
                for _, i in blob.slots:
                    argv[i] += base
        try:
            e = _scr_syscall(self._handle, tid, spec.nr, self._argv, n, self._retp)
        except ctypes.ArgumentError:
            raise ArgumentError(f"tid is a thread id (an int), not {tid!r}") from None
        if blob is not None and blob.buffers:
            self._read_back(blob)
        if e:
            raise self._unrun(-e, spec, tid)
        ret = self._ret
        if ret.sr_error:
            raise self._failed(ret.sr_error, spec, args, tid)
        if spec.nr in self._execs:
            self._arena = None      # a new image: the scratch went with the old one
        result: int = ret.sr_retval0
        return result

    def batch(self, calls: Iterable[Sequence[Any]], stop_on_error: bool = True, *,
              tid: int = 0) -> List[Union[int, OSError, NotExecuted]]:
        """Runs calls in order in thread tid, in one round trip
        (scr_batch(3)), and returns their results.

        Each call is a tuple ``(syscall, *args)`` with arguments as for
        :meth:`call`, plus :func:`ref` for the result of an earlier call of
        the batch::

            fd, _, _ = s.batch([("openat", "AT_FDCWD", "/tmp/log", "O_WRONLY|O_CREAT", 0o644),
                                ("dup2", scremote.ref(0), 1),
                                ("close", scremote.ref(0))])

        Every call is checked before any runs.  Failures:

        - with ``stop_on_error`` (the default), the first call that fails
          raises its :class:`OSError` and the calls after it are not run;
        - without it, every call runs, and a call that failed has its
          OSError in the returned list instead of a number;
        - a call that could not be executed raises :class:`NotExecuted`
          (the calls after it are not run either).

        An exception raised this way carries ``results`` (one entry per
        call: the number, the OSError, or NotExecuted for a call not run,
        ECANCELED after a failure) and ``index`` (the call it is about).
        """
        self._check()
        items = [c if type(c) is tuple else (c,) if isinstance(c, (str, int)) else tuple(c)
                 for c in calls]
        n = len(items)
        if not n:
            return []
        # The calls go straight into the bytes of a struct scr_call array,
        # a column at a time through strided views: filling ctypes
        # objects field by field costs more than the remote calls
        # themselves once the agent runs them.
        buf = bytearray(n * _CALL_SIZE)
        view = memoryview(buf)
        words = view.cast("L")
        blob = _Blob(self._abi.word)
        specs: List[_Spec] = []
        nrs: List[int] = []
        counts: List[int] = []
        masks: List[int] = []
        specs_get = self._specs.get
        add_spec, add_nr, add_count, add_mask = (specs.append, nrs.append, counts.append,
                                                 masks.append)
        wide = self._abi.word == 8
        for k, item in enumerate(items):
            if not item:
                raise ArgumentError(f"batch call {k} is empty: give (syscall, *args)")
            spec = specs_get(item[0]) or self._spec(item[0])
            na = len(item) - 1
            if not spec.nmin <= na <= spec.nmax:
                raise ArgumentError(f"batch call {k}: {spec.arity_error(na)}")
            add_spec(spec)
            add_nr(spec.nr)
            add_count(na)
            if not na:
                add_mask(0)
                continue
            mask = 0
            at = k * _STRIDE_W + _ARGS_W
            for i, a in enumerate(item[1:]):
                if type(a) is int and wide and -0x8000000000000000 <= a <= _MASK64:
                    words[at + i] = a & _MASK64
                    continue
                if isinstance(a, Ref):
                    j = a.index + k if a.index < 0 else a.index
                    if not 0 <= j < k:
                        raise ArgumentError(f"batch call {k} ({spec.label}): {a!r} must name "
                                            f"an earlier call of the batch")
                    mask |= 1 << i
                    words[at + i] = j
                    continue
                try:
                    v = self._convert(spec, i, a, blob)
                except ArgumentError as e:
                    raise ArgumentError(f"batch call {k}: {e}") from None
                if type(v) is _Off:
                    blob.slots.append((k, i))
                words[at + i] = v
            add_mask(mask)
        longs = view.cast("l")
        ints = view.cast("I")
        longs[0::_STRIDE_W] = array("l", nrs)
        ints[_NARGS_I::_STRIDE_I] = array("I", counts)
        ints[_MASK_I::_STRIDE_I] = array("I", masks)
        if blob.slots:
            base = self._place(blob)
            for k, i in blob.slots:
                words[k * _STRIDE_W + _ARGS_W + i] += base
        arr = (ScrCall * n).from_buffer(buf)
        flags = _lib.SCR_BATCH_STOP_ON_ERROR if stop_on_error else 0
        try:
            r = _L.scr_batch(self._handle, tid, arr, n, flags)
        except ctypes.ArgumentError:
            raise ArgumentError(f"tid is a thread id (an int), not {tid!r}") from None
        if blob.buffers:
            self._read_back(blob)
        signed = view.cast("i")
        rets = longs[_RET_W::_STRIDE_W].tolist()
        errs = signed[_ERR_I::_STRIDE_I].tolist()
        statuses = signed[_STATUS_I::_STRIDE_I].tolist()
        if r == -errno.EINVAL and not any(statuses):
            raise ArgumentError("the library refused the batch as malformed (EINVAL)")
        if not self._execs.isdisjoint(nrs):
            self._arena = None
        return self._batch_results(rets, errs, statuses, items, specs, tid, stop_on_error)

    # ---- the parts of call() and batch() -----------------------------------------

    def _spec(self, syscall: Syscall) -> _Spec:
        if isinstance(syscall, bool) or not isinstance(syscall, (str, int)):
            raise ArgumentError(f"a system call is a name or a number, not {syscall!r}")
        if isinstance(syscall, str):
            nr = self._abi.nr(syscall)
            spec = _Spec(syscall, nr, self._abi.signature(nr))
        else:
            if syscall < 0:
                raise ArgumentError(f"no system call has a negative number ({syscall})")
            if syscall > _LONG_MAX:
                raise ArgumentError(f"no system call has a number that large ({syscall}): "
                                    f"the library takes a C long")
            spec = _Spec(self._abi.name_of(syscall) or f"syscall {syscall}", syscall, None)
        self._specs[syscall] = spec
        return spec

    def _convert(self, spec: _Spec, i: int, a: Any, blob: _Blob) -> int:
        """One argument, as the unsigned long the library passes."""
        kind = spec.kinds[i] if spec.kinds is not None else None
        sig = spec.sig
        what = f"{spec.label}'s {sig.args[i].name}" if sig is not None else \
            f"argument {i} of {spec.label}"
        pointer = kind is None or kind in POINTER_KINDS
        if isinstance(a, bool):
            a = int(a)
        if isinstance(a, int):
            return self._word(int(a), what)
        if a is None:
            if pointer:
                return 0
            raise ArgumentError(f"{what} takes an integer, not None")
        if isinstance(a, Ref):
            raise ArgumentError(f"{what}: ref() stands for a result of an earlier call "
                                f"of a batch; it has no meaning in call()")
        if isinstance(a, str) and not pointer:
            detail = sig.args[i].detail if sig is not None else None
            family = detail if kind in (ArgKind.FLAGS, ArgKind.ENUM) else None
            return self._word(self._abi.const(a, family, what, kind), what)
        if not pointer:
            raise ArgumentError(f"{what} takes an integer (or a constant name), "
                                f"not {type(a).__name__}")
        if isinstance(a, Buffer):
            off = blob.add(a.initial or b"\0")
            blob.buffers.append((a, off))
            return _Off(off)
        if isinstance(a, (list, tuple)):
            offs = [blob.add(_cstr(s)) for s in a]
            return _Off(blob.pointers(offs))
        if isinstance(a, str) or isinstance(a, os.PathLike):
            return _Off(blob.add(_cstr(a)))
        if isinstance(a, (bytes, bytearray, memoryview)):
            b = bytes(a)
            if kind in (ArgKind.PATH, ArgKind.STR) and not b.endswith(b"\0"):
                b += b"\0"
            return _Off(blob.add(b))
        raise ArgumentError(f"{what} cannot take {type(a).__name__}: pass an int, str, "
                            f"bytes, a Buffer or None")

    def _word(self, v: int, what: str) -> int:
        if self._abi.word == 4:
            if not -0x80000000 <= v <= 0xFFFFFFFF:
                raise ArgumentError(f"{what}: {v} does not fit in 32 bits ({self.abi})")
            return v & 0xFFFFFFFF
        if not -0x8000000000000000 <= v <= _MASK64:
            raise ArgumentError(f"{what}: {v} does not fit in 64 bits")
        return v & _MASK64

    def _arena_for(self, size: int) -> int:
        """The address of scratch memory for one call's blob, reused from
        call to call so that automatic strings never pile up."""
        if self._arena is None or self._arena[1] < size:
            want = max(65536, (size + 4095) & ~4095,
                       2 * self._arena[1] if self._arena else 0)
            addr = c_ulong()
            _L.scr_scratch_alloc(self._handle, want, byref(addr))
            self._arena = (addr.value, want)
        return self._arena[0]

    def _place(self, blob: _Blob) -> int:
        """Writes the blob into the arena; returns the arena's address."""
        base = self._arena_for(len(blob.data))
        data = blob.place(base)
        _L.scr_write(self._handle, base, data, len(data))
        for buf, off in blob.buffers:
            buf.addr = base + off
        return base

    def _read_back(self, blob: _Blob) -> None:
        for buf, _ in blob.buffers:
            if buf.size and buf.addr is not None:
                out = create_string_buffer(buf.size)
                try:
                    got = _L.scr_read(self._handle, buf.addr, out, buf.size)
                except TargetError:
                    continue
                buf.data = out.raw[:got]

    def _failed(self, err: int, spec: _Spec, args: Sequence[Any], tid: int) -> OSError:
        path = None
        if spec.sig is not None:
            for a, arg in zip(spec.sig.args, args):
                if a.kind == ArgKind.PATH and isinstance(arg, (str, bytes, os.PathLike)):
                    path = os.fspath(arg)
                    break
        e = OSError(err, os.strerror(err), path) if path is not None else \
            OSError(err, os.strerror(err))
        if hasattr(e, "add_note"):
            e.add_note(f"{spec.label} in {self._where(tid)}")
        return e

    def _where(self, tid: int) -> str:
        return f"process {self._pid}" + (f", thread {tid}" if tid else "")

    def _unrun(self, err: int, spec: _Spec, tid: int) -> NotExecuted:
        """Why a call was not executed, in terms the user can act on."""
        name, pid, where = spec.label, self._pid, self._where(tid)
        if err == errno.ESRCH:
            st = self.exit_status
            if st is not None:
                return TargetExited(f"process {pid} ended during {name} "
                                    f"({_describe_status(st)})", st, spec.label, tid)
            if tid and os.path.exists(f"/proc/{pid}/task/{pid}"):
                msg = (f"{name} not run: thread {tid} is gone (it exited, or is not a "
                       f"thread of process {pid}; see Session.threads)")
            else:
                msg = f"{name} not run: process {pid} is gone"
        elif err == errno.ETIMEDOUT:
            msg = (f"{name} did not complete within {self._timeout_ms} ms and was broken "
                   f"off; {where} is unchanged.  It may wait for something another, "
                   f"stopped, thread holds: raise timeout_ms, or pick the thread (tid=)")
        elif err == errno.EBUSY:
            if spec.nr in self._execs and len(self.threads) > 1:
                msg = (f"{name} not run: process {pid} has other threads, and the kernel "
                       f"would wait for ever for them to die while they are kept "
                       f"stopped; execve runs only in a single-threaded process")
            else:
                msg = (f"{name} not run: thread {tid or pid} is stopped in a system call "
                       f"the kernel will resume (an interrupted sleep or wait with a "
                       f"timeout), and {name} would overwrite the state it resumes from; "
                       f"run it in another thread (tid=) or once the thread left that call")
        elif err == errno.EPERM:
            msg = (f"{name} refused: the seccomp policy of process {pid} answers this "
                   f"call (with these arguments) by killing it, raising SIGSYS or "
                   f"suspending it; not run, the process is unchanged")
        elif err == errno.EACCES:
            msg = (f"{name} refused: process {pid} has seccomp filters that cannot be "
                   f"read without CAP_SYS_ADMIN, and one could kill it for this call; "
                   f"attach as root, or with seccomp_unchecked=True at the process's "
                   f"risk.  Nothing was run")
        elif err == errno.EREMOTEIO:
            msg = (f"{name} raised a fault signal in {where} (SIGSEGV, SIGBUS, SIGILL, "
                   f"SIGFPE or SIGSYS: a bad address, or a call the process forbids "
                   f"itself) and was taken back: not executed, the thread restored, the "
                   f"signal dropped")
        elif err == errno.EOPNOTSUPP:
            msg = (f"{name} not run: thread {tid or pid} never returns to user mode (an "
                   f"io_uring or io-wq kernel worker); choose another thread (tid=)")
        elif err == errno.EINTR:
            msg = f"{name} not run: the session was interrupted; detach is what is left"
        elif err == errno.ECANCELED:
            msg = f"{name} not run: an earlier call of the batch failed"
        else:
            msg = f"{name} could not be run in {where}: {os.strerror(err)}"
        return NotExecuted(err, msg, spec.label, tid)

    def _batch_results(self, rets: List[int], errs: List[int], statuses: List[int],
                       items: List[Tuple[Any, ...]], specs: List[_Spec],
                       tid: int, stop_on_error: bool) -> List[Any]:
        """Each call's sr_retval[0], sr_error and status, as results."""
        if not any(errs) and not any(statuses):
            return rets
        results: List[Any] = []
        first: Optional[Tuple[int, BaseException]] = None
        for k, (ret, err, st, spec) in enumerate(zip(rets, errs, statuses, specs)):
            if st:
                res: Any = self._unrun(-st, spec, tid)
            elif err:
                res = self._failed(err, spec, items[k][1:], tid)
            else:
                res = ret
            results.append(res)
            if first is None and isinstance(res, BaseException):
                if isinstance(res, NotExecuted) or stop_on_error:
                    first = (k, res)
        if first is not None:
            raise batch_failure(first[1], first[0], results)
        return results


def _describe_status(st: int) -> str:
    rc = returncode_of(st)
    return f"killed by signal {-rc}" if rc < 0 else f"exit status {rc}"


def _cstr(s: Union[str, bytes, "os.PathLike[Any]"]) -> bytes:
    b = os.fsencode(s)
    if b"\0" in b:
        raise ArgumentError(f"a string passed to the target cannot hold a NUL byte: {s!r}")
    return b + b"\0"


def _address(addr: int) -> int:
    a = operator.index(addr)
    if not 0 <= a <= _MASK64:
        raise ArgumentError(f"not an address: {addr}")
    return a


def _timeout(ms: Optional[int]) -> int:
    if ms is None:
        return _lib.SCR_DEFAULT_TIMEOUT_MS
    ms = operator.index(ms)
    if ms < 0:
        raise ArgumentError(f"timeout_ms cannot be negative ({ms}); 0 means no bound")
    return ms


# ---- attach ---------------------------------------------------------------------

def attach(pid: int, *, timeout_ms: Optional[int] = None,
           seccomp_unchecked: bool = False) -> Session:
    """Seizes process pid (no signal is sent to it), stops every thread,
    and returns the :class:`Session` that keeps them stopped until it is
    detached; use it in a ``with`` block.

    ``timeout_ms`` bounds each call (default 10000; 0: no bound).
    ``seccomp_unchecked`` runs calls in a process whose seccomp filters
    cannot be read (reading them needs CAP_SYS_ADMIN) without judging them
    against the filters: at the process's risk, since a filter may kill it.

    Raises :class:`AttachError` (an OSError: ESRCH no such process, EPERM
    not allowed, with the rule that failed in the message, EBUSY traced by
    another process).
    """
    pid = _pid_arg(pid)
    ms = _timeout(timeout_ms)
    handle = c_void_p()
    flags = _lib.SCR_ATTACH_SECCOMP_UNCHECKED if seccomp_unchecked else 0
    e = _L.scr_attach(pid, flags, byref(handle))
    if e:
        raise AttachError(-e, _explain_attach(pid, -e))
    return _session(handle, pid, ms)


def attach_pidfd(pidfd: int, *, timeout_ms: Optional[int] = None,
                 seccomp_unchecked: bool = False) -> Session:
    """As :func:`attach`, for the process a pidfd (:func:`os.pidfd_open`)
    refers to: a pid reused by another process in between cannot be
    attached by mistake.  The pidfd stays the caller's."""
    fd = operator.index(pidfd)
    ms = _timeout(timeout_ms)
    handle = c_void_p()
    flags = _lib.SCR_ATTACH_SECCOMP_UNCHECKED if seccomp_unchecked else 0
    e = _L.scr_attach_pidfd(fd, flags, byref(handle))
    if e:
        raise AttachError(-e, f"cannot attach to the process of pidfd {fd}: "
                              f"{os.strerror(-e)}")
    return _session(handle, _L.scr_pid(handle), ms)


def _session(handle: c_void_p, pid: int, ms: int) -> Session:
    """The Session of an attached handle; released if even that fails
    (out of memory...), so that no target stays stopped."""
    try:
        s = Session(handle, pid, ms)
    except BaseException:
        _L.scr_detach(handle)
        raise
    if ms != _lib.SCR_DEFAULT_TIMEOUT_MS:
        _L.scr_set_timeout(handle, ms)
    return s


def _pid_arg(pid: Any) -> int:
    if isinstance(pid, bool):
        raise ArgumentError(f"a process id is an int, not {pid!r}")
    if not isinstance(pid, int):
        try:
            pid = operator.index(pid)
        except TypeError:
            raise ArgumentError(f"a process id is an int, not {type(pid).__name__}") from None
    if pid <= 0:
        raise ArgumentError(f"a process id is a positive int, not {pid}")
    return int(pid)


def _status_field(pid: int, field: str) -> Optional[str]:
    try:
        with open(f"/proc/{pid}/status", errors="replace") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return None


def _process_name(pid: int) -> str:
    name = _status_field(pid, "Name")
    return f" ({name!r})" if name else ""


def _explain_attach(pid: int, err: int) -> str:
    """Why an attach failed, in terms the user can act on; ptrace(2)
    says only EPERM, /proc tells the reasons apart."""
    head = f"cannot attach to process {pid}{_process_name(pid)}: {os.strerror(err)}"
    if err == errno.ESRCH:
        return f"cannot attach to process {pid}: no such process"
    if os.path.exists(f"/proc/self/task/{pid}"):
        return head + "; a process cannot trace itself, nor its own threads"
    tracer = _status_field(pid, "TracerPid")
    if tracer and tracer != "0":
        return (f"{head}; it is already traced by process {tracer}"
                f"{_process_name(int(tracer))} (a debugger or tracer): a process has "
                f"one tracer at a time; detach that one and retry")
    if err != errno.EPERM:
        return head
    cap = _have_cap_sys_ptrace()
    uid = (_status_field(pid, "Uid") or "? ?").split()
    why = [f"ptrace needs the same user as the target or CAP_SYS_PTRACE: you are uid "
           f"{os.getuid()}, the target runs as uid {uid[1] if len(uid) > 1 else '?'}, "
           f"you {'have' if cap else 'lack'} CAP_SYS_PTRACE"]
    if not cap and uid and uid[0] == str(os.getuid()):
        why.append("a process that changed credentials (setuid) or made itself "
                   "non-dumpable still needs CAP_SYS_PTRACE")
    try:
        with open("/proc/sys/kernel/yama/ptrace_scope") as f:
            scope = f.read().strip()
        why.append(f"Yama ptrace_scope is {scope}" +
                   (" (only an ancestor of the target, or CAP_SYS_PTRACE)" if scope == "1"
                    else " (CAP_SYS_PTRACE only)" if scope == "2"
                    else " (ptrace disabled until reboot)" if scope == "3" else ""))
    except OSError:
        pass
    if cap:
        why.append("with CAP_SYS_PTRACE it still failed: a security module or seccomp "
                   "may forbid ptrace here (in a container: --cap-add=SYS_PTRACE)")
    return head + "; " + "; ".join(why)


def _have_cap_sys_ptrace() -> bool:
    eff = _status_field(os.getpid(), "CapEff")
    try:
        return bool(int(eff or "0", 16) >> 19 & 1)
    except ValueError:
        return False


# ---- FreeBSD's entry point ----------------------------------------------------

def sc_remote(tid: int, nr: Syscall, args: Sequence[int] = (), *,
              timeout_ms: Optional[int] = None, abi: Optional[str] = None
              ) -> Tuple[int, int]:
    """FreeBSD's ptrace(PT_SC_REMOTE): runs system call nr in thread tid,
    which the *calling OS thread* already traces (ptrace(2) takes requests
    only from the tracer thread) and which is in a ptrace-stop whose wait
    status has been consumed.  Returns ``(retval, errno)``: errno is the
    call's own (0 on success).  A call not executed raises
    :class:`NotExecuted` (EBUSY not a safe stop, ESRCH not our stopped
    tracee, ETIMEDOUT with ``timeout_ms``...).

    ``nr`` may be a name, of ``abi`` (default: this machine's).  Arguments
    are integers only: there is no scratch memory without a session.
    """
    if isinstance(nr, str):
        number = _tables.abi(abi).nr(nr)
    else:
        number = operator.index(nr)
    if len(args) > SCR_MAX_ARGS:
        raise ArgumentError(f"a system call takes at most {SCR_MAX_ARGS} arguments, "
                            f"got {len(args)}")
    argv = (c_ulong * SCR_MAX_ARGS)(*[operator.index(a) & _MASK64 for a in args])
    pscr = PtraceScRemote()
    pscr.pscr_syscall = number
    pscr.pscr_nargs = len(args)
    pscr.pscr_args = cast(argv, POINTER(c_ulong))
    if timeout_ms is None:
        r = _L.scr_sc_remote(tid, byref(pscr))
    else:
        r = _L.scr_sc_remote_timed(tid, byref(pscr), _timeout(timeout_ms))
    if r:
        err = _get_errno()
        name = nr if isinstance(nr, str) else f"syscall {number}"
        raise NotExecuted(err, f"{name} not run in thread {tid}: {os.strerror(err)}"
                          + _SC_REMOTE_WHY.get(err, ""), nr, tid)
    return pscr.pscr_ret.sr_retval0, pscr.pscr_ret.sr_error


_SC_REMOTE_WHY = {
    errno.EBUSY: " (not stopped at a safe place: syscall entry, an exec/exit/seccomp "
                 "event, or a pending restart the call would destroy)",
    errno.ESRCH: " (no such thread, not traced by this OS thread, or not stopped)",
    errno.EPERM: " (the thread's seccomp policy would kill it for this call)",
    errno.EREMOTEIO: " (the call raised a fault signal and was taken back)",
}


def _get_errno() -> int:
    from ctypes import get_errno
    return get_errno()
