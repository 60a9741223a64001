"""The live log: one bounded stream of invocations and flow steps that `stagegraph dev` long-polls."""
import threading
import time
from types import SimpleNamespace

from stagegraph_localstack import live_log


def setup_function():
    live_log._entries.clear()
    live_log._last_seq = 0
    live_log._chars = 0


BOOT = {"boot": live_log.BOOT}


def test_a_reader_gets_every_entry_after_its_sequence_oldest_first():
    live_log.publish("function", "Hello", requestId="r1", text="START\nEND\n")
    live_log.publish("flow", "Orders", execution="e1", type="StateEntered", state="Charge", error=None)
    first = live_log.read(0)
    assert [e["seq"] for e in first["entries"]] == [1, 2]
    assert first["next"] == 2 and first["dropped"] == 0
    assert first["entries"][0] | {"at": 0} == {"kind": "function", "name": "Hello", "requestId": "r1",
                                               "text": "START\nEND\n", "seq": 1, "at": 0}
    # A field given as None is left out.
    assert "error" not in first["entries"][1]
    assert live_log.read(1)["entries"][0]["state"] == "Charge"
    assert live_log.read(2) == BOOT | {"next": 2, "dropped": 0, "entries": []}


def test_a_waiting_reader_is_answered_as_soon_as_an_entry_comes():
    answer = {}

    def reader():
        started = time.monotonic()
        answer["read"] = live_log.read(0, wait_ms=4000)
        answer["waited"] = time.monotonic() - started

    thread = threading.Thread(target=reader)
    thread.start()
    time.sleep(0.1)
    live_log.publish("function", "Hello", text="x")
    thread.join(5)
    assert [e["text"] for e in answer["read"]["entries"]] == ["x"]
    assert 0.05 < answer["waited"] < 2


def test_the_wait_is_bounded_and_an_empty_answer_keeps_the_reader_where_it_was():
    started = time.monotonic()
    assert live_log.read(0, wait_ms=50) == BOOT | {"next": 0, "dropped": 0, "entries": []}
    assert time.monotonic() - started < 1
    assert live_log.MAX_WAIT_MS <= 5000


def test_a_reader_behind_the_kept_entries_is_told_how_many_it_missed():
    for i in range(live_log.KEEP + 10):
        live_log.publish("function", "Busy", text=str(i))
    answer = live_log.read(0)
    assert answer["dropped"] == 10
    assert answer["entries"][0]["seq"] == 11
    assert len(answer["entries"]) == live_log.MOST_PER_READ


def test_a_sequence_of_an_earlier_run_goes_on_from_this_runs_end():
    live_log.publish("function", "Hello", text="x")
    # The boot id tells the reader the local cloud started again: it reads this run from its first entry.
    assert live_log.read(500, wait_ms=2000) == BOOT | {"next": 1, "dropped": 0, "entries": []}


def test_texts_are_cut_to_the_field_limit():
    live_log.publish("function", "Loud", text="y" * (live_log.FIELD_LIMIT + 100))
    text = live_log.read(0)["entries"][0]["text"]
    assert len(text) < live_log.FIELD_LIMIT + 100 and text.endswith("per entry]\n")


def test_the_resource_starts_a_new_reader_at_the_end():
    live_log.publish("function", "Hello", text="old")
    resource = live_log.LiveResource()
    assert resource.on_get(SimpleNamespace(args={})) == BOOT | {"next": 1, "dropped": 0, "entries": []}
    live_log.publish("function", "Hello", text="new")
    got = resource.on_get(SimpleNamespace(args={"after": "1", "wait": "10"}))
    assert [e["text"] for e in got["entries"]] == ["new"]


def test_flow_fields_name_the_state_and_the_error():
    assert live_log._flow_fields("TaskStateEntered", {"stateEnteredEventDetails": {"name": "Charge", "input": "{}"}}) == {
        "type": "TaskStateEntered", "state": "Charge"}
    assert live_log._flow_fields("SucceedStateExited", {"stateExitedEventDetails": {"name": "Done"}}) == {
        "type": "SucceedStateExited", "state": "Done"}
    assert live_log._flow_fields("LambdaFunctionFailed", {
        "lambdaFunctionFailedEventDetails": {"error": "Busy", "cause": "try later"}}) == {
        "type": "LambdaFunctionFailed", "error": "Busy", "cause": "try later"}
    assert live_log._flow_fields("ExecutionSucceeded", None) == {"type": "ExecutionSucceeded"}


def test_the_kept_texts_are_bounded_in_all_oldest_first():
    big = "z" * (live_log.FIELD_LIMIT - 10)
    for _ in range(live_log.TOTAL_LIMIT // len(big) + 5):
        live_log.publish("function", "Loud", text=big)
    assert live_log._chars <= live_log.TOTAL_LIMIT
    answer = live_log.read(0)
    assert answer["dropped"] >= 5
    assert sum(live_log._size(e) for e in live_log._entries) == live_log._chars


def test_an_entry_keeps_the_time_it_happened():
    live_log.publish("flow", "Orders", at=1234, execution="e", type="TaskStateEntered", state="A")
    assert live_log.read(0)["entries"][0]["at"] == 1234
