"""Lambda's metric threads on one worker, and CloudWatch's metrics database without a sync per commit."""
import sqlite3
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from stagegraph_localstack import lambda_metrics
from stagegraph_localstack.lambda_metrics import _Sqlite3WithoutSync, metric_start_thread


def test_metric_threads_run_on_the_pool_and_other_threads_start_as_before():
    started = []

    def start_thread(method, params=None, *args, name=None, **kwargs):
        started.append(name)
        return "thread"

    ran = []
    with ThreadPoolExecutor(1) as pool:
        start = metric_start_thread(start_thread, pool)
        future = start(lambda *a, **k: ran.append(threading.current_thread().name), name="record-cloudwatch-metric-f:$LATEST")
        future.result(5)
        error_future = start(lambda *a, **k: ran.append("error"), name="record-cloudwatch-metric-error-f:$LATEST")
        error_future.result(5)
        assert start(lambda *a: None, name="provisioning") == "thread"
    assert started == ["provisioning"]
    assert ran[1] == "error" and ran[0] != threading.current_thread().name


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
