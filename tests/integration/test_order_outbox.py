"""The transactional outbox: an order change and its events are one write; the relay sends them.

Two faults are tried here. The relay cannot reach the kitchen queue (a crash between the state
change and the publish, as far as the customer can tell): the order is kept with its event
pending, and the event goes out once the fault clears. And a stream record is delivered to the
relay again: the event goes out again, and the consumers' idempotency absorbs it.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from integration_support import (
    AwsClients,
    OrdersApi,
    Telemetry,
    collection_order,
    delivery_order,
    eventually,
    new_id,
    order_placed_event,
)
from pubsub_support import PubSub

from pizza_ops.chaos.stream_records import stream_records_of
from pizza_ops.cli import main as pizza_cli
from pizza_ops.stack import EmbeddedStack

PUBLISHER = "order-outbox-publisher"


def _pending_event_types(item: dict[str, Any]) -> list[str]:
    entries = item.get("outbox", {}).get("M", {}).values()
    return [json.loads(entry["M"]["event"]["S"])["type"] for entry in entries]


def _relay_spans(telemetry: Telemetry, order_id: str, event_name: str) -> list[Any]:
    return telemetry.event_spans(order_id, "INTERNAL", f"outbox relay {event_name}")


def test_an_order_whose_event_cannot_be_sent_is_kept_pending_and_sent_once_the_fault_clears(
    stack: EmbeddedStack, aws: AwsClients, orders_api: OrdersApi, telemetry: Telemetry
) -> None:
    # Given the relay cannot reach the kitchen queue (it names one that does not exist)
    state = ["--state-dir", str(stack.config.state_dir)]
    real_url = aws.queue_url("kitchen-orders")
    assert pizza_cli([*state, "set-env", PUBLISHER, f"KITCHEN_QUEUE_URL={real_url.rsplit('/', 1)[0]}/pizza-gone"]) == 0
    try:
        # When a customer places an order
        response = orders_api.place(collection_order(pizza="Quattro Formaggi"))

        # Then it is accepted, and stored together with its still pending order.placed event
        assert response.status_code == 202
        order_id = response.json()["orderId"]
        item = aws.get_item("orders", order_id)
        assert item is not None and item["status"]["S"] == "ACCEPTED"
        # And the relay tried to send it and failed (the stream retries it), so the kitchen has nothing
        failed = eventually(
            lambda: (
                [s for s in _relay_spans(telemetry, order_id, "com.pizza.order.placed") if s.status_code == "ERROR"]
                or None
            ),
            what="a failed relay attempt",
        )
        assert failed[0].service_name == "order-outbox"
        item = aws.get_item("orders", order_id)
        assert item is not None and _pending_event_types(item) == ["com.pizza.order.placed.v1"]
        assert "outboxPending" in item
        assert aws.get_item("kitchen-orders", order_id) is None
    finally:
        assert pizza_cli([*state, "set-env", PUBLISHER, f"KITCHEN_QUEUE_URL={real_url}"]) == 0

    # When the fault clears
    # Then the retried record sends the event: the kitchen prepares the order and acknowledges it
    orders_api.wait_for_status(order_id, "ACKNOWLEDGED", timeout=60)
    assert aws.get_item("kitchen-orders", order_id) is not None
    # And exactly one attempt succeeded, after the failed ones
    relayed = eventually(
        lambda: (
            [s for s in _relay_spans(telemetry, order_id, "com.pizza.order.placed") if s.status_code != "ERROR"] or None
        ),
        what="the successful relay",
    )
    assert len(relayed) == 1
    assert relayed[0].start_unix_nano > failed[0].start_unix_nano
    # And nothing is left pending on the order once order.confirmed has gone out too
    eventually(
        lambda: (
            (item := aws.get_item("orders", order_id)) is not None
            and not _pending_event_types(item)
            and "outboxPending" not in item
        ),
        what="the order's outbox to empty",
    )


def _stream_records_of(aws: AwsClients, order_id: str) -> list[dict[str, Any]]:
    """Every record the orders table's stream holds for the order, oldest first, as Lambda gets them."""
    return stream_records_of(aws.dynamodb, aws.dynamodbstreams, aws.table("orders"), "orderId", [order_id])


