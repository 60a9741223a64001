"""Execution environments' timers on one scheduler thread instead of a thread each.

LocalStack 2026.3 starts a `threading.Timer` every time an execution environment is released after an invocation
(its keepalive: stop it after LAMBDA_KEEPALIVE_MS idle) and when one starts (its startup timeout). A timer is a new
thread, and `Thread.start` waits until that thread has run: under load it waits for the interpreter, and a py-spy
profile of warm invocations in a loop had 30% of the request thread's time in that wait. Here both are entries of
one heap served by one thread; what they call (stopping an environment) runs on a small pool, as it may take a
while (a JVM writing its class-data archive).
"""
import heapq
import itertools
import logging
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from stagegraph_localstack.patching import install_once

LOG = logging.getLogger(__name__)


class Scheduler:
    """Calls functions at their deadlines from one thread; cancelled entries are dropped when they come up, and the
    heap is rebuilt when more than half of it is cancelled (keepalives are cancelled at every invocation)."""

    def __init__(self, workers: int = 16) -> None:
        self._heap: list[tuple[float, int, "ScheduledTimer"]] = []
        self._order = itertools.count()
        self._cancelled = 0
        self._wake = threading.Condition()
        self._pool = ThreadPoolExecutor(workers, thread_name_prefix="stagegraph-timer-call")
        self._thread: threading.Thread | None = None

    def schedule(self, timer: "ScheduledTimer") -> None:
        with self._wake:
            heapq.heappush(self._heap, (timer.deadline, next(self._order), timer))
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="stagegraph-timers", daemon=True)
                self._thread.start()
            if self._heap[0][2] is timer:
                self._wake.notify()

    def cancelled(self) -> None:
        with self._wake:
            self._cancelled += 1
            if self._cancelled > 64 and self._cancelled * 2 > len(self._heap):
                self._heap = [entry for entry in self._heap if not entry[2].is_cancelled]
                heapq.heapify(self._heap)
                self._cancelled = 0

    def pending(self) -> int:
        with self._wake:
            return sum(1 for entry in self._heap if not entry[2].is_cancelled)

    def _run(self) -> None:
        while True:
            with self._wake:
                while not self._heap or self._heap[0][0] > time.monotonic():
                    self._wake.wait(self._heap[0][0] - time.monotonic() if self._heap else None)
                _, _, timer = heapq.heappop(self._heap)
                if timer.is_cancelled:
                    self._cancelled = max(0, self._cancelled - 1)
                    continue
                timer.fired = True
            try:
                self._pool.submit(timer.function, *timer.args, **timer.kwargs).add_done_callback(_log_failure)
            except RuntimeError as e:  # the pool is shut down: LocalStack is stopping
                LOG.debug("stagegraph: timer %s not called: %s", timer.function, e)


def _log_failure(call) -> None:
    """What threading.Timer printed: an exception of the called function (it is kept in the future otherwise)."""
    if call.exception() is not None:
        LOG.warning("stagegraph: a timer's call failed: %r", call.exception())


SCHEDULER = Scheduler()


class ScheduledTimer:
    """`threading.Timer`'s interface (start, cancel, interval, function) as an entry of the shared scheduler."""

    def __init__(self, interval: float, function: Callable, args=None, kwargs=None, scheduler: Scheduler | None = None) -> None:
        self.interval = interval
        self.function = function
        self.args = args or []
        self.kwargs = kwargs or {}
        self.deadline = 0.0
        self.is_cancelled = False
        self.fired = False
        self._scheduler = scheduler or SCHEDULER

    def start(self) -> None:
        self.deadline = time.monotonic() + self.interval
        self._scheduler.schedule(self)

    def cancel(self) -> None:
        if self.is_cancelled or self.fired:
            return
        self.is_cancelled = True
        if self.deadline:
            self._scheduler.cancelled()


@install_once
def install() -> bool:
    """True when applied: LocalStack's execution environments take their timers from the scheduler.
    `STAGEGRAPH_TIMERS=localstack` keeps a thread per timer, for comparisons."""
    if os.environ.get("STAGEGRAPH_TIMERS") == "localstack":
        return False
    try:
        from localstack.services.lambda_.invocation import execution_environment
    except ImportError:  # not inside LocalStack
        return False
    execution_environment.Timer = ScheduledTimer
    return True
