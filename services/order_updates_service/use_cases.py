"""What the order updates service does: send a webhook, let a client watch, push a status change."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from integration_patterns.kms_mac import InvalidToken, SignedTokens
from integration_patterns.webhooks import WebhookMessage, WebhookSender
from integration_patterns.websocket_push import ConnectionPusher, ConnectionRegistry, PushReport
from order_updates_service.domain import StatusUpdate, WebhookCall

# A customer id as the orders API takes it: anything else is refused before KMS is asked.
CUSTOMER_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
# The Standard Webhooks payload's "type": what happened, in the receiver's terms.
WEBHOOK_TYPE = "order.status_changed"


def send_webhook(call: WebhookCall, sender: WebhookSender, secret_of: Callable[[str], bytes]) -> int:
    """POST the update, signed with its order's secret; the receiver's status (see WebhookSender)."""
    body = json.dumps(
        {"type": WEBHOOK_TYPE, "timestamp": call.update.at, "data": call.update.message()}, separators=(",", ":")
    ).encode()
    return sender.send(WebhookMessage(call.message_id, call.callback_url, body, secret_of(call.update.order_id)))


@dataclass(frozen=True)
class Refused:
    """A connection refused: the status and why (logged, and the body of the refusal)."""

    status: int
    reason: str


def connect(
    connection_id: str,
    customer_id: str | None,
    token: str | None,
    tokens: SignedTokens,
    connections: ConnectionRegistry,
    now: datetime,
) -> Refused | None:
    """Register a connection watching ``customer_id``'s orders if ``token`` lets it; else say why not."""
    if not customer_id or not token:
        return Refused(401, "connect with ?customerId=<id>&token=<watch token>")
    if not CUSTOMER_ID.fullmatch(customer_id):
        return Refused(403, "not a customer id")
    try:
        tokens.verify(token, customer_id, now)
    except InvalidToken as error:
        return Refused(403, str(error))
    connections.add(connection_id, customer_id)
    return None


def disconnect(connection_id: str, connections: ConnectionRegistry) -> None:
    connections.remove(connection_id)


def push_update(update: StatusUpdate, pusher: ConnectionPusher) -> PushReport:
    """The update to every connection watching its customer's orders (and no one else's)."""
    return pusher.push(update.customer_id, json.dumps(update.message()).encode())
