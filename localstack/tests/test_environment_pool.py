"""The line of invocations waiting for an environment: few starts for a burst of short invocations, one per waiting
invocation for long ones, environments handed in order of arrival, a failed start the error of the first in line."""
import contextlib
import threading
import time

import pytest

from stagegraph_localstack.environment_pool import FunctionPool


class FakeEnvironment:
    def __init__(self, number: int) -> None:
        self.number = number
        self.status = "INVOKING"
        self.last_returned = None

    def reserve(self) -> None:
        if self.status != "READY":
            raise RuntimeError(f"environment {self.number} is {self.status}")
        self.status = "INVOKING"


class FakeFunction:
    """A function's environments, started in ``start_seconds``; ``fail_starts`` starts fail first."""

    def __init__(self, start_seconds: float, fail_starts: int = 0, starts_at_once: int = 4,
                 stall_seconds: float = 0.5) -> None:
        self.start_seconds = start_seconds
        self.fail_starts = fail_starts
        self.environments: list[FakeEnvironment] = []
        self.lock = threading.Lock()
        self.unclaimed: list[FakeEnvironment] = []
        self.discarded: list[FakeEnvironment] = []
        self.pool = FunctionPool(lambda: list(self.environments), self.reserve_ready, self.start, self.make_ready,
                                 starts_at_once=starts_at_once, stall_seconds=stall_seconds,
                                 usable=lambda e: e.status == "INVOKING", unclaimed=self.unclaimed.append,
                                 discard=self.discarded.append)

    def start(self) -> FakeEnvironment:
        time.sleep(self.start_seconds)
        with self.lock:
            if self.fail_starts:
                self.fail_starts -= 1
                raise RuntimeError("initialization failed: SyntaxError")
            environment = FakeEnvironment(len(self.environments))
            self.environments.append(environment)
            return environment

    @staticmethod
    def make_ready(environment: FakeEnvironment) -> None:
        assert environment.status == "INVOKING"
        environment.status = "READY"

    def reserve_ready(self) -> FakeEnvironment | None:
        for environment in list(self.environments):
            try:
                environment.reserve()
                return environment
            except RuntimeError:
                pass
        return None

    def invoke(self, hold_seconds: float) -> FakeEnvironment:
        environment = self.pool.acquire()
        assert environment.status == "INVOKING"
        time.sleep(hold_seconds)
        self.pool.release(environment)
        return environment


def wait_for_waiters(pool: FunctionPool, count: int) -> None:
    deadline = time.monotonic() + 5
    while len(pool.waiters) < count:
        assert time.monotonic() < deadline, f"{count} invocations did not get in line"
        time.sleep(0.001)


def at_once(count: int, call) -> list:
    results: list = [None] * count
    errors: list = [None] * count

    def run(i: int) -> None:
        try:
            results[i] = call(i)
        except Exception as e:  # noqa: BLE001 - asserted by the caller
            errors[i] = e

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not any(thread.is_alive() for thread in threads), "an invocation waited for ever"
    return list(zip(results, errors))


def test_a_burst_of_short_invocations_is_served_by_a_few_environments():
    function = FakeFunction(start_seconds=0.1)
    outcomes = at_once(200, lambda i: function.invoke(0.002))

    assert all(error is None for _, error in outcomes)
    # the first starts (all at once, as none had ended), then the line cleared faster on them than a start takes:
    # 4 to 8 (9 in 1 of 20 runs on a loaded machine, whose invocations took longer), where one start per waiting
    # invocation would be 200
    assert function.pool.started <= 12
    assert len({id(environment) for environment, _ in outcomes}) == function.pool.started
    assert not function.pool.waiters and function.pool.starting == 0 and not function.pool.holding
    assert all(environment.status == "READY" for environment in function.environments)


def test_long_invocations_each_get_an_environment_of_their_own():
    function = FakeFunction(start_seconds=0.05)
    began = time.monotonic()
    outcomes = at_once(10, lambda i: function.invoke(1.0))

    assert all(error is None for _, error in outcomes)
    assert function.pool.started == 10
    assert len({id(environment) for environment, _ in outcomes}) == 10
    # none waited for another's second: no invocation had ended, so one start per waiting invocation, four at once
    assert time.monotonic() - began < 1.35


def test_environments_go_to_the_waiting_invocations_in_order_of_arrival():
    function = FakeFunction(start_seconds=0.01, starts_at_once=1, stall_seconds=3600)
    first = function.pool.acquire()  # the only environment, held
    function.pool.hold_seconds = 60.0  # and known to be held long: the line would rather start one...
    function.pool.start_seconds = 3600.0  # ...were a start not longer still
    served: list[int] = []
    served_lock = threading.Lock()

    def waiter(i: int) -> None:
        environment = function.pool.acquire()
        with served_lock:
            served.append(i)
        function.pool.release(environment)

    threads = []
    for i in range(5):
        thread = threading.Thread(target=waiter, args=(i,))
        thread.start()
        threads.append(thread)
        wait_for_waiters(function.pool, i + 1)
    function.pool.release(first)
    for thread in threads:
        thread.join(10)

    assert served == [0, 1, 2, 3, 4]
    assert function.pool.started == 1


