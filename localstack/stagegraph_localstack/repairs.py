"""Repairs of LocalStack core that the local cloud needs, applied when LocalStack starts (hooks.py).

CloudWatch Logs: with a subscription filter on a log group (the billing meter subscribes to every
function's group), LocalStack 2026.3's wrapper of CreateLogStream indexes what moto's
describe_subscription_filters returns (dict_values of objects) as a list of dicts and fails with a
TypeError after moto has created the stream. The Lambda service then tries to create the stream again,
gets ResourceAlreadyExists, and drops the first batch of every new stream: the cold start's START,
output and REPORT lines. The repair lets CreateLogStream succeed when the stream was created.
"""
import json
import logging
import os
import sys
from pathlib import Path

from stagegraph_localstack.patching import install_once

LOG = logging.getLogger(__name__)


@install_once
def repair_create_log_stream() -> bool:
    """Patches moto's LogGroup.create_log_stream on top of LocalStack's own patch; True when applied."""
    try:
        # LocalStack's logs provider patches moto when it is imported: import it first, so that this
        # patch wraps LocalStack's, with LocalStack's own patch utility.
        import localstack.services.logs.provider  # noqa: F401
        from localstack.utils.patch import patch
        from moto.logs.models import LogGroup
    except ImportError:  # not inside LocalStack
        return False

    @patch(LogGroup.create_log_stream)
    def create_log_stream(fn, self, log_stream_name, *args, **kwargs):
        try:
            return fn(self, log_stream_name, *args, **kwargs)
        except (TypeError, KeyError, AttributeError):
            if log_stream_name in self.streams:
                return None
            raise

    LOG.debug("stagegraph: CreateLogStream repaired for log groups with subscription filters")
    return True


LOOPBACK_PRELOAD = Path(__file__).parent / "bootstrap" / "loopback.js"


@install_once
def keep_function_code_private() -> bool:
    """LocalStack unzips each function's code to ``<the machine's temporary folder>/lambda/<bucket>/<id>/code``,
    0755, and takes a folder that is already there as unzipped: every local user could read the code, and one who
    made ``/tmp/lambda`` first could put other code in its place, run as this user. The code goes below LocalStack's
    own tmp folder instead, in the app's local cloud folder (0700), which LocalStack clears at each start."""
    try:
        from localstack import config
        from localstack.services.lambda_.invocation.lambda_models import S3Code
    except ImportError:  # not inside LocalStack
        return False

    def get_unzipped_code_location(self) -> Path:
        return Path(config.dirs.tmp) / "lambda-code" / self.s3_bucket / self.id / "code"

    S3Code.get_unzipped_code_location = get_unzipped_code_location
    LOG.debug("stagegraph: function code unzipped below %s", config.dirs.tmp)
    return True


@install_once
def keep_kinesis_on_loopback() -> bool:
    """kinesis-mock (the Node.js build LocalStack runs for Kinesis) binds 0.0.0.0 on two ports and has no
    setting for the host: start it with a preload that binds every wildcard listen() to 127.0.0.1."""
    try:
        from localstack.services.kinesis.kinesis_mock_server import KinesisMockNodeServer
        from localstack.utils.patch import patch
    except ImportError:  # not inside LocalStack
        return False

    @patch(KinesisMockNodeServer._create_shell_command)
    def _create_shell_command(fn, self):
        cmd, env_vars = fn(self)
        if cmd and str(cmd[0]).endswith("node") and "--require" not in cmd:
            cmd = [cmd[0], "--require", str(LOOPBACK_PRELOAD), *cmd[1:]]
        return cmd, env_vars

    LOG.debug("stagegraph: kinesis-mock bound to 127.0.0.1")
    return True


def lighten_twisted_requests(site) -> None:
    """Two things twisted does for every request that nobody reads here: it parses the body of a form POST (an SQS,
    SNS or CloudWatch Query request) into ``request.args``, with the Content-Type run through the email package's
    header parser (37-61 us a request) to see whether it is a form, while LocalStack parses the body from the WSGI
    input itself; and it formats an access-log line for twisted's legacy log, which has no observer in LocalStack.
    STAGEGRAPH_TWISTED_REQUESTS=full keeps both (for comparisons)."""
    if os.environ.get("STAGEGRAPH_TWISTED_REQUESTS", "").lower() == "full":
        return
    # The site's setting, which twisted's Request reads when it is not given one (Site(parsePOSTFormSubmission=...)).
    site._parsePOSTFormSubmission = False
    site.log = lambda request: None


def keep_name(request, name: str) -> None:
    """Gives an update's desired state the resource's name from its previous state when the template leaves it to
    CloudFormation: the name is create-only, so an update is of the resource of that name."""
    request.desired_state[name] = request.desired_state.get(name) or (request.previous_state or {}).get(name)


def succeeded(request, model: dict):
    """The ProgressEvent of a provider operation that is done, with the resource's model."""
    from localstack.services.cloudformation.resource_provider import OperationStatus, ProgressEvent

    return ProgressEvent(status=OperationStatus.SUCCESS, resource_model=model, custom_context=request.custom_context)


# A REST API stage's properties that an update sets with a patch operation each, and their paths.
_STAGE_FIELDS = (
    ("DeploymentId", "/deploymentId"),
    ("Description", "/description"),
    ("TracingEnabled", "/tracingEnabled"),
    ("CacheClusterEnabled", "/cacheClusterEnabled"),
    ("CacheClusterSize", "/cacheClusterSize"),
    ("DocumentationVersion", "/documentationVersion"),
)


