"""The persistence machinery: what runs anywhere, then (with LocalStack importable, i.e. in LocalStack's
virtual environment) saving and restoring real stores through a stand-in service, with no LocalStack
running:  <venv>/bin/python -m pytest localstack/tests"""
import collections
import json
import os
import threading
import time
import types

import pytest

from stagegraph_localstack import persistence
from stagegraph_localstack.persistence import ChangeTracker, RestoreGate, ordered, persist_interval


def test_services_are_ordered_with_the_known_ones_first_and_last():
    names = {"s3", "lambda", "sqs", "zeta", "alpha", "logs"}
    assert ordered(names, ["sqs", "lambda"], ["s3", "logs"]) == ["sqs", "lambda", "alpha", "zeta", "s3", "logs"]
    restore = ordered(names | {"cloudformation"}, persistence.RESTORE_ORDER, persistence.RESTORE_LAST)
    assert restore[-1] == "lambda" and restore.index("s3") < restore.index("sqs")


@pytest.mark.parametrize("value,expected", [(None, 5.0), ("", 5.0), ("2.5", 2.5), ("0", 0.0), ("-1", 0.0), ("soon", 5.0)])
def test_the_interval_comes_from_the_environment(environ, value, expected):
    environ(persistence.INTERVAL_VARIABLE, value)
    assert persist_interval() == expected


def context(service=None, operation=None, internal=False, path="/"):
    return types.SimpleNamespace(
        service=types.SimpleNamespace(service_name=service) if service else None,
        operation=types.SimpleNamespace(name=operation) if operation else None,
        is_internal_call=internal,
        request=types.SimpleNamespace(path=path),
    )


def test_the_change_tracker_marks_the_services_requests_reach():
    tracker = ChangeTracker()
    tracker(None, context("sqs", "ReceiveMessage"), None)
    tracker(None, context("kinesis", "GetRecords"), None)
    tracker(None, context(), None)  # not an AWS request

    assert tracker.take("sqs") is True
    assert tracker.take("sqs") is False
    assert tracker.take("kinesis") is True
    # Reads do not count as a change of what kinesis-mock must write.
    assert tracker.last_request("kinesis") is None
    assert tracker.last_request("sqs") is not None
    tracker.mark("s3")
    assert tracker.take("s3") is True


class Chain:
    def __init__(self):
        self.responded = None

    def respond(self, status_code=200, payload=None, headers=None):
        self.responded = (status_code, payload)


def gated(handler, ctx):
    chain = Chain()
    handler(chain, ctx, None)
    return chain.responded[0] if chain.responded else None


def test_the_gate_keeps_the_health_check_and_services_not_restored_yet_waiting():
    gate = RestoreGate()
    gate.pending.update({"s3", "lambda"})

    assert gated(gate, context(path="/_localstack/health")) == 503
    assert gated(gate, context(path="/_localstack/health", internal=True)) is None
    assert gated(gate, context(path="/bucket/key")) is None  # decided once the service is known
    assert gated(gate.service_gate, context("s3", "GetObject")) == 503
    assert gated(gate.service_gate, context("s3", "GetObject", internal=True)) is None  # Lambda code
    assert gated(gate.service_gate, context("sqs", "SendMessage")) is None  # already restored

    gate.pending.discard("s3")
    assert gated(gate.service_gate, context("s3", "PutObject")) is None
    gate.open()
    assert gated(gate, context(path="/_localstack/health")) is None
    assert gated(gate.service_gate, context("lambda", "Invoke")) is None


# --- with LocalStack's classes ---------------------------------------------------------------------


@pytest.fixture
def localstack():
    return pytest.importorskip("localstack.services.stores")


def make_bundle(stores):
    class DemoStore(stores.BaseStore):
        queues: dict = stores.LocalAttribute(default=dict)
        shared: dict = stores.CrossRegionAttribute(default=dict)
        everywhere: dict = stores.CrossAccountAttribute(default=dict)

    DemoStore.__module__ = __name__
    DemoStore.__qualname__ = "DemoStore"
    globals()["DemoStore"] = DemoStore
    return stores.AccountRegionBundle("sqs", DemoStore)


def test_a_bundle_is_loaded_into_the_live_object_with_its_shared_attributes(localstack):
    from stagegraph_localstack import service_state

    saved = make_bundle(localstack)
    east = saved["000000000000"]["us-east-1"]
    east.queues["a"] = {"messages": [1, 2]}
    east.shared["bucket"] = "in every region"
    east.everywhere["arn"] = "in every account"
    saved["111111111111"]["eu-west-1"].queues["b"] = {}

    data = service_state.loads(service_state.dumps(persistence.dump_bundle(saved)))
    live = make_bundle(localstack)
    live_universal = live._universal
    persistence.load_bundle(live, data)

    assert live._universal is live_universal
    assert live["000000000000"]["us-east-1"].queues == {"a": {"messages": [1, 2]}}
    # Cross-region and cross-account attributes are the live bundle's, shared as before.
    assert live["000000000000"]["us-west-2"].shared == {"bucket": "in every region"}
    assert live["111111111111"]["eu-west-1"].everywhere == {"arn": "in every account"}
    live["000000000000"]["us-west-2"].shared["new"] = 1
    assert live["000000000000"]["us-east-1"].shared["new"] == 1


