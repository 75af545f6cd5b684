"""`pizza cost`'s mapping from spans to billable units, on fake spans shaped like the real ones."""

from __future__ import annotations

import itertools

import pytest

from pizza_ops.cost import BillingFacts, FunctionSpec, Usage, usage_per_order
from pizza_ops.cost.usage import unattributed_calls
from pizza_ops.system import load_system
from pizza_ops.telemetry import StoredSpan

FACTS = BillingFacts(
    functions={
        "order-receiver": FunctionSpec("order-api", memory_mb=512, http_api=True),
        "kitchen-processor": FunctionSpec("kitchen-processor", memory_mb=256, sqs_trigger="standard"),
        "order-outbox": FunctionSpec("order-outbox-publisher", memory_mb=256, stream_trigger=True),
        "order-saga": FunctionSpec("order-saga", memory_mb=256),
    },
    topic_subscribers={"pizza-order-events": 4},
    claim_retention_days=15,
)
_ids = (f"{n:016x}" for n in itertools.count(1))


def _span(
    service: str,
    name: str,
    *,
    kind: str = "INTERNAL",
    parent: StoredSpan | None = None,
    trace: str = "a" * 32,
    ms: float = 1.0,
    **attributes: object,
) -> StoredSpan:
    return StoredSpan(
        trace_id=parent.trace_id if parent else trace,
        span_id=next(_ids),
        parent_span_id=parent.span_id if parent else None,
        name=name,
        kind=kind,
        service_name=service,
        start_unix_nano=0,
        end_unix_nano=int(ms * 1_000_000),
        attributes=dict(attributes),  # type: ignore[arg-type]
    )


def _call(parent: StoredSpan, service: str, method: str, **attributes: object) -> StoredSpan:
    rpc = {"rpc.service": service, "rpc.method": method, **attributes}
    kind = "PRODUCER" if service == "SNS" else "CLIENT"  # as the botocore instrumentation has them
    return _span(parent.service_name, f"{service}.{method}", kind=kind, parent=parent, **rpc)


def _units(usage: list[Usage], item: str, detail: str | None = None) -> float:
    return sum(u.units for u in usage if u.item == item and (detail is None or u.detail == detail))


def test_an_api_invocation_is_one_request_one_http_call_and_gb_seconds_from_declared_memory() -> None:
    # Given an order whose POST /orders span took 99.2 ms in a function declared with 512 MB
    post = _span("order-receiver", "POST /orders", kind="SERVER", ms=99.2)
    # When its usage is counted
    usage = usage_per_order([[post, _call(post, "DynamoDB", "PutItem")]], FACTS)
    # Then one request, billed 100 ms at 0.5 GB, and one HTTP API request; the client span is no invocation
    assert _units(usage, "lambda.requests", "order-api") == 1
    assert _units(usage, "lambda.gb_seconds", "order-api") == pytest.approx(0.1 * 0.5)
    assert _units(usage, "apigateway.http_requests") == 1


def test_a_consumer_invocation_adds_the_event_source_mappings_receive_and_delete() -> None:
    # Given a kitchen CONSUMER span whose parent is the saga's producer span (another service)
    send = _span("order-saga", "send pizza-kitchen-orders", kind="PRODUCER")
    consume = _span("kitchen-processor", "process pizza-kitchen-orders", kind="CONSUMER", parent=send)
    # When counted
    usage = usage_per_order([[send, _call(send, "SQS", "SendMessage"), consume]], FACTS)
    # Then the kitchen is invoked once, and SQS bills the send plus the mapping's receive and delete
    assert _units(usage, "lambda.requests", "kitchen-processor") == 1
    assert _units(usage, "sqs.requests") == 1 + 2


def test_dynamodb_calls_become_write_and_read_units_by_the_stated_assumptions() -> None:
    # Given writes, a transaction, and reads eventually and strongly consistent
    root = _span("order-saga", "order saga", kind="SERVER")
    calls = [
        _call(root, "DynamoDB", "PutItem"),
        _call(root, "DynamoDB", "UpdateItem"),
        _call(root, "DynamoDB", "TransactWriteItems"),
        _call(root, "DynamoDB", "GetItem"),
        _call(root, "DynamoDB", "GetItem", **{"aws.dynamodb.consistent_read": True}),
    ]
    # When counted
    usage = usage_per_order([[root, *calls]], FACTS)
    # Then 1 KB items: 1 WRU a write, 2 items of 2 WRUs a transaction; 0.5 and 1 RRU a read
    assert _units(usage, "dynamodb.write_request_units") == 1 + 1 + 4
    assert _units(usage, "dynamodb.read_request_units") == 0.5 + 1


def test_a_publish_bills_the_topic_and_counts_free_deliveries_to_each_subscribed_queue() -> None:
    # Given the relay publishing to the topic and putting the event on the bus
    relay = _span("order-outbox", "outbox relay com.pizza.order.confirmed")
    arn = "arn:aws:sns:us-east-1:000000000000:pizza-order-events"
    calls = [_call(relay, "SNS", "Publish", **{"aws.sns.topic.arn": arn}), _call(relay, "EventBridge", "PutEvents")]
    # When counted
    usage = usage_per_order([[relay, *calls]], FACTS)
    # Then one publish, four deliveries, one custom event; the stream read by Lambda costs nothing
    assert _units(usage, "sns.publishes") == 1
    assert _units(usage, "sns.sqs_deliveries") == 4
    assert _units(usage, "eventbridge.custom_events") == 1
    assert _units(usage, "dynamodb.stream_read_requests") == 0


