"""infra/terraform declares the declaration's table streams and stream triggers exactly: view types,
which function reads which stream, from where, with which filters, retries, record age, bisection,
failure queue and iterator-age alarm, and the read_stream grant with the deployer's actions on the
table's streams.

The drift check (pizza_ops.terraform_drift) is run on changed declarations and changed Terraform
to prove it reports each kind of difference; the building blocks' fixed settings are checked here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest
from drift_support import (
    assert_reported_when_declaration_changes,
    assert_reported_when_terraform_changes,
    with_module_changed,
)

from pizza_ops.deploy import iam
from pizza_ops.system import DeadLetter, StreamTrigger, SystemDeclaration
from pizza_ops.terraform_drift import EXPECTED_ACTIONS, Terraform, building_block

RELAY = "order-outbox-publisher"
TRIGGER = "stream trigger order-outbox-publisher <- orders"
TRIGGER_MODULE = "order_outbox_publisher_from_orders_stream"


def _with_trigger(**changes: Any) -> Callable[[SystemDeclaration], SystemDeclaration]:
    """The declaration with the outbox relay's stream trigger changed (the orders table has others)."""

    def change(system: SystemDeclaration) -> SystemDeclaration:
        triggers = [t.model_copy(update=changes) if t.function == RELAY else t for t in system.stream_triggers]
        return system.model_copy(update={"stream_triggers": triggers})

    return change


def _with_table(name: str, **changes: Any) -> Callable[[SystemDeclaration], SystemDeclaration]:
    def change(system: SystemDeclaration) -> SystemDeclaration:
        table = system.tables[name].model_copy(update=changes)
        return system.model_copy(update={"tables": {**system.tables, name: table}})

    return change


def _without_read_stream(system: SystemDeclaration) -> SystemDeclaration:
    relay = system.functions[RELAY]
    permissions = [p for p in relay.permissions if p.access != "read_stream"]
    functions = {**system.functions, RELAY: relay.model_copy(update={"permissions": permissions})}
    return system.model_copy(update={"functions": functions})


def _with_second_trigger(system: SystemDeclaration) -> SystemDeclaration:
    extra = StreamTrigger(function=RELAY, table="kitchen-orders")
    return system.model_copy(update={"stream_triggers": [*system.stream_triggers, extra]})


def _with_failures_dead_lettered(system: SystemDeclaration) -> SystemDeclaration:
    queue = system.queues["order-outbox-failures"]
    dead_letter = DeadLetter(name="order-outbox-failures-dlq", max_receive_count=3)
    return system.model_copy(
        update={
            "queues": {**system.queues, "order-outbox-failures": queue.model_copy(update={"dead_letter": dead_letter})}
        }
    )


@pytest.mark.parametrize(
    ("change", "reported"),
    [
        (
            _with_table("orders", stream_view_type="NEW_IMAGE"),
            "table 'orders': stream_view_type is 'NEW_AND_OLD_IMAGES' in Terraform but 'NEW_IMAGE' in the declaration",
        ),
        (
            _with_table("kitchen-orders", stream_view_type="KEYS_ONLY"),
            "table 'kitchen-orders': stream_view_type is None in Terraform but 'KEYS_ONLY'",
        ),
        (_with_trigger(starting_position="LATEST"), f"{TRIGGER}: starting_position is 'TRIM_HORIZON' in Terraform"),
        (_with_trigger(batch_size=500), f"{TRIGGER}: batch_size is 100 in Terraform but 500"),
        (
            _with_trigger(maximum_batching_window_seconds=5),
            f"{TRIGGER}: maximum_batching_window_seconds is 0 in Terraform but 5",
        ),
        (
            _with_trigger(bisect_batch_on_function_error=False),
            f"{TRIGGER}: bisect_batch_on_function_error is True in Terraform but False",
        ),
        (_with_trigger(maximum_retry_attempts=3), f"{TRIGGER}: maximum_retry_attempts is -1 in Terraform but 3"),
        (
            _with_trigger(maximum_record_age_seconds=3600),
            f"{TRIGGER}: maximum_record_age_seconds is -1 in Terraform but 3600",
        ),
        (
            _with_trigger(on_failure_queue=None),
            f"{TRIGGER}: on_failure_destination_arn is ('queue', 'order-outbox-failures', 'arn') in Terraform but None",
        ),
        (
            _with_trigger(filter_patterns=[{"eventName": ["INSERT"]}]),
            f"{TRIGGER}: filter_patterns is [{{'eventName': ['INSERT', 'MODIFY'],",
        ),
        (
            _with_trigger(alarm_iterator_age_seconds=600),
            f"{TRIGGER}: alarm_iterator_age_seconds is 300 in Terraform but 600",
        ),
        (
            _with_trigger(alarm_iterator_age_seconds=None),
            f"{TRIGGER}: alarm_iterator_age_seconds is 300 in Terraform but None",
        ),
        (_without_read_stream, "Terraform grants ('table', 'orders', 'read_stream'), which is not declared"),
        (
            lambda s: s.model_copy(update={"stream_triggers": []}),
            "stream trigger 'order-outbox-publisher <- orders' has a Terraform module but is not declared",
        ),
        (
            _with_second_trigger,
            "stream trigger 'order-outbox-publisher <- kitchen-orders' is declared but has no Terraform module",
        ),
        (
            _with_failures_dead_lettered,
            "queue 'order-outbox-failures': the declaration gives it a dead-letter queue "
            "('order-outbox-failures-dlq'), Terraform none",
        ),
    ],
)
def test_drift_is_reported_when_the_stream_declaration_changes(
    change: Callable[[SystemDeclaration], SystemDeclaration], reported: str
) -> None:
    # Given a declaration changed without touching the Terraform / Then the change is reported
    assert_reported_when_declaration_changes(change, reported)


