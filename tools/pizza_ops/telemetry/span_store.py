"""A SQLite span store: the receiver writes to it, tests and the `pizza trace` command read it.

A file path lets another process (the CLI, a test runner) read what a long-running receiver
stores; ":memory:" suits unit tests. Attributes and links are kept as JSON on the span row and
also in side tables, so that look-ups by attribute or by link target use an index.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from pizza_ops.telemetry.span_model import (
    AttributeValue,
    SpanEvent,
    SpanLink,
    StoredSpan,
    attribute_text,
)

# The span store `pizza up` keeps in its state directory (pizza_ops.stack).
SPANS_FILE = "spans.sqlite"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS spans (
    trace_id TEXT NOT NULL,
    span_id TEXT NOT NULL,
    parent_span_id TEXT,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    service_name TEXT NOT NULL,
    start_unix_nano INTEGER NOT NULL,
    end_unix_nano INTEGER NOT NULL,
    status_code TEXT NOT NULL,
    status_message TEXT NOT NULL,
    attributes TEXT NOT NULL,
    links TEXT NOT NULL,
    events TEXT NOT NULL,
    PRIMARY KEY (trace_id, span_id)
);
CREATE TABLE IF NOT EXISTS span_attributes (
    trace_id TEXT NOT NULL,
    span_id TEXT NOT NULL,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (trace_id, span_id, key)
);
CREATE INDEX IF NOT EXISTS span_attributes_by_value ON span_attributes (key, value);
CREATE INDEX IF NOT EXISTS spans_by_start ON spans (start_unix_nano);
CREATE TABLE IF NOT EXISTS span_links (
    trace_id TEXT NOT NULL,
    span_id TEXT NOT NULL,
    linked_trace_id TEXT NOT NULL,
    linked_span_id TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS span_links_by_target ON span_links (linked_trace_id);
CREATE INDEX IF NOT EXISTS span_links_by_source ON span_links (trace_id, span_id);
"""

_COLUMNS = (
    "trace_id, span_id, parent_span_id, name, kind, service_name, start_unix_nano, end_unix_nano, "
    "status_code, status_message, attributes, links, events"
)
_SPAN_COLUMNS = ", ".join(f"s.{column.strip()}" for column in _COLUMNS.split(","))
_PLACES = ",".join("?" * len(_COLUMNS.split(",")))


