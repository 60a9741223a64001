"""Event source mappings that poll as Lambda does: continuously, and for SQS with several pollers scaled with the backlog.

LocalStack 2026.3 runs every event source mapping in one thread (`EsmWorker.poller_loop`) that polls one batch,
invokes the function with it, and then waits `LAMBDA_EVENT_SOURCE_MAPPING_POLL_INTERVAL_SEC` (1 s) before the
next poll, whatever the backlog; after an empty poll it backs off from 1 s up to 10 s. A queue therefore drains
at one batch a second (about 10 messages/s with batch 10), and a message sent to an idle queue waits up to 10 s.

AWS polls an SQS queue with long polling, starts five pollers per mapping and adds more while messages are waiting
(up to the mapping's `ScalingConfig.MaximumConcurrency` and the function's reserved concurrency). This module
replaces the loop:

- SQS: a lead poller waits, in process and without a request, until the queue holds visible messages (checked
  every `IDLE_CHECK_SECONDS`), then receives through the gateway as before (IAM, filters, FIFO message groups,
  ReportBatchItemFailures, deletes and the visibility timeout are LocalStack's own `SqsPoller.poll_events`).
  After a poll that returned messages it polls again at once; while visible messages remain after a poll it
  starts another poller, up to `max_pollers(worker)`. Extra pollers stop at their first empty poll.
  Every message is received by one poller at a time (SQS hides it for the visibility timeout, FIFO queues hide
  its message group), so concurrent pollers process nothing twice that one poller would not.
- Kinesis and DynamoDB streams: still one thread, one shard after the other (ordering per shard is kept), but
  without the wait while a round over the shards returned records.
"""
import logging
import os
import threading

from stagegraph_localstack.patching import install_once
from stagegraph_localstack.settings import environment_number

LOG = logging.getLogger(__name__)

# AWS starts five pollers per SQS mapping. On a local machine more concurrent invocations of one function do not
# finish sooner, they only start more execution environments.
DEFAULT_MAX_SQS_POLLERS = 5
# How often an idle SQS mapping looks at its queue, in process: no request, so an idle local cloud stays idle.
IDLE_CHECK_SECONDS = 0.05
# After a poll found nothing although the queue seemed to hold messages (another consumer took them, or a FIFO
# message group is in flight), wait before the next poll, doubling up to this.
MAX_EMPTY_BACKOFF_SECONDS = 1.0


def max_sqs_pollers_setting() -> int:
    return int(environment_number("STAGEGRAPH_SQS_MAX_POLLERS", DEFAULT_MAX_SQS_POLLERS, parse=int,
                                  what="a whole number", minimum=1))


def max_pollers(esm_config: dict, reserved_concurrency: int | None, limit: int | None = None) -> int:
    """How many pollers an SQS mapping may run: the local limit, the mapping's MaximumConcurrency, and the
    function's reserved concurrency (a poller beyond it would only be throttled)."""
    bounds = [limit if limit is not None else max_sqs_pollers_setting()]
    maximum = (esm_config.get("ScalingConfig") or {}).get("MaximumConcurrency")
    if maximum:
        bounds.append(int(maximum))
    if reserved_concurrency is not None:
        bounds.append(int(reserved_concurrency))
    return max(1, min(bounds))


class SqsPollers:
    """The pollers of one SQS mapping: the lead runs in the worker's own thread, extra ones in threads of their own.

    `poll` polls once and returns whether messages were received; `backlog` says how many visible messages the
    queue holds (None when it cannot tell); `limit` how many pollers may run; `stopped` is the worker's shutdown
    event. They are parameters so that the scaling can be tested without LocalStack.
    """

    def __init__(self, poll, backlog, limit, stopped: threading.Event, name: str = "sqs"):
        self.poll = poll
        self.backlog = backlog
        self.limit = limit
        self.stopped = stopped
        self.name = name
        self._lock = threading.Lock()
        self.active = 1  # the lead
        self.started = 0  # extra pollers started, for tests and debugging
        self.threads: list[threading.Thread] = []

    def _maybe_add(self) -> None:
        backlog = self.backlog()
        if not backlog:
            return
        with self._lock:
            if self.stopped.is_set() or self.active >= self.limit():
                return
            self.active += 1
            self.started += 1
            thread = threading.Thread(target=self._extra, name=f"{self.name}-poller-{self.started}", daemon=True)
            self.threads = [t for t in self.threads if t.is_alive()]
            self.threads.append(thread)
        thread.start()

    def _extra(self) -> None:
        try:
            while not self.stopped.is_set():
                try:
                    if not self.poll():
                        return
                except Exception as error:  # noqa: BLE001 - the lead reports errors and backs off
                    LOG.debug("stagegraph: extra poller of %s stops: %s", self.name, error)
                    return
                self._maybe_add()
        finally:
            with self._lock:
                self.active -= 1

    def run_lead(self, on_error) -> None:
        """Polls until the worker stops. `on_error(error)` returns how long to wait after a failed poll."""
        empty_wait = IDLE_CHECK_SECONDS
        while not self.stopped.is_set():
            backlog = self.backlog()
            if backlog == 0:
                self.stopped.wait(IDLE_CHECK_SECONDS)
                continue
            try:
                received = self.poll()
            except Exception as error:  # noqa: BLE001
                self.stopped.wait(on_error(error))
                continue
            if received:
                empty_wait = IDLE_CHECK_SECONDS
                self._maybe_add()
            else:
                self.stopped.wait(empty_wait)
                empty_wait = min(empty_wait * 2, MAX_EMPTY_BACKOFF_SECONDS)

    def join(self, timeout: float) -> None:
        for thread in list(self.threads):
            thread.join(timeout)


