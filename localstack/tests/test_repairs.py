"""The CloudWatch Logs repair, against stand-ins of LocalStack's patch utility and moto's LogGroup
with LocalStack's failing wrapper."""
import json
import logging
import sys
import types

import pytest

from stagegraph_localstack import repairs


@pytest.fixture
def fake_localstack(monkeypatch):
    class LogGroup:
        def __init__(self):
            self.streams = {}
            self.subscription_filters = {"meter": object()}

        def create_log_stream(self, name):
            # What LocalStack 2026.3's wrapper does: moto creates the stream, then the wrapper
            # indexes dict_values and fails.
            self.streams[name] = object()
            filters = self.subscription_filters.values()
            return filters[0]["filterPattern"]

    def patch(target):
        def decorate(wrapper):
            # LocalStack's patch replaces the method it is given with the wrapper, passing the original.
            assert target is LogGroup.create_log_stream
            LogGroup.create_log_stream = lambda self, *a, **k: wrapper(target, self, *a, **k)
            return wrapper
        return decorate

    modules = {
        "localstack": types.ModuleType("localstack"),
        "localstack.services": types.ModuleType("localstack.services"),
        "localstack.services.logs": types.ModuleType("localstack.services.logs"),
        "localstack.services.logs.provider": types.ModuleType("localstack.services.logs.provider"),
        "localstack.utils": types.ModuleType("localstack.utils"),
        "localstack.utils.patch": types.ModuleType("localstack.utils.patch"),
        "moto": types.ModuleType("moto"),
        "moto.logs": types.ModuleType("moto.logs"),
        "moto.logs.models": types.ModuleType("moto.logs.models"),
    }
    modules["localstack.utils.patch"].patch = patch
    modules["moto.logs.models"].LogGroup = LogGroup
    for name, module in modules.items():
        monkeypatch.setitem(sys.modules, name, module)
    repairs.repair_create_log_stream.reset()
    yield LogGroup
    # applied to the fake modules only: the real repair must still apply in LocalStack's interpreter
    repairs.repair_create_log_stream.reset()


def test_a_stream_created_before_the_wrapper_fails_counts_as_created(fake_localstack):
    group = fake_localstack()
    with pytest.raises(TypeError):
        group.create_log_stream("before the repair")

    assert repairs.repair_create_log_stream() is True
    assert group.create_log_stream("2026/11/24/[$LATEST]abc") is None
    assert "2026/11/24/[$LATEST]abc" in group.streams
    # Applying it again changes nothing.
    assert repairs.repair_create_log_stream() is True


def test_other_failures_still_fail(fake_localstack):
    def broken(self, name):
        raise TypeError("broken before creating anything")

    fake_localstack.create_log_stream = broken
    repairs.repair_create_log_stream()
    with pytest.raises(TypeError, match="broken before"):
        fake_localstack().create_log_stream("x")


def test_outside_localstack_nothing_is_applied(monkeypatch):
    repairs.repair_create_log_stream.reset()
    monkeypatch.setitem(sys.modules, "localstack.services.logs.provider", None)
    assert repairs.repair_create_log_stream() is False


def test_function_code_is_unzipped_below_localstacks_own_tmp_folder_not_the_shared_one():
    lambda_models = pytest.importorskip("localstack.services.lambda_.invocation.lambda_models")
    from localstack import config

    assert repairs.keep_function_code_private()
    code = lambda_models.S3Code(id="abc", account_id="000000000000", s3_bucket="awslambda-us-east-1-tasks",
                                s3_key="k", s3_object_version=None, code_sha256="x", code_size=1)
    location = str(code.get_unzipped_code_location())
    assert location == f"{config.dirs.tmp}/lambda-code/awslambda-us-east-1-tasks/abc/code"
    assert not location.startswith(f"{__import__('tempfile').gettempdir()}/lambda/")


class _Transport:
    """What an HTTP channel writes to: enough of a TCP transport for one request."""

    disconnecting = False

    def __init__(self):
        self.written = []

    def write(self, data):
        self.written.append(data)

    def writeSequence(self, data):
        self.written.extend(data)

    def getPeer(self):
        from twisted.internet.address import IPv4Address

        return IPv4Address("TCP", "127.0.0.1", 40000)

    def getHost(self):
        from twisted.internet.address import IPv4Address

        return IPv4Address("TCP", "127.0.0.1", 4566)

    def registerProducer(self, producer, streaming):
        pass

    def unregisterProducer(self):
        pass

    def pauseProducing(self):
        pass

    def resumeProducing(self):
        pass

    def stopProducing(self):
        pass

    def loseConnection(self):
        self.disconnecting = True


def _serve_one(site, request_bytes: bytes) -> None:
    channel = site.buildProtocol(("127.0.0.1", 1234))
    channel.makeConnection(_Transport())
    channel.dataReceived(request_bytes)
    channel.connectionLost(None)


