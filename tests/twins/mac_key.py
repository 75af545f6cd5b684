"""An HMAC key in memory, standing in for a KMS HMAC key (integration_patterns.kms_mac.MacKey)."""

from __future__ import annotations

import hashlib
import hmac


class InMemoryMacKey:
    def __init__(self, key: bytes = b"in-memory test key, 32 bytes...") -> None:
        self._key = key

    def mac(self, message: bytes) -> bytes:
        return hmac.new(self._key, message, hashlib.sha256).digest()

    def verify(self, message: bytes, mac: bytes) -> bool:
        return hmac.compare_digest(self.mac(message), mac)
