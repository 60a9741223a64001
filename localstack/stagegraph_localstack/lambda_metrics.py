"""Lambda's own CloudWatch metrics at the cost of a local cloud, not of a request and a database per invocation.

After every invocation LocalStack 2026.3 starts a thread (`version_manager.start_thread`) that puts the
function's Invocations (or Errors) metric: a PutMetricData request through botocore and the gateway's handler
chain, and a SQLite transaction of its own in CloudWatch, opening the database and syncing it to disk every time
under one lock. A loop of warm invocations spent a fifth of the interpreter's samples there (py-spy). Here:

- an invocation counts its metric in memory (by function, metric and second), and one thread puts what was
  counted in one PutMetricData per account and region, 0.2 s after the first count it has not put: the same
  values (``Values: [1]``, ``Counts: [n]`` at the second of the invocations) as n requests of one value each;
  what is counted when LocalStack stops is put before the state is saved (``flush``);
- CloudWatch's connections to its metrics database skip the sync to disk (`PRAGMA synchronous=OFF`): a
  committed value survives a crash of LocalStack, only not one of the machine, which a local cloud can lose.
"""
import datetime
import logging
import os
import sqlite3
import threading
import time
from collections.abc import Callable

from stagegraph_localstack.patching import install_once

LOG = logging.getLogger(__name__)

METRIC_THREAD_PREFIX = "record-cloudwatch-metric"
# How long the putting thread waits after a first count, for the counts of the invocations after it.
LINGER_SECONDS = 0.2
# PutMetricData's limit of values per request.
MAX_METRIC_DATA = 1000

Put = Callable[[str, str, list], None]


class MetricCounter:
    """Lambda's Invocations and Errors counted by account, region, function and second, and put by one thread."""

    def __init__(self, put: Put, linger: float = LINGER_SECONDS) -> None:
        self._put = put
        self._linger = linger
        self._lock = threading.Lock()
        # Held from taking the counts to having put them: a flush on shutdown returns once a put under way is done.
        self._flushing = threading.Lock()
        self._counts: dict[tuple[str, str, str, str, int], int] = {}
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None

    def count(self, account: str, region: str, function_name: str, metric: str, at: float | None = None) -> None:
        key = (account, region, function_name, metric, int(time.time() if at is None else at))
        with self._lock:
            self._counts[key] = self._counts.get(key, 0) + 1
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="stagegraph-lambda-metrics", daemon=True)
                self._thread.start()
        self._wake.set()

    def _run(self) -> None:
        while True:
            self._wake.wait()
            time.sleep(self._linger)
            self._wake.clear()
            try:
                self.flush()
            except Exception:  # noqa: BLE001 - the thread goes on for the next counts
                LOG.exception("stagegraph: putting Lambda's metrics failed")

    def flush(self, timeout: float = -1) -> int:
        """Puts what was counted; returns how many values (invocations and errors) it put. ``timeout``: how long to wait
        for a put under way (-1: as long as it takes); 0 is returned when it is still going."""
        if not self._flushing.acquire(timeout=timeout):
            LOG.warning("stagegraph: Lambda's metrics were still being put after %.1f s", timeout)
            return 0
        try:
            return self._flush()
        finally:
            self._flushing.release()

    def _flush(self) -> int:
        with self._lock:
            counts, self._counts = self._counts, {}
        by_target: dict[tuple[str, str], list] = {}
        for (account, region, function_name, metric, second), n in counts.items():
            by_target.setdefault((account, region), []).append({
                "MetricName": metric,
                "Dimensions": [{"Name": "FunctionName", "Value": function_name}],
                "Timestamp": datetime.datetime.fromtimestamp(second, datetime.UTC),
                "Values": [1.0],
                "Counts": [float(n)],
            })
        for (account, region), data in by_target.items():
            for start in range(0, len(data), MAX_METRIC_DATA):
                try:
                    self._put(account, region, data[start:start + MAX_METRIC_DATA])
                except Exception as error:  # noqa: BLE001 - as LocalStack's own: a metric lost is logged, not raised
                    LOG.info("stagegraph: unable to put Lambda's metrics to CloudWatch: %s", error)
        return sum(counts.values())


def _put_lambda_metrics(account: str, region: str, data: list) -> None:
    from localstack.aws.connect import connect_to
    from localstack.utils.bootstrap import is_api_enabled

    if is_api_enabled("cloudwatch"):  # as LocalStack's publish_lambda_metric
        connect_to(aws_access_key_id=account, region_name=region).cloudwatch.put_metric_data(
            Namespace="AWS/Lambda", MetricData=data
        )


_counter = MetricCounter(_put_lambda_metrics)


def record_invocation(function_name: str, account_id: str, region_name: str) -> None:
    _counter.count(account_id, region_name, function_name, "Invocations")


def record_error(function_name: str, account_id: str, region_name: str) -> None:
    _counter.count(account_id, region_name, function_name, "Invocations")
    _counter.count(account_id, region_name, function_name, "Errors")


def flush(timeout: float = -1) -> int:
    """Puts the metrics counted and not yet put (on shutdown, before the state is saved)."""
    return _counter.flush(timeout)


class _Sqlite3WithoutSync:
    """The sqlite3 module as CloudWatch's database helper uses it, with connections that do not sync."""

    def __getattr__(self, name):
        return getattr(sqlite3, name)

    @staticmethod
    def connect(*args, **kwargs):
        connection = sqlite3.connect(*args, **kwargs)
        try:
            connection.execute("PRAGMA synchronous=OFF")
        except sqlite3.Error as error:  # noqa: PERF203 - a read-only connection may refuse: it does not write
            LOG.debug("stagegraph: metrics database keeps its sync: %s", error)
        return connection


def metric_start_thread(start_thread):
    """A `start_thread` that runs Lambda's metric threads at once, in the invoking thread (they only count now), and
    starts every other thread as before."""

    def start(method, params=None, *args, name=None, **kwargs):
        if name and name.startswith(METRIC_THREAD_PREFIX):
            method(params)
            return None
        return start_thread(method, params, *args, name=name, **kwargs)

    return start


@install_once
def install() -> bool:
    """True when applied. `STAGEGRAPH_LAMBDA_METRICS=localstack` keeps LocalStack's threads, requests and syncs, for
    comparisons."""
    if os.environ.get("STAGEGRAPH_LAMBDA_METRICS") == "localstack":
        return False
    try:
        from localstack.services.cloudwatch import cloudwatch_database_helper
        from localstack.services.lambda_.invocation import version_manager
    except ImportError:  # not inside LocalStack
        return False
    cloudwatch_database_helper.sqlite3 = _Sqlite3WithoutSync()
    version_manager.record_cw_metric_invocation = record_invocation
    version_manager.record_cw_metric_error = record_error
    version_manager.start_thread = metric_start_thread(version_manager.start_thread)
    return True
