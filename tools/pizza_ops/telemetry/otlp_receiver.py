"""A small OTLP/HTTP trace receiver with a Jaeger-compatible read API.

It stands in for the OpenTelemetry Collector and Jaeger where neither is installed: services export
spans to `POST /v1/traces`, and the same JaegerQueryClient that reads a real Jaeger reads them back
from `GET /api/services`, `GET /api/traces` (tag search, `span.kind` included, up to `end`) and
`GET /api/traces/<id>`.

It also serves the live order page and trace waterfall at `/live/` (pizza_ops.live_page), whose
trace view then reads this API from its own origin; `page_config` tells the page where the orders
API is, once the stack is deployed.
"""

from __future__ import annotations

import functools
import json
import sys
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, urlsplit

from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceResponse

from pizza_ops.live_page import CONFIG_FILE, PAGE_PATH, PageConfig, page_file
from pizza_ops.telemetry.jaeger_json import to_jaeger_trace
from pizza_ops.telemetry.otlp_decoding import (
    JSON,
    OtlpDecodeError,
    UnsupportedContentType,
    decode_export_body,
    media_type,
)
from pizza_ops.telemetry.span_store import SpanStore

TRACES_PATH = "/v1/traces"
_JAEGER_TRACES_PATH = "/api/traces"
_JAEGER_SERVICES_PATH = "/api/services"
# Jaeger keeps the span kind as this tag (lower case); the store keeps it as the span's kind.
_SPAN_KIND_TAG = "span.kind"
# Jaeger's query service applies this limit when the request gives none (or 0).
_DEFAULT_SEARCH_LIMIT = 100


