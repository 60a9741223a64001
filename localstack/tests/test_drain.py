"""The graceful stop's drain: the gateway keeps serving while the mappings' batches finish."""
from stagegraph_localstack import drain


class Worker:
    def __init__(self):
        self.stopped = 0

    def stop_for_shutdown(self):
        self.stopped += 1


def test_the_gateway_serves_while_draining_and_refuses_after(monkeypatch):
    workers = [Worker(), Worker()]
    monkeypatch.setattr(drain, "esm_workers", lambda: workers)
    # A running local cloud serves; a stopping one refuses (LocalStack's rule) until the drain begins.
    assert drain.should_serve(stopping=False, stopped=False)
    assert not drain.should_serve(stopping=True, stopped=False)
    assert drain.begin() == 2
    try:
        assert [w.stopped for w in workers] == [1, 1]
        assert drain.draining()
        assert drain.should_serve(stopping=True, stopped=False)
        # A stopped runtime (its services shut down) refuses even while draining.
        assert not drain.should_serve(stopping=True, stopped=True)
    finally:
        drain.end()
    assert not drain.draining()
    assert not drain.should_serve(stopping=True, stopped=False)


def test_install_patches_the_shutdown_handler():
    import pytest

    pytest.importorskip("localstack.aws.handlers.internal")
    from localstack.aws.handlers.internal import RuntimeShutdownHandler

    assert drain.install()
    patched = RuntimeShutdownHandler.__call__
    assert drain.install()
    assert RuntimeShutdownHandler.__call__ is patched
