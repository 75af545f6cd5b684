"""HTTP API helpers: field-level validation problems, the API's public base URL, idempotency keys."""

from __future__ import annotations

import pytest
from pydantic import BaseModel, Field, ValidationError

from integration_patterns.http_api import (
    InvalidIdempotencyKey,
    base_url_of,
    idempotency_key_of,
    validation_problems,
)


class _Line(BaseModel):
    quantity: int = Field(ge=1)


class _Body(BaseModel):
    name: str
    lines: list[_Line]


def test_each_bad_field_is_reported_with_its_dotted_path_and_a_reason() -> None:
    # Given a body with a missing field and a bad nested value
    with pytest.raises(ValidationError) as raised:
        _Body.model_validate({"lines": [{"quantity": 1}, {"quantity": 0}]})

    # When the error is turned into problems
    problems = validation_problems(raised.value)

    # Then each names its field path and says what is wrong
    assert [p["field"] for p in problems] == ["name", "lines.1.quantity"]
    assert all(p["reason"] for p in problems)


def test_a_body_that_is_not_json_is_reported_against_the_body() -> None:
    with pytest.raises(ValidationError) as raised:
        _Body.model_validate_json("{oops")
    assert [p["field"] for p in validation_problems(raised.value)] == ["body"]


def test_base_url_prefers_configuration_then_derives_from_the_request() -> None:
    default_stage = {"requestContext": {"domainName": "abc.execute-api.eu-west-1.amazonaws.com", "stage": "$default"}}
    named_stage = {"requestContext": {"domainName": "abc.execute-api.eu-west-1.amazonaws.com", "stage": "prod"}}
    # A configured URL wins (emulators serve APIs under their own address); a trailing slash is dropped
    assert base_url_of(default_stage, "http://127.0.0.1:4566/_aws/execute-api/abc/") == (
        "http://127.0.0.1:4566/_aws/execute-api/abc"
    )
    # Otherwise the request's own domain, with the stage only when it is not $default
    assert base_url_of(default_stage, None) == "https://abc.execute-api.eu-west-1.amazonaws.com"
    assert base_url_of(named_stage, None) == "https://abc.execute-api.eu-west-1.amazonaws.com/prod"


def test_the_idempotency_key_is_read_from_its_header_whatever_its_case() -> None:
    assert idempotency_key_of({"idempotency-key": "k-1"}) == "k-1"
    assert idempotency_key_of({"Idempotency-Key": "k-2"}) == "k-2"
    assert idempotency_key_of({"content-type": "application/json"}) is None
    assert idempotency_key_of(None) is None


@pytest.mark.parametrize(("key", "reason"), [("", "is empty"), ("  ", "is empty"), ("k" * 256, "at most 255")])
def test_an_empty_or_overlong_idempotency_key_is_rejected_with_a_reason(key: str, reason: str) -> None:
    with pytest.raises(InvalidIdempotencyKey, match=reason):
        idempotency_key_of({"idempotency-key": key})


def test_an_idempotency_key_of_255_characters_is_accepted() -> None:
    assert idempotency_key_of({"idempotency-key": "k" * 255}) == "k" * 255
