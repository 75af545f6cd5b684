"""The catalog's validator is the official AsyncAPI parser, and it refuses what is wrong: each
breakage below is a document the parser must refuse, naming where."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from pizza_ops.catalog import build_catalog
from pizza_ops.catalog.validation import AsyncApiValidatorMissing, validate_asyncapi
from pizza_ops.repository import Repository
from pizza_ops.system import load_system

REPOSITORY = Repository.find(Path(__file__))
KITCHEN_RECEIVES = "kitchen-processor-receives-queue-kitchen-orders"


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return build_catalog(load_system(REPOSITORY.declaration), "0.1.0").document


def _validated(document: dict[str, Any], tmp_path: Path) -> tuple[str, ...]:
    path = tmp_path / "asyncapi.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return validate_asyncapi(path, REPOSITORY.root).errors


def test_the_generated_catalog_has_no_error(document: dict[str, Any], tmp_path: Path) -> None:
    # Given the catalog as generated, when the parser validates it, then it finds no error
    assert _validated(document, tmp_path) == ()


def _point_nowhere(d: dict[str, Any]) -> None:
    d["operations"][KITCHEN_RECEIVES]["channel"]["$ref"] = "#/channels/nowhere"


def _drop_info(d: dict[str, Any]) -> None:
    del d["info"]


def _wrong_schema_type(d: dict[str, Any]) -> None:
    d["components"]["schemas"]["CloudEvent"]["type"] = 7


def _version_2(d: dict[str, Any]) -> None:
    d["asyncapi"] = "2.6.0"


def _message_of_another_channel(d: dict[str, Any]) -> None:
    d["operations"][KITCHEN_RECEIVES]["messages"] = [
        {"$ref": "#/channels/queue-order-webhooks/messages/orderStatusChangedV1"}
    ]


@pytest.mark.parametrize(
    ("break_it", "named"),
    [
        (_point_nowhere, f"error operations.{KITCHEN_RECEIVES}.channel.$ref: '#/channels/nowhere' does not exist"),
        (_drop_info, 'error (document): Object must have required property "info"'),
        (_wrong_schema_type, "error components.messages.orderPlacedV1.payload"),
        (_version_2, 'Property "address" is not expected to be here'),
        (_message_of_another_channel, "Operation message does not belong to the specified channel"),
    ],
)
def test_a_broken_document_is_refused_naming_where(
    document: dict[str, Any], tmp_path: Path, break_it: Callable[[dict[str, Any]], None], named: str
) -> None:
    # Given the catalog with one thing broken
    broken = copy.deepcopy(document)
    break_it(broken)
    # When the parser validates it
    errors = _validated(broken, tmp_path)
    # Then it is refused, and an error names the problem
    assert any(named in error for error in errors), errors


def test_without_the_installed_parser_the_error_says_what_to_do(tmp_path: Path) -> None:
    # Given a checkout whose tools/asyncapi was never installed
    (tmp_path / "doc.yaml").write_text("asyncapi: 3.0.0\n", encoding="utf-8")
    # When a document is validated there, then the one-line error says how to install it
    with pytest.raises(AsyncApiValidatorMissing, match="run make asyncapi-parser"):
        validate_asyncapi(tmp_path / "doc.yaml", tmp_path)
