// Draws Jaeger-format traces as one SVG waterfall: a row per span on a shared time axis, indented by
// depth, coloured by service, each trace a group, and a connector for every span link (a
// subscriber's first span links to the publisher's span, in another trace).

import { element, svgElement } from "./dom.js";

const LABEL_WIDTH = 430; // the span names' column, left of the bars
const BAR_WIDTH = 760;
const RIGHT_MARGIN = 24;
const DURATION_WIDTH = 70; // the right end of the label column: "1234.5 ms"
const AXIS_HEIGHT = 28;
const ROW_HEIGHT = 22;
const HEADER_HEIGHT = 26;
const INDENT = 14;
const CHAR_WIDTH = 6.6; // of the 12 px label font, to shorten labels that would run into the bars
const PALETTE = [
  "#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#b07aa1",
  "#edc948", "#9c755f", "#ff9da7", "#86bcb6", "#8cd17d", "#d37295",
];

const normalTraceId = (id) => id.toLowerCase().padStart(32, "0");
const normalSpanId = (id) => id.toLowerCase().padStart(16, "0");
const spanKey = (traceId, spanId) => `${normalTraceId(traceId)}:${normalSpanId(spanId)}`;
const shortId = (id) => `${id.slice(0, 8)}…`;
const tagValue = (span, key) => span.tags?.find((tag) => tag.key === key)?.value;

// Every span with its service, depth and links; groups in the traces' order, spans depth-first.
function layOut(traces) {
  return traces.map((trace) => {
    const traceId = normalTraceId(trace.traceID);
    const spans = trace.spans.map((span) => ({
      key: spanKey(traceId, span.spanID),
      traceId,
      spanId: normalSpanId(span.spanID),
      name: span.operationName,
      service: trace.processes?.[span.processID]?.serviceName ?? "?",
      kind: tagValue(span, "span.kind") ?? "",
      failed: tagValue(span, "error") === true || tagValue(span, "otel.status_code") === "ERROR",
      start: span.startTime,
      duration: span.duration,
      parent: (span.references || []).find((r) => r.refType === "CHILD_OF" && normalTraceId(r.traceID) === traceId),
      links: (span.references || [])
        .filter((r) => r.refType === "FOLLOWS_FROM")
        .map((r) => spanKey(r.traceID, r.spanID)),
    }));
    return { traceId, spans: depthFirst(spans) };
  });
}

function depthFirst(spans) {
  const byKey = new Map(spans.map((span) => [span.key, span]));
  const children = new Map();
  const roots = [];
  for (const span of spans) {
    const parentKey = span.parent && spanKey(span.traceId, span.parent.spanID);
    // A parent not (yet) exported leaves its children as roots: show them rather than drop them.
    if (parentKey && byKey.has(parentKey)) children.set(parentKey, [...(children.get(parentKey) || []), span]);
    else roots.push(span);
  }
  const ordered = [];
  const visit = (span, depth) => {
    ordered.push({ ...span, depth });
    const kids = (children.get(span.key) || []).sort((a, b) => a.start - b.start || a.name.localeCompare(b.name));
    for (const child of kids) visit(child, depth + 1);
  };
  for (const root of roots.sort((a, b) => a.start - b.start)) visit(root, 0);
  return ordered;
}

// 1, 2 or 5 times a power of ten, giving about `count` ticks over `total`.
function tickStep(total, count = 8) {
  const raw = Math.max(total / count, 0.001);
  const power = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 5, 10].map((m) => m * power).find((step) => step >= raw);
}

function shorten(text, width) {
  const fits = Math.max(4, Math.floor(width / CHAR_WIDTH));
  return text.length <= fits ? text : `${text.slice(0, fits - 1)}…`;
}

export function serviceColours(groups) {
  const services = [...new Set(groups.flatMap((group) => group.spans.map((span) => span.service)))].sort();
  return new Map(services.map((service, index) => [service, PALETTE[index % PALETTE.length]]));
}

export function renderLegend(colours) {
  return [...colours].map(([service, colour]) =>
    element("span", { class: "legend-item", "data-testid": "legend-item", "data-service": service },
      element("span", { class: "swatch", style: `background:${colour}` }), service),
  );
}

// Returns { svg, colours }; `traces` as the Jaeger query API gives them, earliest first.
export function renderWaterfall(traces) {
  const groups = layOut(traces);
  const colours = serviceColours(groups);
  const all = groups.flatMap((group) => group.spans);
  const start = Math.min(...all.map((span) => span.start));
  const end = Math.max(...all.map((span) => span.start + span.duration));
  const totalMs = Math.max((end - start) / 1000, 0.001);
  const x = (micros) => LABEL_WIDTH + ((micros - start) / 1000 / totalMs) * BAR_WIDTH;

  const rows = svgElement("g");
  const rowOf = new Map(); // span key -> { y, x0, x1 }, for the link connectors
  const pending = []; // spans with links, drawn once every row has its place
  let y = AXIS_HEIGHT;
  groups.forEach((group, index) => {
    rows.append(groupHeader(group, index, y, groups));
    y += HEADER_HEIGHT;
    for (const span of group.spans) {
      const x0 = x(span.start);
      const x1 = Math.max(x(span.start + span.duration), x0 + 2); // a 0 ms span stays visible
      rowOf.set(span.key, { y: y + ROW_HEIGHT / 2, x0, x1 });
      rows.append(spanRow(span, y, x0, x1, colours.get(span.service)));
      if (span.links.length) pending.push(span);
      y += ROW_HEIGHT;
    }
  });

  const connectors = svgElement("g", { class: "links" });
  for (const span of pending) {
    for (const target of span.links) {
      const from = rowOf.get(target);
      const to = rowOf.get(span.key);
      if (from) connectors.append(linkConnector(from, to, target, span));
      else rows.append(missingLinkNote(span, target, to));
    }
  }

  const height = y + 8;
  const width = LABEL_WIDTH + BAR_WIDTH + RIGHT_MARGIN;
  const viewBox = `0 0 ${width} ${height}`;
  const attributes = { class: "waterfall", width, height, viewBox, "data-testid": "waterfall-svg" };
  const svg = svgElement("svg", attributes, arrowMarker(), axis(totalMs, x, start, height), rows, connectors);
  return { svg, colours };
}

