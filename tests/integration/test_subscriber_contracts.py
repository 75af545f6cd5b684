"""Each subscriber's anti-corruption layer: v1 and v2 accepted, anything else dead-lettered with a reason."""

from __future__ import annotations

import json

import pytest
from integration_support import AwsClients, eventually, new_id
from pubsub_support import SUBSCRIBERS, PubSub, Subscriber, order_confirmed

from integration_patterns.dead_letter import DEAD_LETTER_REASON_ATTRIBUTE


def _dead_letter_reason(aws: AwsClients, subscriber: Subscriber, event_id: str) -> str:
    """Drain the subscriber's DLQ until the message carrying ``event_id`` is found; its reason."""
    found: dict[str, str] = {}

    def probe() -> bool:
        for message in aws.drain(subscriber.dead_letter_queue, expect=1, timeout=20):
            if json.loads(message["Body"]).get("id") == event_id:
                found["reason"] = message["MessageAttributes"][DEAD_LETTER_REASON_ATTRIBUTE]["StringValue"]
        return "reason" in found

    eventually(probe, timeout=45, interval=0, what=f"{subscriber.service} to dead-letter event {event_id}")
    return found["reason"]


@pytest.mark.parametrize("subscriber", SUBSCRIBERS.values(), ids=lambda s: s.service)
def test_an_event_missing_the_customer_id_lands_in_that_subscribers_dlq_with_its_reason(
    aws: AwsClients, subscriber: Subscriber
) -> None:
    # Given an order.confirmed event without its customerId (a required field for every subscriber)
    event_id = new_id("event-missing-customer")
    body = order_confirmed(new_id("order-bad"), without=("customerId",), event_id=event_id)

    # When it is delivered to the subscriber's queue
    aws.send(subscriber.queue, body)

    # Then the subscriber dead-letters it at once, naming the missing field and the rule (never input)
    reason = _dead_letter_reason(aws, subscriber, event_id)
    assert reason == "data is not a valid confirmed order: customerId: Field required"


@pytest.mark.parametrize("subscriber", SUBSCRIBERS.values(), ids=lambda s: s.service)
def test_an_unsupported_version_is_rejected_to_the_dlq_naming_the_versions_supported(
    aws: AwsClients, pubsub: PubSub, subscriber: Subscriber
) -> None:
    # Given an order.confirmed.v3 event, a version no subscriber supports yet
    event_id = new_id("event-v3")
    body = order_confirmed(new_id("order-v3"), version=3, event_id=event_id)

    # When it is published through SNS (no filter: every subscriber gets it)
    pubsub.publish_via_sns(body)

    # Then each subscriber dead-letters it with a reason naming what it does support (not what came)
    reason = _dead_letter_reason(aws, subscriber, event_id)
    assert "(supported: com.pizza.order.confirmed.v1, com.pizza.order.confirmed.v2)" in reason
    assert "v3" not in reason


def test_v1_and_v2_are_both_processed_and_loyalty_uses_the_v2_only_sales_channel(pubsub: PubSub) -> None:
    # Given the same kind of order confirmed once as v1 (no sales channel) and once as v2 from the app
    customer_v1, customer_v2 = new_id("customer-v1"), new_id("customer-v2")
    order_v1, order_v2 = new_id("order-v1"), new_id("order-v2")
    pizza = new_id("Versioned Special")

    # When both are published
    pubsub.publish_via_sns(order_confirmed(order_v1, version=1, customer_id=customer_v1, pizza=pizza, amount="17.50"))
    pubsub.publish_via_sns(
        order_confirmed(order_v2, version=2, customer_id=customer_v2, pizza=pizza, amount="17.50", sales_channel="app")
    )

    # Then every subscriber processes both versions
    pubsub.wait_for_effects(order_v1, pizza)
    pubsub.wait_for_effects(order_v2, pizza)
    eventually(lambda: pubsub.pizza_orders(pizza) == 2, what="analytics to count both orders")
    # And loyalty awards the standard rate on v1 (17 points) and doubles it for an app order on v2
    assert pubsub.loyalty_points(customer_v1) == 17
    assert pubsub.loyalty_points(customer_v2) == 34
