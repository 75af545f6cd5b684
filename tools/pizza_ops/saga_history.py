"""`pizza saga ORDER_ID`: an order's saga execution, step by step, from Lambda's durable execution APIs.

The same calls work on AWS and on the emulator: ListDurableExecutionsByFunction (per version: an
execution belongs to the version that started it), GetDurableExecution and
GetDurableExecutionHistory. An execution is named after its order; where names are not kept
(MiniStack ignores them) the execution is found by the order id in its input.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from aws_durable_execution_sdk_python.serdes import ExtendedTypeSerDes

# The steps that undo others (see order_service.saga): shown apart, in the order they ran.
_COMPENSATION_PREFIXES = ("release-", "refund-")
_SERDES: ExtendedTypeSerDes[Any] = ExtendedTypeSerDes()
_TEXT_WIDTH = 90


class NoSuchExecution(LookupError):
    """No saga execution was found for the order."""


@dataclass
class OperationView:
    """One step or callback of the execution, folded from its history events."""

    id: str
    name: str
    kind: str
    status: str = "STARTED"
    started: datetime | None = None
    ended: datetime | None = None
    attempts: int = 0
    output: str = ""
    errors: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class SagaHistory:
    execution: Mapping[str, Any]
    operations: list[OperationView]
    invocations: int


def find_execution(lambda_client: Any, function_name: str, order_id: str) -> str:
    """The ARN of the order's execution (the newest version's first, if there are several)."""
    found = executions_of_order(lambda_client, function_name, order_id)
    if not found:
        raise NoSuchExecution(f"no saga execution of {function_name} for order {order_id}")
    return found[0]


def executions_of_order(lambda_client: Any, function_name: str, order_id: str) -> list[str]:
    """The ARNs of every execution for the order, in every published version, newest version first.

    By the execution's name where it is kept; otherwise (MiniStack ignores names) by the order id
    in each execution's input.
    """
    versions = [
        v["Version"]
        for v in _pages(lambda_client, "list_versions_by_function", "Versions", FunctionName=function_name)
        if v["Version"] != "$LATEST"
    ]
    found: list[str] = []
    for version in sorted(versions, key=int, reverse=True):
        named = _executions(lambda_client, function_name, version, DurableExecutionName=order_id)
        if named:
            found += [str(e["DurableExecutionArn"]) for e in named]
            continue
        for summary in _executions(lambda_client, function_name, version):
            detail = lambda_client.get_durable_execution(
                DurableExecutionArn=summary["DurableExecutionArn"], IncludeExecutionData=True
            )
            if _input_order_id(detail.get("InputPayload")) == order_id:
                found.append(str(summary["DurableExecutionArn"]))
    return found


def saga_history(lambda_client: Any, execution_arn: str) -> SagaHistory:
    execution = lambda_client.get_durable_execution(DurableExecutionArn=execution_arn, IncludeExecutionData=True)
    events = list(
        _pages(
            lambda_client,
            "get_durable_execution_history",
            "Events",
            DurableExecutionArn=execution_arn,
            IncludeExecutionData=True,
        )
    )
    return SagaHistory(execution, fold_operations(events), sum(e["EventType"] == "InvocationCompleted" for e in events))


def fold_operations(events: Sequence[Mapping[str, Any]]) -> list[OperationView]:
    """Each step and callback once, in the order it started, from the raw history events."""
    operations: dict[str, OperationView] = {}
    for event in events:
        kind, _, what = _split(event["EventType"])
        if kind not in ("Step", "Callback") or "Id" not in event:
            continue
        view = operations.setdefault(event["Id"], OperationView(event["Id"], event.get("Name", ""), kind.lower()))
        at = event.get("EventTimestamp")
        if what == "Started":
            view.started = view.started or at
            view.attempts += 1
            continue
        view.ended = at
        view.status = _STATUS.get(what, what.upper())
        details = event.get(f"{event['EventType']}Details") or {}
        if "Result" in details:
            view.output = _decoded(details["Result"].get("Payload"))
        if "Error" in details:
            view.errors.append(_error_text(details["Error"].get("Payload")))
    return list(operations.values())


def render_saga(order_id: str, history: SagaHistory) -> str:
    execution = history.execution
    started = execution.get("StartTimestamp")
    ended = execution.get("EndTimestamp")
    took = f"{(ended - started).total_seconds():.2f} s" if started and ended else "running"
    lines = [
        f"Saga of order {order_id}: {execution.get('Status')}, {took}, "
        f"{history.invocations} invocation(s) of {execution.get('FunctionArn', '').rsplit(':', 1)[-1] or '?'}",
        f"  execution {execution.get('DurableExecutionArn')}",
        f"  {'step':<28}{'kind':<10}{'status':<11}{'tries':>5}  {'at':>9}  {'took':>8}  output / error",
    ]
    for op in history.operations:
        at = f"+{(op.started - started).total_seconds():.3f}" if op.started and started else "?"
        duration = f"{(op.ended - op.started).total_seconds():.3f}" if op.ended and op.started else "-"
        shown = "; ".join(op.errors) if op.errors else op.output
        lines.append(
            f"  {op.name:<28}{op.kind:<10}{op.status:<11}{op.attempts or '-':>5}  {at:>9}  {duration:>8}  "
            f"{_clip(shown)}"
        )
    undone = [op.name for op in history.operations if op.name.startswith(_COMPENSATION_PREFIXES)]
    lines.append(f"Compensations run: {', '.join(undone) if undone else 'none'}")
    if execution.get("Result"):
        lines.append(f"Result: {_clip(_decoded(execution['Result']))}")
    if execution.get("Error"):
        lines.append(f"Error: {_clip(_error_text(execution['Error']))}")
    return "\n".join(lines)


_STATUS = {"Succeeded": "SUCCEEDED", "Failed": "FAILED", "TimedOut": "TIMED_OUT", "Cancelled": "CANCELLED"}


def _split(event_type: str) -> tuple[str, str, str]:
    for kind in ("Step", "Callback", "Context", "Execution", "Invocation", "Wait", "ChainedInvoke"):
        if event_type.startswith(kind):
            return kind, "", event_type.removeprefix(kind)
    return "", "", event_type


def _executions(lambda_client: Any, function_name: str, version: str, **filters: str) -> list[dict[str, Any]]:
    return list(
        _pages(
            lambda_client,
            "list_durable_executions_by_function",
            "DurableExecutions",
            FunctionName=function_name,
            Qualifier=version,
            **filters,
        )
    )


def _pages(client: Any, operation: str, key: str, **parameters: Any) -> Iterator[dict[str, Any]]:
    marker: str | None = None
    while True:
        page = getattr(client, operation)(**parameters, **({"Marker": marker} if marker else {}))
        yield from page.get(key, [])
        marker = page.get("NextMarker")
        if not marker:
            return


def _input_order_id(payload: str | None) -> str | None:
    try:
        document = json.loads(payload or "")
    except json.JSONDecodeError:
        return None
    return document.get("orderId") if isinstance(document, dict) else None


def _decoded(payload: str | None) -> str:
    if not payload:
        return ""
    try:
        value = _SERDES.deserialize(payload)
    except Exception:  # not the SDK's envelope: show it as it came
        return payload
    return json.dumps(value, default=str, separators=(",", ":"))


def _error_text(error: Any) -> str:
    if isinstance(error, Mapping):
        return f"{error.get('ErrorType', 'Error')}: {error.get('ErrorMessage', '')}"
    return str(error)


def _clip(text: str) -> str:
    return text if len(text) <= _TEXT_WIDTH else text[: _TEXT_WIDTH - 1] + "…"