class OtlpReceiver:
    """Receives OTLP/HTTP trace exports into a SpanStore, serving them back Jaeger-style.

    Use as a context manager, or call start() and stop(). Port 0 picks a free port; `endpoint`
    tells which one.
    """

    def __init__(self, store: SpanStore, host: str = "127.0.0.1", port: int = 0) -> None:
        self._store = store
        self._host = host
        self._port = port
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._page_config: PageConfig | None = None

    @property
    def endpoint(self) -> str:
        """Base URL, e.g. "http://127.0.0.1:4318"; exporters append /v1/traces."""
        if self._server is None:
            raise RuntimeError("the receiver is not started")
        host = "127.0.0.1" if self._host in ("", "0.0.0.0") else self._host
        return f"http://{host}:{self._server.server_address[1]}"

    @property
    def traces_endpoint(self) -> str:
        """The URL an OTLP/HTTP span exporter posts to."""
        return self.endpoint + TRACES_PATH

    @property
    def page_url(self) -> str:
        """The live order page; its trace view is at `#/trace/<orderId>`."""
        return self.endpoint + PAGE_PATH

    @property
    def page_config(self) -> PageConfig | None:
        """What the page's /live/config.json says; None (the page answers 503) until it is set."""
        return self._page_config

    @page_config.setter
    def page_config(self, config: PageConfig | None) -> None:
        # The API's URL is known only after the deployment, which needs the receiver running first.
        self._page_config = config
        if self._server is not None:
            self._server.page_config = config

    def start(self) -> OtlpReceiver:
        """Bind the port and serve on a daemon thread; returns self."""
        if self._server is not None:
            raise RuntimeError("the receiver is already started")
        self._server = _Server((self._host, self._port), _Handler, self._store)
        self._server.page_config = self._page_config
        # A short poll interval keeps stop() quick: shutdown() waits for the loop's next poll.
        serve = functools.partial(self._server.serve_forever, poll_interval=0.05)
        self._thread = threading.Thread(target=serve, name="otlp-receiver", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and release the port. Safe to call twice."""
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join()
        self._server = None
        self._thread = None

    def __enter__(self) -> OtlpReceiver:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], handler: type[BaseHTTPRequestHandler], store: SpanStore):
        super().__init__(address, handler)
        self.store = store
        self.page_config: PageConfig | None = None

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client gone mid-connection (a Lambda worker stopped while its keep-alive connection
        was idle) is no error of ours: said nothing about. Anything else in one line, not a traceback."""
        error = sys.exc_info()[1]
        if isinstance(error, (ConnectionResetError, BrokenPipeError, ConnectionAbortedError)):
            return
        print(f"trace receiver: a request from {client_address[0]} failed: {error!r}", file=sys.stderr)


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    # Keep-alive, as the exporter's HTTP session expects; the timeout frees idle connections.
    protocol_version = "HTTP/1.1"
    timeout = 30

    def do_POST(self) -> None:
        body = self._read_body()
        if body is None:
            return
        if urlsplit(self.path).path != TRACES_PATH:
            self._reply_text(HTTPStatus.NOT_FOUND, f"no route for POST {self.path}")
            return
        content_type = self.headers.get("Content-Type")
        try:
            spans = decode_export_body(body, content_type, self.headers.get("Content-Encoding"))
        except UnsupportedContentType as error:
            self._reply_text(HTTPStatus.UNSUPPORTED_MEDIA_TYPE, str(error))
            return
        except OtlpDecodeError as error:
            self._reply_text(HTTPStatus.BAD_REQUEST, str(error))
            return
        self.server.store.add(spans)
        if media_type(content_type) == JSON:
            self._reply(HTTPStatus.OK, JSON, b"{}")
        else:
            self._reply(HTTPStatus.OK, "application/x-protobuf", ExportTraceServiceResponse().SerializeToString())

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        if url.path == "/health":
            self._reply_text(HTTPStatus.OK, "ok")
        elif url.path == _JAEGER_SERVICES_PATH:
            self._reply_json(HTTPStatus.OK, _envelope(self.server.store.service_names()))
        elif url.path == _JAEGER_TRACES_PATH:
            self._search_traces(parse_qs(url.query))
        elif url.path.startswith(_JAEGER_TRACES_PATH + "/"):
            self._get_trace(url.path.removeprefix(_JAEGER_TRACES_PATH + "/"))
        elif url.path == PAGE_PATH.rstrip("/"):
            # The page's relative links (app.js, config.json) resolve under /live/ only.
            self._reply_redirect(PAGE_PATH)
        elif url.path.startswith(PAGE_PATH):
            self._serve_page(url.path.removeprefix(PAGE_PATH))
        else:
            self._reply_text(HTTPStatus.NOT_FOUND, f"no route for GET {self.path}")

    def log_message(self, format: str, *args: Any) -> None:
        """Silence the per-request access log; it would drown test and CLI output."""

    def _search_traces(self, query: dict[str, list[str]]) -> None:
        try:
            tags = _search_tags(query)
            limit = int(query.get("limit", ["0"])[0] or 0) or _DEFAULT_SEARCH_LIMIT
            window = _search_window(query)
        except ValueError as error:
            self._reply_jaeger_error(HTTPStatus.BAD_REQUEST, str(error))
            return
        service = query.get("service", [None])[0] or None
        kind = tags.pop(_SPAN_KIND_TAG, None)
        store = self.server.store
        trace_ids = store.trace_ids_matching(
            tags, service_name=service, limit=max(limit, 1), kind=kind, started_between=window
        )
        found = [(trace_id, store.spans_of_trace(trace_id)) for trace_id in trace_ids]
        # A trace pruned between the search and the read is left out, not sent empty.
        traces = [to_jaeger_trace(trace_id, spans) for trace_id, spans in found if spans]
        self._reply_json(HTTPStatus.OK, _envelope(traces))

    def _get_trace(self, raw_trace_id: str) -> None:
        trace_id = raw_trace_id.strip("/").lower().zfill(32)
        if len(trace_id) != 32 or any(char not in "0123456789abcdef" for char in trace_id):
            self._reply_jaeger_error(HTTPStatus.BAD_REQUEST, f"cannot parse traceID {raw_trace_id!r}")
            return
        spans = self.server.store.spans_of_trace(trace_id)
        if not spans:
            self._reply_jaeger_error(HTTPStatus.NOT_FOUND, "trace not found")
            return
        self._reply_json(HTTPStatus.OK, _envelope([to_jaeger_trace(trace_id, spans)]))

    def _serve_page(self, name: str) -> None:
        if name == CONFIG_FILE:
            config = self.server.page_config
            if config is None:
                self._reply_text(HTTPStatus.SERVICE_UNAVAILABLE, "the stack is not deployed yet")
            else:
                self._reply_json(HTTPStatus.OK, config.to_json())
            return
        found = page_file(name)
        if found is None:
            self._reply_text(HTTPStatus.NOT_FOUND, f"no page file {name!r}")
            return
        self._reply(HTTPStatus.OK, found.content_type, found.body)

    def _read_body(self) -> bytes | None:
        length = self.headers.get("Content-Length")
        if length is None or not length.isdigit():
            # The unread body (chunked, say) would be parsed as the next request: hang up after.
            self.close_connection = True
            self._reply_text(HTTPStatus.LENGTH_REQUIRED, "a Content-Length header is required")
            return None
        return self.rfile.read(int(length))

    def _reply_jaeger_error(self, status: HTTPStatus, message: str) -> None:
        body = {"data": None, "total": 0, "limit": 0, "offset": 0, "errors": [{"code": status, "msg": message}]}
        self._reply_json(status, body)

    def _reply_json(self, status: HTTPStatus, document: Any) -> None:
        self._reply(status, JSON, json.dumps(document).encode())

    def _reply_text(self, status: HTTPStatus, text: str) -> None:
        self._reply(status, "text/plain; charset=utf-8", text.encode())

    def _reply_redirect(self, location: str) -> None:
        self.send_response(HTTPStatus.MOVED_PERMANENTLY)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _reply(self, status: HTTPStatus, content_type: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        # The page's files change with the code, and a stale app.js with a new stack misleads.
        self.send_header("Cache-Control", "no-cache")
        self.end_headers()
        self.wfile.write(body)


def _search_tags(query: dict[str, list[str]]) -> dict[str, str]:
    """Tags from `tags=<JSON object>` and Jaeger's older repeated `tag=key:value` form."""
    tags: dict[str, str] = {}
    for raw in query.get("tags", []):
        try:
            parsed = json.loads(raw)
        except json.JSONDecodeError as error:
            raise ValueError(f"tags is not JSON: {error}") from error
        if not isinstance(parsed, dict):
            raise ValueError("tags must be a JSON object")
        tags.update({str(key): _tag_text(value) for key, value in parsed.items()})
    for raw in query.get("tag", []):
        key, separator, value = raw.partition(":")
        if not separator:
            raise ValueError(f"tag {raw!r} is not key:value")
        tags[key] = value
    return tags


def _tag_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _envelope(data: list[Any]) -> dict[str, Any]:
    return {"data": data, "total": len(data), "limit": 0, "offset": 0, "errors": None}


def _search_window(query: dict[str, list[str]]) -> tuple[int, int] | None:
    """Jaeger's `end` (Unix microseconds) as a window in nanoseconds. Its `start` is not applied:
    the store holds one stack's spans, and a span file of an earlier day stays searchable."""
    end = query.get("end", [""])[0]
    if not end:
        return None
    try:
        # Whole microseconds, as Jaeger compares: a span started within the end's microsecond is in.
        return (0, (int(end) + 1) * 1000 - 1)
    except ValueError:
        raise ValueError("end is a Unix time in microseconds") from None
