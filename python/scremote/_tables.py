"""System call names, numbers and signatures, and named constants.

Everything here comes from the library's generated tables (scr_abi(3)):
the kernel's own prototypes and number tables, and the system headers
for the constants.  Nothing is retyped in Python.  Each ABI's data is
read once, when first asked for.
"""
from __future__ import annotations

import difflib
import errno
import os
import platform
from ctypes import byref, c_char_p, c_longlong
from typing import Dict, FrozenSet, List, NamedTuple, Optional, Set, Tuple, Union

from . import _lib
from ._errors import ArgumentError, UnknownName
from ._lib import SCR_RET, ArgKind

_L = _lib.lib

#: The ABIs the tables know, whatever the machine.
ABIS: Tuple[str, ...] = tuple(_lib.ABI_IDS)

# Integer arguments whose constants belong to one family although the
# tables give them no family name (a kind says it all).
_KIND_FAMILY = {ArgKind.SIGNAL: ("signal",), ArgKind.DIRFD: ("dirfd",),
                ArgKind.MODE: ("mode", "file_type")}

# Kinds whose argument is an address in the target.
POINTER_KINDS = frozenset({ArgKind.PATH, ArgKind.STR, ArgKind.ADDR, ArgKind.IN,
                           ArgKind.OUT, ArgKind.INOUT, ArgKind.STRV, ArgKind.PTR})


def _host_abi() -> str:
    machine = platform.machine()
    return {"amd64": "x86_64", "arm64": "aarch64"}.get(machine, machine)


class Arg(NamedTuple):
    """One argument of a system call, as the kernel's prototype has it.

    ``kind`` says what it is (:class:`ArgKind`); ``detail`` the family
    of constants it takes (``"open_flags"``) or the type it points to
    (``"stat"``), or None; ``ref`` the index of the argument holding its
    size or count (for a pointer) or of the pointer it measures (for a
    size), or None.
    """

    name: str
    kind: ArgKind
    detail: Optional[str]
    ref: Optional[int]


class Signature:
    """What a system call takes and returns, in one ABI.

    ``str(sig)`` reads like a prototype: ``openat(dfd, filename, flags[, mode])``;
    the arguments after ``nreq`` may be left out (they are passed as 0).
    """

    __slots__ = ("name", "nr", "abi", "args", "nreq", "ret", "ret_detail")

    def __init__(self, name: str, nr: int, abi: str, args: Tuple[Arg, ...], nreq: int,
                 ret: ArgKind, ret_detail: Optional[str]) -> None:
        self.name = name
        self.nr = nr
        self.abi = abi
        self.args = args
        self.nreq = nreq
        self.ret = ret
        self.ret_detail = ret_detail

    @property
    def nargs(self) -> int:
        """How many arguments the call takes at most."""
        return len(self.args)

    def arglist(self) -> str:
        """``"dfd, filename, flags[, mode]"``."""
        req = ", ".join(a.name for a in self.args[:self.nreq])
        opt = "".join(f"[, {a.name}" if (i or req) else f"[{a.name}"
                      for i, a in enumerate(self.args[self.nreq:]))
        return req + opt + "]" * (self.nargs - self.nreq)

    def __str__(self) -> str:
        return f"{self.name}({self.arglist()})"

    def __repr__(self) -> str:
        return f"<scremote.Signature {self.abi} #{self.nr} {self}>"


