"""Sensitive data: the delivery details travel only as a claim check only delivery may redeem,
KMS-encrypted so only delivery may decrypt them, and no log line or span carries them in plaintext."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from botocore.exceptions import ClientError
from integration_support import AwsClients, OrdersApi, Telemetry, eventually, new_id
from pubsub_support import SUBSCRIBERS, SYSTEM, PerSubscriber, PubSub, future_due_time, published_event

from pizza_ops.stack import EmbeddedStack
from privacy_scan.sources import cloudwatch_texts

# Which subscribers may read the delivery address. A privacy decision, so it is stated here rather
# than read from the permissions under test; every other function of the system may not.
READS_THE_ADDRESS = PerSubscriber(
    "whether it may read the delivery address",
    {"loyalty": False, "notifications": False, "delivery": True, "analytics": False},
)
# The services an order's messages pass through before order.confirmed reaches the subscribers.
ORDER_FLOW_CONSUMERS = {"kitchen-processor", "acknowledgement-processor"}


def _functions_reading_the_address() -> list[str]:
    return [subscriber.function for subscriber, reads in READS_THE_ADDRESS.items() if reads]


def _functions_refused_the_address() -> list[str]:
    """Every declared function but the readers: the publisher's included."""
    readers = _functions_reading_the_address()
    return [function for function in SYSTEM.functions if function not in readers]


def test_the_delivery_details_travel_as_a_claim_only_delivery_may_redeem_and_decrypt(
    orders_api: OrdersApi, aws: AwsClients, pubsub: PubSub, topic_probe: str
) -> None:
    # Given a delivery order with an address, a contact phone and notes unique to this test
    street, notes = f"{new_id('Privacy')} Street", new_id("ring twice")
    body = {
        "customerId": new_id("customer-pii"),
        "orderType": "delivery",
        "items": [{"pizza": "Marinara", "quantity": 1}],
        "deliveryAddress": {
            "line1": street,
            "city": "Naples",
            "postcode": "80133",
            "contactPhone": "+39 081 555 0199",
            "notes": notes,
        },
        "deliveryDueAt": future_due_time(3600 * 5),
    }

    # When it is placed and confirmed
    order_id = orders_api.place(body).json()["orderId"]
    orders_api.wait_for_status(order_id, "ACKNOWLEDGED")

    # Then the event every subscriber receives has no delivery details, not even as ciphertext:
    # only a claim on an object under restricted/delivery/, by bucket and key (never a URL)
    event = published_event(aws, topic_probe, order_id)
    assert street not in json.dumps(event) and "deliveryAddress" not in event["data"]
    bucket = aws.outputs.bucket_names["claim-checks"]
    assert event["restrictedref"].startswith(f"s3://{bucket}/restricted/delivery/{event['id']}/")
    key = event["restrictedref"].removeprefix(f"s3://{bucket}/")
    # And delivery redeemed it and decrypted it into its own record
    record = eventually(lambda: pubsub.delivery(order_id), what="the delivery record")
    assert record["line1"]["S"] == street
    assert record["contactPhone"]["S"] == "+39 081 555 0199" and record["notes"]["S"] == notes
    # And the subscribers that may read the details (delivery) may get the object and decrypt it
    context = {"orderId": order_id}
    for function in _functions_reading_the_address():
        stored = json.loads(aws.as_function_role(function, "s3").get_object(Bucket=bucket, Key=key)["Body"].read())
        encrypted = stored["deliveryAddress"]
        ciphertext = base64.b64decode(encrypted["ciphertext"])
        reader_kms = aws.as_function_role(function, "kms")
        plaintext = reader_kms.decrypt(CiphertextBlob=ciphertext, KeyId=encrypted["keyId"], EncryptionContext=context)
        assert json.loads(plaintext["Plaintext"])["line1"] == street, function
    # And every other function's role is refused the object by IAM, the writers' included
    for function in _functions_refused_the_address():
        other_s3 = aws.as_function_role(function, "s3")
        with pytest.raises(ClientError) as refused:
            other_s3.get_object(Bucket=bucket, Key=key)
        assert refused.value.response["Error"]["Code"] in ("AccessDenied", "403"), function
    for function in _functions_refused_the_address():
        other_kms = aws.as_function_role(function, "kms")
        with pytest.raises(ClientError) as refused:
            other_kms.decrypt(CiphertextBlob=ciphertext, KeyId=encrypted["keyId"], EncryptionContext=context)
        assert refused.value.response["Error"]["Code"] in ("AccessDeniedException", "AccessDenied"), function


def test_no_log_line_or_span_carries_the_plaintext_address(
    orders_api: OrdersApi, aws: AwsClients, pubsub: PubSub, telemetry: Telemetry, stack: EmbeddedStack
) -> None:
    # Given a delivery order whose address parts are unique to this test
    street, postcode = f"{new_id('Secret')} Road", new_id("PC")[:12]
    body = {
        "customerId": new_id("customer-secret"),
        "orderType": "delivery",
        "items": [{"pizza": "Diavola", "quantity": 1}],
        "deliveryAddress": {"line1": street, "line2": "Flat 9", "city": "Naples", "postcode": postcode},
        "deliveryDueAt": future_due_time(3600 * 5),
    }

    # When it goes through every service: API, kitchen, acknowledgement, every subscriber
    order_id = orders_api.place(body).json()["orderId"]
    orders_api.wait_for_status(order_id, "ACKNOWLEDGED")
    eventually(lambda: pubsub.delivery(order_id), what="the delivery record")
    pubsub.wait_for_effects(order_id, "Diavola")
    eventually(
        lambda: (
            {s.service_name for s in telemetry.spans_for_order(order_id) if s.kind == "CONSUMER"}
            >= ORDER_FLOW_CONSUMERS | {subscriber.service for subscriber in SUBSCRIBERS.values()}
        ),
        what="every consumer's span",
    )
    # And the outbox relay has sent its three events (order.placed, order.confirmed, the kitchen alert)
    eventually(lambda: len(telemetry.event_spans(order_id, "INTERNAL", "outbox relay")) >= 3, what="relay spans")

    # Then no span anywhere (names, attributes, events, statuses, links) holds the street or postcode
    for span in telemetry.store.spans_matching({}):
        text = repr(span)
        assert street not in text and postcode not in text, span.name
    # And no log line of any function holds them either (read stream by stream: MiniStack's
    # FilterLogEvents stops at a group's first 10,000 events, before this order's in a whole run)
    lines = [line for line in cloudwatch_texts(aws.logs) if line.where.startswith("log group /aws/lambda/")]
    assert len({line.where.split(", stream ")[0] for line in lines}) >= 7  # every function it went through
    for line in lines:
        assert street not in line.text and postcode not in line.text, line.where
    # And neither does the emulator's own log
    emulator_log = Path(stack.emulator.log_path)
    if emulator_log.exists():
        log_text = emulator_log.read_text(errors="replace")
        assert street not in log_text and postcode not in log_text
