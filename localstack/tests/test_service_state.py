"""Service-specific saving: frozen Step Functions histories (anywhere), then, with LocalStack
importable, locks, moto's dict subclasses and SQS queues with messages a receive is holding."""
import io
import threading
import time
from collections import defaultdict

import pytest

from stagegraph_localstack import service_state
from stagegraph_localstack.service_state import FrozenExecutionWorker


def test_a_restored_execution_answers_its_history_and_has_nothing_to_notify():
    events = [{"id": 1, "type": "ExecutionStarted"}, {"id": 2, "type": "ExecutionSucceeded"}]
    worker = FrozenExecutionWorker(events)

    assert worker.env.event_manager.get_event_history() == events
    assert worker.env.event_manager.get_event_history() is not events
    assert worker.env.callback_pool_manager.notify("token", "outcome") is False
    assert worker.env.map_run_record_pool_manager.get_all() == []
    worker.stop(stop_date=None, cause=None, error=None)


def test_a_kinesis_position_is_saved_once_kinesis_mock_has_written_the_record(monkeypatch):
    service_state.set_kinesis_checkpoints({"esm-1": {"shard-0": "100"}})
    service_state._record_position("esm-1", "shard-0", "110", arrival=1000.0)
    service_state._record_position("esm-1", "shard-0", "120", arrival=1003.0)
    service_state._record_position("esm-2", "shard-0", "7", arrival=1003.0)

    # kinesis-mock's file was written before record 110 arrived: the restored position stays 100.
    assert service_state.kinesis_checkpoints(999.0) == {"esm-1": {"shard-0": "100"}}
    assert service_state.kinesis_checkpoints(1001.0) == {"esm-1": {"shard-0": "110"}}
    assert service_state._saved_position("esm-1", "shard-0") == "110"
    # Within the margin of the write, not yet.
    assert service_state.kinesis_checkpoints(1003.2) == {"esm-1": {"shard-0": "110"}}
    # Without files of kinesis-mock, every position counts.
    assert service_state.kinesis_checkpoints(None) == {"esm-1": {"shard-0": "120"}, "esm-2": {"shard-0": "7"}}
    service_state.set_kinesis_checkpoints({})


@pytest.fixture
def sqs_models():
    pytest.importorskip("localstack.services.sqs.models")
    service_state.install_patches()
    from localstack.services.sqs import models

    return models


def roundtrip(value):
    return service_state.loads(service_state.dumps(value))


def test_a_lock_held_while_saving_comes_back_free(sqs_models):
    lock, rlock = threading.Lock(), threading.RLock()
    with lock, rlock:
        restored = roundtrip({"lock": lock, "rlock": rlock})
    assert restored["lock"].acquire(blocking=False)
    assert restored["rlock"].acquire(blocking=False)


def test_dict_subclasses_with_their_own_constructor_come_back(sqs_models):
    from moto.ssm.models import ParameterDict

    parameters = ParameterDict("000000000000", "us-east-1")
    parameters["/cdk-bootstrap/hnb659fds/version"].append("v28")
    restored = roundtrip(parameters)

    assert type(restored) is ParameterDict
    assert restored.region_name == "us-east-1"
    assert restored["/cdk-bootstrap/hnb659fds/version"] == ["v28"]
    assert restored["missing"] == []  # still a defaultdict


def message(models, n):
    return {"MessageId": f"id-{n}", "Body": f"body {n}", "MD5OfBody": "", "Attributes": {}}


def standard_queue(models, count):
    queue = models.StandardQueue("work", "us-east-1", "000000000000", attributes={"VisibilityTimeout": "30"})
    for n in range(count):
        queue.put(message(models, n))
    return queue


def ids(messages):
    return sorted(m.message_id for m in messages)


def test_messages_a_receive_is_collecting_are_saved_as_visible_then_in_flight(sqs_models):
    queue = standard_queue(sqs_models, 3)
    result = {}
    # An event source mapping with a batching window: takes what is there, waits for more.
    receiver = threading.Thread(target=lambda: result.update(r=queue.receive(10, wait_time_seconds=1, poll_empty_queue=True)))
    receiver.start()
    deadline = time.monotonic() + 5
    while queue.visible.qsize() and time.monotonic() < deadline:
        time.sleep(0.005)
    assert queue.visible.qsize() == 0 and not queue.inflight  # held by the receive: nowhere else

    during = roundtrip(queue)
    receiver.join()
    after = roundtrip(queue)

    assert ids(during.visible.queue) == ["id-0", "id-1", "id-2"] and not during.inflight
    assert len(result["r"].successful) == 3
    assert not after.visible.queue and ids(after.inflight) == ["id-0", "id-1", "id-2"]
    # The restored queue works: its messages come back after their visibility timeout.
    for restored in after.inflight:
        restored.visibility_deadline = time.time() - 1
    after.requeue_inflight_messages()
    assert len(after.receive(10).successful) == 3


