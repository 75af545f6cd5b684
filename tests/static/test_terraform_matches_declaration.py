"""infra/terraform declares exactly the system in infra/system.yaml, and nothing else.

The comparison lives in pizza_ops.terraform_drift (also `pizza check-terraform`); these tests run it
on the real files, prove that it reports each kind of drift, and check the modules' fixed settings.
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from drift_support import assert_reported_when_declaration_changes

from pizza_ops.cli import main as pizza_cli
from pizza_ops.repository import Repository
from pizza_ops.system import (
    DeadLetter,
    Queue,
    QueueRef,
    SystemDeclaration,
    load_system,
)
from pizza_ops.terraform_drift import (
    EMULATED_SERVICES,
    TELEMETRY_VARIABLES,
    block_kind,
    building_block,
    module_instances,
    modules_dir,
    root_module,
    terraform_drift,
)

# --- The tests ---------------------------------------------------------------------------------


def test_terraform_declares_exactly_the_declared_system() -> None:
    # Given the declaration and the Terraform root module
    system, tf = load_system(), root_module()

    # When they are compared
    drift = terraform_drift(system, tf)

    # Then there is no difference
    assert not drift, "infra/terraform and infra/system.yaml differ:\n" + "\n".join(drift)


def _with_extra_queue(system: SystemDeclaration) -> SystemDeclaration:
    extra = Queue(dead_letter=DeadLetter(name="payments-dlq", max_receive_count=3))
    return system.model_copy(update={"queues": {**system.queues, "payments": extra}})


def _without_function(system: SystemDeclaration) -> SystemDeclaration:
    functions = {k: v for k, v in system.functions.items() if k != "kitchen-processor"}
    return system.model_copy(update={"functions": functions})


def _with_fewer_permissions(system: SystemDeclaration) -> SystemDeclaration:
    function = system.functions["order-api"]
    narrowed = function.model_copy(update={"permissions": function.permissions[:1]})
    return system.model_copy(update={"functions": {**system.functions, "order-api": narrowed}})


def _with_extra_environment(system: SystemDeclaration) -> SystemDeclaration:
    function = system.functions["kitchen-processor"]
    environment = {**function.environment, "PAYMENTS_QUEUE_URL": QueueRef(queue="kitchen-orders")}
    changed = function.model_copy(update={"environment": environment})
    return system.model_copy(update={"functions": {**system.functions, "kitchen-processor": changed}})


def _with_bigger_batches(system: SystemDeclaration) -> SystemDeclaration:
    triggers = [t.model_copy(update={"batch_size": 25}) for t in system.triggers]
    return system.model_copy(update={"triggers": triggers})


def _with_extra_route(system: SystemDeclaration) -> SystemDeclaration:
    api = system.http_apis["orders"]
    routes = {**api.routes, "DELETE /orders/{orderId}": "order-api"}
    return system.model_copy(update={"http_apis": {"orders": api.model_copy(update={"routes": routes})}})


def _with_kitchen_fifo(system: SystemDeclaration) -> SystemDeclaration:
    return system.with_fifo("kitchen-orders", True)


@pytest.mark.parametrize(
    ("change", "reported"),
    [
        (_with_extra_queue, "queue 'payments' is declared but has no Terraform module"),
        (_without_function, "function 'kitchen-processor' has a Terraform module but is not declared"),
        (
            _with_fewer_permissions,
            "Terraform grants ('table', 'order-api-idempotency', 'put'), which is not declared",
        ),
        (_with_extra_environment, "environment variable PAYMENTS_QUEUE_URL is declared but not set in Terraform"),
        (_with_bigger_batches, "batch_size is 10 in Terraform but 25 in the declaration"),
        (_with_extra_route, "route 'DELETE /orders/{orderId}' is declared but not in Terraform"),
        (_with_kitchen_fifo, "queue 'kitchen-orders': fifo is False in Terraform but True"),
    ],
)
def test_drift_is_reported_when_the_declaration_changes(change, reported: str) -> None:
    # Given a declaration changed without touching the Terraform / Then the change is reported
    assert_reported_when_declaration_changes(change, reported)


def test_drift_is_reported_for_an_undeclared_module_and_a_wildcard_resource() -> None:
    # Given Terraform with a table nobody declared and a policy statement on every table
    tf = root_module()
    order_api = tf.modules["order_api_function"]
    wildcard = {"sid": "AnyTable", "actions": "${local.dynamodb_get_actions}", "resources": ["*"]}
    modules = {
        **tf.modules,
        "audit_log_table": {"source": "./modules/dynamodb_table", "name": "audit-log", "hash_key": "id"},
        "order_api_function": {**order_api, "policy_statements": [*order_api["policy_statements"], wildcard]},
    }

    # When it is compared with the declaration
    drift = terraform_drift(load_system(), replace(tf, modules=modules))

    # Then both are reported
    assert "table 'audit-log' has a Terraform module but is not declared" in drift
    assert "function 'order-api': statement AnyTable names '*', not the ARN of one table" in drift


def test_kitchen_channel_is_switched_to_fifo_by_one_variable_defaulting_to_the_declaration() -> None:
    # Given the kitchen-orders queue module and the declaration
    args = root_module().modules["kitchen_orders_queue"]
    declared = load_system().queues["kitchen-orders"].fifo

    # Then its FIFO-ness is var.kitchen_queue_fifo, whose default is the declared value
    assert args["fifo"] == "${var.kitchen_queue_fifo}"
    assert root_module().variables["kitchen_queue_fifo"]["default"] is declared


def test_tables_stream_only_when_given_a_view_type_and_keep_point_in_time_recovery() -> None:
    # Given the table building block
    table_module = building_block("dynamodb_table")
    table = table_module.resources[("aws_dynamodb_table", "this")]

    # Then every table is on-demand and can be restored to a point in time
    assert table["billing_mode"] == "PAY_PER_REQUEST"
    assert table["attribute"] == [{"name": "${var.hash_key}", "type": "S"}]
    assert table["point_in_time_recovery"] == [{"enabled": True}]
    assert table["name"] == "${var.name_prefix}-${var.name}"
    # And it streams only when given a view type, which is none unless the declaration says so
    assert (table["stream_enabled"], table["stream_view_type"]) == (
        "${var.stream_view_type != null}",
        "${var.stream_view_type}",
    )
    assert table_module.variables["stream_view_type"]["default"] is None


def test_queue_dead_letters_after_max_receives_and_alarms_on_dlq_depth_and_message_age() -> None:
    # Given the queue building block with a DLQ, and the queue building block it builds both from
    pair, queue_module = building_block("queue_with_dlq"), building_block("sqs_queue")
    source, dlq = pair.modules["queue"], pair.modules["dead_letter"]
    allow = pair.resources[("aws_sqs_queue_redrive_allow_policy", "dead_letter")]
    queue = queue_module.resources[("aws_sqs_queue", "this")]
    depth, age = queue_module.modules["not_empty"], queue_module.modules["oldest_message_age"]

    # Then the queue and its DLQ are both sqs_queue instances, FIFO together, and nothing else is
    assert source["source"] == dlq["source"] == "../sqs_queue"
    assert set(pair.modules) == {"queue", "dead_letter"}
    assert set(pair.resources) == {("aws_sqs_queue_redrive_allow_policy", "dead_letter")}
    assert source["fifo"] == dlq["fifo"] == "${var.fifo}"
    assert (source["name"], dlq["name"]) == ("${var.name}", "${var.dlq_name}")
    assert source["visibility_timeout_seconds"] == "${var.visibility_timeout_seconds}"
    # And every queue is encrypted, with explicit deduplication ids when FIFO, named with its suffix
    assert queue["sqs_managed_sse_enabled"] is True
    assert queue["fifo_queue"] == "${var.fifo}"
    assert queue["content_based_deduplication"] == "${var.fifo ? false : null}"
    assert queue_module.locals["suffix"] == '${var.fifo ? ".fifo" : ""}'
    assert queue["name"] == "${local.queue_name}"
    assert queue["visibility_timeout_seconds"] == "${var.visibility_timeout_seconds}"
    # And messages move to the DLQ after max_receive_count receives, and only from this queue
    assert source["redrive"] == {
        "dead_letter_queue_arn": "${module.dead_letter.arn}",
        "max_receive_count": "${var.max_receive_count}",
    }
    assert "redrive" not in dlq
    assert "deadLetterTargetArn = var.redrive.dead_letter_queue_arn" in queue["redrive_policy"]
    assert "maxReceiveCount = var.redrive.max_receive_count" in queue["redrive_policy"]
    assert "sourceQueueArns = [module.queue.arn]" in allow["redrive_allow_policy"]
    assert allow["queue_url"] == "${module.dead_letter.url}"
    # And an alarm fires on any message in the DLQ, another when set on the oldest message's age
    assert (dlq["dead_letter_for"], "dead_letter_for" in source) == ("${var.name}", False)
    assert depth["count"] == "${var.dead_letter_for == null ? 0 : 1}"
    assert source["alarm_oldest_message_age_seconds"] == "${var.alarm_oldest_message_age_seconds}"
    assert "alarm_oldest_message_age_seconds" not in dlq
    assert depth["source"] == age["source"] == "../metric_alarm"
    assert (depth["metric_name"], depth["threshold"]) == ("ApproximateNumberOfMessagesVisible", 0)
    assert depth["dimensions"] == age["dimensions"] == {"QueueName": "${aws_sqs_queue.this.name}"}
    assert (age["metric_name"], age["threshold"]) == (
        "ApproximateAgeOfOldestMessage",
        "${var.alarm_oldest_message_age_seconds}",
    )
    assert age["count"] == "${var.alarm_oldest_message_age_seconds == null ? 0 : 1}"


def test_every_alarm_fires_on_a_minutes_maximum_above_its_threshold_and_not_without_data() -> None:
    # Given the alarm building block
    alarm = building_block("metric_alarm").resources[("aws_cloudwatch_metric_alarm", "this")]

    # Then the caller names the metric and threshold; when it fires, and whom it tells, are fixed
    assert alarm == {
        "alarm_name": "${var.alarm_name}",
        "alarm_description": "${var.alarm_description}",
        "namespace": "${var.namespace}",
        "metric_name": "${var.metric_name}",
        "dimensions": "${var.dimensions}",
        "statistic": "Maximum",
        "period": 60,
        "evaluation_periods": 1,
        "comparison_operator": "GreaterThanThreshold",
        "threshold": "${var.threshold}",
        "treat_missing_data": "notBreaching",
        "alarm_actions": "${var.alarm_actions}",
        "ok_actions": "${var.alarm_actions}",
    }
    # And no other building block declares an alarm of its own
    declaring = {
        module.name
        for module in modules_dir().iterdir()
        if any(type_ == "aws_cloudwatch_metric_alarm" for type_, _ in building_block(module.name).resources)
    }
    assert declaring == {"metric_alarm"}


def test_every_declared_oldest_age_threshold_reaches_an_alarm() -> None:
    # Given the queues that declare an oldest-message-age alarm
    declared = {n: q.alarm_oldest_message_age_seconds for n, q in load_system().queues.items()}

    # Then each queue module passes that threshold to its alarm
    passed = {
        name: args.get("alarm_oldest_message_age_seconds")
        for kind in ("queue_with_dlq", "sqs_queue")
        for name, (_, args) in module_instances(root_module(), kind).items()
    }
    assert passed == declared


def test_function_role_grants_only_the_statements_passed_in_plus_its_own_logs() -> None:
    # Given the function building block
    function_module = building_block("lambda_function")
    access = function_module.data[("aws_iam_policy_document", "access")]
    logs = function_module.data[("aws_iam_policy_document", "logs")]
    policies = {name for (type_, name) in function_module.resources if type_ == "aws_iam_role_policy"}
    attachments = [k for k in function_module.resources if k[0] == "aws_iam_role_policy_attachment"]

    # Then its access policy is built from policy_statements only
    assert "statement" not in access
    [statement] = access["dynamic"]
    assert statement["statement"]["for_each"] == "${var.policy_statements}"
    assert statement["statement"]["content"] == [
        {
            "sid": "${statement.value.sid}",
            "effect": "Allow",
            "actions": "${statement.value.actions}",
            "resources": "${statement.value.resources}",
        }
    ]
    # And its only other grant writes to its own log group
    assert logs["statement"] == [
        {
            "sid": "WriteOwnLogs",
            "effect": "Allow",
            "actions": ["logs:CreateLogStream", "logs:PutLogEvents"],
            "resources": ["${aws_cloudwatch_log_group.this.arn}:*"],
        }
    ]
    assert policies == {"access", "logs"} and attachments == []


def test_function_runs_an_image_or_a_zip_with_telemetry_environment() -> None:
    # Given the function building block
    function_module = building_block("lambda_function")
    function = function_module.resources[("aws_lambda_function", "this")]

    # Then an image runs the handler as its command, a zip names it as the handler
    [image_config] = [block for block in function["dynamic"] if "image_config" in block]
    assert image_config["image_config"]["content"] == [{"command": ["${image_config.value}"]}]
    assert image_config["image_config"]["for_each"] == "${local.is_image ? [var.handler] : []}"
    assert function["handler"] == "${local.is_image ? null : var.handler}"
    assert function["filename"] == "${local.is_image ? null : var.zip_path}"
    assert function["package_type"] == "${var.package_type}"
    # And the telemetry variables are added to the declared environment
    assert set(function_module.locals["telemetry_environment"]) == TELEMETRY_VARIABLES
    assert function["environment"] == [{"variables": "${merge(var.environment, local.telemetry_environment)}"}]


def test_a_durable_function_publishes_each_change_and_is_started_through_its_alias() -> None:
    # Given the function building block
    function_module = building_block("lambda_function")
    function = function_module.resources[("aws_lambda_function", "this")]
    alias = function_module.resources[("aws_lambda_alias", "durable")]

    # Then a durable function (and only one) gets its durable_config and publishes a version
    [durable] = [block["durable_config"] for block in function["dynamic"] if "durable_config" in block]
    assert durable["for_each"] == "${var.durable == null ? [] : [var.durable]}"
    assert durable["content"] == [
        {
            "execution_timeout": "${durable_config.value.execution_timeout_seconds}",
            "retention_period": "${durable_config.value.retention_days}",
        }
    ]
    assert function["publish"] == "${var.durable != null}"
    # And its alias follows the latest published version
    assert alias["function_version"] == "${aws_lambda_function.this.version}"
    assert alias["name"] == "${var.durable.alias}"
    # And IAM authorises the durable APIs on every execution of it, of every version
    executions = function_module.outputs["durable_executions_arn"]["value"]
    assert executions.startswith("arn:${data.aws_partition.current.partition}:lambda:")
    assert executions.endswith(":function:${local.function_name}:*/durable-execution/*")


def test_sqs_trigger_reports_partial_failures_and_receives_from_its_queue_only() -> None:
    # Given the trigger building block
    trigger_module = building_block("sqs_trigger")
    mapping = trigger_module.resources[("aws_lambda_event_source_mapping", "this")]
    [statement] = trigger_module.data[("aws_iam_policy_document", "receive")]["statement"]

    # Then failed records are retried one by one, under a concurrency cap
    assert mapping["function_response_types"] == ["ReportBatchItemFailures"]
    assert mapping["scaling_config"] == [{"maximum_concurrency": "${var.maximum_concurrency}"}]
    assert mapping["batch_size"] == "${var.batch_size}"
    assert mapping["maximum_batching_window_in_seconds"] == (
        "${var.queue_fifo ? null : var.maximum_batching_window_seconds}"
    )
    # And the function's role may consume this queue and no other
    assert set(statement["actions"]) == {
        "sqs:ReceiveMessage",
        "sqs:DeleteMessage",
        "sqs:GetQueueAttributes",
    }
    assert statement["resources"] == ["${var.queue_arn}"]
    assert trigger_module.resources[("aws_iam_role_policy", "receive")]["role"] == "${var.function_role_name}"


def test_http_api_invokes_functions_with_payload_v2_from_this_api_only() -> None:
    # Given the HTTP API building block
    api_module = building_block("http_api")
    stage = api_module.resources[("aws_apigatewayv2_stage", "default")]
    integration = api_module.resources[("aws_apigatewayv2_integration", "lambda")]
    permission = api_module.resources[("aws_lambda_permission", "invoke")]

    # Then routes reach Lambda through AWS_PROXY integrations with payload format 2.0
    assert api_module.resources[("aws_apigatewayv2_api", "this")]["protocol_type"] == "HTTP"
    assert (stage["name"], stage["auto_deploy"]) == ("$default", True)
    assert (integration["integration_type"], integration["payload_format_version"]) == ("AWS_PROXY", "2.0")
    # And each function may be invoked by this API's execution ARN only
    assert permission["for_each"] == "${var.functions}"
    assert permission["principal"] == "apigateway.amazonaws.com"
    assert permission["source_arn"] == "${aws_apigatewayv2_api.this.execution_arn}/*/*"


def test_one_endpoint_variable_sends_every_used_service_to_an_emulator() -> None:
    # Given the provider configuration
    tf = root_module()
    provider = tf.providers["aws"]

    # Then a non-empty aws_endpoint_url routes every service the system uses to it
    [endpoints] = provider["dynamic"]
    assert endpoints["endpoints"]["for_each"] == "${local.emulated ? [var.aws_endpoint_url] : []}"
    [content] = endpoints["endpoints"]["content"]
    assert content == dict.fromkeys(EMULATED_SERVICES, "${endpoints.value}")
    assert tf.locals["emulated"] == '${var.aws_endpoint_url != ""}'
    assert tf.variables["aws_endpoint_url"]["default"] == ""
    # And the AWS-only checks are skipped there
    for setting in (
        "skip_credentials_validation",
        "skip_requesting_account_id",
        "skip_metadata_api_check",
        "s3_use_path_style",
    ):
        assert provider[setting] == "${local.emulated}"


def test_functions_deploy_as_images_or_zips_chosen_by_one_variable() -> None:
    # Given the root variables and the function modules
    tf = root_module()
    functions = [args for args in tf.modules.values() if block_kind(args) == "lambda_function"]

    # Then every function follows lambda_package_type and exports to otlp_endpoint
    assert tf.variables["lambda_package_type"]["default"] == "Image"
    assert tf.variables["service_images"]["default"] == {}
    assert functions
    for args in functions:
        assert args["package_type"] == "${var.lambda_package_type}"
        assert args["otlp_endpoint"] == "${var.otlp_endpoint}"
        assert args["name_prefix"] == "${var.name_prefix}"


def test_check_terraform_command_reports_agreement(capsys: pytest.CaptureFixture[str]) -> None:
    # Given the repository's Terraform and declaration
    # When a developer runs `pizza check-terraform`
    exit_code = pizza_cli(["check-terraform"])

    # Then it exits 0 and says the two agree
    assert exit_code == 0
    assert "infra/terraform matches infra/system.yaml" in capsys.readouterr().out


def test_only_the_durable_override_needs_provider_6_25_so_the_rest_applies_with_5_100() -> None:
    # Given every Terraform file of the configuration
    files = sorted(Repository.find().terraform.rglob("*.tf"))
    overrides = [p for p in files if p.name.endswith("_override.tf")]

    # Then durable_config (and the provider >= 6.25 it needs) is in one override file only
    assert [p.name for p in overrides] == ["durable_config_override.tf"]
    assert [p for p in files if 'dynamic "durable_config"' in p.read_text(encoding="utf-8")] == overrides
    assert '"~> 6.25"' in overrides[0].read_text(encoding="utf-8")
    # And every other file allows the provider 5.100 this machine has
    for path in files:
        if path not in overrides and "required_providers" in path.read_text(encoding="utf-8"):
            assert '">= 5.100, < 7"' in path.read_text(encoding="utf-8"), path
