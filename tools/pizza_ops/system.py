"""The system's resource declaration (infra/system.yaml), parsed and validated.

One declaration drives the embedded deployer and is the reference the Terraform is checked
against, so the two cannot drift.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DECLARATION = REPO_ROOT / "infra" / "system.yaml"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Table(_Strict):
    hash_key: str


class DeadLetter(_Strict):
    name: str
    max_receive_count: int = Field(ge=1)


class Queue(_Strict):
    fifo: bool = False
    visibility_timeout_seconds: int = Field(default=30, ge=0)
    dead_letter: DeadLetter | None = None
    alarm_oldest_message_age_seconds: int | None = None


class TableRef(_Strict):
    table: str


class QueueRef(_Strict):
    queue: str


class LiteralValue(_Strict):
    value: str


EnvironmentValue = TableRef | QueueRef | LiteralValue


class Permission(_Strict):
    table: str | None = None
    queue: str | None = None
    access: Literal["read", "read_write", "send"]

    @model_validator(mode="after")
    def _one_target(self) -> Permission:
        if (self.table is None) == (self.queue is None):
            raise ValueError("a permission names exactly one of table or queue")
        return self


class Function(_Strict):
    service_name: str
    package: str
    handler: str
    timeout_seconds: int = 10
    memory_mb: int = 256
    environment: dict[str, EnvironmentValue] = Field(default_factory=dict)
    permissions: list[Permission] = Field(default_factory=list)


class SqsTrigger(_Strict):
    function: str
    queue: str
    batch_size: int = Field(default=10, ge=1)
    maximum_batching_window_seconds: int = 0
    maximum_concurrency: int = Field(default=2, ge=2)


class HttpApi(_Strict):
    routes: dict[str, str]


class SystemDeclaration(_Strict):
    name_prefix: str
    tables: dict[str, Table]
    queues: dict[str, Queue]
    functions: dict[str, Function]
    triggers: list[SqsTrigger]
    http_apis: dict[str, HttpApi]

    @model_validator(mode="after")
    def _references_resolve(self) -> SystemDeclaration:
        queues = self.all_queue_names()
        problems: list[str] = []
        for fn_name, fn in self.functions.items():
            for key, ref in fn.environment.items():
                if isinstance(ref, TableRef) and ref.table not in self.tables:
                    problems.append(f"{fn_name}.{key}: unknown table {ref.table!r}")
                if isinstance(ref, QueueRef) and ref.queue not in queues:
                    problems.append(f"{fn_name}.{key}: unknown queue {ref.queue!r}")
            for perm in fn.permissions:
                if perm.table and perm.table not in self.tables:
                    problems.append(f"{fn_name}: permission on unknown table {perm.table!r}")
                if perm.queue and perm.queue not in queues:
                    problems.append(f"{fn_name}: permission on unknown queue {perm.queue!r}")
        for trigger in self.triggers:
            if trigger.function not in self.functions:
                problems.append(f"trigger: unknown function {trigger.function!r}")
            if trigger.queue not in self.queues:
                problems.append(f"trigger: unknown queue {trigger.queue!r}")
        for api_name, api in self.http_apis.items():
            problems.extend(
                f"http_apis.{api_name}: route {route!r} targets unknown function {target!r}"
                for route, target in api.routes.items()
                if target not in self.functions
            )
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def all_queue_names(self) -> dict[str, Queue]:
        """Every queue, dead-letter queues included, by logical name. A DLQ shares its source's FIFO-ness."""
        names: dict[str, Queue] = dict(self.queues)
        for queue in self.queues.values():
            if queue.dead_letter:
                names[queue.dead_letter.name] = Queue(fifo=queue.fifo)
        return names

    def physical_name(self, logical: str, *, fifo: bool = False) -> str:
        return f"{self.name_prefix}-{logical}" + (".fifo" if fifo else "")

    def with_fifo(self, queue_name: str, fifo: bool) -> SystemDeclaration:
        """The same system with one queue (and its DLQ) switched between standard and FIFO."""
        queues = dict(self.queues)
        queues[queue_name] = queues[queue_name].model_copy(update={"fifo": fifo})
        return self.model_copy(update={"queues": queues})


def load_system(path: Path = DEFAULT_DECLARATION) -> SystemDeclaration:
    with path.open(encoding="utf-8") as handle:
        return SystemDeclaration.model_validate(yaml.safe_load(handle))
