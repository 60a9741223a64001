"""CloudFormation's AWS::ApiGateway::Authorizer for LocalStack core, which has no provider for it.

Without one, core "deploys" the authorizer as an unsupported resource with a made-up id, and the first
method that refers to it fails: PutMethod answers "Invalid authorizer ID specified". This provider
creates the authorizer through API Gateway's own CreateAuthorizer, so that the method, the deployment and
our enforcement of it (lambda_authorizers.py) find it in the API Gateway store. Every property but the
API's id can change; a change replaces the authorizer (a new id, the methods updated to it).
"""
from __future__ import annotations

from typing import TypedDict

from localstack.services.cloudformation.resource_provider import (
    CloudFormationResourceProviderPlugin,
    OperationStatus,
    ProgressEvent,
    ResourceProvider,
    ResourceRequest,
)

# CloudFormation property -> CreateAuthorizer parameter.
PARAMETERS = {
    "Name": "name",
    "Type": "type",
    "ProviderARNs": "providerARNs",
    "AuthType": "authType",
    "AuthorizerUri": "authorizerUri",
    "AuthorizerCredentials": "authorizerCredentials",
    "IdentitySource": "identitySource",
    "IdentityValidationExpression": "identityValidationExpression",
    "AuthorizerResultTtlInSeconds": "authorizerResultTtlInSeconds",
}


class ApiGatewayAuthorizerProperties(TypedDict, total=False):
    RestApiId: str
    AuthorizerId: str
    Name: str
    Type: str
    ProviderARNs: list[str]
    AuthType: str
    AuthorizerUri: str
    AuthorizerCredentials: str
    IdentitySource: str
    IdentityValidationExpression: str
    AuthorizerResultTtlInSeconds: int


def create_authorizer_request(model: dict) -> dict:
    """The CreateAuthorizer parameters of a template's properties."""
    request = {"restApiId": model["RestApiId"]}
    for prop, parameter in PARAMETERS.items():
        if model.get(prop) is not None:
            request[parameter] = model[prop]
    if "authorizerResultTtlInSeconds" in request:
        request["authorizerResultTtlInSeconds"] = int(request["authorizerResultTtlInSeconds"])
    return request


class ApiGatewayAuthorizerProvider(ResourceProvider[ApiGatewayAuthorizerProperties]):
    TYPE = "AWS::ApiGateway::Authorizer"
    # The parts of AWS's schema that LocalStack's engine reads: the id, and what forces a replacement.
    SCHEMA = {
        "typeName": TYPE,
        "primaryIdentifier": ["/properties/RestApiId", "/properties/AuthorizerId"],
        "readOnlyProperties": ["/properties/AuthorizerId"],
        "createOnlyProperties": ["/properties/RestApiId", *(f"/properties/{prop}" for prop in PARAMETERS)],
        "required": ["RestApiId", "Type", "Name"],
    }

    def create(self, request: ResourceRequest[ApiGatewayAuthorizerProperties]) -> ProgressEvent[ApiGatewayAuthorizerProperties]:
        model = request.desired_state
        created = request.aws_client_factory.apigateway.create_authorizer(**create_authorizer_request(model))
        model["AuthorizerId"] = created["id"]
        return ProgressEvent(status=OperationStatus.SUCCESS, resource_model=model, custom_context=request.custom_context)

    def read(self, request: ResourceRequest[ApiGatewayAuthorizerProperties]) -> ProgressEvent[ApiGatewayAuthorizerProperties]:
        raise NotImplementedError

    def delete(self, request: ResourceRequest[ApiGatewayAuthorizerProperties]) -> ProgressEvent[ApiGatewayAuthorizerProperties]:
        model = request.desired_state
        apigateway = request.aws_client_factory.apigateway
        try:
            apigateway.delete_authorizer(restApiId=model["RestApiId"], authorizerId=model["AuthorizerId"])
        except apigateway.exceptions.NotFoundException:
            pass  # the API went first
        return ProgressEvent(status=OperationStatus.SUCCESS, resource_model=model, custom_context=request.custom_context)

    def update(self, request: ResourceRequest[ApiGatewayAuthorizerProperties]) -> ProgressEvent[ApiGatewayAuthorizerProperties]:
        # Every property is create-only: a change is a replacement, never an update.
        raise NotImplementedError


class ApiGatewayAuthorizerProviderPlugin(CloudFormationResourceProviderPlugin):
    name = "AWS::ApiGateway::Authorizer"

    def __init__(self):
        self.factory: type[ResourceProvider] | None = None

    def load(self):
        self.factory = ApiGatewayAuthorizerProvider
