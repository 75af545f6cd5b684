"""What a queue-fed function receives, unwrapped once: the CloudEvent inside an SQS message body.

One body can hold the event in three ways, and every consumer takes all of them:

* the structured CloudEvent itself: a point-to-point send, an SNS topic with raw message delivery,
  or a one-time schedule's input;
* EventBridge's envelope around it, as ``detail`` (a bus rule with an SQS target).

Anything that can never become an event is refused here, before any work or write, with an
:class:`InvalidMessage` whose reason names the field and the rule broken and never quotes the input
(see :func:`cloudevents_envelope.from_json`).
"""

from __future__ import annotations

from dataclasses import dataclass

from cloudevents.core.base import BaseCloudEvent

from integration_patterns.cloudevents_envelope import event_from_document, json_document

EVENTBRIDGE_ENVELOPE = "eventbridge"
NO_ENVELOPE = "none"


@dataclass(frozen=True)
class Delivery:
    """The event a message carried, and the envelope it came in (``eventbridge`` or ``none``)."""

    event: BaseCloudEvent
    envelope: str


def unwrap(body: str) -> Delivery:
    """The CloudEvent in an SQS message body; :class:`InvalidMessage` when there is none."""
    document = json_document(body)
    if isinstance(document, dict) and "detail-type" in document and "detail" in document:
        return Delivery(event_from_document(document["detail"]), EVENTBRIDGE_ENVELOPE)
    return Delivery(event_from_document(document), NO_ENVELOPE)
