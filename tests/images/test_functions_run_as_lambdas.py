"""Every function's container image runs as a Lambda: its runtime interface client takes a real
event of the function's trigger from the Runtime API the test serves and posts back the handler's
real answer, computed against the embedded stack (tables, queues, keys) its cold start connects to.

One scenario per function declared in infra/system.yaml; a function without one fails the suite.
"""

from __future__ import annotations

import base64
import json
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from lambda_runtime_api import Invocation, LambdaRuntimeApi

from integration_patterns.deliveries import unwrap
from integration_patterns.errors import InvalidMessage
from pizza_ops.stack import EmbeddedStack, emulator_credentials_session
from pizza_ops.system import load_system

Scenario = Callable[[EmbeddedStack, LambdaRuntimeApi], None]
SCENARIOS: dict[str, Scenario] = {}


def scenario(*functions: str) -> Callable[[Scenario], Scenario]:
    def register(run: Scenario) -> Scenario:
        SCENARIOS.update(dict.fromkeys(functions, run))
        return run

    return register


def _answered(invocation: Invocation) -> Any:
    assert invocation.error is None, f"the handler failed: {invocation.error}"
    return invocation.response


def _client(stack: EmbeddedStack, service: str) -> Any:
    session = emulator_credentials_session(stack.config.region)
    return session.client(service, endpoint_url=stack.emulator.endpoint)


def _sqs_record(body: str, queue_arn: str) -> dict[str, Any]:
    return {
        "messageId": str(uuid.uuid4()),
        "receiptHandle": f"receipt-{uuid.uuid4()}",
        "body": body,
        "attributes": {"ApproximateReceiveCount": "1", "SentTimestamp": str(int(time.time() * 1000))},
        "messageAttributes": {},
        "md5OfBody": "",
        "eventSource": "aws:sqs",
        "eventSourceARN": queue_arn,
        "awsRegion": "us-east-1",
    }


def _dead_lettered(stack: EmbeddedStack, dlq_url: str, message_id: str) -> dict[str, str]:
    """The dead-letter reason of the message that was ``message_id``, once it is in the DLQ."""
    sqs = _client(stack, "sqs")
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        messages = sqs.receive_message(
            QueueUrl=dlq_url, MaxNumberOfMessages=10, WaitTimeSeconds=1, MessageAttributeNames=["All"]
        ).get("Messages", [])
        for message in messages:
            attributes = {k: v["StringValue"] for k, v in message.get("MessageAttributes", {}).items()}
            if message_id in attributes.values():
                return attributes
    raise AssertionError(f"message {message_id} never reached {dlq_url}")


def _queue_of(function: str) -> str:
    return next(trigger.queue for trigger in load_system().triggers if trigger.function == function)


@scenario(
    "order-acknowledgement-processor",
    "kitchen-processor",
    "kitchen-alert-processor",
    "loyalty-processor",
    "notifications-processor",
    "delivery-processor",
    "analytics-processor",
    "order-webhook-dispatcher",
)
def _message_that_is_no_cloud_event_is_dead_lettered_with_its_reason(
    stack: EmbeddedStack, api: LambdaRuntimeApi
) -> None:
    assert stack.outputs is not None
    name = api.function_arn.rsplit(":", 1)[-1].removeprefix(f"{load_system().name_prefix}-")
    queue = _queue_of(name)
    dlq = load_system().queues[queue].dead_letter
    assert dlq is not None
    # Given an SQS batch from the function's queue: an EventBridge envelope that carries no
    # CloudEvent, as a never-valid message would arrive
    body = json.dumps({"detail-type": "com.pizza.order.confirmed.v1", "detail": {"not": "a CloudEvent"}})
    record = _sqs_record(body, stack.outputs.queue_arns[queue])
    # When the image's runtime hands it to the handler
    response = _answered(api.invoke({"Records": [record]}))
    # Then no record is retried (batchItemFailures is empty) and the record is in the real DLQ, with why
    assert response == {"batchItemFailures": []}
    attributes = _dead_lettered(stack, stack.outputs.queue_urls[dlq.name], record["messageId"])
    assert attributes["dead_letter_reason"] == _refusal_of(body)


def _refusal_of(body: str) -> str:
    with pytest.raises(InvalidMessage) as refusal:
        unwrap(body)
    return refusal.value.reason


@scenario("order-api")
def _unknown_order_is_404_with_its_reason(stack: EmbeddedStack, api: LambdaRuntimeApi) -> None:
    # Given an API Gateway HTTP API (payload 2.0) request for an order nobody placed
    order_id = f"o-{uuid.uuid4().hex[:12]}"
    now = datetime.now(UTC)
    event = {
        "version": "2.0",
        "routeKey": "GET /orders/{orderId}",
        "rawPath": f"/orders/{order_id}",
        "rawQueryString": "",
        "headers": {"host": "api.test", "accept": "application/json"},
        "pathParameters": {"orderId": order_id},
        "requestContext": {
            "accountId": "000000000000",
            "apiId": "api",
            "domainName": "api.test",
            "http": {"method": "GET", "path": f"/orders/{order_id}", "protocol": "HTTP/1.1", "sourceIp": "127.0.0.1"},
            "requestId": str(uuid.uuid4()),
            "routeKey": "GET /orders/{orderId}",
            "stage": "$default",
            "time": now.strftime("%d/%b/%Y:%H:%M:%S +0000"),
            "timeEpoch": int(now.timestamp() * 1000),
        },
        "isBase64Encoded": False,
    }
    # When the image's runtime hands it to the handler (which reads the orders table)
    response = _answered(api.invoke(event))
    # Then the answer is a 404 that says why
    assert response["statusCode"] == 404, response
    assert json.loads(response["body"]) == {"message": "no order has this orderId"}


