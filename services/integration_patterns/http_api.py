"""HTTP API (API Gateway v2, payload 2.0) mechanics: server spans, reading a JSON body, validation
problems, idempotency keys, and the field types an edge uses for text, times and path identifiers.

Every refusal here names the field (a JSON path, a header, ``body``) and the rule it broke, never
the value: an error body, like a log line, must not echo what the client sent.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Annotated, Any

from opentelemetry import trace
from opentelemetry.trace import Span, SpanKind
from pydantic import AfterValidator, AwareDatetime, BeforeValidator, Strict, ValidationError
from pydantic_core import PydanticCustomError

from integration_patterns.event_contracts import MAX_IDENTIFIER_LENGTH, field_path

_tracer = trace.get_tracer(__name__)

IDEMPOTENCY_KEY_HEADER = "Idempotency-Key"
MAX_IDEMPOTENCY_KEY_LENGTH = 255
CONTENT_TYPE_HEADER = "Content-Type"
JSON_MEDIA_TYPE = "application/json"

Problem = dict[str, str]


class InvalidIdempotencyKey(ValueError):
    """The request's Idempotency-Key header cannot be used as a key."""


class UnsupportedMediaType(ValueError):
    """The request's body is not declared as JSON (an HTTP 415)."""


class PayloadTooLarge(ValueError):
    """The request's body is larger than the route takes (an HTTP 413)."""


class BadRequest(ValueError):
    """The request cannot be read: each problem names a field and the rule it broke (an HTTP 400)."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        super().__init__("; ".join(f"{p['field']}: {p['reason']}" for p in problems))
        self.problems = list(problems)


@contextmanager
def http_server_span(event: Mapping[str, Any]) -> Iterator[Span]:
    """A SERVER span named after the matched route (``POST /orders``), with HTTP attributes."""
    http = (event.get("requestContext") or {}).get("http") or {}
    route = str(event.get("routeKey") or "$default")
    with _tracer.start_as_current_span(
        route,
        kind=SpanKind.SERVER,
        attributes={
            "http.request.method": http.get("method", ""),
            "http.route": route.split(" ", 1)[-1],
            "url.path": str(event.get("rawPath", "")),
        },
    ) as span:
        yield span


def record_response_status(span: Span, response: Mapping[str, Any]) -> None:
    status = int(response.get("statusCode", 0))
    span.set_attribute("http.response.status_code", status)
    if status >= 500:
        span.set_status(trace.Status(trace.StatusCode.ERROR))


def validation_problems(error: ValidationError) -> list[Problem]:
    """One entry per bad field: its dotted path (``items.0.quantity``) and a readable reason.

    Neither quotes the input: pydantic's messages name the rule, and keys that are not plain names
    (an unexpected ``<script>`` key, say) are shown as ``(key)``.
    """
    return [
        {"field": field_path(issue["loc"], whole="body"), "reason": issue["msg"]}
        for issue in error.errors(include_url=False, include_context=False, include_input=False)
    ]


def base_url_of(event: Mapping[str, Any], configured: str | None) -> str:
    """The API's public base URL: the configured one, else derived from the request itself."""
    if configured:
        return configured.rstrip("/")
    context = event.get("requestContext") or {}
    stage = context.get("stage", "$default")
    prefix = "" if stage == "$default" else f"/{stage}"
    return f"https://{context.get('domainName', 'localhost')}{prefix}"


def header(headers: Mapping[str, str] | None, name: str) -> str | None:
    """The value of the header ``name``, whatever the case of its name; None when absent."""
    # Payload 2.0 lower-cases header names; other front ends may not, so match either spelling.
    wanted = name.lower()
    return next((value for key, value in (headers or {}).items() if key.lower() == wanted), None)


def idempotency_key_of(headers: Mapping[str, str] | None) -> str | None:
    """The request's ``Idempotency-Key`` header, or None when it has none.

    Raises :class:`InvalidIdempotencyKey` for an empty key, one longer than 255 characters, or one
    with characters that would not show in a log line (the key is logged with a replay).
    """
    key = header(headers, IDEMPOTENCY_KEY_HEADER)
    if key is None:
        return None
    if not key.strip():
        raise InvalidIdempotencyKey(f"the {IDEMPOTENCY_KEY_HEADER} header is empty")
    if len(key) > MAX_IDEMPOTENCY_KEY_LENGTH:
        raise InvalidIdempotencyKey(
            f"the {IDEMPOTENCY_KEY_HEADER} header is {len(key)} characters long; "
            f"at most {MAX_IDEMPOTENCY_KEY_LENGTH} are allowed"
        )
    problem = text_problem(key)
    if problem:
        raise InvalidIdempotencyKey(f"the {IDEMPOTENCY_KEY_HEADER} header {problem}")
    return key