def test_a_ready_environment_is_taken_when_nobody_waits():
    function = FakeFunction(start_seconds=0.01)
    environment = function.invoke(0)
    assert environment.status == "READY"
    assert function.invoke(0) is environment
    assert function.pool.started == 1


def test_a_failed_start_is_the_error_of_the_first_in_line_and_the_others_are_served():
    function = FakeFunction(start_seconds=0.05, fail_starts=1, starts_at_once=1)
    outcomes = at_once(3, lambda i: function.invoke(0.01))

    errors = [error for _, error in outcomes if error is not None]
    assert len(errors) == 1 and "SyntaxError" in str(errors[0])
    assert sum(1 for environment, _ in outcomes if environment is not None) == 2


def test_an_invocation_held_past_the_stall_gets_the_next_in_line_an_environment():
    function = FakeFunction(start_seconds=0.01, starts_at_once=2)
    function.pool.stall_seconds = 0.2
    hung = function.pool.acquire()
    # short invocations so far: by the averages the line waits for the hung one
    function.pool.hold_seconds = 0.001
    function.pool.start_seconds = 10.0
    began = time.monotonic()
    environment = function.pool.acquire()
    waited = time.monotonic() - began

    assert environment is not hung
    assert 0.2 <= waited < 2
    function.pool.release(environment)
    function.pool.release(hung)


@pytest.mark.parametrize("hold", [0.0, 0.005])
def test_every_invocation_is_served_whatever_the_timing(hold):
    function = FakeFunction(start_seconds=0.002, starts_at_once=3)
    outcomes = at_once(100, lambda i: function.invoke(hold))
    assert all(environment is not None and error is None for environment, error in outcomes)
    assert all(environment.status == "READY" for environment in function.environments)


# --- the patches, with LocalStack's statuses and initialization types (run in the LocalStack venv) ----------------


@pytest.fixture
def localstack_service():
    execution_environment = pytest.importorskip("localstack.services.lambda_.invocation.execution_environment")
    models = pytest.importorskip("localstack.services.lambda_.invocation.lambda_models")
    from collections import defaultdict
    from types import SimpleNamespace

    from stagegraph_localstack import environment_pool

    RuntimeStatus = execution_environment.RuntimeStatus
    InvalidStatusException = execution_environment.InvalidStatusException
    on_demand = models.InitializationType.on_demand

    class Environment:
        count = 0

        def __init__(self) -> None:
            Environment.count += 1
            self.id = f"env-{Environment.count}"
            self.initialization_type = on_demand
            self.status = RuntimeStatus.READY
            self.status_lock = threading.RLock()
            self.runtime_executor = SimpleNamespace(pending_init_ms=50.0)
            self.last_returned = None

        def reserve(self) -> None:
            if self.status != RuntimeStatus.READY:
                raise InvalidStatusException("not ready")
            self.status = RuntimeStatus.INVOKING

        def localstack_release(self) -> None:
            if self.status != RuntimeStatus.INVOKING:
                raise InvalidStatusException("not invoking")
            self.status = RuntimeStatus.READY

    Environment.release = environment_pool.pooled_release(Environment.localstack_release)

    class Service:
        def __init__(self) -> None:
            self.environments = defaultdict(dict)
            self.on_demand_start_semaphore = threading.Semaphore(16)
            self.stopped: list = []
            self.original_calls: list = []

        def start_environment(self, version_manager_id, function_version):
            return Environment()

        def stop_environment(self, environment) -> None:
            environment.status = RuntimeStatus.STOPPED
            self.stopped.append(environment)
            self.environments["vm-1"].pop(environment.id, None)

        @contextlib.contextmanager
        def original_get_environment(self, version_manager_id, function_version, provisioning_type):
            self.original_calls.append(provisioning_type)
            yield "localstack's"

        def stop_environments_for_version(self, version_manager_id) -> None:
            for environment in list(self.environments[version_manager_id].values()):
                self.stop_environment(environment)

    service = Service()
    get_environment = environment_pool.pooled_get_environment(Service.original_get_environment)
    stop_for_version = environment_pool.pools_forgotten(Service.stop_environments_for_version)
    version = SimpleNamespace(config=SimpleNamespace(capacity_provider_config=None, environment={}))
    yield SimpleNamespace(service=service, get=lambda t=on_demand: get_environment(service, "vm-1", version, t),
                          version=version,
                          stop_for_version=lambda: stop_for_version(service, "vm-1"), models=models,
                          RuntimeStatus=RuntimeStatus, on_demand=on_demand)