def stage_patch_operations(previous: dict, desired: dict) -> list[dict]:
    """The UpdateStage patch operations that take a stage from its `previous` CloudFormation properties to `desired`:
    the deployment it serves first, then its settings, stage variables and access log setting."""
    def text(value) -> str:
        return str(value).lower() if isinstance(value, bool) else str(value)

    operations = []
    for name, path in _STAGE_FIELDS:
        if desired.get(name) is not None and desired.get(name) != previous.get(name):
            operations.append({"op": "replace", "path": path, "value": text(desired[name])})
    before, after = previous.get("Variables") or {}, desired.get("Variables") or {}
    operations += [{"op": "replace", "path": f"/variables/{key}", "value": text(value)}
                   for key, value in after.items() if before.get(key) != value]
    operations += [{"op": "remove", "path": f"/variables/{key}"} for key in before if key not in after]
    logs_before, logs_after = previous.get("AccessLogSetting") or {}, desired.get("AccessLogSetting") or {}
    if logs_after != logs_before:
        if logs_after:
            operations += [{"op": "replace", "path": f"/accessLogSettings/{key[0].lower()}{key[1:]}", "value": value}
                           for key, value in logs_after.items() if value]
        else:
            operations.append({"op": "remove", "path": "/accessLogSettings"})
    return operations


@install_once
def update_rest_api_stages() -> bool:
    """LocalStack's CloudFormation cannot update an `AWS::ApiGateway::Stage` (its provider raises NotImplementedError,
    logged as a warning, and the deploy goes on): a second deploy of an app whose REST API changed (a route, an
    authorizer) made a new deployment, removed the one the stage served, and left every URL of the API answering 404.
    Here the update moves the stage to the new deployment and settings with UpdateStage, as CloudFormation does."""
    try:
        from localstack.services.apigateway.resource_providers.aws_apigateway_stage import ApiGatewayStageProvider
    except ImportError:  # not inside LocalStack
        return False

    def update(self, request):
        keep_name(request, "StageName")
        model, previous = request.desired_state, request.previous_state or {}
        operations = stage_patch_operations(previous, model)
        if operations:
            request.aws_client_factory.apigateway.update_stage(
                restApiId=model["RestApiId"], stageName=model["StageName"], patchOperations=operations)
        return succeeded(request, model)

    ApiGatewayStageProvider.update = update
    return True


# Aliases a replacement took over in place, by (function name, alias name): the revision it left them at.
_TAKEN_OVER_ALIASES: dict[tuple[str, str], str] = {}


@install_once
def take_over_replaced_aliases() -> bool:
    """A second deploy of a function with `reservedInstances` whose configuration or code changed failed with "Alias
    already exists": LocalStack's CloudFormation replaces the `live` alias (it takes the alias's create-only
    `FunctionName`, a `Ref` to a function that was only modified, for changed), and a replacement makes the new alias
    before it removes the old one, under the same name. Here the new one takes the existing alias over (moves it to
    the new version, puts its provisioned concurrency again), and the removal of the old one then leaves it, as long
    as nothing changed it since."""
    try:
        from botocore.exceptions import ClientError
        from localstack.services.lambda_.resource_providers.lambda_alias import (
            REPEATED_INVOCATION,
            LambdaAliasProvider,
        )
        from localstack.services.cloudformation.resource_provider import OperationStatus, ProgressEvent
        from localstack.utils.patch import patch
    except ImportError:  # not inside LocalStack
        return False

    @patch(LambdaAliasProvider.create)
    def create(fn, self, request):
        try:
            return fn(self, request)
        except ClientError as error:
            if (error.response.get("Error", {}).get("Code") != "ResourceConflictException"
                    or request.custom_context.get(REPEATED_INVOCATION)):
                raise
        model = request.desired_state
        lambda_ = request.aws_client_factory.lambda_
        params = {key: model[key] for key in ("FunctionVersion", "Description", "RoutingConfig") if key in model}
        alias = lambda_.update_alias(FunctionName=model["FunctionName"], Name=model["Name"], **params)
        model["Id"] = alias["AliasArn"]
        request.custom_context[REPEATED_INVOCATION] = True
        if model.get("ProvisionedConcurrencyConfig"):
            lambda_.put_provisioned_concurrency_config(
                FunctionName=model["FunctionName"], Qualifier=model["Name"],
                ProvisionedConcurrentExecutions=model["ProvisionedConcurrencyConfig"]["ProvisionedConcurrentExecutions"])
        revision = lambda_.get_alias(FunctionName=model["FunctionName"], Name=model["Name"])["RevisionId"]
        _TAKEN_OVER_ALIASES[(model["FunctionName"], model["Name"])] = revision
        LOG.debug("stagegraph: alias %s of %s taken over by its replacement", model["Name"], model["FunctionName"])
        return ProgressEvent(status=OperationStatus.IN_PROGRESS, resource_model=model,
                             custom_context=request.custom_context)

    @patch(LambdaAliasProvider.delete)
    def delete(fn, self, request):
        model = request.desired_state
        key = (model.get("FunctionName"), model.get("Name"))
        taken = _TAKEN_OVER_ALIASES.pop(key, None)
        if taken is not None:
            lambda_ = request.aws_client_factory.lambda_
            try:
                current = lambda_.get_alias(FunctionName=key[0], Name=key[1])["RevisionId"]
            except lambda_.exceptions.ResourceNotFoundException:
                current = None
            if current == taken:
                # The replacement holds the alias now: the old resource's removal leaves it.
                return ProgressEvent(status=OperationStatus.SUCCESS, resource_model=request.previous_state)
        return fn(self, request)

    return True


