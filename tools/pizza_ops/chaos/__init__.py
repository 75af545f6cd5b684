"""`pizza chaos`: faults injected on purpose into a running stack under load, and a count of what
became of every order: placed, faults injected, recovered, lost, duplicated effects, still stuck.

Each scenario is a function of a :class:`ChaosRun` returning a :class:`ChaosResult`; the load is
`pizza load`'s (:mod:`pizza_ops.load`), with the scenario's repair run between the sending and the
wait for final statuses. Scenarios change the stack only through its public APIs and put back what
they changed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from pizza_ops.chaos.context import CannotStart, ChaosRun
from pizza_ops.chaos.outcome import ChaosResult, Check, StuckOrder, render_chaos


@dataclass(frozen=True)
class Scenario:
    run: Callable[[ChaosRun], ChaosResult]
    about: str


def scenarios() -> dict[str, Scenario]:
    """Every scenario by name (imported on use: each needs boto3)."""
    from pizza_ops.chaos.dropped_websockets import dropped_websockets
    from pizza_ops.chaos.duplicate_storm import duplicate_storm
    from pizza_ops.chaos.emulator_restart import emulator_restart
    from pizza_ops.chaos.kitchen_outage import kitchen_outage
    from pizza_ops.chaos.kitchen_timeout import kitchen_timeout
    from pizza_ops.chaos.poison_pills import poison_pills
    from pizza_ops.chaos.relay_crashes import relay_crashes
    from pizza_ops.chaos.saga_failures import saga_failures
    from pizza_ops.chaos.webhook_receiver_down import webhook_receiver_down

    return {
        "kitchen-outage": Scenario(
            kitchen_outage,
            "the kitchen fails every order (its table unreachable) -> DLQ backlog and alarm -> fix -> paced redrive",
        ),
        "poison-pills": Scenario(
            poison_pills, "malformed and unsupported events on every way in, mixed into the orders -> each in its DLQs"
        ),
        "relay-crashes": Scenario(
            relay_crashes,
            "the outbox relay fails in turns before its sends and between its sends and its marks -> retried",
        ),
        "saga-failures": Scenario(
            saga_failures,
            "orders fail in turn at payment, in the kitchen's callback wait and at stock -> each step undone once",
        ),
        "webhook-receiver-down": Scenario(
            webhook_receiver_down,
            "each order's webhook receiver down (503) or too slow -> orders unaffected, deliveries retried, then DLQ",
        ),
        "duplicate-storm": Scenario(
            duplicate_storm, "outbox stream records, SNS, EventBridge and SQS messages delivered again, 3 copies each"
        ),
        "kitchen-timeout": Scenario(
            kitchen_timeout,
            "kitchen away under load: saga orders outwait its callback (10 s) -> each undone once, late answers void",
        ),
        "emulator-restart": Scenario(
            emulator_restart,
            "the emulator stopped and started again mid-flow, its state kept (pizza up --persist-emulator-state)"
            " -> every order ends",
        ),
        "dropped-websockets": Scenario(
            dropped_websockets,
            "orders watched over the WebSocket; connections reset or closed mid-flow, some reconnect -> cleaned up",
        ),
    }


__all__ = [
    "CannotStart",
    "ChaosResult",
    "ChaosRun",
    "Check",
    "Scenario",
    "StuckOrder",
    "render_chaos",
    "render_scenarios",
    "scenarios",
]


def render_scenarios(known: dict[str, Scenario]) -> str:
    width = max(len(name) for name in known) + 2
    return "\n".join(f"{name:<{width}}{scenario.about}" for name, scenario in known.items())
