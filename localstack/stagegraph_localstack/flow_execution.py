"""Step Functions executions without three costs LocalStack 2026.3 pays on every state or execution.

A py-spy profile of executions of a 100-state flow (`BENCH_ONLY=flows`) spent, of the interpreter's busy time:

- a third building a JSONPath parser: `ResultPath` and every `$.path` lookup call `jsonpath_ng.parse(path)`, which
  makes a new `JsonPathParser`, and that generates PLY's LALR tables every time. Parsed paths are kept here by their
  text (a parsed path is not changed by `find` or `update_or_create`, so one can serve every execution and thread);
- a quarter in the execution's CloudWatch Logs: with a logging configuration (stagegraph's flows log `ALL`, as cdk-nag
  asks), every history event is a synchronous `PutLogEvents` call made by the thread running the execution. AWS
  delivers these logs asynchronously; so does this module: the events go to one delivery thread, which writes them
  in order, in batches per execution, and is drained when the local cloud stops;
- and, with those gone, the ANTLR parse of the definition at the start of every execution (50 executions of a
  5-state flow at once parsed it 50 times): the parse tree is kept per definition text.
"""
import functools
import logging
import queue
import threading
import time

from stagegraph_localstack.patching import install_once

LOG = logging.getLogger(__name__)

PARSED_PATHS = 4096
# At most this many events per PutLogEvents call (CloudWatch Logs takes 10,000).
BATCH_EVENTS = 500
# When more events are queued behind the first, the delivery waits this long for the rest of them: 50 executions at
# once wrote their events in batches of one or two, a PutLogEvents through the handler chain each (29% of the
# interpreter's busy time in a py-spy profile).
LINGER_SECONDS = 0.05


def cached_parse(parse):
    """`parse`, remembering what it returned for each path text."""
    return functools.lru_cache(maxsize=PARSED_PATHS)(parse)


class LogDelivery:
    """One thread writing execution log events, batched per log stream (the events of every execution of a state
    machine, in time order, in one call per pass however they interleave). `write(session, events)` (default
    `write_events`) writes one batch."""

    def __init__(self, write=None, linger: float = LINGER_SECONDS):
        self._queue: queue.Queue = queue.Queue()
        self._linger = linger
        self._write = write or write_events
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        # Events put and written so far: the queue is first in, first out, so a count is a position in it.
        self._put = 0
        self._written = 0
        self._progress = threading.Condition(self._lock)

    def put(self, session, event) -> None:
        with self._lock:
            self._put += 1
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="stagegraph-flow-logs", daemon=True)
                self._thread.start()
        self._queue.put((session, event))

    def _run(self) -> None:
        while True:
            first = self._queue.get()
            if self._queue.qsize() > 0:
                # More are coming (executions running at once): a moment for the rest of their events, so that each
                # execution's are one call, not one call per event.
                time.sleep(self._linger)
            taken = [first]
            while len(taken) < BATCH_EVENTS * 4:
                try:
                    taken.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            # One batch per log stream (a state machine's executions write one stream), in time order below.
            batches: dict[object, tuple[object, list]] = {}
            for session, event in taken:
                batches.setdefault(_destination(session), (session, []))[1].append(event)
            for session, events in batches.values():
                # CloudWatch Logs refuses a whole batch out of time order (should the clock step back).
                events.sort(key=lambda event: event["timestamp"])
                for start in range(0, len(events), BATCH_EVENTS):
                    try:
                        self._write(session, events[start:start + BATCH_EVENTS])
                    except Exception as error:  # noqa: BLE001 - as LocalStack: a lost log line must not stop the rest
                        LOG.warning("stagegraph: flow execution log events not written: %s", error)
            with self._lock:
                self._written += len(taken)
                self._progress.notify_all()

    def drain(self, timeout: float) -> bool:
        """Waits until the events put before this call are written (not those put meanwhile by executions still
        running); False when the timeout came first."""
        deadline = time.monotonic() + timeout
        with self._lock:
            mark = self._put
            while self._written < mark:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._progress.wait(left)
        return True


