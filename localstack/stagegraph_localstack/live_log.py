"""One live stream of what runs in the local cloud: each invocation's logs and each flow execution's steps.

`stagegraph dev` shows every function's output with its START/END/REPORT lines and every flow's states as they
happen, in one stream. Polling CloudWatch Logs for each log group and GetExecutionHistory for each execution falls
behind a burst; instead the executor publishes each invocation's framed logs here as it ends, and Step Functions'
event manager publishes each history event of an execution as it is added. A reader asks
`GET /_stagegraph/live?after=<sequence>&wait=<ms>` and gets every entry after that sequence number, oldest first,
waiting up to `wait` ms (at most MAX_WAIT_MS) for the first one: a long poll, so a reader that keeps asking never
lags by more than one round trip.

Bounded: the last KEEP entries, each text cut to FIELD_LIMIT bytes. A reader that fell further behind is told how
many entries it missed (`dropped`) rather than silently skipping them. The gateway listens on 127.0.0.1 only, and
whoever can reach it can read the logs through CloudWatch Logs anyway.
"""
from __future__ import annotations

import logging
import threading
import time
import uuid
from collections import deque

LOG = logging.getLogger(__name__)

PATH = "/_stagegraph/live"
KEEP = 20_000
# Characters of one entry's text, and of all kept entries' texts: the oldest go first.
FIELD_LIMIT = 64 * 1024
TOTAL_LIMIT = 32 * 1024 * 1024
# Entries answered at once; the reader asks again for the rest.
MOST_PER_READ = 5_000
MAX_WAIT_MS = 5_000

# This run of the local cloud: a reader that sees another boot id starts again from the first entry.
BOOT = uuid.uuid4().hex
_cond = threading.Condition()
_entries: deque[dict] = deque()
_last_seq = 0
_chars = 0


def _size(entry: dict) -> int:
    return sum(len(value) for value in entry.values() if isinstance(value, str))


def _cut(text: str | None) -> str:
    text = text or ""
    if len(text) <= FIELD_LIMIT:
        return text
    return text[:FIELD_LIMIT] + "\n[cut: the live log keeps 64 KB per entry]\n"


def publish(kind: str, name: str, at: int | None = None, **fields) -> None:
    """Adds an entry: `function` (name, requestId, text) or `flow` (name, execution, type, state, error, cause)."""
    global _last_seq, _chars
    entry = {"kind": kind, "name": name, "at": at if at is not None else int(time.time() * 1000)}
    for key, value in fields.items():
        if value is not None:
            entry[key] = _cut(value) if isinstance(value, str) else value
    size = _size(entry)
    with _cond:
        _last_seq += 1
        entry["seq"] = _last_seq
        _entries.append(entry)
        _chars += size
        while len(_entries) > KEEP or (_chars > TOTAL_LIMIT and len(_entries) > 1):
            _chars -= _size(_entries.popleft())
        _cond.notify_all()


def read(after: int, wait_ms: int = 0) -> dict:
    """The entries after sequence `after`, waiting up to `wait_ms` for one; `dropped` counts those no longer kept."""
    deadline = time.monotonic() + max(0, min(wait_ms, MAX_WAIT_MS)) / 1000
    with _cond:
        if after > _last_seq:
            # A sequence number of an earlier run of the local cloud: the reader starts again (see BOOT).
            return {"boot": BOOT, "next": _last_seq, "dropped": 0, "entries": []}
        while _last_seq <= after:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return {"boot": BOOT, "next": after, "dropped": 0, "entries": []}
            _cond.wait(remaining)
        first = _entries[0]["seq"]
        start = max(after + 1, first)
        dropped = max(0, first - (after + 1))
        picked = [_entries[i] for i in range(start - first, min(len(_entries), start - first + MOST_PER_READ))]
    return {"boot": BOOT, "next": picked[-1]["seq"], "dropped": dropped, "entries": picked}


def last_sequence() -> int:
    with _cond:
        return _last_seq


