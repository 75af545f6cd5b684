"""The claim check's two steps, over the in-memory twin of the store: when data is claimed, what the
event carries, what a subscriber gets back, restricted sections, and every claim that is refused."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest
from consumer_support import ShipThing, failed_ids, sqs_event, sqs_record, thing_consumer
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from integration_patterns.claim_check import (
    DEFAULT_THRESHOLD_BYTES,
    ClaimCheck,
    ClaimPolicy,
    ClaimRedeemer,
    ClaimUnredeemable,
    RestrictedSection,
    digest_of,
)
from integration_patterns.cloudevents_envelope import EventType, new_event, to_json
from twins.claims import InMemoryClaimStore

THING = EventType("com.example.thing.shipped", 1)
SECRET = "4 Privet Drive"


def _event(padding: int = 0, *, event_id: str = "e-1", **extra: Any) -> Any:
    data = {"thingId": "t-1", "notes": "n" * padding, **extra}
    return new_event(THING, "/things", data, subject="t-1", new_id=lambda: event_id)


def _size(event: Any) -> int:
    return len(to_json(event).encode())


def _policy(**changes: Any) -> ClaimPolicy:
    return ClaimPolicy(**{"threshold_bytes": 1000, **changes})


def _only_key(store: InMemoryClaimStore, prefix: str) -> str:
    """The one key stored under ``prefix``, checked to end in its content's SHA-256."""
    [key] = [k for k in store.objects if k.startswith(prefix)]
    assert key == f"{prefix}{hashlib.sha256(store.objects[key]).hexdigest()}.json"
    return key


def _at_size(target: int) -> Any:
    """An event whose serialized size is exactly ``target`` bytes."""
    event = _event()
    return _event(target - _size(event))


# -- when data is claimed ---------------------------------------------------------------------


def test_an_event_at_the_threshold_travels_as_it_is_and_one_byte_over_is_claimed() -> None:
    # Given a threshold of 1,000 bytes
    store = InMemoryClaimStore()
    check = ClaimCheck(store, _policy())
    at, over = _at_size(1000), _at_size(1001)
    assert (_size(at), _size(over)) == (1000, 1001)

    # When each is checked in / Then the first is unchanged, with nothing stored
    assert check.check_in(at) is at and store.objects == {}
    # And the second's data is in the store, the event carrying a claim, its digest and no data
    claimed = check.check_in(over)
    attributes = claimed.get_attributes()
    key = _only_key(store, "shared/e-1/")
    assert claimed.get_data() == {}
    assert attributes["dataref"] == f"memory://claims/{key}"
    assert attributes["datadigest"] == digest_of(store.objects[key])
    assert json.loads(store.objects[key]) == over.get_data()


def test_a_type_configured_to_be_claimed_is_claimed_however_small_whatever_its_version() -> None:
    # Given "com.example.thing.shipped" always claimed (named without a version)
    check = ClaimCheck(InMemoryClaimStore(), _policy(always_claimed=frozenset({"com.example.thing.shipped"})))
    # When a tiny v1 event is checked in / Then it is claimed
    assert "dataref" in check.check_in(_event()).get_attributes()


def test_the_default_threshold_is_a_margin_under_the_256_kb_message_limit() -> None:
    assert 150 * 1024 < DEFAULT_THRESHOLD_BYTES < 256 * 1024


@pytest.mark.parametrize("threshold", [0, 256 * 1024 + 1])
def test_a_threshold_no_message_could_honour_is_refused(threshold: int) -> None:
    with pytest.raises(ValueError, match="threshold_bytes"):
        ClaimPolicy(threshold_bytes=threshold)


# -- claims written and redeemed --------------------------------------------------------------


def test_a_redeemed_event_is_the_event_that_was_checked_in() -> None:
    # Given an event over the threshold, checked in
    store = InMemoryClaimStore()
    original = _event(5000)
    claimed = ClaimCheck(store, _policy()).check_in(original)

    # When a subscriber redeems it / Then it has the original attributes and data, and no claim
    redeemed = ClaimRedeemer(store).redeem(claimed)
    assert redeemed.get_attributes() == original.get_attributes()
    assert redeemed.get_data() == original.get_data()


