"""Load runs: orders sent at a fixed rate, open loop, then followed to their final status and counted.

The public API: a :class:`LoadPlan`, :func:`run_on_stack` (or :func:`run_load` with ports of your
own) returning a :class:`LoadResult`, and :func:`render_result` / :func:`result_as_json`. The
deployed-stack wiring (boto3, httpx) lives in :mod:`pizza_ops.load.wiring`, imported on use.
"""

from __future__ import annotations

from pizza_ops.load.effects import EffectAnomaly, effects_of, expected_effects
from pizza_ops.load.plan import BadPlan, LoadPlan, PlannedOrder, Workflow
from pizza_ops.load.report import ProgressLine, render_result, result_as_json
from pizza_ops.load.results import LoadResult, OrderState, Percentiles, PlaceAnswer
from pizza_ops.load.runner import LoadRun, Progress, run_load

__all__ = [
    "BadPlan",
    "EffectAnomaly",
    "LoadPlan",
    "LoadResult",
    "LoadRun",
    "OrderState",
    "Percentiles",
    "PlaceAnswer",
    "PlannedOrder",
    "Progress",
    "ProgressLine",
    "Workflow",
    "effects_of",
    "expected_effects",
    "render_result",
    "result_as_json",
    "run_load",
]
