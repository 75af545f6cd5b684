"""The texts the scan reads: every CloudWatch log event, every field of every span, files, log records."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from pizza_ops.telemetry import SpanEvent, SpanLink, SpanStore, StoredSpan
from privacy_scan.sources import KeptLogRecords, cloudwatch_texts, file_texts, log_files, span_texts


class _FakeLogs:
    """CloudWatch Logs as MiniStack answers: events paged by GetLogEvents, whose last page hands back
    the token it was given."""

    def __init__(self, streams: dict[tuple[str, str], list[str]], page_size: int = 2) -> None:
        self._streams = streams
        self._page_size = page_size

    def get_paginator(self, operation: str) -> _FakeLogs:
        self._operation = operation
        return self

    def paginate(self, **request: Any) -> list[dict[str, Any]]:
        if self._operation == "describe_log_groups":
            return [{"logGroups": [{"logGroupName": group} for group in sorted({g for g, _ in self._streams})]}]
        group = request["logGroupName"]
        return [{"logStreams": [{"logStreamName": stream} for g, stream in self._streams if g == group]}]

    def get_log_events(self, **request: Any) -> dict[str, Any]:
        events = self._streams[request["logGroupName"], request["logStreamName"]]
        start = int(request.get("nextToken", "f/0")[2:])
        page = events[start : start + self._page_size]
        token = f"f/{start + len(page)}" if page else request.get("nextToken", "f/0")
        return {"events": [{"message": message} for message in page], "nextForwardToken": token}


def test_every_event_of_every_stream_is_read_past_the_first_page() -> None:
    # Given two groups, one with two streams, one of them of five events (three pages)
    logs = _FakeLogs(
        {
            ("/aws/lambda/a", "s1"): [f"line {n}" for n in range(5)],
            ("/aws/lambda/a", "s2"): ["x"],
            ("/aws/lambda/b", "s3"): ["y"],
        }
    )

    # When they are read
    texts = list(cloudwatch_texts(logs))

    # Then every event comes, each named by its group and stream
    assert [text.text for text in texts] == ["line 0", "line 1", "line 2", "line 3", "line 4", "x", "y"]
    assert texts[0].where == "log group /aws/lambda/a, stream s1"
    assert texts[5].where == "log group /aws/lambda/a, stream s2"
    assert texts[6].where == "log group /aws/lambda/b, stream s3"


def test_every_field_of_a_span_is_read_with_its_name() -> None:
    # Given a span with attributes, an event with attributes, a link with attributes and a status message
    store = SpanStore()
    store.add(
        [
            StoredSpan(
                trace_id="a" * 32,
                span_id="b" * 16,
                parent_span_id=None,
                name="POST /orders",
                kind="SERVER",
                service_name="order-receiver",
                start_unix_nano=1,
                end_unix_nano=2,
                status_code="ERROR",
                status_message="status says 12 Privacy Road",
                attributes={"order.id": "o-1", "tags": ["x", "12 Privacy Road"]},
                events=(SpanEvent("exception", {"exception.message": "event says 12 Privacy Road"}),),
                links=(SpanLink("c" * 32, "d" * 16, {"why": "link says 12 Privacy Road"}),),
            )
        ]
    )

    # When its texts are read
    texts = {text.where: text.text for text in span_texts(store)}

    # Then each field is there, named by the span, its service and the field
    where = f"span 'POST /orders' of order-receiver (trace {'a' * 32})"
    assert texts[f"{where} name"] == "POST /orders"
    assert texts[f"{where} status message"] == "status says 12 Privacy Road"
    assert texts[f"{where} attribute tags"] == 'tags=["x","12 Privacy Road"]'
    assert texts[f"{where} event 'exception' attribute exception.message"].endswith("event says 12 Privacy Road")
    assert texts[f"{where} link to {'d' * 16} attribute why"] == "why=link says 12 Privacy Road"


def test_the_path_a_caller_asked_for_is_not_read_from_a_server_span_but_from_any_other() -> None:
    # Given a server span of GET /orders/{orderId} asked for with a street as the id, and a client
    # span whose path holds the same street
    street = "12 Privacy Road"

    def span(kind: str, span_id: str) -> StoredSpan:
        return StoredSpan(
            trace_id="a" * 32,
            span_id=span_id * 16,
            parent_span_id=None,
            name="GET /orders/{orderId}",
            kind=kind,
            service_name="order-receiver",
            start_unix_nano=1,
            end_unix_nano=2,
            status_code="OK",
            status_message="",
            attributes={"url.path": f"/orders/{street}", "order.id": street, "note": street},
        )

    store = SpanStore()
    store.add([span("SERVER", "b"), span("CLIENT", "c")])

    # When its texts are read
    read = [text.text for text in span_texts(store)]

    # Then the server's record of what it was asked for is left out (an access log's, the caller's
    # choice), its other fields are read, and the client span's path is read too
    assert read.count("url.path=/orders/12 Privacy Road") == 1
    assert read.count("order.id=12 Privacy Road") == 1
    assert read.count("note=12 Privacy Road") == 2


def test_a_state_directorys_text_files_are_read_line_by_line_but_the_span_store(tmp_path: Path) -> None:
    # Given a state directory with the emulator's log, a span store, Terraform's plugins and a zip
    (tmp_path / "ministack.log").write_text("started\nWARNING something\n")
    (tmp_path / "spans.sqlite").write_bytes(b"SQLite format 3")
    (tmp_path / "terraform" / ".terraform").mkdir(parents=True)
    (tmp_path / "terraform" / ".terraform" / "provider").write_bytes(b"\x7fELF")
    (tmp_path / "terraform" / "order-api.zip").write_bytes(b"PK\x03\x04\x00\x00")

    # When the files are listed and read
    files = log_files(tmp_path, skip=[tmp_path / "spans.sqlite"])
    texts = list(file_texts(files, tmp_path))

    # Then only the log's lines come, numbered
    assert [(text.where, text.text) for text in texts] == [
        ("file ministack.log line 1", "started\n"),
        ("file ministack.log line 2", "WARNING something\n"),
    ]


def test_the_test_process_log_records_are_kept() -> None:
    # Given the records of a logger kept
    records = KeptLogRecords()
    logger = logging.getLogger("pizza_ops.telemetry.test")
    logger.addHandler(records)
    try:
        # When it logs
        logger.warning("export from %s refused", "12 Privacy Road")
    finally:
        logger.removeHandler(records)

    # Then the formatted line is there, named by its logger
    [text] = records.texts()
    assert text.text == "WARNING pizza_ops.telemetry.test export from 12 Privacy Road refused"
    assert text.where == "log record of logger pizza_ops.telemetry.test in the test process"
