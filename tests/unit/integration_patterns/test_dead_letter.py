"""The dead-letter sink: a message that can never succeed goes to its DLQ whole, with the reason."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from consumer_support import sqs_record

from integration_patterns.dead_letter import (
    DEAD_LETTER_REASON_ATTRIBUTE,
    DEAD_LETTER_SOURCE_MESSAGE_ID_ATTRIBUTE,
    DeadLetterSink,
)


class RecordingSqs:
    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []

    def send_message(self, **request: Any) -> dict[str, Any]:
        self.sent.append(request)
        return {"MessageId": "dlq-1"}


def test_the_body_and_attributes_are_kept_and_the_reason_is_added_as_an_attribute() -> None:
    # Given a record with a body and a message attribute (as Lambda spells them)
    attributes = {"traceparent": {"stringValue": "00-abc-def-01", "dataType": "String"}}
    record = SQSRecord(sqs_record("m-1", '{"id": "e-1"}', message_attributes=attributes))
    sqs = RecordingSqs()

    # When it is dead-lettered with a reason
    DeadLetterSink(sqs, "https://sqs.test/q-dlq").send(record, "data: must be a JSON object")

    # Then the DLQ gets the same body, the attribute in SendMessage's spelling, and the reason
    [request] = sqs.sent
    assert request["QueueUrl"] == "https://sqs.test/q-dlq"
    assert request["MessageBody"] == '{"id": "e-1"}'
    assert request["MessageAttributes"]["traceparent"] == {"DataType": "String", "StringValue": "00-abc-def-01"}
    assert request["MessageAttributes"][DEAD_LETTER_REASON_ATTRIBUTE] == {
        "DataType": "String",
        "StringValue": "data: must be a JSON object",
    }
    # And the id it had on its source queue, which its consumer's log lines name
    assert request["MessageAttributes"][DEAD_LETTER_SOURCE_MESSAGE_ID_ATTRIBUTE] == {
        "DataType": "String",
        "StringValue": "m-1",
    }
    assert "MessageGroupId" not in request


def test_a_very_long_reason_is_cut_to_what_an_attribute_should_carry() -> None:
    # Given a reason of 5,000 characters / When dead-lettered / Then the attribute holds its first 1,024
    sqs = RecordingSqs()
    DeadLetterSink(sqs, "https://sqs.test/q-dlq").send(SQSRecord(sqs_record("m-1", "{}")), "r" * 5000)
    assert sqs.sent[0]["MessageAttributes"][DEAD_LETTER_REASON_ATTRIBUTE]["StringValue"] == "r" * 1024


def test_a_fifo_dlq_keeps_the_message_group_and_deduplicates_on_the_message_id() -> None:
    # Given a record from a FIFO queue / When dead-lettered to a FIFO DLQ
    sqs = RecordingSqs()
    record = SQSRecord(sqs_record("m-1", "{}", queue="q.fifo", group_id="customer-7"))
    DeadLetterSink(sqs, "https://sqs.test/q-dlq.fifo").send(record, "reason")

    # Then the group is kept (its order with it) and a resend of the same message is dropped
    assert sqs.sent[0]["MessageGroupId"] == "customer-7"
    assert sqs.sent[0]["MessageDeduplicationId"] == "m-1"
