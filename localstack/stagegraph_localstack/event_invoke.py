"""Asynchronous invocations handed to the Lambda service in process.

LocalStack queues an asynchronous invocation (an OBS or SMN trigger, ``InvocationType=Event``) in an internal queue,
and its poller invokes the function with a synchronous ``Invoke`` through its own Lambda client: botocore serializes
and signs the request, the gateway's handler chain parses it again and serializes the answer, which botocore parses.
In a py-spy profile of 1,000 uploads to a bucket with an OBS trigger that round trip held the interpreter in about a
fifth of the samples (the poller's share was 27%, the function's own invocation in it 11%). Here the poller's client
calls the Lambda service as the ``Invoke`` handler does (same function, qualifier, request id, trace header and
payload) and answers as botocore would: the payload as a stream, ``FunctionError`` for a function error, the service's
errors as the client's modeled exceptions, so LocalStack's retry, destination and dead-letter handling see what they
saw before. Everything else of the client (``exceptions``, other operations) is the client's.
``STAGEGRAPH_EVENT_INVOKE=gateway`` keeps the request.
"""
import io
import logging
import os
from collections.abc import Callable
from typing import Any

from stagegraph_localstack.patching import install_once

LOG = logging.getLogger(__name__)

# (function ARN, payload, request id, X-Ray trace header) -> LocalStack's InvocationResult
ServiceInvoke = Callable[[str, bytes, "str | None", "str | None"], Any]


class InProcessLambdaClient:
    """LocalStack's poller's Lambda client, whose ``custom_headers(...).invoke(...)`` calls the service in process."""

    def __init__(self, client, invoke: ServiceInvoke) -> None:
        self._client = client
        self._invoke = invoke

    def __getattr__(self, name: str):
        return getattr(self._client, name)

    def custom_headers(self, headers: dict[str, str]) -> "_Invoker":
        return _Invoker(self._client, self._invoke, headers)


class _Invoker:
    def __init__(self, client, invoke: ServiceInvoke, headers: dict[str, str]) -> None:
        self._client = client
        self._invoke = invoke
        self._headers = headers

    def __getattr__(self, name: str):
        return getattr(self._client.custom_headers(self._headers), name)

    def invoke(self, FunctionName: str, Payload: bytes | None = None, InvocationType: str = "RequestResponse"):  # noqa: N803 - botocore's names
        if InvocationType != "RequestResponse":
            return self._client.custom_headers(self._headers).invoke(
                FunctionName=FunctionName, Payload=Payload, InvocationType=InvocationType
            )
        try:
            result = self._invoke(
                FunctionName, Payload or b"", self._headers.get("X-Amz-Request-Id"), self._headers.get("X-Amzn-Trace-Id")
            )
        except Exception as error:
            raise client_error(self._client, error) from error
        response: dict[str, Any] = {
            "StatusCode": 200,
            "Payload": io.BytesIO(result.payload or b""),
            "ExecutedVersion": result.executed_version,
        }
        if result.is_error:
            response["FunctionError"] = "Unhandled"
        return response


def client_error(client, error: Exception) -> Exception:
    """The exception botocore raises for the answer the gateway gives to ``error``: a service error as its modeled
    exception (TooManyRequestsException, ResourceNotFoundException, ...), anything else as the provider's 500."""
    code = getattr(error, "code", None)
    status = getattr(error, "status_code", None)
    if not (isinstance(code, str) and isinstance(status, int)):
        code, status = "ServiceException", 500
    message = getattr(error, "message", None) or str(error)
    response = {"Error": {"Code": code, "Message": message}, "ResponseMetadata": {"HTTPStatusCode": status}}
    return client.exceptions.from_code(code)(response, "Invoke")


def service_invoke(lambda_service) -> ServiceInvoke:
    """Invokes as LocalStack's ``Invoke`` handler does, for a function ARN (the poller's are always whole ARNs)."""
    from localstack.aws.api.lambda_ import InvocationType
    from localstack.services.lambda_ import api_utils
    from localstack.utils.xray.trace_header import TraceHeader

    def invoke(function_arn: str, payload: bytes, request_id: str | None, trace_header: str | None):
        name, qualifier, account, region = api_utils.function_locators_from_arn(function_arn)
        if not (name and account and region):
            raise ValueError(f"not a function ARN: {function_arn}")
        return lambda_service.invoke(
            function_name=name,
            qualifier=qualifier,
            region=region,
            account_id=account,
            invocation_type=InvocationType.RequestResponse,
            client_context=None,
            request_id=request_id or _new_request_id(),
            payload=payload,
            trace_context={"aws_trace_header": TraceHeader.from_header_str(trace_header).ensure_root_exists()},
        )

    return invoke


def _new_request_id() -> str:
    from localstack.utils.strings import long_uid

    return long_uid()


@install_once
def install() -> bool:
    """True when applied."""
    if os.environ.get("STAGEGRAPH_EVENT_INVOKE") == "gateway":
        return False
    try:
        from localstack.services.lambda_.invocation import event_manager
        from localstack.utils.patch import patch
    except ImportError:  # not inside LocalStack
        return False

    @patch(event_manager.Poller.__init__)
    def __init__(fn, self, version_manager, *args, **kwargs):
        fn(self, version_manager, *args, **kwargs)
        from localstack.services.plugins import SERVICE_PLUGINS

        lambda_service = SERVICE_PLUGINS.get_service("lambda")._provider.lambda_service
        self.lambda_client = InProcessLambdaClient(self.lambda_client, service_invoke(lambda_service))

    return True
