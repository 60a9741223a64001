"""Step Functions executions: parsed JSONPaths kept, execution logs written in order by one thread, in batches."""
import threading

import pytest

from stagegraph_localstack import flow_execution
from stagegraph_localstack.flow_execution import LogDelivery, cached_parse


def test_a_path_is_parsed_once():
    calls = []

    def parse(text):
        calls.append(text)
        return object()

    parse_cached = cached_parse(parse)
    first = parse_cached("$.a.b")
    assert parse_cached("$.a.b") is first
    parse_cached("$.c")
    assert calls == ["$.a.b", "$.c"]


def event(n):
    return {"timestamp": n, "message": str(n)}


def held_delivery(record=lambda session, events: (session, [e["message"] for e in events])):
    """A delivery whose writer waits for ``gate`` and then keeps ``record(session, events)`` of each call in
    ``written``."""
    written = []
    gate = threading.Event()

    def write(session, events):
        gate.wait(5)
        written.append(record(session, events))

    return LogDelivery(write), written, gate


def test_log_events_are_written_in_order_batched_per_session_and_drained():
    delivery, written, gate = held_delivery()
    for i in range(5):
        delivery.put("a", event(i))
    delivery.put("b", event(100))
    delivery.put("a", event(5))
    assert not delivery.drain(0.05)  # the writer is held: not drained
    gate.set()
    assert delivery.drain(5)
    events_of = {s: [e for session, batch in written if session == s for e in batch] for s in ("a", "b")}
    assert events_of == {"a": ["0", "1", "2", "3", "4", "5"], "b": ["100"]}
    # Fewer writes than events: consecutive events of a session go in one call.
    assert len(written) < 7


def test_interleaved_sessions_are_written_one_call_each():
    delivery, written, gate = held_delivery()
    sessions = [f"execution-{k}" for k in range(3)]  # one object per execution, as LocalStack's sessions
    delivery.put("first", event(0))  # taken alone while the writer is held
    for i in range(1, 31):  # executions at once, their events interleaved
        delivery.put(sessions[i % 3], event(i))
    gate.set()
    assert delivery.drain(5)
    assert written[0] == ("first", ["0"])
    assert sorted(written[1:]) == [(f"execution-{k}", [str(i) for i in range(1, 31) if i % 3 == k]) for k in range(3)]


def test_executions_of_one_state_machine_share_a_batch_of_their_stream_in_time_order():
    from types import SimpleNamespace

    delivery, written, gate = held_delivery(lambda session, events: [e["timestamp"] for e in events])

    def session(stream):
        return SimpleNamespace(configuration=SimpleNamespace(
            log_account_id="000000000000", log_region="us-east-1", log_group_name="/flows", log_stream_name=stream))

    delivery.put(session("states/c"), event(0))  # may be taken alone while the writer is held
    executions = [session("states/a"), session("states/a"), session("states/b")]
    for t in (5, 3, 4, 1, 2, 6):
        delivery.put(executions[t % 3], event(t))
    gate.set()
    assert delivery.drain(5)
    # two executions of machine a in one call, in time order; machines b's and c's streams apart
    assert sorted(written) == [[0], [1, 3, 4, 6], [2, 5]]


def test_a_batch_is_written_in_time_order():
    written = []
    gate = threading.Event()
    delivery = LogDelivery(lambda session, events: gate.wait(5) and written.extend(e["timestamp"] for e in events))
    delivery.put("a", event(0))  # taken alone while the writer is held
    for t in (3, 1, 2):
        delivery.put("a", event(t))
    gate.set()
    assert delivery.drain(5)
    assert written == [0, 1, 2, 3]


def test_the_drain_waits_for_what_was_put_before_it_not_after():
    gate = threading.Event()
    release_later = threading.Event()

    def write(session, events):
        if session == "late":
            release_later.wait(5)
        gate.wait(5)

    delivery = LogDelivery(write)
    delivery.put("early", event(1))
    gate.set()
    assert delivery.drain(5)
    delivery.put("late", event(2))  # an execution still running keeps logging
    done = threading.Event()
    threading.Thread(target=lambda: delivery.drain(5) and done.set()).start()
    assert not done.wait(0.1)
    release_later.set()
    assert done.wait(5)


def test_a_failed_write_does_not_stop_the_rest():
    written = []

    def write(session, events):
        if session == "bad":
            raise RuntimeError("no stream")
        written.extend(e["message"] for e in events)

    delivery = LogDelivery(write)
    delivery.put("bad", event(1))
    delivery.put("good", event(2))
    assert delivery.drain(5)
    assert written == ["2"]


def test_install_patches_step_functions():
    pytest.importorskip("localstack.services.stepfunctions.asl.eval.event.logging")
    assert flow_execution.install()


def test_a_definition_is_parsed_once_and_its_program_built_for_every_execution():
    import pytest

    from stagegraph_localstack.flow_execution import tree_cached_parse

    parsed = []

    class ParseError(Exception):
        pass

    class Preprocessor:
        def visit(self, tree):
            return {"program of": tree}

    def parse(definition):
        """LocalStack's parse: the ANTLR tree, and the program built from it."""
        parsed.append(definition)
        if "bad" in definition:
            raise ParseError("line 1:0 bad")
        tree = ("tree", definition)
        return Preprocessor().visit(tree), tree

    cached = tree_cached_parse(parse, Preprocessor)

    first_program, first_tree = cached('{"StartAt": "A"}')
    second_program, second_tree = cached('{"StartAt": "A"}')
    assert first_tree is second_tree and first_program == second_program and first_program is not second_program
    assert parsed == ['{"StartAt": "A"}']
    # a definition with errors raises every time, and is not kept
    for _ in range(2):
        with pytest.raises(ParseError):
            cached("bad")
    assert parsed.count("bad") == 2


def test_execution_logs_go_into_the_logs_store_in_process_once_loaded_else_through_localstacks_write(monkeypatch):
    from types import SimpleNamespace

    from stagegraph_localstack import flow_execution, log_delivery

    stored, through_gateway = [], []

    class Session:
        configuration = SimpleNamespace(log_account_id="000000000000", log_region="us-east-1",
                                        log_group_name="/flows", log_stream_name="states/a")

        def _publish_history_log_or_setup(self, log_events):
            through_gateway.append(log_events)

    outcome = {"in process": True}

    def write_in_process(account, region, group, stream, events, create_group=True):
        assert (account, region, group, stream, create_group) == ("000000000000", "us-east-1", "/flows", "states/a", False)
        if isinstance(outcome["in process"], Exception):
            raise outcome["in process"]
        if outcome["in process"]:
            stored.append(events)
        return outcome["in process"]

    monkeypatch.setattr(log_delivery, "write_in_process", write_in_process)
    monkeypatch.setattr(log_delivery, "IN_PROCESS_WRITES", True)
    monkeypatch.setattr(log_delivery, "_logs_loaded", threading.Event())
    session = Session()

    flow_execution.write_events(session, [event(1)])  # the run's first write loads the logs service
    assert through_gateway == [[event(1)]] and stored == [] and log_delivery.logs_loaded()
    flow_execution.write_events(session, [event(2)])
    assert stored == [[event(2)]]
    outcome["in process"] = False  # the group is gone, or metric filters: LocalStack's write decides
    flow_execution.write_events(session, [event(3)])
    outcome["in process"] = RuntimeError("store failed")
    flow_execution.write_events(session, [event(4)])
    assert through_gateway == [[event(1)], [event(3)], [event(4)]]
    assert flow_execution._destination(session) == ("000000000000", "us-east-1", "/flows", "states/a")
