"""Event source mapping polling: the SQS pollers' scaling with the backlog, their limits, and the pace of streams."""
import threading
import time

import pytest

from stagegraph_localstack import esm_polling
from stagegraph_localstack.esm_polling import SqsPollers, StreamPace, max_pollers


class FakeQueue:
    """A queue of message ids; a poll receives up to a batch, each message exactly once, and 'processes' it."""

    def __init__(self, messages: int, batch: int = 10, work_seconds: float = 0.01):
        self.total = messages
        self.visible = list(range(messages))
        self.batch = batch
        self.work_seconds = work_seconds
        self.lock = threading.Lock()
        self.processed: list[int] = []
        self.concurrent = 0
        self.max_concurrent = 0
        self.polls = 0

    def poll(self) -> bool:
        with self.lock:
            self.polls += 1
            taken, self.visible = self.visible[: self.batch], self.visible[self.batch :]
            if not taken:
                return False
            self.concurrent += 1
            self.max_concurrent = max(self.max_concurrent, self.concurrent)
        time.sleep(self.work_seconds)  # the function runs
        with self.lock:
            self.processed.extend(taken)
            self.concurrent -= 1
        return True

    def backlog(self) -> int:
        with self.lock:
            return len(self.visible)


def run_until_drained(queue: FakeQueue, limit: int, timeout: float = 10.0) -> SqsPollers:
    stopped = threading.Event()
    pollers = SqsPollers(queue.poll, queue.backlog, lambda: limit, stopped, name="test")
    lead = threading.Thread(target=pollers.run_lead, args=(lambda error: 0.01,))
    lead.start()
    deadline = time.time() + timeout
    while len(queue.processed) < queue.total and time.time() < deadline:
        time.sleep(0.01)
    stopped.set()
    lead.join(5)
    pollers.join(5)
    return pollers


def test_pollers_scale_with_the_backlog_up_to_the_limit_and_process_each_message_once():
    queue = FakeQueue(500, work_seconds=0.02)
    pollers = run_until_drained(queue, limit=5)
    assert sorted(queue.processed) == list(range(500))  # none lost, none twice
    assert 3 <= queue.max_concurrent <= 5  # scaled up, never past the limit
    assert pollers.active == 1  # the extra pollers stopped at their first empty poll


def test_one_poller_when_the_limit_is_one():
    queue = FakeQueue(100, work_seconds=0.005)
    pollers = run_until_drained(queue, limit=1)
    assert sorted(queue.processed) == list(range(100))
    assert queue.max_concurrent == 1
    assert pollers.started == 0


def test_an_idle_queue_is_not_polled_until_it_holds_messages():
    queue = FakeQueue(0)
    stopped = threading.Event()
    pollers = SqsPollers(queue.poll, queue.backlog, lambda: 5, stopped)
    lead = threading.Thread(target=pollers.run_lead, args=(lambda error: 0.01,))
    lead.start()
    time.sleep(0.3)
    assert queue.polls == 0
    with queue.lock:
        queue.visible = [1, 2, 3]
    deadline = time.time() + 2
    while len(queue.processed) < 3 and time.time() < deadline:
        time.sleep(0.01)
    stopped.set()
    lead.join(2)
    assert sorted(queue.processed) == [1, 2, 3]
    assert not lead.is_alive()


def test_a_poll_that_finds_nothing_backs_off_when_the_backlog_cannot_be_received():
    # e.g. a FIFO queue whose only message group is in flight: messages counted, none receivable
    polls = []
    stopped = threading.Event()
    pollers = SqsPollers(lambda: polls.append(1) or False, lambda: 3, lambda: 5, stopped)
    lead = threading.Thread(target=pollers.run_lead, args=(lambda error: 0.01,))
    lead.start()
    time.sleep(1.0)
    stopped.set()
    lead.join(2)
    assert 1 <= len(polls) <= 8  # 50, 100, 200, 400 ms ... not a poll every 50 ms


def test_a_failed_poll_waits_as_the_error_handler_says():
    errors = []
    stopped = threading.Event()

    def poll():
        raise RuntimeError("queue gone")

    pollers = SqsPollers(poll, lambda: None, lambda: 5, stopped)
    lead = threading.Thread(target=pollers.run_lead, args=(lambda error: errors.append(error) or 0.2,))
    lead.start()
    time.sleep(0.5)
    stopped.set()
    lead.join(2)
    assert 1 <= len(errors) <= 4


