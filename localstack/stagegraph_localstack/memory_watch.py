"""Lambda's memory limit for runtime processes that run on the host without a container.

One thread watches the resident memory of every runtime process while it handles an invocation, reading
/proc/<pid>/statm; a process past its function's memory size is killed, as Lambda stops a function that
uses more than it was given. Registering an invocation costs a dictionary update under a lock.
"""
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from stagegraph_localstack.settings import environment_number

PAGE_BYTES = os.sysconf("SC_PAGE_SIZE")
# How often a busy process is measured: a fast allocation may pass the limit by what it allocates in this time.
INTERVAL_SECONDS = environment_number(
    "STAGEGRAPH_MEMORY_WATCH_INTERVAL", 0.02, what="a number of seconds", minimum=0.001
)


def resident_bytes(pid: int) -> int | None:
    """The resident memory of a process, or None when it is gone."""
    try:
        with open(f"/proc/{pid}/statm", "rb") as f:
            return int(f.read().split()[1]) * PAGE_BYTES
    except (FileNotFoundError, ProcessLookupError, IndexError, ValueError):
        return None


@dataclass
class _Watched:
    limit_bytes: int
    on_exceeded: Callable[[int], None]


class MemoryWatch:
    def __init__(self, interval: float = INTERVAL_SECONDS) -> None:
        self._interval = interval
        self._watched: dict[int, _Watched] = {}
        self._changed = threading.Condition()
        self._thread: threading.Thread | None = None

    def watch(self, pid: int, limit_mb: int, on_exceeded: Callable[[int], None]) -> None:
        """Measures `pid` until unwatch(); `on_exceeded(resident_bytes)` runs once if it passes `limit_mb`."""
        with self._changed:
            self._watched[pid] = _Watched(limit_mb * 1024 * 1024, on_exceeded)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="stagegraph-memory-watch", daemon=True)
                self._thread.start()
            self._changed.notify()

    def unwatch(self, pid: int) -> None:
        with self._changed:
            self._watched.pop(pid, None)

    def _run(self) -> None:
        while True:
            with self._changed:
                while not self._watched:
                    self._changed.wait()
                watched = list(self._watched.items())
            started = time.perf_counter()
            for pid, entry in watched:
                used = resident_bytes(pid)
                if used is not None and used > entry.limit_bytes:
                    self.unwatch(pid)
                    entry.on_exceeded(used)
            # With many busy processes, rounds are spaced so the watch takes at most about a tenth of a core.
            time.sleep(max(self._interval, (time.perf_counter() - started) * 9))


WATCH = MemoryWatch()
