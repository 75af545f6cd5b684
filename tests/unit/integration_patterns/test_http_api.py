"""HTTP API helpers: validation problems that echo no input, the public base URL, idempotency keys, JSON bodies,
plain text and path identifiers."""

from __future__ import annotations

import pytest
from pydantic import BaseModel, Field, ValidationError

from integration_patterns.http_api import (
    BadRequest,
    InvalidIdempotencyKey,
    base_url_of,
    duplicate_key_paths,
    idempotency_key_of,
    is_json_media_type,
    path_identifier,
    text_problem,
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


@pytest.mark.parametrize(
    ("key", "reason"),
    [
        ("", "is empty"),
        ("  ", "is empty"),
        ("k" * 256, "at most 255"),
        ("k-\x1b[31m1", "control or format"),
        ("\u200b", "control or format"),
    ],
)
def test_an_empty_overlong_or_unprintable_idempotency_key_is_rejected_with_a_reason(key: str, reason: str) -> None:
    with pytest.raises(InvalidIdempotencyKey, match=reason):
        idempotency_key_of({"idempotency-key": key})


def test_an_idempotency_key_of_255_characters_is_accepted() -> None:
    assert idempotency_key_of({"idempotency-key": "k" * 255}) == "k" * 255


def test_an_unexpected_key_is_named_only_when_it_is_a_plain_name() -> None:
    # Given a body with an unexpected plain key, one that is markup and one of 2,000 characters
    class _Strict(BaseModel, extra="forbid"):
        name: str

    with pytest.raises(ValidationError) as raised:
        _Strict.model_validate({"name": "n", "discount": 1, "<script>": 1, "k" * 2000: 1})

    # When the error is turned into problems / Then only the plain name is shown; the others are "(key)"
    assert sorted(p["field"] for p in validation_problems(raised.value)) == ["(key)", "(key)", "discount"]


@pytest.mark.parametrize(
    ("text", "paths"),
    [
        ('{"a": 1, "b": 2}', []),
        ('{"a": 1, "a": 2}', ["a"]),
        ('{"a": {"b": 1, "b": 2}, "c": [{"d": 1}, {"d": 1, "d": 2}]}', ["a.b", "c.1.d"]),
        ('{"a": 1, "a": 2, "a": 3}', ["a"]),
        ('{"a": 1' + "0" * 5000 + ', "a": 2}', ["a"]),  # more digits than Python turns into an int by default
        ('{"a": "tab\there", "a": 2}', ["a"]),  # a raw control character, which the model's parser refuses later
        ("{not json", []),
        ("", []),
        ("[" * 100_000 + "]" * 100_000, []),  # deeper than any parser here recurses
    ],
    ids=[
        "none",
        "top level",
        "nested",
        "three times",
        "a huge number",
        "a control character",
        "not JSON",
        "empty",
        "deep",
    ],
)
def test_duplicate_keys_are_found_by_path_and_text_that_is_not_json_has_none(text: str, paths: list[str]) -> None:
    assert duplicate_key_paths(text) == paths


@pytest.mark.parametrize(
    ("content_type", "json_"),
    [
        ("application/json", True),
        ("application/json;charset=utf-8", True),
        ("APPLICATION/JSON; CHARSET=UTF-8", True),
        ("application/json; charset=utf-16", False),
        ("application/json; boundary=x", False),
        ("application/jsonp", False),
        ("text/json", False),
        ("", False),
        (None, False),
    ],
)
def test_only_json_with_at_most_a_utf_8_charset_is_json(content_type: str | None, json_: bool) -> None:
    assert is_json_media_type(content_type) is json_


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("Margherita", None),
        ("Quattro Formaggi \u00e0 la Forl\u00ec", None),
        ("\U0001f355 Pizza", None),
        ("a\x00b", "control or format"),
        ("\x1b[2J", "control or format"),
        ("\u200b", "control or format"),
        ("abc\u202edcba", "control or format"),
        ("\u2029", "control or format"),
        ("\ufffd", "control or format"),
        ("\u3164", "visible character"),
        ("\u0301\u0301", "visible character"),
        ("\u2800", "visible character"),
        ("\u00a0\u2003", "visible character"),
    ],
)
def test_plain_text_has_a_visible_character_and_no_control_or_format_character(text: str, reason: str | None) -> None:
    problem = text_problem(text)
    assert problem is None if reason is None else (problem is not None and reason in problem)


def test_a_path_identifier_is_at_most_256_characters_of_plain_text() -> None:
    assert path_identifier("a" * 256, "orderId") == "a" * 256
    with pytest.raises(BadRequest) as too_long:
        path_identifier("a" * 257, "orderId")
    assert too_long.value.problems == [{"field": "orderId", "reason": "must be at most 256 characters long"}]
    with pytest.raises(BadRequest):
        path_identifier("\u200b", "orderId")
