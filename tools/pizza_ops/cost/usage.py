"""What an order uses, in billable units, counted from the spans of real orders.

The one place where spans become line items. Lambda: every top-level span of a function's service
(no parent in that service: a handler's SERVER or CONSUMER span, an outbox relay's span per
event, a saga run) is one invocation, and its duration rounded up to the millisecond, times the
declared memory, is its GB-s. AWS calls: each botocore span's rpc.service/rpc.method (CLIENT, or
PRODUCER for SNS) maps to units (below); calls no price applies to are listed as unpriced rather
than dropped. What the spans do not tell is assumed, and each assumption is named here.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from pizza_contracts import ORDER_ID_SPAN_ATTRIBUTE
from pizza_ops.telemetry.span_model import AttributeValue, StoredSpan

if TYPE_CHECKING:
    from pizza_ops.system import SystemDeclaration

# Assumed: every item written is at most 1 KB (1 WRU; 2 in a transaction), every item read is at
# most 4 KB (0.5 RRU eventually consistent, 1 strongly), and a transaction touches 2 items.
TRANSACTION_ITEMS = 2
# Assumed: at order rates a message reaches its consumer alone, so the event source mapping makes
# one ReceiveMessage and one DeleteMessageBatch per invocation (its empty long polls are fixed costs).
ESM_REQUESTS_PER_INVOCATION = 2
UNPRICED = "unpriced"
GIB = 1024**3
DAYS_PER_MONTH = 30
# Span attributes written by the services' libraries (integration_patterns) and by the botocore
# instrumentation.
RPC_SERVICE, RPC_METHOD = "rpc.service", "rpc.method"
CONSISTENT_READ = "aws.dynamodb.consistent_read"
QUEUE_URL_ATTRIBUTES = ("aws.queue_url", "messaging.url")
SNS_TOPIC_ARN = "aws.sns.topic.arn"
BATCH_MESSAGE_COUNT = "messaging.batch.message_count"
SAGA_STEP = "saga.step"
CLAIM_UPLOAD, CLAIM_REDEEM, CLAIM_SIZE = "claim check upload", "claim check redeem", "claim_check.object.size"


@dataclass(frozen=True)
class FunctionSpec:
    """What the bill needs to know of a declared function."""

    name: str  # logical name, as in infra/system.yaml
    memory_mb: int
    sqs_trigger: str | None = None  # "standard" or "fifo": read by an SQS event source mapping
    stream_trigger: bool = False  # read by a DynamoDB stream event source mapping
    http_api: bool = False  # behind an HTTP API route


@dataclass(frozen=True)
class BillingFacts:
    """The declaration's facts the mapping uses: functions by their spans' service name, each topic's
    SQS subscribers (by physical name), and how long claim-check objects are kept."""

    functions: dict[str, FunctionSpec]
    topic_subscribers: dict[str, int] = field(default_factory=dict)
    claim_retention_days: float = 0.0

    @classmethod
    def of(cls, system: SystemDeclaration) -> BillingFacts:
        sqs = {t.function: ("fifo" if system.queues[t.queue].fifo else "standard") for t in system.triggers}
        streamed = {t.function for t in system.stream_triggers}
        routed = {name for api in system.http_apis.values() for name in api.routes.values()}
        functions = {
            spec.service_name: FunctionSpec(name, spec.memory_mb, sqs.get(name), name in streamed, name in routed)
            for name, spec in system.functions.items()
        }
        topics = {system.physical_name(name): len(topic.subscribers) for name, topic in system.topics.items()}
        retention = max((bucket.expire_after_days for bucket in system.buckets.values()), default=0)
        return cls(functions, topics, float(retention))


@dataclass(frozen=True)
class Usage:
    """`units` of the priced item `item` (a key of the price book, or UNPRICED) per order."""

    item: str
    detail: str
    units: float


def usage_per_order(
    orders: Sequence[Iterable[StoredSpan]],
    facts: BillingFacts,
    unattributed: Sequence[StoredSpan] = (),
    placed_alongside: int = 0,
) -> list[Usage]:
    """The mean units per order over `orders` (each the spans of one order's traces).

    A span seen in several orders' traces (a batch call) is counted once for them all.
    `unattributed`: AWS calls made while the orders went through but in no order's trace (a root
    batch send for several orders, see :func:`unattributed_calls`); their calls are shared equally by the
    `placed_alongside` orders placed meanwhile, and their lines say "by time".
    """
    if not orders:
        raise ValueError("no orders to count")
    spans = {(span.trace_id, span.span_id): span for order in orders for span in order}
    totals: dict[tuple[str, str], float] = defaultdict(float)
    for item, detail, units in _units(list(spans.values()), facts):
        totals[item, detail] += units / len(orders)
    orphans = [span for span in unattributed if (span.trace_id, span.span_id) not in spans]
    for span in orphans if placed_alongside else ():
        for item, detail, units in _call_units(span, facts):
            totals[item, f"{detail} (by time)"] += units / placed_alongside
    return [Usage(item, detail, units) for (item, detail), units in sorted(totals.items())]


def unattributed_calls(spans: Sequence[StoredSpan], facts: BillingFacts) -> list[StoredSpan]:
    """The AWS calls of declared functions in traces that name no order: a batch call made for
    several orders at once is a trace of its own (its root links to each order's span, see
    integration_patterns.event_tracing.batch_call_span), so it is in no order's trace."""
    about_an_order = {span.trace_id for span in spans if ORDER_ID_SPAN_ATTRIBUTE in span.attributes}
    calls = [span for span in spans if RPC_SERVICE in span.attributes and span.service_name in facts.functions]
    return [span for span in calls if span.trace_id not in about_an_order]


