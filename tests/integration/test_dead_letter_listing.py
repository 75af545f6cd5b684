"""`pizza dlq`: an operator sees every dead-letter queue's depth, and a queue's messages with their
ids and reasons, without taking them out of the queue."""

from __future__ import annotations

import subprocess
import sys

from integration_support import AwsClients, eventually, new_id

from integration_patterns.cloudevents_envelope import EventType, new_event, to_json
from pizza_ops.stack import EmbeddedStack


def _pizza(stack: EmbeddedStack, *args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "pizza_ops", "--state-dir", str(stack.config.state_dir), *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)


def _depth(listing: str, queue: str) -> int:
    [line] = [line for line in listing.splitlines() if line.split()[:1] == [queue]]
    return int(line.split()[1])


def test_pizza_dlq_shows_the_depth_and_the_dead_letter_with_its_reason_and_leaves_it_there(
    aws: AwsClients, stack: EmbeddedStack
) -> None:
    # Given the kitchen's DLQ depth, and an event of a type the kitchen does not take, sent to it
    before = _depth(_pizza(stack, "dlq").stdout, "kitchen-orders-dlq")
    event = new_event(EventType("com.pizza.order.placed", 9), "/tests", {"orderId": new_id("order")})
    aws.send("kitchen-orders", to_json(event))

    # When it has been dead-lettered
    eventually(
        lambda: _depth(_pizza(stack, "dlq").stdout, "kitchen-orders-dlq") == before + 1,
        timeout=45,
        what="the dead letter",
    )

    # Then `pizza dlq --show` lists it: its message id, its event, and the reason it was refused
    shown = _pizza(stack, "dlq", "--show", "kitchen-orders-dlq")
    assert shown.returncode == 0, shown.stderr
    lines = shown.stdout.splitlines()
    at = next(index for index, line in enumerate(lines) if event.get_id() in line)
    header, source, reason = lines[at : at + 3]
    assert "messageId " in header and "com.pizza.order.placed.v9" in header
    # And the id it had on the kitchen's queue, which the kitchen's log lines name
    source_id = source.split("source messageId ")[1].split()[0]
    logged = aws.log_lines_for_messages("kitchen-processor", {source_id}, lambda line: True)
    assert logged and all(line["message_id"] == source_id for line in logged)
    assert reason.strip().startswith("reason: ") and "not one the kitchen supports" in reason
    # And the message is still there: showing took nothing out
    assert _depth(_pizza(stack, "dlq").stdout, "kitchen-orders-dlq") == before + 1
    assert event.get_id() in _pizza(stack, "dlq", "--show", "kitchen-orders-dlq").stdout
    _remove(aws, "kitchen-orders-dlq", event.get_id())


def _remove(aws: AwsClients, queue: str, event_id: str) -> None:
    """Take this test's dead letter out, so later tests (a redrive) find the DLQ as they left it."""

    def removed() -> bool:
        url = aws.queue_url(queue)
        for message in aws.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1).get(
            "Messages", []
        ):
            if event_id in message["Body"]:
                aws.sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
                return True
            aws.sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=0)
        return False

    eventually(removed, timeout=30, what="this test's dead letter to be removed")


def test_pizza_dlq_refuses_a_queue_that_is_no_dead_letter_queue_in_one_line(stack: EmbeddedStack) -> None:
    # Given a source queue's name where a DLQ's is expected / When shown / Then one line names the known DLQs
    result = _pizza(stack, "dlq", "--show", "kitchen-orders")
    assert result.returncode == 2
    assert result.stderr.startswith("pizza: 'kitchen-orders' is no declared dead-letter queue; known:")
    assert result.stderr.count("\n") == 1