def test_a_queue_saved_after_shutdown_interrupted_it_accepts_receives_again(sqs_models):
    queue = standard_queue(sqs_models, 2)
    queue.shutdown()
    restored = roundtrip(queue)
    service_state._reopen(restored)
    assert ids(restored.receive(10).successful) == ["id-0", "id-1"]


def test_fifo_groups_are_rebuilt_with_a_group_in_flight_kept_hidden(sqs_models):
    queue = sqs_models.FifoQueue("work.fifo", "us-east-1", "000000000000", attributes={"FifoQueue": "true"})
    for n, group in enumerate(["a", "a", "b"]):
        queue.put(message(sqs_models, n), message_deduplication_id=f"d{n}", message_group_id=group)
    first = queue.receive(1)  # takes id-0 of group a: a stays hidden while it is in flight
    assert ids(first.successful) == ["id-0"]

    restored = roundtrip(queue)
    assert ids(restored.inflight) == ["id-0"]
    assert ids(restored.receive(10).successful) == ["id-2"]
    restored.remove(first.receipt_handles[0])
    assert ids(restored.receive(10).successful) == ["id-1"]


def test_a_settled_execution_is_pickled_once_and_a_running_one_every_time(monkeypatch):
    import datetime
    import types

    class Execution:
        def __init__(self, status, stop_date):
            self.exec_status = types.SimpleNamespace(value=status)
            self.stop_date = stop_date

    pickled = []
    monkeypatch.setattr(service_state, "dumps", lambda value: pickled.append(value) or b"blob")
    now = datetime.datetime.now(tz=datetime.timezone.utc)
    running = Execution("RUNNING", None)
    just_done = Execution("SUCCEEDED", now)
    done = Execution("FAILED", now - datetime.timedelta(seconds=10))
    assert service_state._frozen_blob(running) is None
    # Its last events may still be landing: not frozen yet.
    assert service_state._frozen_blob(just_done) is None
    assert service_state._frozen_blob(done) == b"blob"
    assert service_state._frozen_blob(done) == b"blob"
    assert pickled == [done]
    # Kept beside the execution, not in it (a request may be copying it while the save runs).
    assert not [name for name in vars(done) if name.startswith("_stagegraph")]


def test_a_log_stream_pickles_each_full_chunk_of_events_once():
    size = service_state.LOG_CHUNK
    events = [object() for _ in range(2 * size + 5)]
    dumped = []

    def dump(chunk):
        dumped.append(len(chunk))
        return f"blob{len(dumped)}"

    cache: list = []
    blobs, tail = service_state.event_chunks(events, cache, dump)
    assert (blobs, len(tail), dumped) == (["blob1", "blob2"], 5, [size, size])
    # The stream grows: only the chunk that became full is pickled.
    events.extend(object() for _ in range(size))
    blobs, tail = service_state.event_chunks(events, cache, dump)
    assert (blobs, len(tail), dumped) == (["blob1", "blob2", "blob3"], 5, [size, size, size])
    # Events removed (a retention policy): the chunks that no longer match are pickled again.
    del events[:10]
    blobs, tail = service_state.event_chunks(events, cache, dump)
    assert (blobs, len(tail)) == (["blob4", "blob5"], size - 5)


def test_a_dict_and_a_set_another_thread_grows_meanwhile_are_saved_as_they_were_at_one_moment(sqs_models):
    # An S3 bucket's objects under a stream of uploads: pickle walks a dict lazily, so a dict resized meanwhile
    # failed the whole snapshot ("dictionary changed size during iteration"), at every retry.
    objects = {f"key-{i}": {"size": i} for i in range(20_000)}
    members = set(range(5_000))
    stop = threading.Event()

    def upload():
        i = 0
        while not stop.is_set():
            objects[f"new-{i}"] = {"size": i}
            members.add(-i - 1)
            i += 1
            if i % 100 == 0:
                time.sleep(0)

    writer = threading.Thread(target=upload)
    writer.start()
    try:
        pickler = service_state._pickler_class()
        for _ in range(2):

            buffer = io.BytesIO()
            pickler(buffer).dump({"objects": objects, "members": members})
            restored = service_state.loads(buffer.getvalue())
            assert all(restored["objects"][f"key-{i}"] == {"size": i} for i in range(20_000))
            assert set(range(5_000)) <= restored["members"]
    finally:
        stop.set()
        writer.join()
    # Shared references stay shared, as pickle keeps them.
    shared = {"a": 1}
    again = roundtrip({"x": shared, "y": shared, "s": {1, 2, 3}})
    assert again["x"] is again["y"] and again["s"] == {1, 2, 3}


