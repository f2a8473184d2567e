"""Installing: make install puts the package beside the library and it
finds that library by itself; pip installs the package offline; make
uninstall takes back exactly what install wrote."""
import os
import shutil
import subprocess
import sys

import pytest

import scremote
from conftest import BUILD, PYDIR, TOP

CHECK = ("import scremote, sys; pid = int(sys.argv[1])\n"
         "with scremote.attach(pid) as s: r = s.call('getpid')\n"
         "print(scremote.library_path, r == pid, scremote.O_WRONLY)\n")


def plain_build():
    if not os.path.exists(os.path.join(TOP, "Makefile")) or not shutil.which("make"):
        pytest.skip("not in a source tree with make")
    lib = os.path.join(BUILD, "libscremote.so.0")
    if b"__asan_init" in open(lib, "rb").read():
        pytest.skip("sanitizer build; installing is tested in the plain build")
    return os.path.relpath(BUILD, TOP)


def make(*args):
    r = subprocess.run(["make", "--no-print-directory", "-s", "-C", TOP, *args],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr
    return r.stdout


def sitedir(prefix):
    return subprocess.run([sys.executable, os.path.join(TOP, "mk", "pysitedir.py"), prefix],
                          capture_output=True, text=True, check=True).stdout.strip()


def clean_env(**extra):
    env = {k: v for k, v in os.environ.items()
           if k not in ("SCREMOTE_LIB", "PYTHONPATH", "SCREMOTE_PY_INSTALLED")}
    env.update(extra)
    return env


def test_make_install_and_uninstall(target, tmp_path):
    build = plain_build()
    prefix = str(tmp_path / "prefix")
    make(f"BUILD={build}", "install", f"PREFIX={prefix}", f"PYTHON={sys.executable}")
    site = sitedir(prefix)
    pkg = os.path.join(site, "scremote")
    assert site.startswith(prefix + "/")
    assert sorted(os.listdir(pkg)) == sorted(
        [f for f in os.listdir(os.path.join(PYDIR, "scremote"))
         if f.endswith(".py") or f == "py.typed"] + ["_config.py"])
    config = open(os.path.join(pkg, "_config.py")).read()
    assert f"LIBDIR = {os.path.join(prefix, 'lib')!r}" in config
    # The installed package finds the installed library, from anywhere.
    r = subprocess.run([sys.executable, "-c", CHECK, str(target.pid)], cwd="/",
                       env=clean_env(PYTHONPATH=site), capture_output=True, text=True,
                       timeout=60)
    assert r.returncode == 0, r.stderr
    assert r.stdout == f"{os.path.join(prefix, 'lib', 'libscremote.so.0.1.0')} True " \
                       f"{os.O_WRONLY}\n"
    make(f"BUILD={build}", "uninstall", f"PREFIX={prefix}", f"PYTHON={sys.executable}")
    left = [os.path.join(d, f) for d, _, fs in os.walk(prefix) for f in fs]
    assert left == [] and not os.path.exists(pkg)


def test_make_install_stages_into_destdir(tmp_path):
    build = plain_build()
    stage = str(tmp_path / "stage")
    make(f"BUILD={build}", "install", "PREFIX=/usr/local", f"DESTDIR={stage}",
         f"PYTHON={sys.executable}")
    pkg = stage + os.path.join(sitedir("/usr/local"), "scremote")
    assert "LIBDIR = '/usr/local/lib'" in open(os.path.join(pkg, "_config.py")).read()
    make(f"BUILD={build}", "uninstall", "PREFIX=/usr/local", f"DESTDIR={stage}",
         f"PYTHON={sys.executable}")
    assert not os.path.exists(pkg)
    # PYTHON= leaves the package out.
    make(f"BUILD={build}", "install", "PREFIX=/usr/local", f"DESTDIR={stage}", "PYTHON=")
    assert not os.path.exists(pkg)
    assert os.path.exists(f"{stage}/usr/local/lib/libscremote.so.0.1.0")
    make(f"BUILD={build}", "uninstall", "PREFIX=/usr/local", f"DESTDIR={stage}", "PYTHON=")


def test_pip_installs_the_package_offline(target, tmp_path):
    if subprocess.run([sys.executable, "-m", "pip", "--version"],
                      capture_output=True).returncode:
        pytest.skip("pip is not installed (Debian: python3-pip)")
    try:
        import setuptools  # noqa: F401
    except ImportError:
        pytest.skip("setuptools is not installed (Debian: python3-setuptools)")
    src = tmp_path / "src"
    shutil.copytree(PYDIR, src, ignore=shutil.ignore_patterns("tests", "__pycache__"))
    dest = tmp_path / "site"
    r = subprocess.run([sys.executable, "-m", "pip", "install", "--no-index",
                        "--no-build-isolation", "--no-cache-dir", "--disable-pip-version-check",
                        "--target", str(dest), str(src)],
                       capture_output=True, text=True, timeout=240, env=clean_env())
    assert r.returncode == 0, r.stdout + r.stderr
    files = sorted(os.listdir(dest / "scremote"))
    assert "py.typed" in files and "__init__.py" in files and "_config.py" not in files
    meta = [d for d in os.listdir(dest) if d.endswith(".dist-info")]
    assert meta == [f"scremote-{scremote.__version__}.dist-info"]
    # The library is the dynamic loader's to find, as it would be installed.
    r = subprocess.run([sys.executable, "-c", CHECK, str(target.pid)], cwd="/",
                       env=clean_env(PYTHONPATH=str(dest), LD_LIBRARY_PATH=BUILD),
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == [os.path.realpath(os.path.join(BUILD, "libscremote.so.0")),
                                "True", str(os.O_WRONLY)]
