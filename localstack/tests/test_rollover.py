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


def _until(condition, timeout=5.0):
    deadline = time.monotonic() + timeout
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.01)
    return condition()


def _manager(happened, code, vm_id="vm-1"):
    return SimpleNamespace(
        id=vm_id,
        function_arn=f"arn:aws:lambda:us-east-1:000000000000:function:{vm_id}:$LATEST",
        function_version=SimpleNamespace(id=SimpleNamespace(function_name=vm_id), config=SimpleNamespace(timeout=3, code=code)),
        shutdown_event=threading.Event(),
        assignment_service=SimpleNamespace(stop_environments_for_version=lambda manager_id: happened.append(f"environments {manager_id}")),
        log_handler=SimpleNamespace(stop=lambda: happened.append("logs")),
    )


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
    manager = _manager(happened, code)
    rollover.IN_FLIGHT.begin(manager, code)

    def finish() -> None:
        happened.append("invocation ended")
        rollover.IN_FLIGHT.end(manager, code)

    threading.Timer(0.3, finish).start()
    started = time.monotonic()
    version_manager.LambdaVersionManager.stop(manager)
    # The caller (a thread of the Lambda service's pool) is not held: new invocations are refused at once, and the old
    # environments wait for the one under way on a thread of their own.
    assert time.monotonic() - started < 0.2
    assert manager.shutdown_event.is_set() and manager.state.state == "Inactive"
    assert _until(lambda: len(happened) == 4)
    assert happened == ["invocation ended", "environments vm-1", "logs", "cleanup"]

    # Nothing under way: the stop is done when it returns.
    happened.clear()
    version_manager.LambdaVersionManager.stop(_manager(happened, object(), "vm-2"))
    assert happened == ["environments vm-2", "logs", "cleanup"]

    # The whole service stopping (shutdown, a state reset) does not wait for invocations under way.
    from concurrent.futures import ThreadPoolExecutor

    happened.clear()
    busy = _manager(happened, object(), "vm-3")
    busy.stop = lambda: version_manager.LambdaVersionManager.stop(busy)
    rollover.IN_FLIGHT.begin(busy)
    service = SimpleNamespace(
        event_managers={}, lambda_running_versions={"arn": busy}, lambda_starting_versions={},
        task_executor=ThreadPoolExecutor(2), assignment_service=SimpleNamespace(stop=lambda: happened.append("assignment")),
    )
    started = time.monotonic()
    lambda_service.LambdaService.stop(service)
    assert time.monotonic() - started < 1.0
    assert getattr(busy, rollover.NO_DRAIN) is True
    assert happened == ["environments vm-3", "logs", "cleanup", "assignment"]
    rollover.IN_FLIGHT.end(busy)


def test_the_old_code_is_removed_once_no_invocation_of_it_is_under_way(monkeypatch):
    import pytest

    lambda_service = pytest.importorskip("localstack.services.lambda_.invocation.lambda_service")
    assert rollover.install()
    monkeypatch.setattr(rollover, "_stopping", lambda: False)
    function = SimpleNamespace(lock=threading.RLock(), versions={})
    removed: list[str] = []
    old_code = SimpleNamespace(destroy=lambda: removed.append("old"))
    rollover.IN_FLIGHT.begin(old_code)
    threading.Timer(0.3, rollover.IN_FLIGHT.end, args=(old_code,)).start()
    started = time.monotonic()
    lambda_service.destroy_code_if_not_used(old_code, function)
    # The caller goes on; the code goes when its invocation has ended.
    assert time.monotonic() - started < 0.2 and removed == []
    assert _until(lambda: removed == ["old"])
    # Not under way: removed at once. Still used by a version (a configuration update): kept.
    idle = SimpleNamespace(destroy=lambda: removed.append("idle"))
    lambda_service.destroy_code_if_not_used(code=idle, function=function)
    assert removed == ["old", "idle"]
    kept = SimpleNamespace(destroy=lambda: removed.append("kept"))
    function.versions["$LATEST"] = SimpleNamespace(config=SimpleNamespace(code=kept))
    rollover.IN_FLIGHT.begin(kept)
    lambda_service.destroy_code_if_not_used(code=kept, function=function)
    rollover.IN_FLIGHT.end(kept)
    assert removed == ["old", "idle"]


def test_a_log_handler_writes_what_was_queued_before_its_stop():
    """LocalStack's stop sets the shutdown event before it queues the marker: a loop between two writes then ends and
    leaves the last lines. stop_log_handler queues the marker first and waits for the loop to reach it."""
    import queue

    marker = object()
    written: list[str] = []

    class Handler:
        def __init__(self):
            self.log_queue = queue.Queue()
            self._shutdown_event = threading.Event()
            self._thread = threading.Thread(target=self.run_log_loop, daemon=True)
            self._thread.start()

        def run_log_loop(self):
            while not self._shutdown_event.is_set():
                item = self.log_queue.get()
                if item is marker:
                    return
                time.sleep(0.05)  # a write
                written.append(item)

        def stop(self):  # LocalStack's order
            self._shutdown_event.set()
            self.log_queue.put(marker)
            self._thread.join(2)

    lossy = Handler()
    for line in ("a", "b", "c"):
        lossy.log_queue.put(line)
    time.sleep(0.01)
    lossy.stop()
    assert written != ["a", "b", "c"]  # what LocalStack's order loses

    written.clear()
    handler = Handler()
    for line in ("a", "b", "c"):
        handler.log_queue.put(line)
    time.sleep(0.01)
    rollover.stop_log_handler(handler, marker)
    assert written == ["a", "b", "c"]
    assert not handler._thread.is_alive()
