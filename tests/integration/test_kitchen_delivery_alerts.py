"""Passage of time: a one-time schedule alerts the kitchen before a delivery order is due."""

from __future__ import annotations

from botocore.exceptions import ClientError
from integration_support import AwsClients, OrdersApi, Telemetry, collection_order, delivery_order, eventually
from pubsub_support import PubSub, future_due_time

# infra/system.yaml: KITCHEN_ALERT_LEAD_SECONDS
ALERT_LEAD_SECONDS = 1800


def _schedule_exists(pubsub: PubSub, order_id: str) -> bool:
    try:
        pubsub.scheduler.get_schedule(Name=f"kitchen-alert-{order_id}", GroupName=pubsub.schedule_group)
    except ClientError as error:
        if error.response["Error"]["Code"] == "ResourceNotFoundException":
            return False
        raise
    return True


def test_a_delivery_orders_alert_arrives_from_its_schedule_which_is_then_gone(
    orders_api: OrdersApi, aws: AwsClients, pubsub: PubSub, telemetry: Telemetry
) -> None:
    # Given a delivery order due 30 minutes (the alert lead) and 8 seconds from now
    body = {**delivery_order(), "deliveryDueAt": future_due_time(ALERT_LEAD_SECONDS + 8)}

    # When the kitchen acknowledges it
    order_id = orders_api.place(body).json()["orderId"]
    orders_api.wait_for_status(order_id, "ACKNOWLEDGED")

    # Then a one-time schedule for it is created in the kitchen-alerts group
    schedule_span = eventually(
        lambda: telemetry.event_spans(order_id, "PRODUCER", "schedule "),
        what="the scheduling span",
    )[0]
    assert schedule_span.kind == "PRODUCER"
    assert schedule_span.attributes["messaging.system"] == "aws_scheduler"
    # And when it fires, the kitchen flags the order as due soon
    kitchen_order = eventually(
        lambda: (item := aws.get_item("kitchen-orders", order_id)) and "alertedAt" in item and item,
        timeout=45,
        what="the kitchen alert",
    )
    assert kitchen_order["dueAt"]["S"]
    # And the schedule deleted itself after firing
    eventually(lambda: not _schedule_exists(pubsub, order_id), timeout=15, what="the schedule to be gone")
    # And the alert's span starts a trace of its own, linked to the span that scheduled it
    alert_span = eventually(
        lambda: [s for s in telemetry.consumer_spans("kitchen-alerts", order_id)], what="the alert's span"
    )[0]
    assert alert_span.trace_id != schedule_span.trace_id
    assert [(link.trace_id, link.span_id) for link in alert_span.links] == [
        (schedule_span.trace_id, schedule_span.span_id)
    ]


def test_a_collection_order_schedules_no_alert(orders_api: OrdersApi, pubsub: PubSub, telemetry: Telemetry) -> None:
    # Given a collection order the kitchen has acknowledged and announced
    order_id = orders_api.place(collection_order()).json()["orderId"]
    orders_api.wait_for_status(order_id, "ACKNOWLEDGED")
    eventually(
        lambda: telemetry.event_spans(order_id, "PRODUCER", "publish "),
        what="the publication",
    )
    # Then no schedule exists for it
    assert not _schedule_exists(pubsub, order_id)
    assert not telemetry.event_spans(order_id, "PRODUCER", "schedule ")
