"""The session's scan: every order sent through an HTTP client of the test process is recorded while
the embedded stack runs, and before it is torn down everything it logged and traced is scanned for
what those orders carried. A hit fails the run (tests/conftest.py's ``stack`` fixture)."""

from __future__ import annotations

import dataclasses
import itertools
import logging
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest

from pizza_ops.stack import EmbeddedStack, emulator_credentials_session
from pizza_ops.telemetry import SPANS_FILE
from privacy_scan.matcher import NeedleMatcher, Text
from privacy_scan.needles import PersonalDataLedger
from privacy_scan.report import ScanReport
from privacy_scan.sources import KeptLogRecords, cloudwatch_texts, file_texts, log_files, span_texts

# One per process: the HTTP clients' hook, the browser pages (tests/browser/conftest.py) and the
# hook that names the running test (tests/conftest.py) all write to it.
LEDGER = PersonalDataLedger()
# Past this share of its bound the span store may have forgotten old traces (it prunes to nine
# tenths), which the scan then could not vouch for.
_PRUNE_RISK = 0.85
# How long the system must have exported no span before the scan starts: the last test's Lambdas
# may still be running, and their spans and log lines would come after the scan.
_QUIET_SECONDS = 2.0
_QUIET_TIMEOUT_SECONDS = 20.0


def is_order_post(method: str, path: str) -> bool:
    return method == "POST" and path.rstrip("/").endswith("/orders")


def record_exchange(ledger: PersonalDataLedger, request: httpx.Request, response: httpx.Response) -> None:
    """Keep what a ``POST /orders`` sent and, if accepted, what it got back."""
    if not is_order_post(request.method, request.url.path):
        return
    try:
        ledger.order_sent(request.content)
        if response.status_code == 202:
            ledger.order_answered(response.content)
    except (httpx.RequestNotRead, httpx.ResponseNotRead):
        ledger.unreadable_bodies += 1  # a streamed body: never the case for the suite's orders


@contextmanager
def orders_recorded(ledger: PersonalDataLedger = LEDGER) -> Iterator[None]:
    """Every httpx client of the process (the tests' own, ``pizza load``'s) records its orders: one
    place, so that a new test or tool that places orders is covered without being told to."""
    sync_send: Callable[..., httpx.Response] = httpx.Client.send
    async_send: Callable[..., Any] = httpx.AsyncClient.send

    def send(client: httpx.Client, request: httpx.Request, **options: Any) -> httpx.Response:
        response = sync_send(client, request, **options)
        record_exchange(ledger, request, response)
        return response

    async def send_async(client: httpx.AsyncClient, request: httpx.Request, **options: Any) -> httpx.Response:
        response: httpx.Response = await async_send(client, request, **options)
        record_exchange(ledger, request, response)
        return response

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(httpx.Client, "send", send)
        patch.setattr(httpx.AsyncClient, "send", send_async)
        yield


@contextmanager
def personal_data_scanned(stack: EmbeddedStack, config: pytest.Config) -> Iterator[None]:
    """Record orders while the body runs; then scan, report in the terminal summary, fail on a hit."""
    records = KeptLogRecords()
    root = logging.getLogger()
    root.addHandler(records)
    try:
        with orders_recorded():
            yield
    finally:
        root.removeHandler(records)
    report = scan(stack, records)
    config.pluginmanager.register(_Summary(report))
    if report.failed:
        pytest.fail(report.describe(), pytrace=False)


def scan(stack: EmbeddedStack, records: KeptLogRecords) -> ScanReport:
    wait_until_quiet(stack)
    started = time.monotonic()
    logs = emulator_credentials_session(stack.config.region).client(
        "logs", endpoint_url=stack.emulator.endpoint, region_name=stack.config.region
    )
    state_dir = stack.config.state_dir
    spans_file = state_dir / SPANS_FILE
    skip = [spans_file, spans_file.with_name(f"{SPANS_FILE}-wal"), spans_file.with_name(f"{SPANS_FILE}-shm")]
    files = log_files(state_dir, skip)
    if stack.emulator.log_path not in files and stack.emulator.log_path.exists():
        files.append(stack.emulator.log_path)
    span_count = stack.spans.count()
    texts = itertools.chain(
        cloudwatch_texts(logs), file_texts(files, state_dir), span_texts(stack.spans), records.texts()
    )
    report = scan_texts(
        LEDGER,
        texts,
        spans=span_count,
        files=len(files),
        span_store_full=span_count >= _PRUNE_RISK * stack.config.max_spans,
    )
    return dataclasses.replace(report, seconds=time.monotonic() - started)


def scan_texts(
    ledger: PersonalDataLedger, texts: Iterable[Text], *, spans: int, files: int, span_store_full: bool = False
) -> ScanReport:
    """Everything the ledger holds, looked for in ``texts``."""
    needles = ledger.needles()
    matcher = NeedleMatcher(needles)
    found = list(matcher.find(texts))
    return ScanReport(
        needles=needles,
        found=found,
        texts_read=matcher.texts_read,
        spans=spans,
        files=files,
        too_generic=ledger.too_generic(),
        unreadable_bodies=ledger.unreadable_bodies,
        span_store_full=span_store_full,
    )


def wait_until_quiet(stack: EmbeddedStack) -> None:
    """Until the system has exported no span for a while (the session's other end-of-run checks use it too)."""
    deadline = time.monotonic() + _QUIET_TIMEOUT_SECONDS
    count, since = stack.spans.count(), time.monotonic()
    while time.monotonic() < deadline and time.monotonic() - since < _QUIET_SECONDS:
        time.sleep(0.5)
        now = stack.spans.count()
        if now != count:
            count, since = now, time.monotonic()


class _Summary:
    """Says in the terminal summary what was scanned, hits or not (a pytest plugin)."""

    def __init__(self, report: ScanReport) -> None:
        self._report = report

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        terminalreporter.write_sep("-", "personal data scan")
        terminalreporter.write_line(self._report.summary())