class Hooks:
    def __init__(self, calls):
        self.calls = calls

    def __getattr__(self, name):
        if name.startswith("on_"):
            return lambda: self.calls.append(name)
        raise AttributeError(name)


class DemoService:
    """Stands in for LocalStack's Service: a bundle and lifecycle hooks."""

    def __init__(self, bundle, calls):
        self.bundle = bundle
        self.lifecycle_hook = Hooks(calls)

    def accept_state_visitor(self, visitor):
        visitor.visit(self.bundle)


@pytest.fixture
def runtime(localstack, monkeypatch, tmp_path):
    """One LocalStack 'process': a service named sqs over a bundle, run by a persister on tmp_path."""
    from localstack.services.plugins import SERVICE_PLUGINS

    def start():
        calls = []
        service = DemoService(make_bundle(localstack), calls)
        monkeypatch.setattr(persistence, "service_container", lambda name: types.SimpleNamespace(service=service))
        monkeypatch.setattr(SERVICE_PLUGINS, "list_active_services", lambda: ["sqs"])
        monkeypatch.setattr(SERVICE_PLUGINS, "require", lambda name: service)
        monkeypatch.setattr("stagegraph_localstack.service_state.guard_kinesis_mock", lambda: None)
        persister = persistence.Persister(str(tmp_path), interval=0)
        persister.adapters = {}
        return persister, service, calls

    return start


def test_saved_state_comes_back_in_the_next_process_with_the_hooks_called(runtime, tmp_path):
    persister, service, calls = runtime()
    service.bundle["000000000000"]["us-east-1"].queues["work"] = ["m1", "m2"]
    first = persister.save("periodic")
    assert first["written"] == ["sqs"]
    assert calls == ["on_before_state_save", "on_after_state_save"]

    # Nothing changed: nothing is written.
    assert persister.save("periodic")["written"] == []

    # A new process (after kill -9): the same folder, an empty service.
    restarted, service2, calls2 = runtime()
    assert not restarted.gate.opened.is_set()
    report = restarted.restore()

    assert restarted.gate.opened.is_set()
    assert service2.bundle["000000000000"]["us-east-1"].queues == {"work": ["m1", "m2"]}
    assert calls2 == ["on_before_state_load", "on_after_state_load"]
    assert report["services"]["sqs"]["restored"] is True
    written = json.loads((tmp_path / "RESTORE.json").read_text())
    assert written["generation"] == 1 and "sqs" in written["services"]
    assert json.loads((tmp_path / "UNSUPPORTED.json").read_text())


def test_state_that_cannot_be_pickled_is_reported_and_the_last_good_save_kept(runtime, tmp_path):
    persister, service, _ = runtime()
    store = service.bundle["000000000000"]["us-east-1"]
    store.queues["ok"] = 1
    persister.save("periodic")
    store.queues["bad"] = (n for n in range(3))  # a generator cannot be pickled
    persister.changes.mark("sqs")

    result = persister.save("periodic")
    assert "sqs" in result["failed"] and result["kept"] == ["sqs"]
    unsupported = json.loads((tmp_path / "UNSUPPORTED.json").read_text())
    assert any(entry["service"] == "sqs" and "cannot be saved" in entry["reason"] for entry in unsupported)

    restarted, service2, _ = runtime()
    restarted.restore()
    assert service2.bundle["000000000000"]["us-east-1"].queues == {"ok": 1}


def test_state_that_cannot_be_loaded_is_set_aside_and_the_service_saved_again(runtime, tmp_path, monkeypatch):
    persister, service, _ = runtime()
    service.bundle["000000000000"]["us-east-1"].queues["work"] = 1
    persister.save("periodic")

    restarted, service2, _ = runtime()

    def broken(*args):
        raise ValueError("written by an older stagegraph")

    monkeypatch.setattr(persistence, "load_bundle", broken)
    report = restarted.restore()
    assert report["services"]["sqs"]["restored"] is False
    assert restarted.gate.opened.is_set()
    assert os.listdir(tmp_path / "unrestored")
    service2.bundle["000000000000"]["us-east-1"].queues["new"] = 2
    assert restarted.save("periodic")["written"] == ["sqs"]


def test_a_save_running_while_requests_change_the_state_still_writes_a_whole_snapshot(runtime):
    persister, service, _ = runtime()
    store = service.bundle["000000000000"]["us-east-1"]
    stop = threading.Event()

    def writer():
        n = 0
        while not stop.is_set():
            store.queues[f"q{n % 500}"] = list(range(n % 50))
            store.queues.pop(f"q{(n + 250) % 500}", None)
            n += 1

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        for _ in range(20):
            persister.changes.mark("sqs")
            assert persister.save("periodic")["failed"] == {}
    finally:
        stop.set()
        thread.join()


