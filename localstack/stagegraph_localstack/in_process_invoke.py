"""Invocations LocalStack makes itself, handed to the Lambda service in process.

Asynchronous invocations: LocalStack queues an asynchronous invocation (an OBS or SMN trigger, ``InvocationType=Event``) in an internal queue,
and its poller invokes the function with a synchronous ``Invoke`` through its own Lambda client: botocore serializes
and signs the request, the gateway's handler chain parses it again and serializes the answer, which botocore parses.
In a py-spy profile of 1,000 uploads to a bucket with an OBS trigger that round trip held the interpreter in about a
fifth of the samples (the poller's share was 27%, the function's own invocation in it 11%). Here the poller's client
calls the Lambda service as the ``Invoke`` handler does (same function, qualifier, request id, trace header and
payload) and answers as botocore would: the payload as a stream, ``FunctionError`` for a function error, the service's
errors as the client's modeled exceptions, so LocalStack's destination and dead-letter handling see what they saw
before. One difference: botocore's client retried a throttle or a 5xx at once (up to 4 times) and invoked again a
function that ran past its 60 s read timeout; now such an event goes back to LocalStack's queue with its own delays
(1 s, 2 s, ..., as Lambda retries asynchronous invocations). Everything else of the client (``exceptions``, other
operations) is the client's.
``STAGEGRAPH_EVENT_INVOKE=gateway`` keeps the request.

Flows: a Step Functions task that invokes a function by its ARN (``arn:aws:states:::lambda:invoke``, or the ARN as
the resource) made the same request with the state machine role's credentials, for every function node. It is made
in process too, when the task gives the function as a whole ARN of its own region and nothing but a payload (or a
client context):
the service answers as above, and an error becomes the client's modeled exception, whose code the task reports
(``Lambda.TooManyRequestsException``, ...); other tasks keep the request. ``STAGEGRAPH_FLOW_INVOKE=gateway`` keeps
it for all.

S3 notifications to a function (OBS triggers): LocalStack's notifier queued each event with a signed
``Invoke(InvocationType=Event)`` through the gateway (a fifth of the samples under uploads); it is queued by the
Lambda service in process, and a failure is logged as the notifier logs it. ``STAGEGRAPH_EVENT_INVOKE=gateway``
keeps the request.
"""
import io
import json
import logging
import os
from collections.abc import Callable
from typing import Any

from stagegraph_localstack.patching import install_once

LOG = logging.getLogger(__name__)

# (function ARN, payload or None, request id, X-Ray trace header) -> LocalStack's InvocationResult
ServiceInvoke = Callable[..., Any]


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
            # No payload is None, as the gateway parses an empty body: the service makes it {}.
            result = self._invoke(
                FunctionName, Payload or None, self._headers.get("X-Amz-Request-Id"), self._headers.get("X-Amzn-Trace-Id")
            )
        except Exception as error:
            raise client_error(self._client, error, self._headers.get("X-Amz-Request-Id")) from error
        return invoke_answer(result, io.BytesIO(result.payload or b""))


def invoke_answer(result, payload) -> dict[str, Any]:
    """What botocore's ``invoke`` answers for the service's InvocationResult, with the payload as its caller reads it
    (a stream for the poller, parsed for a flow task)."""
    response: dict[str, Any] = {"StatusCode": 200, "Payload": payload, "ExecutedVersion": result.executed_version}
    if result.is_error:
        response["FunctionError"] = "Unhandled"
    return response


def client_error(client, error: Exception, request_id: str | None = None) -> Exception:
    """The exception botocore raises for the answer the gateway gives to ``error``: a service error as its modeled
    exception (TooManyRequestsException, ResourceNotFoundException, ...), anything else as the provider's 500."""
    code = getattr(error, "code", None)
    status = getattr(error, "status_code", None)
    if not (isinstance(code, str) and isinstance(status, int)):
        code, status = "ServiceException", 500
    message = getattr(error, "message", None) or str(error)
    # A Step Functions task names the request id in the failure's cause.
    response = {
        "Error": {"Code": code, "Message": message},
        "ResponseMetadata": {"HTTPStatusCode": status, "RequestId": request_id or _new_request_id()},
    }
    return client.exceptions.from_code(code)(response, "Invoke")


def service_invoke(lambda_service, invocation_type: str = "RequestResponse") -> ServiceInvoke:
    """Invokes as LocalStack's ``Invoke`` handler does, for a function ARN (the poller's are always whole ARNs)."""
    from localstack.aws.api.lambda_ import InvocationType
    from localstack.services.lambda_ import api_utils
    from localstack.utils.xray.trace_header import TraceHeader

    def invoke(
        function_arn: str,
        payload: bytes | None,
        request_id: str | None,
        trace_header: str | None,
        client_context: str | None = None,
    ):
        name, qualifier, account, region = api_utils.function_locators_from_arn(function_arn)
        if not (name and account and region):
            raise ValueError(f"not a function ARN: {function_arn}")
        return lambda_service.invoke(
            function_name=name,
            qualifier=qualifier,
            region=region,
            account_id=account,
            invocation_type=InvocationType(invocation_type),
            client_context=client_context,
            request_id=request_id or _new_request_id(),
            payload=payload,
            trace_context={"aws_trace_header": TraceHeader.from_header_str(trace_header).ensure_root_exists()},
        )

    return invoke


