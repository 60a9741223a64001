"""The asynchronous delivery of CloudWatch Logs subscriptions: batching, retries, shutdown and restart."""
import base64
import gzip
import json
import threading
import time

from stagegraph_localstack import log_delivery
from stagegraph_localstack.log_delivery import Deliverer, Delivery, batches, load_pending, payload, save_pending


def delivery(stream="s1", messages=("a",), filter_name="f1", attempts=0):
    return Delivery(
        account="000000000000", region="us-east-1", log_group="/aws/lambda/fn", log_stream=stream, filter_name=filter_name,
        destination_arn="arn:aws:lambda:us-east-1:000000000000:function:meter", role_arn=None,
        events=[{"id": str(i), "timestamp": i, "message": m} for i, m in enumerate(messages)], attempts=attempts,
    )


def test_batches_join_the_calls_of_one_stream_and_subscription_in_order():
    joined = batches([delivery("s1", ["1", "2"]), delivery("s2", ["x"]), delivery("s1", ["3"]), delivery("s1", ["4"], filter_name="f2")])
    assert [(b.log_stream, b.filter_name, [e["message"] for e in b.events]) for b in joined] == [
        ("s1", "f1", ["1", "2", "3"]), ("s2", "f1", ["x"]), ("s1", "f2", ["4"]),
    ]


def test_batches_stay_within_the_event_and_byte_limits(monkeypatch):
    monkeypatch.setattr(log_delivery, "MAX_EVENTS", 3)
    assert [len(b.events) for b in batches([delivery(messages=["m"] * 2)] * 3)] == [2, 2, 2]
    monkeypatch.setattr(log_delivery, "MAX_EVENTS", 100)
    monkeypatch.setattr(log_delivery, "MAX_BYTES", 10)
    assert [len(b.events) for b in batches([delivery(messages=["12345"]), delivery(messages=["12345"]), delivery(messages=["1"])])] == [2, 1]


def test_the_payload_is_what_cloudwatch_logs_sends():
    compressed, event = payload(delivery(messages=["REPORT x"]))
    data = json.loads(gzip.decompress(base64.b64decode(event["awslogs"]["data"])))
    assert data == json.loads(gzip.decompress(compressed))
    assert data["messageType"] == "DATA_MESSAGE" and data["subscriptionFilters"] == ["f1"] and data["logStream"] == "s1"
    assert [e["message"] for e in data["logEvents"]] == ["REPORT x"]


def test_the_deliverer_sends_in_the_background_and_retries_failures():
    sent, failures = [], [1]
    done = threading.Event()

    def send(batch):
        if failures:
            failures.pop()
            raise RuntimeError("destination not ready")
        sent.append([e["message"] for e in batch.events])
        if sum(map(len, sent)) == 3:
            done.set()

    deliverer = Deliverer(send, retry_delay=0.01)
    deliverer.start()
    deliverer.put(delivery(messages=["1", "2"]))
    deliverer.put(delivery(messages=["3"]))
    assert done.wait(5)
    assert [m for batch in sent for m in batch] == ["1", "2", "3"]
    assert deliverer.drain(1) == []


def test_drain_returns_what_it_could_not_deliver_and_it_survives_a_restart(tmp_path):
    release = threading.Event()

    def send(batch):
        release.wait(5)
        raise RuntimeError("destination down")

    deliverer = Deliverer(send, retry_delay=0.01)
    deliverer.start()
    deliverer.put(delivery(messages=["1"]))
    deliverer.put(delivery(messages=["2"]))
    threading.Timer(0.3, release.set).start()
    # The payload being sent when the deadline passes finishes (here: fails), and comes back with the rest.
    left = deliverer.drain(0.1, grace=5)
    assert sorted(e["message"] for d in left for e in d.events) == ["1", "2"]
    save_pending(left, str(tmp_path))
    assert sorted(e["message"] for d in load_pending(str(tmp_path)) for e in d.events) == ["1", "2"]
    assert load_pending(str(tmp_path)) == []


def test_lambda_log_items_of_one_stream_are_written_together_in_order():
    from types import SimpleNamespace

    items = [SimpleNamespace(log_group="g", log_stream="a", logs="START 1\nout\nREPORT 1\n"),
             SimpleNamespace(log_group="g", log_stream="b", logs="START 2\n\nREPORT 2\n"),
             SimpleNamespace(log_group="g", log_stream="a", logs="START 3\nREPORT 3\n")]
    assert log_delivery._log_batches(items) == [
        ("g", "a", ["START 1\n", "out\n", "REPORT 1\n", "START 3\n", "REPORT 3\n"]),
        ("g", "b", ["START 2\n", "REPORT 2\n"]),
    ]


