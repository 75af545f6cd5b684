"""The system declaration (infra/system.yaml): it loads, references resolve, and FIFO can be switched."""

from __future__ import annotations

import copy
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from pizza_ops.system import DEFAULT_DECLARATION, SystemDeclaration, load_system


@pytest.fixture(scope="module")
def raw_declaration() -> dict[str, Any]:
    with DEFAULT_DECLARATION.open(encoding="utf-8") as handle:
        loaded: dict[str, Any] = yaml.safe_load(handle)
    return loaded


def test_the_real_declaration_loads() -> None:
    # Given infra/system.yaml / When it is loaded
    system = load_system()

    # Then it declares the services' functions, each consuming its queue
    assert set(system.functions) == {"order-api", "order-acknowledgement-processor", "kitchen-processor"}
    assert {(t.function, t.queue) for t in system.triggers} == {
        ("kitchen-processor", "kitchen-orders"),
        ("order-acknowledgement-processor", "order-acknowledgements"),
    }
    assert system.physical_name("kitchen-orders") == "pizza-kitchen-orders"


def test_all_queue_names_include_the_dead_letter_queues() -> None:
    # Given the real declaration / When every queue is listed / Then the DLQs are there too
    assert set(load_system().all_queue_names()) == {
        "kitchen-orders",
        "kitchen-orders-dlq",
        "order-acknowledgements",
        "order-acknowledgements-dlq",
    }


def test_an_environment_reference_to_an_unknown_queue_is_rejected_naming_it(raw_declaration: dict[str, Any]) -> None:
    # Given a function whose environment points at a queue nobody declared
    broken = copy.deepcopy(raw_declaration)
    broken["functions"]["kitchen-processor"]["environment"]["EXTRA_QUEUE_URL"] = {"queue": "pizza-boxes"}

    # When the declaration is validated
    with pytest.raises(ValidationError) as rejected:
        SystemDeclaration.model_validate(broken)

    # Then the error names the function, the variable and the unknown queue
    assert "kitchen-processor.EXTRA_QUEUE_URL: unknown queue 'pizza-boxes'" in str(rejected.value)


def test_a_permission_on_an_unknown_table_is_rejected_naming_it(raw_declaration: dict[str, Any]) -> None:
    # Given a function granted access to a table nobody declared
    broken = copy.deepcopy(raw_declaration)
    broken["functions"]["order-api"]["permissions"].append({"table": "invoices", "access": "read"})

    # When validated / Then it is refused, naming the table
    with pytest.raises(ValidationError, match="unknown table 'invoices'"):
        SystemDeclaration.model_validate(broken)


def test_with_fifo_flips_only_that_queue_and_its_dead_letter_queue() -> None:
    # Given the real declaration, where every queue is standard
    system = load_system()
    assert not any(queue.fifo for queue in system.all_queue_names().values())

    # When the kitchen channel is switched to FIFO
    fifo_system = system.with_fifo("kitchen-orders", True)

    # Then that queue and its DLQ are FIFO, and nothing else changed
    queues = fifo_system.all_queue_names()
    assert {name for name, queue in queues.items() if queue.fifo} == {"kitchen-orders", "kitchen-orders-dlq"}
    assert fifo_system.queues["kitchen-orders"].dead_letter == system.queues["kitchen-orders"].dead_letter
    assert fifo_system.queues["kitchen-orders"].visibility_timeout_seconds == 30
    assert fifo_system.functions == system.functions
    # And the original declaration is untouched
    assert system.queues["kitchen-orders"].fifo is False
