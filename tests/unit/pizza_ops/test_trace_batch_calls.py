"""`pizza trace ORDER --batch-calls`: the order's traces, and the relay's batch calls that carried
its events. A batch call names no order and is its own trace, linking to each event's span: it is
found in the embedded stack's span store by those links, and a batch call of other orders is not."""

from __future__ import annotations

from pathlib import Path

import pytest

from pizza_ops.cli import main as pizza
from pizza_ops.telemetry import SPANS_FILE, OtlpReceiver, SpanLink, SpanStore, StoredSpan

START = 1_700_000_000_000_000_000
ORDER_TRACE = "a" * 32
SUBSCRIBER_TRACE = "c" * 32
OUR_BATCH = "b" * 32
OTHER_ORDER_TRACE = "e" * 32
OTHER_BATCH = "d" * 32


def _span(trace_id: str, name: str, n: int, order: str | None = None, links: tuple[str, ...] = ()) -> StoredSpan:
    return StoredSpan(
        trace_id=trace_id,
        span_id=f"{n:016x}",
        parent_span_id=None,
        name=name,
        kind="PRODUCER",
        service_name="order-outbox",
        start_unix_nano=START + n * 1_000_000,
        end_unix_nano=START + n * 1_000_000 + 500_000,
        attributes={"order.id": order} if order else {},
        links=[SpanLink(trace_id, f"{1:016x}") for trace_id in links],
    )


@pytest.fixture
def state_dir(tmp_path: Path) -> Path:
    """A stack's span store: order o-1's trace, a subscriber's linked trace, a batch call carrying
    o-1's event, and o-2's trace with a batch call of its own."""
    store = SpanStore(tmp_path / SPANS_FILE)
    store.add(
        [
            _span(ORDER_TRACE, "POST /orders", 1, order="o-1"),
            _span(SUBSCRIBER_TRACE, "process pizza-loyalty-order-events", 2, order="o-1", links=(ORDER_TRACE,)),
            _span(OUR_BATCH, "send batch pizza-kitchen-orders", 3, links=(ORDER_TRACE,)),
            _span(OTHER_ORDER_TRACE, "POST /orders", 4, order="o-2"),
            _span(OTHER_BATCH, "publish batch pizza-order-events", 5, links=(OTHER_ORDER_TRACE,)),
        ]
    )
    store.close()
    return tmp_path


def _trace_output(state_dir: Path, capsys: pytest.CaptureFixture[str], *options: str) -> str:
    store = SpanStore(state_dir / SPANS_FILE)
    try:
        with OtlpReceiver(store) as receiver:
            code = pizza(["--state-dir", str(state_dir), "trace", "o-1", "--query-url", receiver.endpoint, *options])
    finally:
        store.close()
    assert code == 0
    return capsys.readouterr().out


def test_batch_calls_that_carried_the_orders_events_are_shown_with_its_traces(
    state_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # When the order is traced with its batch calls
    out = _trace_output(state_dir, capsys, "--batch-calls")

    # Then its own and its subscriber's traces are there, and the batch call linking to it, not another order's
    assert f"trace {ORDER_TRACE}" in out and f"trace {SUBSCRIBER_TRACE}" in out
    assert f"trace {OUR_BATCH}" in out and "send batch pizza-kitchen-orders" in out
    assert OTHER_BATCH not in out and OTHER_ORDER_TRACE not in out


def test_without_the_option_batch_calls_are_not_shown(state_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # When the order is traced as before, Then only the traces that name it (or that it links to) show
    out = _trace_output(state_dir, capsys)
    assert f"trace {ORDER_TRACE}" in out and f"trace {SUBSCRIBER_TRACE}" in out
    assert OUR_BATCH not in out


def test_batch_calls_without_a_span_store_is_a_one_line_error(
    tmp_path: Path, state_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a query API holding the order, but a state directory without a span store
    empty = tmp_path / "elsewhere"
    empty.mkdir()
    store = SpanStore(state_dir / SPANS_FILE)
    try:
        with OtlpReceiver(store) as receiver:
            # When batch calls are asked for
            code = pizza(["--state-dir", str(empty), "trace", "o-1", "--query-url", receiver.endpoint, "--batch-calls"])
    finally:
        store.close()

    # Then it fails in one line naming where it looked
    assert code == 1
    assert (
        capsys.readouterr().err.strip()
        == f"pizza: --batch-calls reads the embedded stack's span store, and {empty} has none"
    )
