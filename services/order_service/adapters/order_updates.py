"""What a client gets with an accepted order to learn its outcome without polling.

* ``watchUrl``: the WebSocket API's address with the customer id and a watch token (valid for the
  token's lifetime) that lets its holder watch that customer's orders, signed by a KMS HMAC key;
* ``webhookSecret`` (only with a callbackUrl): the Standard Webhooks secret (``whsec_…``) every
  webhook of this order is signed with. It is derived from the order id with another key, so it
  is never stored: the webhook dispatcher derives it again for each delivery, and a retried
  ``POST /orders`` (same Idempotency-Key, same order) gets the same secret.

Neither is part of the response remembered for an Idempotency-Key: they are added to each answer.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from urllib.parse import urlencode

from integration_patterns.kms_mac import MacKey, SignedTokens, derived_secret
from integration_patterns.webhooks import secret_text
from pizza_contracts import WATCH_TOKEN_PURPOSE, WEBHOOK_SECRET_PURPOSE


class OrderUpdateCredentials:
    def __init__(
        self, *, watch_tokens: MacKey, webhook_secrets: MacKey, websocket_url: str, token_lifetime: timedelta
    ) -> None:
        self._webhook_secrets = webhook_secrets
        self._tokens = SignedTokens(watch_tokens, WATCH_TOKEN_PURPOSE)
        self._websocket_url = websocket_url
        self._token_lifetime = token_lifetime

    def watch(self, customer_id: str, now: datetime) -> dict[str, str]:
        expires_at = now + self._token_lifetime
        token = self._tokens.issue(customer_id, expires_at)
        return {
            "watchUrl": f"{self._websocket_url}?{urlencode({'customerId': customer_id, 'token': token})}",
            "watchToken": token,
            "watchExpiresAt": expires_at.isoformat(timespec="seconds"),
        }

    def webhook_secret(self, order_id: str) -> str:
        return secret_text(derived_secret(self._webhook_secrets, WEBHOOK_SECRET_PURPOSE, order_id))
