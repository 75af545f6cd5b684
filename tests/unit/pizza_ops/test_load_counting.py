"""What `pizza load` counts from what it saw: answers, final statuses, lost orders, effects, latencies."""

from __future__ import annotations

from datetime import timedelta

import pytest
from load_fakes import T0

from pizza_ops.load.effects import ANALYTICS, DELIVERY, KITCHEN, LOYALTY, NOTIFICATION, ORDER, PAYMENT, effects_of
from pizza_ops.load.plan import LoadPlan, planned_orders
from pizza_ops.load.results import Observed, OrderState, PlaceAnswer, Placement, percentile, percentiles, summarize

PLAN = LoadPlan(rate=10, duration=1, workflow="choreography", delivery_share=0.5)
ORDERS = planned_orders(PLAN)  # 10 orders; odd seqs are delivery orders


def _placement(seq: int, answer: PlaceAnswer | None = None, answered_after: float = 0.05) -> Placement:
    order = ORDERS[seq]
    return Placement(order, order.due, order.due + answered_after, answer or PlaceAnswer(202, f"order-{seq}"))


def _final(seq: int, status: str = "ACKNOWLEDGED", after: float = 0.1, reason: str | None = None) -> OrderState:
    placed = T0 + timedelta(seconds=seq)
    return OrderState(f"order-{seq}", status, placed, placed + timedelta(seconds=after), reason)


def _effects_once(seqs: range) -> dict[str, dict[str, int]]:
    return {
        f"order-{seq}": {
            effect: int(effect != DELIVERY or ORDERS[seq].delivery) for effect in effects_of("choreography")
        }
        for seq in seqs
    }


def test_nearest_rank_percentiles() -> None:
    # Given the durations 1..100 s, shuffled / When their percentiles are taken
    values = [float(n) for n in reversed(range(1, 101))]
    figures = percentiles(values)

    # Then each is the smallest value with that share at or below it
    assert figures is not None
    assert (figures.count, figures.p50, figures.p90, figures.p99, figures.max) == (100, 50, 90, 99, 100)
    # And one value is every percentile; none has none
    assert percentile([0.2], 0.99) == 0.2
    assert percentiles([]) is None


def test_every_order_sent_is_counted_once_as_completed_failed_pending_lost_or_rejected() -> None:
    # Given ten orders sent: two refused (a 429 and a timeout), and of the eight accepted, five
    # acknowledged, one failed, one still in ACCEPTED at the end, one never seen in the table
    placements = [
        *(_placement(seq) for seq in range(8)),
        _placement(8, PlaceAnswer(429)),
        _placement(9, PlaceAnswer(None, error="timeout")),
    ]
    states = {f"order-{seq}": _final(seq) for seq in range(5)}
    states["order-5"] = _final(5, "FAILED", reason="out of stock")
    states["order-6"] = OrderState("order-6", "ACCEPTED", T0)

    # When the run is summarized
    result = summarize(PLAN, Observed(placements, states, _effects_once(range(5)), 1.0, 3))

    # Then each order is counted where it ended
    assert (result.sent, result.accepted, result.completed, result.failed) == (10, 8, 5, 1)
    assert result.rejected == {"429": 1, "timeout": 1}
    assert result.failure_reasons == {"out of stock": 1}
    assert result.still_pending == {"ACCEPTED": 1} and result.not_found == 1
    # And the accepted orders without a final status are lost, listed by id
    assert result.lost_orders == ["order-6", "order-7"]
    assert result.pending_when_sending_stopped == 3
    assert not result.ok


def test_latency_is_taken_from_the_orders_own_timestamps_for_completed_orders_only() -> None:
    # Given orders completed 0.1 to 1.0 s after they were placed by their own clocks, one failed
    # after 9 s, and the client's answers all in 0.05 s
    placements = [_placement(seq) for seq in range(10)]
    states = {f"order-{seq}": _final(seq, after=(seq + 1) / 10) for seq in range(9)}
    states["order-9"] = _final(9, "FAILED", after=9)

    # When the run is summarized
    result = summarize(PLAN, Observed(placements, states, _effects_once(range(9)), 1.0, 0))

    # Then order → final status covers the nine completed orders, not the failed one
    assert result.latency is not None
    assert result.latency.count == 9
    assert result.latency.p50 == pytest.approx(0.5) and result.latency.max == pytest.approx(0.9)
    # And the API's latency is the client's own, for every order sent
    assert result.api_latency is not None and result.api_latency.p99 == pytest.approx(0.05)
    # And completions ran from the first placed to the last completed (9 s + 0.9 s for nine)
    assert result.completion_rate == pytest.approx(9 / 8.9)


