"""A producer's model of what an event's ``data`` holds: the builder makes the data through it, and
the event catalog documents its JSON schema, so what is documented is what is sent.

A model's docstring says what the event means, each field's description what it holds; the JSON
names are the fields' names in camelCase.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, PlainSerializer, WithJsonSchema
from pydantic.alias_generators import to_camel


class EventData(BaseModel):
    """The base of every published event's data model.

    Built by field name (``order_id=``), sent by JSON name (``orderId``). A field the model does not
    declare is refused when the data is built, so nothing undocumented is sent; and each version's
    schema says it carries no other field.
    """

    model_config = ConfigDict(
        alias_generator=to_camel,
        validate_by_name=True,
        validate_by_alias=True,
        serialize_by_alias=True,
        extra="forbid",
        frozen=True,
        # "Placed at", not the title pydantic makes of the JSON name ("Placedat").
        field_title_generator=lambda name, _: name.replace("_", " ").capitalize(),
    )

    def to_data(self) -> dict[str, Any]:
        """The event's ``data``: JSON-ready, fields in their declared order, nulls kept."""
        return self.model_dump(mode="json")


def _isoformat(moment: datetime) -> str:
    return moment.isoformat()


# A moment with its UTC offset, sent as Python's ISO 8601 text (2025-03-14T12:00:00+00:00, with
# microseconds when it has some): RFC 3339, and the same text these events carried before they had
# models (pydantic's own form would write Z for UTC).
IsoDateTime = Annotated[
    AwareDatetime,
    PlainSerializer(_isoformat, return_type=str),
    WithJsonSchema({"type": "string", "format": "date-time"}),
]
