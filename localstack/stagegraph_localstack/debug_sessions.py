"""Functions being debugged: `stagegraph dev --debug <function>` names one, and its runtime starts with a debugger.

`PUT /_stagegraph/debug?function=<name>&port=<port>` marks a function, `DELETE /_stagegraph/debug?function=<name>`
unmarks it, `GET /_stagegraph/debug` lists them. The executor reads the mark at each invocation: an environment
started without the debugger (or with another port) is replaced by a new one with the family's debugger listening
on 127.0.0.1:<port> (Node.js inspector, debugpy, JDWP, Delve), and while a function is debugged its invocations do
not time out at the function's timeout but after DEBUG_TIMEOUT_SECONDS, so a paused breakpoint does not end them.

The gateway listens on 127.0.0.1 only; the debugger listens on 127.0.0.1 only.
"""
from __future__ import annotations

import threading

PATH = "/_stagegraph/debug"
# How long a debugged invocation may take: an hour at a breakpoint.
DEBUG_TIMEOUT_SECONDS = 3600
# Ports below this are privileged; a debugger gets a port of its own.
LOWEST_PORT = 1024

_lock = threading.Lock()
_ports: dict[str, int] = {}
# Where each debugged function's code runs from: a debugger maps its local files to these (Python's pathMappings).
_code_dirs: dict[str, str] = {}


def port_of(function_name: str) -> int | None:
    with _lock:
        return _ports.get(function_name)


def debug(function_name: str, port: int) -> None:
    if not function_name:
        raise ValueError("a function name is needed")
    if not LOWEST_PORT <= port <= 65535:
        raise ValueError(f"port must be from {LOWEST_PORT} to 65535 (given {port})")
    with _lock:
        taken = [name for name, used in _ports.items() if used == port and name != function_name]
        if taken:
            raise ValueError(f"port {port} is already the debugger port of {taken[0]}")
        _ports[function_name] = port


def stop(function_name: str) -> bool:
    with _lock:
        _code_dirs.pop(function_name, None)
        return _ports.pop(function_name, None) is not None


def note_code_dir(function_name: str, code_dir: str) -> None:
    """A debugged function's environment started with its code in this folder."""
    with _lock:
        if function_name in _ports:
            _code_dirs[function_name] = code_dir


def sessions() -> dict[str, int]:
    with _lock:
        return dict(_ports)


def listing() -> dict:
    with _lock:
        return {"functions": dict(_ports), "codeDirs": dict(_code_dirs)}


class DebugResource:
    def on_get(self, request):
        return listing()

    def on_put(self, request):
        from localstack.http import Response

        try:
            debug(request.args.get("function", ""), int(request.args.get("port", "0")))
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
