"""The catalog's CloudEvents envelope names the extension attributes the library really sets."""

from __future__ import annotations

from integration_patterns.claim_check import CLAIM_ATTRIBUTES
from integration_patterns.cloudevents_envelope import CORRELATION_ID, DURABLE_CALLBACK_ID, REPLY_TO
from integration_patterns.event_tracing import TRACEPARENT, TRACESTATE
from pizza_ops.catalog.envelope import CloudEvent

CORE_ATTRIBUTES = {"specversion", "id", "source", "type", "time", "subject", "datacontenttype", "data"}


def test_the_envelope_documents_every_extension_the_library_sets_by_its_name() -> None:
    # Given the extension attributes the library's patterns set (request/reply, saga callback,
    # claim checks, trace context)
    extensions = {CORRELATION_ID, REPLY_TO, DURABLE_CALLBACK_ID, *CLAIM_ATTRIBUTES, TRACEPARENT, TRACESTATE}
    # When the envelope's schema is generated
    properties = set(CloudEvent.model_json_schema(mode="serialization")["properties"])
    # Then it has exactly those, spelled alike, beside the core attributes
    assert properties == CORE_ATTRIBUTES | extensions


def test_an_extension_is_optional_and_never_null() -> None:
    # Given the envelope's schema
    schema = CloudEvent.model_json_schema(mode="serialization")
    # Then only the core attributes are required, and an absent extension is left out, not null
    assert set(schema["required"]) == CORE_ATTRIBUTES - {"subject"}
    assert schema["properties"][CORRELATION_ID] == {
        "description": schema["properties"][CORRELATION_ID]["description"],
        "title": "Correlationid",
        "type": "string",
    }
