"""The two workflows a placed order can take: one codebase, chosen per deployment (ORDER_WORKFLOW)."""

from __future__ import annotations

from collections.abc import Sequence

from integration_patterns.durable_functions import DurableExecutionStarter
from order_service.domain.events import OrderEvent, OrderPlaced
from order_service.domain.order import Order
from order_service.ports import OrderWorkflow


class ChoreographedWorkflow(OrderWorkflow):
    """Events only: order.placed is stored with the order, and each service reacts to the last one."""

    def events_on_placing(self, order: Order) -> Sequence[OrderEvent]:
        return [OrderPlaced(order)]

    def start(self, order: Order) -> None:
        """Nothing to start: the outbox relay sends order.placed, and the chain runs from there."""


class OrchestratedWorkflow(OrderWorkflow):
    """The order saga, a durable execution named after the order (so a repeat starts no second one)."""

    def __init__(self, starter: DurableExecutionStarter) -> None:
        self._starter = starter

    def events_on_placing(self, order: Order) -> Sequence[OrderEvent]:
        return []

    def start(self, order: Order) -> None:
        # Only the id: the saga reads the order from the table, so no personal data (the address)
        # is written into the execution's input and history.
        self._starter.start(order.order_id, {"orderId": order.order_id})
