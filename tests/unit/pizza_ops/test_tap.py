"""`pizza tap` shows an event as it travels and, beside each claim, what the store holds."""

from __future__ import annotations

import json

from integration_patterns.claim_check import digest_of
from pizza_ops.tap import render_event

STORED = json.dumps({"orderId": "o-1", "items": [{"pizza": "Margherita", "quantity": 1}] * 3}).encode()
CLAIM = "s3://claims/shared/e-1.json"


def _event(digest: str) -> str:
    url = "https://claims.s3.amazonaws.com/shared/e-1.json?X-Amz-Signature=" + "f" * 200
    return json.dumps({"id": "e-1", "type": "t.v1", "dataref": url, "datadigest": digest, "data": {}})


def _read(claim: str) -> tuple[str, bytes]:
    return CLAIM, STORED


def test_an_event_is_shown_with_its_size_long_values_cut_and_its_claim_checked_against_the_store() -> None:
    # Given a claimed event whose digest is the stored object's
    body = _event(digest_of(STORED))

    # When it is rendered
    shown = render_event(body, _read)

    # Then its size on the wire is given, the URL is cut (its signature not shown whole), and the
    # stored object is named, sized, found matching and summarised (a long list cut to its first item)
    assert shown.startswith(f"event on the wire: {len(body)} bytes")
    assert "f" * 200 not in shown and "(2" in shown
    assert f"dataref -> {CLAIM}: {len(STORED)} bytes stored, matches datadigest" in shown
    assert '"…(3 items)"' in shown


def test_a_stored_object_that_does_not_match_the_digest_is_called_out() -> None:
    # Given an event whose digest is not the stored object's / When rendered / Then it says so
    assert "DOES NOT MATCH datadigest" in render_event(_event(digest_of(b"other")), _read)
