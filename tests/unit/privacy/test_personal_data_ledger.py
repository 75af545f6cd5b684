"""What the personal data scan looks for: collected from the orders a session sends and the answers it gets."""

from __future__ import annotations

import json

from privacy_scan.needles import Needle, PersonalDataLedger

WATCH_TOKEN = "Y3VzdG9tZXItMQ.1767225600.q0Zl3bN6c9gB2m1k8YtXx7wP4sD5fG6hJ7kL8zX9cV0"


def _order(address: object) -> str:
    return json.dumps({"customerId": "c-1", "orderType": "delivery", "items": [], "deliveryAddress": address})


def test_each_personal_address_field_is_looked_for_but_not_the_city() -> None:
    # Given a ledger while a test runs
    ledger = PersonalDataLedger()
    ledger.current_test = "tests/integration/test_x.py::test_y"
    address = {
        "line1": "12 Privacy Road",
        "line2": "Second floor, rear",
        "city": "Naples of the South",
        "postcode": "PC-1a2b3c4d5",
        "contactPhone": "+39 081 555 0199",
        "notes": "ring the bell twice",
    }

    # When an order with that address is sent
    ledger.order_sent(_order(address))

    # Then every field but the city is looked for, each with the test that sent it
    needles = ledger.needles()
    assert {(needle.kind, needle.value) for needle in needles} == {
        ("deliveryAddress.line1", "12 Privacy Road"),
        ("deliveryAddress.line2", "Second floor, rear"),
        ("deliveryAddress.postcode", "PC-1a2b3c4d5"),
        ("deliveryAddress.contactPhone", "+39 081 555 0199"),
        ("deliveryAddress.notes", "ring the bell twice"),
    }
    assert set(needles.values()) == {frozenset({"tests/integration/test_x.py::test_y"})}


def test_values_too_short_to_tell_from_chance_are_counted_not_looked_for() -> None:
    # Given a ledger
    ledger = PersonalDataLedger()

    # When orders with a common 5-digit postcode and a short second line are sent, twice
    for _ in range(2):
        ledger.order_sent(_order({"line1": "1 Crust Street", "line2": "Flat 9", "postcode": "80100"}))

    # Then only the street is looked for; the others are counted once per distinct value
    assert [needle.value for needle in ledger.needles()] == ["1 Crust Street"]
    assert ledger.too_generic() == {"deliveryAddress.line2": 1, "deliveryAddress.postcode": 1}


def test_the_same_value_from_several_tests_names_each_of_them() -> None:
    ledger = PersonalDataLedger()
    for test in ("t1", "t2"):
        ledger.current_test = test
        ledger.order_sent(_order({"line1": "1 Crust Street"}))

    assert ledger.needles() == {Needle("deliveryAddress.line1", "1 Crust Street"): frozenset({"t1", "t2"})}


def test_a_body_that_is_not_a_json_object_is_counted_as_unreadable() -> None:
    ledger = PersonalDataLedger()

    for body in ("{not json", "[]", b"\xff\xfe"):
        ledger.order_sent(body)

    assert ledger.needles() == {} and ledger.unreadable_bodies == 3


def test_an_address_sent_as_one_string_is_looked_for_whole() -> None:
    ledger = PersonalDataLedger()

    ledger.order_sent(_order("1 Crust Street, Naples"))

    assert list(ledger.needles()) == [Needle("deliveryAddress", "1 Crust Street, Naples")]


def test_an_accepted_orders_webhook_secret_and_watch_token_signature_are_looked_for() -> None:
    # Given a ledger
    ledger = PersonalDataLedger()

    # When a 202 answers with a webhook secret and a watch token
    answer = {"orderId": "o-1", "webhookSecret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "watchToken": WATCH_TOKEN}
    ledger.order_answered(json.dumps(answer))

    # Then the secret's key material is looked for, and the token's signature as a whole token (its
    # subject and expiry are the customer id and a time, not secret)
    assert set(ledger.needles()) == {
        Needle("webhookSecret", "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"),
        Needle("watchToken signature", WATCH_TOKEN.rsplit(".", 1)[-1], token=True),
    }


def test_a_needle_is_looked_for_in_the_forms_logs_and_spans_write_it_in() -> None:
    needle = Needle("deliveryAddress.line1", 'Via "Roma" 1, Napoli \u00e8')

    forms = needle.variants()

    assert 'Via "Roma" 1, Napoli \u00e8' in forms  # as is
    assert 'Via \\"Roma\\" 1, Napoli \\u00e8' in forms  # JSON, ASCII only
    assert 'Via \\"Roma\\" 1, Napoli \u00e8' in forms  # JSON, as Powertools writes it
    assert "Via+%22Roma%22+1%2C+Napoli+%C3%A8" in forms  # a query string
    assert needle.masked() == "'Via'… (22 chars)"
