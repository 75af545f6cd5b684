"""The claim check: event data too large for a message, or for one reader only, travels through a store.

SQS, SNS and EventBridge refuse messages over 256 KB. On the publisher's side, :class:`ClaimCheck`
moves an event's ``data`` to the claim store when the serialized event would exceed a threshold
(or its type is configured to always be claimed) and leaves a claim in the CloudEvent:

* ``dataref``: where the data is: a presigned URL, or ``s3://bucket/key`` for a reader that reads
  with its own role (the CloudEvents *dataref* extension, made for the claim check pattern);
* ``datadigest``: ``sha256-<base64>`` of the stored bytes, checked by the reader;
* ``data``: ``{}``, so a subscriber that forgot to redeem fails loudly instead of reading nothing.

A *restricted section* (some of the data's fields, for one audience) is always moved, whatever the
size, to an object under ``restricted/<audience>/``, which only that audience's role may read. Its
claim (``restrictedref``, ``restricteddigest``) is always a bucket and key: a presigned URL is a
bearer credential, and the event reaches every subscriber. Every other subscriber sees the event
without those fields.

Objects are keyed by event id and content digest (``shared/<event id>/<sha256 hex>.json``), written
once: publishing the same event again writes nothing new, and an event whose bytes differ on a
retry (a section encrypted again) gets an object of its own, never replacing what an earlier
claim points at. On the subscriber's side, :class:`ClaimRedeemer` puts the
data back before the anti-corruption layer runs, so translators and use cases never know a claim
was used. A claim that cannot be redeemed (expired or tampered URL, missing object, digest
mismatch, access denied) is an :class:`InvalidMessage` naming the event and the claim (never the
data, never a URL's signature): dead-lettered at once, nothing processed on partial data.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import urlsplit

from cloudevents.core.base import BaseCloudEvent
from cloudevents.core.v1.event import CloudEvent
from opentelemetry import trace

from integration_patterns import semconv
from integration_patterns.cloudevents_envelope import EventType, json_document, to_json
from integration_patterns.errors import InvalidMessage

# Extension attributes (CloudEvents naming rules: lower-case alphanumerics).
DATA_REF = "dataref"
DATA_DIGEST = "datadigest"
RESTRICTED_REF = "restrictedref"
RESTRICTED_DIGEST = "restricteddigest"
CLAIM_ATTRIBUTES = (DATA_REF, DATA_DIGEST, RESTRICTED_REF, RESTRICTED_DIGEST)

# SQS, SNS and EventBridge take 256 KiB per message, envelope and attributes included. EventBridge
# wraps the event in its own envelope and SQS counts message attributes (the trace context) too.
MESSAGE_LIMIT_BYTES = 256 * 1024
DEFAULT_THRESHOLD_BYTES = 200 * 1024

SHARED_PREFIX = "shared/"
RESTRICTED_PREFIX = "restricted/"

CLAIM_SIZE = "claim_check.object.size"
CLAIM_KIND = "claim_check.kind"
S3_BUCKET = "aws.s3.bucket"
S3_KEY = "aws.s3.key"

_tracer = trace.get_tracer(__name__)
_SAFE_KEY_PART = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$")
_DIGEST = re.compile(r"^sha256-[A-Za-z0-9+/]{43}=$")
# How a claim by bucket and key is written (StoredClaim's str).
_S3_NAME = re.compile(r"^s3://(?P<bucket>[^/?#]+)/(?P<key>[^?#]+)$")


class ClaimUnredeemable(InvalidMessage):
    """A claim that can never be redeemed: the message is dead-lettered at once, with this reason."""


def digest_of(body: bytes) -> str:
    """``sha256-<base64>`` (the Subresource Integrity form) of ``body``."""
    return "sha256-" + base64.b64encode(hashlib.sha256(body).digest()).decode("ascii")


def sha256_base64(digest: str) -> str:
    """The base64 SHA-256 inside a ``sha256-<base64>`` digest (S3's ChecksumSHA256 form)."""
    return digest.removeprefix("sha256-")


@dataclass(frozen=True)
class StoredClaim:
    """Where a claim's object is, by bucket and key: what logs and DLQ reasons may name."""

    bucket: str
    key: str

    def __str__(self) -> str:
        return f"s3://{self.bucket}/{self.key}"

    @classmethod
    def parse(cls, claim: str) -> StoredClaim | None:
        """The bucket and key of an ``s3://bucket/key`` claim; None for any other form (a URL)."""
        named = _S3_NAME.match(claim)
        return cls(named["bucket"], named["key"]) if named else None


class ClaimStore(Protocol):
    """Port: where claimed data is kept, and how a claim points at it."""

    def put_once(self, key: str, body: bytes, digest: str) -> StoredClaim:
        """Store ``body`` at ``key`` unless an object is there already: keys name their content's
        digest, so what is there is these bytes."""

    def claim_for(self, stored: StoredClaim, *, by_reference: bool) -> str:
        """The claim to put in the event: a presigned URL, or ``s3://bucket/key`` when
        ``by_reference`` or when the store is configured to hand out references only."""

    def fetch(self, claim: str) -> bytes:
        """The claimed bytes. :class:`ClaimUnredeemable` when they can never be had; other
        exceptions (throttling, a timeout) are transient, and the message is retried."""

    def describe(self, claim: str) -> StoredClaim:
        """The bucket and key a claim points at, for spans and reasons (no signature, no query).
        :class:`ClaimUnredeemable` when the claim does not point into this store."""


@dataclass(frozen=True)
class RestrictedSection:
    """Fields of one event type's data that only ``audience`` may read."""

    audience: str
    fields: tuple[str, ...]

    def __post_init__(self) -> None:
        if not _SAFE_KEY_PART.match(self.audience):
            raise ValueError(f"audience {self.audience!r}: letters, digits, '.', '_' or '-' only")
        if not self.fields:
            raise ValueError("a restricted section names at least one field")


@dataclass(frozen=True)
class ClaimPolicy:
    """When data is claimed. Types are named without their version (``com.example.order.placed``)."""

    threshold_bytes: int = DEFAULT_THRESHOLD_BYTES
    always_claimed: frozenset[str] = frozenset()
    restricted: Mapping[str, RestrictedSection] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not 0 < self.threshold_bytes <= MESSAGE_LIMIT_BYTES:
            raise ValueError(f"threshold_bytes must be between 1 and {MESSAGE_LIMIT_BYTES}")

    def claims_whole_data(self, type_name: str, serialized_size: int) -> bool:
        return type_name in self.always_claimed or serialized_size > self.threshold_bytes


class ClaimCheck:
    """Publisher side: the event as it should travel (its data, or parts of it, in the store)."""

    def __init__(self, store: ClaimStore, policy: ClaimPolicy) -> None:
        self._store = store
        self._policy = policy

    def check_in(self, event: BaseCloudEvent, *, by_reference: bool = False) -> BaseCloudEvent:
        """``event`` unchanged when it needs no claim; otherwise a copy carrying claims.

        ``by_reference``: claim by bucket and key whatever the store's mode, for an event read
        long after it is stored (a schedule's), which a presigned URL would not outlive.
        """
        attributes = dict(event.get_attributes())
        if any(name in attributes for name in CLAIM_ATTRIBUTES):
            return event  # claimed already: a stored event is not checked in twice
        event_id = str(attributes["id"])
        type_name = EventType.parse(event.get_type()).name
        data = _data_of(event)
        section = self._policy.restricted.get(type_name)
        if section is not None:
            private = {name: data[name] for name in section.fields if data.get(name) is not None}
            if private:
                prefix = f"{RESTRICTED_PREFIX}{section.audience}/{event_id}/"
                claim, digest = self._upload(event, prefix, private, "restricted", by_reference=True)
                attributes.update({RESTRICTED_REF: claim, RESTRICTED_DIGEST: digest})
            for name in section.fields:  # gone from what every subscriber sees, empty or not
                data.pop(name, None)
        size = len(to_json(CloudEvent(attributes=attributes, data=data)).encode("utf-8"))
        if self._policy.claims_whole_data(type_name, size):
            prefix = f"{SHARED_PREFIX}{event_id}/"
            claim, digest = self._upload(event, prefix, data, "data", by_reference=by_reference)
            attributes.update({DATA_REF: claim, DATA_DIGEST: digest})
            data = {}
        if attributes == event.get_attributes() and data == event.get_data():
            return event
        return CloudEvent(attributes=attributes, data=data)

    def _upload(
        self, event: BaseCloudEvent, prefix: str, content: Mapping[str, Any], kind: str, *, by_reference: bool
    ) -> tuple[str, str]:
        if not _SAFE_KEY_PART.match(event.get_id()):
            raise ValueError("an event id to claim by is letters, digits, '.', '_' or '-' (at most 200)")
        body = _canonical_json(content)
        digest = digest_of(body)
        key = f"{prefix}{hashlib.sha256(body).hexdigest()}.json"
        with _tracer.start_as_current_span(
            "claim check upload",
            attributes={
                semconv.CLOUDEVENTS_EVENT_ID: event.get_id(),
                semconv.CLOUDEVENTS_EVENT_TYPE: event.get_type(),
                CLAIM_KIND: kind,
                CLAIM_SIZE: len(body),
                S3_KEY: key,
            },
        ) as span:
            stored = self._store.put_once(key, body, digest)
            span.set_attribute(S3_BUCKET, stored.bucket)
            return self._store.claim_for(stored, by_reference=by_reference), digest


class ClaimRedeemer:
    """Subscriber side: the event as its publisher built it, before any translator sees it.

    ``audience``: the restricted sections this subscriber may read (None: none; their fields are
    simply absent from the data it sees).
    """

    def __init__(self, store: ClaimStore, audience: str | None = None) -> None:
        self._store = store
        self._audience = audience

    def redeem(self, event: BaseCloudEvent) -> BaseCloudEvent:
        attributes = dict(event.get_attributes())
        if not any(name in attributes for name in CLAIM_ATTRIBUTES):
            return event
        data = _data_of(event)
        if DATA_REF in attributes:
            data = self._redeem(event, DATA_REF, DATA_DIGEST, "data")
        restricted = attributes.get(RESTRICTED_REF)
        if restricted is not None and self._is_for_me(str(restricted)):
            data.update(self._redeem(event, RESTRICTED_REF, RESTRICTED_DIGEST, "restricted"))
        for name in CLAIM_ATTRIBUTES:
            attributes.pop(name, None)
        return CloudEvent(attributes=attributes, data=data)

    def _is_for_me(self, claim: str) -> bool:
        """Whether a restricted claim is this subscriber's to redeem, from the path it names alone,
        wherever it points: the store then refuses one outside its bucket, with the reason."""
        if self._audience is None:
            return False
        named = StoredClaim.parse(claim)
        path = named.key if named else urlsplit(claim).path
        return f"/{RESTRICTED_PREFIX}{self._audience}/" in f"/{path.lstrip('/')}"

    def _redeem(self, event: BaseCloudEvent, ref: str, digest_attribute: str, kind: str) -> dict[str, Any]:
        attributes = event.get_attributes()
        claim = str(attributes[ref])
        stored = self._describe(event, claim)
        about = f"event {event.get_id()}: claim {stored}"
        expected = str(attributes.get(digest_attribute) or "")
        if not _DIGEST.match(expected):
            raise ClaimUnredeemable(f"{about}: {digest_attribute} missing or not sha256-<base64>")
        with _tracer.start_as_current_span(
            "claim check redeem",
            attributes={
                semconv.CLOUDEVENTS_EVENT_ID: event.get_id(),
                CLAIM_KIND: kind,
                S3_BUCKET: stored.bucket,
                S3_KEY: stored.key,
            },
        ) as span:
            try:
                body = self._store.fetch(claim)
            except ClaimUnredeemable as refusal:
                raise ClaimUnredeemable(f"{about}: {refusal.reason}") from None
            span.set_attribute(CLAIM_SIZE, len(body))
            if digest_of(body) != expected:
                raise ClaimUnredeemable(f"{about}: content does not match {digest_attribute}")
            try:
                content = json_document(body)
            except InvalidMessage as malformed:
                raise ClaimUnredeemable(f"{about}: {malformed.reason}") from None
            if not isinstance(content, dict):
                raise ClaimUnredeemable(f"{about}: not a JSON object")
            return content

    def _describe(self, event: BaseCloudEvent, claim: str) -> StoredClaim:
        try:
            return self._store.describe(claim)
        except ClaimUnredeemable as refusal:
            raise ClaimUnredeemable(f"event {event.get_id()}: {refusal.reason}") from None


def carries_data_claim(event: BaseCloudEvent) -> bool:
    """Whether ``event``'s data is in the store (its inline ``data`` is a placeholder)."""
    return DATA_REF in event.get_attributes()


def _data_of(event: BaseCloudEvent) -> dict[str, Any]:
    data = event.get_data()
    return dict(data) if isinstance(data, dict) else {}


def _canonical_json(content: Mapping[str, Any]) -> bytes:
    # One serialization per content, so writing the same data again yields the same bytes and digest.
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
