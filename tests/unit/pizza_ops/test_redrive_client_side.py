"""Redriving a DLQ: server-side when the endpoint can, otherwise a client-side move that never loses a message."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from integration_patterns.dead_letter import DEAD_LETTER_REASON_ATTRIBUTE
from pizza_ops.redrive import NotADeadLetterQueue, RatePacer, redrive

ACCOUNT_URL = "https://sqs.us-east-1.amazonaws.com/000000000000"
DLQ_URL = f"{ACCOUNT_URL}/orders-dlq"
SOURCE_URL = f"{ACCOUNT_URL}/orders"


class FakeSqs:
    """Just enough of an SQS client for a redrive: two queues, visibility, and a log of calls.

    A received message stays in its queue, invisible to later receives, until it is deleted.
    """

    def __init__(
        self,
        dlq_messages: list[dict[str, Any]],
        *,
        source_url: str = SOURCE_URL,
        supports_move_task: bool = False,
        fail_send_of: str | None = None,
        is_dead_letter_queue: bool = True,
    ) -> None:
        self.source_url = source_url
        self.is_dead_letter_queue = is_dead_letter_queue
        self.queues: dict[str, list[dict[str, Any]]] = {DLQ_URL: list(dlq_messages), source_url: []}
        self.in_flight: set[str] = set()
        self.calls: list[tuple[str, str]] = []  # ("send"/"delete", message body or receipt handle)
        self.move_tasks: list[dict[str, Any]] = []
        self._supports_move_task = supports_move_task
        self._fail_send_of = fail_send_of

    def get_queue_attributes(self, **request: Any) -> dict[str, Any]:
        url = request["QueueUrl"]
        name = url.rsplit("/", 1)[-1]
        waiting = len([m for m in self.queues[url] if m["ReceiptHandle"] not in self.in_flight])
        return {
            "Attributes": {
                "QueueArn": f"arn:aws:sqs:us-east-1:000000000000:{name}",
                "ApproximateNumberOfMessages": str(waiting),
            }
        }

    def start_message_move_task(self, **request: Any) -> dict[str, Any]:
        if not self._supports_move_task:
            error = {"Error": {"Code": "InvalidAction", "Message": "StartMessageMoveTask is not supported"}}
            raise ClientError(error, "StartMessageMoveTask")
        self.move_tasks.append(request)
        return {"TaskHandle": "task-handle-1"}

    def list_dead_letter_source_queues(self, **request: Any) -> dict[str, Any]:
        assert request["QueueUrl"] == DLQ_URL
        return {"queueUrls": [self.source_url] if self.is_dead_letter_queue else []}

    def receive_message(self, **request: Any) -> dict[str, Any]:
        visible = [m for m in self.queues[request["QueueUrl"]] if m["ReceiptHandle"] not in self.in_flight]
        batch = visible[: request["MaxNumberOfMessages"]]
        self.in_flight.update(m["ReceiptHandle"] for m in batch)
        return {"Messages": batch} if batch else {}

    def send_message(self, **request: Any) -> dict[str, Any]:
        if request["MessageBody"] == self._fail_send_of:
            raise ClientError({"Error": {"Code": "InternalError", "Message": "try later"}}, "SendMessage")
        self.calls.append(("send", request["MessageBody"]))
        self.queues[request["QueueUrl"]].append(request)
        return {"MessageId": f"new-{len(self.calls)}"}

    def delete_message(self, **request: Any) -> dict[str, Any]:
        handle = request["ReceiptHandle"]
        self.calls.append(("delete", handle))
        self.queues[request["QueueUrl"]] = [m for m in self.queues[request["QueueUrl"]] if m["ReceiptHandle"] != handle]
        return {}


def _dead_letter(n: int, **system_attributes: str) -> dict[str, Any]:
    return {
        "MessageId": f"dlq-message-{n}",
        "ReceiptHandle": f"receipt-{n}",
        "Body": f"body-{n}",
        "Attributes": {"ApproximateReceiveCount": "4", **system_attributes},
        "MessageAttributes": {
            "traceparent": {
                "DataType": "String",
                "StringValue": f"00-{n:032x}-{n:016x}-01",
                "StringListValues": [],
                "BinaryListValues": [],
            },
            DEAD_LETTER_REASON_ATTRIBUTE: {"DataType": "String", "StringValue": "not a valid order"},
        },
    }


def _no_wait_pacer() -> RatePacer:
    return RatePacer(1_000, clock=lambda: 0.0, sleep=lambda _seconds: None)


def test_every_message_is_moved_to_the_source_queue_when_the_endpoint_lacks_move_tasks() -> None:
    # Given a DLQ with more messages than one receive returns, on an endpoint without StartMessageMoveTask
    messages = [_dead_letter(n) for n in range(1, 13)]
    sqs = FakeSqs(messages)

    # When it is redriven
    result = redrive(sqs, DLQ_URL, messages_per_second=5, pacer=_no_wait_pacer())

    # Then it falls back to a client-side move of every message, leaving the DLQ empty
    assert result.method == "client-side"
    assert result.moved == 12
    assert [m["MessageBody"] for m in sqs.queues[SOURCE_URL]] == [f"body-{n}" for n in range(1, 13)]
    assert sqs.queues[DLQ_URL] == []


def test_the_dead_letter_reason_is_stripped_and_other_attributes_are_kept() -> None:
    # Given a dead-lettered message carrying trace context and the reason it was dead-lettered
    sqs = FakeSqs([_dead_letter(1)])

    # When it is redriven
    redrive(sqs, DLQ_URL, messages_per_second=5, pacer=_no_wait_pacer())

    # Then the copy keeps its trace context (in SendMessage's shape) but not the stale reason
    (sent,) = sqs.queues[SOURCE_URL]
    assert sent["MessageAttributes"] == {
        "traceparent": {"DataType": "String", "StringValue": f"00-{1:032x}-{1:016x}-01"},
    }
    assert "MessageGroupId" not in sent
    assert "MessageDeduplicationId" not in sent


def test_each_message_is_deleted_from_the_dlq_only_after_its_copy_was_sent() -> None:
    # Given three dead-lettered messages
    sqs = FakeSqs([_dead_letter(n) for n in (1, 2, 3)])

    # When they are redriven
    redrive(sqs, DLQ_URL, messages_per_second=5, pacer=_no_wait_pacer())

    # Then every delete follows the send of the same message
    assert sqs.calls == [
        ("send", "body-1"),
        ("delete", "receipt-1"),
        ("send", "body-2"),
        ("delete", "receipt-2"),
        ("send", "body-3"),
        ("delete", "receipt-3"),
    ]


def test_a_failed_send_stops_the_redrive_and_leaves_that_message_in_the_dlq() -> None:
    # Given the source queue refuses the second message
    sqs = FakeSqs([_dead_letter(n) for n in (1, 2, 3)], fail_send_of="body-2")

    # When the DLQ is redriven
    with pytest.raises(ClientError, match="InternalError"):
        redrive(sqs, DLQ_URL, messages_per_second=5, pacer=_no_wait_pacer())

    # Then the error propagates, and every message is in exactly one of the queues: nothing lost
    assert [m["MessageBody"] for m in sqs.queues[SOURCE_URL]] == ["body-1"]
    assert [m["Body"] for m in sqs.queues[DLQ_URL]] == ["body-2", "body-3"]
    assert ("delete", "receipt-2") not in sqs.calls


def test_the_move_is_paced_at_the_requested_rate() -> None:
    # Given a pacer at 2 messages per second on a fake clock
    now = [0.0]
    send_times: list[float] = []
    pacer = RatePacer(2, clock=lambda: now[0], sleep=lambda seconds: now.__setitem__(0, now[0] + seconds))
    sqs = FakeSqs([_dead_letter(n) for n in (1, 2, 3)])
    original_send = sqs.send_message

    def timed_send(**request: Any) -> dict[str, Any]:
        send_times.append(now[0])
        return original_send(**request)

    sqs.send_message = timed_send  # type: ignore[method-assign]

    # When the DLQ is redriven
    redrive(sqs, DLQ_URL, messages_per_second=2, pacer=pacer)

    # Then sends start half a second apart
    assert send_times == pytest.approx([0.0, 0.5, 1.0])


def test_the_server_side_move_task_is_used_when_the_endpoint_supports_it() -> None:
    # Given an endpoint that implements StartMessageMoveTask
    sqs = FakeSqs([_dead_letter(1)], supports_move_task=True)

    # When the DLQ is redriven
    result = redrive(sqs, DLQ_URL, messages_per_second=7, pacer=_no_wait_pacer())

    # Then SQS moves the messages itself, at the requested rate, and the client moves none
    assert result.method == "server-side"
    assert result.task_handle == "task-handle-1"
    assert sqs.move_tasks == [
        {"SourceArn": "arn:aws:sqs:us-east-1:000000000000:orders-dlq", "MaxNumberOfMessagesPerSecond": 7}
    ]
    assert sqs.calls == []
    assert len(sqs.queues[DLQ_URL]) == 1


def test_a_move_task_error_other_than_unsupported_propagates() -> None:
    # Given an endpoint that refuses the move task for another reason (e.g. permissions)
    sqs = FakeSqs([_dead_letter(1)], supports_move_task=True)

    def denied(**request: Any) -> dict[str, Any]:
        raise ClientError({"Error": {"Code": "AccessDenied", "Message": "no"}}, "StartMessageMoveTask")

    sqs.start_message_move_task = denied  # type: ignore[method-assign]

    # When the DLQ is redriven / Then the error surfaces instead of a silent client-side move
    with pytest.raises(ClientError, match="AccessDenied"):
        redrive(sqs, DLQ_URL, messages_per_second=5, pacer=_no_wait_pacer())
    assert sqs.calls == []


def test_a_fifo_source_gets_the_message_group_and_a_fresh_deduplication_id() -> None:
    # Given a FIFO source queue and a dead-lettered message of group customer-7
    fifo_source = f"{ACCOUNT_URL}/orders.fifo"
    message = _dead_letter(1, MessageGroupId="customer-7", MessageDeduplicationId="order-1")
    sqs = FakeSqs([message], source_url=fifo_source)

    # When it is redriven
    redrive(sqs, DLQ_URL, messages_per_second=5, pacer=_no_wait_pacer())

    # Then the copy keeps its group (ordering) but not the original deduplication id,
    # which SQS would use to drop the copy as a duplicate
    (sent,) = sqs.queues[fifo_source]
    assert sent["MessageGroupId"] == "customer-7"
    assert sent["MessageDeduplicationId"]
    assert sent["MessageDeduplicationId"] != "order-1"


@pytest.mark.parametrize("supports_move_task", [True, False])
def test_a_queue_that_is_no_dead_letter_queue_is_refused_before_anything_moves(supports_move_task: bool) -> None:
    # Given a queue with messages that no queue's redrive policy names (a source queue, say)
    sqs = FakeSqs([_dead_letter(1)], supports_move_task=supports_move_task, is_dead_letter_queue=False)

    # When it is redriven / Then it is refused as not a DLQ
    with pytest.raises(NotADeadLetterQueue, match="not a dead-letter queue"):
        redrive(sqs, DLQ_URL, messages_per_second=5, pacer=_no_wait_pacer())

    # And nothing was moved, neither by a move task nor by the client
    assert sqs.move_tasks == []
    assert sqs.calls == []
    assert len(sqs.queues[DLQ_URL]) == 1


class PoisonComesBack(FakeSqs):
    """A source queue whose consumer dead-letters every message it is given, as a new message."""

    def send_message(self, **request: Any) -> dict[str, Any]:
        if len(self.calls) > 20:
            raise AssertionError("the redrive keeps moving the messages that came back: it would never end")
        result = super().send_message(**request)
        again = f"again-{len(self.calls)}"
        copy = {"MessageId": again, "ReceiptHandle": again, "Body": request["MessageBody"], "Attributes": {}}
        self.queues[DLQ_URL].append(copy)
        return result


def test_a_message_that_fails_again_is_moved_once_and_the_redrive_ends() -> None:
    # Given a DLQ of two messages whose source consumer dead-letters them again at once
    sqs = PoisonComesBack([_dead_letter(1), _dead_letter(2)])

    # When the DLQ is redriven client-side
    result = redrive(sqs, DLQ_URL, 500, pacer=RatePacer(500, clock=lambda: 0.0, sleep=lambda _: None))

    # Then the two that were there moved once each, and the redrive ended with their copies waiting
    assert result.moved == 2
    assert [call for call in sqs.calls if call[0] == "send"] == [("send", "body-1"), ("send", "body-2")]
    assert len(sqs.queues[DLQ_URL]) == 2
