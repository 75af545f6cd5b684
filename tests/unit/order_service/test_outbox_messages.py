"""Which route each order event takes through the outbox, and what it carries."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime

import pytest

from integration_patterns.claim_check import ClaimCheck, ClaimPolicy, ClaimRedeemer
from order_service.adapters.contracts import ORDER_EVENT_CLAIMS
from order_service.adapters.outbox_messages import OrderEventMessages
from order_service.domain.events import DeliveryDueSoon, OrderConfirmed, OrderPlaced
from order_service.domain.order import DeliveryAddress, Order, OrderItem, OrderType, PlaceOrder
from twins.claims import InMemoryClaimStore

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


def _claim_check(store: InMemoryClaimStore, threshold_bytes: int = 16_384) -> ClaimCheck:
    return ClaimCheck(store, ClaimPolicy(threshold_bytes=threshold_bytes, restricted=ORDER_EVENT_CLAIMS))


def test_the_delivery_details_of_order_confirmed_are_stored_as_a_claim_only_delivery_may_redeem() -> None:
    # Given the acknowledgement processor's builder with the order service's claim check
    store = InMemoryClaimStore()
    builder = OrderEventMessages(confirmed_version=2, encrypt=_fake_encrypt, key_id="key-1", claims=_claim_check(store))

    # When the order.confirmed message of a (small) delivery order is built
    (message,) = builder.messages([OrderConfirmed(ORDER)])

    # Then what the outbox stores has no address, only a claim by bucket and key under delivery's prefix
    event = message.event
    data = event.get_data()
    assert isinstance(data, dict) and "deliveryAddress" not in data and data["orderId"] == "order-1"
    assert event.get_attributes()["restrictedref"].startswith(f"s3://claims/restricted/delivery/{event.get_id()}/")
    assert "dataref" not in event.get_attributes()  # small: the rest of the data stays inline
    # And delivery gets the encrypted address back; another subscriber gets the thin event, no error
    redeemed = ClaimRedeemer(store, audience="delivery").redeem(event).get_data()
    assert isinstance(redeemed, dict) and redeemed["deliveryAddress"] == {
        "ciphertext": "sealed-for-order-1",
        "keyId": "key-1",
    }
    assert ClaimRedeemer(store).redeem(event).get_data() == data


def test_a_large_order_placed_is_stored_claimed_and_a_collection_order_confirmed_has_no_restricted_claim() -> None:
    # Given an order of 100 lines with notes (about 25 KB of events) and the order service's 16 KB threshold
    items = tuple(OrderItem("Margherita", 1, notes=f"Box {i}: " + "no basil, " * 20) for i in range(100))
    large = Order.place(
        "order-2", PlaceOrder(customer_id="c-2", items=items, order_type=OrderType.COLLECTION), NOW
    ).acknowledge(NOW)
    store = InMemoryClaimStore()

    # When its events are built
    placed, confirmed = OrderEventMessages(
        reply_queue_url=REPLY_QUEUE, encrypt=_fake_encrypt, key_id="k", claims=_claim_check(store)
    ).messages([OrderPlaced(large), OrderConfirmed(large)])

    # Then both are claims with empty inline data, their whole data (the notes too) in the store
    for message in (placed, confirmed):
        assert message.event.get_data() == {} and "dataref" in message.event.get_attributes()
        assert "restrictedref" not in message.event.get_attributes()  # a collection order has no address
        restored = ClaimRedeemer(store).redeem(message.event).get_data()
        assert isinstance(restored, dict) and restored["items"][7]["notes"].startswith("Box 7: no basil")
    # And the kitchen's routing is unchanged by the claim
    assert placed.delivery == {"messageGroupId": "c-2", "deduplicationId": "order-2"}


def test_a_retried_confirmation_whose_address_is_encrypted_anew_is_stored_again_without_a_conflict() -> None:
    # Given an encryptor that, like KMS, never gives the same ciphertext twice
    counter = iter(range(1000))

    def kms_like(plaintext: str, context: Mapping[str, str]) -> str:
        return f"sealed-{next(counter)}"

    store = InMemoryClaimStore()
    builder = OrderEventMessages(encrypt=kms_like, key_id="k", claims=_claim_check(store))

    # When the same confirmation is built twice (its first write failed after the upload, and was retried)
    (first,) = builder.messages([OrderConfirmed(ORDER)])
    (second,) = builder.messages([OrderConfirmed(ORDER)])

    # Then both are stored, each claim reading its own ciphertext back
    for message, sealed in ((first, "sealed-0"), (second, "sealed-1")):
        data = ClaimRedeemer(store, audience="delivery").redeem(message.event).get_data()
        assert isinstance(data, dict) and data["deliveryAddress"]["ciphertext"] == sealed


def test_a_kitchen_alert_read_when_its_schedule_fires_is_claimed_by_bucket_and_key() -> None:
    # Given the order service's claim check, which hands out URLs, and a threshold the alert is over
    store = InMemoryClaimStore()
    builder = OrderEventMessages(claims=ClaimCheck(store, ClaimPolicy(threshold_bytes=10)))

    # When a delivery's "due soon" alert is built / Then its claim does not expire: bucket and key
    (alert,) = builder.messages([DeliveryDueSoon(ORDER, alert_at=NOW)])
    assert alert.event.get_attributes()["dataref"].startswith("s3://")
