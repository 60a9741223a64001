"""Saves the local cloud's state and restores it when LocalStack starts again, per app.

LocalStack core has the state containers (AccountRegionBundle stores, moto BackendDicts, asset
directories), the providers' ``accept_state_visitor`` and their lifecycle hooks
(``on_before_state_save`` ... ``on_after_state_load``), but no implementation that saves or loads.
This module is that implementation, run from the extension's runtime hooks (hooks.py):

- ``on_infra_start``: :meth:`Persister.install` puts a gate in front of the gateway that answers 503
  to every outside request (the CLI's health check included) until the state is restored, and a
  response handler that marks a service as changed when a request reached it.
- ``on_infra_ready``: :meth:`Persister.restore` loads every service of the current snapshot, in an
  order where Lambda comes after S3 (its code), SQS and Kinesis (its event sources), calling the
  providers' hooks as LocalStack's own persistence would; then the gate opens and
  :meth:`Persister.start` saves every ``STAGEGRAPH_PERSIST_INTERVAL`` seconds (default 5, 0 = only
  on shutdown) the services that changed; those that change in threads of their own are pickled less often
  while they stay the same (``STAGEGRAPH_PERSIST_BACKGROUND_MAX``).
- ``on_infra_shutdown`` (before LocalStack stops its services): :meth:`Persister.shutdown` stops the
  event source mappings, lets the batches they hold finish (so that a graceful stop processes every
  message exactly once), and saves.

A save is a new generation of files committed atomically (state_files.py): a kill during a save
leaves the previous snapshot whole. Services are saved in an order where event sources (SQS, Kinesis
positions) come before the services that hold the effects of processing them (S3, Logs, CloudWatch),
so that a kill between two saves repeats work (at least once) rather than losing it. Since each
service is read as it is when its turn comes, a generation is dated by when its save began (its
``savedAt``): it holds every change acknowledged before then, and a change acknowledged while the save
ran (a message sent after SQS was read, before the commit) may be missing from it. Service-specific
handling (S3 object bodies, SQS messages being received, Step Functions histories, EventBridge
schedules) is in service_state.py. What cannot be kept is listed in ``UNSUPPORTED.json`` beside the
snapshot; what the last start restored, in ``RESTORE.json``.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
import time
from typing import Any

from stagegraph_localstack.state_files import RESTORE_FILE, UNSUPPORTED_FILE, SnapshotStore, write_json
from stagegraph_localstack.services import service_container
from stagegraph_localstack.settings import environment_number

LOG = logging.getLogger(__name__)

INTERVAL_VARIABLE = "STAGEGRAPH_PERSIST_INTERVAL"
DEFAULT_INTERVAL_SECONDS = 5.0
# How long a graceful stop waits for the batches the event source mappings hold (the CLI kills
# LocalStack 10 s after SIGTERM: the save must fit in what is left).
QUIESCE_SECONDS = environment_number("STAGEGRAPH_PERSIST_QUIESCE", 4.0, what="a number of seconds")
FORMAT_VERSION = 1

# Restored first to last: Lambda last, since its restore starts the event source mappings and so runs
# functions, which need their code (S3), their event sources (SQS, Kinesis) and whatever they call.
RESTORE_ORDER = [
    "iam", "sts", "kms", "ssm", "secretsmanager", "s3", "sqs", "sns", "kinesis", "dynamodb",
    "dynamodbstreams", "logs", "cloudwatch", "events", "scheduler", "stepfunctions", "apigateway",
    "cloudformation",
]
RESTORE_LAST = ["lambda"]
# Saved first to last: where work comes from before where its effects land (see the module doc).
SAVE_ORDER = [
    "sqs", "kinesis", "sns", "events", "scheduler", "lambda", "stepfunctions", "apigateway",
    "cloudformation", "iam", "sts", "kms", "ssm", "secretsmanager",
]
SAVE_LAST = ["dynamodbstreams", "dynamodb", "s3", "logs", "cloudwatch"]
# Services pickled in one go by Python's C pickler (service_state.dumps), whose states grow with what a user stores:
# S3's objects and CloudWatch Logs' lines (dill took about 0.5 ms an S3 object, at every save).
# STAGEGRAPH_STATE_PICKLER=dill pickles them with dill too.
AT_ONCE_SERVICES = set() if os.environ.get("STAGEGRAPH_STATE_PICKLER", "").lower() == "dill" else {"s3", "logs"}
# Services whose state changes without a request reaching them (executions, deployments, function
# and mapping states move on in threads): pickled at every interval, written only when different.
BACKGROUND_SERVICES = {"stepfunctions", "cloudformation", "lambda"}
# A background service whose pickle came out as its last save's is pickled less often: its wait doubles from one
# interval up to STAGEGRAPH_PERSIST_BACKGROUND_MAX seconds (20 unless set; the interval or less: every interval). A
# request that reaches it, or a pickle that differs, brings it back to every interval; a shutdown saves everything.
# CloudFormation's state of a deployed app, pickled by dill at every interval whether or not anything had changed,
# held the interpreter in the middle of whatever requests ran (most of its busy time in a loop of warm invokes). The
# price: a change such a thread makes with no request or read reaching the service since is up to this long (and an
# interval) older in the snapshot a kill -9 leaves.
BACKGROUND_MAX_VARIABLE = "STAGEGRAPH_PERSIST_BACKGROUND_MAX"
DEFAULT_BACKGROUND_MAX_SECONDS = 20.0


def background_max() -> float:
    """The longest wait between two pickles of an unchanged background service, from STAGEGRAPH_PERSIST_BACKGROUND_MAX."""
    return float(environment_number(BACKGROUND_MAX_VARIABLE, DEFAULT_BACKGROUND_MAX_SECONDS, what="a number of seconds"))


def persist_interval() -> float:
    """Seconds between periodic saves, from STAGEGRAPH_PERSIST_INTERVAL; 0 saves only on shutdown."""
    return float(environment_number(INTERVAL_VARIABLE, DEFAULT_INTERVAL_SECONDS, what="a number of seconds"))


def ordered(names, first: list[str], last: list[str] = ()) -> list[str]:
    """``names`` with those in ``first`` leading in that order, those in ``last`` trailing in that order."""
    names = set(names)
    head = [n for n in first if n in names]
    tail = [n for n in last if n in names and n not in head]
    middle = sorted(names - set(head) - set(tail))
    return head + middle + tail


def call_hook(service, hook: str) -> None:
    """Runs one of the provider's state lifecycle hooks, as LocalStack's persistence would."""
    method = getattr(service.lifecycle_hook, hook, None)
    if method is not None:
        method()


def _collect_containers(service) -> list:
    from localstack.state import StateVisitor

    containers: list = []

    class Collector(StateVisitor):
        def visit(self, state_container):
            containers.append(state_container)

    service.accept_state_visitor(Collector())
    return containers


def container_key(container) -> str | None:
    """A name for a state container that is the same in the saving and the loading process."""
    from localstack.services.stores import AccountRegionBundle
    from localstack.state import AssetDirectory
    from moto.core.base_backend import BackendDict

    if isinstance(container, AccountRegionBundle):
        store = container.store
        return f"stores:{container.service_name}:{store.__module__}.{store.__qualname__}"
    if isinstance(container, BackendDict):
        backend = container.backend
        return f"moto:{container.service_name}:{backend.__module__}.{backend.__qualname__}"
    if isinstance(container, AssetDirectory):
        return f"assets:{container.path}"
    return None


def dump_bundle(bundle) -> dict:
    """The data of an AccountRegionBundle: its stores, and the cross-region and cross-account
    attributes they share (pickled together, so the sharing survives)."""
    with bundle.lock:
        return {
            "universal": bundle._universal,
            "accounts": {account: {"global": regions._global, "stores": dict(regions)} for account, regions in bundle.items()},
        }


def load_bundle(bundle, data: dict) -> None:
    """Puts saved stores into the live AccountRegionBundle. The bundle object itself stays: modules
    hold references to it (``sqs_stores``, ``lambda_stores``)."""
    with bundle.lock:
        dict.clear(bundle)
        bundle._universal.clear()
        bundle._universal.update(data["universal"])
        for account, entry in data["accounts"].items():
            regions = bundle[account]
            regions._global.clear()
            regions._global.update(entry["global"])
            for region, store in entry["stores"].items():
                store._global = regions._global
                store._universal = bundle._universal
                dict.__setitem__(regions, region, store)


def dump_moto(backend_dict) -> dict:
    """The backends of a moto BackendDict, by account and region."""
    return {account: dict(regions) for account, regions in list(backend_dict.items())}


def load_moto(backend_dict, data: dict) -> None:
    for account, regions in data.items():
        account_backends = backend_dict[account]
        dict.clear(account_backends)
        for region, backend in regions.items():
            dict.__setitem__(account_backends, region, backend)


class RestoreGate:
    """Keeps outside requests away from what is not restored yet, while LocalStack's own internal
    requests always pass (restoring Lambda reads function code from S3 through the gateway).

    Two request handlers: :meth:`__call__` goes at the front of the gateway's chain and answers 503 to
    LocalStack's own endpoints, /_localstack/health among them (the CLI polls it until it answers 200),
    until :meth:`open`; :meth:`service_gate` goes after the chain has parsed the service, and answers
    503 to requests for a service whose state is still to be restored. Functions that restored event
    source mappings run during the restore reach the services restored before Lambda.
    """

    def __init__(self) -> None:
        self.opened = threading.Event()
        self.pending: set[str] = set()

    def open(self) -> None:
        self.pending.clear()
        self.opened.set()

    def __call__(self, chain, context, response) -> None:
        if self.opened.is_set() or context.is_internal_call:
            return
        if context.request.path.startswith("/_localstack"):
            chain.respond(503, {"message": "LocalStack is restoring the saved state of the local cloud"})

    def service_gate(self, chain, context, response) -> None:
        if self.opened.is_set() or context.is_internal_call or context.service is None:
            return
        if context.service.service_name in self.pending:
            chain.respond(503, {"message": f"LocalStack is restoring the saved state of {context.service.service_name}"})


READ_PREFIXES = ("Get", "List", "Describe", "Head")


class ChangeTracker:
    """A response handler that marks the service a request reached as changed. Reads are not
    distinguished: a service that only answered reads pickles to the same bytes and is not written."""

    def __init__(self) -> None:
        self._changed: set[str] = set()
        self._last: dict[str, float] = {}
        self._lock = threading.Lock()

    def __call__(self, chain, context, response) -> None:
        service = getattr(context, "service", None)
        if service is not None:
            operation = getattr(getattr(context, "operation", None), "name", "") or ""
            with self._lock:
                self._changed.add(service.service_name)
                if not operation.startswith(READ_PREFIXES):
                    self._last[service.service_name] = time.time()

    def last_request(self, name: str) -> float | None:
        """When a request other than a read (Get..., List..., Describe...) last reached ``name``
        (seconds since the epoch), if one did in this run."""
        with self._lock:
            return self._last.get(name)

    def take(self, name: str) -> bool:
        """True when ``name`` changed since the last call; clears the mark (before the service is
        pickled, so a request during the pickling marks it again)."""
        with self._lock:
            if name in self._changed:
                self._changed.discard(name)
                return True
            return False

    def mark(self, name: str) -> None:
        with self._lock:
            self._changed.add(name)


class Persister:
    """Saves and restores the state of every service LocalStack runs, under ``root``."""

    def __init__(self, root: str, interval: float | None = None) -> None:
        from stagegraph_localstack import service_state

        self.root = root
        self.store = SnapshotStore(root)
        self.interval = persist_interval() if interval is None else interval
        self.adapters = service_state.adapters()
        self.gate = RestoreGate()
        self.changes = ChangeTracker()
        self._save_lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._digests: dict[str, str] = {}
        self.background_max = background_max()
        # Per background service: its wait between pickles now, and when (time.monotonic) it is next due.
        self._background_wait: dict[str, float] = {}
        self._background_due: dict[str, float] = {}
        self._clock = time.monotonic
        # Services whose saved state could not be restored (set aside, see _set_aside), with why.
        self._unrestored: dict[str, str] = {}
        # Services whose state could not be saved (e.g. an object that cannot be pickled), with why.
        self._unsaveable: dict[str, str] = {}
        self.last_save: dict[str, Any] = {}
        # LocalStack's handler that attaches a service's operations to the gateway at its first request.
        self._service_loader = None

    # --- installation --------------------------------------------------------------------------

    def install(self, gateway) -> None:
        """Puts the restore gate after LocalStack's first handler (which marks internal requests) and
        after the one that parses the service name, the change tracker at the end of the response
        handlers; applies the service patches."""
        from localstack.aws import handlers as ls_handlers

        from stagegraph_localstack import service_state

        # Known before the gateway serves: no request can reach a service whose state comes later.
        self.gate.pending.update(self.store.services())
        handlers = gateway.request_handlers
        handlers.insert(min(1, len(handlers)), self.gate)
        parsed = next((i for i, h in enumerate(handlers) if h is ls_handlers.parse_service_name), len(handlers) - 1)
        handlers.insert(parsed + 1, self.gate.service_gate)
        gateway.response_handlers.append(self.changes)
        from localstack.aws.handlers.service_plugin import ServiceLoader

        self._service_loader = next((h for h in handlers if isinstance(h, ServiceLoader)), None)
        service_state.install_patches()

    # --- restore -------------------------------------------------------------------------------

    def restore(self) -> dict:
        """Loads the current snapshot into the services (starting them), writes RESTORE.json, then opens
        the gate: whoever waits for the health check (the CLI, a test) reads this start's report, not the
        previous one's."""
        from localstack.services.plugins import SERVICE_PLUGINS

        from stagegraph_localstack import service_state

        service_state.guard_kinesis_mock()
        started = time.time()
        report: dict[str, Any] = {
            "restoredAt": started, "generation": self.store.current(), "savedAt": self.store.saved_at(), "services": {},
        }
        try:
            names = ordered(self.store.services(), RESTORE_ORDER, RESTORE_LAST)
            self.gate.pending.update(names)
            for name in names:
                began = time.perf_counter()
                try:
                    data = self.store.read(name)
                    if data is None:
                        continue
                    payload = self._decode(data)
                    service = SERVICE_PLUGINS.require(name)
                    details = self._load_service(name, service, payload)
                    self._attach(name, service)
                    report["services"][name] = {"restored": True, "ms": round((time.perf_counter() - began) * 1000, 1), **details}
                except Exception as error:  # one service must not keep the others from coming back
                    LOG.warning("stagegraph: could not restore the state of %s: %s", name, error, exc_info=LOG.isEnabledFor(logging.DEBUG))
                    kept = self._set_aside(name)
                    self._unrestored[name] = f"{type(error).__name__}: {error}; the saved state is kept in {kept}"
                    report["services"][name] = {"restored": False, "error": self._unrestored[name]}
                finally:
                    self.gate.pending.discard(name)
            report["durationMs"] = round((time.time() - started) * 1000, 1)
            report["sizeBytes"] = self.store.size()
            write_json(os.path.join(self.root, RESTORE_FILE), report)
            self.write_unsupported()
        finally:
            self.gate.open()
        LOG.info("stagegraph: restored %d services in %.0f ms", len(report["services"]), report["durationMs"])
        return report

    def _attach(self, name: str, service) -> None:
        """Routes the operations of a restored service before the gate opens. Left to LocalStack's
        ServiceLoader, the first request would: it marks the service loaded before it has added the
        routes, so a request arriving meanwhile (the first outside request racing a restored event source
        mapping's first internal Invoke) was answered "no handler for operation". Done under the
        loader's lock for the service, as the loader does it, so that neither adds the routes twice."""
        loader = self._service_loader
        skeleton = getattr(service, "skeleton", None)
        if loader is None or skeleton is None:
            return
        with loader.service_locks[name]:
            if name in loader.loaded_services:
                return
            loader.service_request_router.add_skeleton(skeleton)
            loader.loaded_services.add(name)

    def _set_aside(self, name: str) -> str:
        """Copies the state a service could not load to ``<root>/unrestored``: the service runs empty
        and is saved again from now on, the old state stays there to recover by hand."""
        import shutil

        folder = os.path.join(self.root, "unrestored")
        os.makedirs(folder, exist_ok=True)
        target = os.path.join(folder, f"{name}.{self.store.current()}.{int(time.time())}.pickle")
        shutil.copyfile(self.store.service_file(self.store.current(), name), target)
        return target

    def _load_service(self, name: str, service, payload: dict) -> dict:
        from localstack.services.stores import AccountRegionBundle
        from moto.core.base_backend import BackendDict

        adapter = self.adapters.get(name)
        call_hook(service, "on_before_state_load")
        saved = payload.get("containers", {})
        for container in _collect_containers(service):
            key = container_key(container)
            if key not in saved:
                continue
            if isinstance(container, AccountRegionBundle):
                load_bundle(container, saved[key])
            elif isinstance(container, BackendDict):
                load_moto(container, saved[key])
        details = adapter.after_load(self, service, payload) if adapter else {}
        call_hook(service, "on_after_state_load")
        if adapter:
            details.update(adapter.after_hooks(self, service, payload) or {})
        return details or {}

    # --- save ----------------------------------------------------------------------------------

    def start(self) -> None:
        """Starts the periodic saves (none when the interval is 0)."""
        if self.interval <= 0 or self._thread is not None:
            return
        self._thread = threading.Thread(target=self._run, name="stagegraph-persist", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.save("periodic")
            except Exception as error:
                LOG.warning("stagegraph: saving the state failed: %s", error, exc_info=LOG.isEnabledFor(logging.DEBUG))

    def save(self, reason: str, everything: bool = False) -> dict:
        """Writes a new generation with the services that changed; returns what it did."""
        from localstack.services.plugins import SERVICE_PLUGINS

        with self._save_lock:
            began = time.perf_counter()
            # Every change acknowledged before this instant is in the generation (services are pickled
            # one after another from here on, each as it is then): what it records as savedAt.
            begun_at = time.time()
            running = set(SERVICE_PLUGINS.list_active_services())
            saved_before = set(self.store.services())
            names = ordered(running | saved_before, SAVE_ORDER, SAVE_LAST)
            generation = self.store.begin()
            written, kept, failed = [], [], {}
            pickled_ms: dict[str, float] = {}
            for name in names:
                if name not in running:
                    if generation.keep(name):
                        kept.append(name)
                    continue
                requested = self.changes.take(name)
                background = name in BACKGROUND_SERVICES
                due = background and self._clock() >= self._background_due.get(name, 0.0)
                changed = requested or everything or due or name not in self._digests
                if not changed and generation.keep(name):
                    kept.append(name)
                    continue
                try:
                    pickling = time.perf_counter()
                    data = self._serialize(name)
                    pickled_ms[name] = round((time.perf_counter() - pickling) * 1000, 1)
                except Exception as error:
                    failed[name] = f"{type(error).__name__}: {error}"
                    self.changes.mark(name)
                    if generation.keep(name):
                        kept.append(name)
                    continue
                digest = hashlib.sha256(data).hexdigest()
                if background:
                    self._schedule_background(name, quiet=digest == self._digests.get(name) and not requested)
                if digest == self._digests.get(name) and generation.keep(name):
                    kept.append(name)
                    continue
                generation.write(name, data)
                self._digests[name] = digest
                written.append(name)
            if written or set(kept) != saved_before:
                number = generation.commit(saved_at=begun_at)
                self._collect_garbage()
            else:
                generation.abort()
                number = self.store.current()
            if failed != self._unsaveable:
                for name, error in failed.items():
                    if name not in self._unsaveable:
                        LOG.warning("stagegraph: the state of %s cannot be saved: %s", name, error)
                self._unsaveable = failed
                self.write_unsupported()
            self.last_save = {
                "reason": reason, "generation": number, "written": written, "kept": kept, "failed": failed,
                "ms": round((time.perf_counter() - began) * 1000, 1), "pickledMs": pickled_ms,
            }
            if written:
                LOG.debug("stagegraph: saved %s (%s) in %.1f ms", written, reason, self.last_save["ms"])
            return self.last_save

    def _schedule_background(self, name: str, quiet: bool) -> None:
        """When a background service is next pickled: at the next interval after a change, and after twice the last
        wait (at most ``background_max``) when it has not changed."""
        interval = max(self.interval, 0.0)
        wait = interval
        if quiet:
            wait = min(max(interval, self._background_wait.get(name, 0.0) * 2), max(self.background_max, interval))
        self._background_wait[name] = wait
        # Half an interval early: the save that comes due then is not missed by a save loop running a little early.
        self._background_due[name] = self._clock() + wait - interval / 2

    def _serialize(self, name: str) -> bytes:
        from localstack.services.stores import AccountRegionBundle
        from localstack.state import AssetDirectory
        from moto.core.base_backend import BackendDict

        from stagegraph_localstack import service_state

        container = service_container(name)
        service = container.service
        adapter = self.adapters.get(name)
        call_hook(service, "on_before_state_save")
        payload: dict[str, Any] = {"format": FORMAT_VERSION, "service": name, "containers": {}, "extras": {}}
        if adapter:
            payload["extras"] = adapter.before_save(self, service) or {}
        for state_container in _collect_containers(service):
            key = container_key(state_container)
            if isinstance(state_container, AccountRegionBundle):
                payload["containers"][key] = dump_bundle(state_container)
            elif isinstance(state_container, BackendDict):
                payload["containers"][key] = dump_moto(state_container)
            elif isinstance(state_container, AssetDirectory):
                if not (adapter and adapter.handles_assets(state_container)) and not self._inside_root(state_container.path):
                    raise ValueError(f"its files in {state_container.path} are outside the state directory")
        data = service_state.dumps(payload, at_once=name in AT_ONCE_SERVICES)
        call_hook(service, "on_after_state_save")
        return data

    def _inside_root(self, path) -> bool:
        root = os.path.realpath(self.root)
        return os.path.realpath(str(path)).startswith(root + os.sep)

    def _decode(self, data: bytes) -> dict:
        from stagegraph_localstack import service_state

        payload = service_state.loads(data)
        if not isinstance(payload, dict) or payload.get("format") != FORMAT_VERSION:
            raise ValueError(f"unknown snapshot format {payload.get('format') if isinstance(payload, dict) else type(payload)}")
        return payload

    def _collect_garbage(self) -> None:
        """Removes blobs no service of the current generation refers to, once every holder of blobs
        knows its references (after a restore or a save of it in this process)."""
        keep: set[str] = set()
        for adapter in self.adapters.values():
            refs = adapter.blob_refs()
            if refs is None:
                return
            keep |= refs
        self.store.blobs.remove_except(keep)

    # --- shutdown ------------------------------------------------------------------------------

    def quiesce(self) -> dict:
        """Stops the periodic saves and lets event source mappings finish what they hold (drain.py: the gateway
        still serves the functions meanwhile)."""
        from stagegraph_localstack import service_state

        deadline = time.monotonic() + QUIESCE_SECONDS
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=QUIESCE_SECONDS)
        budget = max(0.5, deadline - time.monotonic())
        return service_state.quiesce(budget, self.changes.last_request("kinesis"))

    def shutdown(self, quiesce: dict | None = None) -> dict:
        """Saves everything, after `quiesce` (called here when the caller has not)."""
        if quiesce is None:
            quiesce = self.quiesce()
        if not self.gate.opened.is_set():
            # Stopped before the restore finished: saving now would replace the snapshot with less.
            return {"reason": "shutdown", "skipped": "the restore had not finished"}
        result = self.save("shutdown", everything=True)
        result["quiesce"] = quiesce
        LOG.info("stagegraph: state saved on shutdown: %s", result)
        return result

    # --- reports -------------------------------------------------------------------------------

    def write_unsupported(self) -> None:
        """Writes UNSUPPORTED.json: the known limits of every adapter, and what failed in this run."""
        from stagegraph_localstack import service_state

        entries = list(service_state.KNOWN_LIMITS)
        for name, error in sorted(self._unsaveable.items()):
            entries.append({"service": name, "what": "all of its state", "reason": f"it cannot be saved: {error}"})
        for name, error in sorted(self._unrestored.items()):
            entries.append({"service": name, "what": "the state saved before this start", "reason": f"it could not be restored: {error}"})
        write_json(os.path.join(self.root, UNSUPPORTED_FILE), entries)


