"""What the persistence module (persistence.py) needs to know about particular services.

- Pickling: LocalStack's dill pickler, with reducers for what must not be saved as it is: locks come
  back unlocked (a lock held while pickling would otherwise come back held by nobody), SQS queues are
  copied under their locks together with the messages a receive holds at that moment, Step Functions
  executions keep their history instead of their worker threads, CloudFormation change sets drop
  their runtime cache.
- Adapters, per service: S3 object bodies (content-addressed blobs, only new objects written),
  SQS (queues interrupted at shutdown come back open; messages in flight are counted, they will be
  delivered again), Lambda (pending asynchronous invocations move to the restored queues; the
  provider's own ``on_after_state_load`` recreates versions and event source mappings), EventBridge
  (rules, targets and schedules rebuilt), Step Functions (executions that were running come back
  ABORTED), CloudFormation (a deployment that was running comes back failed).
- Patches (:func:`install_patches`): SQS receives record the messages they hold, so that a save
  never misses them; Kinesis event source mappings record their positions, so that a restored one
  goes on where it was; kinesis-mock exits with LocalStack (:func:`guard_kinesis_mock`).
- :func:`quiesce`: what a graceful stop does before the last save.
- :data:`KNOWN_LIMITS`: what is not kept, for UNSUPPORTED.json.
"""

from __future__ import annotations

import datetime
import heapq
import logging
import pickle
import shutil
import threading
import time
from collections import defaultdict
from typing import Any

LOG = logging.getLogger(__name__)

KNOWN_LIMITS = [
    {
        "service": "*",
        "what": "changes made in the last STAGEGRAPH_PERSIST_INTERVAL seconds (5 by default) before a crash or kill -9",
        "reason": "state is saved periodically and on shutdown; after a crash the last periodic save is restored, and "
                  "messages processed after it are processed again (at least once; see RESTORE.json)",
    },
    {
        "service": "sqs",
        "what": "exactly-once processing of messages a consumer had received but not deleted when LocalStack stopped",
        "reason": "they are restored in flight and delivered again after their visibility timeout, as on AWS; "
                  "RESTORE.json counts them per queue (sqs.inFlight)",
    },
    {
        "service": "lambda",
        "what": "warm execution environments and invocations running at the moment of the stop",
        "reason": "every function starts cold after a restart; an invocation cut off by a crash is not retried "
                  "unless its source (an SQS or Kinesis mapping, an asynchronous invocation) delivers it again",
    },
    {
        "service": "stepfunctions",
        "what": "executions running when LocalStack stops",
        "reason": "an execution's progress lives in its worker threads; it is restored ABORTED with its history",
    },
    {
        "service": "cloudformation",
        "what": "a deployment running when LocalStack stops",
        "reason": "its stack is restored with a failed status (CREATE_FAILED, UPDATE_FAILED, ...): deploy again",
    },
    {
        "service": "s3",
        "what": "parts of multipart uploads not yet completed",
        "reason": "only completed objects are saved; an upload in progress starts again",
    },
    {
        "service": "sns",
        "what": "deliveries in progress (to SQS, Lambda, HTTP) at the moment of a crash",
        "reason": "a published message is handed to a delivery thread and not stored",
    },
    {
        "service": "kinesis",
        "what": "records put in the last KINESIS_MOCK_PERSIST_INTERVAL (2 s as `local up` starts it) before a crash",
        "reason": "records are kept by kinesis-mock's own persistence in <state>/kinesis, written periodically; "
                  "event source mappings resume after the last record processed before the last save that "
                  "kinesis-mock's file holds (records processed after it are processed again)",
    },
]

# --- pickling --------------------------------------------------------------------------------------

_LockType = type(threading.Lock())
_RLockType = type(threading.RLock())


def _new_lock():
    return threading.Lock()


def _new_rlock():
    return threading.RLock()


def _restore_object(cls, state: dict):
    obj = cls.__new__(cls)
    obj.__dict__.update(state)
    return obj


def _new_defaultdict(cls, default_factory):
    obj = cls.__new__(cls)
    defaultdict.__init__(obj, default_factory)
    return obj


def _defaultdict_reduction(obj) -> tuple:
    """defaultdict pickles as ``cls(default_factory)``, which subclasses whose constructor takes other
    arguments (moto's SSM ParameterDict) cannot load: create it without calling the constructor. As a reduce
    tuple: function, arguments, state, list items, dict items (taken at once)."""
    state = dict(obj.__dict__) if hasattr(obj, "__dict__") else None
    return _new_defaultdict, (type(obj), obj.default_factory), state or None, None, iter(list(obj.items()))


def _reduce_defaultdict(pickler, obj) -> None:
    function, arguments, state, _, items = _defaultdict_reduction(obj)
    pickler.save_reduce(function, arguments, state=state, dictitems=items, obj=obj)


def _pickler_class():
    from localstack.state.pickle import Pickler

    class StatePickler(Pickler):
        """LocalStack's pickler (dill, with the reducers LocalStack registers), plus ours."""

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.dispatch[_LockType] = lambda pickler, obj: pickler.save_reduce(_new_lock, (), obj=obj)
            self.dispatch[_RLockType] = lambda pickler, obj: pickler.save_reduce(_new_rlock, (), obj=obj)
            for cls, (reducer, subclasses) in _reducers().items():
                self.dispatch[cls] = reducer
                if subclasses:
                    self.dispatch.match_subclasses_of.add(cls)
            self.dispatch[set] = type(self).save_set

        # A dict's items (or a dict subclass's, from its reduce) and a set's members are taken at once: list() of a
        # dict view, an item iterator or a set runs in C, where no other thread runs. Walked lazily, as pickle does,
        # a dict another thread resizes meanwhile (an S3 bucket's objects under a stream of uploads) fails the
        # whole snapshot, again at each retry.
        def _batch_setitems(self, items, *args):
            return super()._batch_setitems(iter(list(items)), *args)

        def save_set(self, obj):
            if self.proto < 4:
                self.save_reduce(set, (list(obj),), obj=obj)
                return
            self.write(pickle.EMPTY_SET)
            self.memoize(obj)
            members = list(obj)
            for start in range(0, len(members), self._BATCHSIZE):
                self.write(pickle.MARK)
                for member in members[start : start + self._BATCHSIZE]:
                    self.save(member)
                self.write(pickle.ADDITEMS)

    return StatePickler


