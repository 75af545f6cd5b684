"""Cold-start configuration: environment variables validated against a settings model."""

from __future__ import annotations

import pytest
from pydantic import BaseModel

from integration_patterns.claim_check_runtime import ClaimCheckSettings
from integration_patterns.consumer_runtime import ConsumerSettings
from integration_patterns.settings import ConfigurationError, load_settings


class _ExampleSettings(BaseModel):
    queue_url: str
    batch_size: int = 10
    region_name: str | None = None


def test_upper_case_variables_fill_the_lower_case_fields() -> None:
    # Given an environment spelling the settings in upper case, plus unrelated variables
    environ = {"QUEUE_URL": "https://queue.example/q", "BATCH_SIZE": "5", "PATH": "/usr/bin"}

    # When the settings are loaded
    settings = load_settings(_ExampleSettings, environ)

    # Then each field holds its variable's (converted) value and defaults fill the rest
    assert settings == _ExampleSettings(queue_url="https://queue.example/q", batch_size=5, region_name=None)


def test_lower_case_variables_are_not_settings() -> None:
    # Given the required setting only in lower case
    # When loaded / Then it counts as missing
    with pytest.raises(ConfigurationError, match="QUEUE_URL"):
        load_settings(_ExampleSettings, {"queue_url": "https://queue.example/q"})


def test_a_missing_required_variable_is_named_in_upper_case() -> None:
    # Given an environment without QUEUE_URL
    # When the settings are loaded
    with pytest.raises(ConfigurationError) as failure:
        load_settings(_ExampleSettings, {"BATCH_SIZE": "5"})

    # Then the error names the variable as it is spelled in the environment, and the model
    assert "QUEUE_URL" in str(failure.value)
    assert "_ExampleSettings" in str(failure.value)


def test_every_bad_variable_is_named_at_once() -> None:
    # Given a missing and a malformed variable
    # When loaded
    with pytest.raises(ConfigurationError) as failure:
        load_settings(_ExampleSettings, {"BATCH_SIZE": "many"})

    # Then both are reported together
    assert "QUEUE_URL" in str(failure.value)
    assert "BATCH_SIZE" in str(failure.value)


def test_the_process_environment_is_read_when_none_is_given(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given the variable in the process environment
    monkeypatch.setenv("QUEUE_URL", "https://queue.example/from-env")
    monkeypatch.delenv("BATCH_SIZE", raising=False)

    # When loaded without an explicit mapping / Then it is used
    assert load_settings(_ExampleSettings).queue_url == "https://queue.example/from-env"


def test_a_publisher_without_its_claim_bucket_does_not_start_even_when_it_also_consumes() -> None:
    # Given the settings of a function that consumes (claim bucket optional) and publishes claims
    # (claim bucket required), in the order a service writes them
    class ConsumingPublisher(ConsumerSettings, ClaimCheckSettings):
        pass

    environment = {"OTEL_SERVICE_NAME": "s", "DEAD_LETTER_QUEUE_URL": "https://queue.example/dlq"}

    # When they are loaded without CLAIM_CHECK_BUCKET / Then the cold start fails, naming it
    with pytest.raises(ConfigurationError, match="CLAIM_CHECK_BUCKET is required"):
        load_settings(ConsumingPublisher, environment)
    # And with it, they load
    assert load_settings(ConsumingPublisher, {**environment, "CLAIM_CHECK_BUCKET": "b"}).claim_check_bucket == "b"