def test_an_event_without_claims_is_redeemed_as_it_is() -> None:
    event = _event()
    assert ClaimRedeemer(InMemoryClaimStore()).redeem(event) is event


def test_checking_in_again_uploads_nothing_and_republishing_writes_the_same_object_once() -> None:
    # Given a claimed event
    store = InMemoryClaimStore()
    check = ClaimCheck(store, _policy())
    claimed = check.check_in(_event(5000))

    # When the claimed event is checked in again (a relay retry) / Then nothing is uploaded
    assert check.check_in(claimed) is claimed and store.writes == 1
    # When the same event is published again / Then it is written to the same key, which holds it once
    again = check.check_in(_event(5000))
    assert again.get_attributes()["dataref"] == claimed.get_attributes()["dataref"]
    assert len(store.objects) == 1


def test_an_event_whose_bytes_differ_on_a_retry_gets_an_object_of_its_own_and_both_claims_hold() -> None:
    # Given an event checked in, whose write was then retried with other bytes under the same id (a
    # section encrypted again, a time taken again)
    store = InMemoryClaimStore()
    check = ClaimCheck(store, _policy())
    first, retried = check.check_in(_event(5000)), check.check_in(_event(6000))

    # Then each has its own object under the event id, and each claim still reads what it was made of
    assert first.get_attributes()["dataref"] != retried.get_attributes()["dataref"]
    assert all(key.startswith("shared/e-1/") for key in store.objects) and len(store.objects) == 2
    for claimed, padding in ((first, 5000), (retried, 6000)):
        data = ClaimRedeemer(store).redeem(claimed).get_data()
        assert isinstance(data, dict) and len(data["notes"]) == padding


def test_an_event_id_that_cannot_be_a_key_is_refused() -> None:
    with pytest.raises(ValueError, match="event id"):
        ClaimCheck(InMemoryClaimStore(), _policy()).check_in(_event(5000, event_id="../etc/passwd"))


# -- restricted sections ----------------------------------------------------------------------

RESTRICTED = {"com.example.thing.shipped": RestrictedSection(audience="couriers", fields=("address",))}


def test_a_restricted_field_is_always_moved_by_bucket_and_key_and_only_its_audience_gets_it_back() -> None:
    # Given a small event with an address only couriers may read, and a store that hands out URLs
    store = InMemoryClaimStore()
    claimed = ClaimCheck(store, _policy(restricted=RESTRICTED)).check_in(_event(address=SECRET))

    # Then the address left the event for restricted/<audience>/, claimed by bucket and key
    attributes = claimed.get_attributes()
    assert attributes["restrictedref"] == f"s3://claims/{_only_key(store, 'restricted/couriers/e-1/')}"
    assert "dataref" not in attributes and SECRET not in to_json(claimed)
    # And the couriers get it back; anyone else gets the rest of the event, without error
    couriers = ClaimRedeemer(store, audience="couriers").redeem(claimed).get_data()
    others = ClaimRedeemer(store).redeem(claimed).get_data()
    bakers = ClaimRedeemer(store, audience="bakers").redeem(claimed).get_data()
    assert isinstance(couriers, dict) and couriers["address"] == SECRET
    assert others == bakers == {"thingId": "t-1", "notes": ""}


def test_a_large_event_with_a_restricted_field_has_two_claims_each_redeemed_by_who_may() -> None:
    store = InMemoryClaimStore()
    claimed = ClaimCheck(store, _policy(restricted=RESTRICTED)).check_in(_event(5000, address=SECRET))
    assert {"dataref", "restrictedref"} <= set(claimed.get_attributes())
    assert json.loads(store.objects[_only_key(store, "restricted/couriers/e-1/")]) == {"address": SECRET}
    assert SECRET not in store.objects[_only_key(store, "shared/e-1/")].decode()
    couriers = ClaimRedeemer(store, audience="couriers").redeem(claimed).get_data()
    assert isinstance(couriers, dict) and couriers["address"] == SECRET and len(couriers["notes"]) == 5000
    others = ClaimRedeemer(store).redeem(claimed).get_data()
    assert isinstance(others, dict) and "address" not in others and len(others["notes"]) == 5000