# --- The body ---------------------------------------------------------------------------------

_JSON_ONLY = f"must be {JSON_MEDIA_TYPE}, optionally with charset=utf-8"


def json_body_of(event: Mapping[str, Any], max_bytes: int | None = None) -> str:
    """The request's body as JSON text, for a model's ``model_validate_json``.

    Raises :class:`UnsupportedMediaType` unless the Content-Type is ``application/json``
    (optionally ``; charset=utf-8``). A missing Content-Type is refused too: API Gateway hands such
    a body over base64-encoded, as binary, like an image, and guessing that it is JSON is how
    an ``image/png`` or a form came to be read as an order.

    Raises :class:`PayloadTooLarge` for a body over ``max_bytes`` (UTF-8), and
    :class:`BadRequest` for a body that is not UTF-8, or that has an object with the same
    key twice (JSON parsers differ on which one counts; here neither does).
    """
    if not is_json_media_type(header(event.get("headers"), CONTENT_TYPE_HEADER)):
        raise UnsupportedMediaType(f"{CONTENT_TYPE_HEADER} {_JSON_ONLY}")
    text = _text_of(event)
    if max_bytes is not None and len(text.encode("utf-8")) > max_bytes:
        raise PayloadTooLarge(f"the body is larger than {max_bytes:,} bytes")
    duplicated = duplicate_key_paths(text)
    if duplicated:
        raise BadRequest(
            [{"field": path, "reason": "this key appears more than once in its object"} for path in duplicated]
        )
    return text


def is_json_media_type(content_type: str | None) -> bool:
    """Whether ``content_type`` is ``application/json``, with no parameter but ``charset=utf-8``."""
    if content_type is None:
        return False
    media_type, *parameters = (part.strip() for part in content_type.split(";"))
    if media_type.lower() != JSON_MEDIA_TYPE:
        return False
    for parameter in parameters:
        name, _, value = parameter.partition("=")
        if name.strip().lower() != "charset" or value.strip().strip('"').lower() != "utf-8":
            return False
    return True


def _text_of(event: Mapping[str, Any]) -> str:
    body = event.get("body") or ""
    if not event.get("isBase64Encoded"):
        return str(body)
    try:
        return base64.b64decode(body, validate=True).decode("utf-8")
    except binascii.Error:
        raise BadRequest([{"field": "body", "reason": "is marked base64-encoded but is not"}]) from None
    except UnicodeDecodeError:
        raise BadRequest([{"field": "body", "reason": "is not valid UTF-8"}]) from None


class _JsonObject(dict[str, Any]):
    """A parsed JSON object that remembers the keys it had more than once."""

    duplicated: list[str]


def _object_of(pairs: list[tuple[str, Any]]) -> _JsonObject:
    parsed = _JsonObject()
    parsed.duplicated = []
    for key, value in pairs:
        if key in parsed and key not in parsed.duplicated:
            parsed.duplicated.append(key)
        parsed[key] = value
    return parsed


def duplicate_key_paths(text: str) -> list[str]:
    """The path of every key that appears twice in one object of the JSON ``text``, in document order.

    Text that is not JSON has none: the model that parses it next says why it is not JSON.
    """
    try:
        # Lenient (numbers are not converted, control characters are allowed), so that whatever the
        # model's stricter parser accepts is checked here too.
        document = json.loads(
            text,
            object_pairs_hook=_object_of,
            strict=False,
            parse_int=lambda _: 0,
            parse_float=lambda _: 0,
            parse_constant=lambda _: 0,
        )
    except (ValueError, RecursionError):
        return []
    found: list[str] = []
    pending: list[tuple[Any, tuple[int | str, ...]]] = [(document, ())]
    while pending:  # not recursive: the document may be nested as deep as the parser allows
        value, location = pending.pop()
        if isinstance(value, _JsonObject):
            found += [field_path((*location, key), whole="body") for key in value.duplicated]
            pending += [(child, (*location, key)) for key, child in reversed(value.items())]
        elif isinstance(value, list):
            pending += [(child, (*location, index)) for index, child in reversed(list(enumerate(value)))]
    return found


