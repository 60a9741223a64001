"""Lambda's metrics counted and put in batches, and CloudWatch's metrics database without a sync per commit."""
import datetime
import sqlite3
import threading
import time

import pytest

from stagegraph_localstack import lambda_metrics
from stagegraph_localstack.lambda_metrics import MetricCounter, _Sqlite3WithoutSync, metric_start_thread


def test_metric_threads_only_count_in_the_invoking_thread_and_other_threads_start_as_before():
    started = []

    def start_thread(method, params=None, *args, name=None, **kwargs):
        started.append(name)
        return "thread"

    ran = []
    start = metric_start_thread(start_thread)
    assert start(lambda *a, **k: ran.append(threading.current_thread().name), name="record-cloudwatch-metric-f:$LATEST") is None
    start(lambda *a, **k: ran.append("error"), name="record-cloudwatch-metric-error-f:$LATEST")
    assert start(lambda *a: None, name="provisioning") == "thread"
    assert started == ["provisioning"]
    assert ran == [threading.current_thread().name, "error"]


def test_invocations_are_put_as_counts_per_function_and_second_in_one_request_per_account_and_region():
    puts = []
    counter = MetricCounter(lambda account, region, data: puts.append((account, region, data)), linger=60)
    for _ in range(5):
        counter.count("111", "eu-west-1", "resize", "Invocations", at=1000.2)
    counter.count("111", "eu-west-1", "resize", "Invocations", at=1001.9)
    counter.count("111", "eu-west-1", "resize", "Errors", at=1001.0)
    counter.count("222", "us-east-1", "resize", "Invocations", at=1000.0)

    assert counter.flush() == 8
    assert [(account, region, len(data)) for account, region, data in puts] == [("111", "eu-west-1", 3), ("222", "us-east-1", 1)]
    first = puts[0][2][0]
    assert first == {
        "MetricName": "Invocations",
        "Dimensions": [{"Name": "FunctionName", "Value": "resize"}],
        "Timestamp": datetime.datetime(1970, 1, 1, 0, 16, 40, tzinfo=datetime.UTC),
        "Values": [1.0],
        "Counts": [5.0],
    }
    assert [(d["MetricName"], d["Counts"]) for d in puts[0][2][1:]] == [("Invocations", [1.0]), ("Errors", [1.0])]
    assert counter.flush() == 0 and len(puts) == 2  # nothing counted since: nothing put


def test_counts_are_put_by_the_counters_thread_shortly_after_and_a_failed_put_is_not_raised():
    puts = []
    failing = MetricCounter(lambda *a: (_ for _ in ()).throw(RuntimeError("cloudwatch down")), linger=0.01)
    assert failing.flush() == 0
    failing.count("1", "r", "f", "Invocations")
    assert failing.flush() == 1  # logged, not raised

    counter = MetricCounter(lambda account, region, data: puts.append(data), linger=0.01)
    counter.count("1", "r", "f", "Invocations")
    deadline = time.monotonic() + 5
    while not puts and time.monotonic() < deadline:
        time.sleep(0.01)
    assert [d["Counts"] for d in puts[0]] == [[1.0]]
    counter.count("1", "r", "f", "Invocations")
    counter.count("1", "r", "f", "Invocations")
    while len(puts) < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert sum(d["Counts"][0] for data in puts for d in data) == 3


def test_more_than_a_request_holds_is_put_in_several():
    puts = []
    counter = MetricCounter(lambda account, region, data: puts.append(len(data)), linger=60)
    for i in range(2_500):
        counter.count("1", "r", f"f{i}", "Invocations", at=1000)
    assert counter.flush() == 2_500
    assert puts == [1000, 1000, 500]


def test_metrics_connections_do_not_sync(tmp_path):
    shim = _Sqlite3WithoutSync()
    path = str(tmp_path / "metrics.db")
    with shim.connect(path) as connection:
        assert connection.execute("PRAGMA synchronous").fetchone()[0] == 0
        connection.execute("CREATE TABLE t (a)")
    assert shim.Error is sqlite3.Error  # the rest of the module as it is
    with shim.connect(f"file:{path}?mode=ro", uri=True) as connection:  # read-only, as the helper's readers
        assert connection.execute("SELECT count(*) FROM t").fetchone()[0] == 0


def test_install_inside_localstack():
    pytest.importorskip("localstack.services.cloudwatch.cloudwatch_database_helper")
    assert lambda_metrics.install()
    from localstack.services.cloudwatch import cloudwatch_database_helper

    assert isinstance(cloudwatch_database_helper.sqlite3, _Sqlite3WithoutSync)
    from localstack.services.lambda_.invocation import version_manager

    assert version_manager.record_cw_metric_invocation is lambda_metrics.record_invocation
    assert version_manager.record_cw_metric_error is lambda_metrics.record_error


def test_a_flush_on_shutdown_returns_once_the_put_under_way_is_done():
    started, release, puts = threading.Event(), threading.Event(), []

    def slow_put(account, region, data):
        started.set()
        release.wait(5)
        puts.append(data)

    counter = MetricCounter(slow_put, linger=60)
    counter.count("1", "r", "f", "Invocations")
    background = threading.Thread(target=counter.flush)
    background.start()
    assert started.wait(5)
    assert counter.flush(timeout=0.05) == 0  # a shutdown with little time left does not wait for it
    shutdown = threading.Thread(target=counter.flush)
    shutdown.start()
    shutdown.join(0.2)
    assert shutdown.is_alive()  # waits for the put under way
    release.set()
    shutdown.join(5)
    background.join(5)
    assert not shutdown.is_alive() and len(puts) == 1
