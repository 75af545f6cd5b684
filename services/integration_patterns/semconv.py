"""Messaging semantic-convention attribute names (OpenTelemetry semconv, messaging spans)."""

from __future__ import annotations

MESSAGING_SYSTEM = "messaging.system"
MESSAGING_OPERATION_TYPE = "messaging.operation.type"
MESSAGING_OPERATION_NAME = "messaging.operation.name"
MESSAGING_DESTINATION_NAME = "messaging.destination.name"
MESSAGING_MESSAGE_ID = "messaging.message.id"
MESSAGING_CONVERSATION_ID = "messaging.message.conversation_id"
MESSAGING_BATCH_MESSAGE_COUNT = "messaging.batch.message_count"
CLOUDEVENTS_EVENT_ID = "cloudevents.event_id"
CLOUDEVENTS_EVENT_TYPE = "cloudevents.event_type"
CLOUDEVENTS_EVENT_SOURCE = "cloudevents.event_source"
CLOUDEVENTS_EVENT_SUBJECT = "cloudevents.event_subject"

SQS_SYSTEM = "aws_sqs"


def queue_name_from_url(queue_url: str) -> str:
    return queue_url.rstrip("/").rsplit("/", 1)[-1]


def queue_name_from_arn(queue_arn: str) -> str:
    return queue_arn.rsplit(":", 1)[-1]


SNS_SYSTEM = "aws_sns"
EVENTBRIDGE_SYSTEM = "aws_eventbridge"
SCHEDULER_SYSTEM = "aws_scheduler"
# Not in semconv: which envelope a subscriber's copy arrived in ("eventbridge" or "none").
MESSAGING_DELIVERY_ENVELOPE = "messaging.delivery.envelope"
INBOX_OUTCOME = "messaging.inbox.outcome"
