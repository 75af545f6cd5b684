"""The two checks every anti-corruption layer makes first: is this a type (and version) I take, and
does its data hold what I need? Both fail with a support-friendly :class:`InvalidMessage`."""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
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
    return "; ".join(f"{field_path(e['loc'])}: {e['msg']}" for e in error.errors(include_url=False))


# A key shown in a field's path: a plain ASCII name of reasonable length. Any other key (a script
# tag, 2,000 characters, escape codes) is input that must not be echoed, and is shown as "(key)".
_SHOWN_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")


def field_path(location: Sequence[int | str], whole: str = "data") -> str:
    """A validation error's location as a dotted path (``items.0.pizza``), ``whole`` when empty.

    Keys that are not plain names are input, not field names, and are shown as ``(key)``.
    """
    parts = (str(part) if isinstance(part, int) or _SHOWN_KEY.fullmatch(part) else "(key)" for part in location)
    return ".".join(parts) or whole


# Field types an anti-corruption layer uses for what it will store or compute with, so anything a
# store cannot hold is refused by validation, before any write, instead of failing every retry.
# A business identifier: it becomes a DynamoDB key (at most 2,048 bytes) and a span attribute.
Identifier = Annotated[str, StringConstraints(min_length=1, max_length=MAX_IDENTIFIER_LENGTH)]
# A money amount as a JSON number: finite, not negative, within what a DynamoDB number can hold.
Amount = Annotated[float, Field(ge=0, le=MAX_AMOUNT, strict=True, allow_inf_nan=False)]
# A money amount as decimal text ("17.50"): at most 12 whole digits and 6 decimals.
DecimalText = Annotated[str, StringConstraints(pattern=r"^[0-9]{1,12}(\.[0-9]{1,6})?$")]