def test_a_replayed_stream_record_is_sent_again_and_has_one_effect_downstream(
    aws: AwsClients, orders_api: OrdersApi, pubsub: PubSub, telemetry: Telemetry
) -> None:
    # Given a delivery order that went all the way: kitchen, confirmation, every subscriber acted
    # (a menu pizza no other test orders, so its count moves only with this order)
    pizza = "Calzone"
    counted_before = pubsub.pizza_orders(pizza)
    order = delivery_order(customer_id="customer-replay")
    order["items"] = [{"pizza": pizza, "quantity": 2}]
    order_id = orders_api.place(order).json()["orderId"]
    orders_api.wait_for_status(order_id, "ACKNOWLEDGED")
    eventually(lambda: pubsub.delivery(order_id), what="the delivery record")
    pubsub.wait_for_effects(order_id, pizza)
    points, orders_counted = pubsub.loyalty_points("customer-replay"), pubsub.pizza_orders(pizza)
    loyalty_copies = len(eventually(lambda: telemetry.consumer_spans("loyalty", order_id) or None, what="loyalty"))
    # And the stream record of the acknowledgement, the write that stored order.confirmed and the alert
    (acknowledgement,) = [
        record
        for record in _stream_records_of(aws, order_id)
        if "com.pizza.order.confirmed.v2" in _pending_event_types(record["dynamodb"]["NewImage"])
    ]
    assert "com.pizza.order.delivery.due-soon.v1" in _pending_event_types(acknowledgement["dynamodb"]["NewImage"])

    # When that record reaches the relay twice more (a retried batch, a replay)
    for _ in range(2):
        result = aws.lambda_.invoke(
            FunctionName=aws.outputs.function_names[PUBLISHER], Payload=json.dumps({"Records": [acknowledgement]})
        )
        assert "FunctionError" not in result, result["Payload"].read()
        assert json.loads(result["Payload"].read()) == {"sent": 2}

    # Then order.confirmed really went out again, twice (three publications in all)...
    eventually(
        lambda: len(telemetry.event_spans(order_id, "PRODUCER", "publish com.pizza.order.confirmed")) == 3 or None,
        what="three publications of order.confirmed",
    )
    # ...and every copy reached loyalty (one per channel per publication), whose inbox dropped them
    eventually(
        lambda: len(telemetry.consumer_spans("loyalty", order_id)) == 3 * loyalty_copies or None,
        what="loyalty to receive the replayed copies",
    )
    # And each effect happened once: points, the award, the count, the delivery record, the alert
    assert pubsub.loyalty_points("customer-replay") == points
    assert pubsub.pizza_orders(pizza) == orders_counted == counted_before + 1
    assert pubsub.delivery(order_id) is not None
    schedules = pubsub.scheduler.list_schedules(GroupName=pubsub.schedule_group, NamePrefix=f"kitchen-alert-{order_id}")
    assert len(schedules["Schedules"]) == 1


def test_an_order_stored_before_the_outbox_existed_is_acknowledged_and_announced(
    aws: AwsClients, orders_api: OrdersApi, pubsub: PubSub
) -> None:
    # Given an ACCEPTED order as the service stored it before it had an outbox (no `outbox` map)
    order_id, customer_id, pizza = new_id("legacy-order"), new_id("legacy-customer"), "Marinara"
    aws.dynamodb.put_item(
        TableName=aws.table("orders"),
        Item={
            "orderId": {"S": order_id},
            "customerId": {"S": customer_id},
            "orderType": {"S": "collection"},
            "status": {"S": "ACCEPTED"},
            "placedAt": {"S": datetime.now(UTC).isoformat()},
            "items": {"L": [{"M": {"pizza": {"S": pizza}, "quantity": {"N": "1"}}}]},
        },
    )

    # When the kitchen prepares and acknowledges it
    aws.send(
        "kitchen-orders", order_placed_event(order_id, pizza=pizza, reply_to=aws.queue_url("order-acknowledgements"))
    )

    # Then the acknowledgement is recorded and order.confirmed reaches the subscribers, as for a new order
    orders_api.wait_for_status(order_id, "ACKNOWLEDGED")
    pubsub.wait_for_effects(order_id, pizza)
    assert pubsub.loyalty_award(order_id) is not None