_PICKLER = None


def dumps(value: Any, at_once: bool = False) -> bytes:
    """Pickles ``value``; retried when another thread resized a container the pickler walks lazily while it did
    (dicts and sets are taken at once: see ``StatePickler``). ``at_once``: first with Python's C pickler in one go
    (see :func:`_dumps_at_once`), and with dill's only when that cannot."""
    import io

    global _PICKLER
    if at_once:
        data = _dumps_at_once(value)
        if data is not None:
            return data
    if _PICKLER is None:
        _PICKLER = _pickler_class()
    for attempt in range(20):
        buffer = io.BytesIO()
        try:
            _PICKLER(buffer).dump(value)
            return buffer.getvalue()
        except RuntimeError as error:
            if "changed size during iteration" not in str(error) or attempt == 19:
                raise
            time.sleep(0.005)
    raise AssertionError("unreachable")


class _LeftToDill(Exception):
    """An object the C pickler leaves to dill's: one of the classes with a reducer of ours, or what it cannot pickle."""


_FAST_PICKLER = None
_AT_ONCE = threading.Lock()
# How long the interpreter lets a thread run before it makes it give way, while a state is pickled at once (5 ms
# otherwise): a pickle of 5,000 S3 objects takes about 40 ms.
AT_ONCE_SWITCH_SECONDS = 0.5
AT_ONCE_ATTEMPTS = 3


def _fast_pickler_class():
    import copyreg

    try:
        from moto.logs.models import LogStream
    except ImportError:  # not inside LocalStack
        LogStream = None
    # defaultdict's and log streams' reducers have a C pickler form below; the others (SQS queues, executions,
    # change sets) are dill's only: a state holding one is pickled by dill.
    dill_only = tuple(cls for cls in _reducers() if cls not in (defaultdict, LogStream))

    class FastPickler(pickle.Pickler):
        dispatch_table = copyreg.dispatch_table.copy()
        dispatch_table[_LockType] = lambda lock: (_new_lock, ())
        dispatch_table[_RLockType] = lambda lock: (_new_rlock, ())

        def reducer_override(self, obj):
            if isinstance(obj, defaultdict):
                return _defaultdict_reduction(obj)
            if LogStream is not None and isinstance(obj, LogStream):
                return _log_stream_reduction(obj)
            if dill_only and isinstance(obj, dill_only):
                raise _LeftToDill(type(obj).__name__)
            return NotImplemented

    return FastPickler


def _dumps_at_once(value: Any) -> bytes | None:
    """Pickles ``value`` with Python's C pickler, the interpreter told to switch threads every 0.5 s instead of 5 ms
    meanwhile: other threads change little while it is walked (one already waiting may take the interpreter once,
    and a pickle a resized dict interrupted is taken again), and it is taken 50 to 70 times faster than dill's (S3's
    state of 5,000 objects in one bucket: 40 ms, against 2.7 s). A pickle of it loads with LocalStack's
    (dill's) loads. None when the C pickler cannot (a lambda, a class only dill's reducers handle)."""
    import io
    import sys

    global _FAST_PICKLER
    if _FAST_PICKLER is None:
        _FAST_PICKLER = _fast_pickler_class()
    with _AT_ONCE:
        before = sys.getswitchinterval()
        sys.setswitchinterval(AT_ONCE_SWITCH_SECONDS)
        try:
            # A thread that was already waiting for the interpreter takes it once, on the interval it waited with:
            # a pickle it interrupted by changing a dict being walked is taken again.
            for attempt in range(AT_ONCE_ATTEMPTS):
                buffer = io.BytesIO()
                try:
                    _FAST_PICKLER(buffer, protocol=pickle.DEFAULT_PROTOCOL).dump(value)
                    return buffer.getvalue()
                except RuntimeError as error:
                    if "during iteration" not in str(error) or attempt == AT_ONCE_ATTEMPTS - 1:
                        LOG.debug("stagegraph: pickled with dill: %s", error)
                        return None
                except Exception as error:  # noqa: BLE001 - what the C pickler cannot take, dill may
                    LOG.debug("stagegraph: pickled with dill: %s: %s", type(error).__name__, error)
                    return None
        finally:
            sys.setswitchinterval(before)
    return None


def loads(data: bytes) -> Any:
    from localstack.state.pickle import loads as ls_loads

    return ls_loads(data)


def _reducers() -> dict:
    """Reducers by class, and whether they apply to subclasses too."""
    reducers = {defaultdict: (_reduce_defaultdict, True)}
    try:
        from localstack.services.sqs.models import FifoQueue, StandardQueue

        reducers[StandardQueue] = (_reduce_standard_queue, False)
        reducers[FifoQueue] = (_reduce_fifo_queue, False)
    except ImportError:
        pass
    try:
        from localstack.services.stepfunctions.backend.execution import Execution

        reducers[Execution] = (_reduce_execution, True)
    except ImportError:
        pass
    try:
        from moto.logs.models import LogStream

        reducers[LogStream] = (_reduce_log_stream, True)
    except ImportError:
        pass
    try:
        from localstack.services.cloudformation.v2.entities import ChangeSet

        reducers[ChangeSet] = (_reduce_change_set, False)
    except ImportError:
        pass
    return reducers


# --- SQS: messages held by a receive ---------------------------------------------------------------
#
# A receive takes messages out of the visible ones, then (after collecting a whole batch, which with a
# batching window can take seconds) puts them in flight. A snapshot taken in between would have them
# nowhere. So a receive records the messages it takes, under the lock that guards taking them (the
# visible heap's for standard queues, the queue's for FIFO queues), and forgets them when it returns;
# the queue reducer saves those it still holds as visible, since no consumer has seen them yet.

TRANSIT = "_stagegraph_transit"
_receiving = threading.local()


def _record_taken(message) -> None:
    """Called where a receive takes ``message`` out of the visible ones (see above)."""
    queue = getattr(_receiving, "queue", None)
    if queue is not None and message is not None:
        transit = queue.__dict__.get(TRANSIT)
        if transit is None:
            transit = queue.__dict__[TRANSIT] = {}
        transit[message] = threading.get_ident()


