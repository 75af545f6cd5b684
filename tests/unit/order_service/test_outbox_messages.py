"""Which route each order event takes through the outbox, and what it carries."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime

import pytest

from order_service.adapters.outbox_messages import OrderEventMessages
from order_service.domain.events import DeliveryDueSoon, OrderConfirmed, OrderPlaced
from order_service.domain.order import DeliveryAddress, Order, OrderItem, OrderType, PlaceOrder

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
REPLY_QUEUE = "http://sqs.local/000000000000/pizza-order-acknowledgements"
ORDER = Order.place(
    "order-1",
    PlaceOrder(
        customer_id="customer-7",
        items=(OrderItem("Margherita", 1),),
        order_type=OrderType.DELIVERY,
        delivery_address=DeliveryAddress(line1="1 High Street", city="Leeds", postcode="LS1 1AA"),
    ),
    NOW,
).acknowledge(NOW)


def _fake_encrypt(plaintext: str, context: Mapping[str, str]) -> str:
    return f"sealed-for-{context['orderId']}"


def test_order_placed_goes_to_the_kitchen_queue_grouped_by_customer_and_deduplicated_by_order() -> None:
    # Given the order API's message builder / When an order.placed is built
    (message,) = OrderEventMessages(reply_queue_url=REPLY_QUEUE).messages([OrderPlaced(ORDER)])

    # Then it takes the kitchen route, names where to reply, and keeps the address out
    assert message.destination == "kitchen"
    assert message.event.get_type() == "com.pizza.order.placed.v1"
    assert message.event.get_attributes()["replyto"] == REPLY_QUEUE
    assert message.delivery == {"messageGroupId": "customer-7", "deduplicationId": "order-1"}
    data = message.event.get_data()
    assert isinstance(data, dict) and "deliveryAddress" not in data


def test_order_confirmed_is_published_with_the_address_encrypted_when_stored() -> None:
    # Given the acknowledgement processor's builder with an encryptor
    builder = OrderEventMessages(confirmed_version=2, encrypt=_fake_encrypt, key_id="key-1")

    # When the order.confirmed message is built
    (message,) = builder.messages([OrderConfirmed(ORDER)])

    # Then it goes to subscribers, and the outbox only ever holds ciphertext of the address
    assert message.destination == "order-events"
    assert message.event.get_type() == "com.pizza.order.confirmed.v2"
    data = message.event.get_data()
    assert isinstance(data, dict)
    assert data["deliveryAddress"] == {"ciphertext": "sealed-for-order-1", "keyId": "key-1"}
    assert "High Street" not in str(data)


def test_order_confirmed_without_an_encryptor_is_refused() -> None:
    # Given a builder that cannot encrypt / When order.confirmed is built / Then it refuses
    with pytest.raises(ValueError, match="encrypt"):
        OrderEventMessages().messages([OrderConfirmed(ORDER)])


def test_the_delivery_alert_is_a_one_time_schedule_named_after_the_order() -> None:
    # Given an alert due at 13:00 / When it is built
    alert_at = datetime(2026, 11, 28, 13, 0, tzinfo=UTC)
    (message,) = OrderEventMessages().messages([DeliveryDueSoon(ORDER, alert_at)])

    # Then it takes the schedule route, one schedule per order, firing at that time
    assert message.destination == "kitchen-alerts"
    assert message.event.get_type() == "com.pizza.order.delivery.due-soon.v1"
    assert message.delivery == {"scheduleName": "kitchen-alert-order-1", "scheduleAt": alert_at.isoformat()}
