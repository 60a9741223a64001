"""An update lets the invocations under way on the old version finish: the counts and the wait."""
import threading
import time
from types import SimpleNamespace

from stagegraph_localstack import rollover


def test_counts_are_kept_per_owner_and_forgotten_at_zero():
    in_flight = rollover.InFlight()
    version, code, other = object(), object(), object()
    in_flight.begin(version, code)
    in_flight.begin(version, code)
    in_flight.begin(other)
    assert (in_flight.count(version), in_flight.count(code), in_flight.count(other)) == (2, 2, 1)
    in_flight.end(version, code)
    in_flight.end(version, code)
    assert (in_flight.count(version), in_flight.count(code), in_flight.count(other)) == (0, 0, 1)
    assert in_flight._counts == {id(other): 1}


def test_the_wait_ends_when_the_last_invocation_of_its_owner_ends():
    in_flight = rollover.InFlight()
    version, other = object(), object()
    in_flight.begin(version)
    in_flight.begin(other)
    ended = threading.Timer(0.2, in_flight.end, args=(version,))
    ended.start()
    started = time.monotonic()
    assert in_flight.wait_idle(version, timeout=5.0)
    waited = time.monotonic() - started
    # It waited for its own (about 0.2 s), not for the other owner's, which never ends.
    assert 0.15 <= waited < 2.0
    assert in_flight.count(other) == 1


def test_the_wait_gives_up_at_its_timeout_and_when_told_to():
    in_flight = rollover.InFlight()
    version = object()
    in_flight.begin(version)
    started = time.monotonic()
    assert not in_flight.wait_idle(version, timeout=0.1)
    assert 0.09 <= time.monotonic() - started < 1.0
    stop = threading.Event()
    threading.Timer(0.1, stop.set).start()
    started = time.monotonic()
    assert not in_flight.wait_idle(version, timeout=60.0, give_up=stop.is_set)
    assert time.monotonic() - started < 1.0
    assert in_flight.wait_idle(object(), timeout=0.0)


def test_a_version_waits_as_long_as_its_timeout_and_a_start_may_take():
    version = SimpleNamespace(config=SimpleNamespace(timeout=30))
    assert rollover.drain_seconds(version) == 30 + rollover.START_MARGIN_SECONDS
    assert rollover.drain_seconds(SimpleNamespace()) == 900 + rollover.START_MARGIN_SECONDS


def test_the_drain_waits_for_the_version_unless_its_function_is_debugged(monkeypatch):
    monkeypatch.setattr(rollover, "IN_FLIGHT", rollover.InFlight())
    monkeypatch.setattr(rollover, "_stopping", lambda: False)
    debugged: set[str] = set()
    monkeypatch.setattr(rollover, "_debugged", lambda fv: fv.id.function_name in debugged)
    manager = SimpleNamespace(
        function_arn="arn:aws:lambda:us-east-1:000000000000:function:f:$LATEST",
        function_version=SimpleNamespace(id=SimpleNamespace(function_name="f"), config=SimpleNamespace(timeout=3)),
    )
    rollover.IN_FLIGHT.begin(manager)
    threading.Timer(0.2, rollover.IN_FLIGHT.end, args=(manager,)).start()
    started = time.monotonic()
    assert rollover.drain(manager)
    assert time.monotonic() - started >= 0.15
    # Debugged: the old environment is stopped at once (the new one needs its debugger's port).
    debugged.add("f")
    rollover.IN_FLIGHT.begin(manager)
    started = time.monotonic()
    assert not rollover.drain(manager)
    assert time.monotonic() - started < 0.1


def test_the_stop_of_an_old_version_waits_for_its_invocations_then_stops_environments_then_logs(monkeypatch):
    import pytest

    version_manager = pytest.importorskip("localstack.services.lambda_.invocation.version_manager")
    lambda_service = pytest.importorskip("localstack.services.lambda_.invocation.lambda_service")
    runtime_executor = pytest.importorskip("localstack.services.lambda_.invocation.runtime_executor")
    assert rollover.install()
    assert rollover.install()  # once
    monkeypatch.setattr(rollover, "_stopping", lambda: False)
    monkeypatch.setattr(rollover, "_debugged", lambda fv: False)
    happened: list[str] = []
    monkeypatch.setattr(runtime_executor, "get_runtime_executor",
                        lambda: SimpleNamespace(cleanup_version=lambda fv: happened.append("cleanup")))
    code = object()
    manager = SimpleNamespace(
        id="vm-1",
        function_arn="arn:aws:lambda:us-east-1:000000000000:function:f:$LATEST",
        function_version=SimpleNamespace(id=SimpleNamespace(function_name="f"), config=SimpleNamespace(timeout=3, code=code)),
        shutdown_event=threading.Event(),
        assignment_service=SimpleNamespace(stop_environments_for_version=lambda vm_id: happened.append(f"environments {vm_id}")),
        log_handler=SimpleNamespace(stop=lambda: happened.append("logs")),
    )
    rollover.IN_FLIGHT.begin(manager, code)

    def finish() -> None:
        happened.append("invocation ended")
        rollover.IN_FLIGHT.end(manager, code)

    threading.Timer(0.2, finish).start()
    stopping = threading.Thread(target=version_manager.LambdaVersionManager.stop, args=(manager,))
    stopping.start()
    # New invocations are refused at once; the old environments wait for the one under way.
    deadline = time.monotonic() + 5
    while not manager.shutdown_event.is_set() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert manager.shutdown_event.is_set()
    stopping.join(5)
    assert happened == ["invocation ended", "environments vm-1", "logs", "cleanup"]
    assert manager.state.state == "Inactive"

    # The old code is removed once no invocation of it is under way, and not waited for when a version still uses it.
    function = SimpleNamespace(lock=threading.RLock(), versions={})
    removed: list[str] = []
    old_code = SimpleNamespace(destroy=lambda: removed.append("old"))
    rollover.IN_FLIGHT.begin(old_code)
    threading.Timer(0.2, rollover.IN_FLIGHT.end, args=(old_code,)).start()
    started = time.monotonic()
    lambda_service.destroy_code_if_not_used(old_code, function)
    assert removed == ["old"] and time.monotonic() - started >= 0.15
    kept = SimpleNamespace(destroy=lambda: removed.append("kept"))
    function.versions["$LATEST"] = SimpleNamespace(config=SimpleNamespace(code=kept))
    rollover.IN_FLIGHT.begin(kept)
    started = time.monotonic()
    lambda_service.destroy_code_if_not_used(code=kept, function=function)
    assert removed == ["old"] and time.monotonic() - started < 0.1
    rollover.IN_FLIGHT.end(kept)
