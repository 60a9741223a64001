"""An update lets the invocations under way on the old version finish: the counts and the wait."""
import threading
import time
from types import SimpleNamespace

import pytest

from stagegraph_localstack import rollover


class Fake(SimpleNamespace):
    """A SimpleNamespace that weak references can point at and sets can hold by identity, as LocalStack's version
    managers."""

    __eq__ = object.__eq__
    __hash__ = object.__hash__


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
    manager = Fake(
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


class FakeLogHandler:
    """LocalStack's LogHandler as far as a stop goes: a thread that writes what is queued (each write takes a while)
    while its shutdown event is not set, and a stop that sets the event, then queues the marker."""

    def __init__(self, happened, marker=None):
        import queue

        self.happened = happened
        self.marker = marker
        self.log_queue = queue.Queue()
        self._shutdown_event = threading.Event()
        self._thread = threading.Thread(target=self.run_log_loop, daemon=True)
        self._thread.start()

    def run_log_loop(self):
        while not self._shutdown_event.is_set():
            item = self.log_queue.get()
            if item is self.marker:
                return
            time.sleep(0.05)
            self.happened.append(f"wrote {item}")

    def stop(self):
        self.happened.append("logs")
        self._shutdown_event.set()
        self.log_queue.put(self.marker)
        self._thread.join(2)


def _manager(happened, code, vm_id="vm-1", marker=None):
    return Fake(
        id=vm_id,
        function_arn=f"arn:aws:lambda:us-east-1:000000000000:function:{vm_id}:$LATEST",
        function_version=SimpleNamespace(id=SimpleNamespace(function_name=vm_id), config=SimpleNamespace(timeout=3, code=code)),
        shutdown_event=threading.Event(),
        assignment_service=SimpleNamespace(stop_environments_for_version=lambda manager_id: happened.append(f"environments {manager_id}")),
        log_handler=FakeLogHandler(happened, marker),
    )


@pytest.fixture
def localstack_lambda(monkeypatch):
    """The patches installed, LocalStack's modules, and a record of what the stops did."""
    modules = SimpleNamespace(
        version_manager=pytest.importorskip("localstack.services.lambda_.invocation.version_manager"),
        lambda_service=pytest.importorskip("localstack.services.lambda_.invocation.lambda_service"),
        runtime_executor=pytest.importorskip("localstack.services.lambda_.invocation.runtime_executor"),
        logs=pytest.importorskip("localstack.services.lambda_.invocation.logs"),
        happened=[],
    )
    assert rollover.install()
    assert rollover.install()  # once
    monkeypatch.setattr(rollover, "_stopping", lambda: False)
    monkeypatch.setattr(rollover, "_debugged", lambda fv: False)
    monkeypatch.setattr(modules.runtime_executor, "get_runtime_executor",
                        lambda: SimpleNamespace(cleanup_version=lambda fv: modules.happened.append("cleanup")))
    return modules


def _no_rollover_threads():
    return not any(t.name.startswith("stagegraph-rollover-") for t in threading.enumerate())


def test_the_stop_of_an_old_version_waits_for_its_invocations_then_stops_environments_then_logs(localstack_lambda):
    ls = localstack_lambda
    happened = ls.happened
    code = object()
    manager = _manager(happened, code, marker=ls.logs.QUEUE_SHUTDOWN)
    rollover.IN_FLIGHT.begin(manager, code)

    def finish() -> None:
        happened.append("invocation ended")
        for line in ("a", "b", "c"):  # its log lines, queued as LocalStack's store_logs does
            manager.log_handler.log_queue.put(line)
        rollover.IN_FLIGHT.end(manager, code)

    threading.Timer(0.3, finish).start()
    started = time.monotonic()
    ls.version_manager.LambdaVersionManager.stop(manager)
    # The caller (a thread of the Lambda service's pool) is not held: new invocations are refused at once, and the old
    # environments wait for the one under way on a thread of their own.
    assert time.monotonic() - started < 0.2
    assert manager.shutdown_event.is_set() and manager.state.state == "Inactive"
    assert _until(lambda: "cleanup" in happened)
    assert happened[0] == "invocation ended"
    # Every line queued before the stop is written, before the handler stops (LocalStack's order lost b and c).
    assert [h for h in happened if h.startswith("wrote")] == ["wrote a", "wrote b", "wrote c"]
    assert happened.index("environments vm-1") < happened.index("logs") < happened.index("cleanup")
    assert happened.index("wrote c") < happened.index("logs")

    # Nothing under way: the stop is done when it returns, on the caller's thread.
    happened.clear()
    ls.version_manager.LambdaVersionManager.stop(_manager(happened, object(), "vm-2", ls.logs.QUEUE_SHUTDOWN))
    assert happened == ["environments vm-2", "logs", "cleanup"]


def test_an_error_while_waiting_still_stops_the_environments_and_the_log_handler(localstack_lambda, monkeypatch):
    ls = localstack_lambda

    def broken(manager):
        raise RuntimeError("the wait failed")

    monkeypatch.setattr(rollover, "drain", broken)
    ls.version_manager.LambdaVersionManager.stop(_manager(ls.happened, object(), "vm-4", ls.logs.QUEUE_SHUTDOWN))
    assert ls.happened == ["environments vm-4", "logs", "cleanup"]


def test_an_invocation_is_counted_while_it_runs_even_when_it_is_refused(localstack_lambda, monkeypatch):
    ls = localstack_lambda
    code = object()
    manager = _manager(ls.happened, code, "vm-5", ls.logs.QUEUE_SHUTDOWN)
    manager.shutdown_event.set()
    seen = []
    original_begin = rollover.IN_FLIGHT.begin
    monkeypatch.setattr(rollover.IN_FLIGHT, "begin", lambda *owners: (original_begin(*owners), seen.append(
        (rollover.IN_FLIGHT.count(manager), rollover.IN_FLIGHT.count(code)))))
    with pytest.raises(Exception, match="shutting down"):
        ls.version_manager.LambdaVersionManager.invoke(manager, invocation=SimpleNamespace(request_id="r-1"))
    # Counted from before LocalStack's check of the version's stop, and no longer after.
    assert seen == [(1, 1)]
    assert (rollover.IN_FLIGHT.count(manager), rollover.IN_FLIGHT.count(code)) == (0, 0)


def test_the_whole_service_stopping_does_not_wait_even_for_stops_already_waiting(localstack_lambda):
    from concurrent.futures import ThreadPoolExecutor

    ls = localstack_lambda
    happened = ls.happened
    # An old version whose stop already waits in the background (replaced: no longer among the running versions).
    old = _manager(happened, object(), "vm-6", ls.logs.QUEUE_SHUTDOWN)
    rollover.IN_FLIGHT.begin(old)
    ls.version_manager.LambdaVersionManager.stop(old)
    assert _until(lambda: old in rollover.DRAINING)
    busy = _manager(happened, object(), "vm-3", ls.logs.QUEUE_SHUTDOWN)
    busy.stop = lambda: ls.version_manager.LambdaVersionManager.stop(busy)
    rollover.IN_FLIGHT.begin(busy)
    service = SimpleNamespace(
        event_managers={}, lambda_running_versions={"arn": busy}, lambda_starting_versions={},
        task_executor=ThreadPoolExecutor(2), assignment_service=SimpleNamespace(stop=lambda: happened.append("assignment")),
    )
    started = time.monotonic()
    ls.lambda_service.LambdaService.stop(service)
    assert time.monotonic() - started < 1.0
    assert getattr(busy, rollover.NO_DRAIN) is True and getattr(old, rollover.NO_DRAIN) is True
    assert ["environments vm-3", "logs", "cleanup"] == [h for h in happened if h in ("environments vm-3", "logs", "cleanup")][:3]
    # The old version's waiting stop gives up too (it looks every quarter of a second), long before its 68 s.
    assert _until(lambda: "environments vm-6" in happened, timeout=2.0)
    rollover.IN_FLIGHT.end(busy)
    rollover.IN_FLIGHT.end(old)


def test_the_old_code_is_removed_once_its_versions_are_stopping_and_none_of_its_invocations_is_under_way(
        localstack_lambda):
    ls = localstack_lambda
    function = SimpleNamespace(lock=threading.RLock(), versions={})
    removed: list[str] = []
    old_code = SimpleNamespace(destroy=lambda: removed.append("old"))
    # An invocation under way: the removal waits for it, on a thread of its own.
    rollover.IN_FLIGHT.begin(old_code)
    threading.Timer(0.3, rollover.IN_FLIGHT.end, args=(old_code,)).start()
    started = time.monotonic()
    ls.lambda_service.destroy_code_if_not_used(old_code, function)
    assert time.monotonic() - started < 0.2 and removed == []
    assert _until(lambda: removed == ["old"])

    # Its version not yet told to stop (LocalStack queues the stop and the removal in no order): the removal waits.
    waiting_code = SimpleNamespace(destroy=lambda: removed.append("waiting"))
    version = Fake(function_version=SimpleNamespace(config=SimpleNamespace(code=waiting_code)), shutdown_event=threading.Event())
    rollover.MANAGERS.add(version)
    ls.lambda_service.destroy_code_if_not_used(waiting_code, function)
    time.sleep(0.3)  # noqa: the removal must still be waiting after this while
    assert removed == ["old"]
    version.shutdown_event.set()
    assert _until(lambda: removed == ["old", "waiting"])

    # Nothing under way and its versions stopping: removed at once. Still used by a version (a configuration
    # update): kept, at once, without a thread.
    assert _until(_no_rollover_threads)
    idle = SimpleNamespace(destroy=lambda: removed.append("idle"))
    ls.lambda_service.destroy_code_if_not_used(code=idle, function=function)
    assert removed == ["old", "waiting", "idle"]
    kept = SimpleNamespace(destroy=lambda: removed.append("kept"))
    function.versions["$LATEST"] = SimpleNamespace(config=SimpleNamespace(code=kept))
    rollover.IN_FLIGHT.begin(kept)
    ls.lambda_service.destroy_code_if_not_used(code=kept, function=function)
    assert _no_rollover_threads()
    rollover.IN_FLIGHT.end(kept)
    assert removed == ["old", "waiting", "idle"]


def test_deleting_a_whole_function_keeps_its_code_until_the_invocations_under_way_on_it_have_finished(
        localstack_lambda, monkeypatch):
    # LocalStack's own S3Code.destroy (the provider's DeleteFunction calls it for each version), with the internal S3
    # bucket and the code folder on disk replaced by a record of what it removes.
    lambda_models = pytest.importorskip("localstack.services.lambda_.invocation.lambda_models")
    removed: list[str] = []
    monkeypatch.setattr(lambda_models.S3Code, "destroy_cached", lambda self: removed.append(f"folder {self.id}"))
    monkeypatch.setattr(lambda_models, "connect_to", lambda **kwargs: SimpleNamespace(s3=SimpleNamespace(
        delete_object=lambda Bucket, Key, **kw: removed.append(f"object {Bucket}/{Key}"))))

    def code(code_id):
        return lambda_models.S3Code(id=code_id, account_id="000000000000", s3_bucket="tasks",
                                    s3_key=f"snapshots/{code_id}", s3_object_version=None, code_sha256="x", code_size=1)

    busy = code("busy")
    rollover.IN_FLIGHT.begin(busy)
    started = time.monotonic()
    busy.destroy()
    assert time.monotonic() - started < 0.2 and removed == []
    time.sleep(0.3)  # noqa: still kept after this while
    assert removed == []
    rollover.IN_FLIGHT.end(busy)
    assert _until(lambda: removed == ["folder busy", "object tasks/snapshots/busy"])

    # Its version asked to stop but not yet stopping (the stop is queued on LocalStack's pool): kept until it is.
    queued = code("queued")
    version = Fake(function_version=SimpleNamespace(config=SimpleNamespace(code=queued)), shutdown_event=threading.Event())
    rollover.MANAGERS.add(version)
    queued.destroy()
    time.sleep(0.3)  # noqa: still kept after this while
    assert removed == ["folder busy", "object tasks/snapshots/busy"]
    version.shutdown_event.set()
    assert _until(lambda: removed[2:] == ["folder queued", "object tasks/snapshots/queued"])

    # Nothing under way: removed at once, without a thread.
    assert _until(_no_rollover_threads)
    code("idle").destroy()
    assert removed[4:] == ["folder idle", "object tasks/snapshots/idle"]
    assert _no_rollover_threads()


def test_a_removal_still_waiting_when_the_whole_service_stops_is_dropped(localstack_lambda):
    # A state reset or load: the code belonged to state that is gone, and a load may restore the same code.
    from concurrent.futures import ThreadPoolExecutor

    ls = localstack_lambda
    removed: list[str] = []
    code = SimpleNamespace(destroy=lambda: removed.append("code"))
    rollover.IN_FLIGHT.begin(code)
    ls.lambda_service.destroy_code_if_not_used(code, SimpleNamespace(lock=threading.RLock(), versions={}))
    assert not _no_rollover_threads()
    service = SimpleNamespace(
        event_managers={}, lambda_running_versions={}, lambda_starting_versions={},
        task_executor=ThreadPoolExecutor(1), assignment_service=SimpleNamespace(stop=lambda: None),
    )
    ls.lambda_service.LambdaService.stop(service)
    assert _until(_no_rollover_threads, timeout=2.0)
    rollover.IN_FLIGHT.end(code)
    assert removed == []
