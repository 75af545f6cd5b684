"""What the delivery use cases need from the outside world."""

from __future__ import annotations

from abc import ABC, abstractmethod

from delivery_service.domain import Address, Delivery, EncryptedAddress


class AddressDecryptor(ABC):
    """Turns the encrypted address an order event carries into the address to deliver to."""

    @abstractmethod
    def decrypt(self, encrypted: EncryptedAddress, order_id: str) -> Address:
        """The plaintext address; InvalidMessage when it cannot be decrypted for this order or is malformed.

        ``order_id`` must match the one the address was encrypted for, so an address copied
        from another order's event does not decrypt.
        """


class Deliveries(ABC):
    """The delivery service's own delivery records."""

    @abstractmethod
    def add_if_absent(self, delivery: Delivery) -> bool:
        """Store the delivery unless its order has one; True when this call stored it.

        Once per order, not per event: two different events about the same order store one.
        """
