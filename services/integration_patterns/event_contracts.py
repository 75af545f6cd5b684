"""The two checks every anti-corruption layer makes first: is this a type (and version) I take, and
does its data hold what I need? Both fail with a support-friendly :class:`InvalidMessage`."""

from __future__ import annotations

from collections.abc import Collection
from typing import TypeVar

from cloudevents.core.base import BaseCloudEvent
from pydantic import BaseModel, ValidationError

from integration_patterns.cloudevents_envelope import EventType
from integration_patterns.errors import InvalidMessage

ModelT = TypeVar("ModelT", bound=BaseModel)


def supported_type(event: BaseCloudEvent, supported: Collection[EventType], consumer: str) -> EventType:
    """The event's type, if ``consumer`` supports it; otherwise a refusal naming what it does support."""
    names = ", ".join(str(t) for t in supported)
    refusal = (
        f"event {event.get_id()} has type {event.get_type()!r}, which the {consumer} does not support"
        f" (supported: {names})"
    )
    try:
        event_type = EventType.parse(event.get_type())
    except InvalidMessage:
        raise InvalidMessage(refusal) from None
    if event_type not in supported:
        raise InvalidMessage(refusal)
    return event_type


def validated_data(model: type[ModelT], event: BaseCloudEvent, what: str) -> ModelT:
    """``event``'s data as ``model``; a refusal naming every bad field (by path) otherwise.

    The refusal quotes no input values: they may be personal data, and it ends up in logs and DLQs.
    """
    try:
        return model.model_validate(event.get_data())
    except ValidationError as error:
        raise InvalidMessage(f"event {event.get_id()} is not a valid {what}: {field_problems(error)}") from None


def field_problems(error: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(p) for p in e['loc']) or 'data'}: {e['msg']}" for e in error.errors(include_url=False)
    )