class Abi:
    """The tables of one ABI: call names and numbers, signatures and, for
    the ABIs this build attaches to, the named constants."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.id = _lib.ABI_IDS[name]
        #: bytes in a pointer (and a long) of a process of this ABI
        self.word = 4 if name == "i386" else 8
        self._nrs: Dict[str, int] = {}
        self._names: Optional[List[str]] = None
        self._sigs: Dict[int, Optional[Signature]] = {}
        self._consts: Optional[Dict[str, int]] = None
        self._families: Dict[str, Dict[str, int]] = {}
        self._member_of: Dict[str, FrozenSet[str]] = {}

    def __repr__(self) -> str:
        return f"<scremote ABI {self.name}>"

    # ---- system calls -------------------------------------------------------

    def nr(self, name: str) -> int:
        """The number of system call name; :class:`UnknownName` if none."""
        nr = self._nrs.get(name)
        if nr is None:
            nr = _L.scr_syscall_nr(self.id, name.encode())
            if nr < 0:
                raise UnknownName(f"no system call {name!r} in {self.name}"
                                  f"{self._suggest(name, self.names())}")
            self._nrs[name] = nr
        return nr

    def name_of(self, nr: int) -> Optional[str]:
        """The name of call nr, or None."""
        s = _L.scr_syscall_name(self.id, nr)
        return s.decode() if s is not None else None

    def names(self) -> List[str]:
        """Every call name, in the order of their numbers."""
        if self._names is None:
            names = []
            nr = _L.scr_syscall_next(self.id, -1)
            while nr >= 0:
                names.append(_L.scr_syscall_name(self.id, nr).decode())
                nr = _L.scr_syscall_next(self.id, nr)
            self._names = names
        return list(self._names)

    def signature(self, nr: int) -> Optional[Signature]:
        """The signature of call nr; None when the tables do not know it
        (ENODATA) or there is no such call."""
        if nr in self._sigs:
            return self._sigs[nr]
        sig = None
        n = _L.scr_syscall_nargs(self.id, nr)
        if n >= 0:
            name, detail = c_char_p(), c_char_p()
            args = []
            for i in range(n):
                kind = _L.scr_syscall_arg(self.id, nr, i, byref(name), byref(detail))
                ref = _L.scr_syscall_arg_ref(self.id, nr, i)
                args.append(Arg(_s(name.value) or f"arg{i}", ArgKind(kind),
                                _s(detail.value), ref if ref >= 0 else None))
            kind = _L.scr_syscall_arg(self.id, nr, SCR_RET, None, byref(detail))
            sig = Signature(self.name_of(nr) or str(nr), nr, self.name, tuple(args),
                            _L.scr_syscall_nreq(self.id, nr), ArgKind(kind),
                            _s(detail.value))
        self._sigs[nr] = sig
        return sig

    # ---- constants ----------------------------------------------------------

    @property
    def has_constants(self) -> bool:
        """Does this build know the constants of this ABI (one it attaches to)?"""
        return bool(self.constants())

    def constants(self) -> Dict[str, int]:
        """Every named constant of this ABI (empty for an ABI this build
        does not attach to)."""
        if self._consts is None:
            self._load_constants()
        assert self._consts is not None
        return self._consts

    def families(self) -> Dict[str, Dict[str, int]]:
        """Family name -> its constants."""
        self.constants()
        return self._families

    def families_of(self, name: str) -> FrozenSet[str]:
        """The families constant name belongs to."""
        self.constants()
        return self._member_of.get(name, frozenset())

    def _load_constants(self) -> None:
        consts: Dict[str, int] = {}
        member_of: Dict[str, Set[str]] = {}
        name, family, value = c_char_p(), c_char_p(), c_longlong()
        k = 0
        while _L.scr_const(self.id, k, byref(name), byref(value), byref(family)) == 0:
            k += 1
            if name.value is None:
                continue
            n = name.value.decode()
            consts[n] = value.value
            if family.value is not None:
                f = family.value.decode()
                self._families.setdefault(f, {})[n] = value.value
                member_of.setdefault(n, set()).add(f)
        self._member_of = {n: frozenset(f) for n, f in member_of.items()}
        self._consts = consts

    def const(self, expr: Union[str, int], family: Optional[str] = None,
              what: Optional[str] = None, kind: Optional[ArgKind] = None) -> int:
        """The value of a constant, or of constants and numbers OR-ed
        (``"O_WRONLY|O_CREAT"``, ``"0644"``, ``"0x10|FD_CLOEXEC"``).

        With ``family`` (or an argument ``kind`` that implies one), every
        name must be a constant of that family; ``what`` names the
        argument in error messages.
        """
        if isinstance(expr, int) and not isinstance(expr, bool):
            return expr
        if not isinstance(expr, str):
            raise ArgumentError(f"{what or 'a constant'} takes an integer or a constant "
                                f"name, not {type(expr).__name__}")
        fams: Tuple[str, ...] = (family,) if family else _KIND_FAMILY.get(kind, ())  # type: ignore[arg-type]
        value = 0
        for tok in expr.split("|"):
            value |= self._token(tok.strip(), expr, fams, what)
        return value

    def _token(self, tok: str, expr: str, fams: Tuple[str, ...], what: Optional[str]) -> int:
        if not tok:
            raise ArgumentError(f"{what or 'constant'}: empty term in {expr!r}")
        num = _number(tok)
        if num is not None:
            return num
        consts = self.constants()
        if tok not in consts:
            if not consts:
                raise UnknownName(f"no constants for ABI {self.name} in this build "
                                  f"(it attaches to {', '.join(host_abis())}): pass numbers")
            pool = list(self.families().get(fams[0], consts)) if fams else list(consts)
            raise UnknownName(f"no constant {tok!r} in {self.name}"
                              f"{self._suggest(tok, pool)}")
        known = [f for f in fams if f in self.families()]
        if known and not any(tok in self._families[f] for f in known):
            theirs = sorted(self.families_of(tok))
            raise ArgumentError(
                f"{what or 'this argument'} takes constants of {_describe(self, known)}; "
                f"{tok} is " + (f"a constant of {', '.join(theirs)}" if theirs
                                else "a constant of no family"))
        return consts[tok]

    @staticmethod
    def _suggest(word: str, pool: List[str]) -> str:
        close = difflib.get_close_matches(word, pool, n=3, cutoff=0.6)
        return f" (did you mean {' or '.join(close)}?)" if close else ""


def _s(b: Optional[bytes]) -> Optional[str]:
    return b.decode() if b is not None else None


def _number(tok: str) -> Optional[int]:
    """A number as C or Python writes it: 42, -1, 0x1f, 0644, 0o644."""
    t = tok[1:] if tok[:1] in "+-" else tok
    if not t[:1].isdigit():
        return None
    try:
        if len(t) > 1 and t[0] == "0" and t[1].isdigit():
            v = int(t, 8)
        else:
            v = int(t, 0)
    except ValueError:
        raise ArgumentError(f"not a number: {tok!r}") from None
    return -v if tok[0] == "-" else v


def _describe(abi: Abi, fams: List[str]) -> str:
    parts = []
    for f in fams:
        names = list(abi.families()[f])
        prefix = os.path.commonprefix(names)
        if len(prefix) < 2 and len(names) > 8:
            # A stray or two (FASYNC among the O_*) left out of the hint.
            common: Dict[str, int] = {}
            for n in names:
                common[n[:2]] = common.get(n[:2], 0) + 1
            lead = max(common, key=lambda k: common[k])
            if len(names) - common[lead] <= 2:
                prefix = os.path.commonprefix([n for n in names if n.startswith(lead)])
        cut = prefix.rfind("_")
        parts.append(f"{f} ({prefix[:cut + 1]}*)" if cut > 0 else f)
    return " or ".join(parts)


_abis: Dict[str, Abi] = {}


def abi(name: Union[str, int, None] = None) -> Abi:
    """The tables of ABI name (``"i386"``; None: this machine's own)."""
    if name is None:
        name = host_abi
    elif isinstance(name, int):
        for n, i in _lib.ABI_IDS.items():
            if i == name:
                name = n
                break
        else:
            raise ArgumentError(f"unknown ABI id {name}")
    a = _abis.get(name)
    if a is None:
        if name not in _lib.ABI_IDS:
            raise ArgumentError(f"unknown ABI {name!r}: one of {', '.join(ABIS)}")
        a = _abis[name] = Abi(name)
    return a


def host_abis() -> List[str]:
    """The ABIs this build attaches to (and has constants for)."""
    return [n for n, i in _lib.ABI_IDS.items()
            if _L.scr_const(i, 0, None, None, None) != -errno.EINVAL]


#: The ABI of this machine's own processes (the constants scremote.O_* have).
host_abi: str = _host_abi()
if host_abi not in _lib.ABI_IDS:  # pragma: no cover - a machine the library lacks
    host_abi = (host_abis() or ["x86_64"])[0]
