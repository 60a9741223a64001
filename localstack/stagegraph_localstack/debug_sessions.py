"""Functions being debugged: `stagegraph dev --debug <function>` names one, and its runtime starts with a debugger.

`PUT /_stagegraph/debug?function=<name>&port=<port>[&ttl=<seconds>]` marks a function for `ttl` seconds (60 unless
given; a PUT again renews it), `DELETE /_stagegraph/debug?function=<name>`
unmarks it, `GET /_stagegraph/debug` lists them. The executor reads the mark at each invocation: an environment
started without the debugger (or with another port) is replaced by a new one with the family's debugger listening
on 127.0.0.1:<port> (Node.js inspector, debugpy, JDWP, Delve), and while a function is debugged its invocations do
not time out at the function's timeout but after DEBUG_TIMEOUT_SECONDS, so a paused breakpoint does not end them.

The gateway listens on 127.0.0.1 only; the debugger listens on 127.0.0.1 only.
"""
from __future__ import annotations

import threading
import time

PATH = "/_stagegraph/debug"
# How long a debugged invocation may take: an hour at a breakpoint.
DEBUG_TIMEOUT_SECONDS = 3600
# Ports below this are privileged; a debugger gets a port of its own.
LOWEST_PORT = 1024
# A mark lasts this long unless renewed (`stagegraph dev` renews it while it runs): a dev that was killed does not
# leave its function debugged, with hour-long timeouts, for ever.
DEFAULT_TTL_SECONDS = 60

_lock = threading.Lock()
_ports: dict[str, int] = {}
_expires: dict[str, float] = {}
# Where each debugged function's code runs from: a debugger maps its local files to these (Python's pathMappings).
_code_dirs: dict[str, str] = {}


def _expire() -> None:
    """Drops the marks that were not renewed. Called under the lock."""
    now = time.monotonic()
    for name in [n for n, at in _expires.items() if at <= now]:
        _ports.pop(name, None)
        _expires.pop(name, None)
        _code_dirs.pop(name, None)


def port_of(function_name: str) -> int | None:
    with _lock:
        _expire()
        return _ports.get(function_name)


def debug(function_name: str, port: int, ttl_seconds: float = DEFAULT_TTL_SECONDS) -> None:
    if not function_name:
        raise ValueError("a function name is needed")
    if not LOWEST_PORT <= port <= 65535:
        raise ValueError(f"port must be from {LOWEST_PORT} to 65535 (given {port})")
    if not 0 < ttl_seconds <= 24 * 3600:
        raise ValueError(f"ttl must be from 1 to 86400 seconds (given {ttl_seconds})")
    with _lock:
        _expire()
        taken = [name for name, used in _ports.items() if used == port and name != function_name]
        if taken:
            raise ValueError(f"port {port} is already the debugger port of {taken[0]}")
        _ports[function_name] = port
        _expires[function_name] = time.monotonic() + ttl_seconds


def stop(function_name: str) -> bool:
    with _lock:
        _code_dirs.pop(function_name, None)
        _expires.pop(function_name, None)
        return _ports.pop(function_name, None) is not None


def note_code_dir(function_name: str, code_dir: str) -> None:
    """A debugged function's environment started with its code in this folder."""
    with _lock:
        if function_name in _ports:
            _code_dirs[function_name] = code_dir


def sessions() -> dict[str, int]:
    with _lock:
        _expire()
        return dict(_ports)


def listing() -> dict:
    with _lock:
        _expire()
        return {"functions": dict(_ports), "codeDirs": dict(_code_dirs)}


class DebugResource:
    def on_get(self, request):
        return listing()

    def on_put(self, request):
        from localstack.http import Response

        try:
            debug(request.args.get("function", ""), int(request.args.get("port", "0")),
                  float(request.args.get("ttl", DEFAULT_TTL_SECONDS)))
        except ValueError as e:
            return Response.for_json({"error": str(e)}, status=400)
        return listing()

    def on_delete(self, request):
        stop(request.args.get("function", ""))
        return listing()


def install() -> None:
    from localstack.http import Resource
    from localstack.services.internal import get_internal_apis

    get_internal_apis().add(Resource(PATH, DebugResource()))
