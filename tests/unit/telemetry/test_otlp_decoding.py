from __future__ import annotations

import gzip
import json
import zlib
from typing import Any

import pytest

from pizza_ops.telemetry import OtlpDecodeError, decode_export_body

TRACE_ID = "5b8efff798038103d269b633813fc60c"


def _json_request(**span_fields: Any) -> bytes:
    span = {"traceId": TRACE_ID, "spanId": "eee19b7ec3c1b174", "name": "work", **span_fields}
    return json.dumps({"resourceSpans": [{"scopeSpans": [{"spans": [span]}]}]}).encode()


def test_every_attribute_value_type_becomes_a_python_value() -> None:
    # Given a span with string, int, double, bool, array, map and bytes attributes
    def attribute(key: str, value: dict[str, Any]) -> dict[str, Any]:
        return {"key": key, "value": value}

    body = _json_request(
        attributes=[
            attribute("s", {"stringValue": "x"}),
            attribute("i", {"intValue": "9007199254740993"}),
            attribute("d", {"doubleValue": 0.25}),
            attribute("b", {"boolValue": True}),
            attribute("a", {"arrayValue": {"values": [{"intValue": 1}, {"intValue": "2"}]}}),
            attribute("m", {"kvlistValue": {"values": [attribute("k", {"stringValue": "v"})]}}),
            attribute("raw", {"bytesValue": "AQI="}),
            attribute("empty", {}),
        ]
    )

    # When the body is decoded
    (span,) = decode_export_body(body, "application/json")

    # Then values are typed, maps become JSON text, and an empty value is dropped
    assert span.attributes == {
        "s": "x",
        "i": 9007199254740993,
        "d": 0.25,
        "b": True,
        "a": [1, 2],
        "m": '{"k":"v"}',
        "raw": "AQI=",
    }
    assert (span.service_name, span.kind, span.status_code, span.parent_span_id) == (
        "unknown_service",
        "INTERNAL",
        "UNSET",
        None,
    )


def test_link_ids_and_named_enums_in_json_are_understood() -> None:
    # Given a JSON span with enum names and a link written with hex ids
    body = _json_request(
        kind="SPAN_KIND_PRODUCER",
        status={"code": "STATUS_CODE_ERROR", "message": "nope"},
        links=[{"traceId": "0af7651916cd43dd8448eb211c80319c", "spanId": "b7ad6b7169203331"}],
    )

    # When it is decoded
    (span,) = decode_export_body(body, "application/json; charset=utf-8")

    # Then the link keeps its hex ids and the enums their short names
    assert [(link.trace_id, link.span_id) for link in span.links] == [
        ("0af7651916cd43dd8448eb211c80319c", "b7ad6b7169203331")
    ]
    assert (span.kind, span.status_code, span.status_message) == ("PRODUCER", "ERROR", "nope")


@pytest.mark.parametrize("compress", [gzip.compress, zlib.compress], ids=["gzip", "deflate"])
def test_compressed_bodies_are_inflated(compress: Any) -> None:
    # Given a compressed body, labelled with its encoding
    encoding = "gzip" if compress is gzip.compress else "deflate"

    # When it is decoded
    spans = decode_export_body(compress(_json_request()), "application/json", encoding)

    # Then its span comes out
    assert [span.trace_id for span in spans] == [TRACE_ID]


@pytest.mark.parametrize(
    ("body", "encoding", "reason"),
    [
        (_json_request(traceId="not-hex"), None, "not hex"),
        (_json_request(traceId="00" * 16), None, "trace id"),
        (_json_request(spanId="abcd"), None, "span id"),
        (gzip.compress(_json_request())[:-8], "gzip", "truncated"),
        (_json_request(), "br", "Content-Encoding"),
        (b"[1, 2]", None, "JSON object"),
    ],
    ids=["non-hex id", "zero trace id", "short span id", "truncated gzip", "unknown encoding", "json array"],
)
def test_malformed_bodies_are_refused_with_a_reason(body: bytes, encoding: str | None, reason: str) -> None:
    # Given a malformed body
    # When it is decoded
    # Then decoding fails, saying why
    with pytest.raises(OtlpDecodeError, match=reason):
        decode_export_body(body, "application/json", encoding)
