"""Lambda authorizers of REST API methods (REQUEST and TOKEN), enforced as API Gateway enforces them.

LocalStack core routes a method whose authorization type is CUSTOM straight to its integration: the
authorizer never runs. This handler runs after routing and before the integration: it reads the method's
authorizer from the deployed API, answers 401 when an identity source is missing, calls the authorizer
function with API Gateway's event, evaluates the IAM policy it answers against the request's method ARN
(403 on an explicit or implicit deny), caches the answer per identity values for the authorizer's TTL,
and passes `principalId` and the answer's `context` to the integration in `requestContext.authorizer`.
"""
from __future__ import annotations

import json
import logging
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable

from stagegraph_localstack.patching import install_once

LOG = logging.getLogger(__name__)

UNAUTHORIZED = "Unauthorized"
EXPLICIT_DENY = "User is not authorized to access this resource with an explicit deny"
IMPLICIT_DENY = "User is not authorized to access this resource"
# Answers kept at most, over all authorizers: the oldest go first.
CACHE_ENTRIES = 1000


class AuthorizerOutputError(ValueError):
    """An authorizer's answer that API Gateway cannot use: it answers 500."""


def identity_values(
    identity_source: str | None,
    headers: Callable[[str], str | None],
    query: dict[str, str],
    stage_variables: dict[str, str] | None,
    context_variables: dict,
) -> list[str] | None:
    """The values of an authorizer's identity sources (comma separated), or None when one is missing or empty."""
    values = []
    for source in (s.strip() for s in (identity_source or "").split(",")):
        if not source:
            continue
        value = None
        if source.lower().startswith("method.request.header."):
            value = headers(source[len("method.request.header."):])
        elif source.lower().startswith("method.request.querystring."):
            value = query.get(source[len("method.request.querystring."):])
        elif source.startswith("stageVariables."):
            value = (stage_variables or {}).get(source[len("stageVariables."):])
        elif source.startswith("context."):
            value = context_variables
            for part in source[len("context."):].split("."):
                value = value.get(part) if isinstance(value, dict) else None
        if value is None or str(value).strip() == "":
            return None
        values.append(str(value))
    return values


def method_arn(region: str, account_id: str, api_id: str, stage: str, http_method: str, path: str) -> str:
    """The ARN an authorizer's policy is checked against: `arn:aws:execute-api:<region>:<account>:<api>/<stage>/<METHOD>/<path>`."""
    return f"arn:aws:execute-api:{region}:{account_id}:{api_id}/{stage}/{http_method}{path if path.startswith('/') else '/' + path}"


def request_event(
    arn: str,
    resource: str,
    path: str,
    http_method: str,
    headers: Iterable[tuple[str, str]],
    query: dict[str, str],
    multi_query: dict[str, list[str]],
    path_parameters: dict[str, str] | None,
    stage_variables: dict[str, str] | None,
    request_context: dict,
) -> dict:
    """The event of a REQUEST authorizer, as API Gateway sends it."""
    single: dict[str, str] = {}
    multi: dict[str, list[str]] = {}
    for name, value in headers:
        single[name] = value
        multi.setdefault(name, []).append(value)
    return {
        "type": "REQUEST",
        "methodArn": arn,
        "resource": resource,
        "path": path,
        "httpMethod": http_method,
        "headers": single,
        "multiValueHeaders": multi,
        "queryStringParameters": dict(query),
        "multiValueQueryStringParameters": {k: list(v) for k, v in multi_query.items()},
        "pathParameters": dict(path_parameters or {}),
        "stageVariables": dict(stage_variables or {}),
        "requestContext": {k: v for k, v in request_context.items() if k != "authorizer"},
    }


def token_event(token: str, arn: str) -> dict:
    """The event of a TOKEN authorizer."""
    return {"type": "TOKEN", "authorizationToken": token, "methodArn": arn}