@pytest.mark.parametrize("mode", ["light", "full"])
def test_twisted_leaves_a_form_body_to_localstack_and_writes_no_access_log(monkeypatch, mode):
    resource = pytest.importorskip("twisted.web.resource")
    server = pytest.importorskip("twisted.web.server")
    if mode == "full":
        monkeypatch.setenv("STAGEGRAPH_TWISTED_REQUESTS", "full")
    seen = {}

    class Recorder(resource.Resource):
        isLeaf = True

        def render_POST(self, request):
            seen["args"] = dict(request.args)
            seen["body"] = request.content.read()
            return b"ok"

    site = server.Site(Recorder())
    logged = []
    site._logFile = types.SimpleNamespace(write=logged.append)
    site._logDateTime = "-"
    repairs.lighten_twisted_requests(site)
    body = b"Action=SendMessage&MessageBody=hi"
    _serve_one(site, b"POST / HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-www-form-urlencoded; charset=utf-8\r\n"
               b"Content-Length: %d\r\n\r\n%s" % (len(body), body))
    # The body reaches the application whole either way; twisted's own parse of it and its log line only in "full".
    assert seen["body"] == body
    if mode == "light":
        assert seen["args"] == {}
        assert logged == []
    else:
        assert seen["args"] == {b"Action": [b"SendMessage"], b"MessageBody": [b"hi"]}
        assert len(logged) == 1 and '"POST / HTTP/1.1" 200' in logged[0]


@pytest.mark.parametrize("every", [False, True])
def test_the_log_keeps_the_requests_that_fail_unless_every_request_is_asked_for(monkeypatch, caplog, every):
    handlers = pytest.importorskip("localstack.aws.handlers.logging")
    assert repairs.log_failed_requests_only()
    monkeypatch.setattr(repairs, "_EVERY_REQUEST", every)
    logger = handlers.ResponseLogger()

    def answer(status, exception=None, operation=True):
        request = types.SimpleNamespace(path="/2015-03-31/functions/f/invocations", method="POST", headers={})
        context = types.SimpleNamespace(
            request=request, is_internal_call=False, service_exception=exception, account_id="000000000000",
            region="us-east-1", service=types.SimpleNamespace(service_name="lambda"), service_request={},
            service_response={},
            operation=types.SimpleNamespace(name="Invoke", input_shape=None, output_shape=None) if operation else None)
        monkeypatch.setattr(handlers, "restore_payload", lambda r: b"")
        logger(None, context, types.SimpleNamespace(status_code=status, headers={}, is_streamed=True))

    with caplog.at_level(logging.INFO, logger="localstack.request"):
        answer(200)
        answer(202, operation=False)
        answer(404, types.SimpleNamespace(code="ResourceNotFoundException", message="Function not found"))
        answer(500, operation=False)
    lines = [r.getMessage() for r in caplog.records if r.name.startswith("localstack.request")]
    failed = ["AWS lambda.Invoke => 404 (ResourceNotFoundException)", "POST /2015-03-31/functions/f/invocations => 500"]
    if every:
        assert lines == ["AWS lambda.Invoke => 200", "POST /2015-03-31/functions/f/invocations => 202", *failed]
    else:
        assert lines == failed


FORM_BODIES = [b'{"x":1}', b"a", b"a=1&b=2+3&c=%20&a=4", b"\xff\x00 not text", b""]


@pytest.mark.parametrize("read_first", ["nothing", "form", "data"])
@pytest.mark.parametrize("body", FORM_BODIES)
def test_a_form_body_reaches_a_rest_api_function_as_it_came(body, read_first):
    rolo = pytest.importorskip("rolo.request")
    parse = pytest.importorskip("localstack.services.apigateway.next_gen.execute_api.handlers.parse")
    urlrouter = pytest.importorskip("localstack.services.lambda_.urlrouter")
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    # Without the repair, LocalStack's gateway rebuilt the body from the form werkzeug read it into: `{"x":1}` came
    # as `%7B%22x%22%3A1%7D=`.
    assert repairs.keep_raw_form_bodies()
    request = rolo.Request("POST", "/_aws/execute-api/abc/live/items/7", headers=form, body=body)
    if read_first == "form":
        request.form  # LocalStack may look at the form first (which service is this for?)
    elif read_first == "data":
        request.data  # reads the form, then the spent stream: werkzeug's own copy is emptied
    assert parse.restore_payload(request) == body
    # The same wherever it was imported: a function URL, rolo's proxy, LocalStack's request log.
    assert urlrouter.restore_payload(request) == rolo.restore_payload(request) == body
    assert repairs.request_body(request) == body  # what a signature is checked against
    if body == b"a=1&b=2+3&c=%20&a=4":
        # The form is still read, from the kept bytes.
        assert request.form.getlist("a") == ["1", "4"] and request.form["b"] == "2 3"


