"""Recording the kitchen's acknowledgement: ACCEPTED → ACKNOWLEDGED once, announced, and alerted for deliveries."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from order_service.adapters.in_memory import InMemoryKitchenAlerts, InMemoryOrderEvents, InMemoryOrderRepository
from order_service.domain.acknowledgement import AcknowledgementOutcome, KitchenAcknowledgement, UnknownOrder
from order_service.domain.order import DeliveryAddress, Order, OrderItem, OrderStatus, OrderType, PlaceOrder
from order_service.use_cases import acknowledge_order

PLACED_AT = datetime(2025, 3, 14, 12, 0, tzinfo=UTC)
FIRST_ACK_AT = datetime(2025, 3, 14, 12, 1, tzinfo=UTC)
SECOND_ACK_AT = datetime(2025, 3, 14, 12, 5, tzinfo=UTC)
DUE_AT = datetime(2025, 3, 14, 13, 30, tzinfo=UTC)
LEAD_TIME = timedelta(minutes=30)
ADDRESS = DeliveryAddress(line1="1 High Street", city="Leeds", postcode="LS1 1AA")


class PublishFailsOnce(InMemoryOrderEvents):
    """The publisher is down for the first announcement, then back."""

    def __init__(self) -> None:
        super().__init__()
        self._failed = False

    def order_confirmed(self, order: Order) -> None:
        if not self._failed:
            self._failed = True
            raise ConnectionError("SNS unreachable")
        super().order_confirmed(order)


def _collection() -> PlaceOrder:
    return PlaceOrder(customer_id="customer-7", items=(OrderItem("Margherita", 1),), order_type=OrderType.COLLECTION)


def _delivery() -> PlaceOrder:
    return PlaceOrder(
        customer_id="customer-7",
        items=(OrderItem("Margherita", 1),),
        order_type=OrderType.DELIVERY,
        delivery_address=ADDRESS,
        delivery_due_at=DUE_AT,
    )


def _repository_with_accepted_order(
    order_id: str = "order-1", command: PlaceOrder | None = None
) -> InMemoryOrderRepository:
    orders = InMemoryOrderRepository()
    orders.add(Order.place(order_id, command or _collection(), PLACED_AT))
    return orders


def _acknowledge(
    order_id: str,
    at: datetime,
    orders: InMemoryOrderRepository,
    events: InMemoryOrderEvents | None = None,
    alerts: InMemoryKitchenAlerts | None = None,
) -> AcknowledgementOutcome:
    return acknowledge_order(
        KitchenAcknowledgement(order_id, at),
        orders,
        events if events is not None else InMemoryOrderEvents(),
        alerts if alerts is not None else InMemoryKitchenAlerts(),
        LEAD_TIME,
    )


def test_an_acknowledgement_moves_an_accepted_order_to_acknowledged() -> None:
    # Given an ACCEPTED order
    orders = _repository_with_accepted_order()

    # When the kitchen acknowledges it
    outcome = _acknowledge("order-1", FIRST_ACK_AT, orders)

    # Then it is ACKNOWLEDGED at the kitchen's time
    assert outcome is AcknowledgementOutcome.ACKNOWLEDGED
    order = orders.get("order-1")
    assert order is not None
    assert order.status is OrderStatus.ACKNOWLEDGED
    assert order.acknowledged_at == FIRST_ACK_AT
    assert order.placed_at == PLACED_AT


def test_a_repeated_acknowledgement_is_already_acknowledged_and_changes_nothing() -> None:
    # Given an order the kitchen has already acknowledged
    orders = _repository_with_accepted_order()
    _acknowledge("order-1", FIRST_ACK_AT, orders)
    before = orders.get("order-1")

    # When the acknowledgement is redelivered later
    outcome = _acknowledge("order-1", SECOND_ACK_AT, orders)

    # Then it is recognised as a repeat and the order keeps its first acknowledgement time
    assert outcome is AcknowledgementOutcome.ALREADY_ACKNOWLEDGED
    assert orders.get("order-1") == before
    assert before is not None
    assert before.acknowledged_at == FIRST_ACK_AT


def test_an_acknowledgement_announces_the_confirmed_order() -> None:
    # Given an ACCEPTED order
    orders, events = _repository_with_accepted_order(), InMemoryOrderEvents()

    # When the kitchen acknowledges it
    _acknowledge("order-1", FIRST_ACK_AT, orders, events)

    # Then the order, as acknowledged, is announced once
    assert events.confirmed == [orders.get("order-1")]
    assert events.confirmed[0].status is OrderStatus.ACKNOWLEDGED


def test_a_repeated_acknowledgement_announces_the_order_again() -> None:
    # Given an order whose acknowledgement was already recorded and announced
    orders, events = _repository_with_accepted_order(), InMemoryOrderEvents()
    _acknowledge("order-1", FIRST_ACK_AT, orders, events)

    # When the acknowledgement is redelivered
    _acknowledge("order-1", SECOND_ACK_AT, orders, events)

    # Then it is announced once per call, with the same (first) acknowledgement both times:
    # the use case cannot tell a harmless redelivery from the retry of a call whose publish
    # failed after the state change, and that retry must publish. The event id is stable per
    # order, so subscribers drop the duplicate.
    acknowledged = orders.get("order-1")
    assert events.confirmed == [acknowledged, acknowledged]


def test_the_retry_after_a_failed_announcement_announces_the_order() -> None:
    # Given a publisher that fails the first announcement
    orders, events = _repository_with_accepted_order(), PublishFailsOnce()

    # When the first acknowledgement fails after recording the state change...
    with pytest.raises(ConnectionError):
        _acknowledge("order-1", FIRST_ACK_AT, orders, events)
    stored = orders.get("order-1")
    assert stored is not None
    assert stored.status is OrderStatus.ACKNOWLEDGED
    # ...and SQS redelivers the message
    outcome = _acknowledge("order-1", FIRST_ACK_AT, orders, events)

    # Then the retry is a repeat for the repository, but the order is announced after all
    assert outcome is AcknowledgementOutcome.ALREADY_ACKNOWLEDGED
    assert events.confirmed == [stored]


def test_a_delivery_order_has_the_kitchen_alerted_the_lead_time_before_it_is_due() -> None:
    # Given an ACCEPTED delivery order due at 13:30
    orders, alerts = _repository_with_accepted_order(command=_delivery()), InMemoryKitchenAlerts()

    # When the kitchen acknowledges it (lead time 30 minutes)
    _acknowledge("order-1", FIRST_ACK_AT, orders, alerts=alerts)

    # Then the kitchen is to be alerted at 13:00
    assert alerts.alerts == {"order-1": DUE_AT - LEAD_TIME}
    assert alerts.alerts["order-1"] == datetime(2025, 3, 14, 13, 0, tzinfo=UTC)


def test_a_repeated_acknowledgement_of_a_delivery_keeps_one_alert_at_the_same_time() -> None:
    # Given a delivery order already acknowledged and alerted
    orders, alerts = _repository_with_accepted_order(command=_delivery()), InMemoryKitchenAlerts()
    _acknowledge("order-1", FIRST_ACK_AT, orders, alerts=alerts)

    # When the acknowledgement is redelivered
    _acknowledge("order-1", SECOND_ACK_AT, orders, alerts=alerts)

    # Then there is still one alert, at due - lead
    assert alerts.alerts == {"order-1": DUE_AT - LEAD_TIME}


def test_a_collection_order_has_no_kitchen_alert_but_is_announced() -> None:
    # Given an ACCEPTED collection order
    orders, events, alerts = _repository_with_accepted_order(), InMemoryOrderEvents(), InMemoryKitchenAlerts()

    # When the kitchen acknowledges it
    _acknowledge("order-1", FIRST_ACK_AT, orders, events, alerts)

    # Then it is announced, but nobody is alerted: nothing is delivered, so nothing is due
    assert len(events.confirmed) == 1
    assert alerts.alerts == {}


def test_an_acknowledgement_for_an_unknown_order_raises_unknown_order_and_announces_nothing() -> None:
    # Given a repository holding a different order
    orders, events, alerts = _repository_with_accepted_order("order-1"), InMemoryOrderEvents(), InMemoryKitchenAlerts()

    # When an acknowledgement names an order this service never took
    with pytest.raises(UnknownOrder, match="order-404"):
        _acknowledge("order-404", FIRST_ACK_AT, orders, events, alerts)

    # Then no order is created or changed, and nothing is announced or scheduled
    assert set(orders.orders) == {"order-1"}
    assert orders.orders["order-1"].status is OrderStatus.ACCEPTED
    assert events.confirmed == []
    assert alerts.alerts == {}