# The bodies werkzeug reads into a request's form.
FORM_MIMETYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
# Where a request keeps its form body's bytes: werkzeug's own copy (`_cached_data`) is emptied by a later
# `request.data`, which reads the form and then the spent stream.
RAW_BODY = "_stagegraph_raw_body"
# The largest form body kept whole in memory, as API Gateway's limit: a bigger one (an S3 POST upload) is left to
# werkzeug, which spools its files to disk.
KEPT_BODY_BYTES = 10 * 1024 * 1024


def keep_form_body(request) -> None:
    """Keeps the bytes of a form body of a known size up to `KEPT_BODY_BYTES` before werkzeug reads the form from
    them (it then reads them from the copy)."""
    if ("form" not in request.__dict__ and RAW_BODY not in request.__dict__ and not request.shallow
            and request.mimetype in FORM_MIMETYPES and request.content_length is not None
            and request.content_length <= KEPT_BODY_BYTES):
        request.__dict__[RAW_BODY] = request.get_data()


def request_body(request) -> bytes:
    """The body of a request as it came: a form body's kept bytes, else what werkzeug has of it."""
    kept = request.__dict__.get(RAW_BODY)
    return kept if kept is not None else request.get_data()


def raw_payload(request, restore_payload):
    """The body as it came (kept now, if nothing has read it yet); else what `restore_payload` (rolo's) makes of the
    request."""
    keep_form_body(request)
    kept = request.__dict__.get(RAW_BODY)
    return kept if kept is not None else restore_payload(request)


@install_once
def keep_raw_form_bodies() -> bool:
    """A form body (`application/x-www-form-urlencoded`, the default of `curl --data`, or `multipart/form-data`)
    reached a function behind a REST API changed: werkzeug reads such a body into the request's form the first time
    LocalStack looks at it (to tell which service a request is for), and the gateway then rebuilt the body from the
    form (rolo's `restore_payload`): `{"x":1}` arrived as `%7B%22x%22%3A1%7D=`, `a` as `a=`, and a signed form POST
    was checked against an empty body; a Lambda function URL did the same. Here werkzeug keeps the body's bytes
    before it reads a form from them, and `restore_payload`, wherever LocalStack and rolo imported it, gives them as
    they came, as API Gateway and function URLs do."""
    try:
        import rolo.request
        from localstack.services.apigateway.next_gen.execute_api.handlers import parse  # noqa: F401 - imports it
        from localstack.utils.patch import patch
        from werkzeug.wrappers import Request
    except ImportError:  # not inside LocalStack
        return False

    @patch(Request._load_form_data)
    def _load_form_data(fn, self):
        keep_form_body(self)
        return fn(self)

    original = rolo.request.restore_payload

    def restore_payload(request):
        return raw_payload(request, original)

    # Imported by name (`from rolo.request import restore_payload`): each module's own name, and rolo's for those
    # imported later.
    for module in list(sys.modules.values()):
        if getattr(module, "restore_payload", None) is original:
            module.restore_payload = restore_payload
    return True


# Whether LocalStack's log gets a line for every request it answers (STAGEGRAPH_REQUEST_LOG=all), set at install.
_EVERY_REQUEST = False


@install_once
def log_failed_requests_only() -> bool:
    """LocalStack writes a line to its log for every request it answers ("AWS lambda.Invoke => 200"): 98% of the local
    cloud's log (516,000 of 527,000 lines, 58 MB, after a day of tests), with copies of the request's and response's
    headers (and of their bodies, for a request that is not an AWS operation) made whether the line is written or
    not: 125 us of a 3 ms warm invoke. The log keeps the requests that fail: a service error, or a status of 400 or
    more. STAGEGRAPH_REQUEST_LOG=all logs every request as LocalStack does, and so does LocalStack's trace logging
    (LS_LOG=trace or trace-internal), which adds their headers and bodies."""
    global _EVERY_REQUEST
    try:
        from localstack import config
        from localstack.aws.handlers.logging import ResponseLogger
        from localstack.utils.patch import patch
    except ImportError:  # not inside LocalStack
        return False
    _EVERY_REQUEST = (os.environ.get("STAGEGRAPH_REQUEST_LOG", "").lower() == "all"
                      or config.is_trace_logging_enabled())

    @patch(ResponseLogger._log)
    def _log(fn, self, context, response):
        if _EVERY_REQUEST or context.service_exception is not None or response.status_code >= 400:
            return fn(self, context, response)
        return None

    LOG.debug("stagegraph: LocalStack's log keeps failed requests only (every request: %s)", _EVERY_REQUEST)
    return True


