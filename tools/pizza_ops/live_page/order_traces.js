// All the traces of one order, from the Jaeger query API, as pizza_ops/telemetry/order_traces.py
// finds them: the traces with a span tagged order.id in any service (each subscriber starts its own
// trace), plus the traces those spans link to (the publisher's), followed transitively.

const ORDER_ID_TAG = "order.id";
const SEARCH_LIMIT = 20;

async function getJson(url) {
  const response = await fetch(url);
  if (response.status === 404) return null;
  if (!response.ok) throw new Error(`HTTP ${response.status} from ${url}`);
  return response.json();
}

// Jaeger may drop a trace id's leading zeros; compare ids in OTLP's 32 digits.
const normalId = (id) => id.toLowerCase().padStart(32, "0");
const tagValue = (span, key) => span.tags?.find((tag) => tag.key === key)?.value;

// Only spans about this order: a batch span's links lead to other orders' traces.
function linkTargets(trace, orderId) {
  return trace.spans
    .filter((span) => String(tagValue(span, ORDER_ID_TAG)) === orderId)
    .flatMap((span) => span.references || [])
    .filter((reference) => reference.refType === "FOLLOWS_FROM")
    .map((reference) => normalId(reference.traceID));
}

const startOf = (trace) => Math.min(...trace.spans.map((span) => span.startTime));

// Jaeger-format traces ({traceID, spans, processes}), earliest first.
export async function tracesOfOrder(baseUrl, orderId) {
  const found = new Map();
  const services = (await getJson(`${baseUrl}/api/services`))?.data || [];
  const tags = encodeURIComponent(JSON.stringify({ [ORDER_ID_TAG]: orderId }));
  const searches = services.map((service) =>
    getJson(`${baseUrl}/api/traces?service=${encodeURIComponent(service)}&tags=${tags}&limit=${SEARCH_LIMIT}`),
  );
  for (const answer of await Promise.all(searches)) {
    for (const trace of answer?.data || []) {
      const traceId = normalId(trace.traceID);
      if (!found.has(traceId)) found.set(traceId, trace);
    }
  }
  const tried = new Set(found.keys());
  const pending = [...found.values()].flatMap((trace) => linkTargets(trace, orderId));
  while (pending.length) {
    const traceId = pending.shift();
    if (tried.has(traceId)) continue;
    tried.add(traceId);
    // Not sampled, not yet exported, or expired: show what there is.
    const trace = (await getJson(`${baseUrl}/api/traces/${traceId}`))?.data?.[0];
    if (!trace) continue;
    found.set(traceId, trace);
    pending.push(...linkTargets(trace, orderId));
  }
  return [...found.values()].sort((a, b) => startOf(a) - startOf(b) || a.traceID.localeCompare(b.traceID));
}
