"""CloudWatch Logs subscriptions delivered asynchronously, in batches, as AWS delivers them.

LocalStack 2026.3 delivers a subscription inside PutLogEvents: each call invokes the destination function
synchronously before it answers. The Lambda service writes each invocation's lines with one PutLogEvents from
one thread per function, so a burst of invocations queued behind the billing meter (about 15 invocations a
second): after 500 invocations the logs and the bill held 1 line of 500 and needed 50 s to catch up, and the
backlog was lost if LocalStack stopped.

Here PutLogEvents stores the events and queues the delivery; one delivery thread sends what has queued, the
lines of each log stream and subscription in one payload (up to MAX_EVENTS events and MAX_BYTES of messages,
in order), retries a failed delivery, and on shutdown delivers what is left within a deadline and keeps the
rest in the state folder for the next start. Lambda's log writer writes the queued lines of each stream in one
call, into the logs store in the process rather than with a request (STAGEGRAPH_LOG_WRITES=gateway: requests).
STAGEGRAPH_LOG_DELIVERY=sync keeps LocalStack's own delivery and log writer (the benchmark compares both).
"""
import base64
import dataclasses
import gzip
import json
import logging
import os
import queue
import threading
import time
from collections import deque

from stagegraph_localstack.patching import install_once

LOG = logging.getLogger(__name__)

# CloudWatch Logs sends up to 10,000 events and 1 MB per subscription payload; Lambda takes 6 MB synchronously.
MAX_EVENTS = 10_000
MAX_BYTES = 1_000_000
ATTEMPTS = 3
PENDING_FILE = "log-deliveries.json"


@dataclasses.dataclass
class Delivery:
    """The events of one PutLogEvents call for one subscription filter."""
    account: str
    region: str
    log_group: str
    log_stream: str
    filter_name: str
    destination_arn: str
    role_arn: str | None
    events: list[dict]
    attempts: int = 0

    def key(self) -> tuple:
        return (self.account, self.region, self.log_group, self.log_stream, self.filter_name, self.destination_arn, self.role_arn)


def batches(deliveries: list[Delivery]) -> list[Delivery]:
    """Joins queued deliveries of the same stream and subscription, in order, into payloads within the limits."""
    joined: dict[tuple, list[list]] = {}  # key -> [batch, its message bytes], in order
    for delivery in deliveries:
        groups = joined.setdefault(delivery.key(), [])
        size = sum(len(e["message"]) for e in delivery.events)
        last = groups[-1] if groups else None
        if last is not None and len(last[0].events) + len(delivery.events) <= MAX_EVENTS and last[1] + size <= MAX_BYTES:
            last[0].events.extend(delivery.events)
            last[0].attempts = max(last[0].attempts, delivery.attempts)
            last[1] += size
        else:
            groups.append([dataclasses.replace(delivery, events=list(delivery.events)), size])
    return [batch for groups in joined.values() for batch, _ in groups]


def payload(delivery: Delivery) -> tuple[bytes, dict]:
    """The gzipped subscription payload of a delivery, and the Lambda event that carries it."""
    data = {
        "messageType": "DATA_MESSAGE",
        "owner": delivery.account,
        "logGroup": delivery.log_group,
        "logStream": delivery.log_stream,
        "subscriptionFilters": [delivery.filter_name],
        "logEvents": delivery.events,
    }
    compressed = gzip.compress(json.dumps(data, separators=(",", ":")).encode("utf-8"))
    return compressed, {"awslogs": {"data": base64.b64encode(compressed).decode("utf-8")}}


