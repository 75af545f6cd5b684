"""What every scenario runs with: the stack, its declaration, the load's size and pace."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pizza_ops.deployed_stack import DeployedStack
from pizza_ops.load import LoadPlan, Progress, Workflow
from pizza_ops.system import SystemDeclaration

# On an emulator a burst of cold starts of the API answers 502s for orders it stored (59 of 100 at
# 5/s on a stack just started): the load would count them not accepted, and the faults not injected.
WARM_API = 4


class CannotStart(RuntimeError):
    """The stack is not in a state the scenario can start from (said in one line, nothing changed)."""


@dataclass(frozen=True)
class ChaosRun:
    stack: DeployedStack
    system: SystemDeclaration
    orders: int
    rate: float
    workflow: Workflow
    on_progress: Callable[[Progress], None] | None = None
    # How long accepted orders may take to end once the faults are repaired.
    drain_timeout: float = 180.0

    def plan(self, **choices: Any) -> LoadPlan:
        """The scenario's load: ``orders`` at ``rate``, half of them delivery orders (a new run each
        call; ``choices`` set the plan's other fields, such as its pizzas)."""
        return LoadPlan(
            rate=self.rate,
            duration=self.orders / self.rate,
            workflow=self.workflow,
            drain_timeout=self.drain_timeout,
            # Environments of the orders API started before the first order, as a warm service has.
            warm_api=WARM_API,
            **choices,
        )
