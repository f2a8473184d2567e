"""A threaded target: every thread stopped while attached, calls in each."""
import os

import scremote
from conftest import released, status_field


def test_calls_in_every_thread(spawn):
    t = spawn("--threads", "3")
    with scremote.attach(t.pid) as s:
        tids = s.threads
        assert tids[0] == t.pid and sorted(tids[1:]) == sorted(t.tids)
        for tid in tids:
            assert status_field(t.pid, "State", tid)[0] == "t", tid
            assert status_field(t.pid, "TracerPid", tid) == str(os.getpid())
        for tid in tids:
            assert s.call("gettid", tid=tid) == tid
            assert s.call("getpid", tid=tid) == t.pid
        out = s.batch([("gettid",), ("gettid",)], tid=tids[2])
        assert out == [tids[2], tids[2]]
    assert released(t.pid)
    assert t.ask("threading.active_count()") == 4
