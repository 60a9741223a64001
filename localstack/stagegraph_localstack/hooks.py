"""LocalStack runtime hooks of the stagegraph extension, registered as entry points in pyproject.toml.

They run inside LocalStack before its services start, so that every repair is in place before the first
request, whichever service that request is for.
"""
import time

from localstack.runtime.hooks import on_infra_start, on_runtime_create

from stagegraph_localstack import (
    assumed_roles,
    debug_sessions,
    drain,
    environment_pool,
    esm_polling,
    flow_execution,
    gateway_threads,
    in_process_invoke,
    invocation_records,
    lambda_metrics,
    live_log,
    log_delivery,
    rollover,
    timers,
)
from stagegraph_localstack.http_auth import enforce_iam_authorization
from stagegraph_localstack.lambda_authorizers import enforce_lambda_authorizers
from stagegraph_localstack.limits import enforce_api_gateway_body_limit, enforce_invoke_payload_limits
from stagegraph_localstack.repairs import (
    bind_twisted_gateway_to_host,
    clear_removed_properties,
    honour_logging_config_log_group,
    honour_subscription_filter_names,
    keep_function_code_private,
    keep_raw_form_bodies,
    list_replacements,
    take_over_replaced_aliases,
    update_in_place,
    update_rest_api_stages,
    keep_kinesis_on_loopback,
    log_failed_requests_only,
    mock_states_errors,
    repair_create_log_stream,
)


@on_runtime_create()
def stagegraph_gateway_on_its_host() -> None:
    # Before the runtime creates its gateway server.
    bind_twisted_gateway_to_host()


@on_infra_start()
def stagegraph_repairs() -> None:
    repair_create_log_stream()
    log_failed_requests_only()
    honour_subscription_filter_names()
    honour_logging_config_log_group()
    mock_states_errors()
    keep_kinesis_on_loopback()
    keep_function_code_private()
    enforce_invoke_payload_limits()
    keep_raw_form_bodies()
    update_rest_api_stages()
    take_over_replaced_aliases()
    update_in_place()
    clear_removed_properties()
    list_replacements()
    enforce_api_gateway_body_limit()
    enforce_iam_authorization()
    enforce_lambda_authorizers()
    log_delivery.install()
    log_delivery.batch_lambda_logs()
    invocation_records.install()
    live_log.install()
    debug_sessions.install()
    esm_polling.install()
    drain.install()
    assumed_roles.install()
    flow_execution.install()
    flow_execution.cache_definition_trees()
    lambda_metrics.install()
    in_process_invoke.install()
    in_process_invoke.install_flow_tasks()
    in_process_invoke.install_s3_notifications()
    timers.install()
    environment_pool.install()
    rollover.install()


# --- persistence of the local cloud's state (persistence.py) ---------------------------------------

from localstack.runtime.hooks import on_infra_ready, on_infra_shutdown, on_runtime_create  # noqa: E402


@on_runtime_create()
def stagegraph_state_directory() -> None:
    from stagegraph_localstack import persistence

    persistence.use_state_directory()


@on_infra_start()
def stagegraph_persistence() -> None:
    from stagegraph_localstack import persistence

    persistence.install()


@on_infra_ready()
def stagegraph_restore() -> None:
    from stagegraph_localstack import persistence

    persistence.restore_and_start()
    # The gateway's threads for a first burst of requests, in the background.
    gateway_threads.prestart()
    # Log lines a previous run stored but had not delivered to their subscriptions yet.
    log_delivery.restore(persistence.state_folder())


STOP_BUDGET_SECONDS = 7.0


# Before LocalStack's own shutdown hooks stop the services (priority -10): the event source mappings
# must still be able to finish their batches, and the stores must still be whole.
@on_infra_shutdown(priority=100)
def stagegraph_save() -> None:
    from stagegraph_localstack import persistence

    # One budget for everything before the save: `local down` kills LocalStack 10 s after asking it to stop.
    deadline = time.monotonic() + STOP_BUDGET_SECONDS
    quiesce = None
    # Mappings take no new batch; the gateway serves the functions finishing theirs (drain.py).
    drain.begin()
    try:
        quiesce = persistence.quiesce_on_shutdown()
        flow_execution.drain(max(0.0, deadline - time.monotonic()))
        # Subscriptions next: the billing meter's metrics and logs are then part of the saved state.
        log_delivery.shutdown(persistence.state_folder(), timeout=max(0.5, deadline - time.monotonic()))
    finally:
        # Function requests still running finish before the stores are saved.
        drain.end(timeout=min(2.0, max(0.1, deadline - time.monotonic())))
        # Lambda's metrics of the last invocations, counted and not yet put.
        lambda_metrics.flush(timeout=max(0.5, deadline - time.monotonic()))
    persistence.save_on_shutdown(quiesce)