class Deliverer:
    """One thread that sends queued deliveries; `send(delivery)` raises to have it retried."""

    def __init__(self, send, retry_delay: float = 1.0) -> None:
        self.send = send
        self.retry_delay = retry_delay
        self.queue: deque[Delivery] = deque()
        self.condition = threading.Condition()
        self.in_flight = 0
        self.stopped = False
        self.thread: threading.Thread | None = None

    def start(self) -> None:
        if self.thread is None:
            self.thread = threading.Thread(target=self._run, name="stagegraph-log-delivery", daemon=True)
            self.thread.start()

    def put(self, delivery: Delivery) -> None:
        with self.condition:
            self.queue.append(delivery)
            self.condition.notify_all()

    def _run(self) -> None:
        while True:
            with self.condition:
                while not self.queue and not self.stopped:
                    self.condition.wait()
                if self.stopped:
                    return
                taken = list(self.queue)
                self.queue.clear()
                self.in_flight = sum(len(d.events) for d in taken)
            retry: list[Delivery] = []
            held: set[tuple] = set()
            for batch in batches(taken):
                # Once stopped, or after a failure of the same stream and subscription (its order must hold), a
                # batch goes back to the queue unsent.
                if self.stopped or batch.key() in held:
                    retry.append(batch)
                    continue
                try:
                    self.send(batch)
                except Exception as e:  # noqa: BLE001 - any failure of the destination is retried
                    batch.attempts += 1
                    if batch.attempts < ATTEMPTS:
                        retry.append(batch)
                        held.add(batch.key())
                    else:
                        LOG.warning("stagegraph: %d log events of %s not delivered to %s after %d attempts: %s",
                                    len(batch.events), batch.log_group, batch.destination_arn, batch.attempts, e)
            with self.condition:
                self.in_flight = 0
                self.queue.extendleft(reversed(retry))
                self.condition.notify_all()
            if retry and not self.stopped:
                time.sleep(self.retry_delay)

    def drain(self, timeout: float, grace: float = 15.0) -> list[Delivery]:
        """Waits up to `timeout` for the queue to empty, then stops: a payload being sent still gets up to `grace`
        seconds to finish (a Lambda invocation ends within its timeout). Returns what was not delivered."""
        deadline = time.monotonic() + timeout
        with self.condition:
            while (self.queue or self.in_flight) and time.monotonic() < deadline:
                self.condition.wait(timeout=max(0.0, deadline - time.monotonic()))
            self.stopped = True
            self.condition.notify_all()
        if self.thread is not None:
            self.thread.join(timeout=grace)
            if self.thread.is_alive():
                LOG.warning("stagegraph: a log delivery did not finish within %.0f s of the shutdown", grace)
        with self.condition:
            left = list(self.queue)
            self.queue.clear()
        return left


def save_pending(deliveries: list[Delivery], folder: str) -> str | None:
    if not deliveries:
        return None
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, PENDING_FILE)
    with open(path + ".tmp", "w") as f:
        json.dump([dataclasses.asdict(d) for d in deliveries], f)
    os.replace(path + ".tmp", path)
    return path


def load_pending(folder: str) -> list[Delivery]:
    path = os.path.join(folder, PENDING_FILE)
    try:
        with open(path) as f:
            items = json.load(f)
    except FileNotFoundError:
        return []
    except (OSError, ValueError) as e:
        LOG.warning("stagegraph: pending log deliveries in %s unreadable: %s", path, e)
        items = []
    os.remove(path)
    return [Delivery(**item) for item in items]


# --- inside LocalStack (hooks.py) -------------------------------------------------------------------

_deliverer: Deliverer | None = None


def _send(delivery: Delivery) -> None:
    """Sends one payload to its destination as LocalStack's logs provider does, but after PutLogEvents answered."""
    from localstack.aws.connect import connect_to
    from localstack.utils.aws import arns
    from localstack.utils.aws.client_types import ServicePrincipal

    compressed, event = payload(delivery)
    arn = arns.parse_arn(delivery.destination_arn)
    source_arn = arns.log_group_arn(delivery.log_group, delivery.account, delivery.region)
    if delivery.role_arn:
        factory = connect_to.with_assumed_role(role_arn=delivery.role_arn, service_principal=ServicePrincipal.logs, region_name=arn["region"])
    else:
        factory = connect_to(aws_access_key_id=arn["account"], region_name=arn["region"])
    if arn["service"] == "lambda":
        client = factory.lambda_.request_metadata(source_arn=source_arn, service_principal=ServicePrincipal.logs)
        result = client.invoke(FunctionName=delivery.destination_arn, Payload=json.dumps(event))
        if result.get("FunctionError"):
            raise RuntimeError(f"{result['FunctionError']}: {result['Payload'].read()[:500]!r}")
    elif arn["service"] == "kinesis":
        client = factory.kinesis.request_metadata(source_arn=source_arn, service_principal=ServicePrincipal.logs)
        client.put_record(StreamName=arns.kinesis_stream_name(delivery.destination_arn), Data=compressed, PartitionKey=delivery.log_group)
    elif arn["service"] == "firehose":
        client = factory.firehose.request_metadata(source_arn=source_arn, service_principal=ServicePrincipal.logs)
        client.put_record(DeliveryStreamName=arns.firehose_name(delivery.destination_arn), Record={"Data": compressed})


