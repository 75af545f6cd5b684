"""Contract of the ClaimStore port: its in-memory twin and its S3 adapter (on the emulator) alike."""

from __future__ import annotations

import pytest
from contract_support import IMPLEMENTATIONS, TWIN, emulator, new_id

from integration_patterns.claim_check import ClaimStore, ClaimUnredeemable, StoredClaim, digest_of
from integration_patterns.s3_claim_store import S3ClaimStore
from twins.claims import InMemoryClaimStore

BODY = b'{"orderId": "o-1", "items": []}'


class Store:
    """A claim store under test, with what a test needs to know of it."""

    def __init__(self, store: ClaimStore, bucket: str) -> None:
        self.store, self.bucket = store, bucket


@pytest.fixture(params=IMPLEMENTATIONS)
def claims(request: pytest.FixtureRequest) -> Store:
    if request.param == TWIN:
        return Store(InMemoryClaimStore(), "claims")
    aws = emulator(request)
    bucket = aws.outputs.bucket_names["claim-checks"]
    # As the order service writes claims: with its own role
    return Store(S3ClaimStore(aws.as_function_role("order-acknowledgement-processor", "s3"), bucket), bucket)


def _key() -> str:
    return f"shared/{new_id('contract')}.json"


@pytest.mark.parametrize("by_reference", [False, True], ids=["handed-out claim", "by reference"])
def test_what_is_put_is_what_its_claim_reads_back(claims: Store, by_reference: bool) -> None:
    # Given bytes put under a new key
    key = _key()
    stored = claims.store.put_once(key, BODY, digest_of(BODY))

    # When its claim is read / Then it is those bytes, and the claim names the bucket and key
    claim = claims.store.claim_for(stored, by_reference=by_reference)
    assert stored == StoredClaim(claims.bucket, key)
    assert claims.store.describe(claim) == stored
    assert claims.store.fetch(claim) == BODY


def test_an_object_is_written_once_and_a_second_put_is_a_success_that_replaces_nothing(claims: Store) -> None:
    # Given bytes put under a key
    key = _key()
    claims.store.put_once(key, BODY, digest_of(BODY))

    # When the key is put again (keys name their content's digest: a second put is a retry)
    claims.store.put_once(key, BODY, digest_of(BODY))
    claims.store.put_once(key, b"{}", digest_of(b"{}"))

    # Then each put succeeded, and the object is still the first one written
    assert claims.store.fetch(f"s3://{claims.bucket}/{key}") == BODY


def test_a_claim_to_no_object_or_outside_the_bucket_cannot_be_redeemed(claims: Store) -> None:
    # Given a claim to a key never written / Then it cannot be redeemed: there is no such object
    with pytest.raises(ClaimUnredeemable, match="no such object"):
        claims.store.fetch(f"s3://{claims.bucket}/{_key()}")
    # Given a claim into another bucket, or to another host / Then it is refused before any read
    with pytest.raises(ClaimUnredeemable, match="bucket"):
        claims.store.fetch(f"s3://another-bucket-{new_id('b').lower()}/{_key()}")
    with pytest.raises(ClaimUnredeemable, match="bucket"):
        claims.store.fetch(f"https://evil.example/{claims.bucket}/{_key()}")