@install_once
def bind_twisted_gateway_to_host() -> bool:
    """LocalStack's default gateway server (twisted) listens on every interface whatever GATEWAY_LISTEN's host
    says (its code has a TODO there): bind each listen address to its own host, 127.0.0.1 for the local cloud.
    Twisted answers a warm Invoke in about 19 ms where hypercorn, which honours the host, takes about 30."""
    try:
        from localstack import config
        from localstack.aws.serving.twisted import TLSMultiplexerFactory
        from localstack.runtime.server.twisted import TwistedRuntimeServer
        from localstack.utils.patch import patch
        from rolo.serving.twisted import TwistedGateway
        from twisted.internet import endpoints, reactor, ssl
    except ImportError:  # not inside LocalStack
        return False

    @patch(TwistedRuntimeServer.register)
    def register(fn, self, gateway, listen, ssl_creds=None):
        site = TwistedGateway(gateway)
        lighten_twisted_requests(site)
        protocol_factory = site
        if ssl_creds:
            cert_file_name, key_file_name = ssl_creds
            context_factory = ssl.DefaultOpenSSLContextFactory(key_file_name, cert_file_name)
            context_factory.getContext().use_certificate_chain_file(cert_file_name)
            protocol_factory = TLSMultiplexerFactory(context_factory, False, site)
        for host_and_port in listen:
            endpoint_class = endpoints.TCP6ServerEndpoint if config.is_ipv6_address(host_and_port.host) else endpoints.TCP4ServerEndpoint
            endpoint_class(reactor, host_and_port.port, interface=host_and_port.host).listen(protocol_factory)

    return True


def function_log_names(function_name: str, qualifier: str, environment_id: str, logging_config: dict | None,
                       today) -> tuple[str, str]:
    """The log group and stream of an execution environment, as Lambda names them: the function's LoggingConfig
    LogGroup when it has one (else `/aws/lambda/<name>`); in a group other than that default, streams named
    `YYYY/MM/DD/<name>[<version>]<id>`, so that the functions sharing a group have streams of their own."""
    default = f"/aws/lambda/{function_name}"
    group = (logging_config or {}).get("LogGroup") or default
    prefix = f"{today:%Y/%m/%d}/" + ("" if group == default else function_name)
    return group, f"{prefix}[{qualifier}]{environment_id}"


@install_once
def honour_logging_config_log_group() -> bool:
    """LocalStack 2026.3 writes a function's logs to `/aws/lambda/<name>` whatever its LoggingConfig's LogGroup says
    (and passes that name to the runtime as AWS_LAMBDA_LOG_GROUP_NAME). The functions of a stack share one log group
    (FunctionLogs): write where the configuration says, in streams named as Lambda names them there."""
    try:
        from datetime import date

        from localstack.services.lambda_.invocation.execution_environment import ExecutionEnvironment
    except ImportError:  # not inside LocalStack
        return False

    def names(self) -> tuple[str, str]:
        version = self.function_version
        return function_log_names(version.id.function_name, version.id.qualifier, self.id,
                                  version.config.logging_config, date.today())

    ExecutionEnvironment.get_log_group_name = lambda self: names(self)[0]
    ExecutionEnvironment.get_log_stream_name = lambda self: names(self)[1]
    return True


@install_once
def honour_subscription_filter_names() -> bool:
    """LocalStack 2026.3's CloudFormation provider of AWS::Logs::SubscriptionFilter names every filter after its log
    group, whatever FilterName says. The name reaches the subscribed function in every payload
    (`subscriptionFilters`), and the billing meter reads the function's memory size and timeout from it: create
    (and delete) the filter under its own name, as CloudFormation does. Its update, which LocalStack lacks, puts the
    filter again under that name."""
    try:
        from localstack.services.logs.resource_providers.aws_logs_subscriptionfilter import LogsSubscriptionFilterProvider
        from localstack.utils.patch import patch
    except ImportError:  # not inside LocalStack
        return False

    def put(request, replacing: bool = False):
        model = request.desired_state
        logs = request.aws_client_factory.logs
        arguments = {
            "logGroupName": model["LogGroupName"], "filterName": model["FilterName"],
            "filterPattern": model["FilterPattern"], "destinationArn": model["DestinationArn"],
        }
        if model.get("RoleArn"):
            arguments["roleArn"] = model["RoleArn"]
        try:
            logs.put_subscription_filter(**arguments)
        except logs.exceptions.LimitExceededException:
            # moto counts the group's two filters before it looks for this one's name: CloudWatch Logs replaces a
            # filter of the same name even then. Put again after removing it.
            if not replacing:
                raise
            logs.delete_subscription_filter(logGroupName=model["LogGroupName"], filterName=model["FilterName"])
            logs.put_subscription_filter(**arguments)
        return succeeded(request, model)

    @patch(LogsSubscriptionFilterProvider.create)
    def create(fn, self, request):
        model = request.desired_state
        if not model.get("FilterName"):
            model["FilterName"] = model["LogGroupName"]
            return fn(self, request)
        return put(request)

    def update(self, request):
        # LocalStack's provider has no update: a new destination (the billing meter renamed or moved makes a new meter
        # function; the filter of the stack's function log group keeps its logical id) or pattern was reported done
        # and the filter kept delivering to the old one, which the deploy then deleted. PutSubscriptionFilter under
        # the filter's name (create-only) replaces it, as CloudFormation's update does.
        keep_name(request, "FilterName")
        request.desired_state["FilterName"] = request.desired_state.get("FilterName") or request.desired_state[
            "LogGroupName"]
        return put(request, replacing=True)

    @patch(LogsSubscriptionFilterProvider.delete)
    def delete(fn, self, request):
        model = request.desired_state
        logs = request.aws_client_factory.logs
        # A filter created before this repair carries its log group's name.
        for name in dict.fromkeys([model.get("FilterName"), model["LogGroupName"]]):
            if not name:
                continue
            try:
                logs.delete_subscription_filter(logGroupName=model["LogGroupName"], filterName=name)
                break
            except logs.exceptions.ResourceNotFoundException:
                continue
        return succeeded(request, model)

    LogsSubscriptionFilterProvider.update = update
    return True


