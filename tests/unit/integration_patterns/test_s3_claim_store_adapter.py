"""The S3 claim store without a network: its conditional writes, the claims it hands out, the URLs
it will read, and how each S3 answer becomes a refusal (dead-lettered) or an error (retried)."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import httpx
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from integration_patterns.claim_check import ClaimUnredeemable, StoredClaim, digest_of, sha256_base64
from integration_patterns.s3_claim_store import ClaimReadFailed, S3ClaimStore

BUCKET = "pizza-claim-checks-000000000000-us-east-1"
ENDPOINT = "http://127.0.0.1:9"
BODY = b'{"orderId": "o-1"}'


def _signer() -> Any:
    """A real S3 client: it presigns locally, and is never asked to send anything."""
    return boto3.client(
        "s3",
        endpoint_url=ENDPOINT,
        region_name="us-east-1",
        aws_access_key_id="AKIDEXAMPLE",
        aws_secret_access_key="secret",
        config=Config(signature_version="s3v4"),
    )


def _error(code: str, operation: str = "PutObject") -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": ""}}, operation)


class FakeS3:
    """put_object/head_object/get_object as S3 answers them; presigning delegated to a real client."""

    def __init__(self, *, existing: bytes | None = None, get_error: str | None = None) -> None:
        self.existing = existing
        self.get_error = get_error
        self.puts: list[dict[str, Any]] = []
        self._signer = _signer()

    def put_object(self, **request: Any) -> dict[str, Any]:
        self.puts.append(request)
        if self.existing is not None and request.get("IfNoneMatch") == "*":
            raise _error("PreconditionFailed")
        self.existing = request["Body"]
        return {}

    def get_object(self, **request: Any) -> dict[str, Any]:
        if self.get_error:
            raise _error(self.get_error, "GetObject")
        return {"ContentLength": len(BODY), "Body": io.BytesIO(BODY)}

    def generate_presigned_url(self, *args: Any, **kwargs: Any) -> str:
        url: str = self._signer.generate_presigned_url(*args, **kwargs)
        return url


def _store(s3: FakeS3 | None = None, answer: httpx.Response | None = None, **options: Any) -> S3ClaimStore:
    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return answer or httpx.Response(200, content=BODY)

    calls.clear()
    http = httpx.Client(transport=httpx.MockTransport(handler), follow_redirects=False)
    return S3ClaimStore(s3 or FakeS3(), BUCKET, http=http, **options)


calls: list[httpx.Request] = []
KEY = "shared/e-1.json"


def _url(store: S3ClaimStore) -> str:
    return store.claim_for(StoredClaim(BUCKET, KEY), by_reference=False)


# -- writing once -------------------------------------------------------------------------------


def test_an_object_is_put_only_if_absent_with_its_sha256_for_s3_to_check() -> None:
    s3 = FakeS3()
    assert _store(s3).put_once(KEY, BODY, digest_of(BODY)) == StoredClaim(BUCKET, KEY)
    [put] = s3.puts
    assert put["IfNoneMatch"] == "*" and put["ChecksumSHA256"] == sha256_base64(digest_of(BODY))
    assert (put["Bucket"], put["Key"], put["Body"]) == (BUCKET, KEY, BODY)


def test_an_object_there_already_is_left_as_it_is_and_the_put_succeeds() -> None:
    # Given a key already written (its name holds its content's digest, so it holds these bytes)
    s3 = FakeS3(existing=BODY)
    # When it is put again / Then S3 refuses the write, which is a success, and nothing is replaced
    assert _store(s3).put_once(KEY, BODY, digest_of(BODY)) == StoredClaim(BUCKET, KEY)
    assert s3.existing == BODY


def test_a_put_refused_for_another_reason_is_an_error() -> None:
    class Throttled(FakeS3):
        def put_object(self, **request: Any) -> dict[str, Any]:
            raise _error("SlowDown")

    with pytest.raises(ClientError):
        _store(Throttled()).put_once(KEY, BODY, digest_of(BODY))


# -- the claims it hands out --------------------------------------------------------------------


def test_presigned_mode_hands_out_a_sigv4_url_and_bucket_key_mode_a_reference() -> None:
    url = _url(_store(url_lifetime_seconds=7200))
    assert url.startswith(f"{ENDPOINT}/{BUCKET}/{KEY}?") and "X-Amz-Expires=7200" in url and "X-Amz-Signature=" in url
    assert _url(_store(mode="bucket_key")) == f"s3://{BUCKET}/{KEY}"
    # A restricted section is always by reference, whatever the mode
    assert _store().claim_for(StoredClaim(BUCKET, KEY), by_reference=True) == f"s3://{BUCKET}/{KEY}"


@pytest.mark.parametrize("lifetime", [0, 7 * 24 * 3600 + 1])
def test_a_url_lifetime_sigv4_cannot_sign_is_refused(lifetime: int) -> None:
    with pytest.raises(ValueError, match="presigned URL lives"):
        S3ClaimStore(FakeS3(), BUCKET, url_lifetime_seconds=lifetime)


# -- which claims it reads ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "claim",
    [
        f"s3://another-bucket/{KEY}",
        f"http://169.254.169.254/{BUCKET}/{KEY}",
        f"{ENDPOINT}/another-bucket/{KEY}",
        "https://example.com/anything",
        "file:///etc/passwd",
    ],
    ids=["another bucket by reference", "metadata address", "another bucket by URL", "any host", "a file"],
)
def test_only_claims_into_this_deployment_s_bucket_are_read(claim: str) -> None:
    store = _store()
    with pytest.raises(ClaimUnredeemable, match="bucket"):
        store.fetch(claim)
    assert calls == []  # nothing was requested


def test_a_claim_is_described_by_bucket_and_key_without_its_signature() -> None:
    store = _store()
    assert store.describe(_url(store)) == StoredClaim(BUCKET, KEY)
    assert str(store.describe(f"s3://{BUCKET}/{KEY}")) == f"s3://{BUCKET}/{KEY}"


# -- reading a URL ------------------------------------------------------------------------------


def test_a_url_is_read_once_and_its_bytes_returned() -> None:
    store = _store()
    assert store.fetch(_url(store)) == BODY and len(calls) == 1


def test_a_url_whose_time_is_up_is_refused_without_a_request() -> None:
    store = _store()
    signed_at = (datetime.now(UTC) - timedelta(hours=3)).strftime("%Y%m%dT%H%M%SZ")
    url = _url(store).replace("X-Amz-Date=", f"X-Amz-Date={signed_at}&ignored=")
    with pytest.raises(ClaimUnredeemable, match="presigned URL expired at"):
        store.fetch(url)
    assert calls == []


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        (httpx.Response(403, content=b"<Error><Code>SignatureDoesNotMatch</Code></Error>"), "signature does not match"),
        (httpx.Response(403, content=b"<Error><Code>AccessDenied</Code></Error>"), "access denied or expired"),
        (httpx.Response(404, content=b"<Error><Code>NoSuchKey</Code></Error>"), "no such object"),
        (httpx.Response(307, headers={"Location": "http://169.254.169.254/"}), "HTTP 307"),
    ],
    ids=["tampered", "denied", "gone", "a redirect (not followed)"],
)
def test_what_s3_refuses_for_good_is_a_refusal(answer: httpx.Response, reason: str) -> None:
    store = _store(answer=answer)
    with pytest.raises(ClaimUnredeemable, match=reason.replace("(", r"\(")):
        store.fetch(_url(store))
    assert len(calls) == 1


@pytest.mark.parametrize("status", [500, 503, 429])
def test_what_s3_may_answer_next_time_is_an_error_so_the_message_is_retried_naming_no_url(status: int) -> None:
    # Given S3 answering a passing failure / When a URL is read / Then it is an error (retried) that
    # names the object, never the URL: its signature and session token are a credential
    store = _store(answer=httpx.Response(status))
    with pytest.raises(ClaimReadFailed) as failed:
        store.fetch(_url(store))
    assert str(failed.value) == f"HTTP {status} reading s3://{BUCKET}/{KEY}"


def test_a_connection_that_fails_is_an_error_naming_no_url() -> None:
    def unreachable(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectTimeout("timed out connecting to " + str(request.url))

    store = S3ClaimStore(FakeS3(), BUCKET, http=httpx.Client(transport=httpx.MockTransport(unreachable)))
    with pytest.raises(ClaimReadFailed) as failed:
        store.fetch(_url(store))
    assert "X-Amz" not in str(failed.value) and f"s3://{BUCKET}/{KEY}" in str(failed.value)


# -- reading by reference -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "reason"), [("NoSuchKey", "no such object"), ("AccessDenied", "access denied to this function's role")]
)
def test_a_reference_s3_refuses_for_good_is_a_refusal(code: str, reason: str) -> None:
    with pytest.raises(ClaimUnredeemable, match=reason):
        _store(FakeS3(get_error=code)).fetch(f"s3://{BUCKET}/{KEY}")


def test_a_reference_read_while_s3_throttles_is_an_error_so_the_message_is_retried() -> None:
    with pytest.raises(ClientError):
        _store(FakeS3(get_error="SlowDown")).fetch(f"s3://{BUCKET}/{KEY}")


def test_a_reference_is_read_with_the_subscriber_s_own_client() -> None:
    assert _store().fetch(f"s3://{BUCKET}/{KEY}") == BODY and calls == []


def test_the_store_s_own_http_client_follows_no_redirect() -> None:
    # Given a store that builds its own client / When it reads a URL answered with a redirect
    store = S3ClaimStore(FakeS3(), BUCKET)
    client = store._http_client()
    # Then the client is configured not to follow it
    assert client.follow_redirects is False


def test_an_object_larger_than_a_claim_may_be_is_refused_without_reading_it_all() -> None:
    # Given a URL whose object is 8 MB and one byte
    store = _store(answer=httpx.Response(200, content=b"x" * (8 * 1024 * 1024 + 1)))
    # When it is read / Then it is refused for its size
    with pytest.raises(ClaimUnredeemable, match="larger than"):
        store.fetch(_url(store))
