"""The CloudEvents 1.0 envelope every event travels in (structured mode, JSON), as the catalog
documents it: the context attributes the system sets, and the extensions its patterns add."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field


class CloudEvent(BaseModel):
    """A CloudEvents 1.0 event in structured mode: context attributes and ``data`` in one JSON object.

    The type ends in its version (``com.example.thing.happened.v2``), so a consumer routes by
    version and dead-letters, with the reason, a type or version it does not take.
    """

    # Extension attributes are open-ended in CloudEvents: a consumer ignores those it does not know.
    # The named ones are the library's (integration_patterns), spelled alike: a unit test holds them to it.
    model_config = ConfigDict(extra="allow")

    specversion: Literal["1.0"] = Field(description="CloudEvents specification version.")
    id: str = Field(
        description="Unique per event from its source; consumers' inboxes drop a second delivery of the same id."
    )
    source: str = Field(description="The producing service, e.g. /pizza/order-service.")
    type: str = Field(description="Event type and version, e.g. com.pizza.order.placed.v1.")
    time: AwareDatetime = Field(description="When the event happened (RFC 3339).")
    subject: str | None = Field(default=None, description="What the event is about: the order id.")
    datacontenttype: Literal["application/json"] = Field(description="``data`` is a JSON object.")
    data: dict[str, Any] = Field(
        description="The event's data (its schema is the message's). ``{}`` when ``dataref`` names a claim check."
    )
    correlationid: str | None = Field(default=None, description="Ties a reply to its request: the order id.")
    replyto: str | None = Field(default=None, description="Queue URL the consumer replies on (request/reply).")
    callbackid: str | None = Field(
        default=None,
        description="The durable execution callback a saga waits on: the consumer answers it instead of replying.",
    )
    dataref: str | None = Field(
        default=None,
        description="Claim check: where ``data`` is stored (presigned HTTPS URL, or s3://bucket/key).",
    )
    datadigest: str | None = Field(
        default=None, description="sha256-<base64> of the stored data, checked by the reader."
    )
    restrictedref: str | None = Field(
        default=None,
        description="Claim check of fields for one audience only (s3://bucket/restricted/<audience>/...).",
    )
    restricteddigest: str | None = Field(default=None, description="sha256-<base64> of the restricted section.")
    traceparent: str | None = Field(
        default=None, description="W3C trace context of the publishing span (distributed tracing)."
    )
    tracestate: str | None = Field(default=None, description="W3C trace state, if any.")
