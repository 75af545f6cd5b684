"""The trace store's bound and its command-line option, defined once for both programs that take it
(`pizza up` and the trace store program). Standard library only: `pizza --help` builds its parser
without importing the telemetry package, and the trace store's image copies this file beside it."""

from __future__ import annotations

import argparse

# The most spans a store keeps by default: about 700 MiB on disk (some 3.7 KB a span with its
# attributes, links and their indexes: 713 MiB in the 10,000-order soak), the traces of about 4,000 orders.
DEFAULT_MAX_SPANS = 200_000


def _span_count(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of spans, at least 1, got {text!r}")
    return int(text)


def add_max_spans_option(parser: argparse.ArgumentParser) -> None:
    """``--max-spans N`` (``args.max_spans``), :data:`DEFAULT_MAX_SPANS` when not given."""
    parser.add_argument(
        "--max-spans",
        type=_span_count,
        default=DEFAULT_MAX_SPANS,
        help=f"the most spans the trace store keeps; past it the oldest traces are forgotten "
        f"(default {DEFAULT_MAX_SPANS:,})",
    )