def _forget_taken(queue) -> None:
    """Called when a receive returns: what it took is in flight, back in the queue, or deleted."""
    transit = queue.__dict__.get(TRANSIT)
    if not transit:
        return
    me = threading.get_ident()
    for message in [m for m, thread in list(transit.items()) if thread == me]:
        transit.pop(message, None)


_patched = False


def install_patches() -> None:
    """Applies, once and inside LocalStack, what saving needs to see: the messages each SQS receive
    holds (see above) and the positions of Kinesis event source mappings (see below)."""
    global _patched
    if _patched:
        return
    from localstack.services.sqs.models import FifoQueue, MessageGroup, StandardQueue
    from localstack.services.sqs.queue import InterruptiblePriorityQueue
    from localstack.utils.patch import Patch, patch

    # _get is PriorityQueue's: patched on SQS's subclass only, not on every PriorityQueue.
    take = InterruptiblePriorityQueue._get

    def _get(self):
        message = take(self)
        _record_taken(message)
        return message

    Patch(InterruptiblePriorityQueue, "_get", _get).apply()

    @patch(MessageGroup.pop)
    def pop(fn, self):
        message = fn(self)
        _record_taken(message)
        return message

    def receiving(lock_of):
        def wrapper(fn, self, *args, **kwargs):
            previous = getattr(_receiving, "queue", None)
            _receiving.queue = self
            try:
                return fn(self, *args, **kwargs)
            finally:
                _receiving.queue = previous
                with lock_of(self):
                    _forget_taken(self)
        return wrapper

    patch(StandardQueue.receive)(receiving(lambda queue: queue.visible.mutex))
    patch(FifoQueue.receive)(receiving(lambda queue: queue.mutex))
    _patch_kinesis_mappings()
    _patched = True


def _pending_and_inflight(queue, held: list, visible_heap: list) -> tuple[list, dict]:
    """The visible messages (the heap plus those a receive holds, each once) and a copy of in flight."""
    inflight = dict(queue.inflight)
    in_heap = {id(message) for message in visible_heap}
    pending = list(visible_heap)
    for message in held:
        if message in inflight or id(message) in in_heap or message.deleted:
            continue
        pending.append(message)
        in_heap.add(id(message))
    return pending, inflight


def _queue_state(queue, pending: list, inflight: dict) -> dict:
    state = {k: v for k, v in queue.__dict__.items() if k != TRANSIT}
    state["inflight"] = inflight
    state["receipts"] = dict(queue.receipts)
    state["delayed"] = set(queue.delayed)
    return state


def _reduce_standard_queue(pickler, queue) -> None:
    with queue.mutex, queue.visible.mutex:
        heap = list(queue.visible.queue)
        held = list((queue.__dict__.get(TRANSIT) or {}).keys())
        pending, inflight = _pending_and_inflight(queue, held, heap)
        state = _queue_state(queue, pending, inflight)
    state.pop("visible", None)
    pickler.save_reduce(_restore_standard_queue, (type(queue), state, pending), obj=queue)


def _restore_standard_queue(cls, state: dict, pending: list):
    from localstack.services.sqs.queue import InterruptiblePriorityQueue

    queue = _restore_object(cls, state)
    queue.mutex = threading.RLock()
    visible = InterruptiblePriorityQueue()
    heapq.heapify(pending)
    visible.queue = pending
    queue.visible = visible
    return queue


def _reduce_fifo_queue(pickler, queue) -> None:
    with queue.mutex:
        heap = [message for group in list(queue.message_groups.values()) for message in list(group.messages)]
        held = list((queue.__dict__.get(TRANSIT) or {}).keys())
        pending, inflight = _pending_and_inflight(queue, held, heap)
        state = _queue_state(queue, pending, inflight)
    for key in ("message_groups", "inflight_groups", "message_group_queue"):
        state.pop(key, None)
    pickler.save_reduce(_restore_fifo_queue, (type(queue), state, pending), obj=queue)


def _restore_fifo_queue(cls, state: dict, pending: list):
    """Rebuilds the message groups from the messages: a group with a message in flight stays hidden."""
    from localstack.services.sqs.queue import InterruptibleQueue

    queue = _restore_object(cls, state)
    queue.mutex = threading.RLock()
    queue.message_groups = {}
    queue.inflight_groups = set()
    queue.message_group_queue = InterruptibleQueue()
    for message in queue.inflight:
        queue.inflight_groups.add(queue.get_message_group(message.message_group_id))
    for message in pending:
        queue.get_message_group(message.message_group_id).push(message)
    for group in queue.message_groups.values():
        if not group.empty() and group not in queue.inflight_groups:
            queue.message_group_queue.put_nowait(group)
    return queue


# --- Kinesis: where each event source mapping stands -----------------------------------------------
#
# LocalStack's Kinesis poller keeps its shard iterators in memory: a restored mapping would start again
# from its starting position (TRIM_HORIZON: every record again). So the sequence number of the last
# record each mapping handed to its function is recorded per shard, saved with Lambda, and a restored
# mapping starts after it. kinesis-mock writes its records every KINESIS_MOCK_PERSIST_INTERVAL, apart
# from our saves, and numbers records by their position in the shard: a position past what its file
# holds would, after a crash, skip the records that take those numbers again. So a position is saved
# only once kinesis-mock's file was written after the record arrived; until then the previous one is.

ARRIVAL_MARGIN_SECONDS = 0.5
_positions: dict[str, dict[str, dict]] = {}
_positions_lock = threading.Lock()


def _record_position(uuid: str, shard_id: str, sequence_number: str, arrival: float | None) -> None:
    with _positions_lock:
        shard = _positions.setdefault(uuid, {}).setdefault(shard_id, {"saved": None, "recent": []})
        shard["recent"].append((arrival if arrival is not None else time.time(), sequence_number))


def kinesis_checkpoints(persisted_at: float | None) -> dict[str, dict[str, str]]:
    """The position of each mapping in each shard that is safe to save: the last record that arrived
    before kinesis-mock last wrote its file (``persisted_at``; None: every recorded position)."""
    result: dict[str, dict[str, str]] = {}
    with _positions_lock:
        for uuid, shards in _positions.items():
            for shard_id, shard in shards.items():
                recent = shard["recent"]
                while recent and (persisted_at is None or recent[0][0] <= persisted_at - ARRIVAL_MARGIN_SECONDS):
                    shard["saved"] = recent.pop(0)[1]
                if shard["saved"]:
                    result.setdefault(uuid, {})[shard_id] = shard["saved"]
    return result


