"""The final statuses the contracts publish (what the order updates service tells customers) are the
order's own: a status made final in the domain and not in the contracts fails here."""

from __future__ import annotations

from order_service.domain.order import OrderStatus
from pizza_contracts import FINAL_ORDER_STATUSES


def test_the_published_final_statuses_are_exactly_the_orders_final_ones() -> None:
    # Given every status of an order / When we take those it never leaves
    final = {status.value for status in OrderStatus if status.is_final}

    # Then they are the ones the contracts publish
    assert final == FINAL_ORDER_STATUSES
