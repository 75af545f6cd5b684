"""Lambda entry point: the orders table's stream (filtered to writes that stored events)."""

from __future__ import annotations

from typing import Any

from integration_patterns.tracing import flush_after
from order_service import bootstrap


@flush_after
def handler(event: dict[str, Any], context: Any) -> dict[str, int]:
    return {"sent": bootstrap.outbox_publisher().process(event)}