def set_kinesis_checkpoints(saved: dict[str, dict[str, str]]) -> None:
    with _positions_lock:
        _positions.clear()
        for uuid, shards in saved.items():
            _positions[uuid] = {shard_id: {"saved": seq, "recent": []} for shard_id, seq in shards.items()}


def _saved_position(uuid: str, shard_id: str) -> str | None:
    with _positions_lock:
        shard = _positions.get(uuid, {}).get(shard_id)
        return shard["saved"] if shard else None


def _patch_kinesis_mappings() -> None:
    from localstack.services.lambda_.event_source_mapping.pollers.kinesis_poller import KinesisPoller
    from localstack.utils.patch import Patch

    forward = KinesisPoller.forward_events_to_target
    initialize = KinesisPoller.initialize_shards

    def forward_events_to_target(self, shard_id, records):
        result = forward(self, shard_id, records)
        # Cut short by a shutdown, the batch may not have been processed: do not move past it.
        if records and self.esm_uuid and not self._is_shutdown.is_set():
            last = records[-1]
            arrival = last.get("ApproximateArrivalTimestamp")
            if last.get("SequenceNumber"):
                _record_position(self.esm_uuid, shard_id, last["SequenceNumber"],
                                 arrival.timestamp() if hasattr(arrival, "timestamp") else None)
        return result

    def initialize_shards(self):
        shards = initialize(self)
        for shard_id in list(shards):
            sequence_number = _saved_position(self.esm_uuid or "", shard_id)
            if not sequence_number:
                continue
            try:
                shards[shard_id] = self.source_client.get_shard_iterator(
                    StreamARN=self.source_arn, ShardId=shard_id,
                    ShardIteratorType="AFTER_SEQUENCE_NUMBER", StartingSequenceNumber=sequence_number,
                )["ShardIterator"]
            except Exception as error:
                LOG.warning("stagegraph: mapping %s starts shard %s from its starting position, not after %s: %s",
                            self.esm_uuid, shard_id, sequence_number, error)
        return shards

    # Patched on KinesisPoller only (forward_events_to_target is StreamPoller's, shared with DynamoDB).
    Patch(KinesisPoller, "forward_events_to_target", forward_events_to_target).apply()
    Patch(KinesisPoller, "initialize_shards", initialize_shards).apply()


_guarded = False
PARENT_GUARD = __import__("pathlib").Path(__file__).parent / "bootstrap" / "parent-guard.js"


def guard_kinesis_mock() -> None:
    """Makes kinesis-mock exit when LocalStack is gone (see bootstrap/parent-guard.js). Applied after
    the repairs (hooks.py) wrapped the same method, whose loopback preload must stay first."""
    global _guarded
    if _guarded:
        return
    from localstack.services.kinesis.kinesis_mock_server import KinesisMockNodeServer
    from localstack.utils.patch import patch

    @patch(KinesisMockNodeServer._create_shell_command)
    def _create_shell_command(fn, self):
        cmd, env_vars = fn(self)
        if cmd and str(cmd[0]).endswith("node") and str(PARENT_GUARD) not in map(str, cmd):
            cmd = [cmd[0], "--require", str(PARENT_GUARD), *cmd[1:]]
        return cmd, env_vars

    _guarded = True


# --- Step Functions: histories without worker threads ----------------------------------------------


class _NoCallbacks:
    """Callbacks and map runs of an execution that no longer runs: none to notify, none to list."""

    def heartbeat(self, *args, **kwargs) -> bool:
        return False

    def notify(self, *args, **kwargs) -> bool:
        return False

    def get(self, *args, **kwargs):
        return None

    def get_all(self, *args, **kwargs) -> list:
        return []


class FrozenHistory:
    """Stands in for an execution's worker environment once restored: it only answers its history."""

    def __init__(self, events: list) -> None:
        self.events = events
        self.callback_pool_manager = _NoCallbacks()
        self.map_run_record_pool_manager = _NoCallbacks()

    @property
    def event_manager(self) -> FrozenHistory:
        return self

    def get_event_history(self) -> list:
        return list(self.events)


class FrozenExecutionWorker:
    """What a restored execution has in place of its ExecutionWorker."""

    def __init__(self, events: list) -> None:
        self.env = FrozenHistory(events)

    def stop(self, *args, **kwargs) -> None:
        pass


# A finished execution no longer changes: it is pickled once, and every later save writes those bytes again instead
# of walking its history (a profile of flows of 100 states running while the periodic save ran showed that walk as
# the largest user of the interpreter, on the saving thread, slowing every execution and invocation).
# Its last history events are added around the time its status is set: it is taken as finished a while after.
SETTLED_SECONDS = 2.0
_freezing = threading.local()


class SideCache:
    """Values kept beside objects, not in them: the save runs on its own thread, and adding an attribute to an
    object a request is copying at that moment (DescribeLogGroups deep-copies log groups) would break the copy.
    Entries go with their objects."""

    def __init__(self):
        self._entries: dict[int, tuple] = {}
        self._lock = threading.Lock()

    def get(self, obj):
        entry = self._entries.get(id(obj))
        return entry[1] if entry is not None and entry[0]() is obj else None

    def put(self, obj, value) -> None:
        import weakref

        key = id(obj)

        def forget(_ref, key=key):
            with self._lock:
                entry = self._entries.get(key)
                if entry is not None and entry[0] is _ref:
                    del self._entries[key]

        with self._lock:
            self._entries[key] = (weakref.ref(obj, forget), value)


_frozen = SideCache()


def _settled(execution) -> bool:
    status = getattr(execution, "exec_status", None)
    stopped = getattr(execution, "stop_date", None)
    if status is None or str(getattr(status, "value", status)) == "RUNNING" or stopped is None:
        return False
    try:
        return (datetime.datetime.now(tz=datetime.timezone.utc) - stopped).total_seconds() > SETTLED_SECONDS
    except TypeError:  # a naive date: compare as such
        return (datetime.datetime.now() - stopped).total_seconds() > SETTLED_SECONDS


