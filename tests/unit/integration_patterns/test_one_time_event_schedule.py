"""Passage-of-time events: a self-deleting at() schedule per business key, carrying the traced event."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from botocore.exceptions import ClientError
from cloudevents.core.v1.event import CloudEvent
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from integration_patterns.cloudevents_envelope import EventType, new_event
from integration_patterns.one_time_schedule import OneTimeEventScheduler

REMINDER_DUE_V1 = EventType("com.example.reminder.due", 1)
NOW = datetime(2025, 3, 14, 12, 0, 0, tzinfo=UTC)
TARGET_ARN = "arn:aws:sqs:us-east-1:000000000000:reminders"
ROLE_ARN = "arn:aws:iam::000000000000:role/scheduler-sends-reminders"


class FakeSchedulerClient:
    """Records create_schedule requests; raises ``fail_with`` instead when set."""

    def __init__(self, fail_with: Exception | None = None) -> None:
        self.requests: list[dict[str, Any]] = []
        self._fail_with = fail_with

    def create_schedule(self, **request: Any) -> dict[str, Any]:
        if self._fail_with is not None:
            raise self._fail_with
        self.requests.append(request)
        return {"ScheduleArn": f"arn:aws:scheduler:us-east-1:000000000000:schedule/reminders/{request['Name']}"}


def _client_error(code: str) -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": f"{code} from the fake"}}, "CreateSchedule")


def _scheduler(client: FakeSchedulerClient) -> OneTimeEventScheduler:
    return OneTimeEventScheduler(
        client, group_name="reminders", target_arn=TARGET_ARN, role_arn=ROLE_ARN, now=lambda: NOW
    )


def _event() -> CloudEvent:
    return new_event(REMINDER_DUE_V1, "/example/producer", {"thingId": "t-1"}, new_id=lambda: "event-1")


def test_an_event_is_scheduled_once_at_the_utc_time_and_deletes_itself_afterwards(
    finished_spans: InMemorySpanExporter,
) -> None:
    # Given a scheduler, and a moment given in UTC+02:00 (15:30 there is 13:30 UTC)
    client = FakeSchedulerClient()
    at = datetime(2025, 3, 14, 15, 30, 0, tzinfo=timezone(timedelta(hours=2)))

    # When an event is scheduled for then
    created = _scheduler(client).schedule("reminder-t-1", at, _event())

    # Then one self-deleting at() schedule is created, exact to the second, in UTC
    assert created is True
    (request,) = client.requests
    assert request["Name"] == "reminder-t-1"
    assert request["GroupName"] == "reminders"
    assert request["ScheduleExpression"] == "at(2025-03-14T13:30:00)"
    assert request["ScheduleExpressionTimezone"] == "UTC"
    assert request["FlexibleTimeWindow"] == {"Mode": "OFF"}
    assert request["ActionAfterCompletion"] == "DELETE"
    assert request["Target"]["Arn"] == TARGET_ARN
    assert request["Target"]["RoleArn"] == ROLE_ARN
    # And the target's input is the event, carrying the scheduling span's trace context
    (span,) = finished_spans.get_finished_spans()
    assert span.kind is SpanKind.PRODUCER
    assert span.context is not None
    delivered = json.loads(request["Target"]["Input"])
    assert delivered["id"] == "event-1"
    assert delivered["type"] == "com.example.reminder.due.v1"
    assert delivered["data"] == {"thingId": "t-1"}
    assert delivered["traceparent"].split("-")[1:3] == [f"{span.context.trace_id:032x}", f"{span.context.span_id:016x}"]


def test_a_time_that_has_passed_is_scheduled_for_now(finished_spans: InMemorySpanExporter) -> None:
    # Given a moment ten minutes ago (the event is late: it should still arrive, at once)
    client = FakeSchedulerClient()

    # When an event is scheduled for then
    _scheduler(client).schedule("reminder-t-1", NOW - timedelta(minutes=10), _event())

    # Then it is scheduled for now
    (request,) = client.requests
    assert request["ScheduleExpression"] == "at(2025-03-14T12:00:00)"


def test_scheduling_a_name_that_exists_is_a_no_op(finished_spans: InMemorySpanExporter) -> None:
    # Given a schedule of that name exists (the scheduler refuses it with ConflictException)
    client = FakeSchedulerClient(fail_with=_client_error("ConflictException"))

    # When it is scheduled again
    created = _scheduler(client).schedule("reminder-t-1", NOW + timedelta(hours=1), _event())

    # Then nothing new is created, without an error, and the span says why
    assert created is False
    (span,) = finished_spans.get_finished_spans()
    assert span.attributes is not None
    assert span.attributes["messaging.schedule.already_exists"] is True


@pytest.mark.parametrize("code", ["AccessDeniedException", "ValidationException", "ThrottlingException"])
def test_any_other_scheduler_error_propagates(code: str, finished_spans: InMemorySpanExporter) -> None:
    # Given a scheduler that fails for another reason
    client = FakeSchedulerClient(fail_with=_client_error(code))

    # When an event is scheduled / Then the error reaches the caller (so its message is retried)
    with pytest.raises(ClientError) as raised:
        _scheduler(client).schedule("reminder-t-1", NOW + timedelta(hours=1), _event())
    assert raised.value.response["Error"]["Code"] == code
