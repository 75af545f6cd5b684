"""What a deployment produced: the addresses a user, the CLI and the tests need."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class StackOutputs:
    endpoint: str
    region: str
    otlp_endpoint: str | None
    api_urls: dict[str, str] = field(default_factory=dict)
    queue_urls: dict[str, str] = field(default_factory=dict)
    table_names: dict[str, str] = field(default_factory=dict)
    function_names: dict[str, str] = field(default_factory=dict)
    trace_query_url: str | None = None
    # By logical name, like the above; a deployment recorded before these existed loads them empty.
    queue_arns: dict[str, str] = field(default_factory=dict)
    topic_arns: dict[str, str] = field(default_factory=dict)
    bus_names: dict[str, str] = field(default_factory=dict)
    key_arns: dict[str, str] = field(default_factory=dict)
    schedule_group_names: dict[str, str] = field(default_factory=dict)
    scheduler_role_arns: dict[str, str] = field(default_factory=dict)
    # The current stream of each table that has one.
    table_stream_arns: dict[str, str] = field(default_factory=dict)
    bucket_names: dict[str, str] = field(default_factory=dict)
    # Where clients connect to each WebSocket API.
    websocket_urls: dict[str, str] = field(default_factory=dict)

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(asdict(self), indent=2), encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> StackOutputs:
        if not path.exists():
            raise FileNotFoundError(f"no deployment recorded at {path}; start the stack with `pizza up` first")
        return cls(**json.loads(path.read_text(encoding="utf-8")))
