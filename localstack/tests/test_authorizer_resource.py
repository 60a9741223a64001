"""The CloudFormation provider of AWS::ApiGateway::Authorizer: what it asks API Gateway to create."""
import pytest

pytest.importorskip("localstack.services.cloudformation.resource_provider")

from stagegraph_localstack.authorizer_resource import ApiGatewayAuthorizerProvider, create_authorizer_request  # noqa: E402


def test_a_templates_properties_become_create_authorizer_parameters():
    request = create_authorizer_request({
        "RestApiId": "abc123",
        "Name": "StackAuthorizer",
        "Type": "REQUEST",
        "AuthorizerUri": "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:000000000000:function:gate/invocations",
        "IdentitySource": "method.request.header.Authorization",
        "AuthorizerResultTtlInSeconds": "300",
    })
    assert request == {
        "restApiId": "abc123",
        "name": "StackAuthorizer",
        "type": "REQUEST",
        "authorizerUri": "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:000000000000:function:gate/invocations",
        "identitySource": "method.request.header.Authorization",
        "authorizerResultTtlInSeconds": 300,
    }


def test_every_property_but_the_id_replaces_the_authorizer():
    schema = ApiGatewayAuthorizerProvider.SCHEMA
    assert "/properties/AuthorizerId" not in schema["createOnlyProperties"]
    assert {"/properties/RestApiId", "/properties/IdentitySource", "/properties/AuthorizerUri"} <= set(schema["createOnlyProperties"])
