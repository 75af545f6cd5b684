"""What the system wrote, as texts to scan: every CloudWatch log event, every line of a log file,
every field of every span, every log record of the test process."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from cloudwatch_logs import log_group_messages
from pizza_ops.telemetry import SpanStore, StoredSpan
from pizza_ops.telemetry.span_model import Attributes, attribute_text
from privacy_scan.matcher import Text


def cloudwatch_texts(logs: Any) -> Iterator[Text]:
    """Every event of every stream of every log group (read stream by stream: tests/cloudwatch_logs.py)."""
    for groups in logs.get_paginator("describe_log_groups").paginate():
        for group in groups["logGroups"]:
            name = group["logGroupName"]
            for stream, message in log_group_messages(logs, name):
                yield Text(f"log group {name}, stream {stream}", message)


def file_texts(paths: Iterable[Path], root: Path) -> Iterator[Text]:
    """Every line of each file, named relative to ``root``."""
    for path in paths:
        name = path.relative_to(root) if path.is_relative_to(root) else path
        with path.open(encoding="utf-8", errors="replace") as lines:
            for number, line in enumerate(lines, start=1):
                yield Text(f"file {name} line {number}", line)


def log_files(state_dir: Path, skip: Iterable[Path]) -> list[Path]:
    """The files a stack leaves in its state directory that may hold log lines: every text file but
    those in ``skip`` (the span store, scanned span by span) and Terraform's provider plugins."""
    skipped = {path.resolve() for path in skip}
    return sorted(
        path
        for path in state_dir.rglob("*")
        if path.is_file() and ".terraform" not in path.parts and path.resolve() not in skipped and _is_text(path)
    )


def _is_text(path: Path) -> bool:
    # Binary files (the Lambda zips a Terraform run builds, SQLite files) hold no log lines: a NUL
    # byte near the start tells them apart, as git does.
    with path.open("rb") as start:
        return b"\0" not in start.read(8192)


def span_texts(store: SpanStore) -> Iterator[Text]:
    """Every field of every span: name, status, attributes, events and theirs, links' attributes.

    Trace by trace, so that a store of a whole session is never loaded at once. The store keeps a
    span's resource only as its service name (set from configuration at cold start, never from a
    request), so the resource's other attributes cannot be read here.
    """
    for trace_id in store.trace_ids_matching({}):
        for span in store.spans_of_trace(trace_id):
            yield from _fields(span)


# What a caller asked for, as a server span records it: the path and the id read from it. A client
# may put anything there (schemathesis asks for GET /orders/<any text>, a generated address line
# included); recording the id asked for is what an access log does, not the system leaking data it
# was given in a body. Every other field of a server span is scanned.
_ASKED_FOR_BY_THE_CALLER = frozenset({"url.path", "url.query", "url.full", "http.target", "order.id"})


def _fields(span: StoredSpan) -> Iterator[Text]:
    where = f"span {span.name!r} of {span.service_name} (trace {span.trace_id})"
    yield Text(f"{where} name", span.name)
    yield Text(f"{where} resource service.name", span.service_name)
    if span.status_message:
        yield Text(f"{where} status message", span.status_message)
    attributes = span.attributes
    if span.kind == "SERVER":
        attributes = {key: value for key, value in attributes.items() if key not in _ASKED_FOR_BY_THE_CALLER}
    yield from _attributes(f"{where} attribute", attributes)
    for event in span.events:
        yield Text(f"{where} event {event.name!r}", event.name)
        yield from _attributes(f"{where} event {event.name!r} attribute", event.attributes)
    for link in span.links:
        yield from _attributes(f"{where} link to {link.span_id} attribute", link.attributes)


def _attributes(where: str, attributes: Attributes) -> Iterator[Text]:
    for key, value in attributes.items():
        yield Text(f"{where} {key}", f"{key}={attribute_text(value)}")


class KeptLogRecords(logging.Handler):
    """Every record logged in this process (the OTLP receiver, the emulator adapter, the tools the
    tests run in-process), formatted as a log handler would write it."""

    def __init__(self) -> None:
        super().__init__()
        self.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))
        self.lines: list[tuple[str, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.lines.append((record.name, self.format(record)))
        except Exception:  # a record that cannot be formatted is not worth failing its logger for
            self.handleError(record)

    def texts(self) -> Iterator[Text]:
        for name, line in self.lines:
            yield Text(f"log record of logger {name} in the test process", line)