def install() -> bool:
    """Replaces LocalStack's synchronous subscription delivery in moto's LogStream.put_log_events."""
    global _deliverer
    if _deliverer is not None:
        return True
    if os.environ.get("STAGEGRAPH_LOG_DELIVERY", "").lower() == "sync":
        return False
    try:
        import localstack.services.logs.provider  # noqa: F401 - its own patch first, so that ours replaces it
        from localstack.utils.patch import Patch
        from moto.core.utils import unix_time_millis
        from moto.logs.models import LogEvent
        from moto.logs.models import LogStream as MotoLogStream
    except ImportError:  # not inside LocalStack
        return False
    deliverer = Deliverer(_send)

    def put_log_events(self, log_events):
        # What LocalStack's own version stores (it ignores filter patterns in the community edition too).
        self.last_ingestion_time = int(unix_time_millis())
        self.stored_bytes += sum(len(e["message"]) for e in log_events)
        events = [LogEvent(self.last_ingestion_time, e) for e in log_events]
        self.events += events
        self.upload_sequence_token += 1
        for subscription in self.log_group.subscription_filters.values():
            if events and subscription.destination_arn:
                deliverer.put(Delivery(
                    account=self.account_id, region=self.region, log_group=self.log_group.name, log_stream=self.log_stream_name,
                    filter_name=subscription.name, destination_arn=subscription.destination_arn, role_arn=subscription.role_arn or None,
                    events=[{"id": str(e.event_id), "timestamp": e.timestamp, "message": e.message} for e in events],
                ))
        return f"{self.upload_sequence_token:056d}"

    # LocalStack's own replacement is a module-level function of its logs provider: `patch(target)` would find
    # that module as the owner and patch the wrong attribute. The class is named here.
    Patch(MotoLogStream, "put_log_events", put_log_events).apply()
    deliverer.start()
    _deliverer = deliverer
    LOG.debug("stagegraph: CloudWatch Logs subscriptions delivered asynchronously")
    return True


def _log_batches(items) -> list[tuple[str, str, list[str]]]:
    """Log items of Lambda's log queue as (group, stream, lines): the items of one stream joined in order, up to
    MAX_EVENTS lines a call, and one item's lines (one invocation's) never split between calls."""
    joined: dict[tuple[str, str], list[list[str]]] = {}
    for item in items:
        lines = [line + "\n" for line in item.logs.split("\n") if line]
        chunks = joined.setdefault((item.log_group, item.log_stream), [[]])
        if chunks[-1] and len(chunks[-1]) + len(lines) > MAX_EVENTS:
            chunks.append([])
        chunks[-1].extend(lines)
    return [(group, stream, chunk) for (group, stream), chunks in joined.items() for chunk in chunks if chunk]


# Lambda's log lines go into the logs store in the process (see write_in_process); `gateway` writes them with
# PutLogEvents requests, as LocalStack does.
IN_PROCESS_WRITES = os.environ.get("STAGEGRAPH_LOG_WRITES", "").lower() != "gateway"
_logs_loaded = threading.Event()


def logs_loaded() -> bool:
    """True once a write through the gateway has loaded the logs service (and its place in the state snapshot)."""
    return _logs_loaded.is_set()


def note_logs_loaded() -> None:
    _logs_loaded.set()


def write_in_process(account: str, region: str, group: str, stream: str, events: list[dict],
                     create_group: bool = True) -> bool:
    """Stores one batch of a function's log lines as PutLogEvents does, without the request: moto's put_log_events
    (whose subscription deliveries `install` queues), the group and stream made first when missing, and the logs
    service marked changed for the state snapshot. A PutLogEvents request from the log loop is a botocore client's
    serialization and signing, the gateway's handler chain and the parsing at both ends: in a profile of 300
    invocations by OBS uploads the log loop held the interpreter in 27% of the samples, 85% of them outside the
    logs store. False, and nothing written, when the region's logs have metric filters, which LocalStack's
    provider applies to PutLogEvents requests: the caller writes through the gateway then; also when the group is
    missing and ``create_group`` is False (the caller's own write decides what a missing group means)."""
    from localstack.services.logs.models import get_moto_logs_backend
    from moto.logs.exceptions import ResourceAlreadyExistsException, ResourceNotFoundException

    from stagegraph_localstack import persistence

    backend = get_moto_logs_backend(account, region)
    if backend.filters.metric_filters:
        return False
    try:
        backend.put_log_events(group, stream, events)
    except ResourceNotFoundException:
        if group not in backend.groups:
            if not create_group:
                return False
            try:
                backend.create_log_group(group, {})
            except ResourceAlreadyExistsException:
                pass
        try:
            backend.create_log_stream(group, stream)
        except ResourceAlreadyExistsException:
            pass
        backend.put_log_events(group, stream, events)
    persistence.mark_changed("logs")
    return True


