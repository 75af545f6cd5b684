"""Encrypting one sensitive field of a message with KMS, bound to the message it belongs to.

Only the field is encrypted, so the rest of the event stays routable and readable; whoever lacks
``kms:Decrypt`` on the key sees ciphertext only. The encryption context (e.g. the order id) is
authenticated: a ciphertext copied into another message does not decrypt there.

Direct KMS ``Encrypt`` takes up to 4 KB of plaintext, plenty for an address or a phone number;
larger payloads need envelope encryption (a data key), which Powertools data masking offers for
whole payloads.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from typing import Any

from botocore.exceptions import ClientError

from integration_patterns.errors import InvalidMessage

_NOT_DECRYPTABLE = {"InvalidCiphertextException", "IncorrectKeyException"}


class KmsFieldCipher:
    """Encrypts and decrypts short strings under one KMS key (base64 ciphertext in messages)."""

    def __init__(self, kms_client: Any, key_id: str) -> None:
        self._kms = kms_client
        self._key_id = key_id

    def encrypt(self, plaintext: str, context: Mapping[str, str]) -> str:
        response = self._kms.encrypt(
            KeyId=self._key_id, Plaintext=plaintext.encode("utf-8"), EncryptionContext=dict(context)
        )
        return base64.b64encode(response["CiphertextBlob"]).decode("ascii")

    def decrypt(self, ciphertext_b64: str, context: Mapping[str, str]) -> str:
        """The plaintext; :class:`InvalidMessage` when the ciphertext is not valid for this key and context.

        The key is pinned, so a message cannot make this service decrypt under a key it did not
        choose. Access errors propagate (and are retried): they are configuration, not bad input.
        """
        try:
            blob = base64.b64decode(ciphertext_b64, validate=True)
        except (binascii.Error, ValueError) as error:
            raise InvalidMessage("the encrypted field is not base64") from error
        if not blob:
            raise InvalidMessage("the encrypted field is empty")
        try:
            response = self._kms.decrypt(CiphertextBlob=blob, KeyId=self._key_id, EncryptionContext=dict(context))
        except ClientError as error:
            code = error.response.get("Error", {}).get("Code", "")
            if code in _NOT_DECRYPTABLE:
                raise InvalidMessage(f"the encrypted field cannot be decrypted for this message ({code})") from error
            raise
        return bytes(response["Plaintext"]).decode("utf-8")
