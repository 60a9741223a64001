"""The files of the local cloud's saved state, kept so that no kill can leave a half-written snapshot.

Nothing here imports LocalStack: the persistence module (persistence.py) decides what to save, this
module only stores bytes. The layout under the state root (LocalStack's data directory,
``<FILESYSTEM_ROOT>/state``)::

    snapshot/CURRENT                 the number of the last complete generation, replaced atomically
    snapshot/<n>/<service>.pickle    one file per service; a service that did not change since the
                                     previous generation is a hard link to its file there
    snapshot/<n>/SAVED.json          when its save began (savedAt: it holds every change acknowledged
                                     before then) and was committed, which services it wrote
    snapshot/blobs/<sha256>          object data (S3 object bodies), immutable, shared by generations
    UNSUPPORTED.json                 what is not kept across restarts, with the reason
    RESTORE.json                     what the last start restored, and what may be delivered twice

A save writes every file of a new generation (each through a temporary file, flushed and fsynced),
then replaces ``CURRENT``. A kill at any point leaves ``CURRENT`` naming the previous complete
generation; leftovers of an unfinished one are removed by the next save.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import tempfile
import time
from collections.abc import Iterable
from typing import Any

SNAPSHOT_DIR = "snapshot"
BLOBS_DIR = "blobs"
CURRENT_FILE = "CURRENT"
SAVED_FILE = "SAVED.json"
UNSUPPORTED_FILE = "UNSUPPORTED.json"
RESTORE_FILE = "RESTORE.json"
SUFFIX = ".pickle"
_SERVICE_NAME = re.compile(r"^[a-z0-9][a-z0-9_.-]*$")
_BLOB_NAME = re.compile(r"^[0-9a-f]{64}$")


def fsync_dir(path: str) -> None:
    """Makes a rename or a new file in ``path`` durable (a no-op where directories cannot be opened)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


@contextlib.contextmanager
def _temporary_file(folder: str):
    """A new file in ``folder`` (so that renaming it is atomic), as (open file, path); removed on the
    way out unless it was renamed meanwhile."""
    os.makedirs(folder, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=".tmp-", dir=folder)
    os.chmod(temp, 0o644)
    try:
        with os.fdopen(fd, "wb") as file:
            yield file, temp
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)


def atomic_write(path: str, data: bytes) -> None:
    """Writes ``data`` to ``path`` through a temporary file in the same folder: readers see the old
    content or the new one, never a part of it, whenever the writer is killed."""
    folder = os.path.dirname(path) or "."
    with _temporary_file(folder) as (file, temp):
        file.write(data)
        file.flush()
        os.fsync(file.fileno())
        os.replace(temp, path)
    fsync_dir(folder)


def write_json(path: str, value: Any) -> None:
    """Writes ``value`` as indented JSON, atomically."""
    atomic_write(path, (json.dumps(value, indent=2, default=str) + "\n").encode())


def read_json(path: str, default: Any = None) -> Any:
    try:
        with open(path, "rb") as file:
            return json.loads(file.read())
    except (FileNotFoundError, ValueError):
        return default


class BlobStore:
    """Content-addressed files: a blob is named by the SHA-256 of its bytes, written once, never changed."""

    def __init__(self, folder: str) -> None:
        self.folder = folder

    def path(self, name: str) -> str:
        if not _BLOB_NAME.match(name):
            raise ValueError(f"not a blob name: {name!r}")
        return os.path.join(self.folder, name)

    def exists(self, name: str) -> bool:
        return os.path.exists(self.path(name))

    def put(self, chunks: Iterable[bytes]) -> tuple[str, int]:
        """Stores the concatenated ``chunks``; returns the blob's name and size. Streams, so an object
        of any size needs no more memory than one chunk."""
        digest = hashlib.sha256()
        size = 0
        with _temporary_file(self.folder) as (file, temp):
            for chunk in chunks:
                digest.update(chunk)
                size += len(chunk)
                file.write(chunk)
            file.flush()
            os.fsync(file.fileno())
            name = digest.hexdigest()
            target = self.path(name)
            if not os.path.exists(target):
                os.replace(temp, target)
        return name, size

    def open(self, name: str):
        return open(self.path(name), "rb")

    def names(self) -> set[str]:
        try:
            return {name for name in os.listdir(self.folder) if _BLOB_NAME.match(name)}
        except FileNotFoundError:
            return set()

    def remove_except(self, keep: set[str]) -> int:
        """Removes every blob (and temporary file left by a kill) not in ``keep``; returns how many blobs."""
        removed = 0
        try:
            entries = os.listdir(self.folder)
        except FileNotFoundError:
            return 0
        for name in entries:
            if name.startswith(".tmp-") or (_BLOB_NAME.match(name) and name not in keep):
                try:
                    os.unlink(os.path.join(self.folder, name))
                    removed += 0 if name.startswith(".tmp-") else 1
                except FileNotFoundError:
                    pass
        return removed


