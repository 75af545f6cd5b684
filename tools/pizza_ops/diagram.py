"""The architecture picture, drawn from the declaration (`pizza diagram`): every resource of
infra/system.yaml as a node, grouped by the service that owns it, and the wiring between them, with
the publish/subscribe edges labelled by the event types they carry. Graphviz's dot lays it out.

Node ids are ``<kind>/<logical name>`` (``queue/kitchen-orders``): dot writes each node's id as
its SVG ``<title>``, which is how a test finds every declared resource in the picture.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterable
from pathlib import Path

import graphviz

from pizza_ops.system import Function, SystemDeclaration
from pizza_ops.system.event_channels import Channel, event_channels

EVENT_PREFIX = "com.pizza."
_SHARED = "shared"  # the cluster of what no single service owns: topic, bus, schedules, bucket, keys

# How each kind of resource looks: shape and fill.
_STYLE = {
    "function": {"shape": "box", "style": "rounded,filled", "fillcolor": "#fde9c9"},
    "saga": {"shape": "box", "style": "rounded,filled,bold", "fillcolor": "#f9c784", "peripheries": "2"},
    "queue": {"shape": "box", "style": "filled", "fillcolor": "#f7d6e0"},
    "dlq": {"shape": "box", "style": "filled,dashed", "fillcolor": "#eeeeee"},
    "table": {"shape": "cylinder", "style": "filled", "fillcolor": "#d6e6f7"},
    "topic": {"shape": "hexagon", "style": "filled", "fillcolor": "#d9f2d0"},
    "bus": {"shape": "hexagon", "style": "filled", "fillcolor": "#c9ecf0"},
    "rule": {"shape": "box", "style": "filled,rounded", "fillcolor": "#e3f5f7"},
    "schedule_group": {"shape": "note", "style": "filled", "fillcolor": "#fff5b8"},
    "bucket": {"shape": "folder", "style": "filled", "fillcolor": "#e5dcf5"},
    "key": {"shape": "octagon", "style": "filled", "fillcolor": "#f2f2f2"},
    "http_api": {"shape": "invhouse", "style": "filled", "fillcolor": "#ffffff"},
    "websocket_api": {"shape": "invhouse", "style": "filled", "fillcolor": "#ffffff"},
}
_CAPTION = {
    "queue": "SQS queue",
    "dlq": "dead-letter queue",
    "table": "DynamoDB table",
    "topic": "SNS topic",
    "bus": "EventBridge bus",
    "rule": "EventBridge rule",
    "schedule_group": "Scheduler group",
    "bucket": "S3 bucket (claim checks)",
    "key": "KMS key",
    "http_api": "HTTP API",
    "websocket_api": "WebSocket API",
}
_LIGHT = {"color": "#9a9a9a", "fontcolor": "#7a7a7a", "fontsize": "9"}


class GraphvizMissing(RuntimeError):
    """dot is not on PATH: one line saying what to install."""


def node_id(kind: str, name: str) -> str:
    return f"{kind}/{name}"


def architecture(system: SystemDeclaration) -> graphviz.Digraph:
    """The whole declaration as a graph (render it with :func:`write_diagram`)."""
    graph = graphviz.Digraph("architecture", graph_attr={"rankdir": "LR", "fontname": "Helvetica", "nodesep": "0.25"})
    graph.attr("node", fontname="Helvetica", fontsize="11")
    graph.attr("edge", fontname="Helvetica", fontsize="10")
    for owner, nodes in sorted(_owners(system).items()):
        with graph.subgraph(name=f"cluster_{owner}") as cluster:
            title = "shared messaging and storage" if owner == _SHARED else owner
            cluster.attr(label=title, style="rounded", color="#bbbbbb", fontsize="13")
            for kind, name in nodes:
                cluster.node(node_id(kind, name), _label(kind, name, system), **_STYLE[_style_of(kind, name, system)])
    _apis(graph, system)
    _messaging(graph, system)
    _streams_and_data(graph, system)
    return graph


def write_diagram(system: SystemDeclaration, out_dir: Path) -> list[Path]:
    """architecture.svg and architecture.png in ``out_dir``."""
    if shutil.which("dot") is None:
        raise GraphvizMissing("pizza diagram needs Graphviz's dot: install Graphviz (Debian: apt-get install graphviz)")
    out_dir.mkdir(parents=True, exist_ok=True)
    graph = architecture(system)
    written = []
    for fmt in ("svg", "png"):
        path = out_dir / f"architecture.{fmt}"
        path.write_bytes(graph.pipe(format=fmt))
        written.append(path)
    return written


def _owners(system: SystemDeclaration) -> dict[str, list[tuple[str, str]]]:
    """Each node's cluster: a function's package; a queue its consumer's; a table its first writer's."""
    owners: dict[str, list[tuple[str, str]]] = {}

    def place(owner: str, kind: str, name: str) -> None:
        owners.setdefault(owner, []).append((kind, name))

    for name, function in system.functions.items():
        place(function.package, "function", name)
    consumer_of = {trigger.queue: trigger.function for trigger in system.triggers}
    for name, queue in system.queues.items():
        owner = system.functions[consumer_of[name]].package if name in consumer_of else _sender_package(system, name)
        place(owner, "queue", name)
        if queue.dead_letter:
            place(owner, "queue", queue.dead_letter.name)
    for name in system.tables:
        place(_table_owner(system, name), "table", name)
    for kind, names in (
        ("topic", system.topics),
        ("bus", system.event_buses),
        ("schedule_group", system.schedule_groups),
        ("bucket", system.buckets),
        ("key", system.kms_keys),
    ):
        for name in names:
            place(_SHARED, kind, name)
    for rule in system.rules():
        place(_SHARED, "rule", rule)
    return owners


def _sender_package(system: SystemDeclaration, queue: str) -> str:
    senders = [f for f in system.functions.values() if _grants(f, "queue", queue, ("send",))]
    return senders[0].package if senders else _SHARED


def _table_owner(system: SystemDeclaration, table: str) -> str:
    writers = [f for f in system.functions.values() if _grants(f, "table", table, ("put", "update"))]
    readers = [f for f in system.functions.values() if _grants(f, "table", table, ("get", "query_indexes"))]
    return (writers or readers)[0].package if writers or readers else _SHARED


def _style_of(kind: str, name: str, system: SystemDeclaration) -> str:
    if kind == "function" and system.functions[name].durable:
        return "saga"
    if kind == "queue" and name not in system.queues:
        return "dlq"
    return kind


def _label(kind: str, name: str, system: SystemDeclaration) -> str:
    if kind == "function":
        function = system.functions[name]
        return f"{name}\n(durable function)" if function.durable else f"{name}\nλ {function.service_name}"
    if kind == "queue" and name not in system.queues:
        return f"{name}\n({_CAPTION['dlq']})"
    if kind == "table" and system.tables[name].stream_view_type:
        return f"{name}\n({_CAPTION['table']} + stream)"
    return f"{name}\n({_CAPTION[kind]})"


def _apis(graph: graphviz.Digraph, system: SystemDeclaration) -> None:
    for kind, apis in (("http_api", system.http_apis), ("websocket_api", system.websocket_apis)):
        for api_name, api in apis.items():
            graph.node(node_id(kind, api_name), f"{api_name}\n({_CAPTION[kind]})", **_STYLE[kind])
            by_function: dict[str, list[str]] = {}
            for route, function in api.routes.items():
                by_function.setdefault(function, []).append(route)
            for function, routes in by_function.items():
                graph.edge(node_id(kind, api_name), node_id("function", function), label="\n".join(routes))


def _messaging(graph: graphviz.Digraph, system: SystemDeclaration) -> None:
    for channel in event_channels(system):
        label = _event_label(channel.event_types)
        target = node_id("bus", channel.bus) if channel.kind == "rule" and channel.bus else _channel_node(channel)
        for publisher in channel.publishers:
            if channel.kind != "rule":  # a rule's publishers publish to its bus, drawn once below
                graph.edge(node_id("function", publisher), target, label=label, penwidth="1.6")
        if channel.kind == "rule":
            graph.edge(target, _channel_node(channel), label=label)
        for delivered_to in channel.delivers_to:
            graph.edge(_channel_node(channel), node_id("queue", delivered_to), label=label, penwidth="1.6")
        for consumer in channel.consumers:
            graph.edge(_channel_node(channel), node_id("function", consumer), label=label, penwidth="1.6")
    for bus_name, bus in system.event_buses.items():
        for function_name, function in system.functions.items():
            if _grants(function, "bus", bus_name, ("publish",)):
                graph.edge(
                    node_id("function", function_name), node_id("bus", bus_name), label=_event_label(bus.carries)
                )
    for queue_name, queue in system.queues.items():
        if queue.dead_letter:
            graph.edge(
                node_id("queue", queue_name),
                node_id("queue", queue.dead_letter.name),
                label=f"after {queue.dead_letter.max_receive_count} receives",
                style="dashed",
                **_LIGHT,
            )
    carried = {channel.name for channel in event_channels(system) if channel.kind == "queue"}
    for trigger in system.triggers:
        if trigger.queue not in carried:  # a queue of no event type: its trigger still runs its function
            graph.edge(node_id("queue", trigger.queue), node_id("function", trigger.function))


def _streams_and_data(graph: graphviz.Digraph, system: SystemDeclaration) -> None:
    for trigger in system.stream_triggers:
        graph.edge(node_id("table", trigger.table), node_id("function", trigger.function), label="stream")
        if trigger.on_failure_queue:
            graph.edge(
                node_id("function", trigger.function),
                node_id("queue", trigger.on_failure_queue),
                label="failed batches",
                style="dashed",
                **_LIGHT,
            )
    for function_name, function in system.functions.items():
        source = node_id("function", function_name)
        for kind, name, accesses in _accesses(function):
            _data_edge(graph, source, kind, name, accesses, function_name, system)


def _data_edge(
    graph: graphviz.Digraph,
    source: str,
    kind: str,
    name: str,
    accesses: list[str],
    function_name: str,
    system: SystemDeclaration,
) -> None:
    label = ", ".join(accesses)
    if kind in ("table", "bucket", "key"):
        graph.edge(source, node_id(kind, name), label=label, style="dotted", constraint="false", **_LIGHT)
    elif kind == "function" and name != function_name:
        verb = "starts" if "invoke" in accesses else "answers callbacks"
        graph.edge(source, node_id("function", name), label=verb, style="bold")
    elif kind == "websocket_api":
        graph.edge(source, node_id("websocket_api", name), label="pushes to connections", **_LIGHT)
    elif kind == "schedule_group" and name in system.schedule_groups:
        return  # drawn with the messaging, labelled by what the schedules deliver


def _accesses(function: Function) -> list[tuple[str, str, list[str]]]:
    """The function's permissions as (kind, name, accesses), in declaration order, one per resource."""
    merged: dict[tuple[str, str], list[str]] = {}
    for permission in function.permissions:
        if permission.kind in ("queue", "topic", "bus"):
            continue  # messaging: drawn from the channels
        access = permission.access + (f" {permission.prefix}" if permission.prefix else "")
        if permission.access in ("read_stream", "run_durable"):
            continue  # the stream edge says it; a durable function's access to itself is no edge
        merged.setdefault((permission.kind, permission.name), []).append(access)
    return [(kind, name, accesses) for (kind, name), accesses in merged.items()]


def _channel_node(channel: Channel) -> str:
    return node_id(channel.kind, channel.name)


def _event_label(event_types: Iterable[str]) -> str:
    return "\n".join(sorted(t.removeprefix(EVENT_PREFIX) for t in event_types))


def _grants(function: Function, kind: str, name: str, accesses: tuple[str, ...]) -> bool:
    return any(p.kind == kind and p.name == name and p.access in accesses for p in function.permissions)
