"""`pizza load`'s plan: orders due evenly at the rate, each its own customer and key, a fixed share delivered."""

from __future__ import annotations

import math

import pytest

from order_service.domain.menu import is_on_the_menu
from pizza_ops.load.plan import BadPlan, LoadPlan, is_delivery, planned_orders


def test_orders_are_due_evenly_at_the_rate_for_the_whole_duration() -> None:
    # Given 5 orders a second for 3 seconds
    plan = LoadPlan(rate=5, duration=3, workflow="choreography")

    # When the run's orders are planned
    orders = planned_orders(plan)

    # Then there are 15, one every 0.2 s from the start, the last within the duration
    assert len(orders) == 15
    assert [order.due for order in orders] == pytest.approx([n * 0.2 for n in range(15)])
    assert orders[-1].due < plan.duration


def test_each_order_has_a_customer_and_idempotency_key_of_its_own_and_a_pizza_on_the_menu() -> None:
    # Given two runs of the same plan
    first, second = LoadPlan(rate=50, duration=2, workflow="saga"), LoadPlan(rate=50, duration=2, workflow="saga")

    # When their orders are planned
    orders = planned_orders(first) + planned_orders(second)

    # Then no two orders share a customer or a key, within a run or across runs, and each customer
    # carries its run's prefix (what the effects are found by)
    assert len({order.customer_id for order in orders}) == len(orders) == 200
    assert len({order.idempotency_key for order in orders}) == 200
    assert all(order.customer_id.startswith(first.customer_prefix) for order in orders[:100])
    # And every pizza is one the kitchen can make
    assert all(is_on_the_menu(item["pizza"]) for order in orders for item in order.body["items"])
    assert all(item["pizza"] != "Doomed Calzone" for order in orders for item in order.body["items"])


@pytest.mark.parametrize(("share", "expected"), [(0, 0), (0.25, 25), (0.5, 50), (1, 100)])
def test_the_delivery_share_is_spread_evenly_and_delivery_orders_carry_an_address(share: float, expected: int) -> None:
    # Given a share of delivery orders / When 100 orders are planned
    orders = planned_orders(LoadPlan(rate=10, duration=10, workflow="saga", delivery_share=share))

    # Then that share of them are delivery orders, as evenly spread as can be, each with an address
    deliveries = [order for order in orders if order.delivery]
    assert len(deliveries) == expected
    assert all(order.body["orderType"] == "delivery" and order.body["deliveryAddress"] for order in deliveries)
    assert all("deliveryAddress" not in order.body for order in orders if not order.delivery)
    if 0 < share < 1:
        assert sum(is_delivery(seq, share) for seq in range(4)) == round(4 * share)


@pytest.mark.parametrize(
    ("rate", "duration", "reason"),
    [
        (0, 3, "--rate"),
        (-1, 3, "--rate"),
        (math.nan, 3, "--rate"),
        (math.inf, 3, "--rate"),
        (1001, 3, "--rate"),
        (5, 0, "--duration"),
        (5, -2, "--duration"),
        (5, 90_000, "--duration"),
        (1, 0.5, "sends no order"),
    ],
)
def test_a_rate_or_duration_out_of_range_is_refused_with_the_reason(rate: float, duration: float, reason: str) -> None:
    # Given a rate or a duration out of range / When a plan is made of it / Then it is refused, saying why
    with pytest.raises(BadPlan, match=reason):
        LoadPlan(rate=rate, duration=duration, workflow="saga")


def test_warming_more_environments_than_connections_is_refused() -> None:
    # Given more warm-up requests than connections, which could not all be in flight at once
    # When the plan is made / Then it is refused with the reason
    with pytest.raises(BadPlan, match="--warm-api is from 0 to the connections"):
        LoadPlan(rate=1, duration=1, workflow="saga", connections=4, warm_api=5)
    assert LoadPlan(rate=1, duration=1, workflow="saga", connections=4, warm_api=4).warm_api == 4


def test_each_order_of_a_run_has_its_own_customer_and_the_customer_names_its_order() -> None:
    # Given a run's plan
    plan = LoadPlan(rate=10, duration=1, workflow="saga")

    # When its orders' customers are named and read back
    customers = [plan.customer_id(seq) for seq in range(plan.order_count)]

    # Then each is the run's, its own, and gives back its order's place in the run
    assert all(customer.startswith(plan.customer_prefix) for customer in customers)
    assert [plan.seq_of(customer) for customer in customers] == list(range(10))
    assert [order.customer_id for order in planned_orders(plan)] == customers
    # And another run's customer is refused, naming this run
    other = LoadPlan(rate=10, duration=1, workflow="saga")
    with pytest.raises(ValueError, match=f"not a customer of run {plan.run_id}"):
        plan.seq_of(other.customer_id(3))
