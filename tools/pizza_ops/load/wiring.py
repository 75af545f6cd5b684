"""A load run against a deployed stack: the orders API over HTTP, the services' tables in DynamoDB."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from typing import cast

import httpx

from pizza_ops.deployed_stack import DeployedStack
from pizza_ops.function_settings import set_environment
from pizza_ops.load.dynamodb import DynamoDbEffectCounter, DynamoDbOrderStates, EffectTables
from pizza_ops.load.http_orders import HttpOrderPlacer, OnAccepted, order_client
from pizza_ops.load.plan import LoadPlan, Workflow
from pizza_ops.load.results import LoadResult
from pizza_ops.load.runner import AfterSending, LoadRun, ProgressListener, run_to_end

ORDER_API = "order-api"  # the function whose ORDER_WORKFLOW says which way orders go
WORKFLOW_SETTING = "ORDER_WORKFLOW"
# The first answer of the orders API, before the load: how long to wait for it, and to connect.
_FIRST_ANSWER_SECONDS = 60
_CONNECT_SECONDS = 5
DEFAULT_WORKFLOW: Workflow = "saga"  # infra/system.yaml's


class OrdersApiUnreachable(ConnectionError):
    """Nobody answers at the orders API's URL: most likely the stack is not running."""


class UnknownWorkflow(ValueError):
    """The orders API's ORDER_WORKFLOW names no workflow a load run knows."""


def deployed_workflow(stack: DeployedStack) -> Workflow:
    """Which way the deployed orders API sends orders (its ORDER_WORKFLOW)."""
    configuration = stack.client("lambda").get_function_configuration(FunctionName=stack.function(ORDER_API))
    value = configuration.get("Environment", {}).get("Variables", {}).get(WORKFLOW_SETTING, DEFAULT_WORKFLOW)
    if value not in ("saga", "choreography"):
        raise UnknownWorkflow(f"the orders API's {WORKFLOW_SETTING} is {value!r}, neither saga nor choreography")
    return cast(Workflow, value)


@contextmanager
def workflow_for_run(stack: DeployedStack, workflow: Workflow | None) -> Iterator[Workflow]:
    """The orders API switched to ``workflow`` (if given and not already so) until the block ends,
    then back; yields the workflow orders go through."""
    before = deployed_workflow(stack)
    if workflow is None or workflow == before:
        yield before
        return
    lambda_client, function = stack.client("lambda"), stack.function(ORDER_API)
    set_environment(lambda_client, function, {WORKFLOW_SETTING: workflow})
    try:
        yield workflow
    finally:
        set_environment(lambda_client, function, {WORKFLOW_SETTING: before})


def run_on_stack(
    plan: LoadPlan,
    stack: DeployedStack,
    on_progress: ProgressListener | None = None,
    after_sending: AfterSending | None = None,
    on_accepted: OnAccepted | None = None,
) -> LoadResult:
    """Run ``plan`` against the deployed ``stack`` (whose orders API must already take ``plan.workflow``);
    ``on_accepted`` is told of each 202 and its body as it comes."""
    return run_to_end(_run(plan, stack, on_progress, after_sending, on_accepted))


async def _run(
    plan: LoadPlan,
    stack: DeployedStack,
    on_progress: ProgressListener | None,
    after_sending: AfterSending | None,
    on_accepted: OnAccepted | None,
) -> LoadResult:
    api_url = stack.outputs.api_urls["orders"]
    dynamodb = stack.client("dynamodb")
    tables = EffectTables(
        kitchen_orders=stack.table("kitchen-orders"),
        loyalty_accounts=stack.table("loyalty-accounts"),
        notifications=stack.table("notifications"),
        deliveries=stack.table("deliveries"),
        analytics_counted_orders=stack.table("analytics-counted-orders"),
        payments=stack.table("payments") if plan.workflow == "saga" else None,
    )
    async with order_client(plan.connections, plan.request_timeout) as http:
        menu = f"{api_url.rstrip('/')}/menu"
        try:
            # Nothing listening is refused at once; a cold orders API on a busy machine may take
            # many seconds for its first answer, which is not a stack that is down.
            await http.get(menu, timeout=httpx.Timeout(_FIRST_ANSWER_SECONDS, connect=_CONNECT_SECONDS))
        except httpx.TransportError:
            raise OrdersApiUnreachable(f"cannot reach the orders API at {api_url}: is the stack running?") from None
        await asyncio.gather(*(http.get(menu, timeout=60) for _ in range(plan.warm_api)))
        run = LoadRun(
            plan,
            HttpOrderPlacer(http, api_url, on_accepted),
            DynamoDbOrderStates(dynamodb, stack.table("orders")),
            DynamoDbEffectCounter(dynamodb, tables, plan.customer_prefix),
            on_progress,
            after_sending=after_sending,
        )
        return await run.run()
