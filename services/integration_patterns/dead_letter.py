"""Moving a message that can never succeed straight to its dead-letter queue, with the reason."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

DEAD_LETTER_REASON_ATTRIBUTE = "dead_letter_reason"
# The id the message had on its source queue: what its consumer's log lines and CONSUMER span name
# (`pizza logs FUNCTION --filter <id>`); a message sent to the DLQ gets an id of its own.
DEAD_LETTER_SOURCE_MESSAGE_ID_ATTRIBUTE = "dead_letter_source_message_id"
_MAX_REASON_LENGTH = 1024


class DeadLetterSink:
    """Writes rejected records to a DLQ, keeping body and attributes so nothing is lost.

    The reason travels as a message attribute, so an operator reading the DLQ (or redriving
    it) sees why each message is there.
    """

    def __init__(self, sqs_client: Any, queue_url: str) -> None:
        self._sqs = sqs_client
        self._queue_url = queue_url
        self._is_fifo = queue_url.endswith(".fifo")

    def send(self, record: SQSRecord, reason: str) -> None:
        attributes = lambda_attributes_to_send_format(record.raw_event.get("messageAttributes") or {})
        attributes[DEAD_LETTER_REASON_ATTRIBUTE] = {
            "DataType": "String",
            "StringValue": reason[:_MAX_REASON_LENGTH],
        }
        attributes[DEAD_LETTER_SOURCE_MESSAGE_ID_ATTRIBUTE] = {"DataType": "String", "StringValue": record.message_id}
        request: dict[str, Any] = {
            "QueueUrl": self._queue_url,
            "MessageBody": record.body or "",
            "MessageAttributes": attributes,
        }
        if self._is_fifo:
            request["MessageGroupId"] = record.attributes.message_group_id or "dead-letter"
            request["MessageDeduplicationId"] = record.message_id
        self._sqs.send_message(**request)


def lambda_attributes_to_send_format(attributes: dict[str, Any]) -> dict[str, Any]:
    """Lambda's SQS event spells attributes in camelCase; SendMessage wants PascalCase."""
    converted: dict[str, Any] = {}
    for name, attribute in attributes.items():
        data_type = attribute.get("dataType") or attribute.get("DataType") or "String"
        if attribute.get("stringValue") is not None or attribute.get("StringValue") is not None:
            value = attribute.get("stringValue", attribute.get("StringValue"))
            converted[name] = {"DataType": data_type, "StringValue": value}
        elif attribute.get("binaryValue") is not None or attribute.get("BinaryValue") is not None:
            value = attribute.get("binaryValue", attribute.get("BinaryValue"))
            converted[name] = {"DataType": data_type, "BinaryValue": value}
    return converted
