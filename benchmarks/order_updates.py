"""Telling the user: how soon each status change reaches them by WebSocket, by webhook, and by
polling once a second, measured on the same orders in one run.

Starts the embedded stack (its default workflow, the saga: five status changes per order) with
this benchmark's own webhook receiver allowed as a callback origin. One customer watches their
orders over the WebSocket API; each order is placed with a callbackUrl at the receiver, and a
poller GETs its statusUrl once a second until it is final. For every status change, the delay from
the change's own time (the order's history, written by the function that made it) to when each
channel told the client. Same machine, same clock. Figures, not assertions.
"""

from __future__ import annotations

import json
import tempfile
import threading
import time
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
from benchmark_support import orders_argument, orders_url, print_figures
from websockets.sync.client import connect

from pizza_ops.deploy.emulator import free_port
from pizza_ops.stack import EmbeddedStack, EmbeddedStackConfig

FINAL = {"ACKNOWLEDGED", "CONFIRMED", "FAILED", "COMPENSATION_FAILED"}
CUSTOMER = "bench-watcher"
ORDER_PERIOD_SECONDS = 2.0
POLL_PERIOD_SECONDS = 1.0

# (orderId, sequence) -> when a channel told the client, epoch seconds.
Seen = dict[tuple[str, int], float]


def _receiver(port: int, seen: Seen) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            arrived = time.time()
            data = json.loads(self.rfile.read(int(self.headers["content-length"])))["data"]
            seen.setdefault((data["orderId"], data["sequence"]), arrived)
            self.send_response(204)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def _watch(url: str, seen: Seen, stop: threading.Event) -> None:
    with connect(url, open_timeout=30) as socket:
        while not stop.is_set():
            try:
                message = json.loads(socket.recv(timeout=0.5))
            except TimeoutError:
                continue
            seen.setdefault((message["orderId"], message["sequence"]), time.time())


def _poll(http: httpx.Client, status_url: str, seen: Seen, requests: list[int]) -> None:
    count = 0
    while True:
        count += 1
        order = http.get(status_url).json()
        now = time.time()
        for sequence, _ in enumerate(order["history"]):
            seen.setdefault((order["orderId"], sequence), now)
        if order["status"] in FINAL:
            requests.append(count)
            return
        time.sleep(POLL_PERIOD_SECONDS)


def main() -> None:
    count = orders_argument(__doc__)
    port = free_port()
    origin = f"http://127.0.0.1:{port}"
    environment = {"order-api": {"CALLBACK_URL_ALLOWED_ORIGINS": origin}}
    environment["order-webhook-dispatcher"] = {"CALLBACK_URL_ALLOWED_ORIGINS": origin}
    config = EmbeddedStackConfig(
        state_dir=Path(tempfile.mkdtemp()), emulator_port=0, otlp_port=0, extra_environment=environment
    )
    pushed: Seen = {}
    hooked: Seen = {}
    polled: Seen = {}
    changes: dict[tuple[str, int], float] = {}
    poll_requests: list[int] = []
    with EmbeddedStack(config) as stack, httpx.Client(timeout=30) as http:
        server = _receiver(port, hooked)
        api = orders_url(stack)
        order = {"customerId": CUSTOMER, "orderType": "collection", "items": [{"pizza": "Margherita", "quantity": 1}]}
        warm_up = http.post(f"{api}/orders", json=order).json()  # its watch URL, and warm functions
        time.sleep(10)
        stop = threading.Event()
        watcher = threading.Thread(target=_watch, args=(warm_up["watchUrl"], pushed, stop), daemon=True)
        watcher.start()
        time.sleep(2)
        pollers = []
        for index in range(count):
            accepted = http.post(f"{api}/orders", json={**order, "callbackUrl": f"{origin}/hooks/{index}"}).json()
            poller = threading.Thread(target=_poll, args=(http, accepted["statusUrl"], polled, poll_requests))
            poller.start()
            pollers.append((accepted["statusUrl"], poller))
            time.sleep(ORDER_PERIOD_SECONDS)
        for status_url, poller in pollers:
            poller.join(timeout=120)
            for sequence, change in enumerate(http.get(status_url).json()["history"]):
                changes[(status_url.rsplit("/", 1)[1], sequence)] = datetime.fromisoformat(change["at"]).timestamp()
        time.sleep(10)  # late webhooks and pushes
        stop.set()
        watcher.join(timeout=5)
        server.shutdown()

    def delays(seen: Seen) -> list[float]:
        return [(seen[key] - at) * 1000 for key, at in changes.items() if key in seen]

    print(f"{count} orders (saga), {len(changes)} status changes; one poll per {POLL_PERIOD_SECONDS:.0f} s\n")
    print_figures(
        {"websocket push": delays(pushed), "webhook": delays(hooked), "polling 1/s": delays(polled)},
        label="change → client",
        count="changes",
    )
    missed = {name: len(changes) - len(delays(seen)) for name, seen in (("websocket", pushed), ("webhook", hooked))}
    per_order = sum(poll_requests) / max(1, len(poll_requests))
    print(f"\nnot received: {missed}; polling: {per_order:.1f} GET requests per order")


if __name__ == "__main__":
    main()
