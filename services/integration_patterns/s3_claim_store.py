"""The claim store on S3: objects written once, claims as presigned URLs or as bucket and key.

Presigned URLs (the default mode) let any holder read the object until the URL expires, without an
AWS role: what a subscriber outside the account needs. A URL signed with a role's temporary
credentials stops working when those expire too, whatever its own lifetime. Bucket-and-key claims
(``s3://bucket/key``) are read with the subscriber's own role, so IAM decides who may read what, and
they do not expire until the bucket's lifecycle rule removes the object.

Reading a claim is only ever done inside this store's bucket: a URL must be the one this bucket's
endpoint serves the key at, so an event cannot make a subscriber fetch any other address.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import parse_qs, unquote, urlsplit

from botocore.exceptions import ClientError

from integration_patterns.claim_check import ClaimUnredeemable, StoredClaim, sha256_base64

if TYPE_CHECKING:
    import httpx


class ClaimReadFailed(RuntimeError):
    """A claim could not be read this time (a 5xx, throttling, a timeout): the message is retried.
    Its message names the object, never the URL."""


ClaimMode = Literal["presigned_url", "bucket_key"]

# SigV4 presigned URLs live at most 7 days.
LONGEST_URL_LIFETIME_SECONDS = 7 * 24 * 3600
DEFAULT_URL_LIFETIME_SECONDS = 7200
# Nothing this system stores in a claim comes near; a larger body is not read into memory.
LARGEST_CLAIM_BYTES = 8 * 1024 * 1024

_NOT_FOUND = {"NoSuchKey", "404", "NotFound"}
_GONE = "no such object (deleted, or expired by the lifecycle rule)"
_DENIED = {"AccessDenied", "403", "Forbidden", "AllAccessDisabled", "InvalidObjectState"}


class S3ClaimStore:
    def __init__(
        self,
        s3_client: Any,
        bucket: str,
        *,
        mode: ClaimMode = "presigned_url",
        url_lifetime_seconds: int = DEFAULT_URL_LIFETIME_SECONDS,
        http: httpx.Client | None = None,
    ) -> None:
        if not 1 <= url_lifetime_seconds <= LONGEST_URL_LIFETIME_SECONDS:
            raise ValueError(f"a presigned URL lives between 1 and {LONGEST_URL_LIFETIME_SECONDS} seconds")
        self._s3 = s3_client
        self._bucket = bucket
        self._mode = mode
        self._lifetime = url_lifetime_seconds
        self._http = http

    def put_once(self, key: str, body: bytes, digest: str) -> StoredClaim:
        checksum = sha256_base64(digest)
        try:
            self._s3.put_object(
                Bucket=self._bucket,
                Key=key,
                Body=body,
                ContentType="application/json",
                ChecksumSHA256=checksum,  # S3 refuses bytes that arrive changed
                IfNoneMatch="*",  # written once: a second write never replaces what a claim points at
            )
        except ClientError as error:
            # There already: the key names its content's digest, so it holds these very bytes.
            if _code(error) not in ("PreconditionFailed", "412"):
                raise
        return StoredClaim(self._bucket, key)

    def claim_for(self, stored: StoredClaim, *, by_reference: bool) -> str:
        if by_reference or self._mode == "bucket_key":
            return str(stored)
        url: str = self._s3.generate_presigned_url(
            "get_object", Params={"Bucket": stored.bucket, "Key": stored.key}, ExpiresIn=self._lifetime
        )
        return url

    def describe(self, claim: str) -> StoredClaim:
        stored = StoredClaim.parse(claim) or self._object_of_url(claim)
        if stored.bucket != self._bucket:
            raise ClaimUnredeemable(f"claim names bucket {stored.bucket!r}, not this deployment's claim bucket")
        return stored

    def fetch(self, claim: str) -> bytes:
        stored = self.describe(claim)
        if claim.startswith("s3://"):
            return self._get_object(stored)
        return self._get_url(claim, stored)

    def _get_object(self, stored: StoredClaim) -> bytes:
        try:
            response = self._s3.get_object(Bucket=stored.bucket, Key=stored.key)
        except ClientError as error:
            code = _code(error)
            if code in _NOT_FOUND:
                raise ClaimUnredeemable(_GONE) from None
            if code in _DENIED:
                raise ClaimUnredeemable(f"access denied to this function's role ({code})") from None
            raise
        if int(response.get("ContentLength") or 0) > LARGEST_CLAIM_BYTES:
            raise ClaimUnredeemable(f"object larger than {LARGEST_CLAIM_BYTES} bytes")
        body: bytes = response["Body"].read()
        return body

    def _get_url(self, url: str, stored: StoredClaim) -> bytes:
        expiry = _presigned_expiry(url)
        if expiry is not None and expiry <= datetime.now(UTC):
            raise ClaimUnredeemable(f"presigned URL expired at {expiry.isoformat()}")
        import httpx

        try:
            return self._read_url(url, stored)
        except httpx.HTTPError as error:
            # httpx's own messages quote the URL: its signature and session token are a credential.
            raise ClaimReadFailed(f"reading {stored} failed: {type(error).__name__}") from None

    def _read_url(self, url: str, stored: StoredClaim) -> bytes:
        with self._http_client().stream("GET", url) as response:
            if response.status_code == 200:
                return _read_bounded(response)
            code = _error_code(response.read())
            if response.status_code == 404:
                raise ClaimUnredeemable(_GONE)
            if response.status_code == 403:
                what = {
                    "SignatureDoesNotMatch": "presigned URL refused: its signature does not match (tampered?)",
                    "AccessDenied": "presigned URL refused: access denied or expired",
                }.get(code, f"presigned URL refused ({code or 'HTTP 403'})")
                raise ClaimUnredeemable(what)
            if response.status_code in (301, 302, 303, 307, 308, 400):
                raise ClaimUnredeemable(f"presigned URL refused (HTTP {response.status_code} {code})".strip())
            # 5xx, 429 and the like: S3 may answer next time, so the message is retried.
            raise ClaimReadFailed(f"HTTP {response.status_code} reading {stored}")

    def _http_client(self) -> httpx.Client:
        if self._http is None:
            # Imported on the first URL read, not at cold start: most messages carry no claim.
            import httpx

            # No redirects: a claim is read where it points, or not at all.
            self._http = httpx.Client(timeout=httpx.Timeout(10.0, connect=3.0), follow_redirects=False)
        return self._http

    def _object_of_url(self, url: str) -> StoredClaim:
        parts = urlsplit(url)
        key = _key_in(parts.path, self._bucket, parts.netloc)
        if key is None:
            raise ClaimUnredeemable("claim is neither s3://bucket/key nor a URL of this deployment's claim bucket")
        # The URL this bucket's endpoint serves the key at, as this client would sign it: same place?
        expected = urlsplit(
            self._s3.generate_presigned_url("get_object", Params={"Bucket": self._bucket, "Key": key}, ExpiresIn=60)
        )
        if (parts.scheme, parts.netloc, parts.path) != (expected.scheme, expected.netloc, expected.path):
            raise ClaimUnredeemable("claim URL does not point at this deployment's claim bucket")
        return StoredClaim(self._bucket, key)


def _key_in(path: str, bucket: str, host: str) -> str | None:
    """The object key in a path-style (/bucket/key) or virtual-hosted (bucket.host/key) URL path."""
    path = unquote(path)
    if host.startswith(f"{bucket}.") and len(path) > 1:
        return path[1:]
    if path.startswith(f"/{bucket}/") and len(path) > len(bucket) + 2:
        return path[len(bucket) + 2 :]
    return None


def _presigned_expiry(url: str) -> datetime | None:
    query = parse_qs(urlsplit(url).query)
    try:
        signed_at = datetime.strptime(query["X-Amz-Date"][0], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
        return signed_at + timedelta(seconds=int(query["X-Amz-Expires"][0]))
    except (KeyError, ValueError, IndexError):
        return None  # not a SigV4 query: S3 decides


def _read_bounded(response: httpx.Response) -> bytes:
    chunks, size = [], 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > LARGEST_CLAIM_BYTES:
            raise ClaimUnredeemable(f"object larger than {LARGEST_CLAIM_BYTES} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def _error_code(body: bytes) -> str:
    match = re.search(rb"<Code>([A-Za-z]{1,64})</Code>", body[:4096])
    return match.group(1).decode("ascii") if match else ""


def _code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))
