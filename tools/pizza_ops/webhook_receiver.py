"""A local webhook receiver (the tests', and `pizza chaos webhook-receiver-down`'s): records every
request; each path answers its own way.

``/ok/…`` answers 204; ``/down/…`` answers 503 (a receiver that is down); ``/slow/…`` answers 204
after ``slow_seconds`` (longer than the dispatcher waits: a receiver too slow to answer);
``/redirect/…`` answers 302 to ``redirect_to`` (a redirect towards an address the dispatcher must
never call).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType


@dataclass(frozen=True)
class ReceivedRequest:
    path: str
    headers: dict[str, str]
    body: bytes
    received_at: float = field(default_factory=time.monotonic)


class WebhookReceiver:
    def __init__(
        self, port: int, redirect_to: str = "http://169.254.169.254/latest/meta-data/", slow_seconds: float = 0
    ) -> None:
        self.requests: list[ReceivedRequest] = []
        self.redirect_to = redirect_to
        self.slow_seconds = slow_seconds
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length") or 0))
                receiver.requests.append(ReceivedRequest(self.path, dict(self.headers.items()), body))
                if self.path.startswith("/slow/"):
                    time.sleep(receiver.slow_seconds)
                if self.path.startswith("/down/"):
                    self.send_response(503)
                elif self.path.startswith("/redirect/"):
                    self.send_response(302)
                    self.send_header("Location", receiver.redirect_to)
                else:
                    self.send_response(204)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def origin(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def to(self, path: str) -> list[ReceivedRequest]:
        return [request for request in list(self.requests) if request.path == path]

    def __enter__(self) -> WebhookReceiver:
        self._thread.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._server.shutdown()
        self._server.server_close()