def test_a_multipart_body_and_a_json_body_come_through_unchanged_too():
    rolo = pytest.importorskip("rolo.request")
    parse = pytest.importorskip("localstack.services.apigateway.next_gen.execute_api.handlers.parse")
    assert repairs.keep_raw_form_bodies()
    multipart = (b'--XyZ\r\nContent-Disposition: form-data; name="f"; filename="a.txt"\r\n'
                 b"Content-Type: text/plain\r\n\r\nline\r\n--XyZ--\r\n")
    request = rolo.Request("POST", "/p", headers={"Content-Type": "multipart/form-data; boundary=XyZ"}, body=multipart)
    assert request.files["f"].read() == b"line"
    assert parse.restore_payload(request) == multipart
    json = rolo.Request("PUT", "/p", headers={"Content-Type": "application/json"}, body=b'{"a":1}')
    assert parse.restore_payload(json) == b'{"a":1}'


def test_a_stage_update_moves_it_to_the_new_deployment_and_settings():
    assert repairs.stage_patch_operations(
        {"DeploymentId": "old", "Description": "d", "TracingEnabled": False, "Variables": {"a": "1", "gone": "x"},
         "AccessLogSetting": {"DestinationArn": "arn:1", "Format": "$context.requestId"}},
        {"DeploymentId": "new", "Description": "d", "TracingEnabled": True, "Variables": {"a": "2", "b": "3"},
         "AccessLogSetting": {"DestinationArn": "arn:2", "Format": "$context.requestId"}},
    ) == [
        {"op": "replace", "path": "/deploymentId", "value": "new"},
        {"op": "replace", "path": "/tracingEnabled", "value": "true"},
        {"op": "replace", "path": "/variables/a", "value": "2"},
        {"op": "replace", "path": "/variables/b", "value": "3"},
        {"op": "remove", "path": "/variables/gone"},
        {"op": "replace", "path": "/accessLogSettings/destinationArn", "value": "arn:2"},
        {"op": "replace", "path": "/accessLogSettings/format", "value": "$context.requestId"},
    ]
    assert repairs.stage_patch_operations({"DeploymentId": "same"}, {"DeploymentId": "same"}) == []
    assert repairs.stage_patch_operations({"AccessLogSetting": {"Format": "f"}}, {}) == [
        {"op": "remove", "path": "/accessLogSettings"}]


def test_cloudformation_updates_a_rest_api_stage_through_update_stage():
    stage = pytest.importorskip("localstack.services.apigateway.resource_providers.aws_apigateway_stage")
    provider_module = pytest.importorskip("localstack.services.cloudformation.resource_provider")
    assert repairs.update_rest_api_stages()
    calls = []
    apigateway = types.SimpleNamespace(update_stage=lambda **kwargs: calls.append(kwargs))
    request = types.SimpleNamespace(
        desired_state={"RestApiId": "api1", "StageName": "live", "DeploymentId": "dep2"},
        previous_state={"RestApiId": "api1", "StageName": "live", "DeploymentId": "dep1"},
        aws_client_factory=types.SimpleNamespace(apigateway=apigateway),
        custom_context={},
    )

    event = stage.ApiGatewayStageProvider().update(request)

    assert event.status == provider_module.OperationStatus.SUCCESS
    assert event.resource_model["StageName"] == "live"
    assert calls == [{"restApiId": "api1", "stageName": "live",
                      "patchOperations": [{"op": "replace", "path": "/deploymentId", "value": "dep2"}]}]


def test_a_form_body_too_big_or_of_unknown_size_is_left_to_werkzeug(monkeypatch):
    rolo = pytest.importorskip("rolo.request")
    assert repairs.keep_raw_form_bodies()
    monkeypatch.setattr(repairs, "KEPT_BODY_BYTES", 10)
    big = rolo.Request("POST", "/p", headers={"Content-Type": "application/x-www-form-urlencoded"}, body=b"a=" + b"x" * 20)
    assert big.form["a"] == "x" * 20
    assert repairs.RAW_BODY not in big.__dict__


