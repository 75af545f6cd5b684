"""A load run with the stack faked: sent on schedule whatever the answers, polled sparingly, drained, counted."""

from __future__ import annotations

import asyncio
import time

import pytest
from load_fakes import Fate, RecordedEffects, ScriptedOrderService

from pizza_ops.load.effects import KITCHEN
from pizza_ops.load.plan import LoadPlan
from pizza_ops.load.results import PlaceAnswer
from pizza_ops.load.runner import LoadRun, Progress, run_load, run_to_end


def test_orders_are_sent_on_schedule_even_while_earlier_answers_are_slow() -> None:
    # Given an API that takes 0.5 s to answer each order, and 40 orders a second for 0.25 s
    plan = LoadPlan(rate=40, duration=0.25, workflow="choreography", drain_timeout=2)
    service = ScriptedOrderService(answer_delay=0.5)

    # When the load runs
    started = time.monotonic()
    result = run_load(plan, service, service, RecordedEffects("choreography"))
    took = time.monotonic() - started

    # Then each order went out at its time, not after the answer before it (open loop)
    assert len(service.placed_at) == 10
    for seq, sent_at in service.placed_at.items():
        assert sent_at == pytest.approx(seq / 40, abs=0.05)
    assert result.max_send_lag < 0.05
    # And the whole run took about one answer's time, not ten
    assert took < 2.0
    assert result.sent == result.completed == 10 and result.ok


def test_a_run_counts_completed_failed_and_lost_orders_and_duplicated_effects() -> None:
    # Given 20 orders: one never ends, one fails, one of the kitchen's orders recorded twice
    plan = LoadPlan(rate=100, duration=0.2, workflow="saga", drain_timeout=0.5, effects_timeout=0)
    service = ScriptedOrderService(fates={3: Fate(None), 5: Fate("FAILED", reason="payment declined")})
    effects = RecordedEffects("saga", extra={"order-7": {KITCHEN: 1}}, none_for={"order-3", "order-5"})

    # When the load runs
    result = run_load(plan, service, service, effects)

    # Then the order that never ended is lost, the failure counted with its reason, the duplicate listed
    assert (result.sent, result.accepted, result.completed, result.failed) == (20, 20, 18, 1)
    assert result.lost_orders == ["order-3"]
    assert result.failure_reasons == {"payment declined": 1}
    assert [(a.order_id, a.effect, a.count) for a in result.duplicated] == [("order-7", KITCHEN, 2)]
    assert not result.ok


def test_only_orders_still_moving_are_polled_many_at_a_time() -> None:
    # Given 30 orders, each final half a second after it was placed
    plan = LoadPlan(rate=60, duration=0.5, workflow="choreography", drain_timeout=5)
    service = ScriptedOrderService(fates={seq: Fate(after=0.5) for seq in range(30)})

    # When the load runs
    result = run_load(plan, service, service, RecordedEffects("choreography"))

    # Then no read asked again about an order already seen final, and the reads were few:
    # one per poll for all the orders still moving, not one per order
    seen_final: set[str] = set()
    for asked, found in service.reads:
        assert not seen_final & set(asked)
        seen_final |= {order_id for order_id, state in found.items() if state.is_final}
    assert len(service.reads) < 30
    assert result.completed == 30 and result.lost == 0


def test_effects_are_waited_for_until_every_completed_order_shows_them() -> None:
    # Given effects that show only from the third count on
    plan = LoadPlan(rate=20, duration=0.2, workflow="choreography", effects_timeout=10)
    service = ScriptedOrderService()
    effects = RecordedEffects("choreography", shows_after=2)

    # When the load runs
    result = run_load(plan, service, service, effects)

    # Then it counted until they showed, and none is missing
    assert effects.counts == 3
    assert result.effects_settled and result.anomalies == []


def test_progress_is_reported_through_every_phase() -> None:
    # Given a listener / When a short load runs
    seen: list[Progress] = []
    service = ScriptedOrderService()
    run_load(
        LoadPlan(rate=20, duration=0.2, workflow="choreography"),
        service,
        service,
        RecordedEffects("choreography"),
        seen.append,
    )

    # Then it heard of the sending first and of the end last, with every order completed
    assert seen[0].phase == "sending"
    assert seen[-1].phase == "done"
    assert (seen[-1].sent, seen[-1].completed, seen[-1].pending) == (4, 4, 0)


def test_an_order_the_api_timed_out_on_but_stored_is_found_by_its_customer() -> None:
    # Given an API that times out on the third order after storing it
    plan = LoadPlan(rate=20, duration=0.2, workflow="choreography")
    service = ScriptedOrderService(answers={2: PlaceAnswer(None, error="timeout")}, stored_anyway={2})

    # When the load runs
    result = run_load(plan, service, service, RecordedEffects("choreography"))

    # Then the timeout is a rejection, and the order stored anyway is named
    assert result.rejected == {"timeout": 1}
    assert result.stored_unanswered == ["order-2"]
    assert result.ok


def test_a_run_started_from_inside_a_running_event_loop_still_runs() -> None:
    # Given a caller whose thread already runs an event loop (as Playwright's sync API leaves one)
    service = ScriptedOrderService()
    plan = LoadPlan(rate=20, duration=0.2, workflow="choreography")

    async def caller() -> int:
        # When it runs a load from inside that loop
        return run_load(plan, service, service, RecordedEffects("choreography")).completed

    # Then the load runs to its end instead of failing on asyncio.run
    assert asyncio.run(caller()) == 4


def test_a_hook_after_sending_gets_every_accepted_order_before_the_drain_and_its_phase_is_reported() -> None:
    # Given 10 orders, each final only 0.3 s after it was placed, and a hook that records what it was
    # handed and how many orders were final when it ran
    plan = LoadPlan(rate=50, duration=0.2, workflow="choreography", drain_timeout=5)
    service = ScriptedOrderService(fates={seq: Fate(after=0.3) for seq in range(10)})
    handed: list[list[str]] = []
    phases: list[str] = []

    async def repair(accepted: list[str]) -> None:
        handed.append(list(accepted))

    def on_progress(progress: Progress) -> None:
        if not phases or phases[-1] != progress.phase:
            phases.append(progress.phase)

    # When the load runs with it
    run = LoadRun(plan, service, service, RecordedEffects("choreography"), on_progress, after_sending=repair)
    result = run_to_end(run.run())

    # Then the hook ran once, after the sending, with every accepted order, in its own "faults"
    # phase between the sending and the draining, and the orders were then drained to the end
    assert handed == [[f"order-{seq}" for seq in range(10)]]
    assert phases == ["sending", "faults", "draining", "effects", "done"]
    assert result.completed == 10 and result.ok