def _relay_statement_on(tf: Terraform, sid: str, resource: str) -> Terraform:
    statements = tf.modules["order_outbox_publisher_function"]["policy_statements"]
    changed = [{**s, "resources": [resource]} if s["sid"] == sid else s for s in statements]
    return with_module_changed(tf, "order_outbox_publisher_function", policy_statements=changed)


def _without_module(tf: Terraform, label: str) -> Terraform:
    return replace(tf, modules={k: v for k, v in tf.modules.items() if k != label})


def _with_trigger_copy(tf: Terraform) -> Terraform:
    return replace(tf, modules={**tf.modules, "outbox_again": tf.modules[TRIGGER_MODULE]})


NOT_PENDING = [
    {"eventName": ["INSERT", "MODIFY"], "dynamodb": {"NewImage": {"outboxPending": {"S": [{"exists": False}]}}}}
]


@pytest.mark.parametrize(
    ("change", "reported"),
    [
        (
            lambda tf: with_module_changed(tf, TRIGGER_MODULE, filter_patterns=NOT_PENDING),
            f"{TRIGGER}: filter_patterns is {NOT_PENDING!r} in Terraform",
        ),
        (
            lambda tf: with_module_changed(tf, TRIGGER_MODULE, filter_patterns=[]),
            f"{TRIGGER}: filter_patterns is [] in Terraform",
        ),
        (
            lambda tf: with_module_changed(tf, TRIGGER_MODULE, stream_arn="${module.orders_table.streams_arn}"),
            f"stream trigger {TRIGGER_MODULE!r}: stream_arn is not the stream_arn of a table module",
        ),
        (
            lambda tf: with_module_changed(tf, TRIGGER_MODULE, stream_arn="${module.kitchen_orders_table.stream_arn}"),
            f"stream trigger {TRIGGER_MODULE!r}: should be labelled 'order_outbox_publisher_from_kitchen_orders_",
        ),
        (
            lambda tf: with_module_changed(tf, TRIGGER_MODULE, function_name="${module.order_api_function.arn}"),
            f"stream trigger {TRIGGER_MODULE!r}: function_name is not a function module's function_name",
        ),
        (
            lambda tf: with_module_changed(tf, TRIGGER_MODULE, on_failure_destination_arn=None),
            f"{TRIGGER}: on_failure_destination_arn is None in Terraform but ('queue', 'order-outbox-failures', 'arn')",
        ),
        (
            lambda tf: with_module_changed(
                tf, TRIGGER_MODULE, on_failure_destination_arn="${module.kitchen_orders_queue.dlq_arn}"
            ),
            f"{TRIGGER}: on_failure_destination_arn is ('queue', 'kitchen-orders-dlq', 'arn') in Terraform",
        ),
        (
            lambda tf: with_module_changed(tf, TRIGGER_MODULE, maximum_retry_attempts=5),
            f"{TRIGGER}: maximum_retry_attempts is 5 in Terraform but -1",
        ),
        (
            lambda tf: with_module_changed(tf, TRIGGER_MODULE, bisect_batch_on_function_error=False),
            f"{TRIGGER}: bisect_batch_on_function_error is False in Terraform but True",
        ),
        (
            lambda tf: with_module_changed(tf, TRIGGER_MODULE, maximum_record_age_seconds=60),
            f"{TRIGGER}: maximum_record_age_seconds is 60 in Terraform but -1",
        ),
        (
            lambda tf: with_module_changed(tf, TRIGGER_MODULE, alarm_iterator_age_seconds=60),
            f"{TRIGGER}: alarm_iterator_age_seconds is 60 in Terraform but 300",
        ),
        (
            lambda tf: with_module_changed(tf, TRIGGER_MODULE, alarm_iterator_age_seconds=None),
            f"{TRIGGER}: alarm_iterator_age_seconds is None in Terraform but 300",
        ),
        (
            lambda tf: with_module_changed(tf, TRIGGER_MODULE, starting_position="LATEST"),
            f"{TRIGGER}: starting_position is 'LATEST' in Terraform but 'TRIM_HORIZON'",
        ),
        (
            lambda tf: _without_module(tf, TRIGGER_MODULE),
            "stream trigger 'order-outbox-publisher <- orders' is declared but has no Terraform module",
        ),
        (_with_trigger_copy, "stream trigger order-outbox-publisher <- orders has more than one module"),
        (
            lambda tf: _relay_statement_on(tf, "OrdersStreamRead", "${module.orders_table.arn}"),
            "statement OrdersStreamRead names '${module.orders_table.arn}', not the streams_arn of one table",
        ),
        (
            lambda tf: replace(tf, locals={**tf.locals, "dynamodb_stream_read_actions": ["dynamodb:*"]}),
            "local dynamodb_stream_read_actions is ['dynamodb:*']; expected exactly",
        ),
        (
            lambda tf: with_module_changed(tf, "orders_table", stream_view_type=None),
            "table 'orders': stream_view_type is None in Terraform but 'NEW_AND_OLD_IMAGES' in the declaration",
        ),
        (
            lambda tf: with_module_changed(tf, "order_outbox_failures_queue", source="./modules/queue_with_dlq"),
            "queue 'order-outbox-failures': Terraform gives it a dead-letter queue, the declaration none",
        ),
        (
            lambda tf: with_module_changed(
                tf, "order_outbox_failures_queue", redrive={"dead_letter_queue_arn": "arn", "max_receive_count": 3}
            ),
            "queue 'order-outbox-failures': Terraform gives it a dead-letter queue, the declaration none",
        ),
    ],
)
def test_drift_is_reported_when_the_stream_terraform_changes(
    change: Callable[[Terraform], Terraform], reported: str
) -> None:
    # Given Terraform changed without touching the declaration / Then the change is reported
    assert_reported_when_terraform_changes(change, reported)


