"""MACs made and checked by a KMS HMAC key, which never leaves KMS: signed tokens and derived secrets.

Both need a secret only KMS holds, so nothing secret is stored, configured or logged anywhere:

* :class:`SignedTokens`: ``<subject>.<expiry>.<mac>`` tokens (a capability: "may watch this
  customer's orders until then"). The issuer needs ``kms:GenerateMac``; a verifier needs only
  ``kms:VerifyMac``, so it can check tokens but never make one.
* :func:`derived_secret`: a per-subject secret (a webhook signing secret per order) that anyone
  with ``kms:GenerateMac`` on the key can compute again, instead of storing it.

Each use passes its own ``purpose``, part of every MAC, so a MAC made for one use is worthless for
another (a watch token is not a webhook secret).

A JWT library was not used: JWS signing needs the key in the process, and here it stays in KMS.
"""

from __future__ import annotations

import base64
import binascii
from datetime import datetime
from typing import Any, Protocol

from botocore.exceptions import ClientError

_ALGORITHM = "HMAC_SHA_256"
_MAC_BYTES = 32


class InvalidToken(ValueError):
    """The token is malformed, forged, for another purpose, or expired."""


class MacKey(Protocol):
    """An HMAC key one may ask for MACs and to verify them, never for the key itself."""

    def mac(self, message: bytes) -> bytes: ...

    def verify(self, message: bytes, mac: bytes) -> bool: ...


class KmsMac(MacKey):
    """One KMS HMAC key."""

    def __init__(self, kms_client: Any, key_id: str) -> None:
        self._kms = kms_client
        self._key_id = key_id

    def mac(self, message: bytes) -> bytes:
        response = self._kms.generate_mac(KeyId=self._key_id, Message=message, MacAlgorithm=_ALGORITHM)
        return bytes(response["Mac"])

    def verify(self, message: bytes, mac: bytes) -> bool:
        try:
            response = self._kms.verify_mac(KeyId=self._key_id, Message=message, Mac=mac, MacAlgorithm=_ALGORITHM)
        except ClientError as error:
            if error.response["Error"]["Code"] == "KMSInvalidMacException":
                return False
            raise
        return bool(response.get("MacValid"))


def _message(purpose: str, *parts: str) -> bytes:
    # Newlines cannot occur in a part (checked by the callers), so parts never run into each other.
    return "\n".join((purpose, *parts)).encode()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class SignedTokens:
    """Tokens naming a subject until an expiry, for one purpose; see the module docstring."""

    def __init__(self, mac: MacKey, purpose: str) -> None:
        self._mac = mac
        self._purpose = purpose

    def issue(self, subject: str, expires_at: datetime) -> str:
        if "\n" in subject:
            raise ValueError("a subject is one line")
        expiry = str(int(expires_at.timestamp()))
        signature = self._mac.mac(_message(self._purpose, subject, expiry))
        return f"{_b64(subject.encode())}.{expiry}.{_b64(signature)}"

    def verify(self, token: str, subject: str, now: datetime) -> None:
        """Returns when ``token`` names ``subject`` and has not expired; :class:`InvalidToken` otherwise."""
        try:
            encoded_subject, expiry, encoded_mac = token.split(".")
            named = _unb64(encoded_subject).decode()
            signature = _unb64(encoded_mac)
            expires = int(expiry)
        except (ValueError, binascii.Error, UnicodeDecodeError) as error:
            raise InvalidToken("the token is malformed") from error
        if named != subject:
            raise InvalidToken("the token is for another subject")
        if expires <= now.timestamp():
            raise InvalidToken("the token has expired")
        # An HMAC-SHA-256 is 32 bytes: anything else is refused without asking KMS.
        if len(signature) != _MAC_BYTES or not self._mac.verify(_message(self._purpose, named, expiry), signature):
            raise InvalidToken("the token's signature is not valid")


def derived_secret(mac: MacKey, purpose: str, subject: str) -> bytes:
    """The secret for ``subject``: the same every time it is asked for, unknowable without the key."""
    if "\n" in subject:
        raise ValueError("a subject is one line")
    return mac.mac(_message(purpose, subject))
