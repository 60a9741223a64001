"""A Lambda Runtime API server for one execution environment.

The function's runtime process polls ``GET /2018-06-01/runtime/invocation/next`` and answers with
``POST .../invocation/{id}/response`` or ``.../error``; an initialization failure is reported with
``POST .../runtime/init/error``. See https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html
"""

import json
import logging
import queue
import sys
import threading
import time
from concurrent.futures import Future
from dataclasses import dataclass
from email.utils import formatdate
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOG = logging.getLogger(__name__)

API_PREFIX = "/2018-06-01/runtime"
# The runtime interface clients send an error's X-Ray cause in a header of up to 1 MiB
# (awslambdaric's max_header_size): http.server's own limit is 64 KiB a line.
MAX_HEADER_BYTES = 2 * 1024 * 1024 + 64 * 1024


class _Headers(dict):
    """A request's headers by lower-case name (the last of a repeated one): what the handler reads of them, without
    the email parser http.server uses (a tenth of the runtime API's share of the interpreter in a loop of invokes)."""

    @classmethod
    def parse(cls, lines: list[bytes]) -> "_Headers":
        headers = cls()
        for line in lines:
            name, colon, value = line.decode("iso-8859-1").partition(":")
            if colon:
                headers[name.strip().lower()] = value.strip()
        return headers

    def get(self, name: str, default=None):
        return dict.get(self, name.lower(), default)


# A reply up to this size is one write of head and body together.
ONE_WRITE_BYTES = 64 * 1024
_REASONS = {status.value: status.phrase for status in HTTPStatus}
_date_cache: tuple[int, str] = (0, "")


def _http_date() -> str:
    """An HTTP Date header's value, formatted once a second."""
    global _date_cache
    now = int(time.time())
    second, text = _date_cache
    if second != now:
        text = formatdate(now, usegmt=True)
        _date_cache = (now, text)
    return text


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address) -> None:
        """A runtime process that goes away mid-request (stopped past its memory size, or killed) resets its
        connection: nobody to answer, and no traceback for LocalStack's log. Anything else is logged with its stack."""
        error = sys.exc_info()[1]
        if isinstance(error, ConnectionError):
            LOG.debug("runtime API connection from %s ended: %s", client_address, error)
            return
        LOG.warning("runtime API request from %s failed", client_address, exc_info=error)


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
        # One queue per runtime process: a GET /next left waiting by a process that died holds the
        # old queue, so it can never take an event meant for the next process (see reset()).
        self._events: "queue.Queue[Event | None]" = queue.Queue()
        self._pending: dict[str, Future] = {}
        self._lock = threading.Lock()
        self.ready = threading.Event()
        self.init_error: bytes | None = None
        self.init_failed = threading.Event()
        self._server = _Server(("127.0.0.1", 0), self._handler_class())
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
        # serve_forever notices a shutdown at its next poll (every 0.5 s): waiting for it made each environment's stop
        # take about 0.4 s, and LocalStack stops a function's environments one after another (a `local down` with a
        # dozen of them spent seconds here). The server closes on a thread of its own instead.
        threading.Thread(target=self._close, name="stagegraph-runtime-api-close", daemon=True).start()

    def _close(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def reset(self) -> None:
        """Forgets the state of a runtime process that is gone, before a new one starts.

        Events not yet taken are dropped (their invocations were already answered as failed), and a
        GET /next still waiting for the dead process is woken with 410 instead of taking the next
        event to a connection nobody reads.
        """
        self.ready.clear()
        self.init_failed.clear()
        self.init_error = None
        stale, self._events = self._events, queue.Queue()
        stale.put(None)

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
            disable_nagle_algorithm = True  # a large body goes out as a write of its own, after the head

            def log_message(self, format, *args):  # noqa: A002 - the runtime's requests are not logged
                pass

            def parse_request(self) -> bool:
                """The request line and headers, as http.server parses them, but with header lines up to 2 MiB."""
                self.command = None
                self.requestline = str(self.raw_requestline, "iso-8859-1").rstrip("\r\n")
                words = self.requestline.split()
                if len(words) != 3 or not words[2].startswith("HTTP/1."):
                    self.send_error(HTTPStatus.BAD_REQUEST, "Bad request line")
                    return False
                self.command, self.path, self.request_version = words
                self.close_connection = self.request_version != "HTTP/1.1"
                lines: list[bytes] = []
                size = 0
                while True:
                    line = self.rfile.readline(MAX_HEADER_BYTES + 1)
                    size += len(line)
                    if size > MAX_HEADER_BYTES:
                        # Read the rest of the headers (up to 16 MiB) before answering, so the client is not
                        # reset in the middle of sending them and does see the 431.
                        while size < 8 * MAX_HEADER_BYTES and line not in (b"\r\n", b"\n", b""):
                            line = self.rfile.readline(MAX_HEADER_BYTES + 1)
                            size += len(line)
                        self.send_error(HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, "Headers too large")
                        return False
                    if line in (b"\r\n", b"\n", b""):
                        break
                    lines.append(line)
                self.headers = _Headers.parse(lines)
                connection = (self.headers.get("Connection") or "").lower()
                if connection == "close":
                    self.close_connection = True
                elif connection == "keep-alive":
                    self.close_connection = False
                return True

            def _reply(self, status: int, body: bytes = b"", headers: dict[str, str] | None = None) -> None:
                """The status line, headers and body in one write, or two for a body over ONE_WRITE_BYTES
                (http.server's send_response formats a Date with the email package and writes the body apart:
                about a tenth of the interpreter's time here)."""
                lines = [f"HTTP/1.1 {status} {_REASONS.get(status, '')}", f"Date: {_http_date()}"]
                lines.extend(f"{name}: {value}" for name, value in (headers or {}).items())
                lines.append(f"Content-Length: {len(body)}")
                if self.close_connection:
                    lines.append("Connection: close")
                head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
                try:
                    if len(body) <= ONE_WRITE_BYTES:
                        self.wfile.write(head + body)
                    else:  # not copied (an event of up to 6 MB)
                        self.wfile.write(head)
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
                events = api._events  # this process's queue: reset() replaces it when the process dies
                api.ready.set()
                event = events.get()
                if event is None:
                    events.put(None)  # wake other pollers too
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