def arn_matches(pattern: str, arn: str) -> bool:
    """IAM's matching of a policy's Resource against an ARN: `*` any run of characters, `?` one character."""
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, arn, flags=re.DOTALL) is not None


def _as_list(value) -> list:
    return value if isinstance(value, list) else [] if value is None else [value]


def _invokes(action) -> bool:
    return any(arn_matches(str(a).lower(), "execute-api:invoke") for a in _as_list(action))


def evaluate_policy(policy: dict, arn: str) -> str:
    """`deny`, `allow` or `none` (no statement applies) for an authorizer's policy document and a method ARN."""
    allowed = False
    for statement in _as_list(policy.get("Statement")):
        if not isinstance(statement, dict) or not _invokes(statement.get("Action")):
            continue
        if not any(arn_matches(str(r), arn) for r in _as_list(statement.get("Resource"))):
            continue
        effect = str(statement.get("Effect", "")).lower()
        if effect == "deny":
            return "deny"
        allowed = allowed or effect == "allow"
    return "allow" if allowed else "none"


def parse_output(payload: bytes | str) -> dict:
    """An authorizer's answer, checked: a principalId, a policy document with statements, a flat context."""
    try:
        output = json.loads(payload)
    except (TypeError, ValueError) as error:
        raise AuthorizerOutputError(f"the answer is not JSON: {error}") from error
    if not isinstance(output, dict):
        raise AuthorizerOutputError(f"the answer is not an object (given {type(output).__name__})")
    policy = output.get("policyDocument")
    if not isinstance(policy, dict) or not _as_list(policy.get("Statement")):
        raise AuthorizerOutputError("the answer has no policyDocument with a Statement")
    if not isinstance(output.get("principalId"), (str, int, float)):
        raise AuthorizerOutputError("the answer has no principalId")
    context = output.get("context") or {}
    if not isinstance(context, dict):
        raise AuthorizerOutputError("the answer's context is not an object")
    nested = [k for k, v in context.items() if isinstance(v, (dict, list))]
    if nested:
        raise AuthorizerOutputError(f"context values must be strings, numbers or booleans (given an object or array in {', '.join(nested)})")
    return output


def error_message(payload: bytes) -> str | None:
    """The `errorMessage` of a function's error answer."""
    try:
        answer = json.loads(payload)
    except (TypeError, ValueError):
        return None
    return answer.get("errorMessage") if isinstance(answer, dict) else None


def _text(value) -> str:
    return json.dumps(value) if isinstance(value, bool) else str(value)


def authorizer_context(output: dict, latency_ms: int) -> dict:
    """`requestContext.authorizer` of the integration: the context's values as text, principalId and the latency."""
    context = {k: _text(v) for k, v in (output.get("context") or {}).items() if v is not None}
    context["principalId"] = str(output["principalId"])
    context["integrationLatency"] = latency_ms
    return context


class AnswerCache:
    """Authorizers' answers by (authorizer, identity values), each kept for its authorizer's TTL."""

    def __init__(self, clock: Callable[[], float] = time.monotonic, size: int = CACHE_ENTRIES):
        self._clock = clock
        self._size = size
        self._entries: OrderedDict[tuple, tuple[float, dict]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple) -> dict | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            if entry[0] <= self._clock():
                del self._entries[key]
                return None
            return entry[1]

    def put(self, key: tuple, output: dict, ttl_seconds: int) -> None:
        if ttl_seconds <= 0:
            return
        with self._lock:
            self._entries[key] = (self._clock() + ttl_seconds, output)
            self._entries.move_to_end(key)
            while len(self._entries) > self._size:
                self._entries.popitem(last=False)


_cache = AnswerCache()


def _function_arn(authorizer_uri: str) -> str:
    return authorizer_uri.split("functions/", 1)[1].removesuffix("/invocations")


