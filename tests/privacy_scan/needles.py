"""The personal data a session hands the system: what to look for, and which test sent it."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, quote_plus

# The address fields that identify a person's home; the city alone does not (and "Naples" is in
# every order of the suite), so it is not looked for.
ADDRESS_FIELDS = ("line1", "line2", "postcode", "contactPhone", "notes")
# Shorter values are too generic to tell a leak from chance: a 5-digit postcode ("80100") turns up in
# ports, sizes and timestamps, "Flat 9" in any text. They are counted in the report, not scanned
# for; the suite's shared delivery order carries a unique postcode so that postcodes are scanned too.
MIN_LENGTH = 8
# An opaque token: found as a whole run of these characters (url-safe base64), in one pass over a
# text however many tokens there are (one per accepted order).
TOKEN = re.compile(r"[A-Za-z0-9_-]{16,}")
WEBHOOK_SECRET_PREFIX = "whsec_"


@dataclass(frozen=True)
class Needle:
    """A value to look for; ``token``: an opaque token, matched as a whole word (see :data:`TOKEN`)."""

    kind: str
    value: str
    token: bool = False

    def variants(self) -> tuple[str, ...]:
        """The forms a log line or span may hold the value in: as is, JSON-escaped (ASCII or not),
        as Python's repr, URL-encoded."""
        if self.token:
            return (self.value,)
        forms = (
            self.value,
            json.dumps(self.value)[1:-1],
            json.dumps(self.value, ensure_ascii=False)[1:-1],
            repr(self.value)[1:-1],
            quote(self.value, safe=""),
            quote_plus(self.value),
        )
        return tuple(dict.fromkeys(forms))

    def masked(self) -> str:
        """The value as a report may show it: enough to recognise, never the whole of it."""
        return f"{self.value[:3]!r}… ({len(self.value)} chars)"


class PersonalDataLedger:
    """What a session sent: each order body posted and each 202 answered, by the test running then."""

    def __init__(self) -> None:
        self.current_test = "(before the first test)"
        self._senders: dict[Needle, set[str]] = defaultdict(set)
        self._too_generic: dict[tuple[str, str], set[str]] = defaultdict(set)
        self.unreadable_bodies = 0

    def order_sent(self, body: bytes | str) -> None:
        """A ``POST /orders`` body: its delivery address's personal fields."""
        order = _json_object(body)
        if order is None:
            # Not JSON (the invalid-order tests): no field can be told apart, so nothing is kept.
            self.unreadable_bodies += 1
            return
        address = order.get("deliveryAddress")
        if isinstance(address, str):
            self.add("deliveryAddress", address)
        elif isinstance(address, dict):
            for field in ADDRESS_FIELDS:
                if isinstance(address.get(field), str):
                    self.add(f"deliveryAddress.{field}", address[field])

    def order_answered(self, body: bytes | str) -> None:
        """A 202's body: its webhook secret and watch token, credentials only the client may hold."""
        answer = _json_object(body)
        if answer is None:
            return
        secret = answer.get("webhookSecret")
        if isinstance(secret, str):
            self.add("webhookSecret", secret.removeprefix(WEBHOOK_SECRET_PREFIX))
        token = answer.get("watchToken")
        if isinstance(token, str):
            # subject.expiry.signature: the subject is the customer id and the expiry a time, neither
            # secret; the signature is what lets its holder watch the customer's orders.
            signature = token.rsplit(".", 1)[-1]
            self.add("watchToken signature", signature, token=TOKEN.fullmatch(signature) is not None)

    def add(self, kind: str, value: str, *, token: bool = False) -> None:
        value = value.strip()
        if len(value) < MIN_LENGTH:
            self._too_generic[kind, value].add(self.current_test)
            return
        self._senders[Needle(kind, value, token)].add(self.current_test)

    def needles(self) -> dict[Needle, frozenset[str]]:
        """Each value to look for, with the tests that sent it."""
        return {needle: frozenset(tests) for needle, tests in self._senders.items()}

    def too_generic(self) -> dict[str, int]:
        """How many distinct values of each kind were too short to scan for."""
        counts: dict[str, int] = defaultdict(int)
        for kind, _ in self._too_generic:
            counts[kind] += 1
        return dict(counts)


def _json_object(body: bytes | str) -> dict[str, Any] | None:
    try:
        parsed = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return None
    return parsed if isinstance(parsed, dict) else None
