"""MACs from an HMAC key that never leaves KMS: signed tokens that name a subject until an expiry,
secrets derived per subject, each bound to its purpose; and the KMS adapter's calls and answers."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from botocore.exceptions import ClientError

from integration_patterns.kms_mac import InvalidToken, KmsMac, SignedTokens, derived_secret
from twins.mac_key import InMemoryMacKey

NOW = datetime(2025, 3, 14, 12, 0, tzinfo=UTC)
LATER = NOW + timedelta(hours=1)
PURPOSE = "watch-things"


def _tokens(purpose: str = PURPOSE, key: InMemoryMacKey | None = None) -> SignedTokens:
    return SignedTokens(key or InMemoryMacKey(), purpose)


def test_a_token_issued_for_a_subject_verifies_for_that_subject_until_it_expires() -> None:
    # Given a token for customer c-1, valid for an hour
    tokens = _tokens()
    token = tokens.issue("c-1", LATER)

    # When it is verified for c-1 within the hour, Then it is accepted (verify returns quietly)
    tokens.verify(token, "c-1", NOW)
    tokens.verify(token, "c-1", LATER - timedelta(seconds=1))


@pytest.mark.parametrize("at", [LATER, LATER + timedelta(days=1)])
def test_a_token_at_or_past_its_expiry_is_refused(at: datetime) -> None:
    # Given a token that expires at LATER
    tokens = _tokens()
    token = tokens.issue("c-1", LATER)

    # When it is verified at or after that moment, Then it is refused as expired
    with pytest.raises(InvalidToken, match="expired"):
        tokens.verify(token, "c-1", at)


def test_a_token_for_another_subject_is_refused() -> None:
    # Given c-1's token
    tokens = _tokens()
    token = tokens.issue("c-1", LATER)

    # When it is presented as c-2's, Then it is refused
    with pytest.raises(InvalidToken, match="another subject"):
        tokens.verify(token, "c-2", NOW)


def test_a_token_whose_expiry_was_pushed_back_is_refused() -> None:
    # Given c-1's token, its expiry edited to a year later
    tokens = _tokens()
    subject, expiry, mac = tokens.issue("c-1", LATER).split(".")
    extended = f"{subject}.{int(expiry) + 365 * 86400}.{mac}"

    # When it is verified, Then the MAC no longer matches
    with pytest.raises(InvalidToken, match="signature"):
        tokens.verify(extended, "c-1", NOW)


def test_a_token_whose_subject_was_swapped_is_refused() -> None:
    # Given c-1's token with c-2's subject part spliced in
    tokens = _tokens()
    _, expiry, mac = tokens.issue("c-1", LATER).split(".")
    other_subject = tokens.issue("c-2", LATER).split(".")[0]

    # When it is presented as c-2's, Then its MAC (made for c-1) does not match
    with pytest.raises(InvalidToken, match="signature"):
        tokens.verify(f"{other_subject}.{expiry}.{mac}", "c-2", NOW)


def test_a_token_with_a_tampered_mac_is_refused() -> None:
    # Given c-1's token with one character of its MAC changed
    tokens = _tokens()
    token = tokens.issue("c-1", LATER)
    tampered = _tampered(token)

    # When it is verified, Then it is refused
    with pytest.raises(InvalidToken, match="signature"):
        tokens.verify(tampered, "c-1", NOW)


def test_a_token_made_with_another_key_is_refused() -> None:
    # Given a token signed by a key that is not ours
    forged = _tokens(key=InMemoryMacKey(b"someone else's key, 32 bytes...")).issue("c-1", LATER)

    # When our tokens verify it, Then it is refused
    with pytest.raises(InvalidToken, match="signature"):
        _tokens().verify(forged, "c-1", NOW)


def test_a_token_for_another_purpose_is_refused_even_with_the_same_key() -> None:
    # Given one key used for two purposes, and a token issued for the other one
    key = InMemoryMacKey()
    other_purpose = SignedTokens(key, "approve-refunds").issue("c-1", LATER)

    # When it is verified for ours, Then it is refused
    with pytest.raises(InvalidToken, match="signature"):
        SignedTokens(key, PURPOSE).verify(other_purpose, "c-1", NOW)


@pytest.mark.parametrize(
    "token",
    [
        "",
        "just-one-part",
        "two.parts",
        "four.parts.are.wrong",
        "YzEt.not-a-number.bWFj",
        "YzEt.4102444800.",  # no MAC at all
        "%%%.4102444800.bWFj",  # subject not base64
        "_w.4102444800.bWFj",  # subject not UTF-8
        "YzEt.4102444800.ümlaut",  # MAC not ASCII
    ],
)
def test_a_malformed_token_is_refused_as_invalid_never_with_another_error(token: str) -> None:
    # Given tokens, When a malformed one is verified, Then the refusal is InvalidToken
    with pytest.raises(InvalidToken):
        _tokens().verify(token, "c-1", NOW)


def test_a_subject_of_more_than_one_line_cannot_be_given_a_token_or_a_secret() -> None:
    # Given a subject with a line break (it could run into the expiry in the signed message)
    # When a token or a derived secret is asked for, Then both refuse
    with pytest.raises(ValueError, match="one line"):
        _tokens().issue("c-1\n4102444800", LATER)
    with pytest.raises(ValueError, match="one line"):
        derived_secret(InMemoryMacKey(), PURPOSE, "order-1\nx")


def test_a_derived_secret_is_the_same_each_time_for_a_subject_and_differs_per_subject_purpose_and_key() -> None:
    # Given one key
    key = InMemoryMacKey()

    # When secrets are derived for several subjects and purposes
    first = derived_secret(key, "webhook-secret", "order-1")
    again = derived_secret(key, "webhook-secret", "order-1")
    other_subject = derived_secret(key, "webhook-secret", "order-2")
    other_purpose = derived_secret(key, "watch-things", "order-1")
    other_key = derived_secret(InMemoryMacKey(b"another key, also 32 bytes long"), "webhook-secret", "order-1")

    # Then the same subject and purpose give the same 32 bytes, and anything else differs
    assert first == again and len(first) == 32
    assert len({first, other_subject, other_purpose, other_key}) == 4


def test_a_derived_secret_is_not_a_valid_tokens_mac() -> None:
    # Given a client who learned the secret derived for subject "c-1" under the tokens' own purpose
    key = InMemoryMacKey()
    tokens = SignedTokens(key, PURPOSE)
    expiry = tokens.issue("c-1", LATER).split(".")[1]
    secret = derived_secret(key, PURPOSE, "c-1")

    # When it is used as a token's MAC, Then it is refused: the token's MAC also covers the expiry
    forged = tokens.issue("c-1", LATER).rsplit(".", 1)[0] + "." + _b64(secret)
    assert forged.split(".")[1] == expiry
    with pytest.raises(InvalidToken, match="signature"):
        tokens.verify(forged, "c-1", NOW)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _tampered(token: str) -> str:
    # A character well inside the MAC: the last one may hold only padding bits, which decode away.
    position = len(token) - 5
    return token[:position] + ("A" if token[position] != "A" else "B") + token[position + 1 :]


class FakeKms:
    """GenerateMac / VerifyMac over an in-memory key, recording requests; KMS's error for a bad MAC."""

    def __init__(self, key: InMemoryMacKey | None = None, error_code: str | None = None) -> None:
        self._key = key or InMemoryMacKey()
        self._error_code = error_code
        self.requests: list[tuple[str, dict[str, Any]]] = []

    def generate_mac(self, **request: Any) -> dict[str, Any]:
        self.requests.append(("GenerateMac", request))
        return {"Mac": self._key.mac(request["Message"]), "KeyId": request["KeyId"], "MacAlgorithm": "HMAC_SHA_256"}

    def verify_mac(self, **request: Any) -> dict[str, Any]:
        self.requests.append(("VerifyMac", request))
        if self._error_code is not None:
            raise ClientError({"Error": {"Code": self._error_code, "Message": "no"}}, "VerifyMac")
        if not self._key.verify(request["Message"], request["Mac"]):
            # What KMS does for a MAC that does not match: an error, not MacValid=False.
            raise ClientError({"Error": {"Code": "KMSInvalidMacException", "Message": "bad mac"}}, "VerifyMac")
        return {"MacValid": True, "KeyId": request["KeyId"], "MacAlgorithm": "HMAC_SHA_256"}