def test_a_replacement_alias_takes_the_existing_one_over_and_the_old_ones_removal_leaves_it():
    alias = pytest.importorskip("localstack.services.lambda_.resource_providers.lambda_alias")
    provider_module = pytest.importorskip("localstack.services.cloudformation.resource_provider")
    from botocore.exceptions import ClientError
    assert repairs.take_over_replaced_aliases()
    calls = []
    revision = {"now": "r1"}

    class NotFound(Exception):
        pass

    def create_alias(**kwargs):
        raise ClientError({"Error": {"Code": "ResourceConflictException", "Message": "Alias already exists"}},
                          "CreateAlias")

    def update_alias(**kwargs):
        calls.append(("update_alias", kwargs))
        revision["now"] = "r2"
        return {"AliasArn": "arn:f:live"}

    lambda_ = types.SimpleNamespace(
        create_alias=create_alias, update_alias=update_alias,
        put_provisioned_concurrency_config=lambda **kwargs: calls.append(("put", kwargs)),
        get_alias=lambda **kwargs: {"RevisionId": revision["now"]},
        delete_alias=lambda **kwargs: calls.append(("delete_alias", kwargs)),
        exceptions=types.SimpleNamespace(ResourceNotFoundException=NotFound),
    )
    clients = types.SimpleNamespace(lambda_=lambda_)
    new = {"FunctionName": "f", "Name": "live", "FunctionVersion": "2",
           "ProvisionedConcurrencyConfig": {"ProvisionedConcurrentExecutions": 1}}
    old = {"FunctionName": "f", "Name": "live", "FunctionVersion": "1", "Id": "arn:f:live"}
    provider = alias.LambdaAliasProvider()

    made = provider.create(types.SimpleNamespace(desired_state=dict(new), aws_client_factory=clients, custom_context={}))
    assert made.status == provider_module.OperationStatus.IN_PROGRESS and made.resource_model["Id"] == "arn:f:live"
    removed = provider.delete(types.SimpleNamespace(desired_state=old, previous_state=old, aws_client_factory=clients))
    assert removed.status == provider_module.OperationStatus.SUCCESS
    assert calls == [
        ("update_alias", {"FunctionName": "f", "Name": "live", "FunctionVersion": "2"}),
        ("put", {"FunctionName": "f", "Qualifier": "live", "ProvisionedConcurrentExecutions": 1}),
    ]
    # Later removals (the stack's own deletion) remove it.
    provider.delete(types.SimpleNamespace(desired_state=old, previous_state=old, aws_client_factory=clients))
    assert calls[-1] == ("delete_alias", {"FunctionName": "f", "Name": "live"})


def _request(desired, previous=None, **clients):
    return types.SimpleNamespace(desired_state=dict(desired), previous_state=previous,
                                 aws_client_factory=types.SimpleNamespace(**clients), custom_context={},
                                 stack_name="S", logical_resource_id="R")


def test_an_alarm_update_puts_the_alarm_again_under_its_name():
    alarm = pytest.importorskip("localstack.services.cloudwatch.resource_providers.aws_cloudwatch_alarm")
    assert repairs.update_in_place()
    put = []
    cloudwatch = types.SimpleNamespace(
        put_metric_alarm=lambda **kwargs: put.append(kwargs),
        describe_alarms=lambda **kwargs: {"MetricAlarms": [{"AlarmArn": "arn:alarm:Budget", "AlarmName": "Budget"}]},
    )
    settings = {"ComparisonOperator": "GreaterThanThreshold", "EvaluationPeriods": 1, "MetricName": "CostUsd",
                "Namespace": "Stagegraph/Billing", "Period": 86400, "Statistic": "Sum"}

    event = alarm.CloudWatchAlarmProvider().update(_request(
        {**settings, "Threshold": 5}, {**settings, "Threshold": 10, "AlarmName": "Budget"}, cloudwatch=cloudwatch))

    assert put == [{**settings, "Threshold": 5, "AlarmName": "Budget"}]
    assert event.resource_model["AlarmName"] == "Budget"


def test_a_log_group_gets_its_retention_when_made_and_when_it_changes_or_goes():
    group = pytest.importorskip("localstack.services.logs.resource_providers.aws_logs_loggroup")
    assert repairs.update_in_place()
    calls = []
    logs = types.SimpleNamespace(
        create_log_group=lambda **kwargs: calls.append(("create", kwargs)),
        describe_log_groups=lambda **kwargs: {"logGroups": [{"arn": "arn:logs:/aws/lambda/f"}]},
        put_retention_policy=lambda **kwargs: calls.append(("put", kwargs)),
        delete_retention_policy=lambda **kwargs: calls.append(("delete", kwargs)),
    )
    provider = group.LogsLogGroupProvider()
    made = provider.create(_request({"LogGroupName": "/aws/lambda/f", "RetentionInDays": 7}, logs=logs))
    previous = made.resource_model
    changed = provider.update(_request({"LogGroupName": "/aws/lambda/f", "RetentionInDays": 30}, previous, logs=logs))
    provider.update(_request({"LogGroupName": "/aws/lambda/f"}, changed.resource_model, logs=logs))

    assert calls == [
        ("create", {"logGroupName": "/aws/lambda/f"}),
        ("put", {"logGroupName": "/aws/lambda/f", "retentionInDays": 7}),
        ("put", {"logGroupName": "/aws/lambda/f", "retentionInDays": 30}),
        ("delete", {"logGroupName": "/aws/lambda/f"}),
    ]
    assert changed.resource_model["Arn"] == "arn:logs:/aws/lambda/f"