def test_an_effect_twice_is_duplicated_one_absent_is_missing_and_a_delivery_for_a_collection_is_unexpected() -> None:
    # Given four completed orders: one kitchen order twice, one without its loyalty award, one
    # collection order with a delivery; the fourth (a delivery order) right
    placements = [_placement(seq) for seq in range(4)]
    states = {f"order-{seq}": _final(seq) for seq in range(4)}
    effects = _effects_once(range(4))
    effects["order-0"][KITCHEN] = 2
    effects["order-1"][LOYALTY] = 0
    effects["order-2"][DELIVERY] = 1

    # When the run is summarized
    result = summarize(PLAN, Observed(placements, states, effects, 1.0, 0))

    # Then each is listed with its kind, and only the duplicate makes the run fail
    found = {(a.order_id, a.effect, a.count, a.expected, a.kind) for a in result.anomalies}
    assert found == {
        ("order-0", KITCHEN, 2, 1, "duplicated"),
        ("order-1", LOYALTY, 0, 1, "missing"),
        ("order-2", DELIVERY, 1, 0, "unexpected"),
    }
    assert [a.order_id for a in result.duplicated] == ["order-0"]
    assert result.lost == 0 and not result.ok


def test_a_failed_order_needs_no_effects_but_may_have_none_twice() -> None:
    # Given two failed orders, one with nothing done, one charged twice (saga)
    plan = LoadPlan(rate=10, duration=1, workflow="saga")
    placements = [_placement(0), _placement(1)]
    states = {"order-0": _final(0, "FAILED"), "order-1": _final(1, "COMPENSATION_FAILED")}
    effects = {"order-0": {}, "order-1": {PAYMENT: 2, KITCHEN: 1}}

    # When the run is summarized
    result = summarize(plan, Observed(placements, states, effects, 1.0, 0))

    # Then nothing is missing, and the double charge is a duplicate
    assert [(a.order_id, a.effect, a.kind) for a in result.anomalies] == [("order-1", PAYMENT, "duplicated")]
    # And the saga's payment is among the effects counted
    assert set(result.effects_counted) == {ORDER, KITCHEN, LOYALTY, NOTIFICATION, DELIVERY, ANALYTICS, PAYMENT}


def test_a_clean_run_is_ok() -> None:
    # Given ten orders all acknowledged, each with its effects once
    placements = [_placement(seq) for seq in range(10)]
    states = {f"order-{seq}": _final(seq) for seq in range(10)}

    # When the run is summarized
    result = summarize(PLAN, Observed(placements, states, _effects_once(range(10)), 1.0, 0))

    # Then completed = sent, nothing lost, no anomaly
    assert result.completed == result.sent == 10
    assert result.lost == 0 and result.anomalies == [] and result.ok
    assert result.sent_rate == pytest.approx(10.0)


def test_an_order_stored_without_a_202_is_reported_and_one_stored_twice_is_duplicated() -> None:
    # Given three orders sent: the first accepted and stored once, the second accepted but stored
    # twice for its customer, the third timed out although the order service stored it
    placements = [_placement(0), _placement(1), _placement(2, PlaceAnswer(None, error="timeout"))]
    states = {"order-0": _final(0), "order-1": _final(1)}
    stored = {
        ORDERS[0].customer_id: ["order-0"],
        ORDERS[1].customer_id: ["order-1", "order-1-again"],
        ORDERS[2].customer_id: ["order-2"],
    }

    # When the run is summarized
    observed = Observed(placements, states, _effects_once(range(2)), 1.0, 0, stored=stored)
    result = summarize(PLAN, observed)

    # Then the timed-out order is reported as stored though not accepted (not lost: it was never
    # accepted), and the order stored twice is a duplicated order
    assert result.stored_unanswered == ["order-2"]
    assert result.lost == 0
    assert [(a.order_id, a.effect, a.count) for a in result.duplicated] == [("order-1", ORDER, 2)]
