from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

from pizza_ops.telemetry import SpanLink, SpanStore, StoredSpan

TRACE_A = "a" * 32
TRACE_B = "b" * 32


def _span(
    span_id: str,
    *,
    trace_id: str = TRACE_A,
    parent: str | None = None,
    start_ms: int = 0,
    service: str = "order-receiver",
    attributes: dict | None = None,
    links: tuple[SpanLink, ...] = (),
) -> StoredSpan:
    return StoredSpan(
        trace_id=trace_id,
        span_id=span_id * 16 if len(span_id) == 1 else span_id,
        parent_span_id=(parent * 16 if parent and len(parent) == 1 else parent),
        name=f"span {span_id}",
        kind="INTERNAL",
        service_name=service,
        start_unix_nano=1_700_000_000_000_000_000 + start_ms * 1_000_000,
        end_unix_nano=1_700_000_000_000_000_000 + (start_ms + 5) * 1_000_000,
        attributes=attributes or {},
        links=links,
    )


def test_spans_of_a_trace_come_back_intact_and_ordered_by_start(store: SpanStore) -> None:
    # Given spans stored out of order, with every kind of attribute value
    child = _span("2", parent="1", start_ms=10, attributes={"tags": ["a", "b"], "ratio": 0.5})
    root = _span("1", start_ms=0, attributes={"order.id": "o-1", "attempt": 2, "paid": True})
    store.add([child, root])

    # When the trace is read back
    spans = store.spans_of_trace(TRACE_A)

    # Then it holds equal spans, earliest first
    assert spans == [root, child]
    assert spans[0].duration_ms == 5.0


def test_attribute_look_ups_compare_values_as_text(store: SpanStore) -> None:
    # Given spans in two traces sharing an order id, one with typed attributes
    store.add([_span("1", attributes={"order.id": "o-1", "attempt": 2, "paid": True})])
    store.add([_span("2", trace_id=TRACE_B, start_ms=50, attributes={"order.id": "o-1"})])

    # When looking up by attribute
    # Then traces come most recent first, and typed values match their text form as in a Jaeger tag
    assert store.trace_ids_with_attribute("order.id", "o-1") == [TRACE_B, TRACE_A]
    assert [s.span_id for s in store.spans_with_attribute("attempt", "2")] == ["1" * 16]
    assert [s.span_id for s in store.spans_with_attribute("paid", True)] == ["1" * 16]
    assert store.trace_ids_with_attribute("order.id", "o-2") == []


def test_a_search_needs_every_attribute_on_one_span_of_the_service(store: SpanStore) -> None:
    # Given two spans of one trace that each carry one of two attributes, and a matching span elsewhere
    store.add([_span("1", attributes={"order.id": "o-1"}), _span("2", attributes={"step": "bake"})])
    store.add(
        [_span("3", trace_id=TRACE_B, start_ms=9, service="kitchen", attributes={"order.id": "o-1", "step": "bake"})]
    )

    # When searching for both attributes, with and without a service
    both = {"order.id": "o-1", "step": "bake"}

    # Then only the span carrying both counts, and the service must be its own
    assert store.trace_ids_matching(both) == [TRACE_B]
    assert store.trace_ids_matching(both, service_name="kitchen") == [TRACE_B]
    assert store.trace_ids_matching(both, service_name="order-receiver") == []
    assert store.trace_ids_matching({"order.id": "o-1"}, limit=1) == [TRACE_B]


def test_spans_linking_to_a_trace_come_from_other_traces_only(store: SpanStore) -> None:
    # Given a producer span, a consumer in another trace linking to it, and a same-trace link
    producer = _span("1")
    consumer = _span("2", trace_id=TRACE_B, links=(SpanLink(TRACE_A, "1" * 16, {"messaging.batch": 1}),))
    sibling = _span("3", links=(SpanLink(TRACE_A, "1" * 16),))
    store.add([producer, consumer, sibling])

    # When asking who links into the producer's trace
    linking = store.spans_linking_to(TRACE_A)

    # Then only the consumer answers, with its link attributes kept
    assert linking == [consumer]
    assert linking[0].links[0].attributes == {"messaging.batch": 1}


def test_storing_a_span_again_replaces_it_and_its_index_entries(store: SpanStore) -> None:
    # Given a span stored with one order id
    store.add([_span("1", attributes={"order.id": "old"})])

    # When the same span arrives again with another
    store.add([_span("1", attributes={"order.id": "new"})])

    # Then one copy remains, found by the new value only
    assert store.count() == 1
    assert store.trace_ids_with_attribute("order.id", "old") == []
    assert store.trace_ids_with_attribute("order.id", "new") == [TRACE_A]


def test_clear_forgets_everything(store: SpanStore) -> None:
    # Given stored spans with attributes and links
    store.add([_span("1", attributes={"k": "v"}, links=(SpanLink(TRACE_B, "2" * 16),))])

    # When the store is cleared
    store.clear()

    # Then nothing is found any more
    assert store.count() == 0
    assert store.spans_with_attribute("k", "v") == []
    assert store.spans_linking_to(TRACE_B) == []


