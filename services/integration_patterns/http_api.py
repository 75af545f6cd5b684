"""HTTP API (API Gateway v2, payload 2.0) mechanics: server spans, validation problems, idempotency keys."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from opentelemetry import trace
from opentelemetry.trace import Span, SpanKind
from pydantic import ValidationError

_tracer = trace.get_tracer(__name__)

IDEMPOTENCY_KEY_HEADER = "Idempotency-Key"
MAX_IDEMPOTENCY_KEY_LENGTH = 255


class InvalidIdempotencyKey(ValueError):
    """The request's Idempotency-Key header cannot be used as a key."""


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


def validation_problems(error: ValidationError) -> list[dict[str, str]]:
    """One entry per bad field: its dotted path (``items.0.quantity``) and a readable reason."""
    problems = []
    for issue in error.errors(include_url=False, include_context=False, include_input=False):
        path = ".".join(str(part) for part in issue["loc"]) or "body"
        problems.append({"field": path, "reason": issue["msg"]})
    return problems


def base_url_of(event: Mapping[str, Any], configured: str | None) -> str:
    """The API's public base URL: the configured one, else derived from the request itself."""
    if configured:
        return configured.rstrip("/")
    context = event.get("requestContext") or {}
    stage = context.get("stage", "$default")
    prefix = "" if stage == "$default" else f"/{stage}"
    return f"https://{context.get('domainName', 'localhost')}{prefix}"


def idempotency_key_of(headers: Mapping[str, str] | None) -> str | None:
    """The request's ``Idempotency-Key`` header, or None when it has none.

    Raises :class:`InvalidIdempotencyKey` for an empty key or one longer than 255 characters.
    """
    # Payload 2.0 lower-cases header names; other front ends may not, so match either spelling.
    lowered = {name.lower(): value for name, value in (headers or {}).items()}
    key = lowered.get(IDEMPOTENCY_KEY_HEADER.lower())
    if key is None:
        return None
    if not key.strip():
        raise InvalidIdempotencyKey(f"the {IDEMPOTENCY_KEY_HEADER} header is empty")
    if len(key) > MAX_IDEMPOTENCY_KEY_LENGTH:
        raise InvalidIdempotencyKey(
            f"the {IDEMPOTENCY_KEY_HEADER} header is {len(key)} characters long; "
            f"at most {MAX_IDEMPOTENCY_KEY_LENGTH} are allowed"
        )
    return key
