"""Lambda's own CloudWatch metrics at the cost of a local cloud, not of a durable database per invocation.

After every invocation LocalStack 2026.3 starts a thread (`version_manager.start_thread`) that puts the
function's Invocations (or Errors) metric, and CloudWatch writes each value in a SQLite transaction of its
own, opening the database and syncing it to disk every time under one lock. Under a burst of invocations
(an OBS trigger, an SQS mapping with several pollers) those threads pile up on the lock and compete with the
invocations for the interpreter. Here:

- the metric threads become tasks of one worker thread, in the order of the invocations;
- CloudWatch's connections to its metrics database skip the sync to disk (`PRAGMA synchronous=OFF`): a
  committed value survives a crash of LocalStack, only not one of the machine, which a local cloud can lose.
"""
import logging
import os
import sqlite3
from concurrent.futures import ThreadPoolExecutor

from stagegraph_localstack.patching import install_once

LOG = logging.getLogger(__name__)

METRIC_THREAD_PREFIX = "record-cloudwatch-metric"


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


def metric_start_thread(start_thread, pool):
    """A `start_thread` that runs Lambda's metric threads on `pool` and starts every other thread as before."""

    def start(method, params=None, *args, name=None, **kwargs):
        if name and name.startswith(METRIC_THREAD_PREFIX):
            return pool.submit(method, params)
        return start_thread(method, params, *args, name=name, **kwargs)

    return start


@install_once
def install() -> bool:
    """True when applied. `STAGEGRAPH_LAMBDA_METRICS=localstack` keeps LocalStack's threads and syncs, for comparisons."""
    if os.environ.get("STAGEGRAPH_LAMBDA_METRICS") == "localstack":
        return False
    try:
        from localstack.services.cloudwatch import cloudwatch_database_helper
        from localstack.services.lambda_.invocation import version_manager
    except ImportError:  # not inside LocalStack
        return False
    cloudwatch_database_helper.sqlite3 = _Sqlite3WithoutSync()
    pool = ThreadPoolExecutor(1, thread_name_prefix="stagegraph-lambda-metrics")
    version_manager.start_thread = metric_start_thread(version_manager.start_thread, pool)
    return True
