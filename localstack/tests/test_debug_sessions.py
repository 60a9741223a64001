"""Debug marks: which function starts under its debugger, on which port."""
from types import SimpleNamespace

import pytest

from stagegraph_localstack import debug_sessions


def setup_function():
    debug_sessions._ports.clear()
    debug_sessions._code_dirs.clear()
    debug_sessions._expires.clear()


def test_a_function_is_marked_and_unmarked():
    debug_sessions.debug("fn-a", 9229)
    assert debug_sessions.port_of("fn-a") == 9229
    assert debug_sessions.port_of("fn-b") is None
    assert debug_sessions.stop("fn-a") is True
    assert debug_sessions.port_of("fn-a") is None
    assert debug_sessions.stop("fn-a") is False


def test_ports_are_checked_and_not_shared():
    with pytest.raises(ValueError, match=r"port must be from 1024 to 65535 \(given 80\)"):
        debug_sessions.debug("fn-a", 80)
    with pytest.raises(ValueError, match="a function name is needed"):
        debug_sessions.debug("", 9229)
    debug_sessions.debug("fn-a", 9229)
    with pytest.raises(ValueError, match="port 9229 is already the debugger port of fn-a"):
        debug_sessions.debug("fn-b", 9229)
    # The same function may move to another port.
    debug_sessions.debug("fn-a", 9230)
    assert debug_sessions.sessions() == {"fn-a": 9230}


def test_the_resource_lists_and_removes():
    resource = debug_sessions.DebugResource()
    debug_sessions.debug("fn-a", 9229)
    debug_sessions.note_code_dir("fn-a", "/tmp/code-a")
    debug_sessions.note_code_dir("fn-not-debugged", "/tmp/code-b")
    assert resource.on_get(SimpleNamespace(args={})) == {"functions": {"fn-a": 9229}, "codeDirs": {"fn-a": "/tmp/code-a"}}
    assert resource.on_delete(SimpleNamespace(args={"function": "fn-a"})) == {"functions": {}, "codeDirs": {}}


def test_a_mark_not_renewed_expires(monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr(debug_sessions.time, "monotonic", lambda: clock[0])
    debug_sessions.debug("fn-a", 9229, ttl_seconds=30)
    clock[0] += 29
    assert debug_sessions.port_of("fn-a") == 9229
    debug_sessions.debug("fn-a", 9229, ttl_seconds=30)  # renewed
    clock[0] += 29
    assert debug_sessions.port_of("fn-a") == 9229
    clock[0] += 2
    assert debug_sessions.port_of("fn-a") is None
    with pytest.raises(ValueError, match=r"ttl must be from 1 to 86400 seconds \(given 0\)"):
        debug_sessions.debug("fn-a", 9229, ttl_seconds=0)