def test_s3_state_is_pickled_in_one_go_by_the_c_pickler_and_loads_as_dill_pickled_state(sqs_models):
    pytest.importorskip("localstack.services.s3.models")
    import sys

    from localstack.services.s3.models import S3Bucket, S3Object

    bucket = S3Bucket("photos", "000000000000", "us-east-1", {"ID": "owner", "DisplayName": "owner"})
    for i in range(3_000):
        stored = S3Object(key=f"k{i}", etag=f"e{i}", size=i, system_metadata={"ContentType": "text/plain"})
        bucket.objects.set(stored.key, stored)
    state = {"buckets": {"photos": bucket}, "lock": threading.Lock(), "counts": defaultdict(int, {"a": 1})}
    stop = threading.Event()

    def upload():
        # Uploads as requests bring them: each after a wait (for its body), which gives the interpreter up.
        i = 0
        while not stop.is_set():
            bucket.objects.set(f"new-{i}", S3Object(key=f"new-{i}", etag="n", size=1))
            i += 1
            time.sleep(0.0005)

    switch = sys.getswitchinterval()
    writer = threading.Thread(target=upload)
    writer.start()
    try:
        time.sleep(0.05)
        data = service_state._dumps_at_once(state)
    finally:
        stop.set()
        writer.join()
    assert data is not None
    assert sys.getswitchinterval() == switch
    restored = service_state.loads(data)
    objects = restored["buckets"]["photos"].objects
    assert [objects.get(f"k{i}").etag for i in (0, 1_500, 2_999)] == ["e0", "e1500", "e2999"]
    assert objects.get("k7").system_metadata == {"ContentType": "text/plain"}
    assert restored["lock"].acquire(blocking=False)
    assert restored["counts"]["a"] == 1 and restored["counts"]["missing"] == 0
    # dill's pickle of the same state loads the same.
    again = roundtrip({"buckets": {"photos": bucket}})["buckets"]["photos"].objects
    assert again.get("k2999").size == objects.get("k2999").size == 2_999


def test_a_state_the_c_pickler_cannot_take_is_pickled_by_dill(sqs_models):
    queue = sqs_models.StandardQueue("q", "us-east-1", "000000000000")
    assert service_state._dumps_at_once({"queue": queue}) is None
    assert service_state._dumps_at_once({"factory": defaultdict(lambda: 1)}) is None
    restored = service_state.loads(service_state.dumps({"factory": defaultdict(lambda: 1)}, at_once=True))
    assert restored["factory"]["x"] == 1


def test_log_streams_are_pickled_in_one_go_with_their_full_chunks_of_events_pickled_once(sqs_models):
    logs = pytest.importorskip("moto.logs.models")
    group = logs.LogGroup("000000000000", "us-east-1", "/aws/lambda/fn")
    long, short = logs.LogStream(group, "long"), logs.LogStream(group, "short")
    long.events = [{"timestamp": i, "message": f"line {i}"} for i in range(2_500)]
    short.events = [{"timestamp": 1, "message": "one"}]
    group.streams = {"long": long, "short": short}
    data = service_state._dumps_at_once({"group": group})
    assert data is not None
    restored = service_state.loads(data)["group"].streams
    assert [e["message"] for e in restored["long"].events] == [f"line {i}" for i in range(2_500)]
    assert [e["message"] for e in restored["short"].events] == ["one"]
    # The two full chunks were pickled once, and are reused by the next save.
    cached = list(service_state._log_chunks.get(long))
    assert len(cached) == 2
    service_state._dumps_at_once({"group": group})
    assert all(now[2] is before[2] for now, before in zip(service_state._log_chunks.get(long), cached, strict=True))


