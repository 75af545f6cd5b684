"""How the test session's embedded stack is configured (tests/conftest.py starts it), for the tests
that need to know: the webhook receiver's port, the dispatcher's retry settings; and which emulator
and deployer it uses."""

from __future__ import annotations

import os
from typing import Literal, cast

from pizza_ops.deploy.emulator import free_port
from pizza_ops.requirements import requirements

# Who deploys the session's stack: the embedded deployer (the default), or infra/terraform applied
# to the emulator (`PIZZA_DEPLOY_WITH=terraform`, as `make test-terraform` runs the smoke subset).
DEPLOY_WITH = cast(Literal["deployer", "terraform"], os.environ.get("PIZZA_DEPLOY_WITH", "deployer"))
if DEPLOY_WITH not in ("deployer", "terraform"):
    raise ValueError(f"PIZZA_DEPLOY_WITH is deployer or terraform, not {DEPLOY_WITH!r}")

# Where MiniStack runs: a subprocess of .venv-emulator's interpreter (the default, as `pizza up`
# runs it), or the emulator image in a container started with testcontainers
# (`PIZZA_EMULATOR=container`, as `make test-container` runs the integration suite; that target
# builds the image, infra/docker/emulator.Dockerfile, at pyproject's MiniStack version).
EMULATOR = cast(Literal["process", "container"], os.environ.get("PIZZA_EMULATOR", "process"))
if EMULATOR not in ("process", "container"):
    raise ValueError(f"PIZZA_EMULATOR is process or container, not {EMULATOR!r}")
_MINISTACK_VERSION = next(r.split("==", 1)[1] for r in requirements("emulator") if r.startswith("ministack=="))
EMULATOR_IMAGE = os.environ.get("PIZZA_EMULATOR_IMAGE") or f"pizza/ministack:{_MINISTACK_VERSION}"

# Short visibility timeout: a failing message is redelivered after ~3 s, so one that fails
# every time reaches the DLQ (maxReceiveCount = 3) within seconds instead of minutes.
TEST_VISIBILITY_TIMEOUT_SECONDS = 3
# The suite runs the choreography; test_order_saga.py switches the orders API to the saga (the
# deployment's default) for its own tests. The saga waits this long for the kitchen: long enough
# for a cold kitchen worker on a busy machine, short enough for the timeout test to wait out.
# The suite's webhook receiver listens here: the one origin callback URLs may name besides public
# https ones (the embedded stack allows its own test receiver, nothing else on this machine). Its
# retries are quick: 2, 4, then 8 seconds at most between four attempts.
WEBHOOK_RECEIVER_PORT = free_port()
WEBHOOK_RECEIVER_ORIGIN = f"http://127.0.0.1:{WEBHOOK_RECEIVER_PORT}"
WEBHOOK_MAX_ATTEMPTS = 4
TEST_ENVIRONMENT = {
    "order-api": {"ORDER_WORKFLOW": "choreography", "CALLBACK_URL_ALLOWED_ORIGINS": WEBHOOK_RECEIVER_ORIGIN},
    "order-saga": {"KITCHEN_ANSWER_TIMEOUT_SECONDS": "20"},
    "order-webhook-dispatcher": {
        "CALLBACK_URL_ALLOWED_ORIGINS": WEBHOOK_RECEIVER_ORIGIN,
        "WEBHOOK_RETRY_BASE_SECONDS": "2",
        "WEBHOOK_RETRY_CAP_SECONDS": "8",
        "WEBHOOK_MAX_ATTEMPTS": str(WEBHOOK_MAX_ATTEMPTS),
    },
}
