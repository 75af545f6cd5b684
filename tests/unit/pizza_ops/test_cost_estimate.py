"""`pizza cost`: the price file, the bill's arithmetic, the monthly items, and the command's output."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest

from pizza_ops.cli import main as pizza
from pizza_ops.cost import Usage, estimate, load_prices
from pizza_ops.cost.usage import _CALLS, BillingFacts
from pizza_ops.system import load_system
from pizza_ops.telemetry import SpanStore, StoredSpan

PRICES = load_prices()
SYSTEM = load_system()


def test_the_price_file_dates_its_prices_and_names_a_source_for_each() -> None:
    # Given the price file / Then it says when and how the prices were taken, and where each is from
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", PRICES.checked)
    assert "memory" in PRICES.how
    for key, price in PRICES.items.items():
        assert price.source.startswith("https://aws.amazon.com/"), key
        assert price.per > 0 and price.price >= 0, key


def test_every_item_the_mapping_produces_has_a_price() -> None:
    # Given the items the span mapping can produce
    fixed_items = {"lambda.requests", "lambda.gb_seconds", "lambda.durable_operations", "s3.storage"}
    assert fixed_items <= PRICES.items.keys()
    # Then every AWS call it maps is priced (the free ones map to nothing)
    for methods in _CALLS.values():
        for units in methods.values():
            span = StoredSpan("a" * 32, "b" * 16, None, "x", "CLIENT", "s", 0, 1)
            for item, _ in units(span, BillingFacts({})):
                assert item in PRICES.items


def test_a_line_costs_its_units_times_the_unit_price_and_the_total_is_their_sum() -> None:
    # Given 2 Lambda requests and 3 WRUs per order, and an unpriced call
    usage = [
        Usage("lambda.requests", "order-api", 2),
        Usage("dynamodb.write_request_units", "DynamoDB.PutItem", 3),
        Usage("unpriced", "Foo.Bar", 1),
    ]
    # When a million orders are priced
    bill = estimate(usage, PRICES, SYSTEM, 1_000_000, "saga", 5)
    # Then $0.40 and $1.875, nothing for the unpriced call, and a total of their sum
    costs = {line.detail: bill.cost_of(line) for line in bill.lines}
    assert costs["order-api"] == pytest.approx(0.40)
    assert costs["DynamoDB.PutItem"] == pytest.approx(3 * 0.625)
    assert costs["Foo.Bar"] == 0
    assert bill.total == pytest.approx(sum(costs.values()))


def test_the_monthly_items_are_the_declarations_keys_alarms_and_idle_polling() -> None:
    # Given the declaration / When priced
    bill = estimate([], PRICES, SYSTEM, 1, "saga", 1)
    monthly = {item.label: item for item in bill.monthly}
    # Then a dollar a month per KMS key, and some alarms and idle receives
    assert monthly["KMS customer managed keys"].cost == len(SYSTEM.kms_keys)
    assert monthly["CloudWatch alarms (standard resolution)"].units > 0
    assert monthly["SQS standard requests"].units > 0


def _order_spans(order_id: str, trace_id: str, placed_at_ns: int = 1_000_000_000) -> list[StoredSpan]:
    start = placed_at_ns - 1_000_000_000
    post = StoredSpan(
        trace_id,
        "1" * 16,
        None,
        "POST /orders",
        "SERVER",
        "order-receiver",
        start + 1_000_000_000,
        start + 1_020_000_000,
        attributes={"http.request.method": "POST", "http.route": "/orders", "http.response.status_code": 202},
    )
    put = StoredSpan(
        trace_id,
        "2" * 16,
        post.span_id,
        "DynamoDB.PutItem",
        "CLIENT",
        "order-receiver",
        start + 1_001_000_000,
        start + 1_005_000_000,
        attributes={"rpc.service": "DynamoDB", "rpc.method": "PutItem", "order.id": order_id},
    )
    return [post, put]


def test_the_command_prices_the_orders_in_a_span_store_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Given a span store with two choreography orders, placed long ago
    path = tmp_path / "spans.sqlite"
    store = SpanStore(path)
    store.add([*_order_spans("o-1", "a" * 32), *_order_spans("o-2", "b" * 32)])
    store.close()
    # When `pizza cost` reads it, as JSON
    code = pizza(["cost", "--orders", "1000", "--workflow", "choreography", "--from-spans", str(path), "--json"])
    # Then each order made one API request and one write, and the total is the sum of the lines
    assert code == 0
    bill = json.loads(capsys.readouterr().out)
    assert bill["sampled_orders"] == 2
    units = {(line["item"], line["detail"]): line["units_per_order"] for line in bill["lines"]}
    assert units["Lambda requests", "order-api"] == 1
    assert units["DynamoDB on-demand writes", "DynamoDB.PutItem"] == 1
    assert bill["total"] == pytest.approx(sum(line["cost"] for line in bill["lines"]))


def test_orders_placed_before_a_burst_are_found_past_the_burst_s_young_orders(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given an order placed a minute ago, then a burst of 30 placed 5 s ago (younger than the
    # 30 s an order's spans are given to arrive, and more than the search's limit of 5 per order sampled)
    now = time.time_ns()
    path = tmp_path / "spans.sqlite"
    store = SpanStore(path)
    store.add(_order_spans("o-before", "f" * 32, placed_at_ns=now - 60_000_000_000))
    for n in range(30):
        store.add(_order_spans(f"o-burst-{n}", f"{n:032x}", placed_at_ns=now - 5_000_000_000))
    store.close()

    # When `pizza cost` samples one choreography order
    code = pizza(["cost", "--workflow", "choreography", "--sample", "1", "--from-spans", str(path), "--json"])

    # Then it counts the order placed before the burst, instead of finding none
    assert code == 0
    assert json.loads(capsys.readouterr().out)["sampled_orders"] == 1


def test_the_command_fails_in_one_line_without_orders(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Given an empty span store, and a path with none
    empty = tmp_path / "empty.sqlite"
    SpanStore(empty).close()
    # When `pizza cost` reads them / Then one line each, exit 1
    assert pizza(["cost", "--from-spans", str(empty)]) == 1
    assert pizza(["cost", "--from-spans", str(tmp_path / "missing.sqlite")]) == 1
    errors = capsys.readouterr().err.splitlines()
    assert len(errors) == 2
    assert errors[0].startswith("pizza: no spans of placed saga orders")
    assert errors[1].startswith("pizza: no span store at")


def test_the_command_fails_in_one_line_without_a_stack(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Given a state directory where nothing was deployed / When `pizza cost` runs
    code = pizza(["--state-dir", str(tmp_path), "cost"])
    # Then one line, exit 1
    assert code == 1
    assert capsys.readouterr().err.count("\n") == 1
