"""`pizza chaos`'s one table, and its verdict: every promise held, or which one broke."""

from __future__ import annotations

import pytest
from load_fakes import load_result

from pizza_ops.chaos import ChaosResult, Check, StuckOrder, render_chaos
from pizza_ops.cli import main as pizza

SCENARIOS = [
    "kitchen-outage",
    "poison-pills",
    "relay-crashes",
    "saga-failures",
    "webhook-receiver-down",
    "duplicate-storm",
    "kitchen-timeout",
    "emulator-restart",
    "dropped-websockets",
]


def _chaos(lost: int = 0, twice: bool = False, checks: tuple[Check, ...] = ()) -> ChaosResult:
    load = load_result(lost=lost, twice=twice)
    stuck = tuple(StuckOrder(order_id, "still ACCEPTED; no dead letter names it") for order_id in load.lost_orders)
    return ChaosResult("kitchen-outage", load, 10, "kitchen messages dead-lettered", 10, "redriven", checks, stuck)


def test_the_table_counts_placed_faults_recovered_lost_duplicated_and_stuck() -> None:
    # Given a run where every promise held / When it is rendered
    table = render_chaos(_chaos(checks=(Check("the DLQ emptied", True, "0 left"),)))

    # Then one row per count, the scenario's check, and the verdict
    assert table.splitlines() == [
        "pizza chaos kitchen-outage: 10 orders at 5/s (choreography)",
        "  placed                 10  accepted (202) of 11 sent; not accepted: 503: 1",
        "  injected faults        10  kitchen messages dead-lettered",
        "  recovered              10  redriven",
        "  lost                    0  accepted, never reached a final status",
        "  duplicated effects      0  an effect seen more than once for an order",
        "  still stuck             0",
        "  ok   the DLQ emptied: 0 left",
        "every promise held",
    ]


@pytest.mark.parametrize(
    ("lost", "twice", "checks"),
    [(2, False, ()), (0, True, ()), (0, False, (Check("each pill in its DLQ", False, "missing: 1"),))],
    ids=["an order lost", "an effect twice", "a check failed"],
)
def test_a_lost_order_a_duplicated_effect_or_a_failed_check_breaks_the_verdict(
    lost: int, twice: bool, checks: tuple[Check, ...]
) -> None:
    # Given a run that broke one promise / When it is judged and rendered
    result = _chaos(lost, twice, checks)
    table = render_chaos(result)

    # Then it is not ok, says so, and names what broke
    assert not result.ok
    assert table.endswith("a promise was broken (see above)")
    if lost:
        assert "  still stuck             2  with the reason each shows (below)" in table
        assert "  stuck order-0: still ACCEPTED; no dead letter names it" in table
    if twice:
        assert "  duplicated order-4: kitchen x2" in table
    if checks:
        assert "  FAIL each pill in its DLQ: missing: 1" in table


def test_the_list_names_every_scenario_and_an_unknown_one_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    # When the scenarios are listed
    assert pizza(["chaos", "--list"]) == 0
    listed = capsys.readouterr().out

    # Then each is named with what it does
    assert [line.split()[0] for line in listed.splitlines()] == SCENARIOS

    # And a scenario that does not exist is refused in one line, naming the known ones
    assert pizza(["--state-dir", "/nonexistent", "chaos", "kitchen-fire"]) == 2
    assert capsys.readouterr().err == (f"pizza: no scenario 'kitchen-fire'; known: {', '.join(SCENARIOS)}\n")


@pytest.mark.parametrize(
    "arguments",
    [["--orders", "0"], ["--rate", "0"], ["--rate", "-1"], ["--rate", "50.5"]],
    ids=["no-orders", "no-rate", "negative-rate", "rate-over-the-cap"],
)
def test_a_run_without_orders_or_beyond_the_rate_cap_is_a_one_line_usage_error(
    arguments: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    # When a scenario is asked for with no orders, no rate, or a rate above 50 orders/s
    code = pizza(["--state-dir", "/nonexistent", "chaos", "kitchen-outage", *arguments])

    # Then it is refused before any stack is looked for, in one line saying what is taken
    assert code == 2
    assert capsys.readouterr().err == (
        "pizza: --orders takes a whole number from 1 and --rate a number of orders/s up to 50\n"
    )
