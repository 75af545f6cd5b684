"""One confirmed order, already translated: run the use case and note its outcome on the span."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime

from opentelemetry import trace
from opentelemetry.util.types import AttributeValue

from loyalty_service.adapters.contracts import ORDER_ID_SPAN_ATTRIBUTE
from loyalty_service.domain.points import AwardPoints
from loyalty_service.ports import LoyaltyAccounts
from loyalty_service.use_cases import award_points


def span_attributes(command: AwardPoints) -> Mapping[str, AttributeValue]:
    return {ORDER_ID_SPAN_ATTRIBUTE: command.order_id}


def handle_confirmed_order(command: AwardPoints, *, accounts: LoyaltyAccounts, now: Callable[[], datetime]) -> None:
    result = award_points(command, accounts, now)
    span = trace.get_current_span()
    span.set_attribute("loyalty.points", result.points)
    # already_awarded is a success: another event about the same order got there first.
    span.set_attribute("loyalty.award_outcome", result.outcome.value)
