"""The snapshot files: a save that a kill interrupts never replaces or damages the last complete one."""
import json
import os
import time

import pytest

from stagegraph_localstack import state_files
from stagegraph_localstack.state_files import BlobStore, SnapshotStore, atomic_write, read_json, write_json


def test_atomic_write_replaces_the_whole_file_and_leaves_no_temporary_file(tmp_path):
    target = tmp_path / "deep" / "file.bin"
    atomic_write(str(target), b"first")
    atomic_write(str(target), b"second, longer")

    assert target.read_bytes() == b"second, longer"
    assert os.listdir(target.parent) == ["file.bin"]


def test_a_write_that_fails_midway_keeps_the_old_content(tmp_path, monkeypatch):
    target = tmp_path / "file.bin"
    atomic_write(str(target), b"good")

    def killed(*args):
        raise KeyboardInterrupt("killed while renaming")

    monkeypatch.setattr(state_files.os, "replace", killed)
    with pytest.raises(KeyboardInterrupt):
        atomic_write(str(target), b"never seen")

    assert target.read_bytes() == b"good"
    assert os.listdir(tmp_path) == ["file.bin"]


def test_json_reports_round_trip_and_a_missing_or_broken_file_reads_as_the_default(tmp_path):
    path = tmp_path / "REPORT.json"
    write_json(str(path), {"services": {"sqs": {"inFlight": 2}}})

    assert read_json(str(path)) == {"services": {"sqs": {"inFlight": 2}}}
    assert read_json(str(tmp_path / "missing.json"), {}) == {}
    (tmp_path / "broken.json").write_text('{"cut off')
    assert read_json(str(tmp_path / "broken.json"), []) == []


def committed(store, **services):
    """A committed generation of ``store`` with the given services' bytes."""
    generation = store.begin()
    for name, data in services.items():
        generation.write(name, data)
    generation.commit()
    return generation


def test_a_committed_generation_is_what_reads_return(tmp_path):
    store = SnapshotStore(str(tmp_path))
    assert store.current() is None and store.services() == [] and store.read("sqs") is None

    generation = store.begin()
    generation.write("sqs", b"queues")
    generation.write("s3", b"buckets")
    assert store.current() is None  # nothing counts before the commit
    assert generation.commit() == 1

    assert store.current() == 1
    assert store.services() == ["s3", "sqs"]
    assert store.read("sqs") == b"queues"
    assert isinstance(store.saved_at(), float)
    saved = json.loads((tmp_path / "snapshot" / "1" / "SAVED.json").read_text())
    assert saved["written"] == ["s3", "sqs"]


def test_a_generation_cut_off_before_its_commit_is_ignored_and_cleared_by_the_next_save(tmp_path):
    store = SnapshotStore(str(tmp_path))
    committed(store, sqs=b"messages of save 1")

    # A kill during the second save: some files written, CURRENT not replaced.
    second = store.begin()
    second.write("sqs", b"messages of save 2, half written")
    assert store.read("sqs") == b"messages of save 1"

    third = committed(store, sqs=b"messages of save 3")  # the next run's first save
    assert third.number == 2
    assert store.read("sqs") == b"messages of save 3"
    assert sorted(os.listdir(store.folder)) == ["2", "CURRENT"]


def test_unchanged_services_are_carried_over_as_hard_links(tmp_path):
    store = SnapshotStore(str(tmp_path))
    committed(store, logs=b"x" * 10_000, sqs=b"v1")

    second = store.begin()
    assert second.keep("logs") is True
    assert second.keep("lambda") is False  # not in the previous generation
    second.write("sqs", b"v2")
    second.commit()

    assert store.services() == ["logs", "sqs"]
    assert store.read("logs") == b"x" * 10_000
    # The previous generation is gone; its unchanged file lives on through the link.
    assert sorted(os.listdir(store.folder)) == ["2", "CURRENT"]
    assert store.size() >= 10_002


def test_an_aborted_generation_leaves_the_current_one(tmp_path):
    store = SnapshotStore(str(tmp_path))
    committed(store, sqs=b"v1")
    second = store.begin()
    second.keep("sqs")
    second.abort()

    assert store.current() == 1 and store.read("sqs") == b"v1"
    assert not os.path.exists(second.folder)


def test_service_names_cannot_escape_the_snapshot_folder(tmp_path):
    store = SnapshotStore(str(tmp_path))
    with pytest.raises(ValueError):
        store.begin().write("../escape", b"")


def test_a_current_file_naming_a_missing_generation_means_no_snapshot(tmp_path):
    store = SnapshotStore(str(tmp_path))
    os.makedirs(store.folder)
    (tmp_path / "snapshot" / "CURRENT").write_text("7\n")
    assert store.current() is None
    (tmp_path / "snapshot" / "CURRENT").write_text("garbage")
    assert store.current() is None


def test_blobs_are_named_by_content_stored_once_and_collected_when_unreferenced(tmp_path):
    blobs = BlobStore(str(tmp_path / "blobs"))
    name, size = blobs.put([b"hello ", b"world"])
    again, _ = blobs.put(iter([b"hello world"]))
    other, _ = blobs.put([b"other"])

    assert name == again and size == 11
    with blobs.open(name) as file:
        assert file.read() == b"hello world"
    assert blobs.names() == {name, other}
    (tmp_path / "blobs" / ".tmp-left-by-a-kill").write_bytes(b"partial")

    assert blobs.remove_except({name}) == 1
    assert blobs.names() == {name}
    assert os.listdir(tmp_path / "blobs") == [name]
    with pytest.raises(ValueError):
        blobs.path("../../etc/passwd")


def test_a_blob_write_that_fails_leaves_nothing_behind(tmp_path):
    blobs = BlobStore(str(tmp_path / "blobs"))

    def chunks():
        yield b"part"
        raise OSError("the object went away")

    with pytest.raises(OSError):
        blobs.put(chunks())
    assert os.listdir(tmp_path / "blobs") == []


def test_a_generation_is_saved_as_of_the_instant_given_and_committed_now(tmp_path):
    store = SnapshotStore(str(tmp_path))
    generation = store.begin()
    generation.write("sqs", b"queues")
    before = time.time()
    generation.commit(saved_at=before - 2.5)

    assert store.saved_at() == before - 2.5
    saved = json.loads((tmp_path / "snapshot" / "1" / "SAVED.json").read_text())
    assert saved["committedAt"] >= before
