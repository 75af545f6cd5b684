"""The deployment recorded by `pizza up` or `pizza deploy`, for commands that act on it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from botocore.config import Config

from pizza_ops.deploy.outputs import StackOutputs
from pizza_ops.stack import OUTPUTS_FILE, session_for

# AWS's standard retry mode (three attempts, short backoff): an operator waiting on an endpoint that
# is down hears about it in seconds; the legacy default retries DynamoDB for half a minute.
_CLIENT_CONFIG = Config(retries={"mode": "standard"})
# S3 as the functions see it: claim-check URLs are SigV4-presigned (integration_patterns.runtime).
_S3_CONFIG = _CLIENT_CONFIG.merge(Config(signature_version="s3v4"))


class UnknownName(LookupError):
    """A logical name the recorded deployment does not have."""


class DeployedStack:
    """The deployment recorded by `pizza up` / `pizza deploy`, and clients for its endpoint."""

    def __init__(self, state_dir: Path) -> None:
        self.state_dir = state_dir  # where the stack that deployed it keeps its files (and its lock)
        self.outputs = StackOutputs.load(state_dir / OUTPUTS_FILE)
        self._session = session_for(self.outputs.endpoint or None, self.outputs.region)

    def client(self, service: str) -> Any:
        return self._session.client(
            service,
            endpoint_url=self.outputs.endpoint or None,
            region_name=self.outputs.region,
            config=_S3_CONFIG if service == "s3" else _CLIENT_CONFIG,
        )

    def function(self, logical_name: str) -> str:
        return _lookup("function", self.outputs.function_names, logical_name)

    def queue_url(self, logical_name: str) -> str:
        return _lookup("queue", self.outputs.queue_urls, logical_name)

    def table(self, logical_name: str) -> str:
        return _lookup("table", self.outputs.table_names, logical_name)


def _lookup(kind: str, names: dict[str, str], logical_name: str) -> str:
    if logical_name not in names:
        raise UnknownName(f"unknown {kind} {logical_name!r}; known: {', '.join(sorted(names))}")
    return names[logical_name]