def test_a_restricted_field_that_is_empty_is_dropped_without_an_upload() -> None:
    store = InMemoryClaimStore()
    claimed = ClaimCheck(store, _policy(restricted=RESTRICTED)).check_in(_event(address=None))
    assert store.objects == {} and "restrictedref" not in claimed.get_attributes()
    assert claimed.get_data() == {"thingId": "t-1", "notes": ""}


@pytest.mark.parametrize(("audience", "fields"), [("../all", ("address",)), ("couriers", ())])
def test_a_restricted_section_without_a_safe_audience_or_any_field_is_refused(
    audience: str, fields: tuple[str, ...]
) -> None:
    with pytest.raises(ValueError):
        RestrictedSection(audience=audience, fields=fields)


# -- claims that cannot be redeemed -----------------------------------------------------------


def _claimed(store: InMemoryClaimStore) -> Any:
    return ClaimCheck(store, _policy()).check_in(_event(5000, secret=SECRET))


def _refusal(store: InMemoryClaimStore, event: Any) -> str:
    with pytest.raises(ClaimUnredeemable) as refused:
        ClaimRedeemer(store).redeem(event)
    reason = refused.value.reason
    assert SECRET not in reason  # never the data
    return reason


def test_bytes_that_do_not_match_the_digest_are_refused_naming_the_event_and_the_object() -> None:
    store = InMemoryClaimStore()
    claimed = _claimed(store)
    key = _only_key(store, "shared/e-1/")
    store.objects[key] = json.dumps({"thingId": "t-2", "secret": SECRET}).encode()
    assert _refusal(store, claimed) == f"event e-1: claim s3://claims/{key}: content does not match datadigest"


def test_a_missing_expired_or_foreign_claim_is_refused() -> None:
    store = InMemoryClaimStore()
    claimed = _claimed(store)
    url = claimed.get_attributes()["dataref"]

    store.expired.add(url)
    assert "expired" in _refusal(store, claimed)
    store.expired.clear()
    del store.objects[_only_key(store, "shared/e-1/")]
    assert "no such object" in _refusal(store, claimed)
    foreign = {**claimed.get_attributes(), "dataref": "memory://elsewhere/shared/e-1.json"}
    assert "this deployment's claim bucket" in _refusal(store, type(claimed)(attributes=foreign, data={}))


@pytest.mark.parametrize("digest", [None, "md5-abc", "sha256-short="])
def test_a_claim_without_a_well_formed_digest_is_refused(digest: str | None) -> None:
    store = InMemoryClaimStore()
    attributes = dict(_claimed(store).get_attributes())
    attributes.pop("datadigest")
    if digest is not None:
        attributes["datadigest"] = digest
    event = type(_claimed(store))(attributes=attributes, data={})
    assert "datadigest missing or not sha256-<base64>" in _refusal(store, event)


def test_stored_bytes_that_are_not_a_json_object_are_refused() -> None:
    store = InMemoryClaimStore()
    claimed = _claimed(store)
    store.objects[_only_key(store, "shared/e-1/")] = b"[1, 2]"
    attributes = {**claimed.get_attributes(), "datadigest": digest_of(b"[1, 2]")}
    assert "not a JSON object" in _refusal(store, type(claimed)(attributes=attributes, data={}))


def test_a_role_that_may_not_read_a_prefix_is_refused_by_reference() -> None:
    # The twin as IAM would decide: this role reads shared/ only
    store = InMemoryClaimStore(by_reference=True, readable_prefixes=("shared/",))
    claimed = ClaimCheck(store, _policy(restricted=RESTRICTED)).check_in(_event(5000, address=SECRET))
    assert claimed.get_attributes()["dataref"].startswith("s3://")
    with pytest.raises(ClaimUnredeemable, match="access denied"):
        ClaimRedeemer(store, audience="couriers").redeem(claimed)


# -- in the consumer, and traced --------------------------------------------------------------


