"""The gateway's worker threads, started before a burst of requests needs them.

LocalStack's twisted gateway runs each request on a thread of the reactor's pool (up to GATEWAY_WORKER_COUNT, 1000),
and the pool starts a thread when a request finds none idle. It starts them one after another on the reactor's
thread, and `Thread.start` waits until the new thread has run, which under load means waiting for the interpreter.
A request that waits (an invocation in its function's line, an SQS long poll) keeps its thread, so the first burst of
200 invocations after a start made the pool start about 200 threads while the requests came in: the last of them
ended 0.3-1.0 s after the burst's median, where the bursts after it had a tail of 0.0-0.2 s (2 cores).

Here a background thread grows the pool to ``STAGEGRAPH_GATEWAY_THREADS`` threads, busy or idle (256 unless set, at
most GATEWAY_WORKER_COUNT; 0 leaves the pool as LocalStack has it) once the gateway is up, a few at a time so that
requests arriving meanwhile are not held up. The pool never stops idle threads, so this is the pool a first burst
would have left behind.
"""
import logging
import threading
import time
from typing import Any

from stagegraph_localstack.settings import environment_number

LOG = logging.getLogger(__name__)

VARIABLE = "STAGEGRAPH_GATEWAY_THREADS"
DEFAULT_THREADS = 256
# Threads started per step: the pool's coordinator lock is held for a step, and a request that arrives meanwhile is
# dispatched after it.
STEP = 8
# How long the growing waits for the pool to start (the reactor starts it once it runs), and for a step to show.
WAIT_SECONDS = 60.0
STALLED_SECONDS = 1.0


def wanted_threads() -> int:
    """The number of gateway threads to have started, from STAGEGRAPH_GATEWAY_THREADS."""
    return int(environment_number(VARIABLE, DEFAULT_THREADS, parse=int, what="a whole number"))


def grow(pool: Any, count: int, step: int = STEP, stalled_seconds: float = STALLED_SECONDS) -> int:
    """Grows a started twisted ThreadPool to ``count`` threads (at most its maximum), ``step`` at a time; returns the
    number of threads it has then. Stops early when a step has not shown for ``stalled_seconds`` (the pool stopped,
    or cannot start more threads)."""
    target = min(count, pool.max)
    # adjustPoolsize raises the pool's minimum on the way; it is put back after, so that a later adjustPoolsize or
    # suggestThreadPoolSize (LocalStack's, with its own numbers) finds the pool as LocalStack configured it.
    minimum = pool.min
    try:
        return _grow(pool, target, step, stalled_seconds)
    finally:
        pool.min = minimum


def _grow(pool: Any, target: int, step: int, stalled_seconds: float) -> int:
    progress_at = time.monotonic()
    while pool.workers < target and pool.started:
        before = pool.workers
        # Starts (minimum - workers) threads here, holding the pool's coordinator lock (the reactor waits for it).
        pool.adjustPoolsize(minthreads=min(target, before + step), maxthreads=pool.max)
        if pool.workers > before:
            progress_at = time.monotonic()
        elif time.monotonic() - progress_at > stalled_seconds:
            break
        else:
            time.sleep(0.01)
    return pool.workers


def _wait_started(pool: Any, seconds: float = WAIT_SECONDS) -> bool:
    deadline = time.monotonic() + seconds
    while not pool.started:
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def prestart(count: int | None = None) -> threading.Thread | None:
    """Starts the growing in the background; returns its thread (None when nothing is to be started)."""
    wanted = wanted_threads() if count is None else count
    if wanted <= 0:
        return None
    from twisted.internet import reactor

    pool = reactor.getThreadPool()

    def run() -> None:
        try:
            if not _wait_started(pool):
                LOG.warning("stagegraph: the gateway's thread pool did not start: no threads started ahead")
                return
            grown = grow(pool, wanted)
            LOG.debug("stagegraph: %s gateway threads started ahead", grown)
        except Exception as error:  # noqa: BLE001 - an optimisation: the pool still starts threads on demand
            # A pool stopped meanwhile (LocalStack shutting down) refuses new threads: nothing to report then.
            (LOG.warning if pool.started else LOG.debug)("stagegraph: starting gateway threads ahead failed: %s", error)

    thread = threading.Thread(target=run, name="stagegraph-gateway-threads", daemon=True)
    thread.start()
    return thread
