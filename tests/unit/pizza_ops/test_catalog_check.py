"""`pizza catalog --check`'s comparison: declared consumers of each event type against the consumers
telemetry saw, version by version, and versions consumed past their deprecation date."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime

from pydantic import BaseModel

from integration_patterns.cloudevents_envelope import EventType
from pizza_ops.catalog.check import Difference, catalog_differences, render_differences
from pizza_ops.catalog.published import PublishedVersion
from pizza_ops.telemetry import EventConsumer

CONFIRMED = "com.pizza.order.confirmed"
PLACED = "com.pizza.order.placed"


class _Data(BaseModel):
    order_id: str


def _published(deprecated_v1_on: date | None = None) -> dict[str, tuple[PublishedVersion, ...]]:
    return {
        CONFIRMED: (
            PublishedVersion(EventType(CONFIRMED, 1), _Data, "order_service", deprecated_v1_on),
            PublishedVersion(EventType(CONFIRMED, 2), _Data, "order_service"),
        ),
        PLACED: (PublishedVersion(EventType(PLACED, 1), _Data, "order_service"),),
    }


DECLARED = {CONFIRMED: ("delivery", "loyalty"), PLACED: ("kitchen-processor",)}


def _seen(by_type: dict[str, list[tuple[str, datetime]]]) -> _Telemetry:
    return _Telemetry(by_type)


class _Telemetry:
    """Consumers as `pizza consumers` would report them, per exact versioned type."""

    def __init__(self, by_type: dict[str, list[tuple[str, datetime]]]) -> None:
        self._by_type = by_type
        self.asked: list[str] = []

    def __call__(self, event_type: str) -> Sequence[EventConsumer]:
        self.asked.append(event_type)
        return [
            EventConsumer(service, ("some-queue",), (event_type,), 1, int(last_seen.timestamp() * 1e9))
            for service, last_seen in self._by_type.get(event_type, [])
        ]


NOW = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)


def test_no_difference_when_every_declared_consumer_was_seen_and_no_other() -> None:
    # Given telemetry in which each declared consumer consumed some version of its types
    telemetry = _seen(
        {
            f"{CONFIRMED}.v2": [("delivery", NOW), ("loyalty", NOW)],
            f"{CONFIRMED}.v1": [("loyalty", NOW)],
            f"{PLACED}.v1": [("kitchen-processor", NOW)],
        }
    )
    # When the catalog is checked
    differences = catalog_differences(DECLARED, _published(), telemetry)
    # Then there is none, and every published version was asked for exactly
    assert differences == []
    assert sorted(telemetry.asked) == [f"{CONFIRMED}.v1", f"{CONFIRMED}.v2", f"{PLACED}.v1"]
    assert "no difference" in render_differences(differences, _published())


def test_a_declared_consumer_never_seen_is_a_difference() -> None:
    # Given telemetry without the delivery service consuming order.confirmed
    telemetry = _seen({f"{CONFIRMED}.v2": [("loyalty", NOW)], f"{PLACED}.v1": [("kitchen-processor", NOW)]})
    # When the catalog is checked
    differences = catalog_differences(DECLARED, _published(), telemetry)
    # Then the delivery service is named as declared but never consuming
    assert differences == [Difference("declared, never consumed", CONFIRMED, "delivery")]


def test_a_consumer_seen_but_not_declared_is_a_difference() -> None:
    # Given telemetry in which analytics consumed order.confirmed v2, which the declaration does not route to it
    telemetry = _seen(
        {
            f"{CONFIRMED}.v2": [("delivery", NOW), ("loyalty", NOW), ("analytics", NOW)],
            f"{PLACED}.v1": [("kitchen-processor", NOW)],
        }
    )
    # When the catalog is checked
    differences = catalog_differences(DECLARED, _published(), telemetry)
    # Then analytics is named with what it consumed
    assert differences == [
        Difference("consumed, not declared", CONFIRMED, "analytics", f"seen consuming {CONFIRMED}.v2")
    ]
    assert f"consumed, not declared: {CONFIRMED} by analytics" in render_differences(differences, _published())


def test_a_version_consumed_after_its_deprecation_date_is_a_difference() -> None:
    # Given order.confirmed v1 deprecated on 2026-12-01, and loyalty consuming it on 2026-12-05
    telemetry = _seen(
        {
            f"{CONFIRMED}.v1": [("loyalty", NOW)],
            f"{CONFIRMED}.v2": [("delivery", NOW)],
            f"{PLACED}.v1": [("kitchen-processor", NOW)],
        }
    )
    # When the catalog is checked
    differences = catalog_differences(DECLARED, _published(deprecated_v1_on=date(2026, 12, 1)), telemetry)
    # Then loyalty's consumption of v1 is named with both dates
    assert differences == [
        Difference(
            "consumed past deprecation",
            f"{CONFIRMED}.v1",
            "loyalty",
            "deprecated on 2026-12-01, last consumed 2026-12-05",
        )
    ]


def test_a_version_consumed_on_or_before_its_deprecation_date_is_no_difference() -> None:
    # Given order.confirmed v1 deprecated on the very day loyalty last consumed it
    telemetry = _seen(
        {
            f"{CONFIRMED}.v1": [("loyalty", NOW)],
            f"{CONFIRMED}.v2": [("delivery", NOW)],
            f"{PLACED}.v1": [("kitchen-processor", NOW)],
        }
    )
    # When the catalog is checked
    differences = catalog_differences(DECLARED, _published(deprecated_v1_on=date(2026, 12, 5)), telemetry)
    # Then nothing is reported
    assert differences == []
