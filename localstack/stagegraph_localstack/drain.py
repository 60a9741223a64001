"""A graceful stop drains the local cloud before it saves it.

On SIGTERM (`stagegraph local down`) LocalStack sets `infra_stopping` at once, and from then on its gateway answers
every request from outside the process with 503 (`RuntimeShutdownHandler`) while the shutdown hooks run. A function
that is processing a queue's batch at that moment calls S3, DynamoDB or SQS through the gateway like any client:
its calls fail, the batch fails, its messages stay in flight and are processed again after the restart, including
the ones whose work was already done. Meanwhile the event source mappings, which are only told to stop later, keep
receiving new batches that meet the same fate.

So the stop goes in this order: the mappings take no new batch (`begin`); the gateway keeps serving while the batches
already received finish, are deleted, and their logs are shipped (bounded by the quiesce budget); then the gateway
answers 503 (`end`) and the state is saved. A message is then either processed and deleted, or still waiting in its
queue, never both.
"""
import logging
import threading

LOG = logging.getLogger(__name__)

_draining = threading.Event()


def draining() -> bool:
    """True between `begin` and `end`: the gateway serves requests although the runtime is stopping."""
    return _draining.is_set()


def begin() -> int:
    """Stops every event source mapping's polling (the batches they hold go on) and keeps the gateway serving.
    Returns the number of mappings told to stop."""
    _draining.set()
    workers = esm_workers()
    for worker in workers:
        worker.stop_for_shutdown()
    return len(workers)


def end() -> None:
    """From now on the gateway answers 503 to requests from outside, as LocalStack does while it stops."""
    _draining.clear()


def esm_workers() -> list:
    from stagegraph_localstack.services import provider_of

    provider = provider_of("lambda")
    return list(getattr(provider, "esm_workers", {}).values()) if provider is not None else []


def should_serve(stopping: bool, stopped: bool) -> bool:
    """Whether the gateway serves a request from outside: LocalStack's rule (not while stopping or stopped), except
    while draining, when only a stopped runtime refuses."""
    if stopped:
        return False
    return not stopping or draining()


_applied = False


def install() -> bool:
    """Lets requests through LocalStack's shutdown handler while draining; True when applied."""
    global _applied
    if _applied:
        return True
    try:
        from localstack.aws.handlers.internal import RuntimeShutdownHandler
        from localstack.runtime import events
        from localstack.utils.patch import patch
    except ImportError:  # not inside LocalStack
        return False

    @patch(RuntimeShutdownHandler.__call__)
    def __call__(fn, self, chain, context, response):
        if draining() and should_serve(events.infra_stopping.is_set(), events.infra_stopped.is_set()):
            return None
        return fn(self, chain, context, response)

    _applied = True
    return True
