"""LocalStack runtime hooks of the stagegraph extension, registered as entry points in pyproject.toml.

They run inside LocalStack before its services start, so that every repair is in place before the first
request, whichever service that request is for.
"""
from localstack.runtime.hooks import on_infra_start

from stagegraph_localstack.http_auth import enforce_iam_authorization
from stagegraph_localstack.limits import enforce_api_gateway_body_limit, enforce_invoke_payload_limits
from stagegraph_localstack.repairs import keep_kinesis_on_loopback, repair_create_log_stream


@on_infra_start()
def stagegraph_repairs() -> None:
    repair_create_log_stream()
    keep_kinesis_on_loopback()
    enforce_invoke_payload_limits()
    enforce_api_gateway_body_limit()
    enforce_iam_authorization()
