"""ProcessRuntimeExecutor: LocalStack's Lambda execution environments as local processes.

Each execution environment is one runtime process (node, python, java or the function's own
bootstrap) talking to its own Runtime API server on 127.0.0.1. The executor enforces the timeout,
reports errors and crashes as Lambda does, restarts a process that died (the next invocation is a
cold start) and writes START/END/REPORT lines with each invocation's logs.
"""

import atexit
import datetime
import json
import logging
import math
import os
import signal
import subprocess
import threading
import time
from collections.abc import Callable
from concurrent.futures import TimeoutError as FutureTimeout

from localstack.services.lambda_.invocation.lambda_models import FunctionVersion, InvocationResult
from localstack.services.lambda_.invocation.runtime_executor import RuntimeExecutor

from stagegraph_localstack import debug_sessions, invocation_records, live_log, spawn
from stagegraph_localstack.limits import response_too_large
from stagegraph_localstack.memory_watch import WATCH
from stagegraph_localstack.repairs import repair_create_log_stream
from stagegraph_localstack.runtime_api import Event, Outcome, RuntimeApiServer
from stagegraph_localstack.settings import environment_number
from stagegraph_localstack.launchers import FunctionSpec, LaunchError, launch_for
from stagegraph_localstack.private_files import open_private_append, private_dir

LOG = logging.getLogger(__name__)
# The executor loads before any function runs, and so before any function log is stored.
repair_create_log_stream()
LOCAL_HOST = "127.0.0.1"
# How long a runtime may take to initialize before the environment fails to start.
INIT_TIMEOUT_SECONDS = environment_number("STAGEGRAPH_INIT_TIMEOUT", 60.0, what="a number of seconds", minimum=1)
# Variables of the host passed to runtime processes; everything else comes from Lambda's own set.
HOST_VARIABLES = ("PATH", "LANG", "LC_ALL", "TMPDIR", "HOME", "PYENV_ROOT", "JAVA_HOME")

_live_processes: set[subprocess.Popen] = set()
_live_lock = threading.Lock()


def _kill_group(process: subprocess.Popen, grace_seconds: float = 0.0) -> None:
    try:
        os.killpg(process.pid, signal.SIGTERM if grace_seconds else signal.SIGKILL)
        if grace_seconds:
            try:
                process.wait(grace_seconds)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    try:
        process.wait(5)
    except subprocess.TimeoutExpired:
        LOG.warning("runtime process %s did not exit", process.pid)


@atexit.register
def _stop_all() -> None:
    """Every runtime process ends with LocalStack, however its environments were left."""
    with _live_lock:
        processes = list(_live_processes)
    for process in processes:
        _kill_group(process)


def _readable(message: str) -> str:
    """An init error as a person reads it: `Runtime.UserCodeSyntaxError: Syntax error in module 'index': ...`."""
    prefix, _, payload = message.partition("initialization failed: ")
    try:
        error = json.loads(payload)
        return f"{error.get('errorType', 'Error')}: {error.get('errorMessage', '')}"
    except (ValueError, AttributeError):
        return message


def _error_payload(error_type: str, message: str) -> bytes:
    return json.dumps({"errorType": error_type, "errorMessage": message}).encode()


def _log_dir() -> str:
    """Where runtime processes write their output: a folder of the app's own local cloud that only its user reads
    (made when a process is spawned, since LocalStack clears its tmp folder at a stop)."""
    from localstack import config

    return os.path.join(config.dirs.tmp, "stagegraph-runtime-logs")


