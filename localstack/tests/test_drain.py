"""The graceful stop: functions' requests are served until the drain ends, and the save waits for them."""
import threading
import time

from stagegraph_localstack import drain

FUNCTION = "aws-sdk-js/3.700.0 ua/2.1 os/linux lang/js md/nodejs#22.11.0 exec-env/AWS_Lambda_nodejs22.x"
CLIENT = "aws-sdk-js/3.700.0 ua/2.1 os/linux lang/js md/nodejs#20.20.2"


class Worker:
    def __init__(self):
        self.stopped = 0

    def stop_for_shutdown(self):
        self.stopped += 1


def test_while_stopping_only_functions_are_served_until_the_drain_ends(monkeypatch):
    monkeypatch.setattr(drain, "_refusing", threading.Event())
    workers = [Worker(), Worker()]
    monkeypatch.setattr(drain, "esm_workers", lambda: workers)
    # Running: everyone. Stopping: a function's SDK, not another client. Stopped: no one.
    assert drain.should_serve(stopping=False, stopped=False, user_agent=CLIENT)
    assert drain.should_serve(stopping=True, stopped=False, user_agent=FUNCTION)
    assert not drain.should_serve(stopping=True, stopped=False, user_agent=CLIENT)
    assert not drain.should_serve(stopping=True, stopped=False, user_agent=None)
    assert not drain.should_serve(stopping=True, stopped=True, user_agent=FUNCTION)
    assert drain.begin() == 2
    assert [w.stopped for w in workers] == [1, 1]
    assert drain.end(timeout=0.1)
    assert not drain.should_serve(stopping=True, stopped=False, user_agent=FUNCTION)


def test_the_end_of_the_drain_waits_for_admitted_function_requests(monkeypatch):
    monkeypatch.setattr(drain, "_refusing", threading.Event())
    drain._admit()
    released = threading.Timer(0.2, drain._release)
    released.start()
    started = time.monotonic()
    assert drain.end(timeout=5)
    assert 0.15 < time.monotonic() - started < 4
    assert drain.admitted() == 0
    # One that does not finish: the end gives up at its timeout.
    drain._admit()
    try:
        assert not drain.end(timeout=0.05)
    finally:
        drain._release()


def test_install_patches_the_shutdown_handler():
    import pytest

    pytest.importorskip("localstack.aws.handlers.internal")
    from localstack.aws.handlers.internal import RuntimeShutdownHandler

    assert drain.install()
    patched = RuntimeShutdownHandler.__call__
    assert drain.install()
    assert RuntimeShutdownHandler.__call__ is patched
