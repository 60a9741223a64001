"""The last invocations of each function, with the event each received and what it answered.

Lambda's logs hold what a function printed and the REPORT figures, not its event or its result; a test of a
trigger wants both (did the OBS trigger pass the key? what did the function answer?). The executor records
each invocation here, and `GET /_stagegraph/invocations?function=<name>&since=<epoch ms>` answers the ones
that started at or after `since`, oldest first, as JSON. The gateway listens on 127.0.0.1 only, and whoever
can reach it can invoke the functions anyway.

Bounded: the last KEEP invocations of each function, each event and result cut to FIELD_LIMIT bytes (the cut
is marked), and TOTAL_LIMIT bytes in all (the oldest invocations of any function go first), so a burst of large
events cannot grow the process past that.
"""
from __future__ import annotations

import threading
from collections import OrderedDict, deque

KEEP = 50
FIELD_LIMIT = 256 * 1024
# Functions remembered; the least recently invoked is forgotten first.
MOST_FUNCTIONS = 500
# Bytes of events and results kept in all.
TOTAL_LIMIT = 64 * 1024 * 1024
PATH = "/_stagegraph/invocations"

_lock = threading.Lock()
# Each function's kept invocations, oldest first, as [entry, size, alive] items.
_records: OrderedDict[str, deque] = OrderedDict()
# Every item in the order they came, with its function, for the byte budget; forgotten items leave it lazily.
_order: deque = deque()
_bytes = 0


def _text(data: bytes | str | None) -> tuple[str, bool]:
    raw = data.encode() if isinstance(data, str) else (data or b"")
    if len(raw) <= FIELD_LIMIT:
        return raw.decode("utf-8", errors="replace"), False
    return raw[:FIELD_LIMIT].decode("utf-8", errors="ignore"), True


def _forget(item: list) -> None:
    """Takes an item out of the byte budget. Called under the lock."""
    global _bytes
    if item[2]:
        item[2] = False
        _bytes -= item[1]


def record(function_name: str, request_id: str, started_ms: int, duration_ms: float, event: bytes | str | None,
           result: bytes | str | None, is_error: bool) -> None:
    event_text, event_cut = _text(event)
    result_text, result_cut = _text(result)
    entry = {
        "requestId": request_id,
        "startedAt": started_ms,
        "durationMs": round(duration_ms, 2),
        "event": event_text,
        "result": result_text,
        "error": is_error,
        "truncated": event_cut or result_cut,
    }
    item = [entry, len(event_text) + len(result_text), True]
    global _bytes
    with _lock:
        kept = _records.pop(function_name, None) or deque()
        kept.append(item)
        _records[function_name] = kept
        _order.append((function_name, item))
        _bytes += item[1]
        if len(kept) > KEEP:
            _forget(kept.popleft())
        while len(_records) > MOST_FUNCTIONS:
            for old in _records.popitem(last=False)[1]:
                _forget(old)
        while _order and (_bytes > TOTAL_LIMIT or not _order[0][1][2]):
            name, oldest = _order.popleft()
            if not oldest[2]:
                continue
            owner = _records.get(name)
            if owner and owner[0] is oldest:
                owner.popleft()
                if not owner:
                    del _records[name]
            _forget(oldest)


def query(function_name: str, since_ms: int = 0) -> list[dict]:
    with _lock:
        kept = [item[0] for item in _records.get(function_name, ())]
    return [entry for entry in kept if entry["startedAt"] >= since_ms]


class InvocationsResource:
    def on_get(self, request):
        name = request.args.get("function", "")
        try:
            since = int(request.args.get("since", "0"))
        except ValueError:
            since = 0
        return {"function": name, "invocations": query(name, since)}


def install() -> None:
    from localstack.http import Resource
    from localstack.services.internal import get_internal_apis

    get_internal_apis().add(Resource(PATH, InvocationsResource()))