def test_max_pollers_honours_maximum_concurrency_and_reserved_concurrency():
    assert max_pollers({}, None, limit=5) == 5
    assert max_pollers({"ScalingConfig": {"MaximumConcurrency": 2}}, None, limit=5) == 2
    assert max_pollers({"ScalingConfig": {"MaximumConcurrency": 50}}, None, limit=5) == 5
    assert max_pollers({}, 3, limit=5) == 3
    assert max_pollers({}, 0, limit=5) == 1  # a function that may not run: one poller, throttled as on AWS


def test_max_pollers_setting(monkeypatch):
    monkeypatch.setenv("STAGEGRAPH_SQS_MAX_POLLERS", "8")
    assert esm_polling.max_sqs_pollers_setting() == 8
    monkeypatch.setenv("STAGEGRAPH_SQS_MAX_POLLERS", "x")
    assert esm_polling.max_sqs_pollers_setting() == esm_polling.DEFAULT_MAX_SQS_POLLERS
    monkeypatch.setenv("STAGEGRAPH_SQS_MAX_POLLERS", "2.5")
    assert esm_polling.max_sqs_pollers_setting() == esm_polling.DEFAULT_MAX_SQS_POLLERS
    monkeypatch.setenv("STAGEGRAPH_SQS_MAX_POLLERS", "0")
    assert esm_polling.max_sqs_pollers_setting() == 1


def test_a_stream_waits_only_after_a_round_over_its_shards_found_no_records():
    pace = StreamPace()
    pace.record(5)
    assert not pace.should_wait(shards=2)
    pace.record(0)
    assert not pace.should_wait(shards=2)  # the other shard may have records
    pace.record(0)
    assert pace.should_wait(shards=2)
    pace.record(1)
    assert not pace.should_wait(shards=2)


def test_install_patches_the_event_source_mapping_loop():
    pytest.importorskip("localstack.services.lambda_.event_source_mapping.esm_worker")
    from localstack.services.lambda_.event_source_mapping.esm_worker import EsmWorker

    assert esm_polling.install()
    patched = EsmWorker.poller_loop
    assert esm_polling.install()  # once
    assert EsmWorker.poller_loop is patched


def test_a_worker_an_update_replaced_leaves_the_mappings_state_to_its_successor(monkeypatch):
    """UpdateEventSourceMapping stops the old worker and starts a new one under the same UUID: the old one ends after
    the new one put ENABLED in the store, and must not write DISABLED over it (a running mapping reported Disabled,
    restored disabled after a restart)."""
    import types

    from stagegraph_localstack import services

    class EsmState:
        ENABLED, DISABLING, DISABLED, DELETING = "Enabled", "Disabling", "Disabled", "Deleting"

    store = {}

    def worker(uuid):
        w = types.SimpleNamespace(
            uuid=uuid, enabled=True, current_state=None, _state_lock=threading.Lock(), user_state_reason="User action",
            _graceful_shutdown_triggered=False, poller=types.SimpleNamespace(close=lambda: None),
            delete_esm_in_store=lambda: store.pop(uuid, None),
        )
        w.update_esm_state_in_store = lambda state: store.__setitem__(uuid, state)
        return w

    module = types.SimpleNamespace(EsmState=EsmState)
    old, new = worker("u1"), worker("u1")
    provider = types.SimpleNamespace(esm_workers={"u1": old})
    monkeypatch.setattr(services, "provider_of", lambda name: provider)

    def old_loop():
        # While the old one polls, the update replaces it and stops it; the new one starts and is ENABLED.
        provider.esm_workers["u1"] = new
        old.enabled, old.current_state = False, EsmState.DISABLING
        esm_polling._run(new, module, lambda: None)

    esm_polling._run(old, module, old_loop)
    assert store == {"u1": EsmState.ENABLED}

    # A worker still current that is disabled writes DISABLED, as LocalStack's loop does.
    def disable():
        new.enabled, new.current_state = False, EsmState.DISABLING

    esm_polling._run(new, module, disable)
    assert store == {"u1": EsmState.DISABLED}

    # An update, then the mapping deleted before the replaced worker ends: the deletion is left to the deleting one.
    replaced, successor = worker("u2"), worker("u2")
    provider.esm_workers["u2"] = replaced

    def updated_then_deleted():
        provider.esm_workers["u2"] = successor
        replaced.enabled, replaced.current_state = False, EsmState.DISABLING
        # DeleteEventSourceMapping: the provider pops the successor, which is told to delete.
        provider.esm_workers.pop("u2")
        successor.current_state = EsmState.DELETING
        store["u2"] = EsmState.DELETING

    esm_polling._run(replaced, module, updated_then_deleted)
    assert store["u2"] == EsmState.DELETING

    def deleted():
        successor.current_state = EsmState.DELETING

    esm_polling._run(successor, module, deleted)
    assert "u2" not in store