# How long the log loop waits for more lines after the first before it writes them (0: write what has queued).
def _linger_seconds(raw: str | None) -> float:
    try:
        return max(0.0, float(raw if raw not in (None, "") else 20)) / 1000
    except ValueError:
        LOG.warning("stagegraph: STAGEGRAPH_LOG_LINGER_MS=%r is not a number of milliseconds: 20 it is", raw)
        return 0.02


LOG_LINGER_SECONDS = _linger_seconds(os.environ.get("STAGEGRAPH_LOG_LINGER_MS"))


def take_lingering(items: "queue.Queue", linger_seconds: float, last: object) -> list:
    """The next item of `items` (waiting for it) and every one that comes within `linger_seconds` after it, or has
    queued by then: one write per few invocations of a function called in a loop instead of one each (a write is a
    request through the gateway's handler chain). `last` (the loop's shutdown) ends the wait at once."""
    taken = [items.get()]
    until = time.monotonic() + linger_seconds
    while taken[-1] is not last:
        try:
            taken.append(items.get(timeout=max(0.0, until - time.monotonic())))
        except queue.Empty:
            break
    return taken


@install_once
def batch_lambda_logs() -> bool:
    """LocalStack's Lambda service writes each invocation's lines with one PutLogEvents call, one call after the other
    from one thread per function: about 50 ms each, so after a burst of invocations the logs (and the bill) lag by
    tens of seconds. The repaired loop takes every line that has queued and writes each stream's in one call.
    STAGEGRAPH_LOG_DELIVERY=sync keeps LocalStack's loop too."""
    if os.environ.get("STAGEGRAPH_LOG_DELIVERY", "").lower() == "sync":
        return False
    try:
        from localstack.aws.connect import connect_to
        from localstack.services.lambda_.invocation.logs import QUEUE_SHUTDOWN, LogHandler
        from localstack.utils.aws.client_types import ServicePrincipal
        from localstack.utils.patch import patch
    except ImportError:  # not inside LocalStack
        return False

    @patch(LogHandler.run_log_loop, pass_target=False)
    def run_log_loop(self, *args, **kwargs) -> None:
        logs_client = connect_to.with_assumed_role(region_name=self.region, role_arn=self.role_arn, service_principal=ServicePrincipal.lambda_).logs
        # The account the assumed role's requests are made in: the role's.
        account = str(self.role_arn).split(":")[4] if str(self.role_arn).count(":") >= 5 else None
        while not self._shutdown_event.is_set():
            items = take_lingering(self.log_queue, LOG_LINGER_SECONDS, QUEUE_SHUTDOWN)
            stop = any(item is QUEUE_SHUTDOWN for item in items)
            for group, stream, lines in _log_batches([item for item in items if item is not QUEUE_SHUTDOWN]):
                events = [{"timestamp": int(time.time() * 1000), "message": line} for line in lines]
                try:
                    # The first write of a run goes through the gateway, which loads the logs service (and with it
                    # its place in the state snapshot) if nothing has yet.
                    if account and IN_PROCESS_WRITES and _logs_loaded.is_set():
                        if write_in_process(account, self.region, group, stream, events):
                            continue
                    try:
                        logs_client.put_log_events(logGroupName=group, logStreamName=stream, logEvents=events)
                    except logs_client.exceptions.ResourceNotFoundException:
                        try:
                            logs_client.create_log_group(logGroupName=group)
                        except logs_client.exceptions.ResourceAlreadyExistsException:
                            pass
                        logs_client.create_log_stream(logGroupName=group, logStreamName=stream)
                        logs_client.put_log_events(logGroupName=group, logStreamName=stream, logEvents=events)
                    _logs_loaded.set()
                except Exception as e:  # noqa: BLE001 - as LocalStack's loop: a failed write is logged
                    LOG.warning("Error saving logs to group %s in region %s: %s", group, self.region, e)
            if stop:
                return

    return True


def restore(folder: str) -> int:
    """Queues the deliveries a previous run left; the number of events."""
    if _deliverer is None or not folder:
        return 0
    left = load_pending(folder)
    for delivery in left:
        _deliverer.put(delivery)
    return sum(len(d.events) for d in left)


def shutdown(folder: str | None, timeout: float = 10.0) -> int:
    """Delivers what is queued within `timeout`; keeps the rest in `folder` (when persistence is on). The number left."""
    global _deliverer
    if _deliverer is None:
        return 0
    left = _deliverer.drain(timeout)
    _deliverer = None
    count = sum(len(d.events) for d in left)
    if left and folder:
        save_pending(left, folder)
        LOG.info("stagegraph: %d log events kept for delivery at the next start", count)
    elif left:
        LOG.warning("stagegraph: %d log events not delivered (persistence is off)", count)
    return count
