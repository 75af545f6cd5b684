"""Cold-start wiring every inboxed subscriber shares: its settings and its EventSubscriber."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

import boto3
from cloudevents.core.base import BaseCloudEvent
from opentelemetry.util.types import AttributeValue
from pydantic import Field

from integration_patterns.dead_letter import DeadLetterSink
from integration_patterns.inbox import DEFAULT_TTL_SECONDS, Inbox
from integration_patterns.runtime import cold_start
from integration_patterns.settings import TelemetrySettings
from integration_patterns.subscriber import EventSubscriber

MessageT = TypeVar("MessageT")


class SubscriberSettings(TelemetrySettings):
    """What every subscriber with an inbox reads from its environment."""

    inbox_table_name: str = Field(min_length=1)
    inbox_ttl_seconds: int = Field(default=DEFAULT_TTL_SECONDS, gt=0)
    dead_letter_queue_url: str = Field(min_length=1)


SettingsT = TypeVar("SettingsT", bound=SubscriberSettings)


@dataclass(frozen=True)
class SubscriberClients:
    """The AWS clients of one cold start, shared by the inbox and the service's own adapters."""

    session: boto3.session.Session
    dynamodb: Any


def inboxed_subscriber(
    settings_model: type[SettingsT],
    *,
    translate: Callable[[BaseCloudEvent], MessageT],
    wire_handler: Callable[[SettingsT, SubscriberClients], Callable[[MessageT], None]],
    span_attributes: Callable[[MessageT], Mapping[str, AttributeValue]],
) -> EventSubscriber[MessageT]:
    """A subscriber's whole cold start: settings validated, tracing and logger up, clients built
    once, then its inbox, dead-letter sink and the handler ``wire_handler`` builds from them."""
    settings, logger, session = cold_start(settings_model)
    clients = SubscriberClients(session, session.client("dynamodb"))
    return EventSubscriber(
        translate,
        wire_handler(settings, clients),
        inbox=Inbox(clients.dynamodb, settings.inbox_table_name, settings.inbox_ttl_seconds),
        dead_letter=DeadLetterSink(session.client("sqs"), settings.dead_letter_queue_url),
        logger=logger,
        span_attributes=span_attributes,
    )