def test_read_stream_is_spelled_with_exactly_the_deployers_actions_on_the_tables_streams() -> None:
    # Given the local for read_stream and the table module's outputs
    outputs = building_block("dynamodb_table").outputs

    # Then the actions are the deployer's, on <table ARN>/stream/*, as the deployer computes it
    assert EXPECTED_ACTIONS["dynamodb_stream_read_actions"] == set(iam.TABLE_STREAM_READ)
    assert outputs["streams_arn"]["value"] == "${aws_dynamodb_table.this.arn}/stream/*"
    table_arn = "arn:aws:dynamodb:us-east-1:000000000000:table/pizza-orders"
    assert iam.table_streams_arn(table_arn) == f"{table_arn}/stream/*"
    # And a trigger reads the current stream, the table module's stream_arn
    assert outputs["stream_arn"]["value"] == "${aws_dynamodb_table.this.stream_arn}"


def test_stream_trigger_passes_every_declared_setting_to_the_mapping() -> None:
    # Given the stream trigger building block
    mapping = building_block("dynamodb_stream_trigger").resources[("aws_lambda_event_source_mapping", "this")]

    # Then the mapping reads the given stream for the given function, as configured
    assert {k: v for k, v in mapping.items() if k != "dynamic"} == {
        "event_source_arn": "${var.stream_arn}",
        "function_name": "${var.function_name}",
        "starting_position": "${var.starting_position}",
        "batch_size": "${var.batch_size}",
        "maximum_batching_window_in_seconds": "${var.maximum_batching_window_seconds}",
        "bisect_batch_on_function_error": "${var.bisect_batch_on_function_error}",
        "maximum_retry_attempts": "${var.maximum_retry_attempts}",
        "maximum_record_age_in_seconds": "${var.maximum_record_age_seconds}",
    }
    # And each filter pattern becomes one JSON filter, and failed batches go to the failure queue
    blocks = {name: block for entry in mapping["dynamic"] for name, block in entry.items()}
    filters = blocks["filter_criteria"]
    assert filters["for_each"] == "${length(var.filter_patterns) > 0 ? [var.filter_patterns] : []}"
    [criteria] = filters["content"]
    [filter_block] = [entry["filter"] for entry in criteria["dynamic"]]
    assert filter_block["for_each"] == "${filter_criteria.value}"
    assert filter_block["content"] == [{"pattern": "${jsonencode(filter.value)}"}]
    destination = blocks["destination_config"]
    assert destination["for_each"] == (
        "${var.on_failure_destination_arn == null ? [] : [var.on_failure_destination_arn]}"
    )
    assert destination["content"] == [{"on_failure": [{"destination_arn": "${destination_config.value}"}]}]


