"""LocalStack's asynchronous poller's Invoke, made in process: the answers and errors botocore gave it."""
import io
from types import SimpleNamespace

import pytest

from stagegraph_localstack.in_process_invoke import InProcessLambdaClient, client_error

botocore_session = pytest.importorskip("botocore.session")


@pytest.fixture
def client():
    session = botocore_session.get_session()
    return session.create_client(
        "lambda", region_name="eu-west-1", aws_access_key_id="k", aws_secret_access_key="s", endpoint_url="http://127.0.0.1:9"
    )


class ServiceError(Exception):
    def __init__(self, code: str, status: int, message: str) -> None:
        super().__init__(message)
        self.code, self.status_code, self.message = code, status, message


def test_an_invocation_answers_as_botocore_did_with_the_request_id_and_trace_header_it_was_given(client):
    calls = []

    def invoke(arn, payload, request_id, trace):
        calls.append((arn, payload, request_id, trace))
        return SimpleNamespace(payload=b'{"ok": true}', is_error=False, executed_version="$LATEST")

    lambda_client = InProcessLambdaClient(client, invoke)
    response = lambda_client.custom_headers({"X-Amzn-Trace-Id": "Root=1-abc", "X-Amz-Request-Id": "req-1"}).invoke(
        FunctionName="arn:aws:lambda:eu-west-1:111111111111:function:f", Payload=b"{}", InvocationType="RequestResponse"
    )

    assert calls == [("arn:aws:lambda:eu-west-1:111111111111:function:f", b"{}", "req-1", "Root=1-abc")]
    assert response["StatusCode"] == 200 and response["ExecutedVersion"] == "$LATEST"
    assert "FunctionError" not in response
    assert isinstance(response["Payload"], io.BytesIO) and response["Payload"].read() == b'{"ok": true}'
    assert lambda_client.exceptions is client.exceptions  # the rest is the client's


def test_a_function_error_is_unhandled_and_service_errors_are_the_clients_modeled_exceptions(client):
    def failing(arn, payload, request_id, trace):
        return SimpleNamespace(payload=b'{"errorType": "TypeError"}', is_error=True, executed_version="1")

    response = InProcessLambdaClient(client, failing).custom_headers({}).invoke(FunctionName="arn", Payload=b"{}")
    assert response["FunctionError"] == "Unhandled"

    payloads = []
    InProcessLambdaClient(client, lambda arn, payload, *rest: payloads.append(payload) or SimpleNamespace(
        payload=b"null", is_error=False, executed_version="1")).custom_headers({}).invoke(FunctionName="arn")
    assert payloads == [None]  # an empty body, which the service makes {}

    def throttled(*args):
        raise ServiceError("TooManyRequestsException", 429, "Rate exceeded")

    with pytest.raises(client.exceptions.TooManyRequestsException) as raised:
        InProcessLambdaClient(client, throttled).custom_headers({"X-Amz-Request-Id": "req-9"}).invoke(FunctionName="arn")
    assert raised.value.response["Error"] == {"Code": "TooManyRequestsException", "Message": "Rate exceeded"}
    assert raised.value.response["ResponseMetadata"]["RequestId"] == "req-9"  # the invocation's, as the gateway's
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 429

    def broken(*args):
        raise RuntimeError("environment gone")

    with pytest.raises(client.exceptions.ServiceException) as raised:
        InProcessLambdaClient(client, broken).custom_headers({}).invoke(FunctionName="arn", Payload=b"{}")
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 500
    assert isinstance(client_error(client, ServiceError("SomethingNew", 400, "m")), client.exceptions.ClientError)


def test_only_a_synchronous_invoke_is_made_in_process(client):
    class Recorder:
        def __init__(self):
            self.calls = []

        def custom_headers(self, headers):
            recorder = self

            class WithHeaders:
                def invoke(self, **kwargs):
                    recorder.calls.append((headers, kwargs))
                    return {"StatusCode": 202}

            return WithHeaders()

    recorder = Recorder()
    lambda_client = InProcessLambdaClient(recorder, lambda *a: pytest.fail("not in process"))
    assert lambda_client.custom_headers({"h": "1"}).invoke(FunctionName="f", Payload=b"{}", InvocationType="Event") == {"StatusCode": 202}
    assert recorder.calls == [({"h": "1"}, {"FunctionName": "f", "Payload": b"{}", "InvocationType": "Event"})]


def test_the_service_is_invoked_as_the_invoke_handler_does():
    pytest.importorskip("localstack.services.lambda_.api_utils")
    from stagegraph_localstack.in_process_invoke import service_invoke

    calls = []
    service = SimpleNamespace(invoke=lambda **kwargs: calls.append(kwargs) or "result")
    invoke = service_invoke(service)

    assert invoke("arn:aws:lambda:eu-west-1:111111111111:function:resize:$LATEST", b"{}", "req-7", "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1") == "result"
    call = calls[0]
    assert {k: call[k] for k in ("function_name", "qualifier", "region", "account_id", "request_id", "payload", "invocation_type")} == {
        "function_name": "resize", "qualifier": "$LATEST", "region": "eu-west-1", "account_id": "111111111111",
        "request_id": "req-7", "payload": b"{}", "invocation_type": "RequestResponse",
    }
    assert call["trace_context"]["aws_trace_header"].root == "1-5759e988-bd862e3fe1be46a994272793"
    invoke("arn:aws:lambda:eu-west-1:111111111111:function:resize", b"{}", None, None)
    assert calls[1]["qualifier"] is None and calls[1]["request_id"] and calls[1]["trace_context"]["aws_trace_header"].root
    with pytest.raises(ValueError):
        invoke("resize", b"{}", None, None)


