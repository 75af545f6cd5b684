"""Building a :class:`CloudEventConsumer` at cold start from validated settings.

A consumer's settings name its dead-letter queue and, for an inboxed consumer, its inbox table; a
service's settings model extends :class:`ConsumerSettings` or :class:`InboxSettings` with its own.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer
from pydantic import Field

from integration_patterns.claim_check import ClaimRedeemer
from integration_patterns.consumer import CloudEventConsumer, SpanFacts, TraceMode, Translation
from integration_patterns.dead_letter import DeadLetterSink
from integration_patterns.delayed_retries import DelayedRetries
from integration_patterns.inbox import DEFAULT_TTL_SECONDS, Inbox
from integration_patterns.runtime import Runtime
from integration_patterns.s3_claim_store import S3ClaimStore
from integration_patterns.settings import TelemetrySettings

MessageT = TypeVar("MessageT")


class ConsumerSettings(TelemetrySettings):
    """What every queue-fed function reads: where messages that can never succeed go, and, for a
    consumer that may receive claim checks, the bucket they point into and the restricted sections
    (by audience) it may read."""

    dead_letter_queue_url: str
    claim_check_bucket: str | None = None
    claim_check_audience: str | None = None


class InboxSettings(ConsumerSettings):
    """A consumer with an inbox: the table of event ids it has seen, and how long they are kept."""

    inbox_table_name: str
    inbox_ttl_seconds: int = Field(default=DEFAULT_TTL_SECONDS, gt=0)


ConsumerSettingsT = TypeVar("ConsumerSettingsT", bound=ConsumerSettings)
InboxSettingsT = TypeVar("InboxSettingsT", bound=InboxSettings)


def consumer(
    runtime: Runtime[ConsumerSettingsT],
    translation: Translation[MessageT],
    handle: Callable[[MessageT], SpanFacts | None],
    *,
    trace_mode: TraceMode,
    rejects: tuple[type[Exception], ...] = (),
    retries: DelayedRetries | None = None,
) -> CloudEventConsumer[MessageT]:
    """A consumer without an inbox: its handler's effects are idempotent by themselves."""
    return CloudEventConsumer(
        translation,
        handle,
        trace_mode=trace_mode,
        dead_letter=DeadLetterSink(runtime.client("sqs"), runtime.settings.dead_letter_queue_url),
        logger=runtime.logger,
        rejects=rejects,
        claims=claim_redeemer(runtime),
        retries=retries,
    )


def claim_redeemer(runtime: Runtime[ConsumerSettingsT]) -> ClaimRedeemer | None:
    """Redeems claims into the configured bucket; None when the consumer names no claim bucket."""
    settings = runtime.settings
    if settings.claim_check_bucket is None:
        return None
    return ClaimRedeemer(S3ClaimStore(runtime.client("s3"), settings.claim_check_bucket), settings.claim_check_audience)


def inboxed_consumer(
    runtime: Runtime[InboxSettingsT],
    translation: Translation[MessageT],
    handle: Callable[[MessageT], SpanFacts | None],
    *,
    trace_mode: TraceMode = TraceMode.LINK,
    rejects: tuple[type[Exception], ...] = (),
) -> CloudEventConsumer[MessageT]:
    """A consumer that runs its handler at most once per event id (a pub/sub subscriber, by default)."""
    settings = runtime.settings
    return CloudEventConsumer(
        translation,
        handle,
        trace_mode=trace_mode,
        dead_letter=DeadLetterSink(runtime.client("sqs"), settings.dead_letter_queue_url),
        logger=runtime.logger,
        inbox=Inbox(
            DynamoDBPersistenceLayer(table_name=settings.inbox_table_name, boto3_client=runtime.client("dynamodb")),
            settings.inbox_ttl_seconds,
        ),
        rejects=rejects,
        claims=claim_redeemer(runtime),
    )
