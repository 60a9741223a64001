"""The gateway's worker threads started ahead: how many (STAGEGRAPH_GATEWAY_THREADS), grown a few at a time on a real
twisted pool up to its maximum, and a request served while the pool grows."""
import threading

import pytest

from stagegraph_localstack import gateway_threads


@pytest.mark.parametrize(
    "raw, expected",
    [(None, gateway_threads.DEFAULT_THREADS), ("", gateway_threads.DEFAULT_THREADS), ("0", 0), ("40", 40),
     ("many", gateway_threads.DEFAULT_THREADS), ("-3", 0)],
)
def test_wanted_threads_from_the_environment(environ, raw, expected):
    environ(gateway_threads.VARIABLE, raw)
    assert gateway_threads.wanted_threads() == expected


def test_nothing_started_when_zero_are_wanted():
    assert gateway_threads.prestart(0) is None


@pytest.fixture
def pool():
    threadpool = pytest.importorskip("twisted.python.threadpool")
    thread_pool = threadpool.ThreadPool(0, 100)
    thread_pool.start()
    yield thread_pool
    thread_pool.stop()


def test_grows_a_started_pool_to_the_count_in_steps(pool):
    assert pool.workers == 0
    assert gateway_threads.grow(pool, 37, step=8) == 37
    assert pool.workers == 37
    # idle: every one of them can take a request that waits, at once
    stats = pool._team.statistics()
    assert stats.idleWorkerCount == 37 and stats.busyWorkerCount == 0


def test_grows_no_further_than_the_pools_maximum(pool):
    assert gateway_threads.grow(pool, 500) == 100


def test_a_pool_that_is_not_started_is_left_alone():
    threadpool = pytest.importorskip("twisted.python.threadpool")
    stopped = threadpool.ThreadPool(0, 100)
    assert gateway_threads.grow(stopped, 20) == 0


def test_a_request_during_the_growing_is_served_and_counted(pool):
    release = threading.Event()
    served = threading.Event()

    def request():
        served.set()
        release.wait(5)  # a request that waits keeps its thread, as an invocation in line does

    grower = threading.Thread(target=gateway_threads.grow, args=(pool, 100), kwargs={"step": 4})
    grower.start()
    pool.callInThread(request)
    assert served.wait(5)
    grower.join(10)
    assert not grower.is_alive()
    # the busy thread counts towards the 100: the pool is not grown past what was asked
    assert pool.workers == 100
    release.set()


def test_a_pool_stopped_during_the_growing_ends_it_without_an_error():
    threadpool = pytest.importorskip("twisted.python.threadpool")
    stopping = threadpool.ThreadPool(0, 100)
    stopping.start()
    grown = []

    def adjust(minthreads=None, maxthreads=None, original=stopping.adjustPoolsize):
        original(minthreads, maxthreads)
        if stopping.workers >= 16:
            stopping.stop()  # LocalStack shutting down while the pool grows

    stopping.adjustPoolsize = adjust
    grown.append(gateway_threads.grow(stopping, 100, step=8))
    # the growing saw the stop and returned, with no thread asked for after it
    assert not stopping.started
    assert grown[0] <= 16


def test_the_pools_minimum_is_put_back_after_the_growing(pool):
    assert pool.min == 0
    assert gateway_threads.grow(pool, 30, step=8) == 30
    assert pool.min == 0
