"""Two layers of idempotency: the inbox drops a redelivered event id; the business layer makes each
effect happen once per order, even when two *different* events describe the same confirmation."""

from __future__ import annotations

from integration_support import Telemetry, eventually, new_id
from pubsub_support import SUBSCRIBERS, PubSub, future_due_time, order_confirmed

from pizza_ops.telemetry import StoredSpan

# The span attribute on which each subscriber reports its business outcome: the first event about
# an order does the work, the second finds it done. Neither is an error.
BUSINESS_OUTCOMES = {
    "loyalty": ("loyalty.award_outcome", ["already_awarded", "awarded"]),
    "delivery": ("delivery.outcome", ["already_scheduled", "scheduled"]),
    "analytics": ("analytics.count_outcome", ["already_counted", "counted"]),
    "notifications": ("notification.outcome", ["already_notified", "notified"]),
}
ADDRESS = {"line1": "7 Dough Lane", "city": "Naples", "postcode": "80100"}


def _outcome_spans(telemetry: Telemetry, service: str, order_id: str, copies: int) -> list[StoredSpan] | None:
    attribute, _ = BUSINESS_OUTCOMES[service]
    spans = [s for s in telemetry.consumer_spans(service, order_id) if attribute in s.attributes]
    return spans if len(spans) >= copies else None


def test_two_events_about_one_order_take_effect_once_in_every_subscriber(pubsub: PubSub, telemetry: Telemetry) -> None:
    # Given a delivery order confirmed twice, in two events with distinct ids (a double click),
    # and, as a control, another order of the same customer and pizza
    order_id, control_order_id = new_id("order-twice-confirmed"), new_id("order-control")
    customer_id, pizza = new_id("customer-biz"), new_id("Business Key Special")
    first_id, second_id, control_id = new_id("event-first"), new_id("event-second"), new_id("event-control")
    address, due = pubsub.encrypted_address(order_id, ADDRESS), future_due_time(3600)
    confirmations = [
        order_confirmed(
            order_id,
            customer_id=customer_id,
            pizza=pizza,
            quantity=2,
            amount="12.00",
            delivery_address=address,
            delivery_due_at=due,
            event_id=event_id,
        )
        for event_id in (first_id, second_id)
    ]
    control = order_confirmed(
        control_order_id, customer_id=customer_id, pizza=pizza, quantity=1, amount="5.00", event_id=control_id
    )

    # When all three are published to the order-events topic
    for body in (*confirmations, control):
        pubsub.publish_via_sns(body)

    # Then every subscriber's inbox let all three events through and completed them (the
    # infrastructure layer sees distinct ids, so it cannot tell the second confirmation is a repeat)
    for name, subscriber in SUBSCRIBERS.items():
        eventually(
            lambda s=subscriber: all(
                pubsub.inbox_status(s, event_id) == "COMPLETED" for event_id in (first_id, second_id, control_id)
            ),
            timeout=60,
            what=f"{name}'s inbox to complete the three events",
        )

    # And each subscriber did the work for the first and absorbed the second (the business layer),
    # without an error: both deliveries were processed by the inbox, neither failed
    for name, (attribute, outcomes) in BUSINESS_OUTCOMES.items():
        spans = eventually(
            lambda n=name: _outcome_spans(telemetry, n, order_id, 2), timeout=30, what=f"{name}'s two spans"
        )
        assert sorted(str(s.attributes[attribute]) for s in spans) == outcomes, name
        assert {str(s.attributes["messaging.inbox.outcome"]) for s in spans} == {"processed"}, name
        assert all(s.status_code != "ERROR" for s in spans), name

    # And loyalty awarded the order once: 12 points for it and 5 for the control, one award each
    assert pubsub.loyalty_points(customer_id) == 12 + 5
    award = pubsub.loyalty_award(order_id)
    assert award is not None
    assert int(award["points"]["N"]) == 12
    # And delivery holds one delivery for the order (none for the collection control)
    delivery = pubsub.delivery(order_id)
    assert delivery is not None
    assert delivery["line1"]["S"] == ADDRESS["line1"]
    assert pubsub.delivery(control_order_id) is None
    # And analytics counted the order once, beside the control: two orders, 2 + 1 pizzas, two markers
    assert pubsub.pizza_orders(pizza) == 2
    assert pubsub.pizzas_ordered(pizza) == 3
    assert pubsub.counted_order(order_id) is not None
    assert pubsub.counted_order(control_order_id) is not None
    # And notifications recorded one message per order
    assert pubsub.notification(order_id) is not None
    assert pubsub.notification(control_order_id) is not None
