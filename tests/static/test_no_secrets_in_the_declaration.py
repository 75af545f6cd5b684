"""No secret is written where the system is declared or configured: the declaration, the Terraform,
the compose files and the Collector's configuration. Secrets the system uses are made inside KMS
(HMAC keys that never leave it, see services/integration_patterns/kms_mac.py), so there is nothing
to write; a key, token or password written into any of these files would be found here.

What is tried: every such file in the repository, through detect-secrets' default plugins (high
entropy base64 and hex strings, secret-named keys, known key formats) and filters (ids, URLs,
templated values).
"""

from __future__ import annotations

import base64
from pathlib import Path

from pizza_ops.repository import Repository
from secret_scan import secrets_in_files, secrets_in_settings

ROOT = Repository.find().root


def _configuration_files() -> list[Path]:
    terraform = sorted((ROOT / "infra" / "terraform").rglob("*.tf"))
    compose = sorted(ROOT.glob("docker-compose*.yml"))
    return [ROOT / "infra" / "system.yaml", *terraform, *compose, ROOT / "otel-collector.yaml"]


def test_no_file_that_declares_or_configures_the_system_holds_a_secret() -> None:
    # Given every file that declares or configures the system
    files = _configuration_files()
    assert len(files) > 20, files

    # When each is scanned for likely secrets
    found = secrets_in_files(ROOT, files)

    # Then none is found
    assert found == []


def test_the_scan_finds_a_signing_key_or_a_password_written_into_settings() -> None:
    # Given settings like a function's, one holding a random signing key, one a password, beside
    # the ids, names and URLs every function's settings hold
    settings = {
        "ORDERS_TABLE_NAME": "pizza-orders",
        "WEBHOOK_SECRET_KEY_ID": "arn:aws:kms:us-east-1:000000000000:key/5b8f0e4c-3d2a-4b8e-9f1a-2c3d4e5f6a7b",
        "KITCHEN_QUEUE_URL": "http://127.0.0.1:4566/000000000000/pizza-kitchen-orders",
        "SIGNING_KEY": base64.b64encode(bytes(range(7, 39))).decode(),
        "DB_PASSWORD": "margherita-is-my-password",
    }

    # When they are scanned
    found = secrets_in_settings({"a-function": settings})

    # Then exactly the key and the password are named, not their values
    assert [entry.split(" (")[0] for entry in found] == ["a-function: SIGNING_KEY", "a-function: DB_PASSWORD"]