class StreamPace:
    """Whether a stream mapping waits before its next poll: only once a whole round over its shards found nothing."""

    def __init__(self):
        self.polls_without_records = 0

    def record(self, records: int) -> None:
        self.polls_without_records = 0 if records else self.polls_without_records + 1

    def should_wait(self, shards: int) -> bool:
        return self.polls_without_records >= max(1, shards)


@install_once
def install() -> bool:
    """Replaces `EsmWorker.poller_loop`; True when applied. `STAGEGRAPH_ESM_POLLING=localstack` keeps LocalStack's
    own loop (one batch a second), for comparisons. A graceful stop lets the batches in flight finish with the
    gateway still serving their functions (drain.py), so a restart processes none of them again."""
    if os.environ.get("STAGEGRAPH_ESM_POLLING") == "localstack":
        return False
    try:
        from localstack.services.lambda_.event_source_mapping import esm_worker
        from localstack.services.lambda_.event_source_mapping.esm_worker import EsmWorker
        from localstack.services.lambda_.event_source_mapping.pollers.sqs_poller import SqsPoller
        from localstack.services.lambda_.event_source_mapping.pollers.stream_poller import StreamPoller
        from localstack.utils.patch import patch
    except ImportError:  # not inside LocalStack
        return False

    @patch(EsmWorker.poller_loop)
    def poller_loop(fn, self, *args, **kwargs):
        if isinstance(self.poller, SqsPoller):
            return _run(self, esm_worker, lambda: _sqs_loop(self, esm_worker))
        if isinstance(self.poller, StreamPoller):
            return _run(self, esm_worker, lambda: _stream_loop(self, esm_worker))
        return fn(self, *args, **kwargs)

    LOG.debug("stagegraph: event source mappings poll continuously")
    return True


def _run(worker, esm_worker, loop) -> None:
    """LocalStack's poller_loop around our loop: the same state transitions before and after."""
    EsmState = esm_worker.EsmState
    with worker._state_lock:
        worker.current_state = EsmState.ENABLED
        worker.update_esm_state_in_store(EsmState.ENABLED)
        worker.state_transition_reason = worker.user_state_reason
    loop()
    worker.poller.close()
    if not _is_current(worker, EsmState.DELETING):
        # An update replaced this worker with a new one under the same UUID (UpdateEventSourceMapping: a new batch
        # size from a second deploy) and stopped this one, which ends after the new one has put ENABLED in the
        # store: writing DISABLED now would leave a running mapping reported Disabled, and restored disabled.
        return
    try:
        if worker.enabled and worker.current_state == EsmState.DELETING:
            worker.delete_esm_in_store()
        elif not worker.enabled and worker.current_state == EsmState.DISABLING:
            with worker._state_lock:
                worker.current_state = EsmState.DISABLED
                worker.state_transition_reason = worker.user_state_reason
            worker.update_esm_state_in_store(EsmState.DISABLED)
        elif not worker._graceful_shutdown_triggered:
            LOG.warning("Invalid state %s for event source mapping %s.", worker.current_state, worker.esm_config["UUID"])
    except Exception as error:  # noqa: BLE001 - as LocalStack's loop
        LOG.warning("Failed to update state %s for event source mapping %s: %s", worker.current_state, worker.uuid, error)


