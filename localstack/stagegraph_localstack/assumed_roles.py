"""Roles LocalStack's services assume for their calls to each other, assumed once for a while instead of per call.

A Step Functions task that invokes a function, an SNS delivery, a log subscription, an EventBridge target, Lambda's
own log writer: each calls `connect_to.with_assumed_role(...)` per call, which sends an STS AssumeRole through the
gateway and returns credentials never seen before, so the boto client made for them misses LocalStack's client cache
and is built anew (tens of milliseconds on a busy machine: most of a flow's overhead per function node) and is kept
in that cache, crowding out the clients that are reused.

Here the client factory for the same role, principal, session name, region, endpoint and configuration object is
kept for `CACHE_SECONDS`, well inside the credentials' lifetime (STS's default session lasts an hour), so its boto
clients are reused as well. The first call assumes the role as before, through STS.
"""
import threading
import time

from stagegraph_localstack.patching import install_once

# Kept well inside the assumed credentials' lifetime (an hour by default).
CACHE_SECONDS = 600.0
MAX_ENTRIES = 256


class AssumedRoleCache:
    """Factories by key, each kept for `ttl` seconds; the oldest is dropped past `max_entries`."""

    def __init__(self, ttl: float = CACHE_SECONDS, max_entries: int = MAX_ENTRIES, clock=time.monotonic):
        self.ttl = ttl
        self.max_entries = max_entries
        self.clock = clock
        self._lock = threading.Lock()
        self._entries: dict[tuple, tuple[float, tuple, object]] = {}
        self.assumed = 0  # how often a role was really assumed, for tests

    def get(self, key: tuple, identity: tuple, assume):
        """The factory kept for `key`, or `assume()`'s. `identity` holds the objects compared by identity (the
        factory, the botocore Config): an entry made for other objects at the same ids is not used."""
        now = self.clock()
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None and entry[0] > now and all(a is b for a, b in zip(entry[1], identity)):
                return entry[2]
        factory = assume()
        with self._lock:
            self.assumed += 1
            self._entries[key] = (now + self.ttl, identity, factory)
            if len(self._entries) > self.max_entries:
                oldest = min(self._entries, key=lambda k: self._entries[k][0])
                del self._entries[oldest]
        return factory


_cache = AssumedRoleCache()


@install_once
def install() -> bool:
    """Caches `ClientFactory.with_assumed_role`; True when applied."""
    try:
        from localstack.aws.connect import ClientFactory
        from localstack.utils.patch import patch
    except ImportError:  # not inside LocalStack
        return False

    @patch(ClientFactory.with_assumed_role)
    def with_assumed_role(fn, self, *, role_arn, service_principal=None, session_name=None, region_name=None,
                          endpoint_url=None, config=None):
        def assume():
            return fn(self, role_arn=role_arn, service_principal=service_principal, session_name=session_name,
                      region_name=region_name, endpoint_url=endpoint_url, config=config)

        key = (id(self), role_arn, str(service_principal), session_name, region_name, endpoint_url, id(config))
        return _cache.get(key, (self, config), assume)

    return True
