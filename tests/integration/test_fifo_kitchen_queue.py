"""The kitchen channel declared FIFO by one setting: per-customer order, deduplication by order id."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import httpx
import pytest
from integration_support import AwsClients, OrdersApi, Telemetry, collection_order, eventually, new_id
from opentelemetry import context as otel_context

from integration_patterns.outbox_relay import Outgoing
from integration_patterns.outbox_routes import queue_route
from integration_patterns.sqs_sender import SqsCloudEventSender
from order_service.adapters.outbox_messages import OrderEventMessages
from order_service.domain.events import OrderPlaced
from order_service.domain.order import Order, OrderItem, OrderStatus, OrderType
from pizza_ops.deploy.outputs import StackOutputs
from pizza_ops.stack import EmbeddedStack, emulator_credentials_session


@pytest.fixture(scope="module")
def fifo(stack: EmbeddedStack) -> Iterator[StackOutputs]:
    # The same system, with only the FIFO setting flipped, deployed beside the standard one.
    system = stack.config.system.with_fifo("kitchen-orders", True).model_copy(update={"name_prefix": "pizzafifo"})
    yield stack.deploy(system, save=False)


@pytest.fixture(scope="module")
def fifo_aws(stack: EmbeddedStack, fifo: StackOutputs) -> AwsClients:
    return AwsClients(
        emulator_credentials_session(stack.config.region), stack.emulator.endpoint, stack.config.region, fifo
    )


def test_fifo_setting_makes_the_kitchen_queue_and_its_dlq_fifo(fifo: StackOutputs, fifo_aws: AwsClients) -> None:
    # Given the system deployed with the kitchen queue declared FIFO
    # Then both the queue and its DLQ are FIFO queues, and the other queues stay standard
    for name in ("kitchen-orders", "kitchen-orders-dlq"):
        url = fifo.queue_urls[name]
        assert url.endswith(".fifo")
        attributes = fifo_aws.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["FifoQueue"])["Attributes"]
        assert attributes["FifoQueue"] == "true"
    assert not fifo.queue_urls["order-acknowledgements"].endswith(".fifo")


def test_one_customers_orders_reach_the_kitchen_in_the_order_placed(
    fifo: StackOutputs, http: httpx.Client, telemetry: Telemetry
) -> None:
    # Given one customer placing several orders in a row through the FIFO deployment
    api = OrdersApi(http, fifo.api_urls["orders"])
    customer = new_id("fifo-customer")
    order_ids = [api.place(collection_order(customer_id=customer)).json()["orderId"] for _ in range(5)]

    # When they have all been acknowledged
    for order_id in order_ids:
        api.wait_for_status(order_id, "ACKNOWLEDGED")

    # Then the kitchen began them in exactly the order they were placed
    kitchen_starts = [
        eventually(lambda o=order_id: telemetry.consumer_spans("kitchen-processor", o), what="kitchen span")[0]
        for order_id in order_ids
    ]
    starts = [span.start_unix_nano for span in kitchen_starts]
    assert starts == sorted(starts)
    assert all(
        span.attributes["messaging.destination.name"] == "pizzafifo-kitchen-orders.fifo" for span in kitchen_starts
    )


def test_the_same_order_sent_twice_reaches_the_kitchen_once(
    fifo: StackOutputs, fifo_aws: AwsClients, telemetry: Telemetry
) -> None:
    # Given the outbox relay's kitchen route on the FIFO queue, sending order.placed as the order
    # service stores it (message group = customer, deduplication id = order id)
    route = queue_route(SqsCloudEventSender(fifo_aws.sqs, fifo.queue_urls["kitchen-orders"]))

    def request_preparation(order: Order) -> None:
        (message,) = OrderEventMessages().messages([OrderPlaced(order)])
        assert route([Outgoing(message.event, message.delivery, otel_context.get_current())]) == [None]

    order = Order(
        order_id=new_id("dedup"),
        customer_id="customer-d",
        items=(OrderItem("Margherita", 1),),
        order_type=OrderType.COLLECTION,
        status=OrderStatus.ACCEPTED,
        placed_at=datetime.now(UTC),
    )

    # When a producer retry sends the same order twice (two distinct CloudEvents)
    request_preparation(order)
    request_preparation(order)
    eventually(lambda: fifo_aws.get_item("kitchen-orders", order.order_id), what="the kitchen order")
    # And a marker sent after them in the same group has been processed, so nothing is still queued
    marker = new_id("marker")
    request_preparation(Order(marker, "customer-d", order.items, order.order_type, order.status, order.placed_at))
    eventually(lambda: fifo_aws.get_item("kitchen-orders", marker), what="the marker order")

    # Then SQS dropped the second copy: the kitchen processed the order once
    assert len(telemetry.consumer_spans("kitchen-processor", order.order_id)) == 1