def test_an_on_demand_invocation_takes_an_environment_from_the_line_and_gives_it_back(localstack_service):
    ls = localstack_service
    with ls.get() as environment:
        assert environment.status == ls.RuntimeStatus.INVOKING
        assert ls.service.environments["vm-1"] == {environment.id: environment}
    assert environment.status == ls.RuntimeStatus.READY
    with ls.get() as again:
        assert again is environment
    assert ls.service._stagegraph_pools["vm-1"].started == 1


def test_a_failed_invocation_stops_its_environment_and_the_next_starts_one(localstack_service):
    ls = localstack_service
    with pytest.raises(ValueError):
        with ls.get() as environment:
            raise ValueError("the executor failed")
    assert ls.service.stopped == [environment]
    with ls.get() as other:
        assert other is not environment and other.status == ls.RuntimeStatus.INVOKING
    assert not ls.service._stagegraph_pools["vm-1"].holding


def test_provisioned_concurrency_keeps_localstacks_way(localstack_service):
    ls = localstack_service
    provisioned = ls.models.InitializationType.provisioned_concurrency
    with ls.get(provisioned) as environment:
        assert environment == "localstack's"
    assert ls.service.original_calls == [provisioned]


def test_a_function_can_keep_localstacks_starts_in_its_environment(localstack_service):
    ls = localstack_service
    ls.version.config.environment = {"STAGEGRAPH_LAMBDA_SCALING": "localstack"}
    with ls.get() as environment:
        assert environment == "localstack's"
    assert ls.service.original_calls == [ls.on_demand]


def test_an_environment_stopped_during_its_invocation_leaves_no_hold_behind(localstack_service):
    ls = localstack_service
    with ls.get() as environment:
        environment.status = ls.RuntimeStatus.STOPPED  # stopped by an update while it ran
    assert not ls.service._stagegraph_pools["vm-1"].holding


def test_an_invocation_of_a_stopped_version_goes_localstacks_way(localstack_service):
    ls = localstack_service
    with ls.get():
        pass
    ls.stop_for_version()
    with ls.get() as environment:
        assert environment == "localstack's"  # no new line for a stopped version
    assert ls.service.original_calls == [ls.on_demand]
    assert "vm-1" not in ls.service._stagegraph_pools


def test_a_stopped_version_leaves_no_line_behind(localstack_service):
    ls = localstack_service
    with ls.get():
        pass
    assert "vm-1" in ls.service._stagegraph_pools
    ls.stop_for_version()
    assert "vm-1" not in ls.service._stagegraph_pools
    assert ls.service.environments["vm-1"] == {}


def test_a_closed_line_sends_its_waiting_invocations_back_and_discards_a_late_start():
    function = FakeFunction(start_seconds=0.3, starts_at_once=1)
    outcomes: list = []
    waiter = threading.Thread(target=lambda: outcomes.append(function.pool.acquire()))
    waiter.start()
    wait_for_waiters(function.pool, 1)
    function.pool.close()  # the version was stopped while its start was under way
    waiter.join(5)

    assert outcomes == [None]  # LocalStack's way for it
    assert function.pool.acquire() is None  # and for any invocation after
    deadline = time.monotonic() + 5
    while not function.discarded:
        assert time.monotonic() < deadline, "the start completed after the close was kept"
        time.sleep(0.01)
    assert function.pool.starting == 0


def test_an_environment_started_for_nobody_reports_no_init_duration():
    function = FakeFunction(start_seconds=0.05, starts_at_once=4)
    outcomes = at_once(4, lambda i: function.invoke(0.0))  # four starts, then fewer waiting than started
    assert all(error is None for _, error in outcomes)
    served = {id(environment) for environment, _ in outcomes}
    assert {id(e) for e in function.unclaimed}.isdisjoint(served)
    assert len(function.unclaimed) == function.pool.started - len(served)


def test_an_invocation_whose_start_thread_cannot_start_fails_and_leaves_no_waiter(monkeypatch):
    from stagegraph_localstack import environment_pool

    class NoThread:
        def __init__(self, *args, **kwargs) -> None:
            pass

        def start(self) -> None:
            raise RuntimeError("can't start new thread")

    function = FakeFunction(start_seconds=0.01)
    monkeypatch.setattr(environment_pool.threading, "Thread", NoThread)
    with pytest.raises(RuntimeError, match="new thread"):
        function.pool.acquire()
    assert not function.pool.waiters and function.pool.starting == 0


def test_a_stopped_environment_is_not_handed_to_the_next_in_line():
    function = FakeFunction(start_seconds=0.01, starts_at_once=1, stall_seconds=3600)
    held = function.pool.acquire()
    function.pool.hold_seconds, function.pool.start_seconds = 60.0, 3600.0
    got: list = []
    waiter = threading.Thread(target=lambda: got.append(function.pool.acquire()))
    waiter.start()
    wait_for_waiters(function.pool, 1)
    held.status = "STOPPED"  # stopped while its invocation ran
    with pytest.raises(AssertionError):
        function.pool.release(held)  # LocalStack's release refuses it (here: the fake's assert)
    assert function.pool.waiters and not got
    function.pool.close()
    waiter.join(5)
