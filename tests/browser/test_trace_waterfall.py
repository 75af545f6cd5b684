"""The trace waterfall, drawn from hand-made traces: layout, depth, colours and span links.

The stack-backed test (test_live_order_page.py) shows a real order's traces; here the traces are
known exactly, so positions and connectors can be checked to the pixel's proportion.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from pizza_ops.live_page import PageConfig
from pizza_ops.telemetry import OtlpReceiver, SpanLink, SpanStore, StoredSpan

BASE_UNIX_NANO = 1_700_000_000_000_000_000
ORDER_TRACE, LOYALTY_TRACE, ANALYTICS_TRACE, OTHER_TRACE = ("1" * 32, "2" * 32, "3" * 32, "4" * 32)
PUBLISH_SPAN = "b" * 16


def _span(
    trace_id: str,
    span_id: str,
    service: str,
    name: str,
    *,
    start_ms: int,
    duration_ms: int,
    parent: str | None = None,
    order_id: str | None = "o-1",
    links: tuple[SpanLink, ...] = (),
) -> StoredSpan:
    return StoredSpan(
        trace_id=trace_id,
        span_id=span_id,
        parent_span_id=parent,
        name=name,
        kind="INTERNAL",
        service_name=service,
        start_unix_nano=BASE_UNIX_NANO + start_ms * 1_000_000,
        end_unix_nano=BASE_UNIX_NANO + (start_ms + duration_ms) * 1_000_000,
        attributes={"order.id": order_id} if order_id else {},
        links=links,
    )


@pytest.fixture
def receiver() -> Iterator[OtlpReceiver]:
    # Given an order whose API trace publishes an event that two subscribers consume in their own
    # traces, each linking to the publish span; and another order's trace, which must not show
    link = (SpanLink(ORDER_TRACE, PUBLISH_SPAN),)
    store = SpanStore(":memory:")
    store.add(
        [
            _span(ORDER_TRACE, "a" * 16, "order-api", "POST /orders", start_ms=0, duration_ms=40),
            _span(ORDER_TRACE, PUBLISH_SPAN, "order-api", "order-events publish", start_ms=10, duration_ms=8,
                  parent="a" * 16, order_id=None),
            _span(LOYALTY_TRACE, "c" * 16, "loyalty", "order-events process", start_ms=60, duration_ms=20, links=link),
            _span(LOYALTY_TRACE, "d" * 16, "loyalty", "PutItem", start_ms=65, duration_ms=10, parent="c" * 16,
                  order_id=None),
            _span(ANALYTICS_TRACE, "e" * 16, "analytics", "order-events process", start_ms=70, duration_ms=30,
                  links=link),
            _span(OTHER_TRACE, "f" * 16, "order-api", "POST /orders", start_ms=5, duration_ms=10, order_id="o-2"),
        ]
    )  # fmt: skip
    with OtlpReceiver(store) as started:
        started.page_config = PageConfig(api_url="http://127.0.0.1:9/not-needed-here")
        yield started
    store.close()


def _bar(page: Page, span_id: str) -> tuple[float, float]:
    bar = page.locator(f'[data-testid="span-row"][data-span-id="{span_id}"] rect.bar')
    return float(bar.get_attribute("x") or "nan"), float(bar.get_attribute("width") or "nan")


def test_the_waterfall_draws_each_trace_on_one_axis_with_links_to_the_subscribers(
    page: Page, receiver: OtlpReceiver
) -> None:
    # When the trace view is opened for the order
    page.goto(receiver.page_url + "#/trace/o-1")
    waterfall = page.get_by_test_id("waterfall")
    expect(waterfall).to_have_attribute("data-state", "shown")

    # Then each of its traces is a group, earliest first, the subscribers' marked as linked
    groups = page.get_by_test_id("trace-group")
    assert [groups.nth(i).get_attribute("data-trace-id") for i in range(groups.count())] == [
        ORDER_TRACE,
        LOYALTY_TRACE,
        ANALYTICS_TRACE,
    ]
    assert [groups.nth(i).get_attribute("data-linked") for i in range(3)] == ["false", "true", "true"]
    # And each span is a row, named with its service and duration, indented under its parent
    rows = page.get_by_test_id("span-row")
    shown = [
        (r.get_attribute("data-service"), r.get_attribute("data-name"), r.get_attribute("data-depth"))
        for r in rows.all()
    ]
    assert shown == [
        ("order-api", "POST /orders", "0"),
        ("order-api", "order-events publish", "1"),
        ("loyalty", "order-events process", "0"),
        ("loyalty", "PutItem", "1"),
        ("analytics", "order-events process", "0"),
    ]
    expect(rows.first).to_contain_text("POST /orders · order-api")
    expect(rows.first).to_contain_text("40.0 ms")
    # And the bars share one time axis: positions and widths in proportion to the times
    (api_x, api_width), (publish_x, _) = _bar(page, "a" * 16), _bar(page, PUBLISH_SPAN)
    (loyalty_x, loyalty_width), (analytics_x, analytics_width) = _bar(page, "c" * 16), _bar(page, "e" * 16)
    per_ms = api_width / 40
    assert publish_x - api_x == pytest.approx(10 * per_ms)
    assert loyalty_x - api_x == pytest.approx(60 * per_ms)
    assert analytics_x - api_x == pytest.approx(70 * per_ms)
    assert (loyalty_width, analytics_width) == (pytest.approx(20 * per_ms), pytest.approx(30 * per_ms))
    expect(page.get_by_test_id("tick").first).to_have_text("0 ms")
    # And each subscriber's link is drawn from the publish span to the span that links to it
    links = page.get_by_test_id("span-link")
    drawn = {(link.get_attribute("data-from-span"), link.get_attribute("data-to-span")) for link in links.all()}
    assert drawn == {(PUBLISH_SPAN, "c" * 16), (PUBLISH_SPAN, "e" * 16)}
    # And the legend gives each service its own colour, the one its bars have
    legend = page.get_by_test_id("legend-item")
    assert [item.get_attribute("data-service") for item in legend.all()] == ["analytics", "loyalty", "order-api"]
    colours = {
        service: page.locator(f'[data-testid="span-row"][data-service="{service}"] rect.bar').first.get_attribute(
            "fill"
        )
        for service in ("analytics", "loyalty", "order-api")
    }
    assert len(set(colours.values())) == 3


def test_an_order_without_traces_says_so(page: Page, receiver: OtlpReceiver) -> None:
    # When the trace view is opened for an order nothing has traced
    page.goto(receiver.page_url + "#/trace/o-unknown")

    # Then it says there are none, and draws nothing
    expect(page.get_by_test_id("waterfall")).to_have_attribute("data-state", "empty")
    expect(page.get_by_test_id("trace-status")).to_contain_text("No traces of order o-unknown")
    expect(page.get_by_test_id("span-row")).to_have_count(0)