def _lambda_service():
    from localstack.services.plugins import SERVICE_PLUGINS

    return SERVICE_PLUGINS.get_service("lambda")._provider.lambda_service


def _new_request_id() -> str:
    import uuid

    return str(uuid.uuid4())


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
        self.lambda_client = InProcessLambdaClient(self.lambda_client, service_invoke(_lambda_service()))

    return True


# A flow task's parameters made in process: the rest (a qualifier, a log type, another invocation type) keeps the request.
FLOW_TASK_PARAMETERS = {"FunctionName", "Payload", "InvocationType", "ClientContext"}


def is_whole_function_arn(value, region: str) -> bool:
    """A function ARN as the gateway takes it without a question: whole (``FULL_FN_ARN_PATTERN``, with a valid name
    and qualifier) and in the task's region (the gateway answers ResourceNotFoundException for another region)."""
    from localstack.services.lambda_ import api_utils

    if not isinstance(value, str) or len(value) > 170:  # the gateway refuses a longer one (ValidationException)
        return False
    whole = api_utils.FULL_FN_ARN_PATTERN.match(value)
    return bool(whole and whole.group("region_name") == region and api_utils.AWS_FUNCTION_NAME_REGEX.match(value))


def flow_task_invoke(invoke_lambda_function, service: Callable[[], ServiceInvoke], make_client):
    """LocalStack's ``_invoke_lambda_function(parameters, region, state_credentials)``, in process when it can be."""

    def invoke(parameters: dict, region: str, state_credentials):
        if (
            set(parameters) - FLOW_TASK_PARAMETERS
            or parameters.get("InvocationType", "RequestResponse") != "RequestResponse"
            or not is_whole_function_arn(parameters.get("FunctionName"), region)
        ):
            return invoke_lambda_function(parameters, region, state_credentials)
        payload = parameters.get("Payload") or None  # none: the service makes it {}, as through the gateway
        if isinstance(payload, str):
            payload = payload.encode()
        request_id = _new_request_id()  # the invocation's and its error's, as the gateway's request id is both
        try:
            result = service()(parameters["FunctionName"], payload, request_id, None, parameters.get("ClientContext"))
        except Exception as error:
            raise client_error(make_client(region, state_credentials), error, request_id) from error
        return invoke_answer(result, _from_payload(result.payload or b""))

    return invoke


def _from_payload(payload: bytes):
    """The payload as LocalStack's task reads it from the response stream: JSON when it is, text otherwise."""
    try:
        return json.loads(payload.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return payload.decode("utf-8", errors="replace")


@install_once
def install_flow_tasks() -> bool:
    """True when applied."""
    if os.environ.get("STAGEGRAPH_FLOW_INVOKE") == "gateway":
        return False
    try:
        from localstack.services.stepfunctions.asl.component.state.state_execution.state_task import lambda_eval_utils
        from localstack.services.stepfunctions.asl.utils.boto_client import boto_client_for
    except ImportError:  # not inside LocalStack
        return False

    def lambda_service_invoke() -> ServiceInvoke:
        return service_invoke(_lambda_service())

    def make_client(region, state_credentials):
        return boto_client_for(service="lambda", region=region, state_credentials=state_credentials)

    lambda_eval_utils._invoke_lambda_function = flow_task_invoke(
        lambda_eval_utils._invoke_lambda_function, lambda_service_invoke, make_client
    )
    return True


@install_once
def install_s3_notifications() -> bool:
    """True when applied."""
    if os.environ.get("STAGEGRAPH_EVENT_INVOKE") == "gateway":
        return False
    try:
        from localstack.services.s3 import notifications
        from localstack.utils.aws.arns import parse_arn
    except ImportError:  # not inside LocalStack
        return False
    original = notifications.LambdaNotifier.notify

    def notify(self, ctx, config) -> None:
        lambda_arn = config["LambdaFunctionArn"]
        if not is_whole_function_arn(lambda_arn, parse_arn(lambda_arn)["region"]):
            original(self, ctx, config)
            return
        payload = json.dumps(self._get_event_payload(ctx, config.get("Id"))).encode()
        try:
            service_invoke(_lambda_service(), "Event")(lambda_arn, payload, None, None)
        except Exception:  # noqa: BLE001 - as the notifier: logged, the upload stands
            notifications.LOG.error(
                'Unable to send notification for S3 bucket "%s" to Lambda function "%s".',
                ctx.bucket_name,
                lambda_arn,
                exc_info=notifications.LOG.isEnabledFor(logging.DEBUG),
            )

    notifications.LambdaNotifier.notify = notify
    return True
