"""The catalog against telemetry: who the declaration says consumes each event type, and who the
consumers' CONSUMER spans say did (`pizza consumers`, version by version).

Three kinds of difference, each a line of the report:
- declared, never consumed: a declared consumer with no span of any version of the type in the window;
- consumed, not declared: a service seen consuming a type the declaration does not route to it;
- consumed past deprecation: a version consumed after its deprecation date.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from pizza_ops.catalog.published import PublishedVersion
from pizza_ops.telemetry import EventConsumer

DifferenceKind = Literal["declared, never consumed", "consumed, not declared", "consumed past deprecation"]

# The consumers seen of one exact, versioned event type (pizza_ops.telemetry.consumers_of, bound to
# a query API, a look-back and a limit).
SeenConsumers = Callable[[str], Sequence[EventConsumer]]


@dataclass(frozen=True)
class Difference:
    kind: DifferenceKind
    event_type: str  # unversioned for the first two kinds, versioned for a deprecation
    service: str
    detail: str = ""

    def describe(self) -> str:
        return f"{self.kind}: {self.event_type} by {self.service}" + (f" ({self.detail})" if self.detail else "")


def catalog_differences(
    declared: Mapping[str, Sequence[str]],
    published: Mapping[str, Sequence[PublishedVersion]],
    seen_consumers: SeenConsumers,
) -> list[Difference]:
    """Every difference between the declared consumers of each published type and telemetry."""
    differences: list[Difference] = []
    for name, versions in published.items():
        seen: dict[str, list[str]] = {}
        for version in versions:
            for consumer in seen_consumers(str(version.event_type)):
                seen.setdefault(consumer.service_name, []).append(str(version.event_type))
                differences.extend(_past_deprecation(version, consumer))
        expected = set(declared.get(name, ()))
        differences += [
            Difference("declared, never consumed", name, service) for service in sorted(expected - set(seen))
        ]
        differences += [
            Difference("consumed, not declared", name, service, "seen consuming " + ", ".join(sorted(seen[service])))
            for service in sorted(set(seen) - expected)
        ]
    return differences


def _past_deprecation(version: PublishedVersion, consumer: EventConsumer) -> list[Difference]:
    if version.deprecated_on is None:
        return []
    last_seen = datetime.fromtimestamp(consumer.last_seen_unix_nano / 1e9, UTC).date()
    if last_seen <= version.deprecated_on:
        return []
    detail = f"deprecated on {version.deprecated_on.isoformat()}, last consumed {last_seen.isoformat()}"
    return [Difference("consumed past deprecation", str(version.event_type), consumer.service_name, detail)]


def render_differences(differences: Sequence[Difference], checked: Mapping[str, Sequence[PublishedVersion]]) -> str:
    versions = sum(len(v) for v in checked.values())
    if not differences:
        return f"catalog matches telemetry: {len(checked)} event types, {versions} versions, no difference"
    lines = [f"{len(differences)} difference(s) between the catalog and telemetry:"]
    lines += [f"  {difference.describe()}" for difference in differences]
    return "\n".join(lines)
