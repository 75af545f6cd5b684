"""The KMS adapter decrypts an address bound to its order and validates it without leaking it."""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from typing import Any

import pytest
from botocore.exceptions import ClientError

from delivery_service.domain import Address, EncryptedAddress
from delivery_service.kms_address_decryptor import KmsAddressDecryptor
from integration_patterns.errors import InvalidMessage
from integration_patterns.field_encryption import KmsFieldCipher

KEY_ID = "alias/order-pii"


class FakeKms:
    """Returns the plaintext only for the exact key and encryption context it was stored under."""

    def __init__(self, plaintexts: Mapping[tuple[bytes, str], str]) -> None:
        self._plaintexts = plaintexts

    def decrypt(self, CiphertextBlob: bytes, KeyId: str, EncryptionContext: dict[str, str]) -> dict[str, Any]:  # noqa: N803
        plaintext = self._plaintexts.get((CiphertextBlob, EncryptionContext.get("orderId", "")))
        if KeyId != KEY_ID or plaintext is None:
            raise ClientError({"Error": {"Code": "InvalidCiphertextException", "Message": ""}}, "Decrypt")
        return {"Plaintext": plaintext.encode("utf-8")}


def _decryptor(plaintext: str, order_id: str = "order-1") -> KmsAddressDecryptor:
    return KmsAddressDecryptor(KmsFieldCipher(FakeKms({(b"blob", order_id): plaintext}), KEY_ID))


ENCRYPTED = EncryptedAddress(base64.b64encode(b"blob").decode("ascii"), KEY_ID)


def test_the_contact_phone_and_notes_travel_with_the_address() -> None:
    # Given delivery details with a contact phone and notes, encrypted for order-1
    details = {
        "line1": "1 Via Roma",
        "city": "Napoli",
        "postcode": "80100",
        "contactPhone": "+39 081 1",
        "notes": "Dock B",
    }

    # When delivery decrypts them / Then the phone and notes are part of the address it keeps
    address = _decryptor(json.dumps(details)).decrypt(ENCRYPTED, "order-1")
    assert (address.contact_phone, address.notes) == ("+39 081 1", "Dock B")
    assert "Dock B" not in repr(address)


def test_an_address_is_decrypted_under_its_order_id() -> None:
    # Given an address encrypted for order-1
    plaintext = json.dumps({"line1": "1 Rua Augusta", "line2": "3rd floor", "city": "Lisboa", "postcode": "1100-048"})

    # When delivery decrypts it for order-1 / Then it is the address
    assert _decryptor(plaintext).decrypt(ENCRYPTED, "order-1") == Address(
        "1 Rua Augusta", "Lisboa", "1100-048", line2="3rd floor"
    )


def test_line2_is_optional() -> None:
    # Given an address without a second line / When decrypted / Then line2 is None
    plaintext = json.dumps({"line1": "1 Rua Augusta", "city": "Lisboa", "postcode": "1100-048"})
    assert _decryptor(plaintext).decrypt(ENCRYPTED, "order-1").line2 is None


def test_an_address_encrypted_for_another_order_is_refused() -> None:
    # Given an address encrypted for order-0 / When decrypted for order-1 / Then it is invalid
    plaintext = json.dumps({"line1": "1 Rua Augusta", "city": "Lisboa", "postcode": "1100-048"})
    with pytest.raises(InvalidMessage, match="cannot be decrypted"):
        _decryptor(plaintext, order_id="order-0").decrypt(ENCRYPTED, "order-1")


@pytest.mark.parametrize(
    ("plaintext", "field"),
    [
        (json.dumps({"line1": "1 Rua Augusta", "city": "Lisboa"}), "postcode"),
        (json.dumps({"line1": "", "city": "Lisboa", "postcode": "1100-048"}), "line1"),
        (json.dumps({"line1": "1 Rua Augusta", "city": 42, "postcode": "1100-048"}), "city"),
        ("1 Rua Augusta, Lisboa 1100-048", "address"),
    ],
    ids=["missing postcode", "empty line1", "city not text", "not JSON"],
)
def test_a_malformed_address_is_refused_naming_the_field_but_not_the_address(plaintext: str, field: str) -> None:
    # Given a decryptable but malformed address / When decrypted
    with pytest.raises(InvalidMessage) as rejected:
        _decryptor(plaintext).decrypt(ENCRYPTED, "order-1")

    # Then the reason names the field and the order, quotes none of the address, and chains nothing that would
    reason = rejected.value.reason
    assert f"{field}:" in reason
    assert "order-1" in reason
    assert "Rua Augusta" not in reason
    assert "Lisboa" not in reason
    assert rejected.value.__cause__ is None
    assert rejected.value.__suppress_context__ is True
