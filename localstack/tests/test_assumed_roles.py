"""Roles assumed once for a while: the same client factory (and so the same boto clients) within the cache time."""
import pytest

from stagegraph_localstack import assumed_roles
from stagegraph_localstack.assumed_roles import AssumedRoleCache


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def test_a_role_is_assumed_once_within_the_cache_time_and_again_after_it():
    clock = Clock()
    cache = AssumedRoleCache(ttl=600, clock=clock)
    made = []

    def assume():
        made.append(object())
        return made[-1]

    owner, config = object(), object()
    first = cache.get(("role-a",), (owner, config), assume)
    clock.now = 599
    assert cache.get(("role-a",), (owner, config), assume) is first
    assert cache.get(("role-b",), (owner, config), assume) is not first  # another role: assumed
    clock.now = 601
    assert cache.get(("role-a",), (owner, config), assume) is not first  # expired: assumed again
    assert cache.assumed == 3


def test_an_entry_made_for_other_objects_is_not_used():
    cache = AssumedRoleCache()
    kept = cache.get(("k",), (object(), object()), lambda: "old")
    assert kept == "old"
    # Same key (ids may be reused after the objects are gone), other objects: assumed anew.
    assert cache.get(("k",), (object(), object()), lambda: "new") == "new"


def test_the_oldest_entry_goes_past_the_limit():
    clock = Clock()
    cache = AssumedRoleCache(ttl=10, max_entries=2, clock=clock)
    for i in range(3):
        clock.now = i
        cache.get((i,), (), lambda i=i: i)
    assert cache.get((0,), (), lambda: "again") == "again"
    assert cache.get((2,), (), lambda: "again") == 2


def test_install_patches_with_assumed_role():
    pytest.importorskip("localstack.aws.connect")
    from localstack.aws.connect import ClientFactory

    assert assumed_roles.install()
    patched = ClientFactory.with_assumed_role
    assert assumed_roles.install()
    assert ClientFactory.with_assumed_role is patched
