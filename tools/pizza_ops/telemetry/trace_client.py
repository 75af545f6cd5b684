"""A client for the Jaeger query API, served by a real Jaeger (port 16686) or by OtlpReceiver."""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from datetime import timedelta
from types import TracebackType
from typing import Any

import httpx

from pizza_ops.telemetry.jaeger_json import from_jaeger_trace
from pizza_ops.telemetry.span_model import Trace


class TraceNotFound(LookupError):
    """The query service has no trace with the requested id."""


class JaegerQueryClient:
    """Finds and fetches traces through Jaeger's HTTP query API.

    An injected httpx.Client stays the caller's to close; one created here is closed by close().
    """

    def __init__(self, base_url: str, http: httpx.Client | None = None, timeout: float = 5.0) -> None:
        self._base_url = base_url.rstrip("/")
        self._owns_http = http is None
        self._http = http if http is not None else httpx.Client(timeout=timeout)

    def find_traces(
        self,
        tags: Mapping[str, str],
        service: str,
        limit: int = 20,
        lookback: timedelta = timedelta(hours=1),
        until: timedelta = timedelta(0),
    ) -> list[Trace]:
        """Whole traces having a span of `service` that carries every tag, most recent first.

        Jaeger keeps a span's kind as the tag `span.kind` (lower case, e.g. "consumer"). The
        search window ends `until` ago and starts `lookback` before now (the matching span's start).
        """
        end_us = (time.time_ns() - int(until.total_seconds() * 1e9)) // 1000
        params = {
            "service": service,
            "tags": json.dumps(dict(tags)),
            "limit": str(limit),
            "start": str(time.time_ns() // 1000 - int(lookback.total_seconds() * 1_000_000)),
            "end": str(end_us),
        }
        document = self._get("/api/traces", params)
        return [from_jaeger_trace(trace) for trace in document.get("data") or []]

    def services(self) -> list[str]:
        """Every service the query service has spans of, as `GET /api/services` lists them."""
        return [str(name) for name in self._get("/api/services", {}).get("data") or []]

    def get_trace(self, trace_id: str) -> Trace:
        """The trace with this id; raises TraceNotFound if the query service has none."""
        document = self._get(f"/api/traces/{trace_id}", {})
        traces = document.get("data") or []
        if not traces:
            raise TraceNotFound(trace_id)
        return from_jaeger_trace(traces[0])

    def close(self) -> None:
        """Close the HTTP client if this object created it."""
        if self._owns_http:
            self._http.close()

    def __enter__(self) -> JaegerQueryClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def _get(self, path: str, params: Mapping[str, str]) -> dict[str, Any]:
        response = self._http.get(self._base_url + path, params=params)
        if response.status_code == httpx.codes.NOT_FOUND and path.startswith("/api/traces/"):
            raise TraceNotFound(path.removeprefix("/api/traces/"))
        response.raise_for_status()
        return response.json()
