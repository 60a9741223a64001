"""Execution environments started as a function's line of invocations needs them, and handed from one invocation to
the next.

LocalStack 2026.3 starts an environment for each invocation that finds none ready (16 starts at most at once,
machine-wide). 200 invocations at once of a cold Node.js function started 34 to 127 processes on a 2-core machine,
and their starts took the cores the invocations needed: p99 2.2 to 6.5 s. AWS starts one per concurrent invocation,
each on hardware of its own. Here an on-demand invocation that finds no environment ready waits in line, and:

- an environment released while invocations wait goes to the first of them, as it is (no READY state in between,
  no keepalive timer, no race with the next invocation to arrive);
- another environment is started when the line would take longer to clear on the function's environments than a
  start takes: ``waiting x (time an invocation holds an environment) / environments > time a start takes``, both
  times averaged over the function's last invocations and starts, the hold at least as long as the youngest
  invocation under way has held its environment; before any invocation has ended, and when the first in line has
  waited longer than ``STALL_SECONDS``, one is started for each waiting invocation; at most
  ``STARTS_AT_ONCE`` at once per function. Until one of its invocations has ended, a function gets an environment
  per waiting invocation (four starts at a time on 2 cores: ten 1 s invocations at once end within about 1.2 s,
  where AWS takes 1 s); a burst of short ones is served by a few;
- a start that fails is the error of the first in line, as it was the error of the invocation that started it.

Provisioned concurrency, the debug mode's environments and managed instances keep LocalStack's way.
``STAGEGRAPH_LAMBDA_SCALING=localstack`` keeps it for all (in LocalStack's environment) or for one function (in the
function's environment: the benchmark compares both in one run).
"""
import collections
import contextlib
import datetime
import logging
import os
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

from stagegraph_localstack.patching import install_once
from stagegraph_localstack.timers import ScheduledTimer

LOG = logging.getLogger(__name__)

# Starts under way at once for one function (LocalStack's machine-wide limit of 16 still applies).
STARTS_AT_ONCE = max(2, 2 * (os.cpu_count() or 1))
# The first in line waited this long: start another environment whatever the averages say.
STALL_SECONDS = 0.5
# How often the line is looked at while invocations wait (releases and starts hand them environments before). One
# timer per line: a line of 200 invocations each looking every 0.1 s took a tenth of the interpreter.
RECHECK_SECONDS = 0.1
# A waiting invocation's own wait is a loop of these (it is always handed an environment or an error).
WAITER_TIMEOUT_SECONDS = 5.0
# What a start is taken to cost before the function's first start is measured.
FIRST_START_SECONDS = 0.1
# Weight of the newest figure in the averages.
SMOOTHING = 0.2

POOL_ATTRIBUTE = "_stagegraph_pool"


class Waiter:
    __slots__ = ("since", "event", "environment", "error", "closed")

    def __init__(self) -> None:
        self.since = time.monotonic()
        self.event = threading.Event()
        self.environment: Any = None
        self.error: BaseException | None = None
        # The line was closed (its function version stopped) before an environment came: LocalStack's way then.
        self.closed = False


