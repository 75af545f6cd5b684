"""The README's trace pictures still show what the current code does.

Each picture was pasted from a real run; this places the same order and compares the spans of its
trace (service, name and kind; not timings, ids or the order of siblings) with the picture's.
A change to what a trace holds fails here until the picture is regenerated from a real run.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from integration_support import AwsClients, OrdersApi, Telemetry, eventually, set_order_workflow

from pizza_ops.repository import Repository
from pizza_ops.telemetry import render_tree

# "└─ order-saga  saga step accept-order  [INTERNAL]  +521.0 ms  9.7 ms": service, name, kind.
_SPAN_LINE = re.compile(r"[├└]─ (?P<service>\S+)  (?P<name>.+?)  \[(?P<kind>[A-Z]+)\]")

SAGA_ORDER = {
    "customerId": "c-1",
    "orderType": "delivery",
    "items": [{"pizza": "Margherita", "quantity": 2}],
    "deliveryAddress": {"line1": "1 Crust Street", "city": "Naples", "postcode": "80100"},
}
CHOREOGRAPHY_ORDER = {"customerId": "c-1", "orderType": "collection", "items": [{"pizza": "Margherita", "quantity": 2}]}


def _readme_picture(name: str) -> str:
    readme = (Repository.find().root / "README.md").read_text(encoding="utf-8")
    match = re.search(rf"<!-- picture: {name} .*?-->\n```\n(?P<body>.*?)```", readme, flags=re.DOTALL)
    assert match, f"README.md has no picture {name!r}"
    # The order's own trace: the first tree of the picture.
    return re.split(r"(?m)^trace ", match["body"])[1]


def _spans(tree: str) -> set[tuple[str, str, str]]:
    return {(m["service"], m["name"], m["kind"]) for m in _SPAN_LINE.finditer(tree)}


def _live_tree(telemetry: Telemetry, order_id: str, complete: set[tuple[str, str, str]]) -> str:
    """The order's own trace as `pizza trace` renders it, once every span pictured has arrived."""

    def rendered() -> str | None:
        for trace_id in telemetry.store.trace_ids_with_attribute("order.id", order_id):
            spans = telemetry.store.spans_of_trace(trace_id)
            if any(span.name == "POST /orders" for span in spans):
                tree = render_tree(spans)
                return tree if _spans(tree) >= complete else None
        return None

    return eventually(rendered, timeout=60, what="the order's trace")


@pytest.fixture
def saga(aws: AwsClients) -> Iterator[None]:
    set_order_workflow(aws, "saga")
    yield
    set_order_workflow(aws, "choreography")


def test_the_saga_trace_picture_matches_a_saga_order_s_trace(
    saga: None, orders_api: OrdersApi, telemetry: Telemetry
) -> None:
    # Given the README's saga trace, and the same order placed with the saga
    pictured = _spans(_readme_picture("saga-trace"))
    order_id = orders_api.place(SAGA_ORDER).json()["orderId"]
    orders_api.wait_for_status(order_id, "CONFIRMED", timeout=60)

    # When its trace has arrived / Then it holds exactly the pictured spans
    assert _spans(_live_tree(telemetry, order_id, pictured)) == pictured


def test_the_choreography_trace_picture_matches_a_choreographed_order_s_trace(
    orders_api: OrdersApi, telemetry: Telemetry
) -> None:
    # Given the README's choreography trace, and the same order placed with the choreography
    pictured = _spans(_readme_picture("choreography-trace"))
    order_id = orders_api.place(CHOREOGRAPHY_ORDER).json()["orderId"]
    orders_api.wait_for_status(order_id, "ACKNOWLEDGED")

    # When its trace has arrived / Then it holds exactly the pictured spans
    assert _spans(_live_tree(telemetry, order_id, pictured)) == pictured