class SpanStore:
    """Thread-safe store of finished spans, at most ``max_spans`` of them (``None``: no bound, as
    for a reader: opening a store never prunes it unless a bound is given).

    One connection guarded by one lock: the receiver's handler threads and a test's thread share
    it, and SQLite serialises writers anyway. Past ``max_spans``, the oldest traces (by their first
    span's start) are deleted whole until a tenth of the room is free again, so a long run cannot
    fill the disk (SQLite reuses the freed pages: the file stops growing) and pruning is not paid
    on every export.
    """

    def __init__(self, path: str | Path = ":memory:", max_spans: int | None = None) -> None:
        if max_spans is not None and max_spans < 1:
            raise ValueError(f"max_spans must be at least 1, not {max_spans}")
        self._max_spans = max_spans
        self._lock = threading.Lock()
        self._conn = sqlite3.connect(str(path), check_same_thread=False, timeout=10)
        with self._lock, self._conn:
            # WAL lets another process read while the receiver writes; a no-op for ":memory:".
            self._conn.execute("PRAGMA journal_mode=WAL")
            # No fsync per commit (WAL stays consistent; a power cut may lose the last spans): each
            # Lambda waits for its spans' export before it returns, so a commit's cost is every hop's.
            self._conn.execute("PRAGMA synchronous=NORMAL")
            self._conn.executescript(_SCHEMA)
            self._stored = int(self._conn.execute("SELECT COUNT(*) FROM spans").fetchone()[0])
        self._prune_if_full()

    def add(self, spans: Iterable[StoredSpan]) -> None:
        """Store spans; a span stored again (same trace and span id) replaces the earlier copy."""
        with self._lock, self._conn:
            for span in spans:
                replaced = self._delete_span(span.trace_id, span.span_id)
                self._conn.execute(f"INSERT INTO spans ({_COLUMNS}) VALUES ({_PLACES})", _span_row(span))
                self._stored += 1 - replaced
                self._conn.executemany(
                    "INSERT INTO span_attributes VALUES (?,?,?,?)",
                    [
                        (span.trace_id, span.span_id, key, attribute_text(value))
                        for key, value in span.attributes.items()
                    ],
                )
                self._conn.executemany(
                    "INSERT INTO span_links VALUES (?,?,?,?)",
                    [(span.trace_id, span.span_id, link.trace_id, link.span_id) for link in span.links],
                )
        self._prune_if_full()

    def _prune_if_full(self) -> None:
        if self._max_spans is None or self._stored <= self._max_spans:
            return
        with self._lock, self._conn:
            excess = self._stored - (self._max_spans - self._max_spans // 10)
            # The traces of the `excess` oldest spans, whole (through the index on start: no scan
            # of the table while every export waits for the lock).
            (cutoff,) = self._conn.execute(
                "SELECT start_unix_nano FROM spans ORDER BY start_unix_nano LIMIT 1 OFFSET ?", (excess - 1,)
            ).fetchone()
            doomed = [
                row[0]
                for row in self._conn.execute(
                    "SELECT DISTINCT trace_id FROM spans WHERE start_unix_nano <= ?", (cutoff,)
                ).fetchall()
            ]
            for chunk in range(0, len(doomed), 500):
                trace_ids = doomed[chunk : chunk + 500]
                marks = ",".join("?" * len(trace_ids))
                for table in ("span_attributes", "span_links"):
                    self._conn.execute(f"DELETE FROM {table} WHERE trace_id IN ({marks})", trace_ids)
                deleted = self._conn.execute(f"DELETE FROM spans WHERE trace_id IN ({marks})", trace_ids)
                self._stored -= deleted.rowcount

    def spans_of_trace(self, trace_id: str) -> list[StoredSpan]:
        """All stored spans of a trace, earliest start first."""
        return self._select(
            f"SELECT {_COLUMNS} FROM spans WHERE trace_id = ? ORDER BY start_unix_nano, span_id",
            (trace_id.lower(),),
        )

    def spans_matching(
        self, attributes: Mapping[str, AttributeValue], service_name: str | None = None, kind: str | None = None
    ) -> list[StoredSpan]:
        """Spans (of `service_name` and `kind`, if given) that carry every attribute (compared as text).

        Earliest start first.
        """
        joins, params = _attribute_joins(attributes)
        where, where_params = _span_filter(service_name, kind)
        return self._select(
            f"SELECT {_SPAN_COLUMNS} FROM spans s {joins} {where} ORDER BY s.start_unix_nano, s.span_id",
            (*params, *where_params),
        )

    def spans_started_between(self, start_unix_nano: int, end_unix_nano: int) -> list[StoredSpan]:
        """Every span that started in [start, end), earliest first (what a benchmark's phase did)."""
        return self._select(
            f"SELECT {_COLUMNS} FROM spans WHERE start_unix_nano >= ? AND start_unix_nano < ? "
            "ORDER BY start_unix_nano, span_id",
            (start_unix_nano, end_unix_nano),
        )

    def spans_with_attribute(self, key: str, value: AttributeValue) -> list[StoredSpan]:
        """Spans whose attribute `key` equals `value` (compared as text), earliest start first."""
        return self.spans_matching({key: value})

    def trace_ids_matching(
        self,
        attributes: Mapping[str, AttributeValue],
        service_name: str | None = None,
        limit: int | None = None,
        kind: str | None = None,
        started_between: tuple[int, int] | None = None,
    ) -> list[str]:
        """Traces with at least one span (of `service_name` and `kind`, if given, started within
        `started_between` in Unix nanoseconds, ends included) carrying every attribute.

        Most recent first, by the start of the latest matching span, as Jaeger lists search results.
        """
        joins, params = _attribute_joins(attributes)
        where, where_params = _span_filter(service_name, kind, started_between)
        sql = (
            f"SELECT s.trace_id FROM spans s {joins} {where} "
            "GROUP BY s.trace_id ORDER BY MAX(s.start_unix_nano) DESC, s.trace_id"
        )
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        with self._lock:
            rows = self._conn.execute(sql, (*params, *where_params)).fetchall()
        return [row[0] for row in rows]

    def trace_ids_with_attribute(self, key: str, value: AttributeValue) -> list[str]:
        """Traces with a span whose attribute `key` equals `value`, most recent first."""
        return self.trace_ids_matching({key: value})

    def spans_linking_to(self, trace_id: str) -> list[StoredSpan]:
        """Spans in other traces with a link into `trace_id`, e.g. consumers of its messages."""
        return self._select(
            f"SELECT DISTINCT {_SPAN_COLUMNS} FROM spans s JOIN span_links l "
            "ON l.trace_id = s.trace_id AND l.span_id = s.span_id "
            "WHERE l.linked_trace_id = ? AND s.trace_id != l.linked_trace_id "
            "ORDER BY s.start_unix_nano, s.span_id",
            (trace_id.lower(),),
        )

    def service_names(self) -> list[str]:
        """Every service that has a stored span, in alphabetical order."""
        with self._lock:
            rows = self._conn.execute("SELECT DISTINCT service_name FROM spans ORDER BY service_name").fetchall()
        return [row[0] for row in rows]

    def count(self) -> int:
        """How many spans are stored."""
        with self._lock:
            return int(self._conn.execute("SELECT COUNT(*) FROM spans").fetchone()[0])

    def clear(self) -> None:
        """Forget every span."""
        with self._lock, self._conn:
            self._conn.executescript("DELETE FROM spans; DELETE FROM span_attributes; DELETE FROM span_links;")
            self._stored = 0

    def close(self) -> None:
        """Close the database connection; the store is unusable afterwards."""
        with self._lock:
            self._conn.close()

    def _delete_span(self, trace_id: str, span_id: str) -> int:
        """Forget a span with its attributes and links; how many spans that was (0 or 1)."""
        for table in ("span_attributes", "span_links"):
            self._conn.execute(f"DELETE FROM {table} WHERE trace_id = ? AND span_id = ?", (trace_id, span_id))
        deleted = self._conn.execute("DELETE FROM spans WHERE trace_id = ? AND span_id = ?", (trace_id, span_id))
        return int(deleted.rowcount)

    def _select(self, sql: str, params: tuple[Any, ...]) -> list[StoredSpan]:
        with self._lock:
            rows = self._conn.execute(sql, params).fetchall()
        return [_span_from_row(row) for row in rows]


def _attribute_joins(attributes: Mapping[str, AttributeValue]) -> tuple[str, list[str]]:
    joins: list[str] = []
    params: list[str] = []
    for index, (key, value) in enumerate(attributes.items()):
        alias = f"a{index}"
        joins.append(
            f"JOIN span_attributes {alias} ON {alias}.trace_id = s.trace_id "
            f"AND {alias}.span_id = s.span_id AND {alias}.key = ? AND {alias}.value = ?"
        )
        params += [key, attribute_text(value)]
    return " ".join(joins), params


def _span_filter(
    service_name: str | None, kind: str | None, started_between: tuple[int, int] | None = None
) -> tuple[str, tuple[str | int, ...]]:
    conditions: list[str] = []
    params: list[str | int] = []
    if service_name is not None:
        conditions.append("s.service_name = ?")
        params.append(service_name)
    if kind is not None:
        conditions.append("s.kind = ?")
        params.append(kind.upper())
    if started_between is not None:
        conditions.append("s.start_unix_nano BETWEEN ? AND ?")
        params.extend(started_between)
    if not conditions:
        return "", ()
    return "WHERE " + " AND ".join(conditions), tuple(params)


def _span_row(span: StoredSpan) -> tuple[Any, ...]:
    links = [{"trace_id": link.trace_id, "span_id": link.span_id, "attributes": link.attributes} for link in span.links]
    events = [{"name": e.name, "attributes": e.attributes, "time_unix_nano": e.time_unix_nano} for e in span.events]
    return (
        span.trace_id,
        span.span_id,
        span.parent_span_id,
        span.name,
        span.kind,
        span.service_name,
        span.start_unix_nano,
        span.end_unix_nano,
        span.status_code,
        span.status_message,
        json.dumps(span.attributes),
        json.dumps(links),
        json.dumps(events),
    )


def _span_from_row(row: tuple[Any, ...]) -> StoredSpan:
    (trace_id, span_id, parent, name, kind, service, start, end, status, message, attrs, links, events) = row
    return StoredSpan(
        trace_id=trace_id,
        span_id=span_id,
        parent_span_id=parent,
        name=name,
        kind=kind,
        service_name=service,
        start_unix_nano=start,
        end_unix_nano=end,
        status_code=status,
        status_message=message,
        attributes=json.loads(attrs),
        links=tuple(SpanLink(**link) for link in json.loads(links)),
        events=tuple(SpanEvent(**event) for event in json.loads(events)),
    )


@contextlib.contextmanager
def stack_span_store(state_dir: Path) -> Iterator[SpanStore | None]:
    """The span store `pizza up` keeps in ``state_dir``, if there is one."""
    path = state_dir / SPANS_FILE
    if not path.is_file():
        yield None
        return
    store = SpanStore(path)
    try:
        yield store
    finally:
        store.close()
