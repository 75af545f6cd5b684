"""Delivery addresses decrypted with KMS, bound to their order by the encryption context."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from delivery_service.domain import Address, EncryptedAddress
from delivery_service.ports import AddressDecryptor
from integration_patterns.errors import InvalidMessage
from integration_patterns.field_encryption import KmsFieldCipher
from pizza_contracts import ENCRYPTION_CONTEXT_ORDER_ID


class _AddressPlaintext(BaseModel):
    """The decrypted JSON object, as the order service writes it."""

    model_config = ConfigDict(extra="ignore")
    line1: str = Field(min_length=1)
    line2: str | None = None
    city: str = Field(min_length=1)
    postcode: str = Field(min_length=1)
    contactPhone: str | None = None  # noqa: N815 - the order service's spelling
    notes: str | None = None


class KmsAddressDecryptor(AddressDecryptor):
    """Decrypts under the key this service is configured with.

    The cipher pins the key, so the event's ``keyId`` is not trusted to choose one: KMS refuses a
    ciphertext made under any other key, and the message is dead-lettered.
    """

    def __init__(self, cipher: KmsFieldCipher) -> None:
        self._cipher = cipher

    def decrypt(self, encrypted: EncryptedAddress, order_id: str) -> Address:
        plaintext = self._cipher.decrypt(encrypted.ciphertext, {ENCRYPTION_CONTEXT_ORDER_ID: order_id})
        try:
            address = _AddressPlaintext.model_validate_json(plaintext)
        except ValidationError as error:
            # Field names and messages only, and no chained error: pydantic's own text quotes the input.
            problems = "; ".join(
                f"{'.'.join(str(p) for p in e['loc']) or 'address'}: {e['msg']}"
                for e in error.errors(include_url=False, include_input=False)
            )
            raise InvalidMessage(
                f"the delivery address of order {order_id} is not a valid address: {problems}"
            ) from None
        return Address(
            address.line1,
            address.city,
            address.postcode,
            address.line2 or None,
            contact_phone=address.contactPhone or None,
            notes=address.notes or None,
        )
