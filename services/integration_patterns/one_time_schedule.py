"""Passage-of-time events: a CloudEvent delivered at a future moment by a one-time schedule.

Each schedule is an EventBridge Scheduler ``at()`` schedule whose target input is the event (with
the scheduling span's trace context in it), and which deletes itself after it fires. Its name is
the caller's business key, so scheduling the same thing twice is a no-op rather than two alerts.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import ClientError
from cloudevents.core.base import BaseCloudEvent
from opentelemetry import trace
from opentelemetry.trace import SpanKind

from integration_patterns import semconv
from integration_patterns.cloudevents_envelope import to_json
from integration_patterns.event_tracing import with_current_trace_context
from integration_patterns.runtime import utc_now

_tracer = trace.get_tracer(__name__)


class OneTimeEventScheduler:
    """Creates self-deleting one-time schedules in one group, all targeting one destination."""

    def __init__(
        self,
        scheduler_client: Any,
        *,
        group_name: str,
        target_arn: str,
        role_arn: str,
        now: Callable[[], datetime] = utc_now,
    ) -> None:
        self._scheduler = scheduler_client
        self._group_name = group_name
        self._target_arn = target_arn
        self._role_arn = role_arn
        self._now = now

    def schedule(self, name: str, at: datetime, event: BaseCloudEvent) -> bool:
        """Deliver ``event`` at ``at`` (now, if that has passed); False if ``name`` is already scheduled."""
        fire_at = max(at, self._now()).astimezone(UTC)
        attributes = {
            semconv.MESSAGING_SYSTEM: semconv.SCHEDULER_SYSTEM,
            semconv.MESSAGING_OPERATION_TYPE: "create",
            semconv.MESSAGING_OPERATION_NAME: "schedule",
            semconv.MESSAGING_DESTINATION_NAME: self._group_name,
            semconv.CLOUDEVENTS_EVENT_ID: event.get_id(),
            semconv.CLOUDEVENTS_EVENT_TYPE: event.get_type(),
            semconv.CLOUDEVENTS_EVENT_SUBJECT: event.get_subject() or "",
            "messaging.scheduled_for": fire_at.isoformat(),
        }
        with _tracer.start_as_current_span(
            f"schedule {self._group_name}", kind=SpanKind.PRODUCER, attributes=attributes
        ) as span:
            traced = with_current_trace_context(event)
            try:
                self._scheduler.create_schedule(
                    Name=name,
                    GroupName=self._group_name,
                    ScheduleExpression=f"at({fire_at:%Y-%m-%dT%H:%M:%S})",
                    ScheduleExpressionTimezone="UTC",
                    FlexibleTimeWindow={"Mode": "OFF"},
                    ActionAfterCompletion="DELETE",
                    Target={"Arn": self._target_arn, "RoleArn": self._role_arn, "Input": to_json(traced)},
                )
            except ClientError as error:
                if error.response.get("Error", {}).get("Code") != "ConflictException":
                    raise
                span.set_attribute("messaging.schedule.already_exists", True)
                return False
            return True
