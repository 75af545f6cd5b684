"""Clients watching their orders over the WebSocket, as the dropped-websockets scenario judges them
(no I/O here): what each client does with its connection, what it received on each, and which of
its order's status changes it should have received.

A client connects once its order is accepted (the 202 hands out its watch URL), so changes made
before it connected are not owed to it; every change made while a connection was open is.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

Fate = Literal["stays", "drops", "closes", "drops and reconnects"]
# Order ``seq``'s client meets ``FATES[seq % len(FATES)]``: half stay connected through the order,
# a quarter of the connections end without a close frame (the TCP socket killed), a quarter close
# properly mid-flow; half of those killed connect again.
FATES: tuple[Fate, ...] = ("stays", "drops", "stays", "closes", "stays", "drops and reconnects")


def fate_of(seq: int) -> Fate:
    return FATES[seq % len(FATES)]


@dataclass
class Session:
    """One connection: when the client began to connect and when the connection was open (epoch
    seconds; ``closed_at`` None while it is), how it ended, and the (sequence, status) of each
    update it received."""

    connecting_at: float
    opened_at: float
    closed_at: float | None = None
    ended: Literal["open", "dropped", "closed"] = "open"
    received: list[tuple[int, str]] = field(default_factory=list)


@dataclass
class Watch:
    """One order's client and its connections, first to last."""

    seq: int
    order_id: str
    customer_id: str
    sessions: list[Session] = field(default_factory=list)
    error: str | None = None  # why the client could not go on (a refused or failed connection)

    @property
    def fate(self) -> Fate:
        return fate_of(self.seq)

    @property
    def dropped(self) -> list[Session]:
        """Its connections that ended mid-flow, killed or closed."""
        return [session for session in self.sessions if session.ended in ("dropped", "closed")]

    @property
    def still_open(self) -> Session | None:
        return next((session for session in self.sessions if session.ended == "open"), None)


@dataclass(frozen=True)
class Change:
    """A status change in the order's history: its place and when it was made."""

    sequence: int
    status: str
    at: datetime


def owed(changes: Iterable[Change], session: Session) -> list[Change]:
    """The changes made while ``session`` was open: each must have reached it."""
    return [
        change
        for change in changes
        if change.at.timestamp() > session.opened_at
        and (session.closed_at is None or change.at.timestamp() < session.closed_at)
    ]


def missed(changes: Sequence[Change], session: Session) -> list[Change]:
    """The changes owed to ``session`` that it did not receive."""
    received = {sequence for sequence, _ in session.received}
    return [change for change in owed(changes, session) if change.sequence not in received]


def stale_connections(watch: Watch, registered: Sequence[float]) -> int:
    """How many of the customer's registered connections (their connectedAt, epoch seconds) belong
    to a connection of the client that has ended: any that connected before its open one did."""
    still_open = watch.still_open
    if still_open is None:
        return len(registered)
    # Its $connect registered it during the handshake, after the client began to connect.
    return sum(1 for connected_at in registered if connected_at < still_open.connecting_at)
