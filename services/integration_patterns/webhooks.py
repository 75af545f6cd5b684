"""Webhooks, sent the Standard Webhooks way (https://www.standardwebhooks.com).

Each delivery is a POST of a JSON body with ``webhook-id`` (the same on every attempt, so a receiver
drops a second copy), ``webhook-timestamp`` (the attempt's time, so a receiver refuses an old
request: a replay) and ``webhook-signature`` (HMAC-SHA256 over id, timestamp and body, made by the
``standardwebhooks`` package), so any Standard Webhooks library verifies it.

The call goes to the address the callback URL policy just checked (:mod:`callback_urls`): the URL's
host is resolved once, checked, and connected to, with the host name kept for the Host header and
TLS (SNI and certificate). Redirects are never followed: a 3xx is refused, as the place it points
to was never checked.

Outcomes: a 2xx is delivered. :class:`WebhookRefused` (the URL fails the policy, a redirect, a
``410 Gone``) can never succeed. :class:`WebhookFailed` (a timeout, a connection failure, any
other status) may succeed later: the caller retries with backoff.
"""

from __future__ import annotations

import base64
import ipaddress
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from standardwebhooks import Webhook

from integration_patterns.callback_urls import CallbackUrlPolicy, CheckedUrl, RefusedCallbackUrl, UnresolvedForNow

# A body is sent as it is signed: these bytes, not a re-serialisation of them.
_JSON = "application/json"


class WebhookRefused(Exception):
    """This delivery can never succeed; the message says why (it is the dead letter's reason)."""


class WebhookFailed(Exception):
    """This attempt failed; a later one may succeed. The message says how it failed."""


@dataclass(frozen=True)
class WebhookMessage:
    """One message to one callback URL. ``message_id`` is the same on every attempt."""

    message_id: str
    url: str
    body: bytes
    secret: bytes


class WebhookSender:
    """POSTs signed webhooks; see the module docstring.

    ``http`` is an ``httpx.Client`` that keeps no connection alive (:func:`webhook_http_client`):
    a kept connection would be reused for another host name at the same address without checking
    that name's certificate.
    """

    def __init__(
        self, http: Any, policy: CallbackUrlPolicy, now: Callable[[], datetime], user_agent: str = "webhooks/1"
    ) -> None:
        self._http = http
        self._policy = policy
        self._now = now
        self._user_agent = user_agent

    def send(self, message: WebhookMessage) -> int:
        """Deliver one attempt; the receiver's 2xx status, or :class:`WebhookRefused` / :class:`WebhookFailed`."""
        import httpx  # the dispatcher's alone: other functions never pay for its import

        try:
            target = self._policy.check(message.url)  # again: DNS may have changed since it was accepted
        except UnresolvedForNow as failure:
            raise WebhookFailed(str(failure)) from failure
        except RefusedCallbackUrl as refusal:
            raise WebhookRefused(f"callback URL refused: {refusal}") from refusal
        timestamp = self._now()
        headers = {
            "content-type": _JSON,
            "user-agent": self._user_agent,
            "webhook-id": message.message_id,
            "webhook-timestamp": str(int(timestamp.timestamp())),
            "webhook-signature": Webhook(message.secret).sign(message.message_id, timestamp, message.body),
        }
        try:
            # Streamed, and the body never read: only the status matters, and a receiver cannot make
            # the dispatcher wait on (or hold in memory) a body it sends slowly or endlessly.
            with self._http.stream(
                "POST", **_pinned(target, headers), content=message.body, follow_redirects=False
            ) as response:
                status = int(response.status_code)
        except httpx.InvalidURL as error:
            raise WebhookRefused(f"callback URL refused: {error}") from error
        except httpx.TimeoutException as error:
            raise WebhookFailed(f"the receiver did not answer in time ({type(error).__name__})") from error
        except httpx.HTTPError as error:
            raise WebhookFailed(f"the receiver could not be reached ({type(error).__name__})") from error
        if 200 <= status < 300:
            return status
        if 300 <= status < 400:
            raise WebhookRefused(f"the receiver answered {status}, a redirect; redirects are not followed")
        if status == 410:
            raise WebhookRefused("the receiver answered 410 Gone: it takes no more webhooks at this URL")
        raise WebhookFailed(f"the receiver answered {status}")


def webhook_http_client(timeout_seconds: float) -> Any:
    """The ``httpx.Client`` a :class:`WebhookSender` needs: a timeout on each step, no kept connections."""
    import httpx

    return httpx.Client(timeout=timeout_seconds, limits=httpx.Limits(max_keepalive_connections=0))


def _pinned(target: CheckedUrl, headers: dict[str, str]) -> dict[str, Any]:
    """The request to the checked address, keeping the URL's host name for Host and TLS."""
    import httpx

    url = httpx.URL(target.url)
    literal = f"[{target.address}]" if isinstance(target.address, ipaddress.IPv6Address) else str(target.address)
    default_port = {"http": 80, "https": 443}[target.scheme]
    host = f"[{target.host}]" if ":" in target.host else target.host  # an IPv6 literal keeps its brackets
    host_header = host if target.port == default_port else f"{host}:{target.port}"
    return {
        "url": url.copy_with(host=literal.strip("[]"), port=target.port),
        "headers": {**headers, "host": host_header},
        # TLS: the server name sent and verified is the URL's, not the address connected to.
        "extensions": {"sni_hostname": target.host},
    }


def secret_text(secret: bytes) -> str:
    """A secret as Standard Webhooks libraries take it: ``whsec_`` and its base64."""
    return "whsec_" + base64.b64encode(secret).decode()
