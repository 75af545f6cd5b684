"""Contract of the kitchen's Acknowledgements port: its twin and the SQS adapter reply alike.

The SQS case replies to a queue of its own: the deployed reply queue has a live consumer.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from contract_support import DYNAMODB, IMPLEMENTATIONS, emulator, new_id
from integration_support import eventually

from integration_patterns.durable_functions import DurableCallbacks
from integration_patterns.sqs_sender import SqsCloudEventSender
from kitchen_service.adapters.kitchen_replies import KitchenReplies
from kitchen_service.ports import Acknowledgements
from pizza_contracts import KITCHEN_ACKNOWLEDGED_V1
from twins.kitchen import InMemoryAcknowledgements


@dataclass
class Replies:
    acknowledgements: Acknowledgements
    reply_to: str
    # The order ids of the acknowledgements that reached reply_to, once ``expect`` have.
    received: Callable[[int], list[str]]


# "dynamodb" names the emulator-backed case in every contract file; here it is the emulator's SQS.
@pytest.fixture(params=IMPLEMENTATIONS)
def replies(request: pytest.FixtureRequest) -> Iterator[Replies]:
    if request.param == DYNAMODB:
        aws = emulator(request)
        queue_url = aws.sqs.create_queue(QueueName=new_id("kitchen-replies-contract"))["QueueUrl"]
        seen: list[str] = []

        def receive(expect: int) -> list[str]:
            def enough() -> bool:
                batch = aws.sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=1)
                for message in batch.get("Messages", []):
                    event = json.loads(message["Body"])
                    if event["type"] == str(KITCHEN_ACKNOWLEDGED_V1):
                        seen.append(event["data"]["orderId"])
                    aws.sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
                return len(seen) >= expect

            eventually(enough, timeout=15, interval=0, what=f"{expect} acknowledgements")
            return seen

        senders = {queue_url: SqsCloudEventSender(aws.sqs, queue_url)}
        yield Replies(KitchenReplies(senders, DurableCallbacks(aws.lambda_)), queue_url, receive)
        aws.sqs.delete_queue(QueueUrl=queue_url)
        return
    twin = InMemoryAcknowledgements()
    reply_to = "https://sqs.us-east-1.amazonaws.com/000000000000/kitchen-replies-contract"
    yield Replies(twin, reply_to, lambda _expect: [order_id for order_id, queue in twin.sent if queue == reply_to])


def test_an_acknowledgement_reaches_the_reply_queue_naming_its_order(replies: Replies) -> None:
    # Given an order that asked for a reply
    order = new_id("order")

    # When the kitchen acknowledges it
    replies.acknowledgements.acknowledge(order, replies.reply_to)

    # Then one acknowledgement of that order reaches the reply queue
    assert replies.received(1) == [order]


def test_every_acknowledgement_is_sent_even_of_the_same_order(replies: Replies) -> None:
    # Given an order that was acknowledged
    order = new_id("order")
    replies.acknowledgements.acknowledge(order, replies.reply_to)

    # When it is acknowledged again (a redelivered order: the first reply may never have gone out)
    replies.acknowledgements.acknowledge(order, replies.reply_to)

    # Then both acknowledgements are sent: the port does not deduplicate, the order service does
    assert replies.received(2) == [order, order]