# What PutFunctionEventInvokeConfig takes of an AWS::Lambda::EventInvokeConfig's properties.
_INVOKE_CONFIG_FIELDS = ("FunctionName", "Qualifier", "MaximumRetryAttempts", "MaximumEventAgeInSeconds",
                         "DestinationConfig")
# The resource (its physical id) whose settings a function's asynchronous invoke configuration has now, by (function,
# qualifier): the removal of a resource it replaced leaves the configuration alone.
_INVOKE_CONFIG_OWNERS: dict[tuple[str, str], str] = {}


def method_patch_operations(previous: dict, desired: dict) -> list[dict]:
    """The UpdateMethod patch operations that give a REST API method the authorization its CloudFormation properties
    now say: its type, its authorizer (with CUSTOM or COGNITO_USER_POOLS) and whether it takes an API key."""
    operations = []
    kind = desired.get("AuthorizationType") or "NONE"
    if kind != (previous.get("AuthorizationType") or "NONE"):
        operations.append({"op": "replace", "path": "/authorizationType", "value": kind})
    if kind in ("CUSTOM", "COGNITO_USER_POOLS") and (operations or desired.get("AuthorizerId") != previous.get("AuthorizerId")):
        operations.append({"op": "replace", "path": "/authorizerId", "value": str(desired.get("AuthorizerId") or "")})
    if bool(desired.get("ApiKeyRequired")) != bool(previous.get("ApiKeyRequired")):
        operations.append({"op": "replace", "path": "/apiKeyRequired", "value": str(bool(desired.get("ApiKeyRequired"))).lower()})
    return operations


_NOTIFICATION_KINDS = (("LambdaFunctionConfigurations", "LambdaFunctionArn"), ("QueueConfigurations", "QueueArn"),
                       ("TopicConfigurations", "TopicArn"))


def _notification_key(kind: str, target_field: str, configuration: dict) -> tuple:
    filter_rules = (configuration.get("Filter") or {}).get("Key", {}).get("FilterRules") or []
    return (kind, configuration.get(target_field), tuple(sorted(configuration.get("Events") or [])),
            tuple(sorted((str(rule.get("Name", "")).lower(), rule.get("Value")) for rule in filter_rules)))


def bucket_notifications(provider, previous: dict, desired: dict, current: dict) -> dict:
    """PutBucketNotificationConfiguration's arguments for a bucket whose CloudFormation notifications changed from
    `previous` to `desired`, the bucket having `current` (GetBucketNotificationConfiguration): the template's
    notifications, and those the previous template did not declare kept as they are (CDK's notifications custom
    resource puts a queue's, a topic's or EventBridge's outside the property)."""
    empty = {"Bucket": desired["BucketName"], "NotificationConfiguration": {}}
    wanted = (provider._get_s3_bucket_notification_config(desired) or empty)["NotificationConfiguration"]
    before = (provider._get_s3_bucket_notification_config({**previous, "BucketName": desired["BucketName"]}) or empty)[
        "NotificationConfiguration"]
    owned = {_notification_key(kind, field, c) for kind, field in _NOTIFICATION_KINDS for c in before.get(kind) or []}
    result = {kind: list(wanted.get(kind) or []) for kind, _ in _NOTIFICATION_KINDS}
    for kind, field in _NOTIFICATION_KINDS:
        result[kind] += [c for c in current.get(kind) or [] if _notification_key(kind, field, c) not in owned]
    result = {kind: configurations for kind, configurations in result.items() if configurations}
    if "EventBridgeConfiguration" in wanted or (
            "EventBridgeConfiguration" in current and "EventBridgeConfiguration" not in before):
        result["EventBridgeConfiguration"] = {}
    return {"Bucket": desired["BucketName"], "NotificationConfiguration": result}


def put_log_group_retention(logs, model: dict) -> None:
    """Gives a log group the retention its CloudFormation properties say, or none when they say none."""
    if model.get("RetentionInDays"):
        logs.put_retention_policy(logGroupName=model["LogGroupName"], retentionInDays=int(model["RetentionInDays"]))
    else:
        logs.delete_retention_policy(logGroupName=model["LogGroupName"])


