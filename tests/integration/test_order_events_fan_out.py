"""Publish/subscribe: one order.confirmed event fans out to every subscriber, each independent.

The order service publishes each event to an SNS topic by default, or to an EventBridge bus, or to
both (ORDER_EVENT_CHANNELS); every subscriber's own queue is subscribed to both, so with both on
each receives two copies and its inbox runs the business logic for the first only.
"""

from __future__ import annotations

from typing import Any

import pytest
from integration_support import OrdersApi, Telemetry, eventually, new_id
from pubsub_support import SUBSCRIBERS, PubSub, future_due_time, order_confirmed

from pizza_ops.telemetry import StoredSpan


def _consumer_spans(telemetry: Telemetry, service: str, event_id: str) -> list[StoredSpan]:
    return [
        span
        for span in telemetry.store.spans_with_attribute("cloudevents.event_id", event_id)
        if span.service_name == service and span.kind == "CONSUMER"
    ]


def _settled_copies(telemetry: Telemetry, service: str, event_id: str) -> list[StoredSpan] | None:
    """The subscriber's spans once both copies were settled (processed or acknowledged as duplicate)."""
    spans = _consumer_spans(telemetry, service, event_id)
    settled = [s for s in spans if s.attributes.get("messaging.inbox.outcome") in ("processed", "duplicate")]
    return spans if len(settled) >= 2 else None


@pytest.mark.usefixtures("order_events_on_both_channels")
def test_a_confirmed_order_reaches_every_subscriber_through_sns_and_eventbridge(
    orders_api: OrdersApi, pubsub: PubSub, telemetry: Telemetry
) -> None:
    # Given a delivery order placed through the app, for a menu pizza no other test orders
    pizza = "Capricciosa"
    counted_before = pubsub.pizza_orders(pizza)
    customer_id = new_id("customer-fan")
    body: dict[str, Any] = {
        "customerId": customer_id,
        "orderType": "delivery",
        "salesChannel": "app",
        "items": [{"pizza": pizza, "quantity": 2}],
        "deliveryAddress": {"line1": "2 Fan-out Lane", "city": "Naples", "postcode": "80121"},
        "deliveryDueAt": future_due_time(3600 * 3),
    }

    # When the customer places it and the kitchen acknowledges it
    order_id = orders_api.place(body).json()["orderId"]
    orders_api.wait_for_status(order_id, "ACKNOWLEDGED")

    # Then the subscribers act on it: a delivery record, and points, a message and a count
    eventually(lambda: pubsub.delivery(order_id), what="the delivery record")
    pubsub.wait_for_effects(order_id, pizza)
    # Menu price 12.00 x 2 = 24 points, doubled for an app order (a v2-only field)
    assert pubsub.loyalty_points(customer_id) == 48
    assert pubsub.pizza_orders(pizza) == counted_before + 1

    # And each subscriber received one copy through each channel, and processed exactly one
    publish_span = eventually(
        lambda: telemetry.event_spans(order_id, "PRODUCER", "publish "),
        what="the publisher's span",
    )[0]
    event_id = str(publish_span.attributes["cloudevents.event_id"])
    assert publish_span.attributes["messaging.system"] == "aws_sns+aws_eventbridge"
    for subscriber in SUBSCRIBERS.values():
        spans = eventually(
            lambda s=subscriber: _settled_copies(telemetry, s.service, event_id),
            timeout=30,
            what=f"both copies settled by {subscriber.service}",
        )
        envelopes = {s.attributes["messaging.delivery.envelope"] for s in spans}
        outcomes = [s.attributes.get("messaging.inbox.outcome") for s in spans]
        assert envelopes == {"eventbridge", "none"}, subscriber.service
        assert outcomes.count("processed") == 1, (subscriber.service, outcomes)
        assert outcomes.count("duplicate") == 1, (subscriber.service, outcomes)


def test_by_default_a_confirmed_order_goes_out_on_sns_alone_one_copy_per_subscriber(
    orders_api: OrdersApi, pubsub: PubSub, telemetry: Telemetry
) -> None:
    # Given a collection order placed with the deployed settings
    customer_id = new_id("customer-one-channel")
    body = {"customerId": customer_id, "orderType": "collection", "items": [{"pizza": "Diavola", "quantity": 1}]}

    # When it is acknowledged and its order.confirmed published
    order_id = orders_api.place(body).json()["orderId"]
    orders_api.wait_for_status(order_id, "ACKNOWLEDGED")
    publish_span = eventually(
        lambda: telemetry.event_spans(order_id, "PRODUCER", "publish "), what="the publisher's span"
    )[0]

    # Then it went out on SNS only, and each subscriber got one copy (raw SNS delivery) and processed it
    assert publish_span.attributes["messaging.system"] == "aws_sns"
    event_id = str(publish_span.attributes["cloudevents.event_id"])
    for subscriber in SUBSCRIBERS.values():
        spans = eventually(
            lambda s=subscriber: _consumer_spans(telemetry, s.service, event_id) or None,
            timeout=30,
            what=f"{subscriber.service}'s copy",
        )
        assert [s.attributes["messaging.delivery.envelope"] for s in spans] == ["none"], subscriber.service
        assert [s.attributes.get("messaging.inbox.outcome") for s in spans] == ["processed"], subscriber.service


def test_each_channel_alone_reaches_every_subscriber(pubsub: PubSub) -> None:
    # Given two confirmed orders, each for a pizza only it contains
    via_sns, via_eventbridge = new_id("order-sns"), new_id("order-eb")
    sns_pizza, eventbridge_pizza = new_id("SNS Special"), new_id("EventBridge Special")

    # When one is published only to the SNS topic and the other only to the EventBridge bus
    pubsub.publish_via_sns(order_confirmed(via_sns, pizza=sns_pizza))
    pubsub.publish_via_eventbridge(order_confirmed(via_eventbridge, pizza=eventbridge_pizza))

    # Then every subscriber that acts on collection orders acts on both: each channel alone fans out to all
    pubsub.wait_for_effects(via_sns, sns_pizza)
    pubsub.wait_for_effects(via_eventbridge, eventbridge_pizza)