def _frozen_blob(execution) -> bytes | None:
    """The pickled form of a settled execution, made once; None while it may still change."""
    if getattr(_freezing, "active", False) or not _settled(execution):
        return None
    blob = _frozen.get(execution)
    if blob is None:
        _freezing.active = True
        try:
            blob = dumps(execution)
        finally:
            _freezing.active = False
        _frozen.put(execution, blob)
    return blob


def _reduce_execution(pickler, execution) -> None:
    blob = _frozen_blob(execution)
    if blob is not None:
        pickler.save_reduce(loads, (blob,), obj=execution)
        return
    state = dict(execution.__dict__)
    if getattr(_freezing, "active", False):
        # The store's activities (and their queued tasks) are saved with the store; a settled execution kept as
        # bytes must not carry a copy of them from the moment it settled.
        state["_activity_store"] = None
    worker = state.get("exec_worker")
    if worker is not None and not isinstance(worker, FrozenExecutionWorker):
        env = getattr(worker, "env", None)
        events = list(env.event_manager.get_event_history()) if env is not None else []
        state["exec_worker"] = FrozenExecutionWorker(events)
    # Holds a CloudWatch Logs client; a restored execution logs nothing more.
    state["_cloud_watch_logging_session"] = None
    pickler.save_reduce(_restore_object, (type(execution), state), obj=execution)


# --- CloudWatch Logs: streams pickled a chunk at a time ------------------------------------------
#
# Every invocation writes log events, so the logs service is saved every few seconds, and pickling it walked every
# event ever written (10 MB after a few benchmarks, about a second of the interpreter each save). A stream only grows
# (moto extends its list in place), so its full chunks of LOG_CHUNK events are pickled once and kept with the
# stream; a save pickles only the events after the last full chunk.
LOG_CHUNK = 1000
_log_chunks = SideCache()


def event_chunks(events: list, cache: list, dump) -> tuple[list, list]:
    """The pickled full chunks of `events` (reusing `cache`'s while their first and last events are the same
    objects) and the events after them. `cache` holds (first, last, blob) per chunk and is brought up to date."""
    blobs = []
    full = len(events) // LOG_CHUNK
    for i in range(full):
        first, last = events[i * LOG_CHUNK], events[(i + 1) * LOG_CHUNK - 1]
        if i < len(cache) and cache[i][0] is first and cache[i][1] is last:
            blobs.append(cache[i][2])
            continue
        del cache[i:]
        blob = dump(events[i * LOG_CHUNK:(i + 1) * LOG_CHUNK])
        cache.append((first, last, blob))
        blobs.append(blob)
    return blobs, events[full * LOG_CHUNK:]


def _log_stream_reduction(stream) -> tuple:
    """A log stream as a function and its arguments: its events in chunks of LOG_CHUNK pickled once each (a
    stream only grows), and the rest."""
    state = dict(stream.__dict__)
    events = state.get("events")
    if not isinstance(events, list) or len(events) < LOG_CHUNK:
        return _restore_object, (type(stream), state)
    cache = _log_chunks.get(stream)
    if cache is None:
        cache = []
        _log_chunks.put(stream, cache)
    blobs, tail = event_chunks(list(events), cache, _dumps_chunk)
    state["events"] = None
    return _restore_log_stream, (type(stream), state, blobs, tail)


def _dumps_chunk(events: list) -> bytes:
    """A chunk of log events (plain dicts of numbers and strings) by the C pickler: after a restart every chunk of
    every stream is pickled again, at the first save, which dill made a second a few MB of logs."""
    try:
        return pickle.dumps(events, protocol=pickle.DEFAULT_PROTOCOL)
    except Exception:  # noqa: BLE001 - anything the C pickler cannot take, dill can
        return dumps(events)


def _reduce_log_stream(pickler, stream) -> None:
    function, arguments = _log_stream_reduction(stream)
    pickler.save_reduce(function, arguments, obj=stream)


def _restore_log_stream(cls, state: dict, blobs: list, tail: list):
    events: list = []
    for blob in blobs:
        events.extend(loads(blob))
    events.extend(tail)
    state["events"] = events
    return _restore_object(cls, state)


def _reduce_change_set(pickler, change_set) -> None:
    state = dict(change_set.__dict__)
    state["_cached_update_model"] = None
    pickler.save_reduce(_restore_object, (type(change_set), state), obj=change_set)


# --- adapters --------------------------------------------------------------------------------------


class ServiceAdapter:
    """Service-specific steps around the generic save and load of a service's state containers."""

    def before_save(self, persister, service) -> dict:
        """Extra data saved with the service (written before its stores are pickled)."""
        return {}

    def after_load(self, persister, service, payload: dict) -> dict:
        """Runs after the stores are loaded, before the provider's on_after_state_load."""
        return {}

    def after_hooks(self, persister, service, payload: dict) -> dict:
        """Runs after the provider's on_after_state_load; returns details for RESTORE.json."""
        return {}

    def handles_assets(self, asset_directory) -> bool:
        """True when this adapter saves the files of ``asset_directory`` itself."""
        return False

    def blob_refs(self) -> set[str] | None:
        """The blobs this service's current snapshot refers to (None: not known in this process)."""
        return set()


def _iter_buckets():
    """Every S3 bucket once: (account, bucket). Buckets are shared by the regions of an account."""
    from localstack.services.s3.models import s3_stores

    seen = set()
    for account, _region, store in list(s3_stores.iter_stores()):
        for bucket in list(store.buckets.values()):
            if (account, bucket.name) not in seen:
                seen.add((account, bucket.name))
                yield account, bucket


def _object_versions(bucket) -> list:
    from localstack.services.s3.models import S3DeleteMarker, VersionedKeyStore

    if isinstance(bucket.objects, VersionedKeyStore):
        versions = bucket.objects.values(with_versions=True)
    else:
        versions = bucket.objects.values()
    return [obj for obj in versions if not isinstance(obj, S3DeleteMarker)]


def _saved_for(saved: dict, account: str, bucket, obj):
    """What a save recorded for an object version, by bucket, key and version: one read before versioning was turned
    on was recorded under no version, and is now version "null"."""
    found = saved.get((account, bucket.name, obj.key, obj.version_id))
    if found is None and obj.version_id == "null":
        found = saved.get((account, bucket.name, obj.key, None))
    return found


