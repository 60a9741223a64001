"""A graceful stop lets the functions finish what they hold before the local cloud is saved.

On SIGTERM (`stagegraph local down`) LocalStack sets `infra_stopping` at once, and from then on its gateway answers
every request from outside the process with 503 (`RuntimeShutdownHandler`) while the shutdown hooks run. A function
that is processing a queue's batch at that moment calls S3, DynamoDB or SQS through the gateway like any client:
its calls fail, the batch fails, its messages stay in flight and are processed again after the restart, including
the ones whose work was already done. Meanwhile the event source mappings, which are only told to stop later, keep
receiving new batches that meet the same fate.

So, from the moment the runtime stops:

- requests made by functions (their AWS SDK says `exec-env/AWS_Lambda_...` in its User-Agent, from the
  `AWS_EXECUTION_ENV` every execution environment has) are still served; everyone else gets LocalStack's 503;
- the mappings take no new batch (`begin`), and the stop waits, within its budget, for the batches they hold;
- then (`end`) function requests get the 503 as well, and the stop waits for those already admitted to finish, so
  that nothing a function was told succeeded is missing from the save.

Within the budget (`STAGEGRAPH_PERSIST_QUIESCE`, 4 s by default) a message is then either processed and deleted, or
still waiting in its queue; a batch that runs longer than that is processed again after the restart (at least once,
as on AWS), and the shutdown line of `localstack.log` names its mapping in `mappingsStillBusy`.
"""
import logging
import threading
import time

from stagegraph_localstack.patching import install_once

LOG = logging.getLogger(__name__)

FUNCTION_USER_AGENT = "exec-env/AWS_Lambda"

_refusing = threading.Event()
_admitted = 0
_admitted_lock = threading.Condition()


def from_function(user_agent: str | None) -> bool:
    """Whether a request comes from a function's AWS SDK."""
    return FUNCTION_USER_AGENT in (user_agent or "")


def should_serve(stopping: bool, stopped: bool, user_agent: str | None) -> bool:
    """Whether the gateway serves a request from outside: always while running; while stopping, a function's until
    `end`; never once stopped (LocalStack's own rule for everything else)."""
    if stopped:
        return False
    if not stopping:
        return True
    return not _refusing.is_set() and from_function(user_agent)


def begin() -> int:
    """Stops every event source mapping's polling (the batches they hold go on). The number of mappings stopped."""
    workers = esm_workers()
    for worker in workers:
        worker.stop_for_shutdown()
    return len(workers)


def end(timeout: float = 2.0) -> bool:
    """Refuses function requests from now on and waits (up to `timeout`) for those admitted to finish. False when
    some were still running at the timeout."""
    _refusing.set()
    deadline = time.monotonic() + timeout
    with _admitted_lock:
        while _admitted:
            left = deadline - time.monotonic()
            if left <= 0:
                LOG.warning("stagegraph: %d function requests still running when the state is saved", _admitted)
                return False
            _admitted_lock.wait(left)
    return True


def admitted() -> int:
    return _admitted


def _admit() -> None:
    global _admitted
    with _admitted_lock:
        _admitted += 1


def _release() -> None:
    global _admitted
    with _admitted_lock:
        _admitted = max(0, _admitted - 1)
        if not _admitted:
            _admitted_lock.notify_all()


def esm_workers() -> list:
    from stagegraph_localstack.services import provider_of

    provider = provider_of("lambda")
    return list(getattr(provider, "esm_workers", {}).values()) if provider is not None else []


_MARK = "_stagegraph_admitted_while_stopping"


@install_once
def install() -> bool:
    """Lets function requests through LocalStack's shutdown handler until `end`; True when applied."""
    try:
        from localstack.aws import handlers
        from localstack.aws.handlers.internal import RuntimeShutdownHandler
        from localstack.runtime import events
        from localstack.utils.patch import patch
    except ImportError:  # not inside LocalStack
        return False

    @patch(RuntimeShutdownHandler.__call__)
    def __call__(fn, self, chain, context, response):
        stopping, stopped = events.infra_stopping.is_set(), events.infra_stopped.is_set()
        if stopping and not stopped and not context.is_internal_call:
            if should_serve(stopping, stopped, context.request.headers.get("User-Agent")):
                _admit()
                setattr(context, _MARK, True)
                return None
        return fn(self, chain, context, response)

    def release_admitted(chain, context, response) -> None:
        if getattr(context, _MARK, False):
            setattr(context, _MARK, False)
            _release()

    handlers.run_custom_finalizers.append(release_admitted)
    return True
