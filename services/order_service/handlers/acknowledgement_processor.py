"""Lambda entry point: the kitchen's acknowledgements (SQS, partial batch failures)."""

from __future__ import annotations

from typing import Any

from integration_patterns.tracing import flush_after
from order_service import bootstrap


@flush_after
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return dict(bootstrap.acknowledgement_processor().consumer.process(event, context))