def _units(spans: list[StoredSpan], facts: BillingFacts) -> Iterable[tuple[str, str, float]]:
    by_id = {(span.trace_id, span.span_id): span for span in spans}
    children: dict[tuple[str, str], list[StoredSpan]] = defaultdict(list)
    for span in spans:
        if span.parent_span_id:
            children[span.trace_id, span.parent_span_id].append(span)
    for span in spans:
        function = facts.functions.get(span.service_name)
        if function is not None and _is_invocation(span, by_id):
            yield from _invocation_units(span, function)
        if RPC_SERVICE in span.attributes:  # CLIENT, or PRODUCER for SNS and SQS sends
            yield from _call_units(span, facts)
        if span.attributes.get(SAGA_STEP) is not None:
            yield "lambda.durable_operations", _function_name(facts, span), 1
        if span.name == CLAIM_UPLOAD:
            size = _number(span.attributes.get(CLAIM_SIZE), 0)
            yield "s3.storage", "claim checks", size / GIB * facts.claim_retention_days / DAYS_PER_MONTH
        if span.name == CLAIM_REDEEM and not any(RPC_SERVICE in c.attributes for c in children[_key(span)]):
            yield "s3.get_requests", "claim check by presigned URL", 1  # an HTTP GET, no botocore span


def _key(span: StoredSpan) -> tuple[str, str]:
    return (span.trace_id, span.span_id)


def _function_name(facts: BillingFacts, span: StoredSpan) -> str:
    function = facts.functions.get(span.service_name)
    return function.name if function is not None else span.service_name


def _is_invocation(span: StoredSpan, by_id: dict[tuple[str, str], StoredSpan]) -> bool:
    if span.parent_span_id is None:
        return True
    parent = by_id.get((span.trace_id, span.parent_span_id))
    # A parent in another service (the producer of a message, the caller) or outside the traces read.
    return parent is None or parent.service_name != span.service_name


def _invocation_units(span: StoredSpan, function: FunctionSpec) -> Iterable[tuple[str, str, float]]:
    billed_ms = max(1, math.ceil(span.duration_ms))
    yield "lambda.requests", function.name, 1
    yield "lambda.gb_seconds", function.name, billed_ms / 1000 * function.memory_mb / 1024
    if function.sqs_trigger is not None:
        item = "sqs.fifo_requests" if function.sqs_trigger == "fifo" else "sqs.requests"
        yield item, f"event source mapping ({function.name})", ESM_REQUESTS_PER_INVOCATION
    if function.stream_trigger:
        yield "dynamodb.stream_read_requests", f"read by Lambda, free ({function.name})", 0
    if function.http_api and span.kind == "SERVER":
        yield "apigateway.http_requests", span.name, 1


_Units = Callable[[StoredSpan, BillingFacts], Iterable[tuple[str, float]]]


def _fixed(item: str, units: float = 1) -> _Units:
    return lambda span, facts: [(item, units)]


def _read(units: float) -> _Units:
    def read(span: StoredSpan, facts: BillingFacts) -> list[tuple[str, float]]:
        consistent = span.attributes.get(CONSISTENT_READ) is True
        return [("dynamodb.read_request_units", units * (2 if consistent else 1))]

    return read


