"""In-memory twin of the claim store port: objects written once, claims that can expire or vanish."""

from __future__ import annotations

import re

from integration_patterns.claim_check import ClaimUnredeemable, StoredClaim

_CLAIM = re.compile(r"^(?P<scheme>memory|s3)://(?P<bucket>[^/]+)/(?P<key>.+)$")


class InMemoryClaimStore:
    """Claims are ``memory://bucket/key`` (a stand-in for a presigned URL) or ``s3://bucket/key``.

    ``readable_prefixes``: what the reading role may get by reference (None: everything), as IAM
    would decide. ``expired`` claims are refused as an expired presigned URL is.
    """

    def __init__(
        self, bucket: str = "claims", *, by_reference: bool = False, readable_prefixes: tuple[str, ...] | None = None
    ) -> None:
        self.bucket = bucket
        self.objects: dict[str, bytes] = {}
        self.writes = 0
        self.expired: set[str] = set()
        self._by_reference = by_reference
        self._readable = readable_prefixes

    def put_once(self, key: str, body: bytes, digest: str) -> StoredClaim:
        self.writes += 1
        self.objects.setdefault(key, body)  # written once, as S3's If-None-Match: * does
        return StoredClaim(self.bucket, key)

    def claim_for(self, stored: StoredClaim, *, by_reference: bool) -> str:
        scheme = "s3" if by_reference or self._by_reference else "memory"
        return f"{scheme}://{stored.bucket}/{stored.key}"

    def describe(self, claim: str) -> StoredClaim:
        match = _CLAIM.match(claim)
        if match is None or match["bucket"] != self.bucket:
            raise ClaimUnredeemable("claim does not point at this deployment's claim bucket")
        return StoredClaim(match["bucket"], match["key"])

    def fetch(self, claim: str) -> bytes:
        stored = self.describe(claim)
        if claim in self.expired:
            raise ClaimUnredeemable("presigned URL expired")
        if claim.startswith("s3://") and self._readable is not None and not stored.key.startswith(self._readable):
            raise ClaimUnredeemable("access denied to this function's role (AccessDenied)")
        body = self.objects.get(stored.key)
        if body is None:
            raise ClaimUnredeemable("no such object (deleted, or expired by the lifecycle rule)")
        return body