def test_a_file_store_is_readable_through_another_connection(tmp_path: Path) -> None:
    # Given a store on a file, as a long-running receiver keeps it
    path = tmp_path / "spans.sqlite"
    writer = SpanStore(path)
    writer.add([_span("1", attributes={"order.id": "o-1"})])

    # When a second store (another process, say) opens the same file
    reader = SpanStore(path)

    # Then it sees the spans
    assert reader.trace_ids_with_attribute("order.id", "o-1") == [TRACE_A]
    writer.close()
    reader.close()


def test_concurrent_writers_lose_no_span(store: SpanStore) -> None:
    # Given eight threads each storing twenty spans, as receiver handler threads do
    def write(worker: int) -> None:
        for index in range(20):
            store.add([_span(f"{worker:08x}{index:08x}", attributes={"worker": worker})])

    threads = [threading.Thread(target=write, args=(worker,)) for worker in range(8)]

    # When they run at once
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # Then every span is stored and indexed
    assert store.count() == 160
    assert len(store.spans_with_attribute("worker", 3)) == 20


def _trace(n: int, spans: int = 10) -> list[StoredSpan]:
    """Trace number n: `spans` spans starting at n seconds, tagged with its order, linking to trace n - 1."""
    trace_id = f"{n:032x}"
    return [
        _span(
            f"{n:08x}{k:08x}",
            trace_id=trace_id,
            start_ms=n * 1000 + k,
            attributes={"order.id": f"o-{n}"},
            links=(SpanLink(f"{n - 1:032x}", f"{n - 1:08x}{0:08x}"),),
        )
        for k in range(spans)
    ]


def test_past_its_bound_the_store_forgets_its_oldest_traces_whole_down_to_nine_tenths(tmp_path: Path) -> None:
    # Given a store bounded to 100 spans
    store = SpanStore(tmp_path / "spans.sqlite", max_spans=100)

    # When 30 traces of 10 spans arrive, one export each, oldest first
    for n in range(1, 31):
        store.add(_trace(n))

    # Then each time it passed 100 it went down to 90 (so after the 30th trace it holds 100), every
    # trace kept is whole, and the kept ones are the newest
    assert store.count() == 100
    kept = [n for n in range(1, 31) if store.spans_of_trace(f"{n:032x}")]
    assert kept == list(range(21, 31))
    assert all(len(store.spans_of_trace(f"{n:032x}")) == 10 for n in kept)
    # And what pointed at the forgotten traces is gone too: their attributes and links, from the
    # file as well (rows no query would show still take room)
    forgotten = kept[0] - 1
    assert store.trace_ids_with_attribute("order.id", f"o-{forgotten}") == []
    assert store.spans_linking_to(f"{forgotten - 1:032x}") == []
    assert store.spans_linking_to(f"{kept[0]:032x}") != []
    store.close()
    with sqlite3.connect(tmp_path / "spans.sqlite") as db:
        # (one attribute and one link per span)
        rows = [
            db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0] for table in ("span_attributes", "span_links")
        ]
    assert rows == [len(kept) * 10] * 2


def test_a_store_reopened_over_its_bound_is_pruned_at_once(tmp_path: Path) -> None:
    # Given a store file holding 50 spans, written without a bound
    path = tmp_path / "spans.sqlite"
    unbounded = SpanStore(path, max_spans=None)
    for n in range(1, 6):
        unbounded.add(_trace(n))
    unbounded.close()

    # When it is opened with room for 20
    bounded = SpanStore(path, max_spans=20)

    # Then it keeps the newest traces within nine tenths of the bound: 10 spans, the last trace
    assert bounded.count() == 10
    assert bounded.spans_of_trace(f"{5:032x}") != []
    bounded.close()


def test_a_bound_below_one_span_is_refused() -> None:
    # When a store is asked to keep no spans at all, Then it says why it cannot
    with pytest.raises(ValueError, match="max_spans must be at least 1, not 0"):
        SpanStore(max_spans=0)


def test_a_store_opened_without_a_bound_leaves_the_file_as_it_is(tmp_path: Path) -> None:
    # Given a store file of 50 spans, written with room for 60
    path = tmp_path / "spans.sqlite"
    writer = SpanStore(path, max_spans=60)
    for n in range(1, 6):
        writer.add(_trace(n))

    # When a reader opens it (pizza cost, pizza trace --batch-calls), as the receiver still writes
    reader = SpanStore(path)
    writer.add(_trace(6))

    # Then the reader pruned nothing; only the writer's bound applies
    assert reader.count() == 60
    reader.close()
    writer.close()


def test_a_span_stored_again_does_not_count_twice_against_the_bound(tmp_path: Path) -> None:
    # Given a store bounded to 20 spans holding one trace of 10
    store = SpanStore(tmp_path / "spans.sqlite", max_spans=20)
    store.add(_trace(1))

    # When the same export arrives 5 more times (an exporter's retries)
    for _ in range(5):
        store.add(_trace(1))

    # Then nothing was pruned: it is still the one trace
    assert store.count() == 10
    store.close()
