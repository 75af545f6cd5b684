"""The whole declaration, with every cross-reference checked when it is loaded."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import yaml
from pydantic import Field, model_validator

from pizza_ops.repository import Repository
from pizza_ops.system.functions import Function, HttpApi, LiteralValue, SqsTrigger, StreamTrigger, WebSocketApi
from pizza_ops.system.resources import Bucket, EventBus, EventRule, KmsKey, Queue, ScheduleGroup, Strict, Table, Topic

# How a problem message names the kind of resource a reference or permission points at.
_KIND_WORDS = {
    "queue_arn": "queue",
    "key": "KMS key",
    "bus": "event bus",
    "schedule_role": "schedule group",
    "function_alias": "durable function",
    "http_api": "HTTP API",
    "websocket_api": "WebSocket API",
    "websocket_api_management": "WebSocket API",
}


# What a function may do with an HMAC key (the others are a symmetric key's).
_HMAC_ACCESS = ("sign", "verify", "derive")


@dataclass(frozen=True)
class QueueSenders:
    """The topics and event rules that deliver to one queue, which its queue policy must allow."""

    topics: tuple[str, ...] = ()
    rules: tuple[str, ...] = ()


class SystemDeclaration(Strict):
    name_prefix: str
    tables: dict[str, Table]
    queues: dict[str, Queue]
    kms_keys: dict[str, KmsKey] = Field(default_factory=dict)
    topics: dict[str, Topic] = Field(default_factory=dict)
    event_buses: dict[str, EventBus] = Field(default_factory=dict)
    schedule_groups: dict[str, ScheduleGroup] = Field(default_factory=dict)
    buckets: dict[str, Bucket] = Field(default_factory=dict)
    functions: dict[str, Function]
    triggers: list[SqsTrigger]
    stream_triggers: list[StreamTrigger] = Field(default_factory=list)
    http_apis: dict[str, HttpApi]
    websocket_apis: dict[str, WebSocketApi] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _references_resolve(self) -> SystemDeclaration:
        problems = [
            *self._function_problems(),
            *self._wiring_problems(),
            *self._stream_problems(),
            *self._pubsub_problems(),
        ]
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def _known(self, kind: str) -> set[str]:
        """Logical names a reference of this kind may name."""
        queues = set(self.all_queue_names())
        return {
            "table": set(self.tables),
            "queue": queues,
            "queue_arn": queues,
            "key": set(self.kms_keys),
            "topic": set(self.topics),
            "bus": set(self.event_buses),
            "schedule_group": set(self.schedule_groups),
            "schedule_role": set(self.schedule_groups),
            "function": set(self.functions),
            "function_alias": {name for name, function in self.functions.items() if function.durable},
            "bucket": set(self.buckets),
            "http_api": set(self.http_apis),
            "websocket_api": set(self.websocket_apis),
            "websocket_api_management": set(self.websocket_apis),
        }[kind]

    def _function_problems(self) -> Iterator[str]:
        for fn_name, fn in self.functions.items():
            for key, ref in fn.environment.items():
                if not isinstance(ref, LiteralValue) and ref.target[1] not in self._known(ref.target[0]):
                    yield f"{fn_name}.{key}: unknown {_kind_word(ref.target[0])} {ref.target[1]!r}"
            for perm in fn.permissions:
                if perm.name not in self._known(perm.kind):
                    yield f"{fn_name}: permission on unknown {_kind_word(perm.kind)} {perm.name!r}"
                elif perm.kind == "function" and not self.functions[perm.name].durable:
                    # Only durable functions are started through an alias, or have executions.
                    yield f"{fn_name}: permission on {perm.name!r}, which is not a durable function"
                elif perm.access == "run_durable" and perm.name != fn_name:
                    yield f"{fn_name}: run_durable is a durable function's access to its own executions only"
                elif perm.access == "query_indexes" and not self.tables[perm.name].indexes:
                    yield f"{fn_name}: query_indexes on {perm.name!r}, a table without indexes"
                elif perm.kind == "key" and (perm.access in _HMAC_ACCESS) != (self.kms_keys[perm.name].usage == "hmac"):
                    usage = self.kms_keys[perm.name].usage
                    yield f"{fn_name}: access {perm.access!r} does not apply to {perm.name!r}, a key for {usage}"
            if fn.durable and not _grants(fn, "function", fn_name, "run_durable"):
                yield f"{fn_name}: a durable function needs {{function: {fn_name}, access: run_durable}}"

    def _wiring_problems(self) -> Iterator[str]:
        for trigger in self.triggers:
            if trigger.function not in self.functions:
                yield f"trigger: unknown function {trigger.function!r}"
            if trigger.queue not in self.queues:
                yield f"trigger: unknown queue {trigger.queue!r}"
        for api_name, api in self.http_apis.items():
            for route, target in api.routes.items():
                if target not in self.functions:
                    yield f"http_apis.{api_name}: route {route!r} targets unknown function {target!r}"
        for api_name, ws_api in self.websocket_apis.items():
            for route, target in ws_api.routes.items():
                if target not in self.functions:
                    yield f"websocket_apis.{api_name}: route {route!r} targets unknown function {target!r}"
        for group_name, group in self.schedule_groups.items():
            if group.target_queue not in self.queues:
                yield f"schedule_groups.{group_name}: unknown target queue {group.target_queue!r}"

    def _stream_problems(self) -> Iterator[str]:
        pairs = [(t.function, t.table) for t in self.stream_triggers]
        for function_name, table in sorted({p for p in pairs if pairs.count(p) > 1}):
            yield f"stream_triggers: {function_name} is triggered by the stream of {table!r} more than once"
        alarmed = [t.function for t in self.stream_triggers if t.alarm_iterator_age_seconds is not None]
        for function_name in sorted({f for f in alarmed if alarmed.count(f) > 1}):
            # Lambda reports IteratorAge per function: a second alarm would watch the same metric.
            yield f"stream_triggers: {function_name} has more than one iterator-age alarm; IteratorAge is per function"
        for trigger in self.stream_triggers:
            where = f"stream_triggers: {trigger.function} <- {trigger.table}"
            function = self.functions.get(trigger.function)
            if function is None:
                yield f"{where}: unknown function {trigger.function!r}"
            if trigger.table not in self.tables:
                yield f"{where}: unknown table {trigger.table!r}"
            elif self.tables[trigger.table].stream_view_type is None:
                yield f"{where}: table {trigger.table!r} has no stream (set its stream_view_type)"
            elif function and not _grants(function, "table", trigger.table, "read_stream"):
                yield (
                    f"{where}: {trigger.function} lacks {{table: {trigger.table}, access: read_stream}}; "
                    "Lambda reads the stream with the function's role"
                )
            yield from self._on_failure_problems(where, trigger, function)

    def _on_failure_problems(self, where: str, trigger: StreamTrigger, function: Function | None) -> Iterator[str]:
        queue = trigger.on_failure_queue
        if queue is None:
            return
        queues = self.all_queue_names()
        if queue not in queues:
            yield f"{where}: unknown on-failure queue {queue!r}"
        elif queues[queue].fifo:
            # A failure record carries no message group id, so only a standard queue takes it.
            yield f"{where}: on-failure queue {queue!r} is FIFO; only a standard queue receives failure records"
        elif function and not _grants(function, "queue", queue, "send"):
            yield (
                f"{where}: {trigger.function} lacks {{queue: {queue}, access: send}}; "
                "Lambda sends failure records with the function's role"
            )

    def _pubsub_problems(self) -> Iterator[str]:
        for topic_name, topic in self.topics.items():
            if len(set(topic.subscribers)) != len(topic.subscribers):
                yield f"topics.{topic_name}: a queue is subscribed twice"
            yield from self._delivery_problems(f"topics.{topic_name}", topic.subscribers)
        names = [name for bus in self.event_buses.values() for name in bus.rules]
        for name in sorted({n for n in names if names.count(n) > 1}):
            yield f"event_buses: rule {name!r} is declared on more than one bus"
        for bus_name, bus in self.event_buses.items():
            for rule_name, rule in bus.rules.items():
                yield from self._delivery_problems(f"event_buses.{bus_name}.{rule_name}", [rule.queue])
                if not any(rule.routes(event_type) for event_type in bus.carries):
                    yield f"event_buses.{bus_name}.{rule_name}: routes none of the types the bus carries"

    def _delivery_problems(self, where: str, queues: list[str]) -> Iterator[str]:
        for queue in queues:
            if queue not in self.queues:
                yield f"{where}: unknown queue {queue!r}"
            elif self.queues[queue].fifo:
                # Neither a standard topic nor a rule without a message group id can feed a FIFO queue.
                yield f"{where}: queue {queue!r} is FIFO; only standard queues receive these deliveries"

    def all_queue_names(self) -> dict[str, Queue]:
        """Every queue, dead-letter queues included, by logical name. A DLQ shares its source's FIFO-ness."""
        names: dict[str, Queue] = dict(self.queues)
        for queue in self.queues.values():
            if queue.dead_letter:
                names[queue.dead_letter.name] = Queue(fifo=queue.fifo)
        return names

    def dead_letter_queue(self, queue: str) -> str:
        """The logical name of ``queue``'s DLQ (a ValueError if it has none)."""
        dead_letter = self.queues[queue].dead_letter
        if dead_letter is None:
            raise ValueError(f"{queue} has no dead-letter queue declared")
        return dead_letter.name

    def iterator_age_alarms(self) -> dict[str, int | None]:
        """Each function a stream triggers, with its iterator-age alarm threshold in seconds (None: no alarm).

        Lambda reports IteratorAge per function, so a function has one such alarm whatever the
        number of streams that trigger it (the declaration sets it on one trigger at most).
        """
        alarms: dict[str, int | None] = {t.function: None for t in self.stream_triggers}
        for trigger in self.stream_triggers:
            alarms[trigger.function] = alarms[trigger.function] or trigger.alarm_iterator_age_seconds
        return alarms

    def rules(self) -> dict[str, tuple[str, EventRule]]:
        """Every event rule (names are unique across buses), with the bus it belongs to."""
        return {name: (bus, rule) for bus, spec in self.event_buses.items() for name, rule in spec.rules.items()}

    def queue_senders(self) -> dict[str, QueueSenders]:
        """The queues that topics or event rules deliver to, and which ones do."""
        senders: dict[str, QueueSenders] = {}
        for topic_name, topic in self.topics.items():
            for queue in topic.subscribers:
                current = senders.get(queue, QueueSenders())
                senders[queue] = QueueSenders((*current.topics, topic_name), current.rules)
        for rule_name, (_, rule) in self.rules().items():
            current = senders.get(rule.queue, QueueSenders())
            senders[rule.queue] = QueueSenders(current.topics, (*current.rules, rule_name))
        return senders

    def packages(self) -> dict[str, tuple[str, ...]]:
        """Each service package with the other services' packages its functions call in-process.

        One zip (and one image) per service package: every function of the service gets the union,
        so a service's functions share one artifact.
        """
        packages: dict[str, set[str]] = {}
        for function in self.functions.values():
            packages.setdefault(function.package, set()).update(function.with_packages)
        return {package: tuple(sorted(extra)) for package, extra in sorted(packages.items())}

    def physical_name(self, logical: str, *, fifo: bool = False) -> str:
        return f"{self.name_prefix}-{logical}" + (".fifo" if fifo else "")

    def bucket_name(self, bucket: str, account: str, region: str) -> str:
        """Bucket names are global across AWS accounts: the account and region make this one unique."""
        return f"{self.physical_name(bucket)}-{account}-{region}"

    def key_alias(self, key: str) -> str:
        return f"alias/{self.physical_name(key)}"

    def scheduler_role_name(self, group: str) -> str:
        """The role a schedule group's schedules run as (apart from the functions' roles, named like them)."""
        return f"{self.physical_name(group)}-scheduler"

    def with_fifo(self, queue_name: str, fifo: bool) -> SystemDeclaration:
        """The same system with one queue (and its DLQ) switched between standard and FIFO."""
        queues = dict(self.queues)
        queues[queue_name] = queues[queue_name].model_copy(update={"fifo": fifo})
        return self.model_copy(update={"queues": queues})


def _grants(function: Function, kind: str, name: str, access: str) -> bool:
    return any((p.kind, p.name, p.access) == (kind, name, access) for p in function.permissions)


def _kind_word(kind: str) -> str:
    return _KIND_WORDS.get(kind, kind.replace("_", " "))


def load_system(path: Path | None = None) -> SystemDeclaration:
    """The declaration at ``path``; by default, the one in the repository around the working directory."""
    with (path or Repository.find().declaration).open(encoding="utf-8") as handle:
        return SystemDeclaration.model_validate(yaml.safe_load(handle))