class FunctionPool:
    """The line of one function version's on-demand invocations waiting for an environment, and its starts.

    ``environments()`` lists the function's live on-demand environments (ready or invoking); ``reserve_ready()``
    reserves a READY one or gives None; ``start()`` starts one and returns it reserved (INVOKING); ``release(e)``
    makes one READY (LocalStack's release); ``usable(e)``: still INVOKING (not stopped meanwhile); ``unclaimed(e)``:
    one started for the line that nobody waits for any more (its Init Duration is nobody's); ``discard(e)``: stops one
    started after the line was closed."""

    def __init__(self, environments: Callable[[], list], reserve_ready: Callable[[], Any], start: Callable[[], Any],
                 release: Callable[[Any], None], starts_at_once: int = STARTS_AT_ONCE,
                 stall_seconds: float = STALL_SECONDS, usable: Callable[[Any], bool] = lambda e: True,
                 unclaimed: Callable[[Any], None] = lambda e: None, discard: Callable[[Any], None] = lambda e: None,
                 ) -> None:
        self._environments = environments
        self._reserve_ready = reserve_ready
        self._start = start
        self._release = release
        self._usable = usable
        self._unclaimed = unclaimed
        self._discard = discard
        self.closed = False
        self.starts_at_once = starts_at_once
        self.stall_seconds = stall_seconds
        self.lock = threading.Lock()
        self.waiters: collections.deque[Waiter] = collections.deque()
        self.starting = 0
        self.started = 0
        self.hold_seconds: float | None = None
        self.start_seconds: float | None = None
        # id of each environment held by an invocation -> since when
        self.holding: dict[int, float] = {}
        self._watching = False

    # --- taking an environment -------------------------------------------------------------------

    def acquire(self) -> Any:
        """An environment reserved for one invocation: a READY one when nobody waits, else the first released or
        started after the invocations in line before this one."""
        with self.lock:
            if not self.waiters:
                environment = self._reserve_ready()
                if environment is not None:
                    return self._held(environment)
            if self.closed:
                return None
            waiter = Waiter()
            self.waiters.append(waiter)
            try:
                self._start_as_needed()
                self._watch()
            except BaseException:  # a thread that could not start: this invocation fails, it does not wait
                self.waiters.remove(waiter)
                raise
        # Handed an environment (or a start's error) by a release, a start, the line's watch or its close.
        while not waiter.event.wait(WAITER_TIMEOUT_SECONDS):
            pass
        if waiter.error is not None:
            raise waiter.error
        return None if waiter.closed else waiter.environment

    def close(self) -> None:
        """The function version was stopped: the invocations still waiting go LocalStack's way (``acquire`` gives
        them None), and nothing more is started; an environment whose start completes after this is discarded."""
        with self.lock:
            self.closed = True
            while self.waiters:
                waiter = self.waiters.popleft()
                waiter.closed = True
                waiter.event.set()

    def _watch(self) -> None:
        """Under the lock: while invocations wait, the line is looked at every RECHECK_SECONDS (by one timer, not by
        each of them) for what only time tells: a stall, invocations held longer than the averages."""
        if self.waiters and not self._watching:
            self._watching = True
            ScheduledTimer(RECHECK_SECONDS, self._recheck).start()

    def _recheck(self) -> None:
        with self.lock:
            self._watching = False
            while self.waiters:
                # one made READY outside the line (LocalStack's own release of an environment it started)
                environment = self._reserve_ready()
                if environment is None:
                    break
                self._hand(self.waiters.popleft(), environment)
            self._start_as_needed()
            self._watch()

    def release(self, environment: Any) -> None:
        """After an invocation: to the first in line, or READY for the next to come."""
        with self.lock:
            held_since = self.holding.pop(id(environment), None)
            if held_since is not None:
                self.hold_seconds = _average(self.hold_seconds, time.monotonic() - held_since)
            if self.waiters and self._usable(environment):
                environment.last_returned = datetime.datetime.now()
                self._hand(self.waiters.popleft(), environment)
                return
            try:
                self._release(environment)
            finally:
                self._start_as_needed()

    def stopped(self, environment: Any) -> None:
        """An environment of the function was stopped (its invocation failed): the line may need another."""
        with self.lock:
            self.holding.pop(id(environment), None)
            self._start_as_needed()

    # --- starting environments -------------------------------------------------------------------

    def _start_as_needed(self) -> None:
        """Under the lock: starts what the line needs now."""
        while self._needs_start():
            self.starting += 1
            try:
                threading.Thread(target=self._run_start, name="stagegraph-environment-start", daemon=True).start()
            except BaseException:
                self.starting -= 1
                raise

    def _needs_start(self) -> bool:
        unserved = len(self.waiters) - self.starting
        if self.closed or unserved <= 0 or self.starting >= self.starts_at_once:
            return False
        environments = len(self._environments()) + self.starting
        if environments == 0:
            return True
        now = time.monotonic()
        if now - self.waiters[0].since > self.stall_seconds:
            return True
        if self.hold_seconds is None:
            # No invocation of the function has ended yet: it may be a slow one, each waiting invocation its own.
            return True
        start = self.start_seconds if self.start_seconds is not None else FIRST_START_SECONDS
        # The invocations holding environments now hold them at least as long as the youngest of them has.
        hold = max(self.hold_seconds, now - max(self.holding.values(), default=now))
        return unserved * hold / environments > start

    def _run_start(self) -> None:
        began = time.monotonic()
        try:
            environment = self._start()
        except BaseException as e:  # noqa: BLE001 - the error is the first waiting invocation's
            with self.lock:
                self.starting -= 1
                if self.waiters:
                    waiter = self.waiters.popleft()
                    waiter.error = e
                    waiter.event.set()
                else:
                    LOG.warning("stagegraph: an environment started for no waiting invocation failed: %s", e)
                self._start_as_needed()
            return
        with self.lock:
            self.starting -= 1
            self.started += 1
            self.start_seconds = _average(self.start_seconds, time.monotonic() - began)
            discard = self.closed
            if not discard and self.waiters:
                self._hand(self.waiters.popleft(), environment)
            elif not discard:
                self._unclaimed(environment)
                self._release(environment)
            self._start_as_needed()
        if discard:
            self._discard(environment)

    def _hand(self, waiter: Waiter, environment: Any) -> None:
        waiter.environment = self._held(environment)
        waiter.event.set()

    def _held(self, environment: Any) -> Any:
        self.holding[id(environment)] = time.monotonic()
        return environment


