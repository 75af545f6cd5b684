"""Encrypting one field with KMS, bound to its message by the encryption context, under a pinned key."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from integration_patterns.errors import InvalidMessage
from integration_patterns.field_encryption import KmsFieldCipher

KEY_ID = "arn:aws:kms:us-east-1:000000000000:key/1234abcd-12ab-34cd-56ef-1234567890ab"
CONTEXT = {"orderId": "order-1"}


def _client_error(code: str, operation: str = "Decrypt") -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": f"{code} from the fake"}}, operation)


class FakeKmsClient:
    """Seals plaintext with the key and context it was given; decrypts only with the same context.

    Like KMS, a wrong context is an InvalidCiphertextException, and ``fail_with`` stands in for
    errors such as a missing permission.
    """

    def __init__(self, fail_with: ClientError | None = None) -> None:
        self.encrypt_requests: list[dict[str, Any]] = []
        self.decrypt_requests: list[dict[str, Any]] = []
        self._sealed: dict[bytes, tuple[bytes, dict[str, str], str]] = {}
        self._fail_with = fail_with

    def encrypt(self, *, KeyId: str, Plaintext: bytes, EncryptionContext: dict[str, str]) -> dict[str, Any]:  # noqa: N803
        self.encrypt_requests.append({"KeyId": KeyId, "Plaintext": Plaintext, "EncryptionContext": EncryptionContext})
        blob = f"sealed-{len(self._sealed)}".encode()
        self._sealed[blob] = (Plaintext, dict(EncryptionContext), KeyId)
        return {"CiphertextBlob": blob, "KeyId": KeyId}

    def decrypt(self, *, CiphertextBlob: bytes, KeyId: str, EncryptionContext: dict[str, str]) -> dict[str, Any]:  # noqa: N803
        self.decrypt_requests.append(
            {"CiphertextBlob": CiphertextBlob, "KeyId": KeyId, "EncryptionContext": EncryptionContext}
        )
        if self._fail_with is not None:
            raise self._fail_with
        sealed = self._sealed.get(CiphertextBlob)
        if sealed is None or sealed[1] != EncryptionContext:
            raise _client_error("InvalidCiphertextException")
        if sealed[2] != KeyId:
            raise _client_error("IncorrectKeyException")
        return {"Plaintext": sealed[0], "KeyId": KeyId}


def test_a_field_survives_a_round_trip_under_the_pinned_key_and_its_context() -> None:
    # Given a cipher for one key
    kms = FakeKmsClient()
    cipher = KmsFieldCipher(kms, KEY_ID)

    # When a field is encrypted for order-1 and decrypted for order-1
    ciphertext = cipher.encrypt('{"line1": "1 High Street"}', CONTEXT)
    plaintext = cipher.decrypt(ciphertext, CONTEXT)

    # Then the plaintext comes back, and the message carries base64 ciphertext only
    assert plaintext == '{"line1": "1 High Street"}'
    assert "High Street" not in ciphertext
    # And both calls named the pinned key and the message's context
    assert kms.encrypt_requests == [
        {"KeyId": KEY_ID, "Plaintext": b'{"line1": "1 High Street"}', "EncryptionContext": CONTEXT}
    ]
    (decrypt_request,) = kms.decrypt_requests
    assert decrypt_request["KeyId"] == KEY_ID
    assert decrypt_request["EncryptionContext"] == CONTEXT


def test_a_ciphertext_copied_into_another_message_is_an_invalid_message() -> None:
    # Given a field encrypted for order-1
    cipher = KmsFieldCipher(FakeKmsClient(), KEY_ID)
    ciphertext = cipher.encrypt("1 High Street", CONTEXT)

    # When it is decrypted for order-2 / Then KMS refuses it and the message is invalid (not retried)
    with pytest.raises(InvalidMessage, match="InvalidCiphertextException"):
        cipher.decrypt(ciphertext, {"orderId": "order-2"})


@pytest.mark.parametrize("code", ["InvalidCiphertextException", "IncorrectKeyException"])
def test_a_ciphertext_kms_cannot_decrypt_is_an_invalid_message(code: str) -> None:
    # Given KMS cannot decrypt the field for this key and context
    cipher = KmsFieldCipher(FakeKmsClient(fail_with=_client_error(code)), KEY_ID)

    # When it is decrypted / Then the message is invalid, naming the reason
    with pytest.raises(InvalidMessage) as rejected:
        cipher.decrypt("c2VhbGVk", CONTEXT)
    assert code in rejected.value.reason


def test_access_denied_propagates_so_the_message_is_retried() -> None:
    # Given the service lacks kms:Decrypt (configuration, not a bad message)
    cipher = KmsFieldCipher(FakeKmsClient(fail_with=_client_error("AccessDeniedException")), KEY_ID)

    # When a field is decrypted / Then the error propagates as it is
    with pytest.raises(ClientError) as raised:
        cipher.decrypt("c2VhbGVk", CONTEXT)
    assert raised.value.response["Error"]["Code"] == "AccessDeniedException"


@pytest.mark.parametrize("ciphertext", ["not base64!", "c2VhbGVk=*"], ids=["text", "stray character"])
def test_a_field_that_is_not_base64_is_an_invalid_message_and_kms_is_not_asked(ciphertext: str) -> None:
    # Given a field that is not base64
    kms = FakeKmsClient()
    cipher = KmsFieldCipher(kms, KEY_ID)

    # When it is decrypted / Then the message is invalid, and KMS never sees it
    with pytest.raises(InvalidMessage, match="not base64"):
        cipher.decrypt(ciphertext, CONTEXT)
    assert kms.decrypt_requests == []
