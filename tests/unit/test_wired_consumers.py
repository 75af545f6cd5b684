"""Functions as the library wires them from settings: the inbox is really there, and a wiring's
declared domain errors really dead-letter, run end to end over in-memory AWS stand-ins."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from aws_lambda_powertools import Logger
from consumer_support import THINGS, ShipThing, failed_ids, sqs_event, sqs_record, thing_event
from fake_aws import FakeDynamoDb, FakeSession, RecordingSqs

from integration_patterns.cloudevents_envelope import new_event, to_json
from integration_patterns.consumer_runtime import InboxSettings, inboxed_consumer
from integration_patterns.dead_letter import DEAD_LETTER_REASON_ATTRIBUTE
from integration_patterns.runtime import Runtime
from kitchen_service.wiring import KitchenAlertSettings, wire_alerts
from pizza_contracts import DELIVERY_DUE_SOON_V1


class _LambdaContext:
    def get_remaining_time_in_millis(self) -> int:
        return 10_000


def _runtime(settings: Any, dynamodb: FakeDynamoDb, sqs: RecordingSqs) -> Runtime[Any]:
    return Runtime(settings, Logger(service="wired-tests"), FakeSession(dynamodb=dynamodb, sqs=sqs))  # type: ignore[arg-type]


def test_an_inboxed_consumer_built_from_settings_runs_a_redelivered_event_once() -> None:
    # Given a consumer wired from inbox settings, over an in-memory DynamoDB
    settings = InboxSettings(
        otel_service_name="things", dead_letter_queue_url="https://sqs.test/things-dlq", inbox_table_name="things-inbox"
    )
    dynamodb, handled = FakeDynamoDb(), []

    def handle(command: ShipThing) -> None:
        handled.append(command)

    consumer = inboxed_consumer(_runtime(settings, dynamodb, RecordingSqs()), THINGS, handle)

    # When one event arrives twice
    body = thing_event(event_id="e-1")
    for message_id in ("m-1", "m-2"):
        assert failed_ids(consumer.process(sqs_event(sqs_record(message_id, body)), _LambdaContext())) == []

    # Then it ran once, and the inbox table holds the event as processed
    assert handled == [ShipThing("t-1", 1)]
    [record] = dynamodb.tables["things-inbox"].values()
    assert record["status"] == {"S": "COMPLETED"}


def test_a_kitchen_alert_for_an_order_the_kitchen_never_received_is_dead_lettered_at_once() -> None:
    # Given the kitchen's alert processor as wired, and no kitchen order for the alert's order
    settings = KitchenAlertSettings(
        otel_service_name="kitchen-alerts",
        dead_letter_queue_url="https://sqs.test/kitchen-alerts-dlq",
        kitchen_orders_table_name="kitchen-orders",
    )
    sqs = RecordingSqs()
    process = wire_alerts(_runtime(settings, FakeDynamoDb(), sqs))
    due = datetime(2026, 12, 3, 12, 45, tzinfo=UTC).isoformat()
    body = to_json(new_event(DELIVERY_DUE_SOON_V1, "/pizza/order-service", {"orderId": "o-404", "dueAt": due}))

    # When the alert arrives
    response = process(sqs_event(sqs_record("m-1", body)), _LambdaContext())

    # Then it is not retried but sent to the DLQ with the domain's reason
    assert failed_ids(response) == []
    [dead] = sqs.sent
    assert dead["QueueUrl"] == "https://sqs.test/kitchen-alerts-dlq"
    reason = dead["MessageAttributes"][DEAD_LETTER_REASON_ATTRIBUTE]["StringValue"]
    assert reason == "AlertForUnknownOrder: the alert names an order the kitchen never received"


def test_a_kitchen_alert_for_a_known_order_flags_it_once() -> None:
    # Given a kitchen order, and the alert processor as wired
    settings = KitchenAlertSettings(
        otel_service_name="kitchen-alerts",
        dead_letter_queue_url="https://sqs.test/kitchen-alerts-dlq",
        kitchen_orders_table_name="kitchen-orders",
    )
    dynamodb, sqs = FakeDynamoDb(), RecordingSqs()
    dynamodb.put_item(TableName="kitchen-orders", Item={"orderId": {"S": "o-1"}})
    process = wire_alerts(_runtime(settings, dynamodb, sqs))
    due = datetime(2026, 12, 3, 12, 45, tzinfo=UTC).isoformat()
    body = to_json(new_event(DELIVERY_DUE_SOON_V1, "/pizza/order-service", {"orderId": "o-1", "dueAt": due}))

    # When the alert arrives twice
    responses = [process(sqs_event(sqs_record(f"m-{n}", body)), _LambdaContext()) for n in (1, 2)]

    # Then both succeed, nothing is dead-lettered, and the order is flagged
    assert [failed_ids(r) for r in responses] == [[], []] and sqs.sent == []
    assert "alertedAt" in dynamodb.tables["kitchen-orders"][(("orderId", str({"S": "o-1"})),)]
