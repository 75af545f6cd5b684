from __future__ import annotations

from pizza_ops.telemetry import SpanLink, StoredSpan, ancestry, build_tree, render_tree

ORDER_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"
KITCHEN_TRACE = "00f067aa0ba902b700f067aa0ba902b7"
T0 = 1_700_000_000_000_000_000


def _span(
    span_id: str,
    name: str,
    *,
    service: str = "order-receiver",
    kind: str = "INTERNAL",
    parent: str | None = None,
    start_ms: float = 0.0,
    duration_ms: float = 1.0,
    trace_id: str = ORDER_TRACE,
    **extra: object,
) -> StoredSpan:
    start = T0 + int(start_ms * 1_000_000)
    return StoredSpan(
        trace_id=trace_id,
        span_id=span_id.rjust(16, "0"),
        parent_span_id=parent.rjust(16, "0") if parent else None,
        name=name,
        kind=kind,
        service_name=service,
        start_unix_nano=start,
        end_unix_nano=start + int(duration_ms * 1_000_000),
        **extra,  # type: ignore[arg-type]
    )


ROOT = _span("1", "POST /orders", kind="SERVER", duration_ms=38.1)
PUT = _span("2", "orders put", kind="CLIENT", parent="1", start_ms=5.0, duration_ms=9.5)
SEND = _span("3", "kitchen-orders send", kind="PRODUCER", parent="1", start_ms=20.2, duration_ms=11.0)
PROCESS = _span(
    "4",
    "kitchen-orders process",
    service="kitchen-processor",
    kind="CONSUMER",
    start_ms=150.7,
    duration_ms=30.5,
    trace_id=KITCHEN_TRACE,
    status_code="ERROR",
    status_message="oven on fire",
    links=(SpanLink(ORDER_TRACE, "3".rjust(16, "0")),),
)


def test_render_tree_draws_each_trace_as_an_indented_chain() -> None:
    # Given an order trace and a kitchen trace linked to its send span, in scrambled order
    spans = [PROCESS, SEND, ROOT, PUT]

    # When the spans are rendered
    rendered = render_tree(spans)

    # Then each trace is a tree with offsets, durations, the error and the link in both directions
    assert rendered.splitlines() == [
        f"trace {ORDER_TRACE}  (3 spans, 38.1 ms)",
        "└─ order-receiver  POST /orders  [SERVER]  +0.0 ms  38.1 ms",
        "   ├─ order-receiver  orders put  [CLIENT]  +5.0 ms  9.5 ms",
        "   └─ order-receiver  kitchen-orders send  [PRODUCER]  +20.2 ms  11.0 ms",
        f"      ↳ linked from trace {KITCHEN_TRACE} span 0000000000000004",
        f"trace {KITCHEN_TRACE}  (1 span, 30.5 ms)",
        "└─ kitchen-processor  kitchen-orders process  [CONSUMER]  +0.0 ms  30.5 ms  ERROR: oven on fire",
        f"   ↳ links to trace {ORDER_TRACE} span 0000000000000003",
    ]


def test_a_span_whose_parent_was_not_exported_becomes_a_root() -> None:
    # Given a child whose parent span is missing
    orphan = _span("5", "late work", parent="9", start_ms=1.0)

    # When the tree is built
    roots = build_tree([orphan, ROOT])

    # Then both are roots, in start order
    assert [root.span for root in roots] == [ROOT, orphan]


def test_a_parent_cycle_loses_no_span() -> None:
    # Given two corrupt spans that name each other as parent
    first = _span("a", "first", parent="b")
    second = _span("b", "second", parent="a", start_ms=1.0)

    # When the tree is built
    roots = build_tree([first, second])

    # Then each span still appears once
    assert [root.span for root in roots] == [first]
    assert [child.span for child in roots[0].children] == [second]


def test_ancestry_is_the_path_from_the_root() -> None:
    # Given a three-level chain
    grandchild = _span("6", "serialise", parent="3", start_ms=21.0)

    # When asking for the grandchild's ancestry
    chain = ancestry([ROOT, PUT, SEND, grandchild], grandchild)

    # Then it runs root, parent, span
    assert [span.name for span in chain] == ["POST /orders", "kitchen-orders send", "serialise"]
