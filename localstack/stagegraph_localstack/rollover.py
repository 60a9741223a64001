"""Invocations under way finish on the code they started with when a function is updated, as on AWS.

An update of a function's code or configuration makes a new version manager in LocalStack; once it is active, the old
one is stopped (`LambdaVersionManager.stop`) and, after a code update, its code is removed
(`destroy_code_if_not_used`), both at once on the service's pool. The stop stops the old version's log handler and
then its environments, busy ones included: an invocation under way on the old code (a `stagegraph dev` save while a
request was being answered) failed with ``Runtime.Stopped``, its log lines were queued to a handler that had
stopped, and a Java runtime lost the classes it had not loaded yet with the code folder.

Here every invocation of a version manager is counted from its start to the end of its log write, per version
manager and per code; the old version's stop first waits until its own are done, then stops its environments, then
its log handler (after the lines queued before it are written), and the code is removed only once no invocation of
it is under way. New invocations already go to the new version (LocalStack refuses them on a version that is
stopping). A stop or removal that has to wait does so on a thread of its own, not on the Lambda service's pool
(six threads on 2 cores, which also starts new versions). The wait ends at the longest the invocations could take
(the function's timeout after a start's) and at once when the local cloud stops; the whole service stopping
(shutdown, a state reset or load) and a function being debugged (`stagegraph dev --debug`, whose new environment
needs the debugger's port that the old one holds) keep LocalStack's way.

DeleteFunction of a whole function asks each version to stop and removes its code at once (`S3Code.destroy`, called
by the provider itself): the code is kept the same way until the invocations under way on it have finished.
"""
import collections
import logging
import sys
import threading
import time
import weakref
from collections.abc import Callable
from typing import Any

from stagegraph_localstack.patching import install_once

LOG = logging.getLogger(__name__)

# Lambda's longest function timeout.
MAX_TIMEOUT_SECONDS = 900.0
# Beyond the function's timeout: a start (the runtime's INIT) and the log write after the invocation.
START_MARGIN_SECONDS = 65.0
# Set on a version manager whose stop must not wait (the whole Lambda service stops).
NO_DRAIN = "_stagegraph_no_drain"
# Every version manager (weakly), and those whose stop is waiting for their invocations.
MANAGERS: "weakref.WeakSet" = weakref.WeakSet()
DRAINING: "weakref.WeakSet" = weakref.WeakSet()
_MANAGERS_LOCK = threading.Lock()
# How many times the whole Lambda service has stopped (a state reset or load): a removal of code that was waiting
# when it stopped is dropped, since the state it belonged to is gone (a load may restore the same code).
_service_stops = 0