# --- the runtime hooks' entry points (hooks.py) ----------------------------------------------------

_persister: Persister | None = None


def enabled() -> bool:
    """Persistence runs when LocalStack is started with PERSISTENCE=1 (stagegraph's `local up` does)."""
    from localstack import config

    return bool(config.PERSISTENCE)


def use_state_directory() -> None:
    """Points LocalStack's data directory at ``<FILESYSTEM_ROOT>/state``, so that everything that
    outlives a run (our snapshot, CloudWatch's metrics database, kinesis-mock's files) is in one
    folder of the app. Runs when the runtime is created, before any service reads the setting."""
    from localstack import config

    root = os.environ.get("FILESYSTEM_ROOT")
    if enabled() and root:
        config.dirs.data = os.path.join(os.path.abspath(root), "state")


def state_folder() -> str | None:
    """The folder of the saved state, when persistence is on."""
    from localstack import config

    return config.dirs.data if enabled() else None


def install() -> None:
    """Creates the persister and puts its gate and change tracker into the gateway."""
    global _persister
    if not enabled() or _persister is not None:
        return
    from localstack import config
    from localstack.runtime import get_current_runtime

    os.makedirs(config.dirs.data, exist_ok=True)
    _persister = Persister(config.dirs.data)
    _persister.install(get_current_runtime().components.gateway)


def mark_changed(name: str) -> None:
    """Marks a service changed by a write that did not come through the gateway (the snapshot saves it)."""
    if _persister is not None:
        _persister.changes.mark(name)


def restore_and_start() -> None:
    """Restores the snapshot (the gate answers 503 meanwhile), then starts the periodic saves."""
    if _persister is None:
        return
    try:
        _persister.restore()
    finally:
        _persister.gate.open()
    _persister.start()


def quiesce_on_shutdown() -> dict:
    """Lets event source mappings finish the batches they hold (and stops the periodic saves)."""
    from stagegraph_localstack import service_state

    if _persister is not None:
        return _persister.quiesce()
    return service_state.quiesce(QUIESCE_SECONDS)


def save_on_shutdown(quiesce: dict | None = None) -> None:
    if _persister is not None:
        _persister.shutdown(quiesce)