@install_once
def update_in_place() -> bool:
    """LocalStack 2026.3's CloudFormation providers of these types have no update (they raise NotImplementedError,
    logged as a warning): a second deploy that changed one reported it done and kept the old settings. So a budget's
    new limit left its alarm at the old threshold, a function's new `retryAttempts` left Lambda retrying as before, and
    a new `logRetention` changed nothing; the log group's create ignored the retention from the start. Each update
    here is the call CloudFormation makes, on the resource the create made (their names are create-only: a new name
    is a replacement, which LocalStack does):
    - AWS::CloudWatch::Alarm: PutMetricAlarm under the alarm's name, which replaces its configuration;
    - AWS::Lambda::EventInvokeConfig: PutFunctionEventInvokeConfig, which replaces the function's. LocalStack replaces
      the resource instead when the function changed too (its FunctionName, create-only, refers to the function): the
      new one puts the same function's configuration, and the old one's removal deleted it. That removal now leaves a
      configuration another resource put since;
    - AWS::Logs::LogGroup: PutRetentionPolicy, or DeleteRetentionPolicy when the retention is gone (its tags, key and
      data protection policy are still not updated);
    - AWS::S3::Bucket: what changed of its notifications (an OBS trigger's new prefix, suffix or events, a trigger
      added or removed, a function's `live` alias that went; those the template never declared, such as CDK's
      custom resource puts for a queue, a topic or EventBridge, are kept), versioning (suspended when removed), CORS,
      tags and website (the rest of a bucket's settings LocalStack's create does not apply either).
    And updates that left part of the change out: AWS::ApiGateway::Method put the integration only, so an HTTP
    trigger's new `auth` (NONE to IAM: unsigned requests still answered 200) is now applied with UpdateMethod;
    AWS::IAM::Role ignored its inline policies, where stagegraph puts every grant of a function or a flow (a trigger
    or flow node added, a grant removed): they are now put, and those the new template lacks deleted.
    A new memory size or timeout renames the billing meter's subscription filter: that is a replacement, which
    LocalStack does."""
    try:
        from localstack.services.cloudformation.resource_provider import OperationStatus
        from localstack.services.cloudwatch.resource_providers.aws_cloudwatch_alarm import CloudWatchAlarmProvider
        from localstack.services.lambda_.resource_providers.aws_lambda_eventinvokeconfig import (
            LambdaEventInvokeConfigProvider,
        )
        from localstack.services.apigateway.resource_providers.aws_apigateway_method import ApiGatewayMethodProvider
        from localstack.services.iam.resource_providers.aws_iam_role import IAMRoleProvider
        from localstack.services.logs.resource_providers.aws_logs_loggroup import LogsLogGroupProvider
        from localstack.services.s3.resource_providers.aws_s3_bucket import S3BucketProvider
        from localstack.utils.patch import patch
    except ImportError:  # not inside LocalStack
        return False

    def update_alarm(self, request):
        keep_name(request, "AlarmName")
        return CloudWatchAlarmProvider.create(self, request)

    def invoke_config_key(model) -> tuple[str, str]:
        return str(model.get("FunctionName")), str(model.get("Qualifier") or "$LATEST")

    @patch(LambdaEventInvokeConfigProvider.create)
    def create_invoke_config(fn, self, request):
        event = fn(self, request)
        if event.status == OperationStatus.SUCCESS:
            _INVOKE_CONFIG_OWNERS[invoke_config_key(request.desired_state)] = request.desired_state["Id"]
        return event

    def update_invoke_config(self, request):
        model = request.desired_state
        request.aws_client_factory.lambda_.put_function_event_invoke_config(
            **{name: model[name] for name in _INVOKE_CONFIG_FIELDS if model.get(name) is not None})
        model["Id"] = (request.previous_state or {}).get("Id") or model.get("Id")
        _INVOKE_CONFIG_OWNERS[invoke_config_key(model)] = model["Id"]
        return succeeded(request, model)

    @patch(LambdaEventInvokeConfigProvider.delete)
    def delete_invoke_config(fn, self, request):
        model = request.desired_state
        owner = _INVOKE_CONFIG_OWNERS.get(invoke_config_key(model))
        if owner is not None and owner != model.get("Id"):
            return succeeded(request, model)
        _INVOKE_CONFIG_OWNERS.pop(invoke_config_key(model), None)
        return fn(self, request)

    @patch(LogsLogGroupProvider.create)
    def create_log_group(fn, self, request):
        event = fn(self, request)
        if event.status == OperationStatus.SUCCESS and request.desired_state.get("RetentionInDays"):
            put_log_group_retention(request.aws_client_factory.logs, request.desired_state)
        return event

    def update_log_group(self, request):
        keep_name(request, "LogGroupName")
        model = request.desired_state
        put_log_group_retention(request.aws_client_factory.logs, model)
        model["Arn"] = model.get("Arn") or (request.previous_state or {}).get("Arn")
        return succeeded(request, model)

    def update_bucket(self, request):
        keep_name(request, "BucketName")
        model, previous = request.desired_state, request.previous_state or {}
        s3 = request.aws_client_factory.s3
        bucket = model["BucketName"]
        self._setup_post_creation_attributes(model, request.region_name)

        def changed(name: str) -> bool:
            return model.get(name) != previous.get(name)

        if changed("NotificationConfiguration"):
            current = s3.get_bucket_notification_configuration(Bucket=bucket)
            s3.put_bucket_notification_configuration(**bucket_notifications(self, previous, model, current))
        if changed("VersioningConfiguration") and (model.get("VersioningConfiguration") or previous.get("VersioningConfiguration")):
            status = (model.get("VersioningConfiguration") or {}).get("Status", "Suspended")
            s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": status})
        if changed("CorsConfiguration"):
            if cors := self._transform_cfn_cors(model.get("CorsConfiguration")):
                s3.put_bucket_cors(Bucket=bucket, CORSConfiguration=cors)
            else:
                s3.delete_bucket_cors(Bucket=bucket)
        if changed("Tags"):
            if tags := model.get("Tags"):
                s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": tags})
            else:
                s3.delete_bucket_tagging(Bucket=bucket)
        if changed("WebsiteConfiguration"):
            if website := self._transform_website_configuration(model.get("WebsiteConfiguration")):
                s3.put_bucket_website(Bucket=bucket, WebsiteConfiguration=website)
            else:
                s3.delete_bucket_website(Bucket=bucket)
        return succeeded(request, model)

    @patch(ApiGatewayMethodProvider.update)
    def update_method(fn, self, request):
        event = fn(self, request)
        model = request.desired_state
        operations = method_patch_operations(request.previous_state or {}, model)
        if event.status == OperationStatus.SUCCESS and operations:
            request.aws_client_factory.apigateway.update_method(
                restApiId=model["RestApiId"], resourceId=model["ResourceId"], httpMethod=model["HttpMethod"],
                patchOperations=operations)
        return event

    @patch(IAMRoleProvider.update)
    def update_role(fn, self, request):
        event = fn(self, request)
        previous, desired = request.previous_state or {}, request.desired_state
        if event.status != OperationStatus.SUCCESS or (desired.get("Policies") or []) == (previous.get("Policies") or []):
            return event
        iam = request.aws_client_factory.iam
        model = dict(event.resource_model or previous)
        role = model.get("RoleName") or previous.get("RoleName")
        wanted = {policy["PolicyName"]: policy["PolicyDocument"] for policy in desired.get("Policies") or []}
        # LocalStack's update may have made the role again (a new trust policy): only what it has can be deleted.
        has = set(iam.list_role_policies(RoleName=role).get("PolicyNames") or [])
        for policy in previous.get("Policies") or []:
            if policy["PolicyName"] not in wanted and policy["PolicyName"] in has:
                iam.delete_role_policy(RoleName=role, PolicyName=policy["PolicyName"])
        for name, document in wanted.items():
            iam.put_role_policy(RoleName=role, PolicyName=name,
                                PolicyDocument=document if isinstance(document, str) else json.dumps(document))
        model["Policies"] = desired.get("Policies")
        event.resource_model = model
        return event

    S3BucketProvider.update = update_bucket
    CloudWatchAlarmProvider.update = update_alarm
    LambdaEventInvokeConfigProvider.update = update_invoke_config
    LogsLogGroupProvider.update = update_log_group
    return True


