"""Spans as a parent/child tree: for `pizza trace` output and for asserting causal chains in tests."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from pizza_ops.telemetry.span_model import StoredSpan

_SpanKey = tuple[str, str]


@dataclass(frozen=True)
class SpanNode:
    """A span with its child spans, children ordered by start time."""

    span: StoredSpan
    children: tuple[SpanNode, ...] = ()


def build_tree(spans: Iterable[StoredSpan]) -> list[SpanNode]:
    """Arrange spans into trees, roots ordered by start time.

    A root is a span whose parent is not among `spans`: the trace's entry point, or a span whose
    parent was not exported (yet). Every span appears exactly once, even with a broken parent cycle.
    """
    ordered = _unique_by_start(spans)
    present = {_key(span) for span in ordered}
    children: dict[_SpanKey, list[StoredSpan]] = defaultdict(list)
    for span in ordered:
        parent = _parent_key(span)
        if parent is not None and parent in present:
            children[parent].append(span)

    placed: set[_SpanKey] = set()

    def node(span: StoredSpan) -> SpanNode:
        placed.add(_key(span))
        kids = tuple(node(child) for child in children[_key(span)] if _key(child) not in placed)
        return SpanNode(span, kids)

    roots = [node(span) for span in ordered if _parent_key(span) not in present]
    # Spans caught in a parent cycle have no root above them; show them rather than lose them.
    roots += [node(span) for span in ordered if _key(span) not in placed]
    return sorted(roots, key=lambda root: (root.span.start_unix_nano, root.span.span_id))


def render_tree(spans: Iterable[StoredSpan]) -> str:
    """Draw spans as one indented tree per trace, earliest trace first.

    Each line shows service, span name, kind, offset from the trace's start and duration, with an
    ERROR suffix for failed spans and `↳` lines for span links in either direction.
    """
    ordered = _unique_by_start(spans)
    by_trace: dict[str, list[StoredSpan]] = defaultdict(list)
    for span in ordered:
        by_trace[span.trace_id].append(span)
    linked_from: dict[_SpanKey, list[StoredSpan]] = defaultdict(list)
    for span in ordered:
        for link in span.links:
            linked_from[(link.trace_id, link.span_id)].append(span)

    lines: list[str] = []
    for trace_id, trace_spans in by_trace.items():
        start = min(span.start_unix_nano for span in trace_spans)
        duration_ms = (max(span.end_unix_nano for span in trace_spans) - start) / 1_000_000
        noun = "span" if len(trace_spans) == 1 else "spans"
        lines.append(f"trace {trace_id}  ({len(trace_spans)} {noun}, {duration_ms:.1f} ms)")
        roots = build_tree(trace_spans)
        for index, root in enumerate(roots):
            _render(root, "", index == len(roots) - 1, start, linked_from, lines)
    return "\n".join(lines)


def ancestry(spans: Iterable[StoredSpan], span: StoredSpan) -> list[StoredSpan]:
    """The chain of spans from the root down to `span` (inclusive), following parent ids."""
    by_key = {_key(candidate): candidate for candidate in spans}
    chain = [span]
    seen = {_key(span)}
    parent = _parent_key(span)
    while parent is not None and parent in by_key and parent not in seen:
        seen.add(parent)
        chain.append(by_key[parent])
        parent = _parent_key(by_key[parent])
    return chain[::-1]


def _render(
    node: SpanNode,
    prefix: str,
    is_last: bool,
    trace_start: int,
    linked_from: dict[_SpanKey, list[StoredSpan]],
    lines: list[str],
) -> None:
    span = node.span
    offset_ms = (span.start_unix_nano - trace_start) / 1_000_000
    line = (
        f"{prefix}{'└─' if is_last else '├─'} {span.service_name}  {span.name}  [{span.kind}]  "
        f"+{offset_ms:.1f} ms  {span.duration_ms:.1f} ms"
    )
    if span.status_code == "ERROR":
        line += f"  ERROR: {span.status_message}" if span.status_message else "  ERROR"
    lines.append(line)
    inner = prefix + ("   " if is_last else "│  ")
    lines += [f"{inner}↳ links to trace {link.trace_id} span {link.span_id}" for link in span.links]
    lines += [
        f"{inner}↳ linked from trace {source.trace_id} span {source.span_id}"
        for source in linked_from.get(_key(span), [])
    ]
    for index, child in enumerate(node.children):
        _render(child, inner, index == len(node.children) - 1, trace_start, linked_from, lines)


def _unique_by_start(spans: Iterable[StoredSpan]) -> list[StoredSpan]:
    unique = {_key(span): span for span in reversed(list(spans))}
    return sorted(unique.values(), key=lambda span: (span.start_unix_nano, span.span_id))


def _key(span: StoredSpan) -> _SpanKey:
    return (span.trace_id, span.span_id)


def _parent_key(span: StoredSpan) -> _SpanKey | None:
    return (span.trace_id, span.parent_span_id) if span.parent_span_id else None
