"""An order's traces: its own and, joined by span links, each publish/subscribe consumer's."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from pizza_ops.cli import main as pizza_cli
from pizza_ops.telemetry import JaegerQueryClient, OtlpReceiver, StoredSpan, traces_of_order

AddSpan = Callable[..., StoredSpan]  # the add_span fixture

PUBLISHER = "1" * 32
LOYALTY = "2" * 32
NOTIFICATIONS = "3" * 32
OTHER_PUBLISHER = "4" * 32
OTHER_CONSUMER = "5" * 32
CONFIRMED = "com.pizza.order.confirmed.v2"


def _publish(add_span: AddSpan, trace_id: str, order_id: str, start_ms: int, tag_order: bool = True) -> StoredSpan:
    order = {"order.id": order_id} if tag_order else {}
    acknowledged = add_span(
        trace_id,
        trace_id[:15] + "a",
        "acknowledgement-processor",
        name="process pizza-order-acknowledgements",
        kind="CONSUMER",
        start_ms=start_ms,
        attributes=order,
    )
    return add_span(
        trace_id,
        trace_id[:15] + "b",
        "acknowledgement-processor",
        name="publish order.confirmed",
        kind="PRODUCER",
        parent=acknowledged,
        start_ms=start_ms + 1,
        attributes={**order, "cloudevents.event_type": CONFIRMED},
    )


def _consume(
    add_span: AddSpan, trace_id: str, service: str, order_id: str, start_ms: int, publisher: StoredSpan
) -> StoredSpan:
    return add_span(
        trace_id,
        trace_id[:15] + "c",
        service,
        name=f"process pizza-{service}-order-confirmed",
        kind="CONSUMER",
        start_ms=start_ms,
        attributes={"order.id": order_id, "cloudevents.event_type": CONFIRMED},
        links=(publisher,),
    )


@pytest.fixture
def two_orders(add_span: AddSpan) -> None:
    """Order o-1 published and consumed by loyalty and notifications; order o-2 by delivery."""
    # Stored out of order: the result's order must come from the spans' start times
    publisher = _publish(add_span, PUBLISHER, "o-1", start_ms=0)
    _consume(add_span, NOTIFICATIONS, "notifications", "o-1", start_ms=50, publisher=publisher)
    _consume(add_span, LOYALTY, "loyalty", "o-1", start_ms=30, publisher=publisher)
    other = _publish(add_span, OTHER_PUBLISHER, "o-2", start_ms=10)
    _consume(add_span, OTHER_CONSUMER, "delivery", "o-2", start_ms=40, publisher=other)


@pytest.mark.usefixtures("two_orders")
def test_an_orders_traces_are_the_publishers_then_each_linked_consumer_trace(receiver: OtlpReceiver) -> None:
    # Given order o-1's publisher trace, two consumer traces linking to it, and another order's traces

    # When the order's traces are gathered through the Jaeger query API
    with JaegerQueryClient(receiver.endpoint) as client:
        traces = traces_of_order(client, "o-1")

    # Then they are the publisher's trace and both consumers', by start time, and nothing of o-2
    assert [trace.trace_id for trace in traces] == [PUBLISHER, LOYALTY, NOTIFICATIONS]
    assert [len(trace.spans) for trace in traces] == [2, 1, 1]
    assert {(link.trace_id, link.span_id) for trace in traces[1:] for link in trace.spans[0].links} == {
        (PUBLISHER, traces[0].spans[1].span_id)
    }


def test_a_publisher_trace_without_the_order_tag_is_reached_through_a_consumers_link(
    receiver: OtlpReceiver, add_span: AddSpan
) -> None:
    # Given a publisher whose spans do not name the order, and a consumer of it that does
    publisher = _publish(add_span, PUBLISHER, "o-1", start_ms=0, tag_order=False)
    _consume(add_span, LOYALTY, "loyalty", "o-1", start_ms=30, publisher=publisher)
    # ... and a batch span, not about any one order, linking to another order's publisher
    other = _publish(add_span, OTHER_PUBLISHER, "o-2", start_ms=10)
    add_span(LOYALTY, "b" * 16, "loyalty", name="batch", start_ms=29, links=(other,))

    # When the order's traces are gathered
    with JaegerQueryClient(receiver.endpoint) as client:
        traces = traces_of_order(client, "o-1")

    # Then the publisher's trace is followed from the order's consumer span, the batch's link is not
    assert [trace.trace_id for trace in traces] == [PUBLISHER, LOYALTY]


@pytest.mark.usefixtures("two_orders")
def test_the_trace_command_prints_the_publisher_trace_then_the_consumer_traces_with_their_links(
    receiver: OtlpReceiver, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given order o-1's publisher and consumer traces, and another order's

    # When the user asks for the order's trace
    exit_code = pizza_cli(["trace", "o-1", "--query-url", receiver.endpoint])

    # Then the three traces are printed by start time, each joined to the publisher by link lines
    out = capsys.readouterr().out
    assert exit_code == 0
    headers = [line.split()[1] for line in out.splitlines() if line.startswith("trace ")]
    assert headers == [PUBLISHER, LOYALTY, NOTIFICATIONS]
    publisher_span = PUBLISHER[:15] + "b"
    assert f"↳ linked from trace {LOYALTY}" in out
    assert f"↳ linked from trace {NOTIFICATIONS}" in out
    assert out.count(f"↳ links to trace {PUBLISHER} span {publisher_span}") == 2
    assert OTHER_PUBLISHER not in out and OTHER_CONSUMER not in out


def test_the_trace_command_says_so_when_no_trace_has_the_order(
    receiver: OtlpReceiver, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given an empty receiver
    # When the user asks for an order's trace
    exit_code = pizza_cli(["trace", "o-404", "--query-url", receiver.endpoint])

    # Then the command fails, saying why
    assert exit_code == 1
    assert "no trace found for order o-404" in capsys.readouterr().err
