"""IAM authorization of REST API methods, enforced as API Gateway enforces it.

LocalStack core answers a method whose authorization type is AWS_IAM without looking at the request's
signature, so locally an unsigned request reached the function. This handler runs after routing and before
the integration: a request to such a method must carry a valid Signature Version 4 signature for the
service `execute-api`, made with the local cloud's credentials (secret `test`, whatever the access key, as
`stagegraph local env` sets them), else it gets API Gateway's 403 answer.
"""
import datetime
import logging
import re

from stagegraph_localstack.patching import install_once
from stagegraph_localstack.repairs import request_body

LOG = logging.getLogger(__name__)

# The secret of the credentials the local cloud hands out (`stagegraph local env`, functions' environment).
LOCAL_SECRET = "test"
# API Gateway accepts a signature made up to 15 minutes before or after its clock.
CLOCK_SKEW = datetime.timedelta(minutes=15)
AUTHORIZATION = re.compile(
    r"^AWS4-HMAC-SHA256\s+Credential=(?P<key>[^/,\s]+)/(?P<date>\d{8})/(?P<region>[^/]+)/(?P<service>[^/]+)/aws4_request,\s*"
    r"SignedHeaders=(?P<headers>[^,\s]+),\s*Signature=(?P<signature>[0-9a-f]{64})\s*$"
)
SIGNATURE_MISMATCH = (
    "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access "
    "Key and signing method. Consult the service documentation for details."
)


def signature_problem(method: str, url: str, headers: dict[str, str], body: bytes, now: datetime.datetime) -> tuple[str, str] | None:
    """Why a request's SigV4 signature is not valid for the local credentials, as (kind, message); None when it is.

    `kind` is `missing` (no signature at all) or `invalid`.
    """
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    lower = {k.lower(): v for k, v in headers.items()}
    authorization = lower.get("authorization")
    if not authorization:
        return ("missing", "Missing Authentication Token")
    match = AUTHORIZATION.match(authorization)
    if not match:
        return ("invalid", f"Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' parameters. Authorization={authorization[:100]}")
    if match["service"] != "execute-api":
        return ("invalid", f"Credential should be scoped to correct service: 'execute-api'. (given '{match['service']}')")
    amz_date = lower.get("x-amz-date", "")
    try:
        signed_at = datetime.datetime.strptime(amz_date, "%Y%m%dT%H%M%SZ").replace(tzinfo=datetime.UTC)
    except ValueError:
        return ("invalid", "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.")
    if abs(now - signed_at) > CLOCK_SKEW:
        return ("invalid", f"Signature expired: {amz_date} is now earlier than {(now - CLOCK_SKEW).strftime('%Y%m%dT%H%M%SZ')}")
    signed = match["headers"].split(";")
    missing = [name for name in signed if name not in lower]
    if missing or "host" not in signed:
        return ("invalid", SIGNATURE_MISMATCH)
    request = AWSRequest(method=method, url=url, headers={name: lower[name] for name in signed}, data=body)
    request.context["timestamp"] = amz_date
    signer = SigV4Auth(Credentials(match["key"], LOCAL_SECRET, lower.get("x-amz-security-token")), "execute-api", match["region"])
    expected = signer.signature(signer.string_to_sign(request, signer.canonical_request(request)), request)
    return None if expected == match["signature"] else ("invalid", SIGNATURE_MISMATCH)


@install_once
def enforce_iam_authorization() -> bool:
    """Adds the signature check to every REST API's request handling, after routing."""
    try:
        from localstack.services.apigateway.next_gen.execute_api import handlers
        from localstack.services.apigateway.next_gen.execute_api.gateway_response import (
            InvalidSignatureError,
            MissingAuthTokenError,
        )
    except ImportError:  # not inside LocalStack
        return False

    def check_iam_signature(chain, context, response) -> None:
        method = context.resource_method or {}
        if method.get("authorizationType") != "AWS_IAM":
            return
        request = context.request
        raw_path = request.environ.get("RAW_URI") or request.full_path
        host = request.headers.get("Host", request.host)
        url = f"{request.scheme}://{host}{raw_path}"
        problem = signature_problem(request.method, url, dict(request.headers), request_body(request),
                                    datetime.datetime.now(datetime.UTC))
        if problem:
            kind, message = problem
            LOG.info("%s %s: IAM authorization refused: %s", request.method, raw_path, message)
            raise MissingAuthTokenError(message) if kind == "missing" else InvalidSignatureError(message)

    handlers.preprocess_request.append(check_iam_signature)
    return True
