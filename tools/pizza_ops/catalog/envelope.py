"""The CloudEvents 1.0 envelope every event travels in (structured mode, JSON), as the catalog
documents it: the context attributes the system sets, and the extensions its patterns add."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field
from pydantic.json_schema import SkipJsonSchema


def _optional(description: str) -> Any:
    """An attribute an event may leave out: absent, never null, so its schema has no default."""
    return Field(default=None, description=description, json_schema_extra=_no_default)


def _no_default(schema: dict[str, Any]) -> None:
    schema.pop("default", None)


class CloudEvent(BaseModel):
    """A CloudEvents 1.0 event in structured mode: context attributes and `data` in one JSON object.

    The type ends in its version (`com.example.thing.happened.v2`), so a consumer routes by
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
    subject: str | SkipJsonSchema[None] = _optional("What the event is about: the order id.")
    datacontenttype: Literal["application/json"] = Field(description="`data` is a JSON object.")
    data: dict[str, Any] = Field(
        description=(
            "The event's data, as its message's schema says: `{}` when `dataref` names a claim check holding it,"
            " and without a restricted section's fields (moved to `restrictedref`) for all but its audience,"
            " whose claim redeemer puts them back before its anti-corruption layer reads them."
        )
    )
    correlationid: str | SkipJsonSchema[None] = _optional("Ties a reply to its request: the order id.")
    replyto: str | SkipJsonSchema[None] = _optional("Queue URL the consumer replies on (request/reply).")
    callbackid: str | SkipJsonSchema[None] = _optional(
        "The durable execution callback a saga waits on: the consumer answers it instead of replying.",
    )
    dataref: str | SkipJsonSchema[None] = _optional(
        "Claim check: where `data` is stored (presigned HTTPS URL, or s3://bucket/key).",
    )
    datadigest: str | SkipJsonSchema[None] = _optional("sha256-<base64> of the stored data, checked by the reader.")
    restrictedref: str | SkipJsonSchema[None] = _optional(
        "Claim check of fields for one audience only (s3://bucket/restricted/<audience>/...).",
    )
    restricteddigest: str | SkipJsonSchema[None] = _optional("sha256-<base64> of the restricted section.")
    traceparent: str | SkipJsonSchema[None] = _optional(
        "W3C trace context of the publishing span (distributed tracing)."
    )
    tracestate: str | SkipJsonSchema[None] = _optional("W3C trace state, if any.")