def test_s3_objects_put_while_a_save_goes_on_are_restored_as_the_save_read_them_with_their_bodies(sqs_models, tmp_path):
    pytest.importorskip("localstack.services.s3.models")
    from types import SimpleNamespace

    from localstack.services.s3.models import S3Bucket, S3Object, s3_stores
    from localstack.services.s3.storage.ephemeral import EphemeralS3ObjectStore

    from stagegraph_localstack.state_files import BlobStore

    account, region = "000000000042", "eu-west-1"
    store = s3_stores[account][region]

    def put(storage, bucket, key, body):
        obj = S3Object(key=key, etag="", size=len(body))
        with storage.open(bucket.name, obj, mode="w") as stored:
            stored.write(io.BytesIO(body.encode()))
        bucket.objects.set(key, obj)
        return obj

    def body(storage, bucket, key):
        with storage.open(bucket.name, bucket.objects.get(key), mode="r") as stored:
            return b"".join(stored).decode()

    storage = EphemeralS3ObjectStore()
    bucket = S3Bucket("uploads", account, region, {"ID": "owner", "DisplayName": "owner"})
    storage.create_bucket(bucket.name)
    store.buckets[bucket.name] = bucket
    try:
        for i in range(5):
            put(storage, bucket, f"k{i}", f"body {i}")
        etag = bucket.objects.get("k1").etag
        persister = SimpleNamespace(store=SimpleNamespace(blobs=BlobStore(str(tmp_path / "blobs"))))
        saving = service_state.S3Adapter()
        extras = saving.before_save(persister, SimpleNamespace(_provider=SimpleNamespace(_storage_backend=storage)))
        # Between the read of the bodies and the pickle of the state: a new object, one put over, one deleted.
        put(storage, bucket, "late", "late body")
        put(storage, bucket, "k1", "overwritten")
        bucket.objects.pop("k4")
        data = service_state._dumps_at_once({"extras": extras, "bucket": bucket})
        assert data is not None
        for pickled in (data, service_state.dumps({"extras": extras, "bucket": bucket})):
            payload = service_state.loads(pickled)
            store.buckets[bucket.name] = restored = payload["bucket"]
            fresh = EphemeralS3ObjectStore()
            loading = service_state.S3Adapter()
            details = loading.after_load(persister, SimpleNamespace(_provider=SimpleNamespace(_storage_backend=fresh)), payload)

            assert details == {"objects": 4, "objectsWithoutBody": 0, "objectsChangedWhileSaving": 2}
            assert sorted(obj.key for obj in restored.objects.values()) == ["k0", "k1", "k2", "k3"]
            assert restored.objects.get("k1").etag == etag
            assert [body(fresh, restored, key) for key in ("k0", "k1", "k3")] == ["body 0", "body 1", "body 3"]
    finally:
        store.buckets.pop(bucket.name, None)


def test_versions_put_while_a_save_goes_on_leave_the_version_the_save_read_current(sqs_models):
    pytest.importorskip("localstack.services.s3.models")
    from localstack.services.s3.models import S3Bucket, S3Object, VersionedKeyStore

    bucket = S3Bucket("versions", "000000000000", "us-east-1", {"ID": "owner", "DisplayName": "owner"})
    bucket.objects = VersionedKeyStore()
    first = S3Object(key="report", etag="v1", size=1, version_id="1")
    bucket.objects.set("report", first)
    read = {("000000000000", "versions", "report", "1"): first}
    bucket.objects.set("report", S3Object(key="report", etag="v2", size=2, version_id="2"))
    assert first.is_current is False

    assert service_state._as_read("000000000000", bucket, read) == 1
    assert [obj.version_id for obj in bucket.objects.values(with_versions=True)] == ["1"]
    assert bucket.objects.get("report") is first and first.is_current is True


def test_objects_read_before_versioning_was_turned_on_stay_and_a_suspended_version_put_over_stays_current(sqs_models):
    pytest.importorskip("localstack.services.s3.models")
    from localstack.services.s3.models import S3Bucket, S3Object, VersionedKeyStore

    account = "000000000000"
    bucket = S3Bucket("later-versioned", account, "us-east-1", {"ID": "owner", "DisplayName": "owner"})
    kept = S3Object(key="kept", etag="a", size=1)
    bucket.objects.set("kept", kept)
    read = {(account, bucket.name, "kept", None): kept}
    # Versioning turned on after the save read the bucket: the same objects, now of version "null".
    bucket.objects = VersionedKeyStore.from_key_store(bucket.objects)
    assert kept.version_id == "null"
    assert service_state._as_read(account, bucket, read) == 0
    assert bucket.objects.get("kept") is kept

    # Versioning suspended: a new "null" version put over the one read replaces it and made it not current.
    suspended = S3Bucket("suspended", account, "us-east-1", {"ID": "owner", "DisplayName": "owner"})
    suspended.objects = VersionedKeyStore()
    first = S3Object(key="doc", etag="v1", size=1, version_id="null")
    suspended.objects.set("doc", first)
    read = {(account, "suspended", "doc", "null"): first}
    suspended.objects.set("doc", S3Object(key="doc", etag="v2", size=2, version_id="null"))
    assert first.is_current is False

    assert service_state._as_read(account, suspended, read) == 1
    assert suspended.objects.get("doc") is first and first.is_current is True



