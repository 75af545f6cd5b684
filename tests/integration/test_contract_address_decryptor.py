"""Contract of the AddressDecryptor port: its twin and the KMS adapter decrypt an address alike."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import pytest
from contract_support import DYNAMODB, IMPLEMENTATIONS, emulator, new_id

from delivery_service.domain import Address, EncryptedAddress
from delivery_service.kms_address_decryptor import KmsAddressDecryptor
from delivery_service.ports import AddressDecryptor
from integration_patterns.errors import InvalidMessage
from integration_patterns.field_encryption import KmsFieldCipher
from pizza_contracts import ENCRYPTION_CONTEXT_ORDER_ID
from pizza_ops.stack import emulator_credentials_session
from twins.delivery import InMemoryAddressDecryptor

ADDRESS = Address("1 Crust Street", "Naples", "80100", "Flat 2")


@dataclass
class TwinKeys:
    """Seals addresses for the twin: it knows each (ciphertext, order id) pair it was given."""

    sealed: dict[tuple[str, str], Address] = field(default_factory=dict)

    def seal(self, address: Address, order_id: str) -> EncryptedAddress:
        ciphertext = new_id("ciphertext")
        self.sealed[(ciphertext, order_id)] = address
        return EncryptedAddress(ciphertext, "twin-key")

    def decryptor(self) -> AddressDecryptor:
        return InMemoryAddressDecryptor(self.sealed)


@dataclass
class KmsKeys:
    """Seals addresses as the order service does: JSON under the order-pii key, bound to the order id."""

    cipher: KmsFieldCipher
    key_id: str

    def seal(self, address: Address, order_id: str) -> EncryptedAddress:
        plaintext: dict[str, Any] = {"line1": address.line1, "city": address.city, "postcode": address.postcode}
        if address.line2:
            plaintext["line2"] = address.line2
        ciphertext = self.cipher.encrypt(json.dumps(plaintext), {ENCRYPTION_CONTEXT_ORDER_ID: order_id})
        return EncryptedAddress(ciphertext, self.key_id)

    def decryptor(self) -> AddressDecryptor:
        return KmsAddressDecryptor(self.cipher)


# "dynamodb" names the emulator-backed case in every contract file; here it is the emulator's KMS.
@pytest.fixture(params=IMPLEMENTATIONS)
def keys(request: pytest.FixtureRequest) -> TwinKeys | KmsKeys:
    if request.param == DYNAMODB:
        aws = emulator(request)
        stack = request.getfixturevalue("stack")
        kms = emulator_credentials_session(stack.config.region).client("kms", endpoint_url=stack.emulator.endpoint)
        key_arn = aws.outputs.key_arns["order-pii"]
        return KmsKeys(KmsFieldCipher(kms, key_arn), key_arn)
    return TwinKeys()


def test_an_address_decrypts_for_the_order_it_was_encrypted_for(keys: TwinKeys | KmsKeys) -> None:
    # Given an address encrypted for an order
    order = new_id("order")
    encrypted = keys.seal(ADDRESS, order)

    # When it is decrypted for that order
    address = keys.decryptor().decrypt(encrypted, order)

    # Then it is the address
    assert address == ADDRESS


def test_an_address_without_a_second_line_decrypts_without_one(keys: TwinKeys | KmsKeys) -> None:
    # Given an address with no second line, encrypted for an order
    order = new_id("order")
    encrypted = keys.seal(Address("1 Crust Street", "Naples", "80100"), order)

    # When it is decrypted for that order
    address = keys.decryptor().decrypt(encrypted, order)

    # Then its second line is None
    assert address.line2 is None


def test_an_address_copied_into_another_order_does_not_decrypt(keys: TwinKeys | KmsKeys) -> None:
    # Given an address encrypted for one order
    encrypted = keys.seal(ADDRESS, new_id("order"))

    # When it is decrypted for another order
    # Then it is an invalid message (never retried), not an address
    with pytest.raises(InvalidMessage):
        keys.decryptor().decrypt(encrypted, new_id("order"))


def test_a_ciphertext_that_was_never_encrypted_does_not_decrypt(keys: TwinKeys | KmsKeys) -> None:
    # Given a ciphertext nobody encrypted
    garbage = EncryptedAddress("bm90IGEgY2lwaGVydGV4dA==", "some-key")

    # When it is decrypted
    # Then it is an invalid message
    with pytest.raises(InvalidMessage):
        keys.decryptor().decrypt(garbage, new_id("order"))