def _as_read(account: str, bucket, read: dict) -> int:
    """Puts back into a restored bucket the object versions the save read (and saved the bodies of), where the
    state pickled after that read has others: put, or put over an object, while the save went on. Such a put was
    acknowledged after the save began (its savedAt), like those of the next save. Returns how many were put back
    or taken out. An object the save read is known by its instance (versioning turned on meanwhile changes its
    version from none to "null"), one put over it by its key and version."""
    from localstack.services.s3.models import VersionedKeyStore

    versioned = isinstance(bucket.objects, VersionedKeyStore)
    read_here = {id(obj) for obj in read.values()}
    changed = 0
    for obj in _object_versions(bucket):
        if id(obj) in read_here:
            continue
        changed += 1
        was = _saved_for(read, account, bucket, obj)
        if was is not None:
            was.is_current = obj.is_current  # the version put over it made it not current
            if versioned:
                was.version_id = obj.version_id  # "null" once versioning was turned on after the read
                bucket.objects._store[obj.key][obj.version_id] = was  # in its place among the versions
            else:
                bucket.objects.set(obj.key, was)
        elif versioned:
            bucket.objects.pop(obj.key, obj.version_id)
        else:
            bucket.objects.pop(obj.key)
    return changed


class S3Adapter(ServiceAdapter):
    """Object bodies live in LocalStack's ephemeral storage (memory and anonymous temporary files):
    each is saved once as a content-addressed blob and referred to by bucket, key, version and the
    object's own modification stamp."""

    def __init__(self) -> None:
        self._refs: dict[tuple, str] | None = None
        self._stamps: dict[tuple, tuple] = {}

    @staticmethod
    def _storage(service):
        return service._provider._storage_backend

    def handles_assets(self, asset_directory) -> bool:
        return True

    def blob_refs(self) -> set[str] | None:
        return None if self._refs is None else set(self._refs.values())

    @staticmethod
    def _has_body(storage, bucket_name: str, obj) -> bool:
        find = getattr(storage, "_get_object_file", None)
        return find is None or find(bucket_name, storage._key_from_s3_object(obj)) is not None

    def before_save(self, persister, service) -> dict:
        storage = self._storage(service)
        blobs = persister.store.blobs
        refs: dict[tuple, str] = {}
        # The objects whose bodies this save holds, pickled with the state (as the same instances): an object put
        # or overwritten after its bucket was read here, before the state was pickled, has no body saved, and the
        # load puts back what this read (see _as_read).
        read: dict[tuple, Any] = {}
        for account, bucket in _iter_buckets():
            for obj in _object_versions(bucket):
                key = (account, bucket.name, obj.key, obj.version_id)
                stamp = (obj.internal_last_modified, obj.etag, obj.size)
                previous = self._refs.get(key) if self._refs else None
                if previous and self._stamps.get(key) == stamp and blobs.exists(previous):
                    refs[key] = previous
                    read[key] = obj
                    continue
                if not self._has_body(storage, bucket.name, obj):
                    continue  # deleted while saving (open() would create an empty body)
                try:
                    with storage.open(bucket.name, obj, mode="r") as stored:
                        name, _size = blobs.put(iter(stored))
                except Exception as error:  # deleted while saving: the next save has the truth
                    LOG.debug("stagegraph: S3 object %s/%s not saved: %s", bucket.name, obj.key, error)
                    continue
                refs[key] = name
                read[key] = obj
                self._stamps[key] = stamp
        self._refs = refs
        self._stamps = {k: v for k, v in self._stamps.items() if k in refs}
        return {"blobs": refs, "objects": read}

    def after_load(self, persister, service, payload: dict) -> dict:
        storage = self._storage(service)
        blobs = persister.store.blobs
        refs: dict[tuple, str] = payload.get("extras", {}).get("blobs", {})
        read = payload.get("extras", {}).get("objects")
        restored = missing = later = 0
        for account, bucket in _iter_buckets():
            storage.create_bucket(bucket.name)
            if read is not None:  # a snapshot of an earlier format has no objects read
                later += _as_read(account, bucket, read)
            for obj in _object_versions(bucket):
                name = _saved_for(refs, account, bucket, obj)
                if not name or not blobs.exists(name):
                    missing += 1
                    LOG.warning("stagegraph: no saved body for S3 object s3://%s/%s", bucket.name, obj.key)
                    continue
                # Into the storage's file as it is: the stored object's write() would recompute the
                # ETag (wrong for multipart uploads) and checksums of every object.
                with blobs.open(name) as source, storage.open(bucket.name, obj, mode="w") as stored:
                    file = stored.file
                    with file.position_lock:
                        file.seek(0)
                        file.truncate()
                        shutil.copyfileobj(source, file, 1024 * 1024)
                        file.seek(0)
                        file.internal_last_modified = obj.internal_last_modified
                self._stamps[(account, bucket.name, obj.key, obj.version_id)] = (obj.internal_last_modified, obj.etag, obj.size)
                restored += 1
        self._refs = dict(refs)
        return {"objects": restored, "objectsWithoutBody": missing, "objectsChangedWhileSaving": later}


def _all_sqs_queues():
    from localstack.services.sqs.models import sqs_stores

    for _account, _region, store in list(sqs_stores.iter_stores()):
        yield from list(store.queues.values())


def _reopen(queue) -> None:
    """A queue saved after LocalStack interrupted its receives (shutdown) accepts receives again."""
    for attribute in ("visible", "message_group_queue"):
        inner = getattr(queue, attribute, None)
        if inner is not None and getattr(inner, "is_shutdown", False):
            inner.is_shutdown = False


class SqsAdapter(ServiceAdapter):
    def after_load(self, persister, service, payload: dict) -> dict:
        in_flight: dict[str, int] = {}
        for queue in _all_sqs_queues():
            _reopen(queue)
            if queue.inflight:
                in_flight[queue.arn] = len(queue.inflight)
        return {"inFlight": in_flight, "inFlightTotal": sum(in_flight.values())}


