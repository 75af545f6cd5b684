"""Building blocks for tests of the CloudEvent consumer: SQS records as Lambda delivers them, events,
a dead-letter sink that records instead of sending, and a translation over a tiny example schema."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from cloudevents.core.base import BaseCloudEvent
from pydantic import BaseModel, ConfigDict

from integration_patterns.claim_check import ClaimRedeemer
from integration_patterns.cloudevents_envelope import EventType, new_event, to_json
from integration_patterns.consumer import CloudEventConsumer, SpanFacts, TraceMode, Translation
from integration_patterns.dead_letter import DeadLetterSink
from integration_patterns.event_contracts import Identifier, validated_data
from integration_patterns.inbox import Inbox

THING_SHIPPED_V1 = EventType("com.example.thing.shipped", 1)
THING_SHIPPED_V2 = EventType("com.example.thing.shipped", 2)
TRACE_ID = 0x0AF7651916CD43DD8448EB211C80319C
PRODUCER_SPAN_ID = 0xB7AD6B7169203331
TRACEPARENT = f"00-{TRACE_ID:032x}-{PRODUCER_SPAN_ID:016x}-01"


@dataclass(frozen=True)
class ShipThing:
    thing_id: str
    version: int


class _ThingShipped(BaseModel):
    model_config = ConfigDict(extra="ignore")
    thingId: Identifier  # noqa: N815 - the external schema's spelling


def _translate(event: BaseCloudEvent, event_type: EventType) -> ShipThing:
    return ShipThing(validated_data(_ThingShipped, event, "shipped thing").thingId, event_type.version)


THINGS = Translation(
    consumer="thing service",
    accepts=(THING_SHIPPED_V1, THING_SHIPPED_V2),
    translate=_translate,
    describe=lambda command: {"thing.id": command.thing_id},
)


class RecordingDeadLetterSink(DeadLetterSink):
    """Records what would have gone to the DLQ instead of sending it."""

    def __init__(self) -> None:
        super().__init__(sqs_client=None, queue_url="https://queue.example/q-dlq")
        self.sent: list[tuple[str, str]] = []

    def send(self, record: SQSRecord, reason: str) -> None:
        self.sent.append((record.message_id, reason))


def thing_event(
    thing_id: str = "t-1",
    *,
    event_id: str = "e-1",
    event_type: EventType = THING_SHIPPED_V1,
    extensions: dict[str, str] | None = None,
    subject: str | None = None,
) -> str:
    event = new_event(
        event_type, "/things", {"thingId": thing_id}, subject=subject, new_id=lambda: event_id, extensions=extensions
    )
    return to_json(event)


def in_eventbridge_envelope(body: str) -> str:
    return json.dumps(
        {
            "version": "0",
            "id": "eb-1",
            "detail-type": "com.example.thing.shipped.v1",
            "source": "things",
            "detail": json.loads(body),
        }
    )


def sqs_record(
    message_id: str,
    body: str,
    *,
    queue: str = "q",
    group_id: str | None = None,
    message_attributes: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """One record in the shape Lambda's SQS event source delivers it."""
    attributes = {
        "ApproximateReceiveCount": "2",
        "SentTimestamp": "1700000000000",
        "SenderId": "AIDAEXAMPLE",
        "ApproximateFirstReceiveTimestamp": "1700000000100",
    }
    if group_id is not None:
        attributes |= {"MessageGroupId": group_id, "MessageDeduplicationId": message_id, "SequenceNumber": "1"}
    return {
        "messageId": message_id,
        "receiptHandle": f"receipt-{message_id}",
        "body": body,
        "attributes": attributes,
        "messageAttributes": message_attributes or {},
        "md5OfBody": "",
        "eventSource": "aws:sqs",
        "eventSourceARN": f"arn:aws:sqs:us-east-1:000000000000:{queue}",
        "awsRegion": "us-east-1",
    }


def sqs_event(*records: dict[str, Any]) -> dict[str, Any]:
    return {"Records": list(records)}


def failed_ids(response: Any) -> list[str]:
    return [failure["itemIdentifier"] for failure in response["batchItemFailures"]]


def thing_consumer(
    handle: Callable[[ShipThing], SpanFacts | None],
    *,
    trace_mode: TraceMode = TraceMode.CONTINUE,
    inbox: Inbox | None = None,
    rejects: tuple[type[Exception], ...] = (),
    logger: Logger | None = None,
    claims: ClaimRedeemer | None = None,
) -> tuple[CloudEventConsumer[ShipThing], RecordingDeadLetterSink]:
    sink = RecordingDeadLetterSink()
    consumer = CloudEventConsumer(
        THINGS,
        handle,
        trace_mode=trace_mode,
        dead_letter=sink,
        logger=logger or Logger(service="tests"),
        inbox=inbox,
        rejects=rejects,
        claims=claims,
    )
    return consumer, sink
