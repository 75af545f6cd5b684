"""`pizza load`'s output: a progress line on stderr, the final table (or JSON) on stdout."""

from __future__ import annotations

import io
import json

from load_fakes import load_result

from pizza_ops.load.report import ProgressLine, render_progress, render_result, result_as_json
from pizza_ops.load.runner import Progress


def test_the_table_shows_every_count_latency_and_throughput() -> None:
    # Given a run of ten orders acknowledged, one refused with a 503
    # When it is rendered
    table = render_result(load_result())

    # Then the counts, the refusal by code, the latencies and the rates are there
    assert "run r1: choreography, 5/s for 2 s (10 orders)" in table
    assert "  accepted (202)                     10" in table
    assert "503 1" in table
    assert "lost (no final status)              0" in table
    assert "duplicated (count > 1)              0" in table
    assert "order → final status" in table and "0.200" in table
    assert "requested 5.0/s, sent 5.5/s" in table


def test_lost_orders_and_duplicated_effects_are_listed_up_to_the_limit() -> None:
    # Given three orders lost and a kitchen order twice
    # When it is rendered with a limit of two
    table = render_result(load_result(lost=3, twice=True), limit=2)

    # Then two lost orders are listed of three, and the duplicate with its count
    assert "LOST ORDERS (first 2 of 3)\norder-0\norder-1\n" in table
    assert "order-4  kitchen: 2 (expected 1, duplicated)" in table


def test_json_carries_the_counts_and_the_verdict() -> None:
    # Given a run with a duplicated effect / When it is written as JSON
    document = json.loads(result_as_json(load_result(twice=True)))

    # Then a machine finds the counts, the latencies and whether the run was clean
    assert (document["sent"], document["completed"], document["lost"], document["duplicated"]) == (11, 10, 0, 1)
    assert document["rejected"] == {"503": 1}
    assert document["latency"]["p99"] == 0.2
    assert document["ok"] is False


def _progress(phase: str, sent: int = 10, completed: int = 5) -> Progress:
    return Progress(phase, 3.0, 20, sent, sent, 0, completed, 0, sent - completed)


def test_the_progress_bar_follows_the_sends_then_the_orders_ending() -> None:
    # Given half the orders sent, then every order sent and half of them ended
    # When each is drawn / Then the bar is half full each time
    assert "[############------------]" in render_progress(_progress("sending"))
    assert "[############------------]" in render_progress(_progress("draining", sent=20, completed=10))


def test_off_a_terminal_the_progress_is_a_line_per_phase_not_a_redraw() -> None:
    # Given a progress line on a stream that is no terminal
    stream = io.StringIO()
    line = ProgressLine(stream, clock=lambda: 0.0)

    # When the progress is reported often in two phases
    for _ in range(5):
        line(_progress("sending"))
    line(_progress("draining"))
    line.close()

    # Then one line each, and no carriage returns
    assert stream.getvalue().count("\n") == 2
    assert "\r" not in stream.getvalue()
