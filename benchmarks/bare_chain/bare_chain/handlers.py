"""Three plain handlers: receive over HTTP, forward through a queue, store in a table.

Each message carries the time the request reached the first handler; the last one stores it
beside its own time, so a run's latencies come from the table, as an order's come from its item.
Clients are made at import (module level), as a plain handler would: this is the floor, not a model.
"""

import json
import os
import time
import uuid
from typing import Any

import boto3

_sqs = boto3.client("sqs")
_dynamodb = boto3.client("dynamodb")


def receive(event: dict[str, Any], context: object) -> dict[str, Any]:
    received_at = time.time()
    message = {"id": str(uuid.uuid4()), "receivedAt": received_at, "body": event.get("body") or ""}
    _sqs.send_message(QueueUrl=os.environ["NEXT_QUEUE_URL"], MessageBody=json.dumps(message))
    return {"statusCode": 202, "body": json.dumps({"id": message["id"]})}


def forward(event: dict[str, Any], context: object) -> None:
    for record in event["Records"]:
        _sqs.send_message(QueueUrl=os.environ["NEXT_QUEUE_URL"], MessageBody=record["body"])


def store(event: dict[str, Any], context: object) -> None:
    for record in event["Records"]:
        message = json.loads(record["body"])
        _dynamodb.put_item(
            TableName=os.environ["ARRIVALS_TABLE_NAME"],
            Item={
                "id": {"S": message["id"]},
                "receivedAt": {"N": repr(message["receivedAt"])},
                "storedAt": {"N": repr(time.time())},
            },
        )
