"""Which services consume an event type, from their CONSUMER spans."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from pizza_ops.cli import main as pizza_cli
from pizza_ops.telemetry import EventConsumer, JaegerQueryClient, OtlpReceiver, StoredSpan, consumers_of

AddSpan = Callable[..., StoredSpan]  # the add_span fixture

CONFIRMED_V2 = "com.pizza.order.confirmed.v2"


def _consumer_span(
    add_span: AddSpan, trace_number: int, service: str, event_type: str, queue: str, start_ms: int
) -> StoredSpan:
    trace_id = format(trace_number, "032x")
    root = add_span(
        trace_id,
        format(trace_number, "016x"),
        service,
        name=f"process {queue}",
        kind="CONSUMER",
        start_ms=start_ms,
        attributes={"cloudevents.event_type": event_type, "messaging.destination.name": queue, "order.id": "o-1"},
    )
    # The consumer's own work: a child span in the same trace, which is not a CONSUMER span
    add_span(trace_id, format(trace_number + 0x100, "016x"), service, kind="CLIENT", parent=root, start_ms=start_ms + 1)
    return root


@pytest.fixture
def confirmed_traffic(add_span: AddSpan) -> dict[str, StoredSpan]:
    """Two consumers of order.confirmed v2, its producer, and a consumer of another type."""
    add_span(
        "f" * 32,
        "f" * 16,
        "acknowledgement-processor",
        name="publish order.confirmed",
        kind="PRODUCER",
        attributes={"cloudevents.event_type": CONFIRMED_V2, "messaging.destination.name": "pizza-order-events"},
    )
    return {
        "loyalty-first": _consumer_span(add_span, 1, "loyalty", CONFIRMED_V2, "pizza-loyalty-confirmed", 10),
        "loyalty-retry": _consumer_span(add_span, 2, "loyalty", CONFIRMED_V2, "pizza-loyalty-confirmed", 90),
        "notifications": _consumer_span(add_span, 3, "notifications", CONFIRMED_V2, "pizza-notify-confirmed", 40),
        "analytics": _consumer_span(add_span, 4, "analytics", "com.pizza.order.cancelled.v1", "pizza-analytics", 50),
    }


def test_consumers_of_a_type_are_the_services_with_consumer_spans_of_it(
    receiver: OtlpReceiver, confirmed_traffic: dict[str, StoredSpan]
) -> None:
    # Given two services consuming order.confirmed v2, one producing it, one consuming another type

    # When the consumers of the type are listed through the Jaeger query API
    with JaegerQueryClient(receiver.endpoint) as client:
        consumers = consumers_of(client, CONFIRMED_V2)

    # Then the two consuming services are listed with their queue, span count and last sighting
    assert consumers == [
        EventConsumer(
            service_name="loyalty",
            destinations=("pizza-loyalty-confirmed",),
            event_types=(CONFIRMED_V2,),
            span_count=2,
            last_seen_unix_nano=confirmed_traffic["loyalty-retry"].start_unix_nano,
        ),
        EventConsumer(
            service_name="notifications",
            destinations=("pizza-notify-confirmed",),
            event_types=(CONFIRMED_V2,),
            span_count=1,
            last_seen_unix_nano=confirmed_traffic["notifications"].start_unix_nano,
        ),
    ]


def test_an_unversioned_type_matches_every_version_and_a_versioned_one_only_itself(
    receiver: OtlpReceiver, add_span: AddSpan
) -> None:
    # Given consumers of v1, v2 and v10 of a type, and of a type that merely starts with the same letters
    _consumer_span(add_span, 1, "delivery", "com.pizza.order.confirmed.v1", "pizza-delivery", 0)
    _consumer_span(add_span, 2, "loyalty", CONFIRMED_V2, "pizza-loyalty", 10)
    _consumer_span(add_span, 3, "analytics", "com.pizza.order.confirmed.v10", "pizza-analytics", 20)
    _consumer_span(add_span, 4, "kitchen-alerts", "com.pizza.order.confirmedish.v1", "pizza-alerts", 30)

    # When consumers are listed by the unversioned prefix and by exact versions
    with JaegerQueryClient(receiver.endpoint) as client:
        by_prefix = consumers_of(client, "com.pizza.order.confirmed")
        v1 = consumers_of(client, "com.pizza.order.confirmed.v1")

    # Then the prefix matches every version at a dot boundary, and a version matches only itself
    assert [(c.service_name, c.event_types) for c in by_prefix] == [
        ("analytics", ("com.pizza.order.confirmed.v10",)),
        ("delivery", ("com.pizza.order.confirmed.v1",)),
        ("loyalty", (CONFIRMED_V2,)),
    ]
    assert [c.service_name for c in v1] == ["delivery"]


@pytest.mark.usefixtures("confirmed_traffic")
def test_the_consumers_command_prints_one_row_per_consuming_service(
    receiver: OtlpReceiver, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given order.confirmed v2 traffic

    # When the user lists its consumers
    exit_code = pizza_cli(["consumers", CONFIRMED_V2, "--query-url", receiver.endpoint])

    # Then a header and one row per consumer: service, queue, spans, last seen (UTC)
    assert exit_code == 0
    assert [line.split() for line in capsys.readouterr().out.splitlines()] == [
        ["SERVICE", "QUEUES", "SPANS", "LAST", "SEEN", "(UTC)"],
        ["loyalty", "pizza-loyalty-confirmed", "2", "2023-11-14", "22:13:20"],
        ["notifications", "pizza-notify-confirmed", "1", "2023-11-14", "22:13:20"],
    ]


@pytest.mark.usefixtures("confirmed_traffic")
def test_the_consumers_command_fails_when_nobody_consumed_the_type(
    receiver: OtlpReceiver, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given traffic in which nobody consumes order.delivered
    # When the user lists its consumers
    exit_code = pizza_cli(["consumers", "com.pizza.order.delivered", "--query-url", receiver.endpoint])

    # Then the command fails, saying so
    assert exit_code == 1
    assert "no CONSUMER spans of com.pizza.order.delivered" in capsys.readouterr().err