# What a property a second deploy removed is set to, by resource type: AWS's value for "none". LocalStack's updates
# pass on only the properties the new template has, so a removed one kept its old value.
CLEARED_PROPERTIES: dict[str, dict] = {
    "AWS::Lambda::Function": {
        "Environment": {"Variables": {}}, "Layers": [], "TracingConfig": {"Mode": "PassThrough"}, "Description": "",
        "DeadLetterConfig": {},
    },
    # Not RedrivePolicy: LocalStack refuses an empty one, and has no way to remove it.
    "AWS::SNS::Subscription": {"FilterPolicy": "", "RawMessageDelivery": "false"},
    "AWS::Lambda::EventSourceMapping": {
        "MaximumBatchingWindowInSeconds": 0, "FunctionResponseTypes": [], "FilterCriteria": {"Filters": []},
        "BisectBatchOnFunctionError": False, "MaximumRetryAttempts": -1, "MaximumRecordAgeInSeconds": -1,
        "ParallelizationFactor": 1, "TumblingWindowInSeconds": 0,
    },
}


def clear_removed(resource_type: str, previous: dict | None, desired: dict) -> list[str]:
    """Sets each property the previous template had and the new one lacks to its cleared value (only those: a mapping's
    stream settings would be refused on a queue's); returns their names."""
    cleared = []
    for name, value in CLEARED_PROPERTIES.get(resource_type, {}).items():
        if (previous or {}).get(name) is not None and desired.get(name) is None:
            desired[name] = value
            cleared.append(name)
    return cleared


def clear_removed_logging(previous: dict | None, desired: dict) -> list[str]:
    """A function's LoggingConfig whose LogGroup or LogFormat the new template removed (a function given a log group of
    its own, `logRetention`; JSON back to text): LocalStack merges the new configuration over the old one, so it
    would keep writing to the stack's log group. Set them to Lambda's defaults, `/aws/lambda/<name>` and Text; returns
    the fields set."""
    before = (previous or {}).get("LoggingConfig") or {}
    after = dict(desired.get("LoggingConfig") or {})
    name = desired.get("FunctionName") or (previous or {}).get("FunctionName")
    cleared = []
    if before.get("LogGroup") and not after.get("LogGroup") and name:
        after["LogGroup"] = f"/aws/lambda/{name}"
        cleared.append("LoggingConfig.LogGroup")
    if before.get("LogFormat") and not after.get("LogFormat"):
        after["LogFormat"] = "Text"
        cleared.append("LoggingConfig.LogFormat")
    if cleared:
        desired["LoggingConfig"] = after
    return cleared


def tag_changes(previous: dict | None, desired: dict) -> tuple[dict[str, str], list[str]]:
    """The tags a function's update must set (new or with a new value) and those it must remove (the new template
    lacks them): LocalStack's update of a function changes none, so a tag added, changed or removed kept its first
    deploy's state."""
    before = {tag["Key"]: tag["Value"] for tag in (previous or {}).get("Tags") or []}
    after = {tag["Key"]: tag["Value"] for tag in desired.get("Tags") or []}
    return {key: value for key, value in after.items() if before.get(key) != value}, sorted(set(before) - set(after))


def update_function_tags(client, function_name: str, previous: dict | None, desired: dict) -> None:
    """Applies tag_changes to the function named (TagResource and UntagResource take its ARN)."""
    to_set, to_remove = tag_changes(previous, desired)
    if not to_set and not to_remove:
        return
    arn = client.get_function(FunctionName=function_name)["Configuration"]["FunctionArn"]
    if to_set:
        client.tag_resource(Resource=arn, Tags=to_set)
    if to_remove:
        client.untag_resource(Resource=arn, TagKeys=to_remove)