class Generation:
    """A generation being written. Nothing of it counts until :meth:`commit` names it in CURRENT."""

    def __init__(self, store: SnapshotStore, number: int, previous: int | None) -> None:
        self.store = store
        self.number = number
        self.previous = previous
        self.folder = store.generation_dir(number)
        self.services: set[str] = set()
        self.written: set[str] = set()
        os.makedirs(self.folder, exist_ok=True)

    def write(self, service: str, data: bytes) -> None:
        """Stores the state of ``service`` in this generation."""
        atomic_write(self.store.service_file(self.number, service), data)
        self.services.add(service)
        self.written.add(service)

    def keep(self, service: str) -> bool:
        """Carries the previous generation's state of ``service`` over unchanged (a hard link, else a
        copy); False when the previous generation has none."""
        if self.previous is None:
            return False
        source = self.store.service_file(self.previous, service)
        if not os.path.exists(source):
            return False
        target = self.store.service_file(self.number, service)
        try:
            os.link(source, target)
        except OSError:
            shutil.copyfile(source, target)
        self.services.add(service)
        return True

    def commit(self, saved_at: float | None = None) -> int:
        """Makes this generation the current one, then removes the older ones. ``saved_at`` is the
        instant the generation's state is as of: when its save began, since a save reads the services
        one after another (default: now). A change acknowledged after it may be missing from the
        generation even though the commit comes later."""
        committed_at = time.time()
        saved = {
            "savedAt": committed_at if saved_at is None else saved_at,
            "committedAt": committed_at,
            "services": sorted(self.services),
            "written": sorted(self.written),
        }
        write_json(os.path.join(self.folder, SAVED_FILE), saved)
        atomic_write(self.store.current_file, f"{self.number}\n".encode())
        self.store.remove_generations_except(self.number)
        return self.number

    def abort(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


class SnapshotStore:
    """Generations of per-service state files under ``<root>/snapshot``."""

    def __init__(self, root: str) -> None:
        self.root = root
        self.folder = os.path.join(root, SNAPSHOT_DIR)
        self.current_file = os.path.join(self.folder, CURRENT_FILE)
        self.blobs = BlobStore(os.path.join(self.folder, BLOBS_DIR))

    def generation_dir(self, number: int) -> str:
        return os.path.join(self.folder, str(number))

    def service_file(self, number: int, service: str) -> str:
        if not _SERVICE_NAME.match(service):
            raise ValueError(f"not a service name: {service!r}")
        return os.path.join(self.generation_dir(number), service + SUFFIX)

    def current(self) -> int | None:
        """The last committed generation, or None when nothing was ever saved (or CURRENT is unreadable)."""
        try:
            with open(self.current_file, "rb") as file:
                number = int(file.read().strip())
        except (FileNotFoundError, ValueError):
            return None
        return number if os.path.isdir(self.generation_dir(number)) else None

    def services(self) -> list[str]:
        """The services with a state file in the current generation."""
        number = self.current()
        if number is None:
            return []
        names = []
        for name in os.listdir(self.generation_dir(number)):
            if name.endswith(SUFFIX) and _SERVICE_NAME.match(name[: -len(SUFFIX)]):
                names.append(name[: -len(SUFFIX)])
        return sorted(names)

    def saved_at(self) -> float | None:
        """When the save of the current generation began (seconds since the epoch): it holds every
        change acknowledged before then."""
        number = self.current()
        if number is None:
            return None
        return (read_json(os.path.join(self.generation_dir(number), SAVED_FILE), {}) or {}).get("savedAt")

    def read(self, service: str) -> bytes | None:
        number = self.current()
        if number is None:
            return None
        try:
            with open(self.service_file(number, service), "rb") as file:
                return file.read()
        except FileNotFoundError:
            return None

    def begin(self) -> Generation:
        """Starts the next generation; the leftovers of one that a kill interrupted are removed first."""
        current = self.current()
        self.remove_generations_except(current)
        return Generation(self, (current or 0) + 1, current)

    def remove_generations_except(self, keep: int | None) -> None:
        try:
            entries = os.listdir(self.folder)
        except FileNotFoundError:
            return
        for name in entries:
            if name.isdigit() and int(name) != keep:
                shutil.rmtree(os.path.join(self.folder, name), ignore_errors=True)

    def size(self) -> int:
        """Bytes of the current generation and the blobs (hard links counted once)."""
        seen: set[tuple[int, int]] = set()
        total = 0
        folders = [self.blobs.folder]
        number = self.current()
        if number is not None:
            folders.append(self.generation_dir(number))
        for folder in folders:
            try:
                entries = os.scandir(folder)
            except FileNotFoundError:
                continue
            with entries:
                for entry in entries:
                    if not entry.is_file(follow_symlinks=False):
                        continue
                    stat = entry.stat(follow_symlinks=False)
                    if (stat.st_dev, stat.st_ino) not in seen:
                        seen.add((stat.st_dev, stat.st_ino))
                        total += stat.st_size
        return total