function axis(totalMs, x, start, height) {
  const ticks = svgElement("g", { class: "axis", "data-testid": "axis" });
  const step = tickStep(totalMs);
  for (let ms = 0; ms <= totalMs + step / 1000; ms += step) {
    const at = x(start + ms * 1000);
    if (at > LABEL_WIDTH + BAR_WIDTH + 1) break;
    const label = `${Number(ms.toFixed(3))} ms`;
    ticks.append(
      svgElement("line", { x1: at, x2: at, y1: AXIS_HEIGHT - 6, y2: height, class: "tick" }),
      svgElement(
        "text",
        { x: at, y: AXIS_HEIGHT - 10, class: "tick-label", "text-anchor": "middle", "data-testid": "tick" },
        label,
      ),
    );
  }
  return ticks;
}

function groupHeader(group, index, y, groups) {
  const root = group.spans[0];
  // A subscriber's trace starts with a span linking to the publisher's trace: say which.
  const linked = group.spans
    .flatMap((span) => span.links)
    .find((key) => groups.some((other) => other !== group && key.startsWith(other.traceId)));
  const title = linked
    ? `↪ linked trace ${shortId(group.traceId)} · ${root.service} · from trace ${shortId(linked)}`
    : `trace ${shortId(group.traceId)} · ${root.service} · ${root.name}`;
  const attributes = {
    class: `group ${index % 2 ? "odd" : "even"}`,
    "data-testid": "trace-group",
    "data-trace-id": group.traceId,
    "data-linked": Boolean(linked),
  };
  const band = {
    x: 0,
    y,
    width: LABEL_WIDTH + BAR_WIDTH + RIGHT_MARGIN,
    height: HEADER_HEIGHT + group.spans.length * ROW_HEIGHT,
    class: "band",
  };
  return svgElement("g", attributes,
    svgElement("rect", band),
    svgElement("text", { x: 6, y: y + 17, class: "group-title" }, title));
}

function spanRow(span, y, x0, x1, colour) {
  const indent = 8 + span.depth * INDENT;
  const label = `${span.links.length ? "↪ " : ""}${span.name} · ${span.service}`;
  const durationText = `${(span.duration / 1000).toFixed(1)} ms`;
  // The duration sits at the label column's right edge, leaving the bar area to bars and links.
  const labelRoom = LABEL_WIDTH - indent - DURATION_WIDTH;
  const details = [`${span.service}: ${span.name}`, `${span.kind} · ${durationText}`, `trace ${span.traceId}`,
    `span ${span.spanId}`].join("\n");
  return svgElement("g", {
      class: `span-row${span.failed ? " failed" : ""}`, "data-testid": "span-row", "data-service": span.service,
      "data-name": span.name, "data-trace-id": span.traceId, "data-span-id": span.spanId, "data-depth": span.depth,
      "data-links": span.links.length,
    },
    svgElement("title", {}, details),
    svgElement("text", { x: indent, y: y + 15, class: "label" }, shorten(label, labelRoom)),
    svgElement("text", { x: LABEL_WIDTH - 10, y: y + 15, class: "duration", "text-anchor": "end" }, durationText),
    svgElement("rect", { x: x0, y: y + 4, width: x1 - x0, height: ROW_HEIGHT - 8, rx: 2, fill: colour, class: "bar" }));
}

function linkConnector(from, to, targetKey, span) {
  const startX = from.x1;
  const bend = Math.max(24, Math.abs(to.x0 - startX) / 2);
  const path = `M ${startX} ${from.y} C ${startX + bend} ${from.y}, ${to.x0 - bend} ${to.y}, ${to.x0} ${to.y}`;
  const [fromTrace, fromSpan] = targetKey.split(":");
  return svgElement("path", {
    d: path, class: "link", "marker-end": "url(#arrow)", "data-testid": "span-link",
    "data-from-trace": fromTrace, "data-from-span": fromSpan,
    "data-to-trace": span.traceId, "data-to-span": span.spanId,
  }, svgElement("title", {}, `link: ${span.service} ${span.name} follows ${fromSpan} of ${fromTrace}`));
}

// The linked span is not among the traces found (not exported yet, or another order's batch).
function missingLinkNote(span, targetKey, to) {
  const [traceId] = targetKey.split(":");
  const attributes = {
    x: to.x1 + 6, y: to.y + 4, class: "missing-link", "data-testid": "span-link-missing", "data-to-trace": traceId,
  };
  return svgElement("text", attributes, `↪ linked trace ${shortId(traceId)} (not loaded)`);
}

function arrowMarker() {
  return svgElement("defs", {},
    svgElement(
      "marker",
      { id: "arrow", viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: "auto" },
      svgElement("path", { d: "M 0 0 L 10 5 L 0 10 z", class: "arrow-head" }),
    ));
}