def test_after_a_failure_the_rest_of_that_stream_waits_so_its_order_holds():
    sent, failed = [], [True]
    done = threading.Event()

    def send(batch):
        messages = [e["message"] for e in batch.events]
        if failed and messages == ["1"]:
            failed.pop()
            raise RuntimeError("meter cold")
        sent.append(messages)
        if sum(map(len, sent)) == 3:
            done.set()

    deliverer = Deliverer(send, retry_delay=0.01)
    # Two batches of one stream in one round: the first fails; the second must not overtake it.
    deliverer.queue.extend([delivery(messages=["1"]), delivery(stream="other", messages=["x"])])
    deliverer.queue.append(delivery(messages=["2"]))
    log_delivery.MAX_EVENTS, saved = 1, log_delivery.MAX_EVENTS
    try:
        deliverer.start()
        assert done.wait(5)
    finally:
        log_delivery.MAX_EVENTS = saved
    order = [m for batch in sent for m in batch if m != "x"]
    assert order == ["1", "2"]
    deliverer.drain(1)


def test_one_invocation_s_lines_are_never_split_between_calls(monkeypatch):
    from types import SimpleNamespace

    monkeypatch.setattr(log_delivery, "MAX_EVENTS", 4)
    items = [SimpleNamespace(log_group="g", log_stream="a", logs="START 1\nREPORT 1\n"),
             SimpleNamespace(log_group="g", log_stream="a", logs="START 2\nx\ny\nREPORT 2\n"),
             SimpleNamespace(log_group="g", log_stream="a", logs="START 3\n" + "z\n" * 6 + "REPORT 3\n")]
    assert [len(lines) for _, _, lines in log_delivery._log_batches(items)] == [2, 4, 8]


def test_the_log_loop_takes_what_comes_within_its_linger():
    import queue
    import threading
    import time

    from stagegraph_localstack.log_delivery import take_lingering

    lines: queue.Queue = queue.Queue()
    stop = object()
    lines.put("first")
    threading.Timer(0.02, lines.put, ["second"]).start()
    assert take_lingering(lines, 0.5, stop) == ["first", "second"]
    # nothing more within the linger: it returns once the linger is over, not before
    lines.put("third")
    started = time.monotonic()
    assert take_lingering(lines, 0.05, stop) == ["third"]
    assert time.monotonic() - started >= 0.04
    # without a linger, what has queued
    lines.put("a")
    lines.put("b")
    assert take_lingering(lines, 0, stop) == ["a", "b"]
    # the shutdown ends the wait at once
    lines.put("c")
    lines.put(stop)
    started = time.monotonic()
    assert take_lingering(lines, 5, stop) == ["c", stop]
    assert time.monotonic() - started < 1


def test_a_function_s_lines_are_stored_in_process_as_put_log_events_stores_them(monkeypatch):
    import pytest

    pytest.importorskip("localstack.services.logs.models")
    from localstack.services.logs.models import get_moto_logs_backend

    from stagegraph_localstack import persistence

    marked = []
    monkeypatch.setattr(persistence, "mark_changed", marked.append)
    backend = get_moto_logs_backend("111111111111", "eu-west-1")
    now = int(time.time() * 1000)
    events = [{"timestamp": now + i, "message": f"line {i}\n"} for i in range(3)]
    # A flow's write makes no group that is gone (LocalStack's own write does not either): nothing written.
    assert not log_delivery.write_in_process("111111111111", "eu-west-1", "/aws/lambda/fn", "s", events, create_group=False)
    assert "/aws/lambda/fn" not in backend.groups and marked == []
    # The group and the stream are made when missing, as the log loop does through the gateway.
    assert log_delivery.write_in_process("111111111111", "eu-west-1", "/aws/lambda/fn", "2026/11/26/[$LATEST]a", events)
    assert log_delivery.write_in_process("111111111111", "eu-west-1", "/aws/lambda/fn", "2026/11/26/[$LATEST]a", events[:1])
    stream = backend.groups["/aws/lambda/fn"].streams["2026/11/26/[$LATEST]a"]
    assert [e.message for e in stream.events] == ["line 0\n", "line 1\n", "line 2\n", "line 0\n"]
    assert marked == ["logs", "logs"]
    # A metric filter is LocalStack's provider's to apply: the loop writes through the gateway then.
    backend.put_metric_filter("/aws/lambda/fn", "errors", "ERROR", [{"metricName": "E", "metricNamespace": "N", "metricValue": "1"}])
    assert not log_delivery.write_in_process("111111111111", "eu-west-1", "/aws/lambda/fn", "s", events)
    assert "s" not in backend.groups["/aws/lambda/fn"].streams