def test_kms_mac_asks_kms_for_an_hmac_sha_256_of_the_message_with_its_key() -> None:
    # Given a KMS HMAC key
    kms = FakeKms()
    key = KmsMac(kms, "alias/order-updates")

    # When a MAC is asked for
    mac = key.mac(b"message")

    # Then KMS made it, with that key and algorithm, over exactly those bytes
    assert mac == InMemoryMacKey().mac(b"message")
    assert kms.requests == [
        ("GenerateMac", {"KeyId": "alias/order-updates", "Message": b"message", "MacAlgorithm": "HMAC_SHA_256"})
    ]


def test_kms_mac_verifies_a_good_mac_and_reads_kmss_invalid_mac_error_as_false() -> None:
    # Given a KMS HMAC key and a MAC it made
    key = KmsMac(FakeKms(), "alias/order-updates")
    mac = key.mac(b"message")

    # When a matching and a non-matching MAC are verified
    # Then the first is valid, and KMS's KMSInvalidMacException becomes a plain False
    assert key.verify(b"message", mac) is True
    assert key.verify(b"another message", mac) is False


def test_kms_mac_lets_any_other_kms_error_through() -> None:
    # Given KMS refusing access (a misconfigured role, not a bad MAC)
    key = KmsMac(FakeKms(error_code="AccessDeniedException"), "alias/order-updates")

    # When a MAC is verified, Then the error propagates rather than passing for "not valid"
    with pytest.raises(ClientError, match="AccessDeniedException"):
        key.verify(b"message", b"mac")


def test_signed_tokens_over_kms_issue_and_verify_end_to_end() -> None:
    # Given tokens over a KMS key
    kms = FakeKms()
    tokens = SignedTokens(KmsMac(kms, "alias/order-updates"), PURPOSE)

    # When a token is issued and verified, and a tampered one is verified
    token = tokens.issue("c-1", LATER)
    tokens.verify(token, "c-1", NOW)
    with pytest.raises(InvalidToken, match="signature"):
        tokens.verify(_tampered(token), "c-1", NOW)

    # Then KMS was asked once to make a MAC and twice to verify one
    assert [operation for operation, _ in kms.requests] == ["GenerateMac", "VerifyMac", "VerifyMac"]