def test_a_subscription_filter_update_puts_it_again_under_its_name_with_the_new_destination():
    provider_module = pytest.importorskip("localstack.services.logs.resource_providers.aws_logs_subscriptionfilter")
    assert repairs.honour_subscription_filter_names()
    calls = []
    logs = types.SimpleNamespace(put_subscription_filter=lambda **kwargs: calls.append(kwargs))
    provider = provider_module.LogsSubscriptionFilterProvider()
    settings = {"LogGroupName": "/aws/lambda/S/functions", "FilterPattern": "REPORT"}
    made = provider.create(_request({**settings, "FilterName": "stagegraph-meter-functions",
                                     "DestinationArn": "arn:fn:old-meter"}, logs=logs))
    # The meter renamed: a new destination, the same filter (its name left to the previous state here).
    updated = provider.update(_request({**settings, "DestinationArn": "arn:fn:new-meter"}, made.resource_model,
                                       logs=logs))

    assert calls == [
        {"logGroupName": "/aws/lambda/S/functions", "filterName": "stagegraph-meter-functions",
         "filterPattern": "REPORT", "destinationArn": "arn:fn:old-meter"},
        {"logGroupName": "/aws/lambda/S/functions", "filterName": "stagegraph-meter-functions",
         "filterPattern": "REPORT", "destinationArn": "arn:fn:new-meter"},
    ]
    assert updated.resource_model["FilterName"] == "stagegraph-meter-functions"

    # The group's two filters, this one and another: moto refuses a third before it looks at the name. The update
    # removes this one and puts it again (a create still fails, as CloudWatch Logs would).
    class LimitExceededException(Exception):
        pass

    filters = {"stagegraph-meter-functions": "arn:fn:new-meter", "users-own": "arn:fn:elsewhere"}

    def put_filter(**kwargs):
        if len(filters) >= 2:  # as moto: the count first, whatever the name
            raise LimitExceededException()
        filters[kwargs["filterName"]] = kwargs["destinationArn"]

    calls.clear()
    logs = types.SimpleNamespace(
        put_subscription_filter=put_filter,
        delete_subscription_filter=lambda **kwargs: (calls.append(kwargs), filters.pop(kwargs["filterName"])),
        exceptions=types.SimpleNamespace(LimitExceededException=LimitExceededException),
    )
    provider.update(_request({**settings, "DestinationArn": "arn:fn:third-meter"}, updated.resource_model, logs=logs))
    assert calls == [{"logGroupName": "/aws/lambda/S/functions", "filterName": "stagegraph-meter-functions"}]
    assert filters == {"stagegraph-meter-functions": "arn:fn:third-meter", "users-own": "arn:fn:elsewhere"}


def test_an_invoke_configuration_is_put_again_and_a_replaced_resources_removal_leaves_the_new_one():
    config = pytest.importorskip("localstack.services.lambda_.resource_providers.aws_lambda_eventinvokeconfig")
    assert repairs.update_in_place()
    calls = []
    lambda_ = types.SimpleNamespace(
        put_function_event_invoke_config=lambda **kwargs: calls.append(("put", kwargs)),
        delete_function_event_invoke_config=lambda **kwargs: calls.append(("delete", kwargs)),
    )
    provider = config.LambdaEventInvokeConfigProvider()
    old = provider.create(_request({"FunctionName": "f", "Qualifier": "$LATEST", "MaximumRetryAttempts": 0},
                                   lambda_=lambda_)).resource_model
    # An update in place: the same resource, the new settings.
    updated = provider.update(_request({"FunctionName": "f", "Qualifier": "$LATEST", "MaximumRetryAttempts": 1}, old,
                                       lambda_=lambda_)).resource_model
    assert updated["Id"] == old["Id"]
    # A replacement (the function changed too): the new resource puts the configuration, then the old one is removed.
    new = provider.create(_request({"FunctionName": "f", "Qualifier": "$LATEST", "MaximumRetryAttempts": 2},
                                   lambda_=lambda_)).resource_model
    provider.delete(_request(updated, updated, lambda_=lambda_))
    assert [call[0] for call in calls] == ["put", "put", "put"]
    assert calls[-1][1]["MaximumRetryAttempts"] == 2
    # The removal of the resource that put it (the stack's deletion) deletes it.
    provider.delete(_request(new, new, lambda_=lambda_))
    assert calls[-1] == ("delete", {"FunctionName": "f", "Qualifier": "$LATEST"})


