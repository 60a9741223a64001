"""A Lambda Runtime API server for one execution environment.

The function's runtime process polls ``GET /2018-06-01/runtime/invocation/next`` and answers with
``POST .../invocation/{id}/response`` or ``.../error``; an initialization failure is reported with
``POST .../runtime/init/error``. See https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html
"""

import json
import queue
import threading
from concurrent.futures import Future
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

API_PREFIX = "/2018-06-01/runtime"


@dataclass
class Event:
    request_id: str
    body: bytes
    deadline_ms: int
    invoked_function_arn: str
    trace_id: str


@dataclass
class Outcome:
    """What the runtime answered for one event."""

    payload: bytes
    is_error: bool


class RuntimeApiServer:
    """Serves one runtime process on 127.0.0.1 at an ephemeral port."""

    def __init__(self) -> None:
        self._events: "queue.Queue[Event | None]" = queue.Queue()
        self._pending: dict[str, Future] = {}
        self._lock = threading.Lock()
        self.ready = threading.Event()
        self.init_error: bytes | None = None
        self.init_failed = threading.Event()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="stagegraph-runtime-api", daemon=True)

    @property
    def address(self) -> str:
        host, port = self._server.server_address[:2]
        return f"{host}:{port}"

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._events.put(None)
        self.fail_pending(Outcome(json.dumps({"errorType": "Runtime.Stopped", "errorMessage": "the environment stopped"}).encode(), True))
        self._server.shutdown()
        self._server.server_close()

    def reset(self) -> None:
        """Forgets the state of a runtime process that is gone, before a new one starts."""
        self.ready.clear()
        self.init_failed.clear()
        self.init_error = None
        while True:
            try:
                self._events.get_nowait()
            except queue.Empty:
                break

    def deliver(self, event: Event) -> Future:
        """Queues an event for the runtime; the future resolves with its Outcome."""
        future: Future = Future()
        with self._lock:
            self._pending[event.request_id] = future
        self._events.put(event)
        return future

    def fail_pending(self, outcome: Outcome) -> None:
        """Resolves every unanswered event, for example when the runtime process died."""
        with self._lock:
            pending, self._pending = self._pending, {}
        for future in pending.values():
            if not future.done():
                future.set_result(outcome)

    def _resolve(self, request_id: str, outcome: Outcome) -> bool:
        with self._lock:
            future = self._pending.pop(request_id, None)
        if future is None or future.done():
            return False
        future.set_result(outcome)
        return True

    def _handler_class(self):
        api = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # headers and body go out as separate writes

            def log_message(self, format, *args):  # noqa: A002 - the runtime's requests are not logged
                pass

            def _reply(self, status: int, body: bytes = b"", headers: dict[str, str] | None = None) -> None:
                try:
                    self.send_response(status)
                    for name, value in (headers or {}).items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    self.close_connection = True  # the runtime process is gone: nobody to answer

            def _body(self) -> bytes:
                if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
                    return self._chunked_body()
                length = int(self.headers.get("Content-Length") or 0)
                return self.rfile.read(length) if length else b""

            def _chunked_body(self) -> bytes:
                # aws-lambda-go and the Java client stream responses with chunked transfer encoding.
                body = bytearray()
                while True:
                    size = int(self.rfile.readline().split(b";", 1)[0].strip() or b"0", 16)
                    if size == 0:
                        while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                            pass  # trailers
                        return bytes(body)
                    body += self.rfile.read(size)
                    self.rfile.readline()

            def do_GET(self):
                if self.path != f"{API_PREFIX}/invocation/next":
                    self._reply(404, b'{"errorType":"NotFound"}')
                    return
                api.ready.set()
                event = api._events.get()
                if event is None:
                    api._events.put(None)  # wake other pollers too
                    self._reply(410, b'{"errorType":"Runtime.Stopped"}')
                    return
                self._reply(200, event.body, {
                    "Content-Type": "application/json",
                    "Lambda-Runtime-Aws-Request-Id": event.request_id,
                    "Lambda-Runtime-Deadline-Ms": str(event.deadline_ms),
                    "Lambda-Runtime-Invoked-Function-Arn": event.invoked_function_arn,
                    "Lambda-Runtime-Trace-Id": event.trace_id,
                })

            def do_POST(self):
                body = self._body()
                parts = self.path[len(API_PREFIX):].strip("/").split("/")
                if parts == ["init", "error"]:
                    api.init_error = body
                    api.init_failed.set()
                    self._reply(202, b'{"status":"OK"}')
                elif len(parts) == 3 and parts[0] == "invocation" and parts[2] in ("response", "error"):
                    if api._resolve(parts[1], Outcome(body, parts[2] == "error")):
                        self._reply(202, b'{"status":"OK"}')
                    else:
                        self._reply(400, b'{"errorType":"InvalidRequestID"}')
                else:
                    self._reply(404, b'{"errorType":"NotFound"}')

        return Handler