def drop_orphan_mappings(stores) -> list[str]:
    """Removes the saved event source mappings that cannot start again: those being deleted when the state was saved
    (the deletion is done now) and those whose function or qualifier is gone. LocalStack's on_after_state_load starts
    every mapping in one loop, and one whose function is gone raised there: no mapping after it started, and the whole
    Lambda state counted as not restored. Returns the UUIDs removed."""
    dropped = []
    for _account, _region, store in list(stores.iter_stores()):
        for uuid, mapping in list(store.event_source_mappings.items()):
            parts = str(mapping.get("FunctionArn") or "").split(":")
            name = parts[6] if len(parts) > 6 else ""
            qualifier = parts[7] if len(parts) > 7 else None
            try:  # the function's own account and region, as its ARN names them
                functions = stores[parts[4]][parts[3]].functions
            except Exception:  # noqa: BLE001 - an ARN without them: the mapping's store
                functions = store.functions
            function = functions.get(name)
            gone = function is None or (
                qualifier is not None and qualifier not in function.versions and qualifier not in function.aliases)
            if gone or mapping.get("State") == "Deleting":
                del store.event_source_mappings[uuid]
                dropped.append(uuid)
    return dropped


class LambdaAdapter(ServiceAdapter):
    """Asynchronous invocations wait in in-memory queues named after each function's instance id, which
    LocalStack's on_after_state_load renews: saved with the function, they move to the new queues.
    Kinesis mappings' positions (see above) are saved with Lambda too."""

    def before_save(self, persister, service) -> dict:
        from localstack.services.lambda_.invocation.internal_sqs_queue import get_fake_sqs_client
        from localstack.services.lambda_.invocation.models import lambda_stores

        provider = service._provider
        manager = get_fake_sqs_client().queue_manager
        pending: dict[str, Any] = {}
        for qualified_arn, event_manager in list(provider.lambda_service.event_managers.items()):
            queue = manager.queues.get(getattr(event_manager, "event_queue_url", None) or "")
            if queue is not None:
                pending[qualified_arn] = queue
        mappings = {uuid for _a, _r, store in list(lambda_stores.iter_stores()) for uuid in list(store.event_source_mappings)}
        checkpoints = {uuid: shards for uuid, shards in kinesis_checkpoints(kinesis_persisted_at()).items() if uuid in mappings}
        return {"asyncQueues": pending, "kinesisCheckpoints": checkpoints}

    def after_load(self, persister, service, payload: dict) -> dict:
        # Before on_after_state_load starts the mappings' pollers.
        set_kinesis_checkpoints(payload.get("extras", {}).get("kinesisCheckpoints") or {})
        from localstack.services.lambda_.invocation.models import lambda_stores

        dropped = drop_orphan_mappings(lambda_stores)
        return {"mappingsDropped": dropped} if dropped else {}

    def after_hooks(self, persister, service, payload: dict) -> dict:
        from localstack.services.lambda_.invocation.internal_sqs_queue import get_fake_sqs_client

        provider = service._provider
        manager = get_fake_sqs_client().queue_manager
        moved = 0
        for qualified_arn, saved in (payload.get("extras", {}).get("asyncQueues") or {}).items():
            event_manager = provider.lambda_service.event_managers.get(qualified_arn)
            if event_manager is None or not getattr(event_manager, "event_queue_url", None):
                continue
            queue = manager.queues.get(event_manager.event_queue_url)
            if queue is None:
                continue
            messages = list(saved.visible.queue) + list(saved.inflight) + list(saved.delayed)
            for message in sorted(messages, key=lambda m: m.priority):
                if not message.deleted:
                    queue.put(message=message.message)
                    moved += 1
        return {"asyncInvocationsRequeued": moved}


class EventsAdapter(ServiceAdapter):
    """EventBridge keeps buses and rules in its store but their runtime objects (rule services, target
    senders, schedule jobs) in the provider: rebuilt from the store."""

    def after_hooks(self, persister, service, payload: dict) -> dict:
        from localstack.services.events.event_bus import EventBusService
        from localstack.services.events.models import events_stores
        from localstack.services.events.rule import RuleService

        provider = service._provider
        rules = schedules = 0
        for account, region, store in list(events_stores.iter_stores()):
            for bus in list(store.event_buses.values()):
                provider._event_bus_services_store[bus.arn] = EventBusService(bus)
                for rule in list(bus.rules.values()):
                    rule_service = RuleService(rule)
                    provider._rule_services_store[rule.arn] = rule_service
                    for target in list(rule.targets.values()):
                        provider.create_target_sender(target, rule.arn, rule.name, region, account)
                    rules += 1
                    if rule_service.schedule_cron:
                        rule_service.create_schedule_job(provider._get_scheduled_rule_job_function(account, region, rule))
                        schedules += 1
        return {"rules": rules, "schedules": schedules}


class StepFunctionsAdapter(ServiceAdapter):
    def after_hooks(self, persister, service, payload: dict) -> dict:
        from localstack.aws.api.stepfunctions import ExecutionStatus
        from localstack.services.stepfunctions.backend.models import sfn_stores

        aborted = 0
        now = datetime.datetime.now(tz=datetime.UTC)
        for _account, _region, store in list(sfn_stores.iter_stores()):
            for execution in list(store.executions.values()):
                if execution.exec_status != ExecutionStatus.RUNNING:
                    continue
                execution.exec_status = ExecutionStatus.ABORTED
                execution.stop_date = now
                execution.error = "States.Runtime"
                execution.cause = "LocalStack stopped while the execution was running"
                worker = execution.exec_worker
                if isinstance(worker, FrozenExecutionWorker):
                    events = worker.env.events
                    last = events[-1]["id"] if events else 0
                    events.append({
                        "timestamp": now, "type": "ExecutionAborted", "id": last + 1, "previousEventId": last,
                        "executionAbortedEventDetails": {"error": execution.error, "cause": execution.cause},
                    })
                aborted += 1
        return {"executionsAborted": aborted}


_IN_PROGRESS_TO_FAILED = {
    "CREATE_IN_PROGRESS": "CREATE_FAILED",
    "UPDATE_IN_PROGRESS": "UPDATE_FAILED",
    "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS": "UPDATE_COMPLETE",
    "DELETE_IN_PROGRESS": "DELETE_FAILED",
    "ROLLBACK_IN_PROGRESS": "ROLLBACK_FAILED",
    "UPDATE_ROLLBACK_IN_PROGRESS": "UPDATE_ROLLBACK_FAILED",
    "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS": "UPDATE_ROLLBACK_COMPLETE",
    "REVIEW_IN_PROGRESS": "REVIEW_IN_PROGRESS",
}