def _is_current(worker, deleting) -> bool:
    """Whether the Lambda provider still has this worker for its mapping. With none for it (a deletion popped it),
    only a worker being deleted is: an older one an update replaced must not write over the deletion."""
    try:
        from stagegraph_localstack.services import provider_of

        workers = getattr(provider_of("lambda"), "esm_workers", None)
    except Exception:  # noqa: BLE001 - at shutdown the service may be gone: LocalStack's own behaviour then
        return True
    if not isinstance(workers, dict):
        return True
    current = workers.get(worker.uuid)
    return current is worker or (current is None and worker.current_state == deleting)


def _error_backoff(worker, esm_worker):
    from localstack.services.lambda_.analytics import EsmExecutionStatus, esm_counter
    from localstack.utils.aws.arns import parse_arn
    from localstack.utils.backoff import ExponentialBackoff

    backoff = ExponentialBackoff(initial_interval=2, max_interval=esm_worker.LAMBDA_EVENT_SOURCE_MAPPING_MAX_BACKOFF_ON_ERROR_SEC)

    def on_error(error: Exception) -> float:
        LOG.error(
            "Error while polling messages for event source %s: %s",
            worker.esm_config.get("EventSourceArn") or worker.esm_config.get("SelfManagedEventSource"),
            error,
            exc_info=LOG.isEnabledFor(logging.DEBUG),
        )
        try:
            source = parse_arn(worker.esm_config.get("EventSourceArn")).get("service")
            esm_counter.labels(source=source, status=EsmExecutionStatus.source_poller_error).increment()
        except Exception:  # noqa: BLE001
            pass
        return backoff.next_backoff()

    return on_error, backoff


def _sqs_queue(source_arn: str):
    from localstack.services.sqs.models import sqs_stores
    from localstack.utils.aws.arns import parse_arn

    arn = parse_arn(source_arn)
    return sqs_stores[arn["account"]][arn["region"]].queues.get(arn["resource"])


def _reserved_concurrency(worker) -> int | None:
    from localstack.services.lambda_.api_utils import function_locators_from_arn

    name = function_locators_from_arn(worker.esm_config["FunctionArn"])[0]
    function = worker._state.functions.get(name)
    return getattr(function, "reserved_concurrent_executions", None) if function else None


def _sqs_loop(worker, esm_worker) -> None:
    from localstack.services.lambda_.event_source_mapping.pollers.poller import EmptyPollResultsException

    poller = worker.poller
    on_error, backoff = _error_backoff(worker, esm_worker)

    def poll() -> bool:
        try:
            poller.poll_events()
        except EmptyPollResultsException:
            return False
        backoff.reset()
        return True

    def backlog() -> int | None:
        try:
            queue = _sqs_queue(poller.source_arn)
            return None if queue is None else queue.approximate_number_of_messages
        except Exception:  # noqa: BLE001 - receive and let LocalStack report what is wrong
            return None

    def limit() -> int:
        try:
            reserved = _reserved_concurrency(worker)
        except Exception:  # noqa: BLE001
            reserved = None
        return max_pollers(worker.esm_config, reserved)

    pollers = SqsPollers(poll, backlog, limit, worker._shutdown_event, name=f"esm-{worker.uuid}")
    # A graceful stop (service_state.quiesce) waits for the extra pollers' batches before it shuts the queues down.
    worker._stagegraph_pollers = pollers
    pollers.run_lead(on_error)
    # The extra pollers finish the batch they hold (its function runs for at most 15 minutes).
    pollers.join(timeout=30)


def _stream_loop(worker, esm_worker) -> None:
    poller = worker.poller
    on_error, backoff = _error_backoff(worker, esm_worker)
    pace = StreamPace()
    get_records = poller.get_records

    def counted_get_records(*args, **kwargs):
        response = get_records(*args, **kwargs)
        pace.record(len(response.get("Records") or []))
        return response

    poller.get_records = counted_get_records
    from localstack.services.lambda_.event_source_mapping.pollers.poller import EmptyPollResultsException

    while not worker._shutdown_event.is_set():
        wait = 0.0
        try:
            poller.poll_events()
            backoff.reset()
            if pace.should_wait(len(poller.shards or {})):
                wait = esm_worker.LAMBDA_EVENT_SOURCE_MAPPING_POLL_INTERVAL_SEC
        except EmptyPollResultsException:
            wait = esm_worker.LAMBDA_EVENT_SOURCE_MAPPING_POLL_INTERVAL_SEC
        except Exception as error:  # noqa: BLE001
            wait = on_error(error)
        if wait:
            worker._shutdown_event.wait(wait)