def _average(average: float | None, value: float) -> float:
    return value if average is None else average + SMOOTHING * (value - average)


# --- inside LocalStack -------------------------------------------------------------------------


def _pool_for(service: Any, version_manager_id: str, function_version: Any) -> FunctionPool | None:
    """The line of a function version; None for a version already stopped (an invocation that got past the version's
    shutdown check just before it: LocalStack's way)."""
    from localstack.services.lambda_.invocation.execution_environment import RuntimeStatus
    from localstack.services.lambda_.invocation.lambda_models import InitializationType

    pools: dict[str, FunctionPool] = service.__dict__.setdefault("_stagegraph_pools", {})
    pool = pools.get(version_manager_id)
    if pool is not None:
        return pool
    live = (RuntimeStatus.READY, RuntimeStatus.INVOKING)

    def environments() -> list:
        return [environment for environment in list(service.environments[version_manager_id].values())
                if environment.initialization_type == InitializationType.on_demand and environment.status in live]

    def start() -> Any:
        with service.on_demand_start_semaphore:
            environment = service.start_environment(version_manager_id, function_version)
        setattr(environment, POOL_ATTRIBUTE, pool)
        service.environments[version_manager_id][environment.id] = environment
        environment.reserve()
        return environment

    def usable(environment: Any) -> bool:
        with environment.status_lock:
            return environment.status == RuntimeStatus.INVOKING

    def unclaimed(environment: Any) -> None:
        # Started for an invocation that another environment served: AWS reports no Init Duration for it.
        if hasattr(environment.runtime_executor, "pending_init_ms"):
            environment.runtime_executor.pending_init_ms = None

    with _POOLS_LOCK:
        if version_manager_id in service.__dict__.setdefault("_stagegraph_stopped_versions", set()):
            return None
        pool = pools.get(version_manager_id)
        if pool is None:
            pool = pools[version_manager_id] = FunctionPool(
                environments, _reserve_ready(service, version_manager_id), start, localstack_release, usable=usable,
                unclaimed=unclaimed, discard=service.stop_environment)
    return pool


_POOLS_LOCK = threading.Lock()


def localstack_release(environment: Any) -> None:
    """LocalStack's own release (READY, keepalive), under the one ``pooled_release`` wraps."""
    release = type(environment).release
    getattr(release, "__wrapped__", release)(environment)


def _reserve_ready(service: Any, version_manager_id: str) -> Callable[[], Any]:
    from localstack.services.lambda_.invocation.execution_environment import InvalidStatusException
    from localstack.services.lambda_.invocation.lambda_models import InitializationType

    def reserve() -> Any:
        for environment in list(service.environments[version_manager_id].values()):
            if environment.initialization_type != InitializationType.on_demand:
                continue
            try:
                environment.reserve()
                return environment
            except InvalidStatusException:
                pass
        return None

    return reserve


