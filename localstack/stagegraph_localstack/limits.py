"""Lambda's and API Gateway's payload limits, enforced as AWS enforces them.

LocalStack core leaves these to the Docker image's init binary, which our executor replaces, so without
these repairs a 12 MB request, a 20 MB response and an 11 MB HTTP body all went through.
See https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html and
https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html
"""
import io
import json
import logging

from stagegraph_localstack.patching import install_once

LOG = logging.getLogger(__name__)

# Invoke: 6 MB each way for a synchronous invocation, 1 MB for an asynchronous event (since October 2025).
SYNC_PAYLOAD_BYTES = 6 * 1024 * 1024
ASYNC_PAYLOAD_BYTES = 1024 * 1024
# A response over the limit is reported as a function error naming the limit plus 100 bytes, as Lambda does.
RESPONSE_LIMIT_REPORTED = SYNC_PAYLOAD_BYTES + 100
# API Gateway REST APIs: 10 MB of request body.
API_GATEWAY_BODY_BYTES = 10 * 1024 * 1024

def response_too_large(payload: bytes) -> bytes | None:
    """The error payload Lambda returns for a response over 6 MB, or None when it fits."""
    if len(payload) <= SYNC_PAYLOAD_BYTES:
        return None
    return json.dumps({
        "errorMessage": f"Response payload size exceeded maximum allowed payload size ({RESPONSE_LIMIT_REPORTED} bytes).",
        "errorType": "Function.ResponseSizeTooLarge",
    }).encode()


def request_limit(invocation_type: str | None) -> int:
    return ASYNC_PAYLOAD_BYTES if invocation_type == "Event" else SYNC_PAYLOAD_BYTES


@install_once
def enforce_invoke_payload_limits() -> bool:
    """Invoke refuses a payload over the limit of its invocation type with RequestTooLargeException (413)."""
    try:
        from localstack.aws.api.lambda_ import RequestTooLargeException
        from localstack.services.lambda_.provider import LambdaProvider
        from localstack.utils.patch import patch
    except ImportError:  # not inside LocalStack
        return False

    @patch(LambdaProvider.invoke)
    def invoke(fn, self, context, function_name, invocation_type=None, *args, payload=None, **kwargs):
        if payload is not None:
            data = payload.read() if hasattr(payload, "read") else payload
            limit = request_limit(invocation_type)
            if len(data) > limit:
                raise RequestTooLargeException(
                    f"{len(data)} byte payload is too large for the {invocation_type or 'RequestResponse'} invocation type (limit {limit} bytes)",
                    Type="User",
                )
            payload = io.BytesIO(data)
        return fn(self, context, function_name, invocation_type, *args, payload=payload, **kwargs)

    return True


@install_once
def enforce_api_gateway_body_limit() -> bool:
    """A REST API refuses a request body over 10 MB with 413, before any integration runs."""
    try:
        from localstack.services.apigateway.next_gen.execute_api.gateway_response import RequestTooLargeError
        from localstack.services.apigateway.next_gen.execute_api.handlers.parse import InvocationRequestParser
        from localstack.utils.patch import patch
    except ImportError:  # not inside LocalStack
        return False

    # Checked once the request is parsed: the gateway's error responses need the parsed context.
    @patch(InvocationRequestParser.parse_and_enrich)
    def parse_and_enrich(fn, self, context):
        fn(self, context)
        if len(context.invocation_request.get("body") or b"") > API_GATEWAY_BODY_BYTES:
            raise RequestTooLargeError("Request Too Long")

    return True
