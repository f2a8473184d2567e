"""Prints where `make install` puts the Python package for PREFIX: the
interpreter's own directory when it lies under PREFIX (Debian's python3
and /usr/local: /usr/local/lib/python3.X/dist-packages), else
PREFIX/lib/pythonX.Y/site-packages, which PYTHONPATH must then name."""
import sys
import sysconfig

prefix = sys.argv[1].rstrip("/") or "/"
own = sysconfig.get_path("purelib")
if own.startswith(prefix + "/"):
    print(own)
else:
    print(sysconfig.get_path("purelib", "posix_prefix", vars={"base": prefix, "platbase": prefix}))
