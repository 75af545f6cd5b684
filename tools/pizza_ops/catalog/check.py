"""The catalog against telemetry: who the declaration says consumes each event type, and who the
consumers' CONSUMER spans say did (`pizza consumers`, version by version).

Three kinds of difference, each a line of the report:
- declared, never consumed: a declared consumer with no span of any version of the type in the window;
- consumed, not declared: a service seen consuming a type the declaration does not route to it;
- consumed past deprecation: a version consumed after its deprecation date.

Versions that no producer publishes (a poison pill's ``.v9``) are listed beside, not as a
difference: the consumer received them and dead-lettered them, which is the contract working.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal

from pizza_ops.catalog.published import PublishedVersion
from pizza_ops.telemetry import EventConsumer

DifferenceKind = Literal["declared, never consumed", "consumed, not declared", "consumed past deprecation"]

# The consumers seen of an event type: exactly one version (`<name>.v2`), or every version of an
# unversioned name (pizza_ops.telemetry.consumers_of, bound to a query API, a look-back and a limit).
SeenConsumers = Callable[[str], Sequence[EventConsumer]]


@dataclass(frozen=True)
class Difference:
    kind: DifferenceKind
    event_type: str  # unversioned for the first two kinds, versioned for a deprecation
    service: str
    detail: str = ""

    def describe(self) -> str:
        return f"{self.kind}: {self.event_type} by {self.service}" + (f" ({self.detail})" if self.detail else "")


@dataclass
class CatalogCheck:
    """What the check saw and found."""

    declared: Mapping[str, Sequence[str]]
    # Per published type: each service seen consuming it, with the published versions it consumed.
    seen: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    # Per published type: versions seen consumed that no producer publishes, with who consumed them.
    unpublished: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    differences: list[Difference] = field(default_factory=list)


def check_catalog(
    declared: Mapping[str, Sequence[str]],
    published: Mapping[str, Sequence[PublishedVersion]],
    seen_consumers: SeenConsumers,
) -> CatalogCheck:
    """Every difference between the declared consumers of each published type and telemetry."""
    check = CatalogCheck(declared)
    for name, versions in published.items():
        seen = check.seen.setdefault(name, {})
        for version in versions:
            for consumer in seen_consumers(str(version.event_type)):
                seen.setdefault(consumer.service_name, []).append(str(version.event_type))
                check.differences.extend(_past_deprecation(version, consumer))
        expected = set(declared.get(name, ()))
        check.differences += [
            Difference("declared, never consumed", name, service) for service in sorted(expected - set(seen))
        ]
        check.differences += [
            Difference("consumed, not declared", name, service, "seen consuming " + ", ".join(sorted(seen[service])))
            for service in sorted(set(seen) - expected)
        ]
        known = {str(version.event_type) for version in versions}
        for consumer in seen_consumers(name):
            for event_type in sorted(set(consumer.event_types) - known):
                check.unpublished.setdefault(name, {}).setdefault(event_type, []).append(consumer.service_name)
    return check


def _past_deprecation(version: PublishedVersion, consumer: EventConsumer) -> list[Difference]:
    if version.deprecated_on is None:
        return []
    last_seen = datetime.fromtimestamp(consumer.last_seen_unix_nano / 1e9, UTC).date()
    if last_seen <= version.deprecated_on:
        return []
    detail = f"deprecated on {version.deprecated_on.isoformat()}, last consumed {last_seen.isoformat()}"
    return [Difference("consumed past deprecation", str(version.event_type), consumer.service_name, detail)]


def render_check(check: CatalogCheck) -> str:
    """A table of each type's declared and seen consumers, then the unpublished versions seen and
    the differences (or that there is none)."""
    header = ["EVENT TYPE", "DECLARED CONSUMERS", "SEEN CONSUMING (VERSIONS)"]
    rows = [
        [
            name,
            ", ".join(check.declared.get(name, ())) or "-",
            ", ".join(f"{service} ({_versions(types)})" for service, types in sorted(seen.items())) or "-",
        ]
        for name, seen in check.seen.items()
    ]
    widths = [max(len(row[column]) for row in [header, *rows]) for column in range(len(header))]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in [header, *rows]
    ]
    for by_type in check.unpublished.values():
        for event_type, services in by_type.items():
            lines.append(f"also seen, published by no producer: {event_type} by {', '.join(sorted(set(services)))}")
    if check.differences:
        lines.append(f"{len(check.differences)} difference(s) between the catalog and telemetry:")
        lines += [f"  {difference.describe()}" for difference in check.differences]
    else:
        lines.append(
            f"no difference: every declared consumer of the {len(check.seen)} event types consumed it, no other did"
        )
    return "\n".join(lines)


def _versions(event_types: Sequence[str]) -> str:
    return ", ".join(sorted({event_type.rsplit(".", 1)[-1] for event_type in event_types}))