def test_a_methods_new_authorization_becomes_update_method_operations():
    assert repairs.method_patch_operations({"AuthorizationType": "NONE"}, {"AuthorizationType": "AWS_IAM"}) == [
        {"op": "replace", "path": "/authorizationType", "value": "AWS_IAM"}]
    assert repairs.method_patch_operations(
        {"AuthorizationType": "AWS_IAM"}, {"AuthorizationType": "CUSTOM", "AuthorizerId": "a1", "ApiKeyRequired": True},
    ) == [
        {"op": "replace", "path": "/authorizationType", "value": "CUSTOM"},
        {"op": "replace", "path": "/authorizerId", "value": "a1"},
        {"op": "replace", "path": "/apiKeyRequired", "value": "true"},
    ]
    # Another authorizer of the same type; and nothing at all when nothing changed (absent is NONE).
    assert repairs.method_patch_operations(
        {"AuthorizationType": "CUSTOM", "AuthorizerId": "a1"}, {"AuthorizationType": "CUSTOM", "AuthorizerId": "a2"},
    ) == [{"op": "replace", "path": "/authorizerId", "value": "a2"}]
    assert repairs.method_patch_operations({}, {"AuthorizationType": "NONE"}) == []


def test_a_bucket_update_puts_what_changed_and_keeps_notifications_the_template_never_declared():
    bucket = pytest.importorskip("localstack.services.s3.resource_providers.aws_s3_bucket")
    assert repairs.update_in_place()
    calls = []
    # On the bucket: the OBS trigger's notification, and a queue's and EventBridge's that CDK's notifications custom
    # resource put (not in the template's property).
    queue = {"Id": "q1", "QueueArn": "arn:q", "Events": ["s3:ObjectRemoved:*"]}
    current = {
        "LambdaFunctionConfigurations": [{"Id": "l1", "LambdaFunctionArn": "arn:f", "Events": ["s3:ObjectCreated:*"],
                                          "Filter": {"Key": {"FilterRules": [{"Name": "Prefix", "Value": "a/"}]}}}],
        "QueueConfigurations": [queue],
        "EventBridgeConfiguration": {},
    }
    s3 = types.SimpleNamespace(
        get_bucket_notification_configuration=lambda **kwargs: current,
        **{name: (lambda name: lambda **kwargs: calls.append((name, kwargs)))(name)
           for name in ("put_bucket_notification_configuration", "put_bucket_tagging", "delete_bucket_tagging",
                        "put_bucket_cors", "delete_bucket_cors", "put_bucket_website", "delete_bucket_website",
                        "put_bucket_versioning")},
    )

    def notifications(prefix):
        return {"LambdaConfigurations": [{"Event": "s3:ObjectCreated:*", "Function": "arn:f",
                                          "Filter": {"S3Key": {"Rules": [{"Name": "prefix", "Value": prefix}]}}}]}

    def update(desired, previous):
        request = _request(desired, {"BucketName": "uploads", **previous}, s3=s3)
        request.region_name = "us-east-1"
        return bucket.S3BucketProvider().update(request)

    # The prefix changes and the tags go: the new notification, the queue's and EventBridge kept, the tags deleted.
    event = update({"NotificationConfiguration": notifications("b/")},
                   {"NotificationConfiguration": notifications("a/"), "Tags": [{"Key": "k", "Value": "v"}]})
    assert event.resource_model["BucketName"] == "uploads"
    assert calls == [
        ("put_bucket_notification_configuration", {"Bucket": "uploads", "NotificationConfiguration": {
            "LambdaFunctionConfigurations": [{"LambdaFunctionArn": "arn:f", "Events": ["s3:ObjectCreated:*"],
                                              "Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": "b/"}]}}}],
            "QueueConfigurations": [queue], "EventBridgeConfiguration": {}}}),
        ("delete_bucket_tagging", {"Bucket": "uploads"}),
    ]
    # Only the CORS change: nothing else is touched, notifications included.
    calls.clear()
    update({"NotificationConfiguration": notifications("a/"),
            "CorsConfiguration": {"CorsRules": [{"AllowedMethods": ["GET"], "AllowedOrigins": ["*"]}]}},
           {"NotificationConfiguration": notifications("a/")})
    assert [name for name, _ in calls] == ["put_bucket_cors"]
    # The trigger removed: its notification goes, the others stay.
    calls.clear()
    update({}, {"NotificationConfiguration": notifications("a/")})
    assert calls == [("put_bucket_notification_configuration", {"Bucket": "uploads", "NotificationConfiguration": {
        "QueueConfigurations": [queue], "EventBridgeConfiguration": {}}})]