def test_stream_trigger_alarms_when_set_on_how_far_behind_its_stream_the_function_reads() -> None:
    # Given the stream trigger building block's alarm
    age = building_block("dynamodb_stream_trigger").modules["iterator_age"]

    # Then, when a threshold is set, the alarm module watches the function's IteratorAge, in milliseconds
    assert (age["source"], age["count"]) == ("../metric_alarm", "${var.alarm_iterator_age_seconds == null ? 0 : 1}")
    assert (age["namespace"], age["metric_name"]) == ("AWS/Lambda", "IteratorAge")
    assert age["dimensions"] == {"FunctionName": "${var.function_name}"}
    assert age["threshold"] == "${var.alarm_iterator_age_seconds * 1000}"
    assert age["alarm_actions"] == "${var.alarm_actions}"


def test_stream_trigger_defaults_are_the_declarations_defaults() -> None:
    # Given the stream trigger building block's variables, and a trigger declared with defaults only
    variables = building_block("dynamodb_stream_trigger").variables
    declared = StreamTrigger(function=RELAY, table="orders")

    # Then a setting left out means the same on both sides
    assert {
        "starting_position": variables["starting_position"]["default"],
        "batch_size": variables["batch_size"]["default"],
        "maximum_batching_window_seconds": variables["maximum_batching_window_seconds"]["default"],
        "bisect_batch_on_function_error": variables["bisect_batch_on_function_error"]["default"],
        "maximum_retry_attempts": variables["maximum_retry_attempts"]["default"],
        "maximum_record_age_seconds": variables["maximum_record_age_seconds"]["default"],
        "on_failure_queue": variables["on_failure_destination_arn"]["default"],
        "filter_patterns": variables["filter_patterns"]["default"],
        "alarm_iterator_age_seconds": variables["alarm_iterator_age_seconds"]["default"],
    } == declared.model_dump(exclude={"function", "table"})


def test_functions_get_their_access_policy_before_anything_can_invoke_them() -> None:
    # Given the function building block
    function = building_block("lambda_function").resources[("aws_lambda_function", "this")]

    # Then the function waits for its access policy, so a stream mapping naming it can read the stream
    assert "${aws_iam_role_policy.access}" in function["depends_on"]


def test_a_queue_without_dead_letter_queue_is_encrypted_and_alarms_on_message_age() -> None:
    # Given the queue building block
    queue_module = building_block("sqs_queue")
    queue = queue_module.resources[("aws_sqs_queue", "this")]
    age = queue_module.modules["oldest_message_age"]

    # Then the queue is encrypted, redrives only when given a DLQ, and is named like the other queues
    assert queue["sqs_managed_sse_enabled"] is True
    assert queue["redrive_policy"].startswith("${var.redrive == null ? null : ")
    assert queue_module.variables["redrive"]["default"] is None
    assert queue_module.variables["dead_letter_for"]["default"] is None
    assert queue["name"] == "${local.queue_name}"
    assert queue_module.locals["queue_name"] == "${var.name_prefix}-${var.name}${local.suffix}"
    assert queue["visibility_timeout_seconds"] == "${var.visibility_timeout_seconds}"
    assert {type_ for type_, _ in queue_module.resources} == {"aws_sqs_queue"}
    # And an alarm fires, when set, on the age of its oldest message
    assert (set(queue_module.modules), age["source"]) == ({"not_empty", "oldest_message_age"}, "../metric_alarm")
    assert (age["metric_name"], age["threshold"]) == (
        "ApproximateAgeOfOldestMessage",
        "${var.alarm_oldest_message_age_seconds}",
    )
    assert age["dimensions"] == {"QueueName": "${aws_sqs_queue.this.name}"}
    assert age["count"] == "${var.alarm_oldest_message_age_seconds == null ? 0 : 1}"
