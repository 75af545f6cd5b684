"""A `pizza chaos` scenario run against the suite's stack as the CLI runs it, and the promises every
scenario must keep whatever its faults."""

from __future__ import annotations

from pizza_ops.chaos import ChaosResult, ChaosRun, render_chaos, scenarios
from pizza_ops.deployed_stack import DeployedStack
from pizza_ops.load import Workflow
from pizza_ops.load.wiring import workflow_for_run
from pizza_ops.stack import EmbeddedStack


def run_scenario(stack: EmbeddedStack, scenario: str, orders: int, rate: float, workflow: Workflow) -> ChaosResult:
    """`pizza chaos SCENARIO --orders N --rate R --workflow W`: the orders API switched to the
    workflow for the run (the suite's stack deploys the choreography), then back."""
    deployed = DeployedStack(stack.config.state_dir)
    with workflow_for_run(deployed, workflow) as used:
        return scenarios()[scenario].run(ChaosRun(deployed, stack.config.system, orders, rate, used))


def assert_every_promise_held(result: ChaosResult, orders: int) -> None:
    """Every order accepted, none lost or stuck, no effect twice, and every check of the scenario held."""
    table = render_chaos(result)
    assert result.load.accepted == orders, (result.load.rejected, table)
    assert (result.lost, result.duplicated_effects, result.stuck) == (0, 0, ()), table
    assert [check for check in result.checks if not check.held] == [], table
    assert result.ok, table
