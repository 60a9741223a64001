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


def cached_parse(parse):
    """`parse`, remembering what it returned for each path text."""
    return functools.lru_cache(maxsize=PARSED_PATHS)(parse)


class LogDelivery:
    """One thread writing execution log events in order, batched per session. `put(session, events)` calls
    `session._publish_history_log_or_setup(events)`: LocalStack's own write, which creates the stream if needed."""

    def __init__(self, write=None):
        self._queue: queue.Queue = queue.Queue()
        self._write = write or (lambda session, events: session._publish_history_log_or_setup(log_events=events))
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
            taken = [first]
            while len(taken) < BATCH_EVENTS * 4:
                try:
                    taken.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            # Consecutive runs of one session's events, in the order they came.
            batches: list[tuple[object, list]] = []
            for session, event in taken:
                if batches and batches[-1][0] is session and len(batches[-1][1]) < BATCH_EVENTS:
                    batches[-1][1].append(event)
                else:
                    batches.append((session, [event]))
            for session, events in batches:
                # CloudWatch Logs refuses a whole batch out of time order (should the clock step back).
                events.sort(key=lambda event: event["timestamp"])
                try:
                    self._write(session, events)
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