def _sqs(span: StoredSpan, facts: BillingFacts) -> list[tuple[str, float]]:
    fifo = any(str(span.attributes.get(key, "")).endswith(".fifo") for key in QUEUE_URL_ATTRIBUTES)
    return [("sqs.fifo_requests" if fifo else "sqs.requests", 1)]


def _sns_publish(span: StoredSpan, facts: BillingFacts) -> list[tuple[str, float]]:
    topic = str(span.attributes.get(SNS_TOPIC_ARN, "")).rsplit(":", 1)[-1]
    messages = _batch_count(span)
    return [("sns.publishes", 1), ("sns.sqs_deliveries", messages * facts.topic_subscribers.get(topic, 0))]


def _events(span: StoredSpan, facts: BillingFacts) -> list[tuple[str, float]]:
    return [("eventbridge.custom_events", _batch_count(span))]  # billed per event, not per call


def _batch_count(span: StoredSpan) -> float:
    # Assumed 1 when the span does not say how many entries the call carried.
    return _number(span.attributes.get(BATCH_MESSAGE_COUNT), 1) or 1


def _number(value: AttributeValue | None, default: float) -> float:
    return (
        float(value) if isinstance(value, int | float | str) and str(value).replace(".", "", 1).isdigit() else default
    )


# rpc.service → rpc.method → units. Lambda.Invoke is billed as the invoked function's request; the
# durable execution API (checkpoints, callbacks) as the saga's steps; schedule calls as the firing.
_FREE = ()
_CALLS: dict[str, dict[str, _Units]] = {
    "DynamoDB": {
        "PutItem": _fixed("dynamodb.write_request_units"),
        "UpdateItem": _fixed("dynamodb.write_request_units"),
        "DeleteItem": _fixed("dynamodb.write_request_units"),
        "BatchWriteItem": lambda span, facts: [("dynamodb.write_request_units", _batch_count(span))],
        "TransactWriteItems": _fixed("dynamodb.write_request_units", 2 * TRANSACTION_ITEMS),
        "GetItem": _read(0.5),
        "Query": _read(0.5),
        "Scan": _read(0.5),
        "BatchGetItem": lambda span, facts: [("dynamodb.read_request_units", 0.5 * _batch_count(span))],
        "TransactGetItems": _fixed("dynamodb.read_request_units", 2 * TRANSACTION_ITEMS),
    },
    "SQS": {
        method: _sqs
        for method in (
            "SendMessage",
            "SendMessageBatch",
            "ReceiveMessage",
            "DeleteMessage",
            "DeleteMessageBatch",
            "ChangeMessageVisibility",
            "ChangeMessageVisibilityBatch",
        )
    },
    "SNS": {"Publish": _sns_publish, "PublishBatch": _sns_publish},
    "EventBridge": {"PutEvents": _events},
    "Scheduler": {"CreateSchedule": _fixed("scheduler.invocations"), "DeleteSchedule": lambda s, f: _FREE},
    "KMS": {
        **{m: _fixed("kms.symmetric_requests") for m in ("Encrypt", "Decrypt", "GenerateDataKey", "ReEncrypt")},
        **{m: _fixed("kms.hmac_requests") for m in ("GenerateMac", "VerifyMac")},
    },
    "S3": {
        **{m: _fixed("s3.put_requests") for m in ("PutObject", "CopyObject", "ListObjects", "ListObjectsV2")},
        **{m: _fixed("s3.get_requests") for m in ("GetObject", "HeadObject")},
    },
    "ApiGatewayManagementApi": {"PostToConnection": _fixed("apigateway.websocket_messages")},
    "Lambda": {
        method: lambda s, f: _FREE
        for method in (
            "Invoke",
            "CheckpointDurableExecution",
            "GetDurableExecutionState",
            "SendDurableExecutionCallbackSuccess",
            "SendDurableExecutionCallbackFailure",
            "SendDurableExecutionCallbackHeartbeat",
        )
    },
}


def _call_units(span: StoredSpan, facts: BillingFacts) -> Iterable[tuple[str, str, float]]:
    service, method = str(span.attributes[RPC_SERVICE]), str(span.attributes.get(RPC_METHOD, ""))
    units = _CALLS.get(service, {}).get(method)
    if units is None:
        yield UNPRICED, f"{service}.{method}", 1
        return
    for item, amount in units(span, facts):
        yield item, f"{service}.{method}", amount