class CloudFormationAdapter(ServiceAdapter):
    def after_hooks(self, persister, service, payload: dict) -> dict:
        from localstack.services.cloudformation.models import cloudformation_stores

        failed = 0
        for _account, _region, store in list(cloudformation_stores.iter_stores()):
            for stack in list(store.stacks_v2.values()) + list(store.stacks.values()):
                status = str(getattr(stack, "status", "") or "")
                target = _IN_PROGRESS_TO_FAILED.get(status)
                if target and target != status:
                    try:
                        stack.set_stack_status(target, "LocalStack stopped during the deployment")
                    except Exception:
                        stack.status = target
                    failed += 1
        return {"deploymentsInterrupted": failed}


def kinesis_persisted_at() -> float | None:
    """When kinesis-mock last wrote all its files (None: it keeps no files)."""
    import os

    try:
        return min(os.path.getmtime(path) for path in kinesis_files())
    except (OSError, ValueError):
        return None


def kinesis_files() -> list[str]:
    """kinesis-mock's own state files (one per account) in LocalStack's data directory."""
    import glob
    import os

    from localstack import config

    return sorted(glob.glob(os.path.join(config.dirs.data, "kinesis", "*.json")))


class KinesisAdapter(ServiceAdapter):
    """kinesis-mock keeps the records itself, rewriting <state>/kinesis/<account>.json every
    KINESIS_MOCK_PERSIST_INTERVAL, in place: a copy of the last complete file goes with each save, and
    replaces a file that a kill left cut off before kinesis-mock starts on it."""

    def __init__(self) -> None:
        self._copies: dict[str, tuple[float, bytes]] = {}

    def handles_assets(self, asset_directory) -> bool:
        return True

    def before_save(self, persister, service) -> dict:
        import json
        import os

        for path in kinesis_files():
            try:
                stamp = os.path.getmtime(path)
                if self._copies.get(path, (None,))[0] == stamp:
                    continue
                with open(path, "rb") as file:
                    data = file.read()
                json.loads(data)
            except (OSError, ValueError):
                continue  # being rewritten: keep the previous copy
            self._copies[path] = (stamp, data)
        return {"files": {os.path.basename(path): data for path, (_stamp, data) in self._copies.items()}}

    def after_load(self, persister, service, payload: dict) -> dict:
        import json
        import os

        from localstack import config

        from stagegraph_localstack.state_files import atomic_write

        replaced = []
        folder = os.path.join(config.dirs.data, "kinesis")
        for name, data in (payload.get("extras", {}).get("files") or {}).items():
            path = os.path.join(folder, os.path.basename(name))
            try:
                with open(path, "rb") as file:
                    json.loads(file.read())
                continue
            except (OSError, ValueError):
                atomic_write(path, data)
                replaced.append(name)
        return {"filesRepaired": replaced} if replaced else {}


def adapters() -> dict[str, ServiceAdapter]:
    """A fresh set of adapters, by service name."""
    return {
        "s3": S3Adapter(),
        "kinesis": KinesisAdapter(),
        "sqs": SqsAdapter(),
        "lambda": LambdaAdapter(),
        "events": EventsAdapter(),
        "stepfunctions": StepFunctionsAdapter(),
        "cloudformation": CloudFormationAdapter(),
    }


# --- graceful stop ---------------------------------------------------------------------------------


def quiesce(budget_seconds: float, kinesis_changed_at: float | None = None) -> dict:
    """Stops the event source mappings and waits (up to the budget) for the batches they hold to be
    processed and deleted, for the functions' logs to be shipped, and for kinesis-mock to write the
    records put since its last write: after that a save has every message either processed and
    deleted, or still in its queue."""
    from stagegraph_localstack import drain
    from stagegraph_localstack.services import provider_of

    deadline = time.monotonic() + budget_seconds
    provider = provider_of("lambda")
    workers = drain.esm_workers()
    for worker in workers:
        worker.stop_for_shutdown()
    # The extra pollers of a queue's mapping (esm_polling.py) finish the batch they hold, invoked and deleted,
    # before the queues shut down: a receive cut short by the shutdown would leave its batch for a second time.
    for worker in workers:
        pollers = getattr(worker, "_stagegraph_pollers", None)
        if pollers is not None:
            pollers.join(max(0.0, deadline - time.monotonic()))
    if provider_of("sqs") is not None:
        # Long polls (a batching window) return at once with what they collected.
        for queue in _all_sqs_queues():
            queue.shutdown()
    for worker in workers:
        thread = getattr(worker, "_poller_thread", None)
        if thread is not None:
            thread.join(max(0.0, deadline - time.monotonic()))
    busy = [worker.uuid for worker in workers if getattr(worker, "_poller_thread", None) is not None and worker._poller_thread.is_alive()]
    if provider is not None:
        handlers = [vm.log_handler for vm in list(provider.lambda_service.lambda_running_versions.values())]
        while any(not h.log_queue.empty() for h in handlers) and time.monotonic() < deadline:
            time.sleep(0.01)
    kinesis_flushed = _await_kinesis_persist(kinesis_changed_at, deadline)
    return {"mappingsStopped": len(workers), "mappingsStillBusy": busy, "kinesisFlushed": kinesis_flushed}


def _await_kinesis_persist(changed_at: float | None, deadline: float) -> bool | None:
    """kinesis-mock is killed on shutdown without writing its state: when a request reached Kinesis
    since its last write, wait (up to the deadline) for its next periodic write. None: nothing to wait
    for; False: the deadline came first."""
    import os

    if changed_at is None or _kinesis_running() is False:
        return None
    files = kinesis_files()
    if not files:
        return None

    def written_after() -> bool:
        # After the records arrived, by the margin positions are confirmed with (see above).
        try:
            return min(os.path.getmtime(path) for path in files) > changed_at + ARRIVAL_MARGIN_SECONDS
        except OSError:
            return False

    while not written_after():
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.05)
    return True


def _kinesis_running() -> bool:
    from stagegraph_localstack.services import provider_of

    provider = provider_of("kinesis")
    return bool(provider is not None and getattr(provider.server_manager, "_servers", None))