class InFlight:
    """Invocations under way, counted per owner (any object: a version manager, a code)."""

    def __init__(self) -> None:
        self._counts: collections.Counter[int] = collections.Counter()
        self._changed = threading.Condition()

    def begin(self, *owners: object) -> None:
        with self._changed:
            for owner in owners:
                self._counts[id(owner)] += 1

    def end(self, *owners: object) -> None:
        with self._changed:
            for owner in owners:
                key = id(owner)
                self._counts[key] -= 1
                if self._counts[key] <= 0:
                    del self._counts[key]
            self._changed.notify_all()

    def count(self, owner: object) -> int:
        with self._changed:
            return self._counts.get(id(owner), 0)

    def wait_idle(self, owner: object, timeout: float, give_up: Callable[[], bool] = lambda: False) -> bool:
        """Waits until no invocation of `owner` is under way (True), at most `timeout` seconds or until `give_up()`
        says so (looked at every quarter of a second): False."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while self._counts.get(id(owner), 0) > 0:
                remaining = deadline - time.monotonic()
                if remaining <= 0 or give_up():
                    return False
                self._changed.wait(min(remaining, 0.25))
        return True


IN_FLIGHT = InFlight()


def drain_seconds(function_version: Any) -> float:
    """The longest an invocation of this version can still take."""
    try:
        timeout = float(function_version.config.timeout)
    except (AttributeError, TypeError, ValueError):
        timeout = MAX_TIMEOUT_SECONDS
    return timeout + START_MARGIN_SECONDS


def _stopping() -> bool:
    try:
        from localstack.runtime import events
    except ImportError:  # not inside LocalStack
        return False
    return events.infra_stopping.is_set()


def _debugged(function_version: Any) -> bool:
    from stagegraph_localstack import debug_sessions

    return debug_sessions.port_of(function_version.id.function_name) is not None


def _given_up(version_manager: Any) -> bool:
    """The local cloud stops, or the whole Lambda service does (a state reset or load): no more waiting."""
    return _stopping() or getattr(version_manager, NO_DRAIN, False)


def drain(version_manager: Any) -> bool:
    """Waits for the invocations under way on `version_manager`; True when there were none left."""
    if _given_up(version_manager) or _debugged(version_manager.function_version):
        return IN_FLIGHT.count(version_manager) == 0
    started = time.monotonic()
    with _MANAGERS_LOCK:
        DRAINING.add(version_manager)
    try:
        done = IN_FLIGHT.wait_idle(
            version_manager, drain_seconds(version_manager.function_version), lambda: _given_up(version_manager))
    finally:
        with _MANAGERS_LOCK:
            DRAINING.discard(version_manager)
    waited = time.monotonic() - started
    if waited > 0.01:
        LOG.debug("%s: invocations under way finished on the old version within %.3f s (all: %s)",
                  version_manager.function_arn, waited, done)
    return done


def needs_drain(version_manager: Any) -> bool:
    """Whether stopping `version_manager` has invocations to wait for (and may wait)."""
    return (not _given_up(version_manager) and not _debugged(version_manager.function_version)
            and IN_FLIGHT.count(version_manager) > 0)


def unstopped_users(code: object) -> list:
    """Version managers of `code` not yet told to stop: LocalStack queues an old version's stop and its code's removal
    as two tasks of its pool, in no order, and an invocation can still begin on a version whose stop has not run."""
    with _MANAGERS_LOCK:
        managers = list(MANAGERS)
    return [m for m in managers if m.function_version.config.code is code and not m.shutdown_event.is_set()]


def when_unused(code: object, remove: Callable[[], None]) -> None:
    """Calls `remove` now when no version of `code` is left to stop and none of its invocations is under way (or the
    local cloud stops); otherwise later, on a thread of its own."""
    if _stopping() or (IN_FLIGHT.count(code) == 0 and not unstopped_users(code)):
        remove()
    else:
        stops = _service_stops
        in_background("code", lambda: remove_code_when_unused(code, remove, stops))


def remove_code_when_unused(code: object, remove: Callable[[], None], stops: int,
                            timeout: float = MAX_TIMEOUT_SECONDS + START_MARGIN_SECONDS, poll: float = 0.05) -> None:
    """Waits until every version of `code` has been told to stop and none of its invocations is under way (at most
    `timeout`, or until the local cloud stops), then calls `remove`; drops it if the whole Lambda service has stopped
    since the removal was asked for (`stops`: the count of stops then)."""
    deadline = time.monotonic() + timeout

    def given_up() -> bool:
        return _stopping() or _service_stops != stops

    while unstopped_users(code) and time.monotonic() < deadline and not given_up():
        time.sleep(poll)
    IN_FLIGHT.wait_idle(code, max(0.0, deadline - time.monotonic()), given_up)
    if _service_stops != stops:
        LOG.debug("stagegraph: a removal of function code was dropped: the Lambda service stopped meanwhile")
        return
    remove()


def in_background(name: str, work: Callable[[], None]) -> None:
    """Runs `work` on a daemon thread of its own: a wait of up to a function's timeout must not hold a thread of
    LocalStack's Lambda service pool (six threads on 2 cores), which starts new versions and stops old ones."""
    def run() -> None:
        try:
            work()
        except Exception:  # noqa: BLE001 - logged, as the pool would have
            LOG.exception("stagegraph: %s failed", name)

    threading.Thread(target=run, name=f"stagegraph-rollover-{name}", daemon=True).start()


