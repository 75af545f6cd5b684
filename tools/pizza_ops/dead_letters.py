"""`pizza dlq`: every dead-letter queue's depth, and a look at one queue's messages without taking them."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from integration_patterns.dead_letter import DEAD_LETTER_REASON_ATTRIBUTE, DEAD_LETTER_SOURCE_MESSAGE_ID_ATTRIBUTE
from pizza_ops.system import SystemDeclaration

# How many messages `--show` reads at most (SQS returns up to 10 per receive).
_SHOW_AT_MOST = 50
# How long a message read by `peek` stays hidden if making it visible again fails.
_HIDDEN_WHILE_READ_SECONDS = 30


@dataclass(frozen=True)
class DeadLetterQueue:
    name: str
    serves: str
    depth: int


@dataclass(frozen=True)
class DeadLetter:
    message_id: str
    # Its id on the source queue, which the consumer's log lines name (the same id when the queue
    # itself moved it after its last receive).
    source_message_id: str
    reason: str
    event_type: str
    event_id: str
    body: str
    # Whether a consumer dead-lettered it with its reason (else the queue moved it after its receives).
    reason_given: bool


def dead_letter_queues(system: SystemDeclaration) -> dict[str, str]:
    """Each declared DLQ's logical name, with the queue it serves."""
    return {q.dead_letter.name: name for name, q in system.queues.items() if q.dead_letter}


def depths(sqs: Any, queue_urls: dict[str, str], system: SystemDeclaration) -> list[DeadLetterQueue]:
    rows = []
    for dlq, source in sorted(dead_letter_queues(system).items()):
        attributes = sqs.get_queue_attributes(QueueUrl=queue_urls[dlq], AttributeNames=["ApproximateNumberOfMessages"])[
            "Attributes"
        ]
        depth = int(attributes.get("ApproximateNumberOfMessages", 0))
        rows.append(DeadLetterQueue(dlq, source, depth))
    return rows


def peek(sqs: Any, queue_url: str, at_most: int = _SHOW_AT_MOST) -> list[DeadLetter]:
    """The queue's messages (``at_most`` of them, about), each left in the queue, visible.

    Each receive hides what it returned, so the next one returns others; then every message read
    is made visible again. (Receiving with a visibility timeout of 0 instead returns the same first
    ten every time on MiniStack, and any subset, repeats included, on SQS.)
    """
    return take(sqs, queue_url, lambda _: False, at_most)


def take(
    sqs: Any, queue_url: str, wanted: Callable[[DeadLetter], bool], at_most: int = _SHOW_AT_MOST
) -> list[DeadLetter]:
    """Every message read (as :func:`peek` reads them); those ``wanted`` are deleted from the queue,
    the others made visible again."""
    seen: dict[str, dict[str, Any]] = {}
    try:
        while len(seen) < at_most:
            messages = sqs.receive_message(
                QueueUrl=queue_url,
                MaxNumberOfMessages=10,
                VisibilityTimeout=_HIDDEN_WHILE_READ_SECONDS,
                WaitTimeSeconds=0,
                MessageAttributeNames=["All"],
            ).get("Messages", [])
            fresh = [message for message in messages if message["MessageId"] not in seen]
            if not fresh:  # empty, or a read so slow that the first messages came back
                break
            seen.update((message["MessageId"], message) for message in fresh)
    finally:
        letters = {message_id: _dead_letter(message) for message_id, message in seen.items()}
        taken = [seen[message_id]["ReceiptHandle"] for message_id, letter in letters.items() if wanted(letter)]
        kept = [seen[message_id]["ReceiptHandle"] for message_id, letter in letters.items() if not wanted(letter)]
        for start in range(0, len(taken), 10):
            entries = [
                {"Id": str(index), "ReceiptHandle": handle} for index, handle in enumerate(taken[start : start + 10])
            ]
            sqs.delete_message_batch(QueueUrl=queue_url, Entries=entries)
        for start in range(0, len(kept), 10):
            entries = [
                {"Id": str(index), "ReceiptHandle": handle, "VisibilityTimeout": 0}
                for index, handle in enumerate(kept[start : start + 10])
            ]
            sqs.change_message_visibility_batch(QueueUrl=queue_url, Entries=entries)
    return list(letters.values())


def render(rows: list[DeadLetterQueue]) -> str:
    width = max(len("DEAD-LETTER QUEUE"), *(len(r.name) for r in rows)) + 2
    lines = [f"{'DEAD-LETTER QUEUE':<{width}}{'MESSAGES':>9}  SERVES"]
    lines += [f"{r.name:<{width}}{r.depth:>9}  {r.serves}" for r in rows]
    return "\n".join(lines)


def render_messages(queue: str, letters: list[DeadLetter]) -> str:
    if not letters:
        return f"{queue}: no messages"
    lines = [f"{queue}: {len(letters)} message(s), left in the queue"]
    for letter in letters:
        lines.append(f"  messageId {letter.message_id}  {letter.event_type} {letter.event_id}".rstrip())
        lines.append(f"    source messageId {letter.source_message_id} (for `pizza logs ... --filter`)")
        lines.append(f"    reason: {letter.reason}")
    return "\n".join(lines)


def _dead_letter(message: dict[str, Any]) -> DeadLetter:
    attributes = message.get("MessageAttributes", {})
    reason = attributes.get(DEAD_LETTER_REASON_ATTRIBUTE, {}).get("StringValue")
    source_id = attributes.get(DEAD_LETTER_SOURCE_MESSAGE_ID_ATTRIBUTE, {}).get("StringValue")
    event_type, event_id = "(not a CloudEvent)", ""
    try:
        body = json.loads(message.get("Body", ""))
        if isinstance(body, dict):
            event = body.get("detail", body) if "detail-type" in body else body
            event_type, event_id = str(event.get("type", event_type)), str(event.get("id", ""))
    except json.JSONDecodeError:
        pass
    return DeadLetter(
        message_id=message["MessageId"],
        source_message_id=source_id or message["MessageId"],
        # No reason attribute: the queue moved it after its receives ran out (a failure, retried).
        reason=reason or "(none: moved by the queue after its last receive; see `pizza logs`)",
        event_type=event_type,
        event_id=event_id,
        body=message.get("Body", ""),
        reason_given=reason is not None,
    )