def test_a_bucket_whose_versioning_was_turned_on_while_a_save_went_on_comes_back_with_every_body(sqs_models, tmp_path):
    pytest.importorskip("localstack.services.s3.models")
    from types import SimpleNamespace

    from localstack.services.s3.models import S3Bucket, S3Object, VersionedKeyStore, s3_stores
    from localstack.services.s3.storage.ephemeral import EphemeralS3ObjectStore

    from stagegraph_localstack.state_files import BlobStore

    account, region = "000000000043", "eu-west-1"
    store = s3_stores[account][region]
    storage = EphemeralS3ObjectStore()
    bucket = S3Bucket("turned-on", account, region, {"ID": "owner", "DisplayName": "owner"})
    storage.create_bucket(bucket.name)
    store.buckets[bucket.name] = bucket

    def put(key, body):
        obj = S3Object(key=key, etag="", size=len(body))
        with storage.open(bucket.name, obj, mode="w") as stored:
            stored.write(io.BytesIO(body.encode()))
        bucket.objects.set(key, obj)
        return obj

    try:
        put("kept", "kept body")
        put("over", "first body")
        persister = SimpleNamespace(store=SimpleNamespace(blobs=BlobStore(str(tmp_path / "blobs"))))
        service = SimpleNamespace(_provider=SimpleNamespace(_storage_backend=storage))
        extras = service_state.S3Adapter().before_save(persister, service)
        put("over", "second body")  # put over while still unversioned, then versioning turned on
        bucket.objects = VersionedKeyStore.from_key_store(bucket.objects)
        payload = service_state.loads(service_state.dumps({"extras": extras, "bucket": bucket}))
        store.buckets[bucket.name] = restored = payload["bucket"]
        fresh = EphemeralS3ObjectStore()
        details = service_state.S3Adapter().after_load(
            persister, SimpleNamespace(_provider=SimpleNamespace(_storage_backend=fresh)), payload
        )

        assert details == {"objects": 2, "objectsWithoutBody": 0, "objectsChangedWhileSaving": 1}
        bodies = {}
        for obj in restored.objects.values():
            assert obj.version_id == "null" and obj.is_current
            with fresh.open(restored.name, obj, mode="r") as stored:
                bodies[obj.key] = b"".join(stored).decode()
        assert bodies == {"kept": "kept body", "over": "first body"}
    finally:
        store.buckets.pop(bucket.name, None)


def test_saved_mappings_that_cannot_start_again_are_dropped_and_the_others_kept():
    import types

    def function(versions=("$LATEST",), aliases=()):
        return types.SimpleNamespace(versions=dict.fromkeys(versions), aliases=dict.fromkeys(aliases))

    arn = "arn:aws:lambda:us-east-1:000000000000:function:"
    store = types.SimpleNamespace(
        functions={"Worker": function(aliases=("live",))},
        event_source_mappings={
            "kept": {"FunctionArn": arn + "Worker", "State": "Enabled"},
            "alias": {"FunctionArn": arn + "Worker:live", "State": "Enabled"},
            "disabled": {"FunctionArn": arn + "Worker", "State": "Disabled"},
            "function-gone": {"FunctionArn": arn + "Renamed", "State": "Enabled"},
            "alias-gone": {"FunctionArn": arn + "Worker:old", "State": "Enabled"},
            "being-deleted": {"FunctionArn": arn + "Worker", "State": "Deleting"},
        },
    )
    stores = types.SimpleNamespace(iter_stores=lambda: [("000000000000", "us-east-1", store)])

    dropped = service_state.drop_orphan_mappings(stores)

    assert sorted(dropped) == ["alias-gone", "being-deleted", "function-gone"]
    assert sorted(store.event_source_mappings) == ["alias", "disabled", "kept"]