@install_once
def clear_removed_properties() -> bool:
    """A second deploy that removed a property kept its old value: LocalStack's updates of functions, SNS subscriptions
    and event source mappings pass on only the properties the new template has. So a function whose `environment`,
    `libraries`, `tracing` or dead-letter queue was removed kept its variables, layer, X-Ray tracing and queue; an SMN trigger whose filter policy
    was removed still dropped messages; a DMS or DIS trigger whose `maxBatchingWindow` or `reportBatchItemFailures`
    was removed kept them; a function given a log group of its own kept writing to the stack's. The update now sets
    what was removed to AWS's value for none (CLEARED_PROPERTIES, clear_removed_logging). A function's tags were not
    updated at all: they are now (update_function_tags)."""
    try:
        from localstack.services.lambda_.resource_providers.aws_lambda_eventsourcemapping import (
            LambdaEventSourceMappingProvider,
        )
        from localstack.services.cloudformation.resource_provider import OperationStatus
        from localstack.services.lambda_.resource_providers.aws_lambda_function import LambdaFunctionProvider
        from localstack.services.sns.resource_providers.aws_sns_subscription import SNSSubscriptionProvider
        from localstack.utils.patch import patch
    except ImportError:  # not inside LocalStack
        return False

    def clearing(resource_type: str):
        def update(fn, self, request):
            clear_removed(resource_type, request.previous_state, request.desired_state)
            if resource_type != "AWS::Lambda::Function":
                return fn(self, request)
            clear_removed_logging(request.previous_state, request.desired_state)
            event = fn(self, request)
            new_name = request.desired_state.get("FunctionName")
            # A new name is a replacement, made by LocalStack's create with the new template's tags.
            if event.status == OperationStatus.SUCCESS and new_name in (None, request.previous_state["FunctionName"]):
                update_function_tags(request.aws_client_factory.lambda_, request.previous_state["FunctionName"],
                                     request.previous_state, request.desired_state)
                # LocalStack's model merges the new state over the old: tags all removed would stay in it, and be the
                # next update's previous tags (one put back with its old value would then look unchanged).
                event.resource_model = {**(event.resource_model or {}), "Tags": request.desired_state.get("Tags") or []}
            return event
        return update

    patch(LambdaFunctionProvider.update)(clearing("AWS::Lambda::Function"))
    patch(SNSSubscriptionProvider.update)(clearing("AWS::SNS::Subscription"))
    patch(LambdaEventSourceMappingProvider.update)(clearing("AWS::Lambda::EventSourceMapping"))
    return True


_REPLACEMENT_CLEANUP = "cleanup-from-replacement-"


@install_once
def list_replacements() -> bool:
    """A resource LocalStack's CloudFormation replaced (a new memory size renames the billing meter's subscription
    filter; a flow that becomes EXPRESS) vanished from DescribeStackResources and ListStackResources, which the CLI
    and the testing kit read to name what an app deployed: the old resource's removal, under the same logical id,
    set its status over the new one's and then dropped the id. The removal now leaves the new one's entry."""
    try:
        from localstack.services.cloudformation.engine.v2.change_set_model_executor import ChangeSetModelExecutor
        from localstack.utils.patch import patch
    except ImportError:  # not inside LocalStack
        return False

    @patch(ChangeSetModelExecutor._defer_action)
    def defer_action(fn, self, name, action):
        if not name.startswith(_REPLACEMENT_CLEANUP):
            return fn(self, name, action)
        logical_id = name[len(_REPLACEMENT_CLEANUP):]

        def cleanup():
            states = self._change_set.stack.resource_states
            replacement = states.get(logical_id)
            try:
                return action()
            finally:
                if replacement is not None:
                    states[logical_id] = replacement

        return fn(self, name, cleanup)

    return True


@install_once
def mock_states_errors() -> bool:
    """Step Functions' mocked responses (SFN_MOCK_CONFIG) may throw the service's own errors, such as
    `States.Timeout` for a step that times out, as Step Functions Local allows; LocalStack 2026.3 builds every
    mocked error as a custom error name, which must not start with `States.`, and so fails the execution with
    `Exception` instead. Build a `States.*` error as the service's own, so that Retry and Catch match it."""
    try:
        from localstack.aws.api.stepfunctions import HistoryEventType, TaskFailedEventDetails
        from localstack.services.stepfunctions.asl.component.common.error_name.failure_event import (
            FailureEvent,
            FailureEventException,
        )
        from localstack.services.stepfunctions.asl.component.common.error_name.states_error_name import StatesErrorName
        from localstack.services.stepfunctions.asl.component.state.state_execution.state_task import (
            local_mock_eval_utils,
        )
        from localstack.services.stepfunctions.asl.eval.event.event_detail import EventDetails
        from localstack.utils.patch import patch
    except ImportError:  # not inside LocalStack
        return False

    @patch(local_mock_eval_utils._eval_mocked_response_throw)
    def throw(fn, env, mocked_response):
        try:
            error_name = StatesErrorName.from_name(mocked_response.error)
        except ValueError:  # not one of the service's errors
            return fn(env, mocked_response)
        failure_event = FailureEvent(
            env=env,
            error_name=error_name,
            event_type=HistoryEventType.TaskFailed,
            event_details=EventDetails(
                taskFailedEventDetails=TaskFailedEventDetails(error=mocked_response.error, cause=mocked_response.cause)
            ),
        )
        raise FailureEventException(failure_event=failure_event)

    return True
