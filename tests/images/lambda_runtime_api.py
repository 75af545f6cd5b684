"""A Lambda Runtime API (2018-06-01) served on loopback, for a function's image to run against.

The runtime interface client in the image asks for the next invocation, runs the handler and posts
its response or error back, as it does on Lambda: the test queues an event and waits for the answer.
"""

from __future__ import annotations

import json
import queue
import threading
import time
import uuid
from concurrent.futures import Future
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

_PREFIX = "/2018-06-01/runtime"


@dataclass(frozen=True)
class Invocation:
    """What the runtime posted back for one event: its response, or its error (``errorType``...)."""

    request_id: str
    response: Any = None
    error: dict[str, Any] | None = None


@dataclass
class _Pending:
    request_id: str
    event: Any
    answer: Future[Invocation] = field(default_factory=Future)


class LambdaRuntimeApi:
    """Serves one function's invocations, one at a time, as Lambda's Runtime API does."""

    def __init__(self, function_arn: str, timeout_seconds: int = 30) -> None:
        self.function_arn = function_arn
        self.timeout_seconds = timeout_seconds
        self.init_errors: list[dict[str, Any]] = []
        self._queue: queue.Queue[_Pending] = queue.Queue()
        self._pending: dict[str, _Pending] = {}
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def address(self) -> str:
        """AWS_LAMBDA_RUNTIME_API's value: host and port."""
        host, port = self._server.server_address[:2]
        return f"{host!s}:{port}"

    def __enter__(self) -> LambdaRuntimeApi:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def invoke(self, event: Any, timeout_seconds: float = 60) -> Invocation:
        """Hand ``event`` to the next GET .../invocation/next and wait for its answer."""
        pending = _Pending(str(uuid.uuid4()), event)
        self._pending[pending.request_id] = pending
        self._queue.put(pending)
        deadline = time.monotonic() + timeout_seconds
        while time.monotonic() < deadline:
            # A runtime that could not load its handler says so at /runtime/init/error instead.
            if self.init_errors:
                return Invocation(pending.request_id, error=self.init_errors[0])
            try:
                return pending.answer.result(timeout=0.2)
            except TimeoutError:
                continue
        raise TimeoutError(f"no answer to invocation {pending.request_id} within {timeout_seconds} s")

    def next_invocation(self) -> _Pending:
        return self._queue.get()

    def answer(self, request_id: str, *, response: Any = None, error: dict[str, Any] | None = None) -> bool:
        pending = self._pending.pop(request_id, None)
        if pending is None:
            return False
        pending.answer.set_result(Invocation(request_id, response, error))
        return True


def _handler_for(api: LambdaRuntimeApi) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            if self.path != f"{_PREFIX}/invocation/next":
                self._reply(404, {"errorMessage": f"no route {self.path}"})
                return
            pending = api.next_invocation()
            deadline_ms = int((time.time() + api.timeout_seconds) * 1000)
            self._reply(
                200,
                pending.event,
                {
                    "Lambda-Runtime-Aws-Request-Id": pending.request_id,
                    "Lambda-Runtime-Deadline-Ms": str(deadline_ms),
                    "Lambda-Runtime-Invoked-Function-Arn": api.function_arn,
                    "Lambda-Runtime-Trace-Id": f"Root=1-{int(time.time()):08x}-{uuid.uuid4().hex[:24]};Sampled=0",
                },
            )

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            parts = self.path.removeprefix(_PREFIX).strip("/").split("/")
            if parts == ["init", "error"]:
                api.init_errors.append(json.loads(body or b"{}"))
                self._reply(202, {"status": "OK"})
            elif len(parts) == 3 and parts[0] == "invocation" and parts[2] in ("response", "error"):
                answered = (
                    api.answer(parts[1], response=json.loads(body) if body else None)
                    if parts[2] == "response"
                    else api.answer(parts[1], error=json.loads(body or b"{}"))
                )
                self._reply(202 if answered else 400, {"status": "OK" if answered else "unknown request id"})
            else:
                self._reply(404, {"errorMessage": f"no route {self.path}"})

        def _reply(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
            payload = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler
