"""Representative orders, and every published event version built from them by its producer's own
builder, as the event catalog's tests check them (tests/unit/test_published_event_*.py).

The orders cover what changes the data's shape: a delivery order (address with every optional
field, a line with notes, a due time in another offset, a placing time with microseconds) and a
collection order (no address, no due time); statuses with and without a reason.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta, timezone

from cloudevents.core.base import BaseCloudEvent
from fake_aws import RecordingSqs

from integration_patterns.cloudevents_envelope import from_json
from integration_patterns.durable_functions import DurableCallbacks
from integration_patterns.sqs_sender import SqsCloudEventSender
from kitchen_service.adapters.kitchen_replies import KitchenReplies
from order_service.adapters.delivery_due_soon_event import delivery_due_soon_event
from order_service.adapters.order_confirmed_event import order_confirmed_event
from order_service.adapters.order_placed_event import order_placed_event
from order_service.adapters.status_change_messages import status_change_messages
from order_service.domain.order import (
    DeliveryAddress,
    Order,
    OrderItem,
    OrderStatus,
    OrderType,
    PlaceOrder,
    SalesChannel,
)

REPLY_QUEUE = "https://sqs.eu-west-1.amazonaws.com/000000000000/pizza-order-acknowledgements"
KEY_ID = "alias/order-pii"
PLACED_AT = datetime(2026, 12, 5, 12, 0, 0, 250_000, tzinfo=UTC)
ACKNOWLEDGED_AT = datetime(2026, 12, 5, 12, 1, tzinfo=UTC)
FAILED_AT = datetime(2026, 12, 5, 12, 2, 30, tzinfo=UTC)

DELIVERY_ORDER = Order.place(
    "3f2c9a4e-7b1d-4c55-9e0a-2d6f8b1c4a70",
    PlaceOrder(
        customer_id="customer-7",
        items=(OrderItem("Margherita", 2, notes="no basil, label: Team A"), OrderItem("Diavola", 1)),
        order_type=OrderType.DELIVERY,
        delivery_address=DeliveryAddress(
            line1="1 High Street",
            line2="Flat 2",
            city="Leeds",
            postcode="LS1 1AA",
            contact_phone="+44 113 496 0000",
            notes="ring twice",
        ),
        delivery_due_at=datetime(2026, 12, 5, 13, 30, tzinfo=timezone(timedelta(hours=1))),
        sales_channel=SalesChannel.APP,
        callback_url="https://example.test/hooks/orders",
    ),
    PLACED_AT,
).acknowledge(ACKNOWLEDGED_AT)

COLLECTION_ORDER = Order.place(
    "9b7e4d21-0c3a-4f8e-a615-5e2d7c9f0b13",
    PlaceOrder(
        customer_id="customer-8",
        items=(OrderItem("Marinara", 1),),
        order_type=OrderType.COLLECTION,
        sales_channel=SalesChannel.PHONE,
    ),
    PLACED_AT,
).acknowledge(ACKNOWLEDGED_AT)

# A saga's order that got one step in and failed: statuses without a reason, then one with.
FAILED_ORDER = (
    Order.place(
        "c41d0f6a-2e9b-4b73-8d5c-7a1e3f6b9d24",
        PlaceOrder(
            customer_id="customer-9",
            items=(OrderItem("Calzone", 3),),
            order_type=OrderType.COLLECTION,
            callback_url="https://example.test/hooks/orders?customer=9",
        ),
        PLACED_AT,
    )
    .moved_to(OrderStatus.STOCK_RESERVED, ACKNOWLEDGED_AT)
    .fail("payment: declined by the card issuer", FAILED_AT)
)


def seal(plaintext: str, context: Mapping[str, str]) -> str:
    """Stands in for the KMS field cipher: base64 as KMS's is, and different per order and text."""
    return base64.b64encode(f"{context['orderId']}|{plaintext}".encode()).decode()


def kitchen_acknowledgement(order_id: str) -> BaseCloudEvent:
    """The kitchen's reply to ``order_id``, as its replies adapter sends it (read back from the queue)."""
    sqs = RecordingSqs()
    replies = KitchenReplies({REPLY_QUEUE: SqsCloudEventSender(sqs, REPLY_QUEUE)}, DurableCallbacks(None))
    replies.acknowledge(order_id, REPLY_QUEUE)
    (sent,) = sqs.sent
    return from_json(sent["MessageBody"])


def published_samples() -> dict[str, BaseCloudEvent]:
    """Every published event version, each from every sample order it applies to, by name."""
    return {
        "order.placed v1, delivery": order_placed_event(DELIVERY_ORDER, REPLY_QUEUE),
        "order.placed v1, collection (saga)": order_placed_event(COLLECTION_ORDER, None, callback_id="cb-1"),
        "order.confirmed v1, delivery": order_confirmed_event(DELIVERY_ORDER, 1, seal, KEY_ID),
        "order.confirmed v1, collection": order_confirmed_event(COLLECTION_ORDER, 1, seal, KEY_ID),
        "order.confirmed v2, delivery": order_confirmed_event(DELIVERY_ORDER, 2, seal, KEY_ID),
        "order.confirmed v2, collection": order_confirmed_event(COLLECTION_ORDER, 2, seal, KEY_ID),
        "delivery.due-soon v1": delivery_due_soon_event(DELIVERY_ORDER),
        **{
            f"status-changed v1, {label} order #{sequence}": message.event
            for label, order in (("acknowledged", DELIVERY_ORDER), ("failed", FAILED_ORDER))
            for sequence, message in enumerate(status_change_messages(order, 0))
        },
        "kitchen acknowledged v1": kitchen_acknowledgement(DELIVERY_ORDER.order_id),
    }