def _destination(session) -> object:
    """Where a session's events go: its log stream (account, region, group, stream), else the session itself."""
    configuration = getattr(session, "configuration", None)
    if configuration is None:
        return id(session)
    return (configuration.log_account_id, configuration.log_region, configuration.log_group_name,
            configuration.log_stream_name)


def write_events(session, events) -> None:
    """Into the logs store in the process, as the Lambda service's log lines (log_delivery.write_in_process: no
    botocore client and no gateway; 50 executions at once spent a fifth of the interpreter's busy time in those), else
    with LocalStack's own write (the first of a run, which loads the logs service; `STAGEGRAPH_LOG_WRITES=gateway`;
    metric filters in the region; a log group that is gone, which LocalStack's write does not make again; an error
    of the write in process), which makes the stream when missing."""
    from stagegraph_localstack import log_delivery

    configuration = getattr(session, "configuration", None)
    if configuration is not None and log_delivery.IN_PROCESS_WRITES and log_delivery.logs_loaded():
        try:
            # A missing log group is LocalStack's write's to handle (it makes the stream, not the group).
            if log_delivery.write_in_process(configuration.log_account_id, configuration.log_region,
                                             configuration.log_group_name, configuration.log_stream_name, events,
                                             create_group=False):
                return
        except Exception as error:  # noqa: BLE001 - LocalStack's write has the last word
            LOG.debug("stagegraph: flow execution logs written through the gateway: %s", error)
    session._publish_history_log_or_setup(log_events=events)
    log_delivery.note_logs_loaded()


_delivery = LogDelivery()


def drain(timeout: float = 5.0) -> bool:
    return _delivery.drain(timeout)


# Definitions whose parse tree is kept (a state machine's definition is parsed again for every execution).
PARSED_DEFINITIONS = 256


def tree_cached_parse(parse, preprocessor):
    """LocalStack's `parse` (definition -> (program, parse tree)) with the ANTLR parse tree kept by definition text.
    Only the tree: the program is built from it again for each execution with a new `preprocessor()` (its components
    keep per-execution state, such as a Parallel state's branches); the preprocessor only reads the tree, so one tree
    can serve every execution and thread. A definition with syntax errors raises as before and is not kept. (The
    first execution of a definition builds its program twice, once inside `parse`: about 1 ms.)"""

    @functools.lru_cache(maxsize=PARSED_DEFINITIONS)
    def tree_of(definition: str):
        return parse(definition)[1]

    def cached(definition: str):
        tree = tree_of(definition)
        return preprocessor().visit(tree), tree

    return cached


@install_once
def cache_definition_trees() -> bool:
    """Each execution's definition is parsed once per definition, not once per execution; True when applied."""
    try:
        from localstack.services.stepfunctions.asl.parse import asl_parser
    except ImportError:  # not inside LocalStack
        return False
    parser = asl_parser.AmazonStateLanguageParser
    parser.parse = staticmethod(tree_cached_parse(parser.parse, asl_parser.Preprocessor))
    return True


@install_once
def install() -> bool:
    """Caches parsed JSONPaths and delivers execution logs asynchronously; True when applied."""
    try:
        import jsonpath_ng
        import jsonpath_ng.ext
        from localstack.services.stepfunctions.asl.component.common.path import result_path
        from localstack.services.stepfunctions.asl.eval.event.logging import CloudWatchLoggingSession
        from localstack.services.stepfunctions.asl.utils import json_path
        from localstack.aws.api.logs import InputLogEvent
        from localstack.services.stepfunctions.asl.utils.encoding import to_json_str
    except ImportError:  # not inside LocalStack, or another layout: executions run as LocalStack runs them
        return False

    result_path.parse = cached_parse(jsonpath_ng.parse)
    json_path.parse = cached_parse(jsonpath_ng.ext.parse)

    def publish_history_log(self, history_log) -> None:
        timestamp = int(history_log["event_timestamp"].timestamp() * 1000)
        _delivery.put(self, InputLogEvent(timestamp=timestamp, message=to_json_str(history_log)))

    CloudWatchLoggingSession.publish_history_log = publish_history_log
    return True
