"""Lambda entry point: "delivery due soon" alerts, delivered by one-time schedules (SQS)."""

from __future__ import annotations

from typing import Any

from integration_patterns.tracing import flush_after
from kitchen_service import bootstrap


@flush_after
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return dict(bootstrap.kitchen_alert_processor().process(event, context))