def test_kms_s3_websocket_and_schedule_calls_map_to_their_items() -> None:
    # Given one call of each kind
    root = _span("order-saga", "order saga", kind="SERVER")
    calls = [
        _call(root, *pair)
        for pair in [
            ("KMS", "Encrypt"),
            ("KMS", "GenerateMac"),
            ("S3", "PutObject"),
            ("S3", "GetObject"),
            ("ApiGatewayManagementApi", "PostToConnection"),
            ("Scheduler", "CreateSchedule"),
        ]
    ]
    # When counted
    usage = usage_per_order([[root, *calls]], FACTS)
    # Then each lands on its own priced item
    for item in (
        "kms.symmetric_requests",
        "kms.hmac_requests",
        "s3.put_requests",
        "s3.get_requests",
        "apigateway.websocket_messages",
        "scheduler.invocations",
    ):
        assert _units(usage, item) == 1, item


def test_saga_steps_are_durable_operations_and_its_api_calls_cost_nothing_more() -> None:
    # Given a saga run with two steps, a checkpoint and the orders API's invoke
    run = _span("order-saga", "order saga", kind="SERVER")
    steps = [_span("order-saga", f"saga step {n}", parent=run, **{"saga.step": n}) for n in ("a", "b")]
    free = [_call(run, "Lambda", "CheckpointDurableExecution"), _call(run, "Lambda", "Invoke")]
    # When counted
    usage = usage_per_order([[run, *steps, *free]], FACTS)
    # Then two operations, and nothing unpriced
    assert _units(usage, "lambda.durable_operations", "order-saga") == 2
    assert not [u for u in usage if u.item == "unpriced"]


def test_an_unknown_call_is_listed_unpriced_rather_than_dropped() -> None:
    # Given a call the mapping does not know
    root = _span("order-saga", "order saga", kind="SERVER")
    # When counted
    usage = usage_per_order([[root, _call(root, "StepFunctions", "StartExecution")]], FACTS)
    # Then it shows as unpriced, by name
    assert Usage("unpriced", "StepFunctions.StartExecution", 1) in usage


def test_claim_checks_count_storage_for_the_retention_and_a_presigned_read_as_a_get() -> None:
    # Given a 1 GiB claim uploaded, and redeemed once by URL (no S3 client span under it)
    root = _span("order-saga", "order saga", kind="SERVER")
    upload = _span("order-saga", "claim check upload", parent=root, **{"claim_check.object.size": 1024**3})
    redeem = _span("order-saga", "claim check redeem", parent=root)
    # When counted
    usage = usage_per_order([[root, upload, _call(upload, "S3", "PutObject"), redeem]], FACTS)
    # Then half a GB-month (15 of 30 days) and one GET
    assert _units(usage, "s3.storage") == pytest.approx(0.5)
    assert _units(usage, "s3.get_requests") == 1


def test_units_are_a_mean_per_order_and_a_span_shared_by_two_orders_counts_once() -> None:
    # Given two orders, each with its own POST, whose traces share one batch call
    first = _span("order-receiver", "POST /orders", kind="SERVER", trace="1" * 32)
    second = _span("order-receiver", "POST /orders", kind="SERVER", trace="2" * 32)
    batch = _call(first, "SQS", "SendMessageBatch")
    # When both are counted
    usage = usage_per_order([[first, batch], [second, batch]], FACTS)
    # Then one request each, and half the batch call each
    assert _units(usage, "lambda.requests") == 1
    assert _units(usage, "sqs.requests") == 0.5


def test_no_orders_is_refused() -> None:
    # Given no orders / When counted / Then a ValueError, not a division by zero
    with pytest.raises(ValueError, match="no orders"):
        usage_per_order([], FACTS)


def test_the_facts_come_from_the_declaration() -> None:
    # Given infra/system.yaml
    facts = BillingFacts.of(load_system())
    # Then every function is known by its service name, with its wiring
    by_name = {spec.name: spec for spec in facts.functions.values()}
    assert by_name["order-api"].http_api
    assert by_name["kitchen-processor"].sqs_trigger in ("standard", "fifo")
    assert by_name["order-outbox-publisher"].stream_trigger
    assert facts.topic_subscribers["pizza-order-events"] >= 1
    assert facts.claim_retention_days > 0


def test_calls_in_no_orders_trace_are_shared_by_the_orders_placed_meanwhile() -> None:
    # Given one sampled order, and meanwhile a batch publish in a trace of its own that links to it
    post = _span("order-receiver", "POST /orders", kind="SERVER", **{"order.id": "o-1"})
    batch = _span("order-outbox", "publish batch pizza-order-events", trace="c" * 32)
    shared = _call(batch, "SNS", "PublishBatch")
    # When counted with the two orders placed in that time
    usage = usage_per_order([[post]], FACTS, unattributed=[shared], placed_alongside=2)
    # Then each order bears half the publish, on a line that says it was shared by time
    assert Usage("sns.publishes", "SNS.PublishBatch (by time)", 0.5) in usage
    # And only an AWS call of a declared function in a trace naming no order counts as unattributed
    in_the_order = _call(post, "DynamoDB", "PutItem")
    assert unattributed_calls([post, in_the_order, batch, shared], FACTS) == [shared]