@install_once
def enforce_lambda_authorizers() -> bool:
    """Adds the Lambda authorizer check to every REST API's request handling, after routing."""
    try:
        from localstack.aws.connect import connect_to
        from localstack.services.apigateway.next_gen.execute_api import handlers
        from localstack.services.apigateway.next_gen.execute_api.gateway_response import (
            AccessDeniedError,
            AuthorizerConfigurationError,
            UnauthorizedError,
        )
        from localstack.utils.aws.client_types import ServicePrincipal
    except ImportError:  # not inside LocalStack
        return False

    def invoke(authorizer: dict, event: dict, context) -> dict:
        function = _function_arn(authorizer.get("authorizerUri", ""))
        source_arn = f"arn:aws:execute-api:{context.region}:{context.account_id}:{context.api_id}/authorizers/{authorizer['id']}"
        client = connect_to(region_name=context.region).lambda_.request_metadata(
            service_principal=ServicePrincipal.apigateway, source_arn=source_arn)
        try:
            result = client.invoke(FunctionName=function, Payload=json.dumps(event).encode(), InvocationType="RequestResponse")
        except Exception as error:
            LOG.warning("Authorizer %s could not be invoked: %s", function, error)
            raise AuthorizerConfigurationError() from error
        payload = result["Payload"].read() if result.get("Payload") else b""
        if result.get("FunctionError"):
            if error_message(payload) == UNAUTHORIZED:
                raise UnauthorizedError(UNAUTHORIZED)
            LOG.warning("Authorizer %s failed: %s", function, payload[:500])
            raise AuthorizerConfigurationError()
        try:
            return parse_output(payload)
        except AuthorizerOutputError as error:
            LOG.warning("Authorizer %s answered what API Gateway cannot use: %s", function, error)
            raise AuthorizerConfigurationError() from error

    def check_lambda_authorizer(chain, context, response) -> None:
        method = context.resource_method or {}
        if method.get("authorizationType") != "CUSTOM":
            return
        authorizer = context.deployment.rest_api.authorizers.get(method.get("authorizerId") or "")
        if not authorizer or authorizer.get("type") not in ("REQUEST", "TOKEN"):
            LOG.warning("Method %s %s has no Lambda authorizer %s", method.get("httpMethod"), context.resource.get("path"), method.get("authorizerId"))
            raise AuthorizerConfigurationError()
        invocation = context.invocation_request
        headers = invocation["headers"]
        identity = identity_values(authorizer.get("identitySource"), headers.get, invocation["query_string_parameters"],
                                   context.stage_variables, context.context_variables)
        if identity is None:
            raise UnauthorizedError(UNAUTHORIZED)
        expression = authorizer.get("identityValidationExpression")
        if authorizer["type"] == "TOKEN" and expression and not re.fullmatch(expression, identity[0]):
            raise UnauthorizedError(UNAUTHORIZED)
        arn = method_arn(context.region, context.account_id, context.api_id, context.stage, invocation["http_method"], invocation["path"])
        ttl = int(authorizer.get("authorizerResultTtlInSeconds") or 0)
        key = (context.api_id, authorizer["id"], *identity)
        started = time.monotonic()
        output = _cache.get(key) if ttl > 0 and identity else None
        if output is None:
            if authorizer["type"] == "TOKEN":
                event = token_event(identity[0], arn)
            else:
                event = request_event(arn, context.resource["path"], invocation["path"], invocation["http_method"], list(headers),
                                      invocation["query_string_parameters"], invocation["multi_value_query_string_parameters"],
                                      invocation["path_parameters"], context.stage_variables, context.context_variables)
            output = invoke(authorizer, event, context)
            if identity:
                _cache.put(key, output, ttl)
        decision = evaluate_policy(output["policyDocument"], arn)
        if decision != "allow":
            LOG.info("%s: authorizer %s answered %s", arn, authorizer["id"], decision)
            raise AccessDeniedError(EXPLICIT_DENY if decision == "deny" else IMPLICIT_DENY)
        context.context_variables["authorizer"] = authorizer_context(output, int((time.monotonic() - started) * 1000))

    handlers.preprocess_request.append(check_lambda_authorizer)
    return True
