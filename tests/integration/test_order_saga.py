"""The orchestrated saga on the emulator: a durable function takes each order through stock, payment
and the kitchen, and undoes what it did when a step refuses.

The session's stack runs the choreography (the rest of the suite tests it); this module switches
the orders API to the saga (ORDER_WORKFLOW=saga, the deployment default) for its own tests.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from botocore.exceptions import ClientError
from integration_support import (
    UNCOOKABLE_PIZZA,
    AwsClients,
    OrdersApi,
    Telemetry,
    collection_order,
    delivery_order,
    eventually,
    new_id,
    set_order_workflow,
)
from pubsub_support import PubSub

from pizza_ops.saga_history import executions_of_order
from pizza_ops.stack import EmbeddedStack
from pizza_ops.telemetry import JaegerQueryClient, traces_of_order

SAGA_PATH = ["ACCEPTED", "STOCK_RESERVED", "PAID", "IN_KITCHEN", "CONFIRMED"]
# Set for the session in conftest.py: long enough for a cold kitchen, short enough to wait for.
KITCHEN_ANSWER_TIMEOUT_SECONDS = 20
SAGA_TIMEOUT = 60


@pytest.fixture(scope="module", autouse=True)
def saga_workflow(aws: AwsClients) -> Iterator[None]:
    set_order_workflow(aws, "saga")
    yield
    set_order_workflow(aws, "choreography")


def _statuses(view: dict[str, Any]) -> list[str]:
    return [change["status"] for change in view["history"]]


INITIAL_STOCK = 1000  # infra/system.yaml: a pizza's stock before anything touched it


def _stock(aws: AwsClients, pizza: str) -> int:
    item = aws.dynamodb.get_item(
        TableName=aws.table("inventory-stock"), Key={"pizza": {"S": pizza}}, ConsistentRead=True
    ).get("Item")
    return int(item["stock"]["N"]) if item else INITIAL_STOCK


def _payment(aws: AwsClients, order_id: str) -> dict[str, Any] | None:
    return aws.get_item("payments", order_id)


def _place(orders_api: OrdersApi, body: dict[str, Any], headers: dict[str, str] | None = None) -> str:
    response = orders_api.place(body, headers)
    assert response.status_code == 202, response.text
    return str(response.json()["orderId"])


def _final(orders_api: OrdersApi, order_id: str, status: str) -> dict[str, Any]:
    return orders_api.wait_for_status(order_id, status, timeout=SAGA_TIMEOUT)


def test_a_saga_order_is_confirmed_step_by_step_and_every_subscriber_reacts(
    orders_api: OrdersApi, aws: AwsClients, pubsub: PubSub
) -> None:
    # Given a delivery order (so every subscriber, delivery included, has work)
    body = delivery_order(customer_id=new_id("customer"))
    pizza, quantity = body["items"][0]["pizza"], body["items"][0]["quantity"]
    stock_before = _stock(aws, pizza)

    # When it is placed
    order_id = _place(orders_api, body)

    # Then the saga takes it through every step to CONFIRMED, each transition with its time
    view = _final(orders_api, order_id, "CONFIRMED")
    assert _statuses(view) == SAGA_PATH
    assert view["failureReason"] is None
    # And its stock was reserved once, and its payment charged once
    assert _stock(aws, pizza) == stock_before - quantity
    payment = _payment(aws, order_id)
    assert payment is not None and payment["status"]["S"] == "CHARGED"
    # And order.confirmed went out through the outbox: every subscriber reacted as to a choreographed order
    eventually(lambda: pubsub.loyalty_award(order_id), timeout=SAGA_TIMEOUT, what="the loyalty award")
    eventually(lambda: pubsub.notification(order_id), timeout=SAGA_TIMEOUT, what="the notification")
    eventually(lambda: pubsub.delivery(order_id), timeout=SAGA_TIMEOUT, what="the delivery")
    eventually(lambda: pubsub.counted_order(order_id), timeout=SAGA_TIMEOUT, what="the analytics count")


def test_a_declined_customer_fails_with_its_stock_back_and_nothing_charged(
    orders_api: OrdersApi, aws: AwsClients
) -> None:
    # Given the documented customer whose payments are always declined, and the stock of what they order
    stock_before = _stock(aws, "Marinara")

    # When they order
    order_id = _place(orders_api, collection_order(customer_id="c-declined", pizza="Marinara", quantity=2))
    view = _final(orders_api, order_id, "FAILED")

    # Then the order failed for the payment, after its stock was reserved and then released
    assert view["failureReason"].startswith("payment declined: ")
    assert _statuses(view) == ["ACCEPTED", "STOCK_RESERVED", "FAILED"]
    reservation = aws.get_item("inventory-reservations", order_id)
    assert reservation is not None and reservation["status"]["S"] == "RELEASED"
    assert _stock(aws, "Marinara") == stock_before
    # And nothing is charged: the payment service kept the decline only
    payment = _payment(aws, order_id)
    assert payment is None or payment["status"]["S"] == "DECLINED"


def test_an_order_over_the_payment_limit_is_declined(orders_api: OrdersApi) -> None:
    # Given an order over the documented limit (10,000.00 EUR): 48 lines of 20 pizzas, 10,720.00 EUR
    lines = [{"pizza": pizza, "quantity": 20} for pizza in ("Diavola", "Quattro Formaggi", "Calzone") * 16]
    order_id = _place(orders_api, {"customerId": new_id("customer"), "orderType": "collection", "items": lines})

    # Then it fails for its payment, naming the limit
    view = _final(orders_api, order_id, "FAILED")
    assert view["failureReason"].startswith("payment declined: ")
    assert "limit" in view["failureReason"]


def test_a_pizza_the_kitchen_cannot_make_is_refunded_and_released(orders_api: OrdersApi, aws: AwsClients) -> None:
    # Given an order of the pizza the kitchen cannot make (the UNCOOKABLE_PIZZA setting)
    order_id = _place(orders_api, collection_order(customer_id=new_id("customer"), pizza=UNCOOKABLE_PIZZA))

    # Then the kitchen refused it through the callback, and the saga undid the payment and the reservation
    view = _final(orders_api, order_id, "FAILED")
    assert view["failureReason"] == f"kitchen refused: the kitchen cannot make '{UNCOOKABLE_PIZZA}'"
    assert _statuses(view) == ["ACCEPTED", "STOCK_RESERVED", "PAID", "IN_KITCHEN", "FAILED"]
    payment = _payment(aws, order_id)
    assert payment is not None and payment["status"]["S"] == "REFUNDED"
    reservation = aws.get_item("inventory-reservations", order_id)
    assert reservation is not None and reservation["status"]["S"] == "RELEASED"
    # And the refusal is a business answer, not a failure: nothing reached the kitchen's DLQ
    assert aws.visible_messages("kitchen-orders-dlq") == 0


def test_no_answer_from_the_kitchen_in_time_is_compensated_and_the_resume_stays_in_the_trace(
    orders_api: OrdersApi, aws: AwsClients, telemetry: Telemetry
) -> None:
    # Given a kitchen that takes no orders for now (its trigger is disabled)
    kitchen = aws.outputs.function_names["kitchen-processor"]
    queue_arn = aws.outputs.queue_arns["kitchen-orders"]
    [mapping] = aws.lambda_.list_event_source_mappings(FunctionName=kitchen, EventSourceArn=queue_arn)[
        "EventSourceMappings"
    ]
    aws.lambda_.update_event_source_mapping(UUID=mapping["UUID"], Enabled=False)
    try:
        # When an order is placed and the callback timeout passes
        order_id = _place(orders_api, collection_order(customer_id=new_id("customer")))
        view = _final(orders_api, order_id, "FAILED")
    finally:
        aws.lambda_.update_event_source_mapping(UUID=mapping["UUID"], Enabled=True)

    # Then the saga gave up waiting, refunded and released
    assert view["failureReason"] == f"kitchen did not answer within {KITCHEN_ANSWER_TIMEOUT_SECONDS} s"
    payment = _payment(aws, order_id)
    assert payment is not None and payment["status"]["S"] == "REFUNDED"
    reservation = aws.get_item("inventory-reservations", order_id)
    assert reservation is not None and reservation["status"]["S"] == "RELEASED"
    # And the invocation that resumed after the timeout (a new Lambda request) and its compensations
    # are in the request's trace, as are the steps before the wait
    wanted = {"saga step take-payment", "saga compensation refund-payment", "saga step record-failure"}

    def spans() -> list[Any] | None:
        found = telemetry.traces_of_order(order_id)
        return found if wanted <= {s.name for s in found} else None

    found = eventually(spans, timeout=SAGA_TIMEOUT, what="the saga's spans")
    post = next(s for s in found if s.name == "POST /orders")
    invocations = [s for s in found if s.name == "order saga"]
    assert len(invocations) >= 2, "the saga was invoked again after the timeout"
    assert {s.trace_id for s in found if s.service_name == "order-saga"} == {post.trace_id}


def test_one_trace_runs_from_the_request_through_every_step_the_kitchen_and_the_resume(
    orders_api: OrdersApi, telemetry: Telemetry, stack: EmbeddedStack
) -> None:
    # Given a saga order that was refused by the kitchen (so it has a callback, a resume and compensations)
    order_id = _place(orders_api, collection_order(customer_id=new_id("customer"), pizza=UNCOOKABLE_PIZZA))
    _final(orders_api, order_id, "FAILED")
    wanted = {
        "saga step accept-order",
        "saga step reserve-stock",
        "saga step take-payment",
        "saga step ask-kitchen",
        "saga compensation refund-payment",
        "saga compensation release-stock",
        "saga step record-failure",
    }

    # When its spans have arrived
    def saga_spans() -> list[Any] | None:
        spans = telemetry.traces_of_order(order_id)
        names = {s.name for s in spans}
        return spans if wanted <= names and any(s.service_name == "kitchen-processor" for s in spans) else None

    spans = eventually(saga_spans, timeout=SAGA_TIMEOUT, what="the saga's spans")
    post = next(s for s in spans if s.name == "POST /orders")
    saga = [s for s in spans if s.service_name == "order-saga"]
    kitchen = [s for s in spans if s.service_name == "kitchen-processor"]

    # Then the request, every saga span of every invocation (before and after the callback: the
    # answer may also arrive while the first invocation still runs) and the kitchen's work are one trace
    assert {s.trace_id for s in saga + kitchen} == {post.trace_id}
    assert [s for s in saga if s.name == "order saga"], "the saga's invocation spans"
    # And the kitchen's consumer span is a child of the step that asked it
    ask = next(s for s in saga if s.name == "saga step ask-kitchen")
    by_id = {s.span_id: s for s in spans}
    consumer = next(s for s in kitchen if s.kind == "CONSUMER")
    ancestors = []
    parent = consumer.parent_span_id
    while parent in by_id:
        ancestors.append(by_id[parent].name)
        parent = by_id[parent].parent_span_id
    assert ask.name in ancestors
    # And `pizza trace` finds that one trace
    assert stack.outputs is not None
    with httpx.Client(timeout=10) as http:
        found = traces_of_order(JaegerQueryClient(stack.outputs.trace_query_url, http), order_id)
    assert post.trace_id in {t.trace_id for t in found}


def test_a_retried_post_with_the_same_idempotency_key_starts_one_execution(
    orders_api: OrdersApi, aws: AwsClients
) -> None:
    # Given a request placed twice with one Idempotency-Key (a client retry)
    headers = {"Idempotency-Key": new_id("key")}
    body = collection_order(customer_id=new_id("customer"))
    first = orders_api.place(body, headers)
    again = orders_api.place(body, headers)

    # Then both answers name one order, and that order had exactly one saga execution
    assert first.status_code == again.status_code == 202
    order_id = first.json()["orderId"]
    assert again.json()["orderId"] == order_id
    _final(orders_api, order_id, "CONFIRMED")
    assert len(_executions_of(aws, order_id)) == 1


def _executions_of(aws: AwsClients, order_id: str) -> list[str]:
    return executions_of_order(aws.lambda_, aws.outputs.function_names["order-saga"], order_id)


def test_pizza_saga_prints_each_step_and_the_compensations_run(orders_api: OrdersApi, stack: EmbeddedStack) -> None:
    # Given a saga order the kitchen refused
    order_id = _place(orders_api, collection_order(customer_id=new_id("customer"), pizza=UNCOOKABLE_PIZZA))
    _final(orders_api, order_id, "FAILED")

    # When an operator asks for its saga
    result = subprocess.run(
        [sys.executable, "-m", "pizza_ops", "--state-dir", str(stack.config.state_dir), "saga", order_id],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    # Then every step, the callback and the compensations are listed with their outcomes
    assert result.returncode == 0, result.stderr
    out = result.stdout
    for step in ("accept-order", "reserve-stock", "take-payment", "ask-kitchen", "record-failure"):
        assert step in out, step
    assert "Compensations run: refund-payment, release-stock" in out
    assert "kitchen cannot make" in out


def _set_stock(aws: AwsClients, pizza: str, level: int) -> None:
    aws.dynamodb.put_item(
        TableName=aws.table("inventory-stock"), Item={"pizza": {"S": pizza}, "stock": {"N": str(level)}}
    )


def _menu(orders_api: OrdersApi) -> dict[str, dict[str, Any]]:
    response = orders_api.http.get(f"{orders_api.base_url}/menu")
    assert response.status_code == 200, response.text
    return {entry["name"]: entry for entry in response.json()["pizzas"]}


@pytest.fixture
def quattro_formaggi_stock_restored(aws: AwsClients) -> Iterator[None]:
    """The stock the test sells out is put back as it started, for the tests that run after it
    (a catering order takes many of each pizza)."""
    yield
    _set_stock(aws, "Quattro Formaggi", INITIAL_STOCK)


@pytest.mark.usefixtures("quattro_formaggi_stock_restored")
def test_out_of_stock_fails_the_order_the_menu_shows_it_and_pizza_restock_tops_it_up(
    orders_api: OrdersApi, aws: AwsClients, stack: EmbeddedStack
) -> None:
    # Given Quattro Formaggi down to 2 in stock, then sold out
    _set_stock(aws, "Quattro Formaggi", 2)

    # When 3 are ordered / Then the order fails naming the pizza, and nothing is charged
    order_id = _place(
        orders_api, collection_order(customer_id=new_id("customer"), pizza="Quattro Formaggi", quantity=3)
    )
    view = _final(orders_api, order_id, "FAILED")
    assert view["failureReason"] == "out of stock: Quattro Formaggi"
    assert _payment(aws, order_id) is None
    assert _stock(aws, "Quattro Formaggi") == 2

    # And the menu tells in stock from sold out
    assert _menu(orders_api)["Quattro Formaggi"]["inStock"] is True
    _set_stock(aws, "Quattro Formaggi", 0)
    assert _menu(orders_api)["Quattro Formaggi"]["inStock"] is False

    # When an operator restocks it
    result = subprocess.run(
        [sys.executable, "-m", "pizza_ops", "--state-dir", str(stack.config.state_dir), "restock",
         "--pizza", "Quattro Formaggi", "--to", "50"],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip

    # Then it is back on the menu, and the same order goes through
    assert result.returncode == 0, result.stderr
    assert "Quattro Formaggi" in result.stdout and "50" in result.stdout
    assert _stock(aws, "Quattro Formaggi") == 50
    assert _menu(orders_api)["Quattro Formaggi"]["inStock"] is True
    again = _place(orders_api, collection_order(customer_id=new_id("customer"), pizza="Quattro Formaggi", quantity=3))
    _final(orders_api, again, "CONFIRMED")
    assert _stock(aws, "Quattro Formaggi") == 47


def test_only_the_orders_api_may_start_the_saga(aws: AwsClients) -> None:
    # Given the saga's alias, and the roles of the orders API and of the kitchen
    alias = f"{aws.outputs.function_names['order-saga']}:live"

    # When each asks to invoke it (DryRun: the permission check only)
    allowed = aws.as_function_role("order-api", "lambda").invoke(FunctionName=alias, InvocationType="DryRun")

    # Then the API may; the kitchen (which only answers callbacks) may not
    assert allowed["StatusCode"] == 204
    with pytest.raises(ClientError) as denied:
        aws.as_function_role("kitchen-processor", "lambda").invoke(FunctionName=alias, InvocationType="DryRun")
    assert denied.value.response["Error"]["Code"] == "AccessDeniedException"