class ProcessRuntimeExecutor(RuntimeExecutor):
    def __init__(self, id: str, function_version: FunctionVersion) -> None:
        super().__init__(id, function_version)
        self.api: RuntimeApiServer | None = None
        self.process: subprocess.Popen | None = None
        self.env_vars: dict[str, str] = {}
        self.log_path = os.path.join(_log_dir(), f"stagegraph-lambda-{id}.log")
        self.pending_init_ms: float | None = None
        self.exit_reason: str | None = None
        # Set when the memory watch killed the process: its invocation fails as Runtime.OutOfMemory.
        self.out_of_memory = False
        self.peak_memory_mb = 0
        # The port of the debugger the runtime process was started with, if any (`stagegraph dev --debug`).
        self.debug_port: int | None = None
        self.stop_grace_seconds = 1.0

    # --- lifecycle -------------------------------------------------------------------------

    def start(self, env_vars: dict[str, str]) -> None:
        self.env_vars = {k: str(v) for k, v in env_vars.items()}
        self.api = RuntimeApiServer()
        self.api.start()
        self._spawn_or_report()

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is not None:
            _kill_group(process, grace_seconds=self.stop_grace_seconds)
            with _live_lock:
                _live_processes.discard(process)
        if self.api is not None:
            self.api.stop()
        try:
            os.unlink(self.log_path)
        except FileNotFoundError:
            pass

    def _spec(self) -> FunctionSpec:
        config = self.function_version.config
        return FunctionSpec(
            runtime=config.runtime,
            handler=config.handler,
            code_dir=str(config.code.get_unzipped_code_location()),
            layer_dirs=[str(layer.code.get_unzipped_code_location()) for layer in (config.layers or [])],
            memory_mb=int(config.memory_size),
            architecture=(config.architectures or ["x86_64"])[0],
        )

    def _spawn(self) -> None:
        """Starts the runtime process and waits until it asks for its first event (the INIT phase)."""
        spec = self._spec()
        self.debug_port = debug_sessions.port_of(self.function_version.id.function_name)
        try:
            launch = launch_for(spec, self.debug_port)
        except LaunchError as e:
            raise LaunchError(f"{self.function_version.id.function_name}: {e}") from e
        env = {k: os.environ[k] for k in HOST_VARIABLES if k in os.environ}
        env.update(self.env_vars)
        env.update(launch.env)
        env.update({
            "AWS_LAMBDA_RUNTIME_API": self.api.address,
            "LAMBDA_TASK_ROOT": spec.code_dir,
            "LAMBDA_RUNTIME_DIR": spec.code_dir,
            "_HANDLER": spec.handler,
        })
        self.api.reset()
        self.stop_grace_seconds = launch.stop_grace_seconds
        self.exit_reason = None
        self.out_of_memory = False
        self.peak_memory_mb = 0
        private_dir(os.path.dirname(self.log_path))
        log = open_private_append(self.log_path)
        started = time.perf_counter()
        # Its own process group, SIGKILL when LocalStack dies (and not when the thread that started it ends).
        try:
            self.process = spawn.popen(
                launch.command, cwd=spec.code_dir, env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
            )
        except BaseException:
            if launch.on_exit is not None:
                launch.on_exit(-1)
            raise
        finally:
            log.close()
        with _live_lock:
            _live_processes.add(self.process)
        threading.Thread(target=self._watch, args=(self.process, launch.on_exit), daemon=True,
                         name=f"stagegraph-watch-{self.id}").start()
        deadline = started + INIT_TIMEOUT_SECONDS
        while not self.api.ready.is_set():
            if self.api.init_failed.is_set():
                self._abandon_process()
                raise RuntimeError(f"initialization failed: {(self.api.init_error or b'').decode(errors='replace')}")
            if self.process is None or self.process.poll() is not None:
                raise RuntimeError(f"the runtime exited during initialization ({self.exit_reason}): {self.get_logs()[-2000:]}")
            if time.perf_counter() > deadline:
                self._abandon_process()
                raise RuntimeError(f"the runtime did not initialize within {INIT_TIMEOUT_SECONDS:.0f} seconds")
            self.api.ready.wait(0.005)
        self.pending_init_ms = (time.perf_counter() - started) * 1000
        if self.debug_port:
            debug_sessions.note_code_dir(self.function_version.id.function_name, spec.code_dir)

    def _spawn_or_report(self, request_id: str | None = None) -> None:
        """Starts the runtime; a start that fails (a syntax error after a save, a missing debugger) is shown in the
        live log with the runtime's output, since no invocation ends to carry it."""
        try:
            self._spawn()
        except Exception as e:
            # The error carries the runtime's last output when it exited; an init error carries its own message.
            live_log.publish("function", self.function_version.id.function_name, requestId=request_id,
                             text=f"INIT failed: {_readable(str(e))}\n")
            raise

    def _watch(self, process: subprocess.Popen, on_exit: Callable[[int], None] | None) -> None:
        code = process.wait()
        with _live_lock:
            _live_processes.discard(process)
        try:
            self._note_exit(process, code)
        finally:
            if on_exit is not None:
                try:
                    on_exit(code)
                except Exception:  # noqa: BLE001 - what the launcher keeps after an exit never fails an invocation
                    LOG.exception("%s: after the runtime process %s exited", self.id, process.pid)

    def _note_exit(self, process: subprocess.Popen, code: int) -> None:
        if process is self.process:
            self.exit_reason = f"signal {-code}" if code < 0 else f"exit status {code}"
            if self.api is not None:
                self.api.fail_pending(self._exit_outcome())
                if self.api.ready.is_set():
                    # Died while waiting for its next event: its GET /next must not take the next one.
                    self.api.reset()

    def _exit_outcome(self, request_id: str = "") -> Outcome:
        """What an invocation answers when its runtime process is gone, as Lambda words it."""
        if self.out_of_memory:
            prefix = f"RequestId: {request_id} Error: " if request_id else ""
            return Outcome(_error_payload("Runtime.OutOfMemory", f"{prefix}Runtime exited with error: signal: killed"), True)
        return Outcome(_error_payload("Runtime.ExitError", f"Runtime exited with error: {self.exit_reason}"), True)

    def _memory_exceeded(self, process: subprocess.Popen, used_bytes: int) -> None:
        """The memory watch found the process past its memory size: stop it, as Lambda does."""
        if process is not self.process:
            return
        self.out_of_memory = True
        self.peak_memory_mb = max(self.peak_memory_mb, math.ceil(used_bytes / 1024 / 1024))
        LOG.info("%s: runtime process %s used %d MB of %s MB: killed", self.id, process.pid,
                 used_bytes // 1024 // 1024, self.function_version.config.memory_size)
        _kill_group(process)

    def _abandon_process(self) -> None:
        process, self.process = self.process, None
        if process is not None:
            _kill_group(process)

    # --- invocation ------------------------------------------------------------------------

    def invoke(self, payload: dict[str, str]) -> InvocationResult:
        request_id = payload["invoke-id"]
        try:
            log_offset = os.path.getsize(self.log_path)
        except FileNotFoundError:
            log_offset = 0
        if self.process is not None and debug_sessions.port_of(self.function_version.id.function_name) != self.debug_port:
            # Debugging began or ended since this environment started: a new one, with or without the debugger.
            self._abandon_process()
        if self.process is None or self.process.poll() is not None:
            # The previous process crashed or timed out: a cold start, as on Lambda, whose
            # initialization output belongs to this invocation's logs (it comes after log_offset).
            self._spawn_or_report(request_id)
        init_ms, self.pending_init_ms = self.pending_init_ms, None
        process = self.process
        # A debugged invocation may wait at a breakpoint: it times out after an hour, not at the function's timeout.
        timeout_s = debug_sessions.DEBUG_TIMEOUT_SECONDS if self.debug_port else int(self.function_version.config.timeout)
        memory_mb = int(self.function_version.config.memory_size)
        # STAGEGRAPH_MEMORY_WATCH=off in a function's environment turns its memory limit off (the benchmark
        # compares both in one run).
        watched = self.env_vars.get("STAGEGRAPH_MEMORY_WATCH") != "off"
        if watched:
            WATCH.watch(process.pid, memory_mb, lambda used: self._memory_exceeded(process, used))
        started = time.perf_counter()
        started_ms = int(time.time() * 1000)
        future = self.api.deliver(Event(
            request_id=request_id,
            body=(payload.get("payload") or "").encode(),
            deadline_ms=int(time.time() * 1000) + timeout_s * 1000,
            invoked_function_arn=payload.get("invoked-function-arn", ""),
            trace_id=payload.get("trace-id", ""),
        ))
        try:
            outcome: Outcome = self._await(future, started + timeout_s)
        except FutureTimeout:
            self._abandon_process()
            outcome = Outcome(_error_payload(
                "Sandbox.Timedout", f"RequestId: {request_id} Error: Task timed out after {timeout_s:.2f} seconds"), True)
            timed_out = True
        else:
            timed_out = False
        # On a timeout Lambda reports the timeout itself, whatever it took to stop the runtime.
        duration_ms = timeout_s * 1000.0 if timed_out else (time.perf_counter() - started) * 1000
        if watched:
            WATCH.unwatch(process.pid)
            # The watch samples; the process's own high-water mark catches a peak between two samples (or
            # one the watch missed while the machine was busy), so no invocation passes its memory unseen.
            peak_mb = self._max_memory_mb()
            if not self.out_of_memory and process is self.process and peak_mb > memory_mb:
                self._memory_exceeded(process, peak_mb * 1024 * 1024)
        if self.out_of_memory and process is self.process:
            outcome = self._exit_outcome(request_id)
        elif not outcome.is_error and (too_large := response_too_large(outcome.payload)):
            outcome = Outcome(too_large, True)
        function_logs = self._read_logs(log_offset)
        if self.out_of_memory and process is self.process:
            function_logs += f"RequestId: {request_id} Error: Runtime exited with error: signal: killed\nRuntime.OutOfMemory\n"
        if timed_out:
            function_logs += f"{time.strftime('%Y-%m-%dT%H:%M:%S', time.gmtime())}Z {request_id} Task timed out after {timeout_s:.2f} seconds\n"
        # The high-water mark is read from /proc once per invocation: for the limit above and for REPORT.
        max_memory_mb = self._max_memory_mb() if not watched or self.out_of_memory else peak_mb
        status = "timeout" if timed_out else "error" if self.out_of_memory or (process is not None and process.poll() is not None) else "success"
        logs = self._frame_logs(request_id, function_logs, duration_ms, init_ms, max_memory_mb, status)
        invocation_records.record(self.function_version.id.function_name, request_id, started_ms, duration_ms,
                                  payload.get("payload"), outcome.payload, outcome.is_error)
        live_log.publish("function", self.function_version.id.function_name, requestId=request_id, text=logs)
        return InvocationResult(request_id=request_id, payload=outcome.payload, is_error=outcome.is_error, logs=logs)

    def _await(self, future, deadline: float) -> Outcome:
        """The outcome of one event; a process that is gone without answering is a Runtime.ExitError."""
        process = self.process
        while True:
            remaining = deadline - time.perf_counter()
            if remaining <= 0:
                raise FutureTimeout()
            try:
                return future.result(timeout=min(remaining, 0.25))
            except FutureTimeout:
                if process is None or process.poll() is not None:
                    self.exit_reason = self.exit_reason or (f"exit status {process.returncode}" if process else "no process")
                    return self._exit_outcome()

    def _read_logs(self, offset: int) -> str:
        try:
            with open(self.log_path, "rb") as f:
                f.seek(offset)
                return f.read().decode(errors="replace")
        except FileNotFoundError:
            return ""

    def _max_memory_mb(self) -> int:
        """The measured peak of the runtime process (VmHWM); a process stopped for memory used all it had."""
        if self.out_of_memory:
            return int(self.function_version.config.memory_size)
        process = self.process
        if process is None:
            return self.peak_memory_mb
        # One read of the bytes and a find: half the time of a text-mode walk over its lines (read every invocation).
        try:
            fd = os.open(f"/proc/{process.pid}/status", os.O_RDONLY)
            try:
                status = os.read(fd, 16384)
            finally:
                os.close(fd)
        except (FileNotFoundError, ProcessLookupError):
            return self.peak_memory_mb
        start = status.find(b"VmHWM:")
        if start >= 0:
            end = status.find(b"\n", start)
            fields = status[start + 6:end if end >= 0 else None].split()
            if fields and fields[0].isdigit():
                self.peak_memory_mb = math.ceil(int(fields[0]) / 1024)
        return self.peak_memory_mb

    def _frame_logs(self, request_id: str, function_logs: str, duration_ms: float, init_ms: float | None, max_memory_mb: int,
                    status: str = "success") -> str:
        """START, the function's own output, END and REPORT, as Lambda writes them in the function's log format."""
        memory = int(self.function_version.config.memory_size)
        # Durations are reported to 0.01 ms and billed in 1 ms steps from those reported figures, so
        # that the REPORT line is self-consistent: INIT is billed too since August 2025.
        duration_ms = round(duration_ms, 2)
        init_ms = round(init_ms, 2) if init_ms is not None else None
        billed = math.ceil(round(duration_ms + (init_ms or 0), 2))
        body = function_logs if not function_logs or function_logs.endswith("\n") else function_logs + "\n"
        version = self.function_version.id.qualifier
        if (self.function_version.config.logging_config or {}).get("LogFormat") == "JSON":
            return json_platform_lines(request_id, version, body, duration_ms, billed, memory, max_memory_mb, init_ms, status)
        report = (
            f"REPORT RequestId: {request_id}\tDuration: {duration_ms:.2f} ms\tBilled Duration: {billed} ms\t"
            f"Memory Size: {memory} MB\tMax Memory Used: {max_memory_mb} MB\t"
        )
        if init_ms is not None:
            report += f"Init Duration: {init_ms:.2f} ms\t"
        if status != "success":
            report += f"Status: {status}\t"
        return f"START RequestId: {request_id} Version: {version}\n{body}END RequestId: {request_id}\n{report}\n"

    # --- addresses -------------------------------------------------------------------------

    def get_address(self) -> str:
        return LOCAL_HOST

    def get_endpoint_from_executor(self) -> str:
        return LOCAL_HOST

    def get_runtime_endpoint(self) -> str:
        return f"http://{self.api.address if self.api else LOCAL_HOST}"

    def get_logs(self) -> str:
        return self._read_logs(0)

    # --- versions --------------------------------------------------------------------------

    @classmethod
    def prepare_version(cls, function_version: FunctionVersion) -> None:
        config = function_version.config
        if config.code:
            config.code.prepare_for_execution()
        for layer in config.layers or []:
            layer.code.prepare_for_execution()

    @classmethod
    def cleanup_version(cls, function_version: FunctionVersion) -> None:
        pass

    @classmethod
    def validate_environment(cls) -> bool:
        return True


def json_platform_lines(request_id: str, version: str, body: str, duration_ms: float, billed_ms: int, memory_mb: int,
                        max_memory_mb: int, init_ms: float | None, status: str) -> str:
    """The JSON log format: `platform.start`, the function's output, `platform.report` (Lambda writes no END line)."""
    now = datetime.datetime.now(datetime.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    metrics = {"durationMs": duration_ms, "billedDurationMs": billed_ms, "memorySizeMB": memory_mb, "maxMemoryUsedMB": max_memory_mb}
    if init_ms is not None:
        metrics["initDurationMs"] = init_ms
    start = {"time": now, "type": "platform.start", "record": {"requestId": request_id, "version": version}}
    report = {"time": now, "type": "platform.report", "record": {"requestId": request_id, "metrics": metrics, "status": status}}
    return f"{json.dumps(start, separators=(',', ':'))}\n{body}{json.dumps(report, separators=(',', ':'))}\n"
