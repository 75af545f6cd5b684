"""Outbox routes: how the relay sends an event to a queue, to subscribers, or at a set time.

The writer says which route an event takes (the outbox entry's ``destination``) and stores what
that route needs besides the event (its ``delivery``), built with the helpers here.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from cloudevents.core.base import BaseCloudEvent

from integration_patterns.one_time_schedule import OneTimeEventScheduler
from integration_patterns.outbox_relay import OutboxRoute
from integration_patterns.pubsub_publisher import CloudEventPublisher
from integration_patterns.sqs_sender import SqsCloudEventSender

MESSAGE_GROUP_ID = "messageGroupId"
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
    def send(event: BaseCloudEvent, delivery: Mapping[str, str]) -> None:
        sender.send(event, group_id=delivery.get(MESSAGE_GROUP_ID), deduplication_id=delivery.get(DEDUPLICATION_ID))

    return send


def publish_route(publisher: CloudEventPublisher) -> OutboxRoute:
    def publish(event: BaseCloudEvent, delivery: Mapping[str, str]) -> None:
        publisher.publish(event)

    return publish


def schedule_route(scheduler: OneTimeEventScheduler) -> OutboxRoute:
    def schedule(event: BaseCloudEvent, delivery: Mapping[str, str]) -> None:
        # An existing schedule of that name is this one, created by an earlier attempt.
        scheduler.schedule(delivery[SCHEDULE_NAME], datetime.fromisoformat(delivery[SCHEDULE_AT]), event)

    return schedule