def test_a_save_records_when_it_began_since_a_change_made_while_it_runs_may_be_missing(runtime, tmp_path, monkeypatch):
    persister, service, _ = runtime()
    store = service.bundle["000000000000"]["us-east-1"]
    store.queues["work"] = ["m1"]
    serialize = persister._serialize
    acknowledged: list[float] = []

    def slow_serialize(name):
        data = serialize(name)
        # A message sent (and acknowledged) after the service was read, before the commit.
        store.queues["work"].append("m2")
        acknowledged.append(time.time())
        return data

    monkeypatch.setattr(persister, "_serialize", slow_serialize)
    began = time.time()
    persister.save("periodic")

    saved_at = persister.store.saved_at()
    generation = persister.store.current()
    committed_at = json.loads((tmp_path / "snapshot" / str(generation) / "SAVED.json").read_text())["committedAt"]
    # Not the commit: m2 was acknowledged before it but is not in the generation.
    assert began <= saved_at <= acknowledged[0] <= committed_at
    restarted, service2, _ = runtime()
    restarted.restore()
    assert service2.bundle["000000000000"]["us-east-1"].queues == {"work": ["m1"]}


def test_restore_json_is_written_before_the_gate_opens(runtime, tmp_path, monkeypatch):
    persister, service, _ = runtime()
    service.bundle["000000000000"]["us-east-1"].queues["work"] = 1
    persister.save("periodic")
    (tmp_path / "RESTORE.json").write_text('{"restoredAt": 0}')  # the report of an earlier start

    restarted, _, _ = runtime()
    seen_when_open: list[dict] = []
    open_gate = restarted.gate.open

    def open_and_look():
        # What a client that waited for the health check reads at this moment.
        seen_when_open.append(json.loads((tmp_path / "RESTORE.json").read_text()))
        open_gate()

    monkeypatch.setattr(restarted.gate, "open", open_and_look)
    report = restarted.restore()
    assert seen_when_open[0]["restoredAt"] == report["restoredAt"] > 0
    assert seen_when_open[0]["services"]["sqs"]["restored"] is True


def test_restored_services_have_their_operations_routed_before_the_gate_opens(runtime):
    persister, service, _ = runtime()
    service.bundle["000000000000"]["us-east-1"].queues["work"] = 1
    persister.save("periodic")

    restarted, service2, _ = runtime()
    routed: list = []
    service2.skeleton = "the skeleton of sqs"
    restarted._service_loader = types.SimpleNamespace(
        service_locks=collections.defaultdict(threading.RLock),
        loaded_services=set(),
        service_request_router=types.SimpleNamespace(add_skeleton=routed.append),
    )
    opened_with: list = []
    open_gate = restarted.gate.open
    restarted.gate.open = lambda: (opened_with.append(set(restarted._service_loader.loaded_services)), open_gate())
    restarted.restore()

    assert routed == ["the skeleton of sqs"]
    assert opened_with == [{"sqs"}]
    restarted._attach("sqs", service2)  # already routed: not twice
    assert routed == ["the skeleton of sqs"]


def test_an_unchanged_background_service_is_pickled_less_often_and_again_each_interval_once_it_changes(
    runtime, monkeypatch
):
    persister, service, _ = runtime()
    monkeypatch.setattr(persistence, "BACKGROUND_SERVICES", {"sqs"})
    persister.interval, persister.background_max = 5.0, 20.0
    now = [0.0]
    persister._clock = lambda: now[0]
    pickled = []
    serialize = persister._serialize
    persister._serialize = lambda name: pickled.append(now[0]) or serialize(name)
    queues = service.bundle["000000000000"]["us-east-1"].queues

    def run_until(end):
        while now[0] <= end:
            report = persister.save("periodic")
            assert "sqs" in report["written"] + report["kept"]
            now[0] += 5.0

    queues["work"] = ["m1"]
    run_until(60)
    # A change, then unchanged: pickled after 5, 10, 20 and at most 20 seconds.
    assert pickled == [0.0, 5.0, 15.0, 35.0, 55.0]

    # A request reaches it: every interval again, then the waits grow again.
    persister.changes.mark("sqs")
    pickled.clear()
    run_until(100)
    assert pickled == [65.0, 70.0, 80.0, 100.0]

    # Changed by a thread of its own, with no request: saved at the next pickle it is due, then every interval.
    queues["work"].append("m2")
    pickled.clear()
    run_until(130)
    assert pickled == [120.0, 125.0]
    restarted, service2, _ = runtime()
    restarted.restore()
    assert service2.bundle["000000000000"]["us-east-1"].queues == {"work": ["m1", "m2"]}


@pytest.mark.parametrize("value,expected", [(None, 20.0), ("5", 5.0), ("soon", 20.0), ("-1", 0.0)])
def test_the_background_wait_comes_from_the_environment(environ, value, expected):
    environ(persistence.BACKGROUND_MAX_VARIABLE, value)
    assert persistence.background_max() == expected
