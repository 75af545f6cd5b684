"""Dropped WebSocket connections: under load, every order's client watches it over the WebSocket API
(the 202's watchUrl), and in turn some stay connected, some have their connection killed mid-flow
(the TCP socket reset: no close frame), some close it properly mid-flow, and some of those killed
connect again. The workflow must not notice (every order completes, each effect once); every
connection that ended must leave the connections table (through its $disconnect, or when a push to
it is answered 410 Gone); and a client still connected must have received every status change of
its order made while it was connected.
"""

from __future__ import annotations

import json
import socket
import struct
import threading
import time
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from websockets.sync.client import ClientConnection, connect

from integration_patterns.websocket_push import CONNECTED_AT
from pizza_ops.chaos.context import ChaosRun
from pizza_ops.chaos.order_watches import Change, Session, Watch, missed, owed, stale_connections
from pizza_ops.chaos.outcome import ChaosResult, Check
from pizza_ops.chaos.queues import wait_until
from pizza_ops.chaos.stuck import stuck_orders
from pizza_ops.dynamodb_items import batch_get
from pizza_ops.load import PlannedOrder
from pizza_ops.load.wiring import run_on_stack

CONNECTIONS_TABLE = "order-update-connections"
BY_CUSTOMER = "by-customer"  # the table's index of connections by customer (infra/system.yaml)
# A client that is to leave mid-flow leaves after its first update, or after this long without one.
LEAVE_AFTER_SECONDS = 1.5
RECONNECT_AFTER_SECONDS = 2.0
# How long a connected client may wait for its order's final update once the run has ended.
_FINAL_UPDATE_WITHIN_SECONDS = 30
_CLEANED_UP_WITHIN_SECONDS = 60


def dropped_websockets(run: ChaosRun) -> ChaosResult:
    stack = run.stack
    dynamodb = stack.client("dynamodb")
    connections_table = stack.table(CONNECTIONS_TABLE)
    watches: list[Watch] = []
    clients: list[_Client] = []
    stop = threading.Event()

    def watch(order: PlannedOrder, accepted: Mapping[str, Any]) -> None:
        client = _Client(Watch(order.seq, str(accepted["orderId"]), order.customer_id), str(accepted["watchUrl"]), stop)
        watches.append(client.watch)
        clients.append(client)
        client.start()

    try:
        load = run_on_stack(run.plan(), stack, run.on_progress, on_accepted=watch)
        # The clients still connected get their orders' last updates; the table forgets those that left.
        wait_until(lambda: all(client.done.is_set() for client in clients), _FINAL_UPDATE_WITHIN_SECONDS)
        customers = [w.customer_id for w in watches]
        registered: dict[str, list[float]] = {}

        def only_open_ones_registered() -> bool:
            registered.update(_registered(dynamodb, connections_table, customers))
            return all(stale_connections(w, registered.get(w.customer_id, [])) == 0 for w in watches)

        cleaned_up = wait_until(only_open_ones_registered, _CLEANED_UP_WITHIN_SECONDS, every=2.0)
        stale = {w.order_id: stale_connections(w, registered.get(w.customer_id, [])) for w in watches}
        open_registered = [w for w in watches if w.still_open and len(registered.get(w.customer_id, [])) == 1]
    finally:
        stop.set()
        for client in clients:
            client.join(timeout=10)
    # Closed at the end, the connections still open are forgotten too.
    left: dict[str, list[float]] = {}
    all_forgotten = wait_until(
        lambda: not left.update(_registered(dynamodb, connections_table, customers)) and not any(left.values()),
        _CLEANED_UP_WITHIN_SECONDS,
        every=2.0,
    )
    histories = _histories(dynamodb, stack.table("orders"), [w.order_id for w in watches])
    connected = [(w, s) for w in watches for s in w.sessions if s.ended == "open"]
    owed_count = sum(len(owed(histories.get(w.order_id, []), s)) for w, s in connected)
    missing = [(w, s, m) for w, s in connected if (m := missed(histories.get(w.order_id, []), s))]
    dropped = sum(len(w.dropped) for w in watches)
    failed = [w for w in watches if w.error]
    checks = (
        Check(
            "the workflow unaffected: every order completed",
            load.completed == load.accepted,
            f"{load.completed} of {load.accepted}",
        ),
        Check(
            "every client connected as its order was accepted",
            not failed and len(watches) == load.accepted,
            f"{len(watches)} clients for {load.accepted} orders"
            + "".join(f"; {w.order_id}: {w.error}" for w in failed[:3]),
        ),
        Check(
            "every connection that ended left the connections table; each open one is in it once",
            cleaned_up and len(open_registered) == sum(1 for w in watches if w.still_open),
            f"{sum(stale.values())} stale entries; {len(open_registered)} open connections registered once",
        ),
        Check(
            "clients still connected received every update made while they were",
            bool(owed_count) and not missing,
            f"{owed_count - sum(len(m) for _, _, m in missing)} of {owed_count} updates"
            + "".join(f"; {w.order_id} missed {[c.status for c in m]}" for w, _, m in missing[:3]),
        ),
        Check(
            "connections closed at the end forgotten too",
            all_forgotten,
            f"{sum(len(v) for v in left.values())} entries left for the run's customers",
        ),
    )
    return ChaosResult(
        scenario="dropped-websockets",
        load=load,
        faults=dropped,
        faults_were="WebSocket connections ended mid-flow: TCP socket reset (no close frame) or closed",
        recovered=dropped - sum(stale.values()),
        recovered_how="of those, forgotten by the connections table ($disconnect, or a push answered 410 Gone)",
        checks=checks,
        stuck=stuck_orders(run, load.lost_orders),
    )


