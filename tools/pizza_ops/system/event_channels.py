"""Where each event type travels, read off the declaration: the channels (queues, topics, event
rules, schedule groups), which functions publish into each, where each delivers, and which
functions consume from it.

A function publishes into a channel when it holds the permission to (send on a queue, publish on a
topic or bus, create schedules in a group): the permissions are what the deployment grants, so the
picture cannot claim a publisher that could not publish. A queue carries what functions send to it
(its ``carries``) and whatever the topics, rules and schedule groups delivering to it carry.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Literal

from pizza_ops.system.declaration import SystemDeclaration

ChannelKind = Literal["queue", "topic", "rule", "schedule_group"]

# The permission (kind, access) that publishes into a channel of each kind; a rule is published
# into through its bus.
_PUBLISHING = {
    "queue": ("queue", "send"),
    "topic": ("topic", "publish"),
    "schedule_group": ("schedule_group", "create"),
}


@dataclass(frozen=True)
class Channel:
    """One place events travel through. Names are logical (the declaration's)."""

    kind: ChannelKind
    name: str
    event_types: tuple[str, ...]  # unversioned type names, sorted
    publishers: tuple[str, ...]  # functions that put events in, sorted
    delivers_to: tuple[str, ...] = ()  # queues a topic, rule or schedule group hands its events to
    consumers: tuple[str, ...] = ()  # functions a queue triggers
    bus: str | None = None  # a rule's event bus

    @property
    def key(self) -> str:
        """Unique across kinds: a topic and a queue may share a logical name."""
        return f"{self.kind}:{self.name}"


def event_channels(system: SystemDeclaration) -> list[Channel]:
    """Every channel that carries at least one event type: delivering channels first, then queues."""
    delivering = [*_topics(system), *_rules(system), *_schedule_groups(system)]
    fed: dict[str, set[str]] = defaultdict(set)
    for channel in delivering:
        for queue in channel.delivers_to:
            fed[queue].update(channel.event_types)
    consumers: dict[str, set[str]] = defaultdict(set)
    for trigger in system.triggers:
        consumers[trigger.queue].add(trigger.function)
    queues = [
        Channel(
            kind="queue",
            name=name,
            event_types=tuple(sorted(set(queue.carries) | fed[name])),
            publishers=_publishers(system, "queue", name),
            consumers=tuple(sorted(consumers[name])),
        )
        for name, queue in system.queues.items()
        if queue.carries or fed[name]
    ]
    return [*delivering, *queues]


def declared_consumers(system: SystemDeclaration) -> dict[str, tuple[str, ...]]:
    """Each event type carried anywhere, with the services (functions' service names) that consume it."""
    services: dict[str, set[str]] = defaultdict(set)
    for channel in event_channels(system):
        for event_type in channel.event_types:
            services[event_type].update(system.functions[f].service_name for f in channel.consumers)
    return {event_type: tuple(sorted(names)) for event_type, names in sorted(services.items())}


def _topics(system: SystemDeclaration) -> list[Channel]:
    return [
        Channel(
            kind="topic",
            name=name,
            event_types=tuple(sorted(topic.carries)),
            publishers=_publishers(system, "topic", name),
            delivers_to=tuple(topic.subscribers),
        )
        for name, topic in system.topics.items()
    ]


def _rules(system: SystemDeclaration) -> list[Channel]:
    channels = []
    for bus_name, bus in system.event_buses.items():
        publishers = _granted(system, "bus", bus_name, "publish")
        for rule_name, rule in bus.rules.items():
            matched = tuple(sorted(t for t in bus.carries if rule.routes(t)))
            channels.append(Channel("rule", rule_name, matched, publishers, delivers_to=(rule.queue,), bus=bus_name))
    return channels


def _schedule_groups(system: SystemDeclaration) -> list[Channel]:
    return [
        Channel(
            kind="schedule_group",
            name=name,
            event_types=tuple(sorted(group.carries)),
            publishers=_publishers(system, "schedule_group", name),
            delivers_to=(group.target_queue,),
        )
        for name, group in system.schedule_groups.items()
    ]


def _publishers(system: SystemDeclaration, kind: str, name: str) -> tuple[str, ...]:
    permission_kind, access = _PUBLISHING[kind]
    return _granted(system, permission_kind, name, access)


def _granted(system: SystemDeclaration, kind: str, name: str, access: str) -> tuple[str, ...]:
    return tuple(
        sorted(
            function_name
            for function_name, function in system.functions.items()
            if any((p.kind, p.name, p.access) == (kind, name, access) for p in function.permissions)
        )
    )