def pooled_get_environment(original: Callable) -> Callable:
    """AssignmentService.get_environment with the line above for on-demand invocations; the rest as LocalStack's."""
    from localstack.services.lambda_.invocation.execution_environment import InvalidStatusException
    from localstack.services.lambda_.invocation.lambda_models import InitializationType

    @contextlib.contextmanager
    def on_demand(self: Any, version_manager_id: str, function_version: Any) -> Iterator[Any]:
        pool = _pool_for(self, version_manager_id, function_version)
        environment = pool.acquire() if pool is not None else None
        if environment is None:
            # the version was stopped before an environment came: as LocalStack does
            with original(self, version_manager_id, function_version, InitializationType.on_demand) as environment:
                yield environment
            return
        try:
            yield environment
            environment.release()
        except InvalidStatusException as invalid_e:
            LOG.error("InvalidStatusException: %s", invalid_e)
            pool.stopped(environment)
        except Exception as e:
            LOG.error("Failed invocation <%s>: %s", type(e), e, exc_info=LOG.isEnabledFor(logging.DEBUG))
            self.stop_environment(environment)
            pool.stopped(environment)
            raise e

    def get_environment(self: Any, version_manager_id: str, function_version: Any, provisioning_type: Any):
        config = function_version.config
        if (provisioning_type == InitializationType.on_demand and not config.capacity_provider_config
                and (config.environment or {}).get("STAGEGRAPH_LAMBDA_SCALING") != "localstack"):
            return on_demand(self, version_manager_id, function_version)
        return original(self, version_manager_id, function_version, provisioning_type)

    get_environment.__wrapped__ = original  # type: ignore[attr-defined]
    return get_environment


def pools_forgotten(original: Callable) -> Callable:
    """AssignmentService.stop_environments_for_version: a function version stopped (updated, deleted) leaves no line
    behind (each update of a function's code or configuration is a version manager of its own): its line is closed
    (the invocations still waiting go LocalStack's way, an environment whose start completes later is stopped) and
    forgotten."""

    def stop_environments_for_version(self: Any, version_manager_id: str) -> None:
        with _POOLS_LOCK:
            self.__dict__.setdefault("_stagegraph_stopped_versions", set()).add(version_manager_id)
            pool = self.__dict__.get("_stagegraph_pools", {}).pop(version_manager_id, None)
        if pool is not None:
            pool.close()
        original(self, version_manager_id)

    stop_environments_for_version.__wrapped__ = original  # type: ignore[attr-defined]
    return stop_environments_for_version


def pooled_release(original: Callable) -> Callable:
    """ExecutionEnvironment.release: an environment the line started goes to the line."""

    from localstack.services.lambda_.invocation.execution_environment import RuntimeStatus

    def release(self: Any) -> None:
        pool = getattr(self, POOL_ATTRIBUTE, None)
        if pool is None or self.status != RuntimeStatus.INVOKING:
            # not the line's, or stopped meanwhile: LocalStack's release (which refuses a stopped one)
            return original(self)
        return pool.release(self)

    release.__wrapped__ = original  # type: ignore[attr-defined]
    return release


@install_once
def install() -> bool:
    """True when applied. `STAGEGRAPH_LAMBDA_SCALING=localstack` keeps an environment start per invocation that
    finds none ready, for comparisons."""
    if os.environ.get("STAGEGRAPH_LAMBDA_SCALING") == "localstack":
        return False
    try:
        from localstack.services.lambda_.invocation.assignment import AssignmentService
        from localstack.services.lambda_.invocation.execution_environment import ExecutionEnvironment
    except ImportError:  # not inside LocalStack
        return False
    AssignmentService.get_environment = pooled_get_environment(AssignmentService.get_environment)
    AssignmentService.stop_environments_for_version = pools_forgotten(AssignmentService.stop_environments_for_version)
    ExecutionEnvironment.release = pooled_release(ExecutionEnvironment.release)
    return True