class _Client:
    """One order's client on a thread of its own: connects with the watch URL and does what its fate
    says; the connection it ends on stays open until ``stop``. ``done``: it needs nothing more of
    the run (its order's final update came, or it has left)."""

    def __init__(self, watch: Watch, url: str, stop: threading.Event) -> None:
        self.watch, self._url, self._stop = watch, url, stop
        self.done = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"watch-{watch.seq}", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def join(self, timeout: float) -> None:
        self._thread.join(timeout)

    def _run(self) -> None:
        try:
            fate = self.watch.fate
            connection, session = self._connect()
            if fate != "stays":
                self._receive(connection, session, until=time.monotonic() + LEAVE_AFTER_SECONDS)
                if fate == "closes":
                    connection.close()
                else:
                    _kill(connection)
                session.closed_at, session.ended = time.time(), "closed" if fate == "closes" else "dropped"
                if fate != "drops and reconnects":
                    return
                time.sleep(RECONNECT_AFTER_SECONDS)
                connection, session = self._connect()
            self._receive(connection, session, until=None)
            connection.close()  # the run is over: it was open throughout
        except Exception as error:  # said in the run's checks, not lost on the thread
            self.watch.error = f"{type(error).__name__}: {error}"
        finally:
            self.done.set()

    def _connect(self) -> tuple[ClientConnection, Session]:
        connecting_at = time.time()
        connection = connect(self._url, open_timeout=30, legacy=True)  # kept open across calls
        session = Session(connecting_at, time.time())
        self.watch.sessions.append(session)
        return connection, session

    def _receive(self, connection: ClientConnection, session: Session, until: float | None) -> None:
        """Updates until ``stop`` (setting ``done`` at the order's final one), or, for a client about
        to leave (``until``), until its first update or that time."""
        while not self._stop.is_set() and (until is None or time.monotonic() < until):
            try:
                message = json.loads(connection.recv(timeout=0.25))
            except TimeoutError:
                continue
            if message.get("orderId") != self.watch.order_id:
                raise AssertionError("an update of another customer's order")
            session.received.append((int(message["sequence"]), str(message["status"])))
            if until is not None:
                return
            if message.get("final"):
                self.done.set()


def _kill(connection: ClientConnection) -> None:
    """End the connection as a lost network does: the TCP socket reset, no close frame sent."""
    raw = connection.socket
    raw.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    raw.shutdown(socket.SHUT_RD)  # wakes the client's reading thread
    raw.close()  # with no linger: a reset, not a goodbye


def _registered(dynamodb: Any, table: str, customers: list[str]) -> dict[str, list[float]]:
    """Each customer's registered connections, by when each connected (epoch seconds)."""
    found: dict[str, list[float]] = {}
    for customer in customers:
        items = dynamodb.query(
            TableName=table,
            IndexName=BY_CUSTOMER,
            KeyConditionExpression="customerId = :customer",
            ExpressionAttributeValues={":customer": {"S": customer}},
        )["Items"]
        found[customer] = [float(item.get(CONNECTED_AT, {}).get("N", 0)) for item in items]
    return found


def _histories(dynamodb: Any, table: str, order_ids: list[str]) -> dict[str, list[Change]]:
    """Each order's status changes, from its stored history."""
    projection = {"ProjectionExpression": "orderId, history"}
    return {
        item["orderId"]["S"]: [
            Change(sequence, change["M"]["status"]["S"], datetime.fromisoformat(change["M"]["at"]["S"]))
            for sequence, change in enumerate(item.get("history", {}).get("L", []))
        ]
        for item in batch_get(dynamodb, table, "orderId", order_ids, projection)
    }
