"""The Runtime API server, driven over real HTTP as a runtime process would drive it."""

import http.client
import json
import socket
import threading
import time
from email.utils import parsedate_to_datetime

import pytest

from stagegraph_localstack.runtime_api import Event, Outcome, RuntimeApiServer


@pytest.fixture
def api():
    server = RuntimeApiServer()
    server.start()
    yield server
    server.stop()


def connect(api):
    host, port = api.address.split(":")
    return http.client.HTTPConnection(host, int(port), timeout=5)


def tuple_address(api):
    host, port = api.address.split(":")
    return host, int(port)


def event(request_id="req-1", body=b'{"n": 1}'):
    return Event(request_id, body, 1_700_000_000_000, "arn:aws:lambda:us-east-1:000000000000:function:f", "Root=1-abc")


def test_next_delivers_the_event_with_the_lambda_headers(api):
    future = api.deliver(event())
    conn = connect(api)
    conn.request("GET", "/2018-06-01/runtime/invocation/next")
    response = conn.getresponse()

    assert response.status == 200
    assert response.read() == b'{"n": 1}'
    assert response.getheader("Lambda-Runtime-Aws-Request-Id") == "req-1"
    assert response.getheader("Lambda-Runtime-Deadline-Ms") == "1700000000000"
    assert response.getheader("Lambda-Runtime-Invoked-Function-Arn").endswith(":function:f")
    assert response.getheader("Lambda-Runtime-Trace-Id") == "Root=1-abc"
    assert response.getheader("Content-Type") == "application/json"
    assert response.reason == "OK"
    assert abs(parsedate_to_datetime(response.getheader("Date")).timestamp() - time.time()) < 5
    assert api.ready.is_set()
    assert not future.done()


def test_a_reply_is_one_write_of_status_line_headers_and_body_and_http_1_0_is_answered_then_closed(api):
    api.deliver(event(body=b'{"n": 2}'))
    with socket.create_connection(tuple_address(api), timeout=5) as sock:
        sock.sendall(b"GET /2018-06-01/runtime/invocation/next HTTP/1.0\r\n\r\n")
        first = sock.recv(65536)
        rest = b""
        while chunk := sock.recv(65536):
            rest += chunk
    # One segment: the head and the body came in the first read, and the server closed the connection after it.
    head, _, body = first.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200 OK\r\nDate: ")
    assert b"\r\nContent-Length: 8\r\nConnection: close" in head
    assert body == b'{"n": 2}' and rest == b""


def test_a_response_resolves_the_invocation_on_the_same_connection(api):
    future = api.deliver(event())
    conn = connect(api)
    conn.request("GET", "/2018-06-01/runtime/invocation/next")
    conn.getresponse().read()
    conn.request("POST", "/2018-06-01/runtime/invocation/req-1/response", body=b'{"ok": true}')
    response = conn.getresponse()
    response.read()

    assert response.status == 202
    outcome = future.result(timeout=5)
    assert outcome.payload == b'{"ok": true}'
    assert outcome.is_error is False


def test_an_error_resolves_the_invocation_as_an_error(api):
    future = api.deliver(event())
    conn = connect(api)
    conn.request("GET", "/2018-06-01/runtime/invocation/next")
    conn.getresponse().read()
    error = json.dumps({"errorType": "ValueError", "errorMessage": "bad"}).encode()
    conn.request("POST", "/2018-06-01/runtime/invocation/req-1/error", body=error)
    conn.getresponse().read()

    outcome = future.result(timeout=5)
    assert outcome.is_error is True
    assert json.loads(outcome.payload)["errorType"] == "ValueError"


def test_a_chunked_response_is_read_whole(api):
    future = api.deliver(event())
    conn = connect(api)
    conn.request("GET", "/2018-06-01/runtime/invocation/next")
    conn.getresponse().read()
    conn.putrequest("POST", "/2018-06-01/runtime/invocation/req-1/response")
    conn.putheader("Transfer-Encoding", "chunked")
    conn.endheaders()
    for chunk in (b'{"message":', b'"hello"}'):
        conn.send(b"%x\r\n%s\r\n" % (len(chunk), chunk))
    conn.send(b"0\r\n\r\n")
    conn.getresponse().read()

    assert future.result(timeout=5).payload == b'{"message":"hello"}'


def test_an_unknown_request_id_is_refused(api):
    conn = connect(api)
    conn.request("POST", "/2018-06-01/runtime/invocation/nobody/response", body=b"{}")
    response = conn.getresponse()
    response.read()

    assert response.status == 400


