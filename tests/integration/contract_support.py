"""Contract tests: one set of behaviour tests per port, run over its twin and its real adapter.

A twin (``tests/twins``) stands in for an adapter in the unit tests; these tests hold both to the
same behaviour, so a unit test cannot pass on something the adapter does not do. The adapter is
the truth: where they differ, the twin is fixed.

The twin cases need nothing; the DynamoDB cases start the embedded stack (the session fixture
``aws``) only when they run, so ``-k twin`` is quick.
"""

from __future__ import annotations

import pytest
from integration_support import AwsClients, new_id

TWIN = "twin"
DYNAMODB = "dynamodb"
IMPLEMENTATIONS = [TWIN, DYNAMODB]

__all__ = ["DYNAMODB", "IMPLEMENTATIONS", "TWIN", "emulator", "new_id"]


def emulator(request: pytest.FixtureRequest) -> AwsClients:
    """The emulator's clients and the deployed tables' names (starts the stack on first use)."""
    aws: AwsClients = request.getfixturevalue("aws")
    return aws