def test_a_flow_task_with_a_function_arn_and_a_payload_is_invoked_in_process_and_the_rest_as_before(client):
    pytest.importorskip("localstack.services.lambda_.api_utils")
    from stagegraph_localstack.in_process_invoke import flow_task_invoke

    requests, service_calls = [], []

    def through_gateway(parameters, region, credentials):
        requests.append(parameters)
        return {"StatusCode": 200, "Payload": "from the gateway"}

    service_requests = []

    def service(arn, payload, request_id, trace, client_context=None):
        service_calls.append((arn, payload, client_context))
        service_requests.append(request_id)
        if payload == b'"throttle"':
            raise ServiceError("TooManyRequestsException", 429, "Rate exceeded")
        if payload == b'"fail"':
            return SimpleNamespace(payload=b'{"errorType":"TypeError"}', is_error=True, executed_version="$LATEST")
        return SimpleNamespace(payload=b'{"n": 1}' if payload == b"{}" else b"plain text", is_error=False, executed_version="$LATEST")

    invoke = flow_task_invoke(through_gateway, lambda: service, lambda region, credentials: client)
    arn = "arn:aws:lambda:eu-west-1:111111111111:function:step"

    assert invoke({"FunctionName": arn, "Payload": b"{}"}, "eu-west-1", None) == {
        "StatusCode": 200, "Payload": {"n": 1}, "ExecutedVersion": "$LATEST"
    }
    assert invoke({"FunctionName": arn, "Payload": b"[]", "ClientContext": "e30="}, "eu-west-1", None)["Payload"] == "plain text"
    assert invoke({"FunctionName": arn, "Payload": b'"fail"'}, "eu-west-1", None)["FunctionError"] == "Unhandled"
    with pytest.raises(client.exceptions.TooManyRequestsException) as raised:
        invoke({"FunctionName": arn, "Payload": b'"throttle"'}, "eu-west-1", None)
    # The invocation's request id, as through the gateway.
    assert raised.value.response["ResponseMetadata"]["RequestId"] == service_requests[-1]
    assert service_calls[1] == (arn, b"[]", "e30=")

    # No payload: none, which the service makes {} as the gateway does.
    invoke({"FunctionName": arn}, "eu-west-1", None)
    assert service_calls[-1] == (arn, None, None)

    # A name, another region's or a malformed ARN, a qualifier, a log type or another invocation type: the request.
    for parameters in (
        {"FunctionName": "step", "Payload": b"{}"},
        {"FunctionName": arn.replace("eu-west-1", "us-east-1"), "Payload": b"{}"},
        {"FunctionName": arn + ":live:extra", "Payload": b"{}"},
        {"FunctionName": arn + ":" + "a" * 128, "Payload": b"{}"},
        {"FunctionName": arn, "Payload": b"{}", "Qualifier": "live"},
        {"FunctionName": arn, "Payload": b"{}", "LogType": "Tail"},
        {"FunctionName": arn, "Payload": b"{}", "InvocationType": "Event"},
    ):
        assert invoke(parameters, "eu-west-1", None)["Payload"] == "from the gateway"
    assert len(requests) == 7 and len(service_calls) == 5


def test_an_s3_notification_to_a_function_is_queued_by_the_service_in_process_and_a_failure_is_logged(monkeypatch, caplog):
    pytest.importorskip("localstack.services.s3.notifications")
    from localstack.services.s3 import notifications

    from stagegraph_localstack import in_process_invoke

    original = notifications.LambdaNotifier.notify
    calls = []
    monkeypatch.setattr(in_process_invoke, "_lambda_service", lambda: SimpleNamespace(invoke=lambda **kw: calls.append(kw)))
    try:
        assert in_process_invoke.install_s3_notifications()
        arn = "arn:aws:lambda:eu-west-1:111111111111:function:thumbnail"
        notifier = SimpleNamespace(_get_event_payload=lambda ctx, config_id: {"Records": [{"id": config_id}]})
        ctx = SimpleNamespace(bucket_name="photos")
        notifications.LambdaNotifier.notify(notifier, ctx, {"LambdaFunctionArn": arn, "Id": "n1"})

        assert [(c["function_name"], c["account_id"], c["region"], c["invocation_type"], c["payload"]) for c in calls] == [
            ("thumbnail", "111111111111", "eu-west-1", "Event", b'{"Records": [{"id": "n1"}]}')
        ]
        assert calls[0]["request_id"] and calls[0]["trace_context"]["aws_trace_header"].root

        def failing(**kw):
            raise RuntimeError("queue gone")

        monkeypatch.setattr(in_process_invoke, "_lambda_service", lambda: SimpleNamespace(invoke=failing))
        notifications.LambdaNotifier.notify(notifier, ctx, {"LambdaFunctionArn": arn, "Id": "n1"})  # not raised
        assert 'Unable to send notification for S3 bucket "photos"' in caplog.text
    finally:
        notifications.LambdaNotifier.notify = original
        in_process_invoke.install_s3_notifications.reset()