def test_a_property_a_second_deploy_removed_is_set_to_none_only_where_the_old_template_had_it():
    desired = {"FunctionName": "f", "MemorySize": 256}
    cleared = repairs.clear_removed(
        "AWS::Lambda::Function", {"Environment": {"Variables": {"A": "1"}}, "Layers": ["arn:l:1"], "MemorySize": 128},
        desired)
    assert sorted(cleared) == ["Environment", "Layers"]
    assert desired == {"FunctionName": "f", "MemorySize": 256, "Environment": {"Variables": {}}, "Layers": []}

    # A queue's mapping never had a stream's settings: none is added, which SQS would refuse.
    mapping = {"BatchSize": 2}
    assert repairs.clear_removed("AWS::Lambda::EventSourceMapping", {"BatchSize": 5, "MaximumBatchingWindowInSeconds": 2},
                                 mapping) == ["MaximumBatchingWindowInSeconds"]
    assert mapping == {"BatchSize": 2, "MaximumBatchingWindowInSeconds": 0}

    kept = {"FilterPolicy": {"colour": ["blue"]}}
    assert repairs.clear_removed("AWS::SNS::Subscription", {"FilterPolicy": {"colour": ["red"]}}, kept) == []
    assert repairs.clear_removed("AWS::SQS::Queue", {"DelaySeconds": 5}, {}) == []


def test_a_functions_update_sets_the_tags_added_or_changed_and_removes_those_gone():
    previous = {"Tags": [{"Key": "colour", "Value": "red"}, {"Key": "greeting", "Value": "first"},
                         {"Key": "team", "Value": "shop"}]}
    desired = {"Tags": [{"Key": "greeting", "Value": "second"}, {"Key": "team", "Value": "shop"},
                        {"Key": "owner", "Value": "ana"}]}
    assert repairs.tag_changes(previous, desired) == ({"greeting": "second", "owner": "ana"}, ["colour"])
    assert repairs.tag_changes(previous, {}) == ({}, ["colour", "greeting", "team"])
    assert repairs.tag_changes(None, desired) == ({"greeting": "second", "team": "shop", "owner": "ana"}, [])

    calls = []
    client = types.SimpleNamespace(
        get_function=lambda **kwargs: {"Configuration": {"FunctionArn": f"arn:fn:{kwargs['FunctionName']}"}},
        tag_resource=lambda **kwargs: calls.append(("tag", kwargs)),
        untag_resource=lambda **kwargs: calls.append(("untag", kwargs)),
    )
    repairs.update_function_tags(client, "shop-api", previous, desired)
    assert calls == [("tag", {"Resource": "arn:fn:shop-api", "Tags": {"greeting": "second", "owner": "ana"}}),
                     ("untag", {"Resource": "arn:fn:shop-api", "TagKeys": ["colour"]})]
    # Unchanged tags: no call at all.
    calls.clear()
    repairs.update_function_tags(client, "shop-api", desired, desired)
    assert calls == []


def test_a_function_update_through_localstacks_provider_tags_it_and_keeps_only_the_new_tags_in_its_model():
    provider_module = pytest.importorskip("localstack.services.lambda_.resource_providers.aws_lambda_function")
    assert repairs.clear_removed_properties()
    calls = []
    client = types.SimpleNamespace(
        update_function_code=lambda **kwargs: calls.append(("code", kwargs["FunctionName"])),
        update_function_configuration=lambda **kwargs: calls.append(("configuration", kwargs["FunctionName"])),
        get_waiter=lambda name: types.SimpleNamespace(wait=lambda **kwargs: None),
        get_function=lambda **kwargs: {"Configuration": {"FunctionArn": f"arn:fn:{kwargs['FunctionName']}"}},
        tag_resource=lambda **kwargs: calls.append(("tag", kwargs)),
        untag_resource=lambda **kwargs: calls.append(("untag", kwargs)),
    )
    settings = {"FunctionName": "shop-api", "Handler": "index.handler", "Runtime": "nodejs22.x", "Role": "arn:role",
                "Code": {"S3Bucket": "assets", "S3Key": "code.zip"}}
    provider = provider_module.LambdaFunctionProvider()

    def update(desired, previous):
        request = _request(desired, previous, lambda_=client)
        request.logger = logging.getLogger("test")
        return provider.update(request)

    # Every tag removed: untagged, and the model, the next update's previous state, has none left.
    untagged = update(settings, {**settings, "Tags": [{"Key": "colour", "Value": "red"}]})
    assert calls == [("code", "shop-api"), ("configuration", "shop-api"),
                     ("untag", {"Resource": "arn:fn:shop-api", "TagKeys": ["colour"]})]
    assert untagged.resource_model["Tags"] == []
    # So the tag put back with its old value is set again.
    calls.clear()
    update({**settings, "Tags": [{"Key": "colour", "Value": "red"}]}, untagged.resource_model)
    assert calls[-1] == ("tag", {"Resource": "arn:fn:shop-api", "Tags": {"colour": "red"}})


