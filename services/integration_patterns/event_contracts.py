"""The two checks every anti-corruption layer makes first: is this a type (and version) I take, and
does its data hold what I need? Both fail with a support-friendly :class:`InvalidMessage`."""

from __future__ import annotations

from collections.abc import Collection
from typing import Annotated, TypeVar

from cloudevents.core.base import BaseCloudEvent
from pydantic import BaseModel, Field, StringConstraints, ValidationError

from integration_patterns.cloudevents_envelope import EventType
from integration_patterns.errors import InvalidMessage

ModelT = TypeVar("ModelT", bound=BaseModel)

MAX_IDENTIFIER_LENGTH = 256
MAX_AMOUNT = 1_000_000_000.0


def supported_type(event: BaseCloudEvent, supported: Collection[EventType], consumer: str) -> EventType:
    """The event's type, if ``consumer`` supports it; otherwise a refusal naming what it does support."""
    names = ", ".join(str(t) for t in supported)
    refusal = f"type: not one the {consumer} supports (supported: {names})"
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
        raise InvalidMessage(f"data is not a valid {what}: {field_problems(error)}") from None


def field_problems(error: ValidationError) -> str:
    """Each bad field's path and the rule it broke. Pydantic's messages name rules, not values, for
    the checks used here; the location's keys are input, so only declared field names are kept."""
    return "; ".join(f"{_path(e['loc'])}: {e['msg']}" for e in error.errors(include_url=False))


def _path(location: tuple[int | str, ...]) -> str:
    return ".".join(str(part) if isinstance(part, int) or part.isidentifier() else "(key)" for part in location) or (
        "data"
    )


# Field types an anti-corruption layer uses for what it will store or compute with, so anything a
# store cannot hold is refused by validation, before any write, instead of failing every retry.
# A business identifier: it becomes a DynamoDB key (at most 2,048 bytes) and a span attribute.
Identifier = Annotated[str, StringConstraints(min_length=1, max_length=MAX_IDENTIFIER_LENGTH)]
# A money amount as a JSON number: finite, not negative, within what a DynamoDB number can hold.
Amount = Annotated[float, Field(ge=0, le=MAX_AMOUNT, strict=True, allow_inf_nan=False)]
# A money amount as decimal text ("17.50"): at most 12 whole digits and 6 decimals.
DecimalText = Annotated[str, StringConstraints(pattern=r"^[0-9]{1,12}(\.[0-9]{1,6})?$")]
