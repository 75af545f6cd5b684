"""Two layers of idempotency: the inbox drops a redelivered event id; the business layer makes each
effect happen once per order, even when two *different* events describe the same confirmation."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from integration_support import Telemetry, eventually, new_id
from pubsub_support import SUBSCRIBERS, PerSubscriber, PubSub, future_due_time, order_confirmed

from pizza_ops.telemetry import StoredSpan

ADDRESS = {"line1": "7 Dough Lane", "city": "Naples", "postcode": "80100"}


@dataclass(frozen=True)
class Orders:
    """A delivery order confirmed twice, and a collection order of the same customer and pizza."""

    twice_confirmed: str
    control: str
    customer_id: str
    pizza: str


@dataclass(frozen=True)
class BusinessLayer:
    """How a subscriber reports its business outcome on its spans (the first event about an order
    does the work, the second finds it done; neither is an error), and what its own data must hold."""

    outcome_attribute: str
    outcomes: list[str]
    took_effect_once: Callable[[PubSub, Orders], None]


def _awarded_once(pubsub: PubSub, orders: Orders) -> None:
    # 12 points for the order and 5 for the control, one award each
    assert pubsub.loyalty_points(orders.customer_id) == 12 + 5
    award = pubsub.loyalty_award(orders.twice_confirmed)
    assert award is not None
    assert int(award["points"]["N"]) == 12


def _notified_once(pubsub: PubSub, orders: Orders) -> None:
    # one message per order
    assert pubsub.notification(orders.twice_confirmed) is not None
    assert pubsub.notification(orders.control) is not None


def _scheduled_once(pubsub: PubSub, orders: Orders) -> None:
    # one delivery for the order, to its address (none for the collection control)
    delivery = pubsub.delivery(orders.twice_confirmed)
    assert delivery is not None
    assert delivery["line1"]["S"] == ADDRESS["line1"]
    assert pubsub.delivery(orders.control) is None


def _counted_once(pubsub: PubSub, orders: Orders) -> None:
    # the order counted once, beside the control: two orders, 2 + 1 pizzas, two markers
    assert pubsub.pizza_orders(orders.pizza) == 2
    assert pubsub.pizzas_ordered(orders.pizza) == 3
    assert pubsub.counted_order(orders.twice_confirmed) is not None
    assert pubsub.counted_order(orders.control) is not None


BUSINESS_LAYERS = PerSubscriber(
    "how its business layer makes two events about one order take effect once",
    {
        "loyalty": BusinessLayer("loyalty.award_outcome", ["already_awarded", "awarded"], _awarded_once),
        "notifications": BusinessLayer("notification.outcome", ["already_notified", "notified"], _notified_once),
        "delivery": BusinessLayer("delivery.outcome", ["already_scheduled", "scheduled"], _scheduled_once),
        "analytics": BusinessLayer("analytics.count_outcome", ["already_counted", "counted"], _counted_once),
    },
)


def _outcome_spans(telemetry: Telemetry, service: str, attribute: str, order_id: str) -> list[StoredSpan] | None:
    """The subscriber's spans for the order that report a business outcome, once there are two."""
    spans = [s for s in telemetry.consumer_spans(service, order_id) if attribute in s.attributes]
    return spans if len(spans) >= 2 else None


def test_two_events_about_one_order_take_effect_once_in_every_subscriber(pubsub: PubSub, telemetry: Telemetry) -> None:
    # Given a delivery order confirmed twice, in two events with distinct ids (a double click),
    # and, as a control, another order of the same customer and pizza
    orders = Orders(
        twice_confirmed=new_id("order-twice-confirmed"),
        control=new_id("order-control"),
        customer_id=new_id("customer-biz"),
        pizza=new_id("Business Key Special"),
    )
    order_id, customer_id, pizza = orders.twice_confirmed, orders.customer_id, orders.pizza
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
        orders.control, customer_id=customer_id, pizza=pizza, quantity=1, amount="5.00", event_id=control_id
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
    for subscriber, layer in BUSINESS_LAYERS.items():
        spans = eventually(
            lambda s=subscriber, a=layer.outcome_attribute: _outcome_spans(telemetry, s.service, a, order_id),
            timeout=30,
            what=f"{subscriber.service}'s two spans",
        )
        assert sorted(str(s.attributes[layer.outcome_attribute]) for s in spans) == layer.outcomes, subscriber.service
        assert {str(s.attributes["messaging.inbox.outcome"]) for s in spans} == {"processed"}, subscriber.service
        assert all(s.status_code != "ERROR" for s in spans), subscriber.service

    # And each subscriber's own data holds the order's effect once, beside the control's
    for _, layer in BUSINESS_LAYERS.items():
        layer.took_effect_once(pubsub, orders)
