"""The effects a load run counts per order, and what each accepted order should have of them.

An effect is a record a service writes once per order it acts on; the counts come from each
service's own table (see :mod:`pizza_ops.load.dynamodb`). A completed order should have exactly
one of each effect that applies to it; any order, completed or not, should never have two.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from pizza_ops.load.plan import PlannedOrder, Workflow

ORDER = "order"  # orders: more than one order stored for an order's customer is the order placed twice
KITCHEN = "kitchen"  # kitchen-orders: the kitchen's own record of the order
LOYALTY = "loyalty"  # loyalty-accounts: points awarded to the customer's balance for the order
NOTIFICATION = "notification"  # notifications: the confirmation message to the customer
DELIVERY = "delivery"  # deliveries: a scheduled delivery (delivery orders only)
ANALYTICS = "analytics"  # analytics-counted-orders: the order counted in the pizza counts
PAYMENT = "payment"  # payments: the saga's charge (the choreography takes no payment)

_EVERY_WORKFLOW = (KITCHEN, LOYALTY, NOTIFICATION, DELIVERY, ANALYTICS)


def effects_of(workflow: Workflow) -> tuple[str, ...]:
    """The effects counted for orders that go through ``workflow``."""
    return (*_EVERY_WORKFLOW, PAYMENT) if workflow == "saga" else _EVERY_WORKFLOW


def expected_effects(order: PlannedOrder, workflow: Workflow) -> dict[str, int]:
    """How many of each effect a completed ``order`` has: one of each, but no delivery for a collection order."""
    return {effect: 0 if effect == DELIVERY and not order.delivery else 1 for effect in effects_of(workflow)}


AnomalyKind = Literal["duplicated", "missing", "unexpected"]


@dataclass(frozen=True)
class EffectAnomaly:
    """An order with a count of an effect other than it should have."""

    order_id: str
    effect: str
    count: int
    expected: int
    kind: AnomalyKind


def anomalies_of(
    order_id: str, completed: bool, counts: Mapping[str, int], expected: Mapping[str, int]
) -> list[EffectAnomaly]:
    """What is wrong with one order's effects.

    Duplicated: more than one of an effect, whatever became of the order. For a completed order also
    missing (fewer than expected) and unexpected (one where none should be: a delivery for a
    collection order). A failed order may have stopped anywhere, so it has no minimum.
    """
    found = []
    for effect, wanted in expected.items():
        count = counts.get(effect, 0)
        if count > 1:
            found.append(EffectAnomaly(order_id, effect, count, wanted, "duplicated"))
        elif completed and count < wanted:
            found.append(EffectAnomaly(order_id, effect, count, wanted, "missing"))
        elif completed and count > wanted:
            found.append(EffectAnomaly(order_id, effect, count, wanted, "unexpected"))
    return found
