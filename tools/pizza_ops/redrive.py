"""Redriving a dead-letter queue back into its source queue at a bounded rate.

Recovery must not overload what the consumer calls, so the move is paced (messages per second).
SQS's own StartMessageMoveTask does that server-side; where the endpoint does not implement it,
a client-side move at the same rate sends each message to the source before deleting it from
the DLQ, so a crash in between duplicates a message (absorbed by idempotent consumers) but never
loses one.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from integration_patterns.dead_letter import DEAD_LETTER_REASON_ATTRIBUTE, DEAD_LETTER_SOURCE_MESSAGE_ID_ATTRIBUTE

# Error codes an endpoint answers with when it lacks StartMessageMoveTask.
_NOT_SUPPORTED = {
    "UnsupportedOperation",
    "AWS.SimpleQueueService.UnsupportedOperation",
    "InvalidAction",
    "UnknownOperationException",
    "NotImplemented",
}


@dataclass(frozen=True)
class RedriveResult:
    method: str  # "server-side" or "client-side"
    moved: int
    task_handle: str | None = None


class RatePacer:
    """Spaces operations so no more than ``per_second`` start in any one second."""

    def __init__(
        self,
        per_second: float,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if per_second <= 0:
            raise ValueError("rate must be positive")
        self._interval = 1.0 / per_second
        self._clock = clock
        self._sleep = sleep
        self._next_slot: float | None = None

    def wait(self) -> None:
        now = self._clock()
        if self._next_slot is not None and now < self._next_slot:
            self._sleep(self._next_slot - now)
            now = self._next_slot
        self._next_slot = now + self._interval


class NotADeadLetterQueue(ValueError):
    """No queue's redrive policy names this queue, so its messages have no source to go back to."""


def redrive(
    sqs_client: Any,
    dlq_url: str,
    messages_per_second: int,
    *,
    prefer_server_side: bool = True,
    pacer: RatePacer | None = None,
) -> RedriveResult:
    """Move every message in ``dlq_url`` back to its source queue at ``messages_per_second``.

    Raises NotADeadLetterQueue, before anything moves, when ``dlq_url`` is not a DLQ.
    """
    sources = source_queues_of(sqs_client, dlq_url)
    if not sources:
        raise NotADeadLetterQueue(f"{dlq_url} is not a dead-letter queue: no queue's redrive policy names it")
    if prefer_server_side:
        handle = _start_move_task(sqs_client, dlq_url, messages_per_second)
        if handle is not None:
            return RedriveResult(method="server-side", moved=0, task_handle=handle)
    if len(sources) != 1:
        # The server-side task returns each message to its own source; a client-side move cannot tell.
        raise ValueError(f"expected exactly one source queue for {dlq_url}, found {sources}")
    moved = _move_client_side(sqs_client, dlq_url, sources[0], pacer or RatePacer(messages_per_second))
    return RedriveResult(method="client-side", moved=moved)


def source_queues_of(sqs_client: Any, dlq_url: str) -> list[str]:
    """The queues whose redrive policy targets ``dlq_url`` (none: it is not a dead-letter queue)."""
    try:
        sources: list[str] = sqs_client.list_dead_letter_source_queues(QueueUrl=dlq_url).get("queueUrls", [])
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") not in _NOT_SUPPORTED:
            raise
        sources = _sources_from_redrive_policies(sqs_client, _queue_arn(sqs_client, dlq_url))
    return sources


def _sources_from_redrive_policies(sqs_client: Any, dlq_arn: str) -> list[str]:
    # For endpoints without ListDeadLetterSourceQueues: read every queue's redrive policy.
    sources = []
    urls = (url for page in sqs_client.get_paginator("list_queues").paginate() for url in page.get("QueueUrls", []))
    for url in urls:
        attributes = sqs_client.get_queue_attributes(QueueUrl=url, AttributeNames=["RedrivePolicy"])
        policy = attributes.get("Attributes", {}).get("RedrivePolicy")
        if policy and json.loads(policy).get("deadLetterTargetArn") == dlq_arn:
            sources.append(url)
    return sources


def _queue_arn(sqs_client: Any, queue_url: str) -> str:
    attributes = sqs_client.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]
    return str(attributes["QueueArn"])


def _start_move_task(sqs_client: Any, dlq_url: str, rate: int) -> str | None:
    dlq_arn = _queue_arn(sqs_client, dlq_url)
    try:
        response = sqs_client.start_message_move_task(SourceArn=dlq_arn, MaxNumberOfMessagesPerSecond=rate)
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") in _NOT_SUPPORTED:
            return None
        raise
    return str(response["TaskHandle"])


def _move_client_side(sqs_client: Any, dlq_url: str, source_url: str, pacer: RatePacer) -> int:
    """Move what the DLQ holds when the redrive starts, and no more: a message that fails again on its
    source queue comes back to the DLQ as a new message, and moving that one too would never end."""
    is_fifo = source_url.endswith(".fifo")
    to_move = int(
        sqs_client.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["ApproximateNumberOfMessages"])[
            "Attributes"
        ].get("ApproximateNumberOfMessages", 0)
    )
    moved = 0
    empty_receives = 0
    while empty_receives < 2 and moved < to_move:  # two empty long polls in a row: the DLQ is drained
        messages = sqs_client.receive_message(
            QueueUrl=dlq_url,
            MaxNumberOfMessages=10,
            WaitTimeSeconds=1,
            MessageAttributeNames=["All"],
            MessageSystemAttributeNames=["All"],
            VisibilityTimeout=30,
        ).get("Messages", [])
        empty_receives = 0 if messages else empty_receives + 1
        for message in messages[: to_move - moved]:
            pacer.wait()
            sqs_client.send_message(**_send_request(message, source_url, is_fifo))
            # Delete only after the copy is safely in the source queue.
            sqs_client.delete_message(QueueUrl=dlq_url, ReceiptHandle=message["ReceiptHandle"])
            moved += 1
    return moved


def _send_request(message: dict[str, Any], source_url: str, is_fifo: bool) -> dict[str, Any]:
    attributes = {
        name: {k: v for k, v in value.items() if k in ("DataType", "StringValue", "BinaryValue")}
        for name, value in (message.get("MessageAttributes") or {}).items()
        # What the DLQ added about the message goes no further than the DLQ.
        if name not in (DEAD_LETTER_REASON_ATTRIBUTE, DEAD_LETTER_SOURCE_MESSAGE_ID_ATTRIBUTE)
    }
    request: dict[str, Any] = {"QueueUrl": source_url, "MessageBody": message["Body"]}
    if attributes:
        request["MessageAttributes"] = attributes
    if is_fifo:
        system = message.get("Attributes") or {}
        request["MessageGroupId"] = system.get("MessageGroupId", "redrive")
        # Not the original deduplication id: SQS would drop a copy sent within 5 minutes of it.
        request["MessageDeduplicationId"] = message["MessageId"]
    return request
