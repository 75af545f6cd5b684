"""Point-to-point with asynchronous request-reply: order → kitchen → acknowledgement."""

from __future__ import annotations

import time

import httpx
from integration_support import AwsClients, OrdersApi, Telemetry, collection_order, delivery_order, eventually

from pizza_ops.cli import main as pizza_cli
from pizza_ops.stack import EmbeddedStack
from pizza_ops.telemetry import ancestry


def test_a_poller_following_retry_after_reaches_the_final_status(orders_api: OrdersApi, http: httpx.Client) -> None:
    # Given an order just placed, and its status URL
    status_url = orders_api.place(collection_order(customer_id="c-poller")).json()["statusUrl"]

    # When a client polls it, waiting as long as each answer's Retry-After says, at most 30 times
    answers: list[httpx.Response] = []
    while len(answers) < 30:
        answers.append(http.get(status_url))
        retry_after = answers[-1].headers.get("retry-after")
        if retry_after is None:
            break
        time.sleep(int(retry_after))

    # Then every answer while the order moved said to ask again in a second, and the last, without
    # one, is the final status, reached within a few polls
    *moving, final = answers
    assert final.json()["status"] == "ACKNOWLEDGED" and "retry-after" not in final.headers
    assert all(a.json()["status"] == "ACCEPTED" and a.headers["retry-after"] == "1" for a in moving)
    assert len(answers) <= 5, [a.json()["status"] for a in answers]


def test_placed_order_is_accepted_then_acknowledged_by_the_kitchen(
    orders_api: OrdersApi, http: httpx.Client, aws: AwsClients
) -> None:
    # Given a valid delivery order
    # When the customer places it
    response = orders_api.place(delivery_order())

    # Then it is accepted at once, with where to poll for its status
    assert response.status_code == 202
    body = response.json()
    order_id = body["orderId"]
    assert body["status"] == "ACCEPTED"
    assert body["statusUrl"].endswith(f"/orders/{order_id}")
    assert response.headers["location"] == body["statusUrl"]
    # And polling the status URL shows the kitchen's acknowledgement within seconds
    status = eventually(
        lambda: (
            (r := http.get(body["statusUrl"])).status_code == 200 and r.json()["status"] == "ACKNOWLEDGED" and r.json()
        ),
        timeout=20,
        what="the order to be acknowledged",
    )
    assert status["acknowledgedAt"] is not None
    # And the kitchen holds its own record of the order, without the customer's address
    kitchen_order = aws.get_item("kitchen-orders", order_id)
    assert kitchen_order is not None
    assert "deliveryAddress" not in kitchen_order
    assert kitchen_order["dishes"]["L"][0]["M"]["pizza"]["S"] == "Diavola"


def test_status_of_an_unknown_order_is_not_found(orders_api: OrdersApi, http: httpx.Client) -> None:
    # Given no order with this id / When its status is asked for
    response = http.get(f"{orders_api.base_url}/orders/no-such-order")
    # Then the API answers 404 with a reason that names the rule, not the id it was given
    assert response.status_code == 404
    assert response.json() == {"message": "no order has this orderId"}


def test_one_trace_chains_receiver_kitchen_and_acknowledgement_as_parent_and_child(
    orders_api: OrdersApi, telemetry: Telemetry
) -> None:
    # Given an order that has been acknowledged
    order_id = orders_api.place(collection_order()).json()["orderId"]
    orders_api.wait_for_status(order_id, "ACKNOWLEDGED")

    # When we look at the span the acknowledgement processor made for it
    acknowledgement_span = eventually(
        lambda: telemetry.consumer_spans("acknowledgement-processor", order_id),
        what="the acknowledgement processor's span",
    )[0]
    trace_spans = telemetry.store.spans_of_trace(acknowledgement_span.trace_id)
    chain = ancestry(trace_spans, acknowledgement_span)

    # Then it descends, parent to child in one trace, from the HTTP request through the outbox relay
    # (which sent order.placed inside the trace stored with it) and the kitchen
    assert [(s.service_name, s.kind) for s in chain] == [
        ("order-receiver", "SERVER"),
        ("order-outbox", "INTERNAL"),
        ("order-outbox", "PRODUCER"),
        ("kitchen-processor", "CONSUMER"),
        ("kitchen-processor", "PRODUCER"),
        ("acknowledgement-processor", "CONSUMER"),
    ]
    assert chain[0].name == "POST /orders"
    assert chain[1].name == "outbox relay com.pizza.order.placed"
    # And the messaging spans carry semantic-convention attributes and the order id
    for span in chain[2:]:
        assert span.attributes["messaging.system"] == "aws_sqs"
        assert span.attributes["messaging.destination.name"].startswith("pizza-")
        assert span.attributes["messaging.message.id"]
    assert chain[2].attributes["messaging.destination.name"] == "pizza-kitchen-orders"
    assert chain[2].attributes["messaging.message.conversation_id"] == order_id
    assert chain[3].attributes["order.id"] == order_id
    assert chain[5].attributes["order.id"] == order_id


def test_trace_command_prints_the_order_tree_with_timings(
    orders_api: OrdersApi, stack: EmbeddedStack, telemetry: Telemetry, capsys
) -> None:  # type: ignore[no-untyped-def]
    # Given an acknowledged order whose spans have all arrived
    order_id = orders_api.place(collection_order(pizza="Quattro Formaggi")).json()["orderId"]
    orders_api.wait_for_status(order_id, "ACKNOWLEDGED")
    eventually(lambda: telemetry.consumer_spans("acknowledgement-processor", order_id), what="spans")

    # When the user asks for the order's trace
    exit_code = pizza_cli(["--state-dir", str(stack.config.state_dir), "trace", order_id])

    # Then the tree shows the three services in causal order, indented, with durations
    out = capsys.readouterr().out
    assert exit_code == 0
    lines = out.splitlines()
    receiver = next(i for i, line in enumerate(lines) if "order-receiver  POST /orders" in line)
    kitchen = next(i for i, line in enumerate(lines) if "kitchen-processor  process pizza-kitchen-orders" in line)
    acknowledgement = next(i for i, line in enumerate(lines) if "acknowledgement-processor  process" in line)
    assert receiver < kitchen < acknowledgement
    assert _indent(lines[receiver]) < _indent(lines[kitchen]) < _indent(lines[acknowledgement])
    assert " ms" in lines[kitchen]


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" │├└─"))
