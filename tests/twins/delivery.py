"""In-memory twins of the adapters, for unit tests of the use cases."""

from __future__ import annotations

from collections.abc import Mapping

from delivery_service.domain import Address, Delivery, EncryptedAddress
from delivery_service.ports import AddressDecryptor, Deliveries
from integration_patterns.errors import InvalidMessage


class InMemoryAddressDecryptor(AddressDecryptor):
    """Knows the plaintext of each (ciphertext, order id) pair, as KMS would with its context."""

    def __init__(self, addresses: Mapping[tuple[str, str], Address]) -> None:
        self._addresses = dict(addresses)
        self.calls: list[str] = []

    def decrypt(self, encrypted: EncryptedAddress, order_id: str) -> Address:
        self.calls.append(order_id)
        address = self._addresses.get((encrypted.ciphertext, order_id))
        if address is None:
            raise InvalidMessage(f"the encrypted field cannot be decrypted for this message (order {order_id})")
        return address


class InMemoryDeliveries(Deliveries):
    def __init__(self) -> None:
        self.deliveries: dict[str, Delivery] = {}

    def add_if_absent(self, delivery: Delivery) -> bool:
        if delivery.order_id in self.deliveries:
            return False
        self.deliveries[delivery.order_id] = delivery
        return True
