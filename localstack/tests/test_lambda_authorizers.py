"""The pure parts of the Lambda authorizer check: identity sources, events, policies, answers, the cache."""
import json

import pytest

from stagegraph_localstack.lambda_authorizers import (
    AnswerCache,
    AuthorizerOutputError,
    arn_matches,
    authorizer_context,
    error_message,
    evaluate_policy,
    identity_values,
    method_arn,
    parse_output,
    request_event,
    token_event,
)

ARN = "arn:aws:execute-api:us-east-1:000000000000:abc123/live/GET/items/42"


def headers_of(**values):
    lower = {k.lower().replace("_", "-"): v for k, v in values.items()}
    return lambda name: lower.get(name.lower())


def policy(effect, resource, action="execute-api:Invoke"):
    return {"Version": "2012-10-17", "Statement": [{"Effect": effect, "Action": action, "Resource": resource}]}


def test_identity_values_come_from_headers_in_any_case_query_stage_variables_and_context():
    values = identity_values(
        "method.request.header.Authorization, method.request.querystring.tenant, stageVariables.env, context.identity.sourceIp",
        headers_of(authorization="token-1"), {"tenant": "acme"}, {"env": "live"}, {"identity": {"sourceIp": "127.0.0.1"}},
    )
    assert values == ["token-1", "acme", "live", "127.0.0.1"]


@pytest.mark.parametrize("headers", [headers_of(), headers_of(authorization=""), headers_of(authorization="  ")])
def test_a_missing_or_empty_identity_source_is_none(headers):
    assert identity_values("method.request.header.Authorization", headers, {}, None, {}) is None


def test_no_identity_source_is_no_values():
    assert identity_values(None, headers_of(), {}, None, {}) == []


def test_the_method_arn_holds_the_request_path_not_the_resource_template():
    assert method_arn("us-east-1", "000000000000", "abc123", "live", "GET", "/items/42") == ARN
    assert method_arn("us-east-1", "000000000000", "abc123", "live", "GET", "/").endswith("/live/GET/")


def test_a_request_event_is_api_gateways():
    event = request_event(
        ARN, "/items/{id}", "/items/42", "GET",
        [("Authorization", "t"), ("X-Tag", "a"), ("X-Tag", "b")],
        {"q": "2"}, {"q": ["1", "2"]}, {"id": "42"}, None,
        {"stage": "live", "requestId": "r-1", "authorizer": {"old": "x"}},
    )
    assert event == {
        "type": "REQUEST",
        "methodArn": ARN,
        "resource": "/items/{id}",
        "path": "/items/42",
        "httpMethod": "GET",
        "headers": {"Authorization": "t", "X-Tag": "b"},
        "multiValueHeaders": {"Authorization": ["t"], "X-Tag": ["a", "b"]},
        "queryStringParameters": {"q": "2"},
        "multiValueQueryStringParameters": {"q": ["1", "2"]},
        "pathParameters": {"id": "42"},
        "stageVariables": {},
        "requestContext": {"stage": "live", "requestId": "r-1"},
    }
    assert token_event("t", ARN) == {"type": "TOKEN", "authorizationToken": "t", "methodArn": ARN}


@pytest.mark.parametrize("pattern, matches", [
    (ARN, True),
    ("arn:aws:execute-api:us-east-1:000000000000:abc123/live/*", True),
    ("arn:aws:execute-api:*:*:abc123/*/GET/items/*", True),
    ("arn:aws:execute-api:us-east-1:000000000000:abc123/live/GET/items/4?", True),
    ("*", True),
    ("arn:aws:execute-api:us-east-1:000000000000:abc123/live/POST/*", False),
    ("arn:aws:execute-api:us-east-1:000000000000:abc123/test/*", False),
    ("arn:aws:execute-api:us-east-1:000000000000:abc123/live/GET/items", False),
    ("arn:aws:execute-api:us-east-1:000000000000:abc123/live/GET/items/4.", False),  # a dot is not a wildcard
])
def test_resources_match_with_iam_wildcards(pattern, matches):
    assert arn_matches(pattern, ARN) is matches


def test_an_allow_for_the_method_allows():
    assert evaluate_policy(policy("Allow", ARN), ARN) == "allow"
    assert evaluate_policy(policy("Allow", [ARN.replace("GET", "POST"), "arn:aws:execute-api:*:*:abc123/live/GET/*"]), ARN) == "allow"
    assert evaluate_policy(policy("Allow", ARN, action=["execute-api:*"]), ARN) == "allow"


def test_an_explicit_deny_wins_over_an_allow():
    document = policy("Allow", "*")
    document["Statement"].append({"Effect": "Deny", "Action": "execute-api:Invoke", "Resource": ARN})
    assert evaluate_policy(document, ARN) == "deny"


def test_no_statement_for_the_method_or_the_action_is_an_implicit_deny():
    assert evaluate_policy(policy("Allow", ARN.replace("GET", "POST")), ARN) == "none"
    assert evaluate_policy(policy("Allow", ARN, action="s3:GetObject"), ARN) == "none"
    assert evaluate_policy({"Statement": []}, ARN) == "none"


def test_an_answer_is_checked_and_its_context_passed_as_text():
    answer = {"principalId": "alice", "policyDocument": policy("Allow", ARN), "context": {"tier": 3, "admin": False, "name": "A", "gone": None}}
    output = parse_output(json.dumps(answer).encode())
    assert authorizer_context(output, 12) == {"tier": "3", "admin": "false", "name": "A", "principalId": "alice", "integrationLatency": 12}


@pytest.mark.parametrize("payload, why", [
    (b"not json", "not JSON"),
    (b"[]", "not an object"),
    (json.dumps({"principalId": "a"}).encode(), "no policyDocument"),
    (json.dumps({"policyDocument": policy("Allow", ARN)}).encode(), "no principalId"),
    (json.dumps({"principalId": "a", "policyDocument": policy("Allow", ARN), "context": {"roles": ["x"]}}).encode(), "strings, numbers or booleans"),
])
def test_an_answer_api_gateway_cannot_use_is_refused(payload, why):
    with pytest.raises(AuthorizerOutputError, match=why):
        parse_output(payload)


def test_the_error_message_of_a_failed_function():
    assert error_message(b'{"errorMessage":"Unauthorized","errorType":"Error"}') == "Unauthorized"
    assert error_message(b"Task timed out") is None


def test_answers_are_kept_for_their_ttl_and_the_oldest_leave_first():
    now = [100.0]
    cache = AnswerCache(clock=lambda: now[0], size=2)
    cache.put(("api", "auth", "t1"), {"n": 1}, 300)
    cache.put(("api", "auth", "t0"), {"n": 0}, 0)  # TTL 0: not kept
    assert cache.get(("api", "auth", "t1")) == {"n": 1}
    assert cache.get(("api", "auth", "t0")) is None
    now[0] += 300
    assert cache.get(("api", "auth", "t1")) is None
    for i in range(3):
        cache.put(("api", "auth", f"k{i}"), {"n": i}, 60)
    assert [cache.get(("api", "auth", f"k{i}")) for i in range(3)] == [None, {"n": 1}, {"n": 2}]
