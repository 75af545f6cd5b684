"""The event catalog (`pizza catalog`): an AsyncAPI 3.0 document of every published event type and
version, on every channel of the declaration, validated by the AsyncAPI parser; its Markdown view;
and the committed copies in docs/catalog, which must be what the command writes today."""

from __future__ import annotations

import copy
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from pizza_ops.catalog import DOCUMENT_FILE, VIEW_FILE, Catalog, CatalogMismatch, build_catalog
from pizza_ops.repository import Repository
from pizza_ops.system import SystemDeclaration, load_system
from pizza_ops.system.event_channels import event_channels

REPOSITORY = Repository.find(Path(__file__))
COMMITTED = REPOSITORY.root / "docs" / "catalog"


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return build_catalog(load_system(REPOSITORY.declaration), "0.1.0")


@pytest.fixture(scope="module")
def raw_declaration() -> dict[str, Any]:
    with REPOSITORY.declaration.open(encoding="utf-8") as handle:
        loaded: dict[str, Any] = yaml.safe_load(handle)
    return loaded


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, subprocess.CompletedProcess[str]]:
    out = tmp_path_factory.mktemp("catalog")
    command = [sys.executable, "-m", "pizza_ops", "--repo", str(REPOSITORY.root), "catalog", "--out", str(out)]
    return out, subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)


def test_pizza_catalog_writes_a_document_the_asyncapi_parser_accepts(
    written: tuple[Path, subprocess.CompletedProcess[str]],
) -> None:
    # Given `pizza catalog` run as an operator runs it, into a fresh directory
    out, run = written
    # Then it succeeded, wrote the document and its view, and the AsyncAPI parser found no error
    assert run.returncode == 0, run.stdout + run.stderr
    assert (out / DOCUMENT_FILE).is_file() and (out / VIEW_FILE).is_file()
    assert "valid AsyncAPI 3.0" in run.stdout


def test_the_committed_catalog_is_what_pizza_catalog_writes_today(
    written: tuple[Path, subprocess.CompletedProcess[str]],
) -> None:
    # Given what `pizza catalog` writes from the current declaration and code
    out, run = written
    assert run.returncode == 0, run.stdout + run.stderr
    # Then docs/catalog holds exactly that (run `pizza catalog` after changing an event or a channel)
    for name in (DOCUMENT_FILE, VIEW_FILE):
        committed = (COMMITTED / name).read_text(encoding="utf-8")
        assert committed == (out / name).read_text(encoding="utf-8"), f"docs/catalog/{name} is stale: run pizza catalog"


def test_every_published_version_is_a_message_with_its_deprecation_date(catalog: Catalog) -> None:
    # Given the catalog of the declared system
    messages = catalog.document["components"]["messages"]
    # Then each published version is one message named by its versioned type
    published = {str(v.event_type): v for versions in catalog.published.values() for v in versions}
    assert {message["name"] for message in messages.values()} == set(published)
    assert "com.pizza.order.confirmed.v1" in published and "com.pizza.order.confirmed.v2" in published
    # And a deprecation date set in the code is on its message, and on no other
    dated = {m["name"]: m["x-deprecated-on"] for m in messages.values() if "x-deprecated-on" in m}
    assert dated == {"com.pizza.order.confirmed.v1": "2027-06-30"}
    # And each message's payload is the envelope with its type fixed and its data the model's schema
    for message in messages.values():
        envelope, specific = message["payload"]["allOf"]
        assert envelope == {"$ref": "#/components/schemas/CloudEvent"}
        assert specific["properties"]["type"] == {"const": message["name"]}
        data_ref = specific["properties"]["data"]["$ref"].rsplit("/", 1)[-1]
        assert catalog.document["components"]["schemas"][data_ref]["properties"], message["name"]


def test_every_channel_of_the_declaration_is_there_with_its_publishers_and_consumers(catalog: Catalog) -> None:
    # Given the declaration's channels and the document's operations
    document = catalog.document
    operations = document["operations"].values()
    for channel in event_channels(load_system(REPOSITORY.declaration)):
        channel_id = f"{channel.kind}-{channel.name}".replace("_", "-")
        # Then each is a channel carrying every version of its types
        carried = {
            document["components"]["messages"][m]["name"].rsplit(".v", 1)[0]
            for m in document["channels"][channel_id]["messages"]
        }
        assert carried == set(channel.event_types), channel_id
        # And each function that publishes into it sends, and each it triggers receives, on it
        on_channel = [op for op in operations if op["channel"]["$ref"] == f"#/channels/{channel_id}"]
        assert sorted(op["x-function"] for op in on_channel if op["action"] == "send") == sorted(channel.publishers)
        assert sorted(op["x-function"] for op in on_channel if op["action"] == "receive") == sorted(channel.consumers)


def test_a_channel_added_to_the_declaration_appears(raw_declaration: dict[str, Any]) -> None:
    # Given a declaration in which the loyalty queue also receives the kitchen's acknowledgements by a rule
    changed = copy.deepcopy(raw_declaration)
    bus = changed["event_buses"]["order-events"]
    bus["carries"].append("com.pizza.kitchen.order.acknowledged")
    bus["rules"]["acknowledged-to-loyalty"] = {
        "source": "pizza.order-service",
        "detail_type_prefix": "com.pizza.kitchen.order.acknowledged.",
        "queue": "loyalty-order-events",
    }
    # When the catalog is built
    document = build_catalog(SystemDeclaration.model_validate(changed), "0.1.0").document
    # Then the rule is a channel, and the loyalty queue carries the acknowledgement too
    assert "rule-acknowledged-to-loyalty" in document["channels"]
    assert "kitchenOrderAcknowledgedV1" in document["channels"]["queue-loyalty-order-events"]["messages"]


@pytest.mark.parametrize(
    ("change", "reported"),
    [
        (
            lambda d: d["topics"]["order-events"]["carries"].append("com.pizza.order.refunded"),
            "com.pizza.order.refunded: carried by a channel of the declaration but published by no code",
        ),
        (
            lambda d: d["queues"]["order-webhooks"].update(carries=[]),
            "com.pizza.order.status-changed: published by the code (order_service) but carried by no channel",
        ),
    ],
)
def test_code_and_declaration_disagreeing_is_refused_naming_the_type(
    raw_declaration: dict[str, Any], change: Any, reported: str
) -> None:
    # Given a declaration that no longer matches what the code publishes
    changed = copy.deepcopy(raw_declaration)
    change(changed)
    # When the catalog is built, then the disagreement is named
    with pytest.raises(CatalogMismatch, match=re.escape(reported)):
        build_catalog(SystemDeclaration.model_validate(changed), "0.1.0")


def test_every_link_in_the_view_leads_to_a_section(catalog: Catalog) -> None:
    # Given the Markdown view
    view = catalog.view_text()
    # Then every in-page link has its anchor, and each message and channel has a section
    anchors = set(re.findall(r'<a id="([^"]+)"></a>', view))
    links = set(re.findall(r"\]\(#([^)]+)\)", view))
    assert links and links <= anchors, sorted(links - anchors)
    assert {m.lower() for m in catalog.document["components"]["messages"]} <= anchors
    assert set(catalog.document["channels"]) <= anchors
