"""The inbox: a redelivered event id is acknowledged without running the business logic again."""

from __future__ import annotations

import time

from integration_support import AwsClients, Telemetry, eventually, new_id
from pubsub_support import PubSub, collection_order_subscribers, order_confirmed

from pizza_ops.telemetry import StoredSpan

SEVEN_DAYS = 7 * 24 * 3600


def _settled(telemetry: Telemetry, service: str, event_id: str, copies: int) -> list[StoredSpan] | None:
    spans = [
        s
        for s in telemetry.store.spans_with_attribute("cloudevents.event_id", event_id)
        if s.service_name == service and s.attributes.get("messaging.inbox.outcome") in ("processed", "duplicate")
    ]
    return spans if len(spans) >= copies else None


def test_the_same_event_delivered_twice_runs_the_logic_once_per_subscriber(
    aws: AwsClients, pubsub: PubSub, telemetry: Telemetry
) -> None:
    # Given one order.confirmed event, with one id
    event_id = new_id("event-twice")
    order_id, customer_id, pizza = new_id("order-twice"), new_id("customer-twice"), new_id("Twice Special")
    body = order_confirmed(order_id, customer_id=customer_id, pizza=pizza, amount="12.00", event_id=event_id)

    # When it is delivered twice to the queue of every subscriber that acts on a collection order
    subscribers = collection_order_subscribers()
    for subscriber in subscribers:
        aws.send(subscriber.queue, body)
        aws.send(subscriber.queue, body)

    # Then each subscriber settles both copies: one processed, one acknowledged as a duplicate
    for subscriber in subscribers:
        spans = eventually(
            lambda s=subscriber: _settled(telemetry, s.service, event_id, 2),
            timeout=30,
            what=f"{subscriber.service} to settle",
        )
        outcomes = sorted(str(s.attributes["messaging.inbox.outcome"]) for s in spans)
        assert outcomes == ["duplicate", "processed"], subscriber.service
    # And the business logic ran once: 12 points, one count
    assert pubsub.loyalty_points(customer_id) == 12
    assert pubsub.pizza_orders(pizza) == 1
    # And the inbox holds the event id as processed, to expire after the 7-day TTL
    now = time.time()
    for subscriber in subscribers:
        records = [r for r in pubsub.inbox_records(subscriber) if event_id in r.get("data", {}).get("S", "")]
        assert len(records) == 1, subscriber.service
        assert records[0]["status"]["S"] == "COMPLETED", subscriber.service
        assert abs(int(records[0]["expiration"]["N"]) - (now + SEVEN_DAYS)) < 120


def test_loyalty_points_are_awarded_exactly_once_per_order(pubsub: PubSub, telemetry: Telemetry) -> None:
    # Given a confirmed order worth 23.50
    event_id = new_id("event-loyal")
    order_id, customer_id = new_id("order-loyal"), new_id("customer-loyal")
    body = order_confirmed(order_id, customer_id=customer_id, amount="23.50", event_id=event_id)

    # When it is published three times through both channels (six deliveries)
    for _ in range(3):
        pubsub.publish_via_sns(body)
        pubsub.publish_via_eventbridge(body)

    # Then, once loyalty has settled all six deliveries, one processed and five duplicates
    spans = eventually(lambda: _settled(telemetry, "loyalty", event_id, 6), timeout=40, what="six settled deliveries")
    assert sorted(str(s.attributes["messaging.inbox.outcome"]) for s in spans).count("processed") == 1
    # And the customer earned 23 points once, recorded as one award for the order
    assert pubsub.loyalty_points(customer_id) == 23
    award = pubsub.loyalty_award(order_id)
    assert award is not None
    assert int(award["points"]["N"]) == 23
