"""Delivery orders get one delivery record with the decrypted address; collection orders need none."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from delivery_service.domain import (
    Address,
    CollectionOrder,
    Delivery,
    DeliveryOutcome,
    DeliveryStatus,
    EncryptedAddress,
    ScheduleDelivery,
)
from delivery_service.use_cases import schedule_delivery
from integration_patterns.errors import InvalidMessage
from twins.delivery import InMemoryAddressDecryptor, InMemoryDeliveries

NOW = datetime(2025, 3, 14, 12, 0, tzinfo=UTC)
LATER = datetime(2025, 3, 14, 12, 5, tzinfo=UTC)
DUE = datetime(2025, 3, 14, 12, 45, tzinfo=UTC)
HOME = Address("1 Rua Augusta", "Lisboa", "1100-048", line2="3rd floor")
ENCRYPTED = EncryptedAddress("AQID", "alias/order-pii")


def _delivery_order(order_id: str = "order-1") -> ScheduleDelivery:
    return ScheduleDelivery(order_id, "customer-7", ENCRYPTED, DUE)


def test_a_delivery_order_is_scheduled_to_its_decrypted_address() -> None:
    # Given an address only this order's id decrypts
    decryptor, deliveries = InMemoryAddressDecryptor({("AQID", "order-1"): HOME}), InMemoryDeliveries()

    # When the delivery order is confirmed
    outcome = schedule_delivery(_delivery_order(), decryptor, deliveries, lambda: NOW)

    # Then one delivery is scheduled to the plaintext address, due when the order said
    assert outcome is DeliveryOutcome.SCHEDULED
    assert deliveries.deliveries == {
        "order-1": Delivery("order-1", "customer-7", HOME, DUE, DeliveryStatus.SCHEDULED, NOW)
    }


def test_a_collection_order_is_acknowledged_without_a_delivery_or_any_decryption() -> None:
    # Given a collection order
    decryptor, deliveries = InMemoryAddressDecryptor({}), InMemoryDeliveries()

    # When it is confirmed
    outcome = schedule_delivery(CollectionOrder("order-1", "customer-7"), decryptor, deliveries, lambda: NOW)

    # Then it is not an error, and nothing is recorded or decrypted
    assert outcome is DeliveryOutcome.NOT_FOR_DELIVERY
    assert deliveries.deliveries == {}
    assert decryptor.calls == []


def test_an_order_delivered_twice_is_scheduled_once() -> None:
    # Given a scheduled delivery
    decryptor, deliveries = InMemoryAddressDecryptor({("AQID", "order-1"): HOME}), InMemoryDeliveries()
    schedule_delivery(_delivery_order(), decryptor, deliveries, lambda: NOW)

    # When the same order arrives again
    outcome = schedule_delivery(_delivery_order(), decryptor, deliveries, lambda: LATER)

    # Then the first delivery stands
    assert outcome is DeliveryOutcome.ALREADY_SCHEDULED
    assert deliveries.deliveries["order-1"].created_at == NOW


def test_an_address_that_does_not_decrypt_for_this_order_is_refused_and_nothing_is_scheduled() -> None:
    # Given a ciphertext encrypted for another order (copied into this event)
    decryptor, deliveries = InMemoryAddressDecryptor({("AQID", "order-0"): HOME}), InMemoryDeliveries()

    # When the order is confirmed / Then it is invalid (dead-lettered), and no delivery exists
    with pytest.raises(InvalidMessage):
        schedule_delivery(_delivery_order(), decryptor, deliveries, lambda: NOW)
    assert deliveries.deliveries == {}


def test_the_address_repr_does_not_show_the_address() -> None:
    # Given a delivery to a real address / When it, or the address, is logged by accident
    delivery = Delivery("order-1", "customer-7", HOME, DUE, DeliveryStatus.SCHEDULED, NOW)
    shown = f"{HOME!r} {HOME} {delivery!r} {delivery}"

    # Then no part of the address shows
    for secret in ("Rua Augusta", "Lisboa", "1100-048", "3rd floor"):
        assert secret not in shown
    assert "order-1" in shown
