"""`pizza catalog --check`'s comparison: declared consumers of each event type against the consumers
telemetry saw, version by version, and versions consumed past their deprecation date."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime

from pydantic import BaseModel

from integration_patterns.cloudevents_envelope import EventType
from pizza_ops.catalog.check import Difference, check_catalog, render_check
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
        # A versioned type is matched exactly; an unversioned name matches each of its versions.
        matching = [t for t in self._by_type if t == event_type or t.rsplit(".", 1)[0] == event_type]
        by_service: dict[str, list[tuple[str, datetime]]] = {}
        for matched in matching:
            for service, last_seen in self._by_type[matched]:
                by_service.setdefault(service, []).append((matched, last_seen))
        return [
            EventConsumer(
                service,
                ("some-queue",),
                tuple(sorted(t for t, _ in seen)),
                len(seen),
                int(max(at for _, at in seen).timestamp() * 1e9),
            )
            for service, seen in sorted(by_service.items())
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
    check = check_catalog(DECLARED, _published(), telemetry)
    # Then there is none, every published version was asked for exactly, and each type as a whole
    assert check.differences == []
    assert sorted(telemetry.asked) == sorted([f"{CONFIRMED}.v1", f"{CONFIRMED}.v2", f"{PLACED}.v1", CONFIRMED, PLACED])
    # And the report shows who consumed which versions
    report = render_check(check)
    assert "no difference" in report
    assert "delivery (v2), loyalty (v1, v2)" in report


def test_a_declared_consumer_never_seen_is_a_difference() -> None:
    # Given telemetry without the delivery service consuming order.confirmed
    telemetry = _seen({f"{CONFIRMED}.v2": [("loyalty", NOW)], f"{PLACED}.v1": [("kitchen-processor", NOW)]})
    # When the catalog is checked
    differences = check_catalog(DECLARED, _published(), telemetry).differences
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
    check = check_catalog(DECLARED, _published(), telemetry)
    # Then analytics is named with what it consumed
    assert check.differences == [
        Difference("consumed, not declared", CONFIRMED, "analytics", f"seen consuming {CONFIRMED}.v2")
    ]
    assert f"consumed, not declared: {CONFIRMED} by analytics" in render_check(check)


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
    differences = check_catalog(DECLARED, _published(deprecated_v1_on=date(2026, 12, 1)), telemetry).differences
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
    differences = check_catalog(DECLARED, _published(deprecated_v1_on=date(2026, 12, 5)), telemetry).differences
    # Then nothing is reported
    assert differences == []


def test_a_version_no_producer_publishes_is_listed_but_is_no_difference() -> None:
    # Given telemetry in which loyalty received a poison pill typed order.confirmed v9 (and dead-lettered it)
    telemetry = _seen(
        {
            f"{CONFIRMED}.v2": [("delivery", NOW), ("loyalty", NOW)],
            f"{CONFIRMED}.v9": [("loyalty", NOW)],
            f"{PLACED}.v1": [("kitchen-processor", NOW)],
        }
    )
    # When the catalog is checked
    check = check_catalog(DECLARED, _published(), telemetry)
    # Then it is no difference, but the report names it
    assert check.differences == []
    assert check.unpublished == {CONFIRMED: {f"{CONFIRMED}.v9": ["loyalty"]}}
    assert f"also seen, published by no producer: {CONFIRMED}.v9 by loyalty" in render_check(check)