def test_the_removal_of_a_replaced_resource_leaves_its_replacement_listed():
    executor = pytest.importorskip("localstack.services.cloudformation.engine.v2.change_set_model_executor")
    assert repairs.list_replacements()
    states = {"Filter": {"PhysicalResourceId": "new", "ResourceStatus": "UPDATE_COMPLETE"}}
    runner = object.__new__(executor.ChangeSetModelExecutor)
    runner._deferred_actions = []
    runner._change_set = types.SimpleNamespace(stack=types.SimpleNamespace(resource_states=states))

    def remove_old():
        # What the old resource's removal does: its status over the new one's, then the id dropped.
        states["Filter"] = {"PhysicalResourceId": "old", "ResourceStatus": "DELETE_IN_PROGRESS"}
        states.pop("Filter")

    runner._defer_action("cleanup-from-replacement-Filter", remove_old)
    runner._defer_action("something-else", lambda: states.pop("Other", None))
    for deferred in runner._deferred_actions:
        deferred.action()

    assert states == {"Filter": {"PhysicalResourceId": "new", "ResourceStatus": "UPDATE_COMPLETE"}}


def test_a_role_update_puts_its_new_inline_policies_and_deletes_those_gone():
    role = pytest.importorskip("localstack.services.iam.resource_providers.aws_iam_role")
    assert repairs.update_in_place()
    calls = []
    iam = types.SimpleNamespace(
        put_role_policy=lambda **kwargs: calls.append(("put", kwargs)),
        delete_role_policy=lambda **kwargs: calls.append(("delete", kwargs)),
        # "Gone" was in the old template but the role no longer has it (LocalStack made the role again).
        list_role_policies=lambda **kwargs: {"PolicyNames": ["StageFunction", "Old"]},
    )
    trust = {"Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
    document = {"Statement": [{"Effect": "Allow", "Action": "sqs:ReceiveMessage", "Resource": "arn:q"}]}
    previous = {"RoleName": "r", "AssumeRolePolicyDocument": trust,
                "Policies": [{"PolicyName": "StageFunction", "PolicyDocument": {"Statement": []}},
                             {"PolicyName": "Old", "PolicyDocument": {"Statement": []}},
                             {"PolicyName": "Gone", "PolicyDocument": {"Statement": []}}]}

    event = role.IAMRoleProvider().update(_request(
        {"AssumeRolePolicyDocument": trust, "Policies": [{"PolicyName": "StageFunction", "PolicyDocument": document}]},
        previous, iam=iam))

    assert calls == [
        ("delete", {"RoleName": "r", "PolicyName": "Old"}),
        ("put", {"RoleName": "r", "PolicyName": "StageFunction", "PolicyDocument": json.dumps(document)}),
    ]
    assert event.resource_model["Policies"] == [{"PolicyName": "StageFunction", "PolicyDocument": document}]


def test_a_function_logs_where_its_logging_config_says_in_streams_named_after_it_in_a_shared_group():
    from datetime import date

    day = date(2026, 11, 25)
    # No LogGroup, or the default one: Lambda's `/aws/lambda/<name>`, streams `YYYY/MM/DD/[<version>]<id>`.
    assert repairs.function_log_names("shop-api", "$LATEST", "0a1b", None, day) == (
        "/aws/lambda/shop-api", "2026/11/25/[$LATEST]0a1b")
    assert repairs.function_log_names("shop-api", "3", "0a1b", {"LogFormat": "Text", "LogGroup": "/aws/lambda/shop-api"},
                                      day) == ("/aws/lambda/shop-api", "2026/11/25/[3]0a1b")
    # A group of the stack's functions: the stream names the function, as Lambda names them there.
    assert repairs.function_log_names("shop-api", "$LATEST", "0a1b", {"LogGroup": "/aws/lambda/Shop/functions"},
                                      day) == ("/aws/lambda/Shop/functions", "2026/11/25/shop-api[$LATEST]0a1b")


def test_a_log_group_or_format_a_second_deploy_removed_goes_back_to_lambdas_default():
    shared = {"FunctionName": "shop-api", "LoggingConfig": {"LogGroup": "/aws/lambda/Shop/functions", "LogFormat": "JSON"}}
    # The function got a log group of its own: its LoggingConfig went from the template.
    desired = {"FunctionName": "shop-api", "MemorySize": 128}
    assert repairs.clear_removed_logging(shared, desired) == ["LoggingConfig.LogGroup", "LoggingConfig.LogFormat"]
    assert desired["LoggingConfig"] == {"LogGroup": "/aws/lambda/shop-api", "LogFormat": "Text"}
    # JSON kept, the group removed; and nothing to do where the old template had neither, or the new one has both.
    desired = {"FunctionName": "shop-api", "LoggingConfig": {"LogFormat": "JSON"}}
    assert repairs.clear_removed_logging(shared, desired) == ["LoggingConfig.LogGroup"]
    assert desired["LoggingConfig"] == {"LogFormat": "JSON", "LogGroup": "/aws/lambda/shop-api"}
    desired = {"FunctionName": "shop-api"}
    assert repairs.clear_removed_logging({"FunctionName": "shop-api"}, desired) == []
    assert "LoggingConfig" not in desired
    desired = dict(shared)
    assert repairs.clear_removed_logging(shared, desired) == []
