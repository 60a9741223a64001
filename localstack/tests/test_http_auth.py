"""The IAM signature check of REST API methods, with requests signed as clients sign them."""
import datetime

import pytest

botocore = pytest.importorskip("botocore")
from botocore.auth import SigV4Auth  # noqa: E402
from botocore.awsrequest import AWSRequest  # noqa: E402
from botocore.credentials import Credentials  # noqa: E402

from stagegraph_localstack.http_auth import SIGNATURE_MISMATCH, signature_problem  # noqa: E402

URL = "http://127.0.0.1:4566/_aws/execute-api/abc123/live/private?x=1"


def signed(secret="test", service="execute-api", body=b'{"a":1}'):
    request = AWSRequest(method="POST", url=URL, data=body, headers={"Content-Type": "application/json"})
    SigV4Auth(Credentials("test", secret), service, "us-east-1").add_auth(request)
    headers = dict(request.headers.items())
    headers["Host"] = "127.0.0.1:4566"
    return headers


def check(headers, body=b'{"a":1}', now=None):
    return signature_problem("POST", URL, headers, body, now or datetime.datetime.now(datetime.UTC))


def test_a_request_signed_with_the_local_credentials_passes():
    assert check(signed()) is None


def test_an_unsigned_request_is_missing_its_token():
    assert check({"Host": "127.0.0.1:4566"}) == ("missing", "Missing Authentication Token")


@pytest.mark.parametrize("headers, body", [
    (lambda: signed(secret="wrong"), b'{"a":1}'),          # another secret
    (lambda: signed(), b'{"a":2}'),                         # a body changed after signing
])
def test_a_signature_that_does_not_match_is_refused(headers, body):
    assert check(headers(), body) == ("invalid", SIGNATURE_MISMATCH)


def test_a_signature_for_another_service_or_too_old_is_refused():
    assert check(signed(service="lambda"))[1].startswith("Credential should be scoped to correct service: 'execute-api'")
    later = datetime.datetime.now(datetime.UTC) + datetime.timedelta(minutes=16)
    assert check(signed(), now=later)[1].startswith("Signature expired")
