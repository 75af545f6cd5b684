"""Outbox routes: how the relay sends an event to a queue, to subscribers, or at a set time.

The writer says which route an event takes (the outbox entry's ``destination``) and stores what
that route needs besides the event (its ``delivery``), built with the helpers here. Queue and
publish routes send the events they are handed in batch calls; a schedule has no batch call, so it
creates one schedule per event.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime

from cloudevents.core.base import BaseCloudEvent
from opentelemetry import context as otel_context

from integration_patterns.batch_sends import SendOutcomes
from integration_patterns.one_time_schedule import OneTimeEventScheduler
from integration_patterns.outbox_relay import MESSAGE_GROUP_ID, OutboxRoute, Outgoing
from integration_patterns.pubsub_publisher import CloudEventPublisher, Publication
from integration_patterns.sqs_sender import QueueMessage, SqsCloudEventSender

__all__ = [
    "DEDUPLICATION_ID",
    "MESSAGE_GROUP_ID",
    "SCHEDULE_AT",
    "SCHEDULE_NAME",
    "one_at_a_time",
    "publish_route",
    "queue_delivery",
    "queue_route",
    "schedule_delivery",
    "schedule_route",
]

DEDUPLICATION_ID = "deduplicationId"
SCHEDULE_NAME = "scheduleName"
SCHEDULE_AT = "scheduleAt"


def queue_delivery(*, group_id: str, deduplication_id: str) -> dict[str, str]:
    """For a queue that may be FIFO: the message group, and the id SQS deduplicates resends on."""
    return {MESSAGE_GROUP_ID: group_id, DEDUPLICATION_ID: deduplication_id}


def schedule_delivery(*, name: str, at: datetime) -> dict[str, str]:
    """For a one-time schedule: its name (one per business key) and when it fires."""
    return {SCHEDULE_NAME: name, SCHEDULE_AT: at.isoformat()}


def queue_route(sender: SqsCloudEventSender) -> OutboxRoute:
    def send(outgoing: Sequence[Outgoing]) -> SendOutcomes:
        return sender.send_batch(
            [
                QueueMessage(
                    each.event,
                    group_id=each.delivery.get(MESSAGE_GROUP_ID),
                    deduplication_id=each.delivery.get(DEDUPLICATION_ID),
                    context=each.context,
                )
                for each in outgoing
            ]
        )

    return send


def publish_route(publisher: CloudEventPublisher) -> OutboxRoute:
    def publish(outgoing: Sequence[Outgoing]) -> SendOutcomes:
        return publisher.publish_batch([Publication(each.event, each.context) for each in outgoing])

    return publish


def schedule_route(scheduler: OneTimeEventScheduler) -> OutboxRoute:
    def schedule(event: BaseCloudEvent, delivery: Mapping[str, str]) -> None:
        # An existing schedule of that name is this one, created by an earlier attempt.
        scheduler.schedule(delivery[SCHEDULE_NAME], datetime.fromisoformat(delivery[SCHEDULE_AT]), event)

    return one_at_a_time(schedule)


def one_at_a_time(send: Callable[[BaseCloudEvent, Mapping[str, str]], object]) -> OutboxRoute:
    """A route for a channel without a batch call: ``send`` (which raises when it fails) per event,
    inside that event's relay span."""

    def route(outgoing: Sequence[Outgoing]) -> SendOutcomes:
        outcomes: SendOutcomes = []
        for each in outgoing:
            token = otel_context.attach(each.context)
            try:
                send(each.event, each.delivery)
                outcomes.append(None)
            except Exception as error:
                outcomes.append(error)
            finally:
                otel_context.detach(token)
        return outcomes

    return route
