"""A Powertools idempotency persistence layer in memory, for unit tests of idempotent work.

It keeps DynamoDBPersistenceLayer's one rule that matters: a record may be put only where none
is, where the old one has expired, or where a pending one outlived its invocation.
"""

from __future__ import annotations

import time

from aws_lambda_powertools.utilities.idempotency import BasePersistenceLayer
from aws_lambda_powertools.utilities.idempotency.exceptions import (
    IdempotencyItemAlreadyExistsError,
    IdempotencyItemNotFoundError,
)
from aws_lambda_powertools.utilities.idempotency.persistence.datarecord import STATUS_CONSTANTS, DataRecord


class InMemoryIdempotencyStore(BasePersistenceLayer):
    def __init__(self) -> None:
        super().__init__()
        self.records: dict[str, DataRecord] = {}

    def _get_record(self, idempotency_key: str) -> DataRecord:
        try:
            return self.records[idempotency_key]
        except KeyError as error:
            raise IdempotencyItemNotFoundError from error

    def _put_record(self, data_record: DataRecord) -> None:
        existing = self.records.get(data_record.idempotency_key)
        if existing is not None and not _replaceable(existing):
            raise IdempotencyItemAlreadyExistsError
        self.records[data_record.idempotency_key] = data_record

    def _update_record(self, data_record: DataRecord) -> None:
        self.records[data_record.idempotency_key] = data_record

    def _delete_record(self, data_record: DataRecord) -> None:
        self.records.pop(data_record.idempotency_key, None)

    def expire_all(self) -> None:
        """As if the TTL had passed for every record."""
        for record in self.records.values():
            record.expiry_timestamp = int(time.time()) - 1


def _replaceable(record: DataRecord) -> bool:
    if record.is_expired:
        return True
    pending_until = record.in_progress_expiry_timestamp
    return (
        record.status == STATUS_CONSTANTS["INPROGRESS"]
        and pending_until is not None
        and pending_until < int(time.time() * 1000)
    )
