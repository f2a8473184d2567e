"""The examples users copy: the module docstring's, the README's Python
section, and examples/fds.py, each run against a live target."""
import contextlib
import io
import os
import re
import subprocess
import sys
import textwrap

import pytest

import scremote
from conftest import PYDIR, TOP, released


def run_example(code, pid, log):
    """Runs example code with its pid and path made the test's own."""
    code = code.replace("4242", str(pid)).replace("/tmp/log", log)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "<example>", "exec"), {"__name__": "__example__"})
    return out.getvalue()


def test_the_module_docstring_example(target, tmp_path):
    doc = scremote.__doc__
    start = doc.index("Redirect the standard output of process 4242 to a file::")
    block = re.match(r"[^\n]*::\n\n((?:    [^\n]*\n|\n)+)", doc[start:]).group(1)
    log = str(tmp_path / "log")
    out = run_example(textwrap.dedent(block), target.pid, log)
    assert out == f"process {target.pid} ({scremote.host_abi}) now writes to {log}\n"
    assert released(target.pid)
    assert target.ask("os.readlink('/proc/self/fd/1')") == log
    target.ask("print('hello from inside', flush=True)")
    assert open(log).read() == "hello from inside\n"


def readme_python():
    readme = os.path.join(TOP, "README.md")
    if not os.path.exists(readme):
        pytest.skip("no README.md beside the package")
    blocks = re.findall(r"```python\n(.*?)```", open(readme).read(), re.S)
    assert blocks, "README.md has no ```python block"
    return blocks[0]


def test_the_readme_example(target, tmp_path):
    log = str(tmp_path / "log")
    out = run_example(readme_python(), target.pid, log)
    assert out.splitlines() == [f"{scremote.host_abi} [{target.pid}] {os.getpid()}",
                                "[Errno 9] Bad file descriptor"]
    assert released(target.pid)
    assert target.ask("os.readlink('/proc/self/fd/1')") == log
    target.ask("print('logged', flush=True)")
    assert open(log).read() == "logged\n"


def fds_tool(*args):
    env = dict(os.environ, PYTHONPATH=PYDIR)
    return subprocess.run([sys.executable, os.path.join(TOP, "examples", "fds.py"), *args],
                          env=env, capture_output=True, text=True, timeout=60)


def test_the_fds_example(target, tmp_path):
    sock = str(tmp_path / "app.sock")
    log = str(tmp_path / "app\nlog")         # a name that must be escaped
    setup = (
        f"(keep.append(socket.create_server(('127.0.0.1', 0))), "
        f" keep[-1].setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1), "
        f" keep.append(socket.socket(socket.AF_UNIX)), keep[-1].bind({sock!r}), "
        f" keep.append(open({log!r}, 'a')), keep[-1].write('12345'), keep[-1].flush(), "
        f" [k.fileno() for k in keep] + [keep[0].getsockname()[1]])[-1]")
    tcp, unix, f, port = target.ask(setup)
    r = fds_tool(str(target.pid))
    assert r.returncode == 0, r.stderr
    rows = {int(line.split()[0]): line for line in r.stdout.splitlines()[1:]}
    assert r.stdout.splitlines()[0] == "FD MODE OFFSET  FLAGS        WHAT"
    assert sorted(rows) == sorted(int(x) for x in os.listdir(f"/proc/{target.pid}/fd"))
    assert re.fullmatch(rf" ?{tcp} rw +- +- +socket:\[\d+\] tcp 127\.0\.0\.1:{port} "
                        r"rcvbuf=\d+ sndbuf=\d+ keepalive=1", rows[tcp]), rows[tcp]
    assert re.fullmatch(rf" ?{unix} rw +- +- +socket:\[\d+\] unix stream {re.escape(sock)} "
                        r"rcvbuf=\d+ sndbuf=\d+ keepalive=0", rows[unix]), rows[unix]
    assert rows[f].split()[1:4] == ["w", "5", "O_APPEND"]
    assert rows[f].endswith(log.replace("\n", "\\x0a")), rows[f]
    assert released(target.pid)
    # The offsets were read, not moved.
    assert target.ask(f"os.lseek({f}, 0, os.SEEK_CUR)") == 5


def test_the_fds_example_errors(dead_pid):
    r = fds_tool()
    assert r.returncode == 2 and "usage: fds.py PID" in r.stderr
    r = fds_tool(str(dead_pid))
    assert r.returncode == 3
    assert r.stderr == f"fds: cannot attach to process {dead_pid}: no such process\n"
