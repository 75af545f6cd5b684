"""Building the claim check at cold start from validated settings, for publishers and subscribers."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeVar

from pydantic import Field, field_validator, model_validator

from integration_patterns.claim_check import (
    DEFAULT_THRESHOLD_BYTES,
    MESSAGE_LIMIT_BYTES,
    ClaimCheck,
    ClaimPolicy,
    RestrictedSection,
)
from integration_patterns.runtime import Runtime
from integration_patterns.s3_claim_store import (
    DEFAULT_URL_LIFETIME_SECONDS,
    LONGEST_URL_LIFETIME_SECONDS,
    ClaimMode,
    S3ClaimStore,
)
from integration_patterns.settings import TelemetrySettings


class ClaimCheckSettings(TelemetrySettings):
    """A publisher's claim check: where claimed data goes, and when data is claimed."""

    # Optional in type only (a consumer's settings declare it optional too); required here, below.
    claim_check_bucket: str | None = None
    # presigned_url: subscribers read with the URL, whoever they are; bucket_key: with their own role.
    claim_check_mode: ClaimMode = "presigned_url"
    claim_check_url_lifetime_seconds: int = Field(
        default=DEFAULT_URL_LIFETIME_SECONDS, ge=1, le=LONGEST_URL_LIFETIME_SECONDS
    )
    # A serialized event over this many bytes travels as a claim.
    claim_check_threshold_bytes: int = Field(default=DEFAULT_THRESHOLD_BYTES, ge=1, le=MESSAGE_LIMIT_BYTES)
    # Event types (without version, comma-separated) whose data is always claimed, whatever its size.
    claim_check_always_types: frozenset[str] = frozenset()

    @model_validator(mode="after")
    def _bucket_required(self) -> ClaimCheckSettings:
        # After the model, not on the field: a subclass that also extends ConsumerSettings (where
        # the bucket is optional) takes that field's definition, and its validators with it.
        if self.claim_check_bucket is None:
            raise ValueError("CLAIM_CHECK_BUCKET is required: where the claim check stores event data")
        return self

    @field_validator("claim_check_always_types", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        if isinstance(value, str):
            return frozenset(part.strip() for part in value.split(",") if part.strip())
        return value


ClaimCheckSettingsT = TypeVar("ClaimCheckSettingsT", bound=ClaimCheckSettings)


def claim_check(
    runtime: Runtime[ClaimCheckSettingsT], restricted: Mapping[str, RestrictedSection] | None = None
) -> ClaimCheck:
    """The publisher's step; ``restricted``: the fields of each event type only one audience may read."""
    settings = runtime.settings
    if settings.claim_check_bucket is None:  # refused when the settings were validated
        raise ValueError("no claim bucket configured")
    store = S3ClaimStore(
        runtime.client("s3"),
        settings.claim_check_bucket,
        mode=settings.claim_check_mode,
        url_lifetime_seconds=settings.claim_check_url_lifetime_seconds,
    )
    policy = ClaimPolicy(
        threshold_bytes=settings.claim_check_threshold_bytes,
        always_claimed=settings.claim_check_always_types,
        restricted=dict(restricted or {}),
    )
    return ClaimCheck(store, policy)