class LiveResource:
    def on_get(self, request):
        try:
            after = int(request.args.get("after", "-1"))
        except ValueError:
            after = -1
        if after < 0:
            # A new reader starts at the end: what happens from now on.
            return {"boot": BOOT, "next": last_sequence(), "dropped": 0, "entries": []}
        try:
            wait_ms = int(request.args.get("wait", "0"))
        except ValueError:
            wait_ms = 0
        return read(after, wait_ms)


# --- flow executions ------------------------------------------------------------------------------

# History events worth a line: a state entered or left, a task's failure, success or timeout, and the execution's end.
_FLOW_EVENTS = (
    "StateEntered", "StateExited", "Failed", "TimedOut", "Scheduled", "Succeeded", "ExecutionAborted",
    "ExecutionStarted",
)
# The history context of the event being added on this thread (each branch of a Parallel and each iteration of a
# Map has its own), so that each event is published with the state it belongs to.
_adding = threading.local()


def _flow_fields(event_type: str, details: dict | None) -> dict:
    fields: dict = {"type": event_type}
    for value in (details or {}).values():
        if not isinstance(value, dict):
            continue
        if "name" in value and ("StateEntered" in event_type or "StateExited" in event_type):
            fields["state"] = value["name"]
        if "error" in value:
            fields["error"] = value.get("error")
            fields["cause"] = value.get("cause")
    return fields


def _epoch_ms(timestamp) -> int | None:
    try:
        return int(timestamp.timestamp() * 1000)
    except (AttributeError, TypeError, ValueError):
        return None


def install_flows() -> None:
    """Step Functions' event manager publishes each history event of an execution to the live log, in history
    order (inside the manager's lock), named by the state whose history context it was added in."""
    try:
        from localstack.services.stepfunctions.asl.eval.event.event_manager import EventManager
        from localstack.services.stepfunctions.backend.execution_worker import ExecutionWorker
    except ImportError:  # pragma: no cover - another LocalStack layout: the live log shows functions only
        LOG.warning("the live log cannot follow flow executions in this LocalStack version")
        return
    if getattr(EventManager, "_stagegraph_live", False):
        return
    original_env = ExecutionWorker._get_evaluation_environment
    original_add = EventManager.add_event
    original_publish = EventManager._publish_history_event

    def evaluation_environment(self):
        env = original_env(self)
        details = self._evaluation_details
        env.event_manager._stagegraph_flow = (
            details.state_machine_details.name,
            details.execution_details.name,
        )
        return env

    def add_event(self, context, event_type, event_details=None, timestamp=None, update_source_event_id=True):
        _adding.context = context
        try:
            return original_add(self, context, event_type, event_details, timestamp, update_source_event_id)
        finally:
            _adding.context = None

    def publish_history_event(self, event_id, source_event_id, event_type, timestamp, event_details):
        result = original_publish(self, event_id, source_event_id, event_type, timestamp, event_details)
        flow = getattr(self, "_stagegraph_flow", None)
        if flow is not None:
            try:
                name = str(getattr(event_type, "value", event_type))
                if any(marker in name for marker in _FLOW_EVENTS):
                    fields = _flow_fields(name, event_details)
                    context = getattr(_adding, "context", None)
                    if context is not None:
                        if "state" in fields and "StateEntered" in name:
                            context._stagegraph_state = fields["state"]
                        elif "state" not in fields:
                            fields["state"] = getattr(context, "_stagegraph_state", None)
                    publish("flow", flow[0], at=_epoch_ms(timestamp), execution=flow[1], **fields)
            except Exception:  # never let the live log break an execution
                LOG.debug("live log: flow event not published", exc_info=True)
        return result

    ExecutionWorker._get_evaluation_environment = evaluation_environment
    EventManager.add_event = add_event
    EventManager._publish_history_event = publish_history_event
    EventManager._stagegraph_live = True


def install() -> None:
    from localstack.http import Resource
    from localstack.services.internal import get_internal_apis

    get_internal_apis().add(Resource(PATH, LiveResource()))
    install_flows()