def test_an_init_error_is_recorded(api):
    conn = connect(api)
    conn.request("POST", "/2018-06-01/runtime/init/error", body=b'{"errorType":"Runtime.ImportModuleError"}')
    conn.getresponse().read()

    assert api.init_failed.wait(5)
    assert b"ImportModuleError" in api.init_error


def test_fail_pending_answers_every_waiting_invocation(api):
    futures = [api.deliver(event(f"req-{i}")) for i in range(3)]
    threading.Thread(target=api.fail_pending, args=(Outcome(b"{}", True),)).start()

    assert all(f.result(timeout=5).is_error for f in futures)


def test_a_poll_left_by_a_dead_process_never_takes_the_next_event(api):
    # GIVEN a runtime process that asked for its next event and then died (its connection is gone)
    stale = connect(api)
    stale.request("GET", "/2018-06-01/runtime/invocation/next")
    threading.Event().wait(0.1)  # let the server thread block on the queue
    stale.sock.close()
    # WHEN the environment is reset for a new process, which polls, and an event arrives
    api.reset()
    fresh = connect(api)
    future = api.deliver(event("req-after"))
    fresh.request("GET", "/2018-06-01/runtime/invocation/next")
    response = fresh.getresponse()
    # THEN the new process gets it
    assert response.status == 200
    assert response.getheader("Lambda-Runtime-Aws-Request-Id") == "req-after"
    response.read()
    fresh.request("POST", "/2018-06-01/runtime/invocation/req-after/response", body=b"{}")
    fresh.getresponse().read()
    assert future.result(timeout=5).payload == b"{}"


def test_an_error_with_a_one_megabyte_header_is_accepted(api):
    # awslambdaric sends the error's X-Ray cause in a header of up to 1 MiB
    future = api.deliver(event())
    conn = connect(api)
    conn.request("GET", "/2018-06-01/runtime/invocation/next")
    conn.getresponse().read()
    body = json.dumps({"errorType": "ValueError", "errorMessage": "x" * 500_000}).encode()
    conn.request("POST", "/2018-06-01/runtime/invocation/req-1/error", body=body,
                 headers={"Lambda-Runtime-Function-XRay-Error-Cause": "c" * (1024 * 1024 - 1)})
    response = conn.getresponse()
    response.read()

    assert response.status == 202
    outcome = future.result(timeout=5)
    assert outcome.is_error is True
    assert json.loads(outcome.payload)["errorType"] == "ValueError"


def test_headers_past_two_megabytes_are_refused(api):
    conn = connect(api)
    conn.request("POST", "/2018-06-01/runtime/init/error", body=b"{}", headers={"X-Big": "c" * (3 * 1024 * 1024)})
    response = conn.getresponse()

    assert response.status == 431


def test_stop_does_not_wait_for_the_servers_poll_and_the_port_closes_soon_after():
    import socket
    import time

    server = RuntimeApiServer()
    server.start()
    host, port = server.address.split(":")
    started = time.perf_counter()
    server.stop()
    # serve_forever polls every 0.5 s: a stop that waited for it took about 0.4 s per environment.
    assert time.perf_counter() - started < 0.1
    deadline = time.monotonic() + 5
    while True:
        try:
            socket.create_connection((host, int(port)), timeout=0.2).close()
        except OSError:
            break
        assert time.monotonic() < deadline, "the Runtime API still listens 5 s after the stop"
        time.sleep(0.05)


def test_request_headers_are_read_by_any_case_of_their_name():
    from stagegraph_localstack.runtime_api import _Headers

    headers = _Headers.parse([b"Content-Length: 12\r\n", b"transfer-ENCODING:chunked\r\n", b"X-Cause: a: b\r\n", b"junk\r\n"])
    assert headers.get("content-length") == "12"
    assert headers.get("Transfer-Encoding") == "chunked"
    assert headers.get("x-cause") == "a: b"
    assert headers.get("Connection") is None and headers.get("Connection", "") == ""
    assert len(headers) == 3


def test_a_connection_reset_by_a_runtime_process_leaves_no_traceback_other_errors_are_logged(api, capfd, caplog):
    import logging

    caplog.set_level(logging.DEBUG, logger="stagegraph_localstack.runtime_api")
    try:
        raise ConnectionResetError(104, "Connection reset by peer")  # as readline raises it for a killed process
    except ConnectionResetError:
        api._server.handle_error(None, ("127.0.0.1", 50000))
    assert "Traceback" not in capfd.readouterr().err
    assert [r.levelname for r in caplog.records] == ["DEBUG"]
    caplog.clear()
    try:
        raise ValueError("a defect")
    except ValueError:
        api._server.handle_error(None, ("127.0.0.1", 50001))
    assert [(r.levelname, r.exc_info[0]) for r in caplog.records] == [("WARNING", ValueError)]
