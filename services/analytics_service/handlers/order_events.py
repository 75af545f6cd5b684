"""Lambda entry point: order.confirmed events from the analytics queue (SQS, partial batch failures)."""

from __future__ import annotations

from typing import Any

from analytics_service import bootstrap
from integration_patterns.tracing import flush_after


@flush_after
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return dict(bootstrap.order_events_processor().process(event, context))
