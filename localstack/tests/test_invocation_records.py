"""The executor's record of each function's last invocations: what the tests' nextInvocation reads."""
from types import SimpleNamespace

from stagegraph_localstack import invocation_records as records


def setup_function():
    records._records.clear()
    records._order.clear()
    records._bytes = 0


def test_an_invocation_is_answered_with_its_event_and_result_from_its_start_on():
    records.record("fn", "r1", 1000, 3.456, b'{"key":"in/a.jpg"}', b'{"ok":true}', False)
    records.record("fn", "r2", 2000, 1.0, '{"key":"in/b.jpg"}', b'{"errorType":"Error"}', True)
    records.record("other", "r3", 2500, 1.0, b"{}", b"null", False)

    assert [i["requestId"] for i in records.query("fn")] == ["r1", "r2"]
    latest = records.query("fn", since_ms=1500)
    assert latest == [{"requestId": "r2", "startedAt": 2000, "durationMs": 1.0, "event": '{"key":"in/b.jpg"}',
                       "result": '{"errorType":"Error"}', "error": True, "truncated": False}]
    assert records.query("fn", since_ms=2001) == []
    assert records.query("missing") == []


def test_the_record_is_bounded_per_function_per_field_and_in_functions():
    for i in range(records.KEEP + 7):
        records.record("busy", f"r{i}", i, 1.0, b"x", b"y", False)
    kept = records.query("busy")
    assert len(kept) == records.KEEP and kept[0]["requestId"] == "r7"

    big = b"a" * (records.FIELD_LIMIT + 10)
    records.record("big", "r", 0, 1.0, big, None, False)
    (entry,) = records.query("big")
    assert len(entry["event"]) == records.FIELD_LIMIT and entry["truncated"] and entry["result"] == ""

    for i in range(records.MOST_FUNCTIONS + 1):
        records.record(f"fn{i}", "r", 0, 1.0, b"", b"", False)
    assert records.query("busy") == [] and len(records._records) == records.MOST_FUNCTIONS


def test_the_resource_reads_function_and_since_from_the_query():
    records.record("fn", "r1", 1000, 1.0, b"{}", b"{}", False)
    records.record("fn", "r2", 3000, 1.0, b"{}", b"{}", False)
    answer = records.InvocationsResource().on_get(SimpleNamespace(args={"function": "fn", "since": "2000"}))
    assert answer["function"] == "fn" and [i["requestId"] for i in answer["invocations"]] == ["r2"]
    bad = records.InvocationsResource().on_get(SimpleNamespace(args={"function": "fn", "since": "soon"}))
    assert len(bad["invocations"]) == 2


def test_the_bytes_kept_in_all_stay_within_the_budget_oldest_first(monkeypatch):
    monkeypatch.setattr(records, "TOTAL_LIMIT", 1000)
    for i in range(10):
        records.record(f"fn{i % 3}", f"r{i}", i, 1.0, b"e" * 150, b"r" * 50, False)
    kept = [entry["requestId"] for name in list(records._records) for entry in records.query(name)]
    assert sorted(kept, key=lambda r: int(r[1:])) == ["r5", "r6", "r7", "r8", "r9"]
    assert records._bytes == 1000 and len(records._order) == 5
    # An entry a function's own limit dropped leaves the budget too.
    for i in range(records.KEEP + 1):
        records.record("many", f"m{i}", i, 1.0, b"", b"", False)
    assert len(records.query("many")) == records.KEEP
    assert records._bytes == 1000 and sum(1 for _, item in records._order if item[2]) == records.KEEP + 5
