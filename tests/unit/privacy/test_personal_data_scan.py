"""The session's scan: orders recorded from any HTTP client, a report that never repeats a value whole,
and a run that fails on a hit."""

from __future__ import annotations

import asyncio
import json
from typing import Any, cast

import httpx
import pytest

from pizza_ops.stack import EmbeddedStack
from privacy_scan import session
from privacy_scan.matcher import Text
from privacy_scan.needles import PersonalDataLedger
from privacy_scan.report import ScanReport
from privacy_scan.session import orders_recorded, personal_data_scanned, scan_texts

ORDER = {
    "customerId": "c-1",
    "orderType": "delivery",
    "items": [{"pizza": "Margherita", "quantity": 1}],
    "deliveryAddress": {"line1": "12 Privacy Road", "city": "Naples", "postcode": "80100"},
    "callbackUrl": "http://127.0.0.1:9/hooks",
}
SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"


def _api(request: httpx.Request) -> httpx.Response:
    if request.url.path == "/orders":
        return httpx.Response(202, json={"orderId": "o-1", "webhookSecret": SECRET})
    return httpx.Response(200, json={"status": "CONFIRMED"})


def _ledger_with_order(test: str = "tests/integration/test_x.py::test_y") -> PersonalDataLedger:
    ledger = PersonalDataLedger()
    ledger.current_test = test
    ledger.order_sent(json.dumps(ORDER))
    ledger.order_answered(json.dumps({"orderId": "o-1", "webhookSecret": SECRET}))
    return ledger


def test_orders_posted_by_any_httpx_client_are_recorded_with_their_answers() -> None:
    # Given a ledger recording, and a synchronous and an asynchronous client of the API
    ledger = PersonalDataLedger()
    with orders_recorded(ledger):
        # When each posts an order, and reads something else
        with httpx.Client(transport=httpx.MockTransport(_api), base_url="http://api") as client:
            client.post("/orders", json=ORDER)
            client.get("/orders/o-1")

        async def place() -> None:
            async with httpx.AsyncClient(transport=httpx.MockTransport(_api), base_url="http://api") as client:
                await client.post("/orders/", json=ORDER)

        asyncio.run(place())

    # Then the address and the webhook secret of the answers are looked for, nothing else
    assert {(needle.kind, needle.value) for needle in ledger.needles()} == {
        ("deliveryAddress.line1", "12 Privacy Road"),
        ("webhookSecret", SECRET.removeprefix("whsec_")),
    }
    # And once the recording is over, clients are what they were
    with httpx.Client(transport=httpx.MockTransport(_api), base_url="http://api") as client:
        client.post("/orders", json={**ORDER, "deliveryAddress": {"line1": "99 Unrecorded Way"}})
    assert len(ledger.needles()) == 2


def test_a_hit_fails_the_report_without_repeating_the_value() -> None:
    # Given the values of an order, and a log line and a span that leak two of them
    ledger = _ledger_with_order()
    texts = [
        Text("log group /aws/lambda/pizza-order-api, stream s1", '{"message": "rejected", "line1": "12 Privacy Road"}'),
        Text("span 'deliver' of webhooks (trace t) attribute secret", f"secret={SECRET}"),
        Text("log group /aws/lambda/pizza-kitchen, stream s2", '{"message": "cooked"}'),
    ]

    # When they are scanned
    report = scan_texts(ledger, texts, spans=1, files=0)

    # Then the report fails, naming each kind, where it was and the test that sent it
    assert report.failed
    message = report.describe()
    assert "deliveryAddress.line1 '12 '… (15 chars), sent by tests/integration/test_x.py::test_y" in message
    assert "log group /aws/lambda/pizza-order-api, stream s1" in message
    assert "webhookSecret 'MfK'… (32 chars)" in message
    assert "span 'deliver' of webhooks (trace t) attribute secret" in message
    # And never the values themselves
    assert "12 Privacy Road" not in message and SECRET.removeprefix("whsec_") not in message
    # And says what was not looked for
    assert "1 deliveryAddress.postcode" in message


def test_nothing_found_passes_and_says_what_was_scanned() -> None:
    report = scan_texts(_ledger_with_order(), [Text("line", "nothing personal")], spans=7, files=2)

    assert not report.failed
    assert "2 values sent by the tests (deliveryAddress.line1, webhookSecret)" in report.summary()
    assert ": 0 hits" in report.summary()


def test_a_span_store_near_its_bound_fails_the_scan_as_it_may_have_forgotten_spans() -> None:
    report = scan_texts(_ledger_with_order(), [], spans=180_000, files=0, span_store_full=True)

    assert report.failed and "max_spans" in report.describe()


class _Plugins:
    def __init__(self) -> None:
        self.registered: list[Any] = []

    def register(self, plugin: Any) -> None:
        self.registered.append(plugin)


class _Config:
    def __init__(self) -> None:
        self.pluginmanager = _Plugins()


def _report(found: bool) -> ScanReport:
    texts = [Text("line", "12 Privacy Road" if found else "nothing")]
    return scan_texts(_ledger_with_order(), texts, spans=0, files=0)


@pytest.mark.parametrize("leak", [True, False])
def test_the_session_fails_on_a_hit_and_summarises_either_way(leak: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a scan that finds a leak, or none
    monkeypatch.setattr(session, "scan", lambda stack, records: _report(found=leak))
    config = _Config()

    # When the session's body ends
    def run() -> None:
        with personal_data_scanned(cast(EmbeddedStack, None), cast(pytest.Config, config)):
            pass

    # Then a leak fails it, and the summary is in the terminal either way
    if leak:
        with pytest.raises(pytest.fail.Exception, match=r"deliveryAddress\.line1"):
            run()
    else:
        run()
    assert len(config.pluginmanager.registered) == 1
