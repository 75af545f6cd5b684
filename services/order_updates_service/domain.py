"""A status change of an order, as customers are told of it."""

from __future__ import annotations

from dataclasses import dataclass

from pizza_contracts import FINAL_ORDER_STATUSES


@dataclass(frozen=True)
class StatusUpdate:
    """The order moved to ``status`` at ``at`` (ISO 8601); ``sequence`` is its place in the order's
    history (0: accepted), so a client puts updates in order and sees a gap."""

    order_id: str
    customer_id: str
    sequence: int
    status: str
    at: str
    reason: str | None = None

    def message(self) -> dict[str, object]:
        """What a customer's client receives (over a WebSocket, or in a webhook's ``data``)."""
        return {
            "type": "order.status",
            "orderId": self.order_id,
            "status": self.status,
            "at": self.at,
            "reason": self.reason,
            "sequence": self.sequence,
            "final": self.status in FINAL_ORDER_STATUSES,
        }


@dataclass(frozen=True)
class WebhookCall:
    """One status update to POST to the order's callback URL, as message ``message_id``."""

    message_id: str
    update: StatusUpdate
    callback_url: str
