"""The bare chain (benchmarks/bare_chain/system.yaml) deployed beside the system, and loaded alike.

Orders go out open-loop at a fixed rate (each sent when due, whatever the answers); the chain's
last handler stores when the request reached the first one and when it got there, so latencies
come from the stored items, as an order's come from its own history.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from pizza_ops.deploy.deployer import Deployer, DeployOptions
from pizza_ops.stack import EmbeddedStack, emulator_credentials_session
from pizza_ops.system.declaration import load_system

BARE_CHAIN = Path(__file__).parent / "bare_chain"


@dataclass(frozen=True)
class BareChain:
    url: str
    table: str
    dynamodb: Any


@dataclass(frozen=True)
class BareRun:
    sent: int
    accepted: int
    latencies: list[float]  # seconds, first handler → stored, of every request that arrived

    @property
    def lost(self) -> int:
        return self.accepted - len(self.latencies)


def deploy_bare_chain(stack: EmbeddedStack) -> BareChain:
    """The chain deployed by the system's own deployer to the stack's emulator, with no shared library."""
    options = DeployOptions(
        endpoint=stack.emulator.endpoint,
        otlp_endpoint=None,
        region=stack.config.region,
        services_dir=BARE_CHAIN,
        shared_packages=(),
    )
    session = emulator_credentials_session(stack.config.region)
    outputs = Deployer(load_system(BARE_CHAIN / "system.yaml"), options, session).deploy()
    dynamodb = session.client("dynamodb", endpoint_url=stack.emulator.endpoint, region_name=stack.config.region)
    return BareChain(outputs.api_urls["bare"].rstrip("/") + "/bare", outputs.table_names["arrivals"], dynamodb)


def run_bare(chain: BareChain, rate: float, duration: float, warm: int = 0, drain_timeout: float = 60) -> BareRun:
    """``warm`` requests at once first (not measured), as `pizza load --warm-api` does for the system."""
    ids = asyncio.run(_send(chain.url, rate, duration, warm))
    accepted = [request_id for request_id in ids if request_id]
    arrived: dict[str, float] = {}
    deadline = time.monotonic() + drain_timeout
    while len(arrived) < len(accepted) and time.monotonic() < deadline:
        arrived.update(_arrivals(chain, set(accepted) - set(arrived)))
        if len(arrived) < len(accepted):
            time.sleep(0.5)
    return BareRun(sent=len(ids), accepted=len(accepted), latencies=list(arrived.values()))


async def _send(url: str, rate: float, duration: float, warm: int) -> list[str | None]:
    count = int(rate * duration + 1e-9)
    async with httpx.AsyncClient(timeout=30, limits=httpx.Limits(max_connections=64)) as http:
        await asyncio.gather(*(http.post(url, json={"warm": n}) for n in range(warm)))
        start = time.monotonic()

        async def one(index: int) -> str | None:
            await asyncio.sleep(max(0.0, start + index / rate - time.monotonic()))
            try:
                answer = await http.post(url, json={"n": index})
            except httpx.HTTPError:
                return None
            return str(answer.json()["id"]) if answer.status_code == 202 else None

        return list(await asyncio.gather(*(one(index) for index in range(count))))


def _arrivals(chain: BareChain, wanted: set[str]) -> dict[str, float]:
    found: dict[str, float] = {}
    ids = sorted(wanted)
    for first in range(0, len(ids), 100):
        keys = [{"id": {"S": request_id}} for request_id in ids[first : first + 100]]
        request: dict[str, Any] = {chain.table: {"Keys": keys}}
        while request:
            answer = chain.dynamodb.batch_get_item(RequestItems=request)
            for item in answer["Responses"].get(chain.table, []):
                found[item["id"]["S"]] = float(item["storedAt"]["N"]) - float(item["receivedAt"]["N"])
            request = answer.get("UnprocessedKeys") or {}
    return found