# --- Field types for the edge ------------------------------------------------------------------

# Characters a free-text field refuses anywhere: controls (Cc: escape codes, NUL, line breaks, tabs
# inside the text), format characters (Cf: zero-width spaces and joiners, bidirectional overrides,
# the byte order mark, soft hyphens), line and paragraph separators, surrogates, and U+FFFD, which
# stands in for bytes that were not valid UTF-8. They hide text, reorder it, or drive a terminal.
_REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})
_REPLACEMENT_CHARACTER = "\ufffd"
# Characters that are not spaces to Unicode yet draw nothing (Hangul fillers, the blank braille cell).
_BLANK_GLYPHS = frozenset("\u115f\u1160\u3164\uffa0\u2800")
# What a visible character is not: a space, or a mark that only combines with the character before it.
_UNSEEN_CATEGORIES = frozenset({"Zs", "Mn", "Me"})

_REFUSED_CHARACTERS = (
    "must not contain control or format characters (Unicode categories Cc and Cf, such as escape codes, "
    "zero-width spaces or direction overrides), line separators or U+FFFD"
)
_NOTHING_VISIBLE = "must contain a visible character"


def text_problem(text: str) -> str | None:
    """Why ``text`` cannot be a free-text value (see :data:`PlainText`), or None when it can."""
    if any(unicodedata.category(c) in _REFUSED_CATEGORIES or c == _REPLACEMENT_CHARACTER for c in text):
        return _REFUSED_CHARACTERS
    if not any(unicodedata.category(c) not in _UNSEEN_CATEGORIES and c not in _BLANK_GLYPHS for c in text):
        return _NOTHING_VISIBLE
    return None


def _plain_text(text: str) -> str:
    problem = text_problem(text)
    if problem:
        raise PydanticCustomError("plain_text", problem)
    return text


# Free text a client sends (a name, an address line): it shows at least one visible character and
# holds no character that hides or reorders text or drives a terminal. Leading and trailing
# whitespace is the model's to strip (``str_strip_whitespace``), before this rule runs.
PlainText = Annotated[str, AfterValidator(_plain_text)]

# RFC 3339's date-time, with its offset required: 2025-03-14T13:00:00+01:00, or Z for UTC.
_RFC3339_DATE_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})", re.ASCII)


def _rfc3339_text(value: object) -> object:
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str) or not _RFC3339_DATE_TIME.fullmatch(value):
        raise PydanticCustomError(
            "rfc3339_date_time", "must be an RFC 3339 date-time with a UTC offset, e.g. 2025-03-14T13:00:00+01:00"
        )
    return value


# A moment as a client writes it: RFC 3339 text with an offset, and nothing else that pydantic
# would also take, even in strict mode (Unix seconds as a number or a numeric string, a date alone,
# a time without seconds, an offset without its colon). The text checked, pydantic parses it.
Rfc3339DateTime = Annotated[AwareDatetime, BeforeValidator(_rfc3339_text)]


def _whole_number(value: object) -> object:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


# A count a client sends. JSON has one kind of number, and JSON Schema's "integer" (what the API's
# OpenAPI document says) admits 2.0 as well as 2, so both are taken; a fraction, a number in a
# string ("2") or a boolean is refused, as strict validation alone would refuse 2.0 too.
WholeNumber = Annotated[int, BeforeValidator(_whole_number), Strict()]


def path_identifier(value: str, name: str) -> str:
    """``value``, a path parameter naming something stored (``orderId``), if it can be an identifier.

    Raises :class:`BadRequest` naming ``name`` when it is longer than an identifier may be (it
    becomes a DynamoDB key, at most 2,048 bytes) or is not plain text.
    """
    if len(value) > MAX_IDENTIFIER_LENGTH:
        raise BadRequest([{"field": name, "reason": f"must be at most {MAX_IDENTIFIER_LENGTH} characters long"}])
    problem = text_problem(value)
    if problem:
        raise BadRequest([{"field": name, "reason": problem}])
    return value