@scenario("order-outbox-publisher")
def _pending_outbox_event_is_sent(stack: EmbeddedStack, api: LambdaRuntimeApi) -> None:
    # Given a stream record of an order item that holds one pending webhook event
    order_id = f"o-{uuid.uuid4().hex[:12]}"
    event_id = str(uuid.uuid4())
    cloud_event = {
        "specversion": "1.0",
        "id": event_id,
        "source": "pizza/order-service",
        "type": "com.pizza.order.status-changed.v1",
        "subject": order_id,
        "data": {"orderId": order_id},
    }
    pending = {
        "destination": {"S": "webhooks"},
        "event": {"S": json.dumps(cloud_event)},
        "storedAt": {"S": datetime.now(UTC).isoformat()},
        "position": {"N": "0"},
    }
    record = {
        "eventID": "1",
        "eventName": "INSERT",
        "eventSource": "aws:dynamodb",
        "awsRegion": "us-east-1",
        "dynamodb": {
            "Keys": {"orderId": {"S": order_id}},
            "NewImage": {
                "orderId": {"S": order_id},
                "outboxPending": {"S": datetime.now(UTC).isoformat()},
                "outbox": {"M": {event_id: {"M": pending}}},
            },
            "SequenceNumber": "100",
            "StreamViewType": "NEW_AND_OLD_IMAGES",
        },
    }
    # When the image's runtime hands it to the relay
    response = _answered(api.invoke({"Records": [record]}))
    # Then the event was sent to the real webhook queue
    assert response == {"sent": 1}


@scenario("order-updates-broadcaster")
def _status_change_reaches_a_gone_connection_which_is_forgotten(stack: EmbeddedStack, api: LambdaRuntimeApi) -> None:
    assert stack.outputs is not None
    table = stack.outputs.table_names["order-update-connections"]
    dynamodb = _client(stack, "dynamodb")
    customer_id = f"c-{uuid.uuid4().hex[:8]}"
    connection_id = f"gone{uuid.uuid4().hex[:8]}="
    # Given a customer watching on a connection API Gateway no longer has
    expires = str(int(time.time()) + 3600)
    item = {"connectionId": {"S": connection_id}, "customerId": {"S": customer_id}, "expiresAt": {"N": expires}}
    dynamodb.put_item(TableName=table, Item=item)
    # And a stream record of that customer's order changing status
    old = {"orderId": {"S": "o-1"}, "customerId": {"S": customer_id}, "history": {"L": []}}
    change = {"M": {"status": {"S": "CONFIRMED"}, "at": {"S": datetime.now(UTC).isoformat()}}}
    new = {**old, "history": {"L": [change]}}
    record = {"eventName": "MODIFY", "eventSource": "aws:dynamodb", "dynamodb": {"OldImage": old, "NewImage": new}}
    # When the image's runtime hands it to the broadcaster
    response = _answered(api.invoke({"Records": [record]}))
    # Then nothing was delivered, and the gone connection is forgotten
    assert response == {"pushed": 0}
    assert "Item" not in dynamodb.get_item(TableName=table, Key={"connectionId": {"S": connection_id}})


@scenario("order-updates-connections")
def _connect_with_a_forged_token_is_refused(stack: EmbeddedStack, api: LambdaRuntimeApi) -> None:
    # Given a WebSocket $connect with a well-formed, unexpired token whose MAC nobody made (so only
    # KMS can tell)
    customer_id = "c-1"
    subject = base64.urlsafe_b64encode(customer_id.encode()).rstrip(b"=").decode()
    forged_mac = base64.urlsafe_b64encode(bytes(32)).rstrip(b"=").decode()
    token = f"{subject}.{int(time.time()) + 3600}.{forged_mac}"
    event = {
        "requestContext": {"routeKey": "$connect", "eventType": "CONNECT", "connectionId": "Lq1c2dExAMPLE="},
        "queryStringParameters": {"customerId": customer_id, "token": token},
        "isBase64Encoded": False,
    }
    # When the image's runtime hands it to the handler
    response = _answered(api.invoke(event))
    # Then KMS's verdict refuses the connection, with the reason
    assert response == {"statusCode": 403, "body": "the token's signature is not valid"}


@scenario("order-saga")
def _saga_refuses_an_input_that_is_no_durable_invocation(stack: EmbeddedStack, api: LambdaRuntimeApi) -> None:
    # Given a plain invocation, as a function without durable settings would receive it
    # When the image's runtime hands it to the durable handler
    invocation = api.invoke({"orderId": "o-1"})
    # Then the handler fails with the SDK's own error type and says why
    assert invocation.error is not None, invocation
    assert invocation.error["errorType"] == "ExecutionError", invocation.error
    assert "durable" in invocation.error["errorMessage"], invocation.error


def test_every_declared_function_has_a_scenario() -> None:
    # Given the functions infra/system.yaml declares; Then each has a scenario below
    assert set(SCENARIOS) == set(load_system().functions)


@pytest.mark.integration
@pytest.mark.parametrize("function", sorted(load_system().functions))
def test_function_image_answers_a_real_event_of_its_trigger(
    function: str, stack: EmbeddedStack, run_function: Callable[[str], Any]
) -> None:
    # Given the function's image started as a Lambda with its deployed environment
    with run_function(function) as api:
        # When it gets a real event of its trigger; Then it answers as the scenario expects
        SCENARIOS[function](stack, api)