def test_the_consumer_redeems_before_translating_and_dead_letters_a_claim_it_cannot_redeem() -> None:
    # Given a consumer that redeems claims, and two claimed events: one whole, one tampered with
    store = InMemoryClaimStore()
    check = ClaimCheck(store, ClaimPolicy(always_claimed=frozenset({"com.example.thing.shipped"})))
    good = to_json(check.check_in(_event(event_id="e-good")))
    bad = to_json(check.check_in(_event(event_id="e-bad")))
    bad_key = _only_key(store, "shared/e-bad/")
    store.objects[bad_key] = b'{"thingId": "t-evil"}'
    handled: list[ShipThing] = []
    consumer, sink = thing_consumer(handled.append, claims=ClaimRedeemer(store))

    # When both arrive in one batch
    response = consumer.process(sqs_event(sqs_record("m-good", good), sqs_record("m-bad", bad)))

    # Then the whole one is handled as if it had come inline; the other is dead-lettered at once
    assert handled == [ShipThing("t-1", 1)]
    assert failed_ids(response) == []
    assert sink.sent == [("m-bad", f"event e-bad: claim s3://claims/{bad_key}: content does not match datadigest")]


def test_a_consumer_that_redeems_no_claims_dead_letters_a_claimed_event_saying_so() -> None:
    store = InMemoryClaimStore()
    claimed = to_json(ClaimCheck(store, _policy()).check_in(_event(5000)))
    handled: list[ShipThing] = []
    consumer, sink = thing_consumer(handled.append)
    consumer.process(sqs_event(sqs_record("m-1", claimed)))
    assert handled == []
    assert sink.sent == [("m-1", "event e-1: its data is a claim check, and this consumer redeems none")]


def test_the_upload_and_the_redemption_are_spans_with_the_object_size(
    finished_spans: InMemorySpanExporter,
) -> None:
    store = InMemoryClaimStore()
    claimed = ClaimCheck(store, _policy()).check_in(_event(5000))
    ClaimRedeemer(store).redeem(claimed)
    key = _only_key(store, "shared/e-1/")
    size = len(store.objects[key])
    spans = {span.name: span for span in finished_spans.get_finished_spans()}
    for name in ("claim check upload", "claim check redeem"):
        attributes = spans[name].attributes or {}
        assert attributes["claim_check.object.size"] == size, name
        assert attributes["aws.s3.key"] == key and attributes["cloudevents.event_id"] == "e-1"


def test_an_always_claimed_event_checked_in_again_is_not_uploaded_again() -> None:
    # Given a type always claimed, and one of its events checked in (as the outbox stores it)
    store = InMemoryClaimStore()
    check = ClaimCheck(store, _policy(always_claimed=frozenset({"com.example.thing.shipped"})))
    claimed = check.check_in(_event())

    # When the stored, claimed event is checked in again / Then it is sent as it is: no second upload
    assert check.check_in(claimed) is claimed and store.writes == 1


def test_an_event_that_needs_no_claim_travels_as_it_is_whatever_its_id() -> None:
    event = _event(event_id="order:1")
    assert ClaimCheck(InMemoryClaimStore(), _policy()).check_in(event) is event


def test_an_event_checked_in_by_reference_is_claimed_by_bucket_and_key_whatever_the_store_s_mode() -> None:
    # Given a store that hands out URLs / When an event to be read much later is checked in
    claimed = ClaimCheck(InMemoryClaimStore(), _policy()).check_in(_event(5000), by_reference=True)
    # Then its claim is by bucket and key, which does not expire
    assert claimed.get_attributes()["dataref"].startswith("s3://claims/shared/e-1/")


@pytest.mark.parametrize(
    "claim",
    ["s3://elsewhere/restricted/couriers/e-1/x.json", "https://evil.example/restricted/couriers/e-1.json"],
    ids=["another bucket", "a URL"],
)
def test_a_restricted_claim_for_this_audience_that_points_elsewhere_is_refused_not_skipped(claim: str) -> None:
    # Given an event whose restricted claim is not one this deployment's store would hand out
    store = InMemoryClaimStore()
    claimed = ClaimCheck(store, _policy(restricted=RESTRICTED)).check_in(_event(address=SECRET))
    forged = type(claimed)(attributes={**claimed.get_attributes(), "restrictedref": claim}, data={"thingId": "t-1"})

    # When its audience redeems it / Then it is refused, never processed without the section
    with pytest.raises(ClaimUnredeemable, match="bucket"):
        ClaimRedeemer(store, audience="couriers").redeem(forged)
    # And another subscriber, whose section it is not, sees the rest of the event
    assert ClaimRedeemer(store, audience="bakers").redeem(forged).get_data() == {"thingId": "t-1"}
