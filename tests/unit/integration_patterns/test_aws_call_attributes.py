"""An AWS SDK call's span names what IAM authorises it on, where the botocore instrumentation does
not: the parts of a transaction or PartiQL batch, the key, bus, schedule group and function."""

from __future__ import annotations

from typing import Any

import pytest
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from integration_patterns.aws_call_attributes import record_call_resources


def _attributes_of(service: str, operation: str, params: dict[str, Any]) -> dict[str, Any]:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    with provider.get_tracer("test").start_as_current_span(f"{service}.{operation}") as span:
        record_call_resources(span, service, operation, params)
    (finished,) = exporter.get_finished_spans()
    return dict(finished.attributes or {})


@pytest.mark.parametrize(
    ("service", "operation", "params", "expected"),
    [
        (
            "dynamodb",
            "TransactWriteItems",
            {
                "TransactItems": [
                    {"Put": {"TableName": "pizza-loyalty-inbox", "Item": {"id": {"S": "secret"}}}},
                    {"Update": {"TableName": "pizza-loyalty-accounts", "Key": {}}},
                    {"ConditionCheck": {"TableName": "pizza-orders", "Key": {}}},
                ]
            },
            {
                "aws.dynamodb.transact_items": [
                    "Put pizza-loyalty-inbox",
                    "Update pizza-loyalty-accounts",
                    "ConditionCheck pizza-orders",
                ]
            },
        ),
        (
            "dynamodb",
            "BatchExecuteStatement",
            {
                "Statements": [
                    {"Statement": 'UPDATE "pizza-orders" REMOVE outboxPending WHERE orderId = ?'},
                    {"Statement": 'DELETE FROM "pizza-orders" WHERE orderId = ?'},
                    {"Statement": 'SELECT * FROM "pizza-orders"."by-customer" WHERE customerId = ?'},
                ]
            },
            {"aws.dynamodb.statements": ["UPDATE pizza-orders", "DELETE pizza-orders", "SELECT pizza-orders"]},
        ),
        (
            "kms",
            "GenerateMac",
            {"KeyId": "arn:aws:kms:r:1:key/k", "Message": b"x"},
            {"aws.kms.key_id": "arn:aws:kms:r:1:key/k"},
        ),
        (
            "events",
            "PutEvents",
            {"Entries": [{"EventBusName": "pizza-order-events"}, {"Detail": "{}"}]},
            {"aws.events.bus_names": ["default", "pizza-order-events"]},
        ),
        (
            "scheduler",
            "CreateSchedule",
            {"Name": "alert-1", "GroupName": "pizza-kitchen-alerts", "Target": {"RoleArn": "arn:aws:iam::1:role/r"}},
            {
                "aws.scheduler.group_name": "pizza-kitchen-alerts",
                "aws.scheduler.schedule_name": "alert-1",
                "aws.scheduler.target_role_arn": "arn:aws:iam::1:role/r",
            },
        ),
        (
            "lambda",
            "Invoke",
            {"FunctionName": "pizza-order-saga", "Qualifier": "live"},
            {"aws.lambda.function_name": "pizza-order-saga:live"},
        ),
        (
            "lambda",
            "CheckpointDurableExecution",
            {"DurableExecutionArn": "arn:aws:lambda:r:1:function:f:1/durable-execution/n/i"},
            {"aws.lambda.durable_execution_arn": "arn:aws:lambda:r:1:function:f:1/durable-execution/n/i"},
        ),
        (
            "s3",
            "GetObject",
            {"Bucket": "pizza-claim-checks", "Key": "restricted/delivery/e-1.json"},
            {"aws.s3.bucket": "pizza-claim-checks", "aws.s3.key": "restricted/delivery/e-1.json"},
        ),
        # Calls the instrumentation already describes get nothing more.
        ("dynamodb", "PutItem", {"TableName": "pizza-orders", "Item": {}}, {}),
        ("sqs", "SendMessage", {"QueueUrl": "http://q", "MessageBody": "b"}, {}),
    ],
)
def test_a_call_span_names_what_iam_authorises_it_on(
    service: str, operation: str, params: dict[str, Any], expected: dict[str, Any]
) -> None:
    # Given an SDK call's span / When the request hook has seen its parameters
    attributes = _attributes_of(service, operation, params)

    # Then it carries the resources and parts, and never an item's values
    assert {k: list(v) if isinstance(v, tuple) else v for k, v in attributes.items()} == expected
    assert "secret" not in str(attributes)