def stop_log_handler(handler: Any, shutdown_marker: object, timeout: float = 2.0) -> None:
    """Lets the handler write every line queued before it stops: LocalStack's stop sets the shutdown event before it
    queues the marker, and a loop that sees the event between two writes leaves the last lines in the queue."""
    thread = getattr(handler, "_thread", None)
    if thread is not None and thread.is_alive():
        handler.log_queue.put(shutdown_marker)
        thread.join(timeout)
        if thread.is_alive():
            # Still writing: LocalStack's stop would set the event that ends its loop between two writes.
            LOG.warning("stagegraph: the log writer of a stopped function version is still writing after %.0f s", timeout)
            return
    handler.stop()


@install_once
def install() -> bool:
    try:
        from localstack.services.lambda_.invocation import lambda_service, runtime_executor
        from localstack.services.lambda_.invocation.lambda_models import S3Code, State, StateReasonCode, VersionState
        from localstack.services.lambda_.invocation.logs import QUEUE_SHUTDOWN
        from localstack.services.lambda_.invocation.version_manager import LambdaVersionManager
        from localstack.utils.patch import patch
    except ImportError:  # not inside LocalStack
        return False

    @patch(LambdaVersionManager.__init__)
    def __init__(fn, self, *args, **kwargs):
        fn(self, *args, **kwargs)
        with _MANAGERS_LOCK:
            MANAGERS.add(self)

    @patch(LambdaVersionManager.invoke)
    def invoke(fn, self, *args, **kwargs):
        code = self.function_version.config.code
        IN_FLIGHT.begin(self, code)
        try:
            return fn(self, *args, **kwargs)
        finally:
            IN_FLIGHT.end(self, code)

    def finish_stop(self) -> None:
        try:
            drain(self)
        except Exception:  # noqa: BLE001 - the stop goes on: environments and the log handler must not be left running
            LOG.exception("stagegraph: waiting for the invocations of %s", self.function_arn)
        self.assignment_service.stop_environments_for_version(self.id)
        stop_log_handler(self.log_handler, QUEUE_SHUTDOWN)
        runtime_executor.get_runtime_executor().cleanup_version(self.function_version)

    @patch(LambdaVersionManager.stop, pass_target=False)
    def stop(self) -> None:
        # LocalStack's stop, with the invocations under way let finish first and the log handler stopped last; new
        # invocations are refused from here on.
        LOG.debug("Stopping lambda version '%s'", self.function_arn)
        self.state = VersionState(state=State.Inactive, code=StateReasonCode.Idle, reason="Shutting down")
        self.shutdown_event.set()
        if needs_drain(self):
            in_background(f"stop-{self.id}", lambda: finish_stop(self))
        else:
            finish_stop(self)

    @patch(lambda_service.LambdaService.stop)
    def stop_service(fn, self, *args, **kwargs):
        # The whole service stops (LocalStack's shutdown, a state reset or load): nothing waits for invocations, the
        # old versions whose stops are waiting already included, and removals of code still waiting are dropped.
        global _service_stops
        with _MANAGERS_LOCK:
            _service_stops += 1
            draining = list(DRAINING)
        for manager in [*self.lambda_running_versions.values(), *self.lambda_starting_versions.values(), *draining]:
            setattr(manager, NO_DRAIN, True)
        return fn(self, *args, **kwargs)

    @patch(lambda_service.destroy_code_if_not_used)
    def destroy_code_if_not_used(fn, code, function, *args, **kwargs):
        # A configuration update keeps the code (the new version counts on the same one): nothing to wait for. After a
        # code update, whether it is still used is asked again when it is removed.
        if lambda_service.is_code_used(code, function):
            return fn(code, function, *args, **kwargs)
        when_unused(code, lambda: fn(code, function, *args, **kwargs))
        return None

    @patch(S3Code.destroy)
    def destroy(fn, self, *args, **kwargs):
        # DeleteFunction of the whole function: the provider removes each version's code right after asking it to stop.
        when_unused(self, lambda: fn(self, *args, **kwargs))

    # The provider imported the removal by name (DeleteFunction of a version) before this patch: the same there.
    provider = sys.modules.get("localstack.services.lambda_.provider")
    if provider is not None and hasattr(provider, "destroy_code_if_not_used"):
        provider.destroy_code_if_not_used = lambda_service.destroy_code_if_not_used

    return True
