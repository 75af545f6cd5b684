"""Contracts of the notification ports (ContactDirectory, Notifications): twins and DynamoDB adapters alike."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from contract_support import DYNAMODB, IMPLEMENTATIONS, emulator, new_id

from notifications_service.domain import NO_CONTACT_DETAILS, Channel, Contact, Notification
from notifications_service.dynamodb_contact_directory import DynamoDbContactDirectory
from notifications_service.dynamodb_notifications import DynamoDbNotifications
from notifications_service.ports import ContactDirectory, Notifications
from twins.notifications import InMemoryContactDirectory, InMemoryNotifications

CREATED_AT = datetime(2025, 3, 14, 12, 0, tzinfo=UTC)


@dataclass
class Directory:
    """The port, and how a test puts a customer's details on file (the port itself only reads)."""

    contacts: ContactDirectory
    put_on_file: Callable[[str, dict[str, str]], None]


@dataclass
class Record:
    """The port, and how a test sees which channel the stored notification of an order names."""

    notifications: Notifications
    stored_channel: Callable[[str], str | None]


@pytest.fixture(params=IMPLEMENTATIONS)
def directory(request: pytest.FixtureRequest) -> Directory:
    if request.param == DYNAMODB:
        aws = emulator(request)
        table = aws.table("customer-contacts")

        def put_item(customer_id: str, details: dict[str, str]) -> None:
            item = {"customerId": {"S": customer_id}, **{name: {"S": value} for name, value in details.items()}}
            aws.dynamodb.put_item(TableName=table, Item=item)

        return Directory(DynamoDbContactDirectory(aws.dynamodb, table), put_item)
    twin = InMemoryContactDirectory()

    def keep(customer_id: str, details: dict[str, str]) -> None:
        twin.contacts[customer_id] = Contact(customer_id, **details)

    return Directory(twin, keep)


@pytest.fixture(params=IMPLEMENTATIONS)
def record(request: pytest.FixtureRequest) -> Record:
    if request.param == DYNAMODB:
        aws = emulator(request)
        table = aws.table("notifications")

        def stored_channel(order_id: str) -> str | None:
            item = aws.dynamodb.get_item(TableName=table, Key={"orderId": {"S": order_id}}, ConsistentRead=True)
            return item["Item"]["channel"]["S"] if "Item" in item else None

        return Record(DynamoDbNotifications(aws.dynamodb, table), stored_channel)
    twin = InMemoryNotifications()

    def kept_channel(order_id: str) -> str | None:
        notification = twin.recorded.get(order_id)
        return notification.channel.value if notification else None

    return Record(twin, kept_channel)


def _email(order_id: str, customer_id: str) -> Notification:
    return Notification(order_id, customer_id, Channel.EMAIL, CREATED_AT, "ann@example.com", "Hi Ann, ...")


def _sms(order_id: str, customer_id: str) -> Notification:
    return Notification(order_id, customer_id, Channel.SMS, CREATED_AT, "+390811234567", "Hi, ...")


def test_a_customer_with_nothing_on_file_has_no_contact(directory: Directory) -> None:
    # Given a customer whose details were never put on file
    customer = new_id("customer")

    # When their contact details are looked up
    contact = directory.contacts.contact_for(customer)

    # Then there are none (None, not an error)
    assert contact is None


def test_a_customer_on_file_has_their_contact_details(directory: Directory) -> None:
    # Given a customer with a name, an e-mail address and a phone number on file
    customer = new_id("customer")
    directory.put_on_file(customer, {"name": "Ann", "email": "ann@example.com", "phone": "+390811234567"})

    # When their contact details are looked up
    contact = directory.contacts.contact_for(customer)

    # Then all three are found
    assert contact == Contact(customer, name="Ann", email="ann@example.com", phone="+390811234567")


def test_details_not_on_file_are_none(directory: Directory) -> None:
    # Given a customer with only a phone number on file
    customer = new_id("customer")
    directory.put_on_file(customer, {"phone": "+390811234567"})

    # When their contact details are looked up
    contact = directory.contacts.contact_for(customer)

    # Then the missing ones are None
    assert contact == Contact(customer, name=None, email=None, phone="+390811234567")


def test_empty_details_count_as_not_on_file(directory: Directory) -> None:
    # Given a customer whose name and e-mail address are on file but empty
    customer = new_id("customer")
    directory.put_on_file(customer, {"name": "", "email": "", "phone": "+390811234567"})

    # When their contact details are looked up
    contact = directory.contacts.contact_for(customer)

    # Then the empty ones read as absent: there is nobody to send them to
    assert contact == Contact(customer, name=None, email=None, phone="+390811234567")


def test_the_first_notification_of_an_order_is_recorded(record: Record) -> None:
    # Given an order nobody was told about
    order = new_id("order")

    # When its customer's e-mail notification is recorded
    recorded = record.notifications.record(_email(order, new_id("customer")))

    # Then this call recorded it
    assert recorded is True
    assert record.stored_channel(order) == "email"


def test_a_second_notification_of_the_same_order_is_not_recorded(record: Record) -> None:
    # Given an order whose customer was notified by e-mail
    order, customer = new_id("order"), new_id("customer")
    record.notifications.record(_email(order, customer))

    # When another notification of the same order is recorded (another event about it), by SMS
    recorded = record.notifications.record(_sms(order, customer))

    # Then it is not recorded: the first one stands
    assert recorded is False
    assert record.stored_channel(order) == "email"


def test_notifications_are_once_per_order_not_per_customer(record: Record) -> None:
    # Given a customer notified about one order
    customer = new_id("customer")
    record.notifications.record(_email(new_id("order"), customer))

    # When they are notified about another order
    recorded = record.notifications.record(_email(new_id("order"), customer))

    # Then that one is recorded too
    assert recorded is True


def test_a_record_that_nobody_could_be_told_is_recorded_once(record: Record) -> None:
    # Given an order whose customer has no contact details: a notification with no recipient
    order, customer = new_id("order"), new_id("customer")
    nobody = Notification(order, customer, Channel.NONE, CREATED_AT, None, "Hi, ...", NO_CONTACT_DETAILS)

    # When it is recorded, twice
    first, second = record.notifications.record(nobody), record.notifications.record(nobody)

    # Then the first call recorded it, and the second did not
    assert (first, second) == (True, False)
    assert record.stored_channel(order) == "none"
