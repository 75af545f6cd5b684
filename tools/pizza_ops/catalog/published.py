"""What the system publishes, from the code: each producing service package's ``published_events``
module (its event types and versions, each with the pydantic model of its ``data``), and the
deprecation dates the published language sets. Checked against what the declaration's channels
carry, both ways, so the catalog cannot list a type no channel carries or a channel a type no
producer publishes."""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from pydantic import BaseModel

from integration_patterns.cloudevents_envelope import EventType
from pizza_ops.system import SystemDeclaration
from pizza_ops.system.event_channels import event_channels

# The module a service package names its published events in, and what it exports.
PUBLISHED_EVENTS_MODULE = "published_events"
PUBLISHED_EVENTS = "PUBLISHED_EVENTS"


class CatalogMismatch(ValueError):
    """The code and the declaration disagree about what is published: one line per problem."""


@dataclass(frozen=True)
class PublishedVersion:
    event_type: EventType
    data_model: type[BaseModel]
    package: str  # the service package that publishes it
    deprecated_on: date | None = None


def published_versions(
    system: SystemDeclaration, deprecations: Mapping[EventType, date]
) -> dict[str, tuple[PublishedVersion, ...]]:
    """Every published version by unversioned type name, oldest first; a CatalogMismatch when the
    code and the declaration disagree."""
    found = _from_packages(system.packages())
    problems = _mismatches(system, found, deprecations)
    if problems:
        raise CatalogMismatch("\n".join(problems))
    by_name: dict[str, list[PublishedVersion]] = {}
    for version in found:
        dated = PublishedVersion(
            version.event_type, version.data_model, version.package, deprecations.get(version.event_type)
        )
        by_name.setdefault(version.event_type.name, []).append(dated)
    return {
        name: tuple(sorted(versions, key=lambda v: v.event_type.version)) for name, versions in sorted(by_name.items())
    }


def _from_packages(packages: Iterable[str]) -> list[PublishedVersion]:
    found: list[PublishedVersion] = []
    for package in packages:
        module_name = f"{package}.{PUBLISHED_EVENTS_MODULE}"
        if importlib.util.find_spec(module_name) is None:
            continue
        registry: Mapping[EventType, type[BaseModel]] = getattr(importlib.import_module(module_name), PUBLISHED_EVENTS)
        found.extend(PublishedVersion(event_type, model, package) for event_type, model in registry.items())
    return found


def _mismatches(
    system: SystemDeclaration, found: list[PublishedVersion], deprecations: Mapping[EventType, date]
) -> list[str]:
    carried = {event_type for channel in event_channels(system) for event_type in channel.event_types}
    published = {version.event_type.name for version in found}
    problems = [
        f"{name}: published by the code ({_packages(found, name)}) but carried by no channel of the declaration"
        for name in sorted(published - carried)
    ]
    problems += [
        f"{name}: carried by a channel of the declaration but published by no code"
        for name in sorted(carried - published)
    ]
    seen: dict[EventType, str] = {}
    for version in found:
        if version.event_type in seen:
            problems.append(f"{version.event_type}: published by both {seen[version.event_type]} and {version.package}")
        seen[version.event_type] = version.package
    problems += [
        f"{event_type}: has a deprecation date but is not published"
        for event_type in deprecations
        if event_type not in seen
    ]
    return problems


def _packages(found: list[PublishedVersion], name: str) -> str:
    return ", ".join(sorted({version.package for version in found if version.event_type.name == name}))
