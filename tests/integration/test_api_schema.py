"""The deployed orders API against its own OpenAPI document (GET /openapi.json), by schemathesis.

Inputs tried, for every operation the document lists but the one that serves it (POST /orders,
GET /orders/{orderId}, GET /menu; schemathesis leaves GET /openapi.json out, having just read it
and checked it against the OpenAPI 3.1 schema, and the route takes no input): the document's
examples (a collection and a delivery order); requests generated from the document, ones it allows
(positive: bodies of the PlaceOrderRequest schema with menu pizzas other than the kitchen's demo
fault, quantities also spelled 2.0, Idempotency-Key values of 1 to 255 characters, orderIds of 1
to 256 characters) and ones it forbids (negative: wrong types, missing or extra fields, values out
of range, keys and ids too long or empty); then every order accepted in the run, read back once
final. Seeded (derandomized) and bounded, so a run sends the same requests every time.

Checked on every answer: no server error (5xx), a status the operation documents, the documented
media type, headers and body schema, and a refusal for what the document forbids. And nothing is
half-written: the orders table gains exactly the orders that got a 202.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime

import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.strategies import SearchStrategy
from integration_support import UNCOOKABLE_PIZZA, AwsClients, OrdersApi, eventually
from schemathesis import Case, GenerationMode

from order_service.domain.order import OrderStatus
from privacy_scan.session import LEDGER

# How many requests each operation gets, per generation mode: enough to reach every refusal and a
# good share of 202s, few enough for well under two minutes of Lambda calls on two cores.
EXAMPLES = {
    "POST /orders": 60,
    "GET /orders/{orderId}": 20,
    "GET /menu": 3,
}
CHECKS = [
    schemathesis.checks.not_a_server_error,
    schemathesis.checks.status_code_conformance,
    schemathesis.checks.content_type_conformance,
    schemathesis.checks.response_headers_conformance,
    schemathesis.checks.response_schema_conformance,
    schemathesis.checks.negative_data_rejection,
]
REQUEST_TIMEOUT_SECONDS = 30


@dataclass
class _Run:
    """What the run sent and got: every status by operation, and the orders accepted."""

    base_url: str
    session: requests.Session = field(default_factory=requests.Session)
    statuses: dict[str, dict[int, int]] = field(default_factory=dict)
    accepted: set[str] = field(default_factory=set)

    def call_and_check(self, case: Case) -> None:
        response = case.call(base_url=self.base_url, session=self.session, timeout=REQUEST_TIMEOUT_SECONDS)
        label = case.operation.label
        counts = self.statuses.setdefault(label, {})
        counts[response.status_code] = counts.get(response.status_code, 0) + 1
        if label == "POST /orders" and response.status_code == 202:
            self.accepted.add(response.json()["orderId"])
            # Its watch token and webhook secret are looked for in the session's logs and spans.
            LEDGER.order_answered(response.content)
        case.validate_response(response, checks=CHECKS)


def _no_demo_fault(case: Case) -> bool:
    # The kitchen cannot make the demo fault: such an order would end in the kitchen's DLQ, which the
    # suite's DLQ tests count, and never reach a final status (the choreography has no undo).
    return UNCOOKABLE_PIZZA not in json.dumps(case.body, default=str)


def _send(run: _Run, cases: SearchStrategy[Case], examples: int) -> None:
    @given(case=cases.filter(_no_demo_fault))
    @settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        # No shrinking: a failure is reported as found, and a failing run stays as short as a passing one.
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def requests_of_this_operation(case: Case) -> None:
        run.call_and_check(case)

    requests_of_this_operation()


def _modes(operation: schemathesis.APIOperation) -> list[GenerationMode]:
    # An operation that takes no input (GET /menu) has nothing to get wrong.
    takes_input = any(operation.definition.raw.get(part) for part in ("parameters", "requestBody"))
    return [GenerationMode.POSITIVE, GenerationMode.NEGATIVE] if takes_input else [GenerationMode.POSITIVE]


def _wait_until_final(orders_api: OrdersApi, order_ids: set[str]) -> None:
    def moving() -> list[str]:
        return [i for i in order_ids if not OrderStatus((orders_api.status(i) or {})["status"]).is_final]

    eventually(lambda: not moving(), timeout=60, what="the accepted orders to reach a final status")


def _orders_placed_since(aws: AwsClients, started: datetime) -> set[str]:
    paginator = aws.dynamodb.get_paginator("scan")
    pages = paginator.paginate(TableName=aws.table("orders"), ProjectionExpression="orderId, placedAt")
    return {
        item["orderId"]["S"]
        for page in pages
        for item in page["Items"]
        if datetime.fromisoformat(item["placedAt"]["S"]) >= started
    }


def test_the_api_keeps_to_its_document_and_stores_only_the_orders_it_accepts(
    orders_api: OrdersApi, aws: AwsClients
) -> None:
    # Given the document the deployed API serves, and the time the run starts
    started = datetime.now(UTC)
    schema = schemathesis.openapi.from_url(f"{orders_api.base_url}/openapi.json", timeout=REQUEST_TIMEOUT_SECONDS)
    run = _Run(orders_api.base_url)
    operations = [result.ok() for result in schema.get_all_operations()]
    schema.validate()
    assert sorted(o.label for o in operations) == sorted(EXAMPLES)

    # When schemathesis sends each operation the document's examples, requests the document allows,
    # then ones it forbids
    for operation in operations:
        for example in schema.get_strategies_from_examples(operation):
            _send(run, example, 1)
        for mode in _modes(operation):
            _send(run, operation.as_strategy(generation_mode=mode), EXAMPLES[operation.label])
    # And every accepted order is read back once it has come to its end (so that what it still sets
    # off does not run into the next test's counts)
    _wait_until_final(orders_api, run.accepted)
    status = schema["/orders/{orderId}"]["GET"]
    for order_id in sorted(run.accepted):
        run.call_and_check(status.Case(path_parameters={"orderId": order_id}))

    # Then every answer passed the checks (a failure raises above), and the run reached both ends
    print(f"answers by operation and status: {run.statuses}")
    assert run.accepted, f"no order was accepted, so nothing was proven about what is stored: {run.statuses}"
    assert any(status >= 400 for status in run.statuses["POST /orders"]), run.statuses
    # And nothing is half-written: the orders stored since the run began are exactly those answered 202
    stored = _orders_placed_since(aws, started)
    assert not stored - run.accepted, f"stored without a 202: {sorted(stored - run.accepted)}"
    assert not run.accepted - stored, f"answered 202 but not stored: {sorted(run.accepted - stored)}"
