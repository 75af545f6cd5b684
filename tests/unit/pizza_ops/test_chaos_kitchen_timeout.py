"""How kitchen-timeout judges a saga order: timed out (FAILED with the timeout reason, refunded,
released) or answered in time (CONFIRMED, charged, stock kept), and nothing else."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from pizza_ops.chaos.kitchen_timeout import ANSWERED, TIMED_OUT, ending_of
from pizza_ops.load import OrderState

REASON = "kitchen did not answer within 10 s"
PLACED = datetime(2026, 12, 4, 22, 0, tzinfo=UTC)


def _state(status: str, reason: str | None = None) -> OrderState:
    return OrderState("o-1", status, PLACED, PLACED, reason)


def test_a_timed_out_order_refunded_and_released_is_one_way_to_end() -> None:
    assert ending_of(_state("FAILED", REASON), "REFUNDED", "RELEASED", REASON) == TIMED_OUT


def test_a_confirmed_order_charged_with_its_stock_kept_is_the_other() -> None:
    assert ending_of(_state("CONFIRMED"), "CHARGED", "RESERVED", REASON) == ANSWERED


@pytest.mark.parametrize(
    ("state", "payment", "reservation"),
    [
        pytest.param(_state("FAILED", REASON), "CHARGED", "RELEASED", id="timed-out-but-still-charged"),
        pytest.param(_state("FAILED", REASON), "REFUNDED", "RESERVED", id="timed-out-stock-kept"),
        pytest.param(_state("FAILED", "kitchen refused: oven"), "REFUNDED", "RELEASED", id="another-reason"),
        pytest.param(_state("CONFIRMED"), "REFUNDED", "RESERVED", id="confirmed-yet-refunded"),
        pytest.param(_state("CONFIRMED"), "CHARGED", "RELEASED", id="confirmed-yet-released"),
        pytest.param(_state("COMPENSATION_FAILED", REASON), "CHARGED", "RESERVED", id="compensation-failed"),
        pytest.param(_state("IN_KITCHEN"), "CHARGED", "RESERVED", id="still-waiting"),
        pytest.param(None, None, None, id="not-found"),
    ],
)
def test_any_other_end_is_wrong(state: OrderState | None, payment: str | None, reservation: str | None) -> None:
    assert ending_of(state, payment, reservation, REASON) is None
