"""Cold-start wiring every inboxed subscriber shares: its settings and its EventSubscriber."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from aws_lambda_powertools import Logger
from cloudevents.core.base import BaseCloudEvent
from opentelemetry.util.types import AttributeValue
from pydantic import Field

from integration_patterns.dead_letter import DeadLetterSink
from integration_patterns.inbox import DEFAULT_TTL_SECONDS, Inbox
from integration_patterns.settings import TelemetrySettings
from integration_patterns.subscriber import EventSubscriber

MessageT = TypeVar("MessageT")


class SubscriberSettings(TelemetrySettings):
    """What every subscriber with an inbox reads from its environment."""

    inbox_table_name: str = Field(min_length=1)
    inbox_ttl_seconds: int = Field(default=DEFAULT_TTL_SECONDS, gt=0)
    dead_letter_queue_url: str = Field(min_length=1)


def inboxed_subscriber(
    settings: SubscriberSettings,
    *,
    dynamodb_client: Any,
    sqs_client: Any,
    logger: Logger,
    translate: Callable[[BaseCloudEvent], MessageT],
    handle: Callable[[MessageT], None],
    span_attributes: Callable[[MessageT], Mapping[str, AttributeValue]],
) -> EventSubscriber[MessageT]:
    return EventSubscriber(
        translate,
        handle,
        inbox=Inbox(dynamodb_client, settings.inbox_table_name, settings.inbox_ttl_seconds),
        dead_letter=DeadLetterSink(sqs_client, settings.dead_letter_queue_url),
        logger=logger,
        span_attributes=span_attributes,
    )
