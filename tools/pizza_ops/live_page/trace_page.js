// The trace view: an order id in, its traces (its own and its subscribers' linked ones) drawn out.

import { byTestId } from "./dom.js";
import { tracesOfOrder } from "./order_traces.js";
import { renderLegend, renderWaterfall } from "./waterfall.js";

let shown = 0; // the latest request wins: an earlier, slower answer is not drawn over it

export async function showTraces(traceApiUrl, orderId) {
  byTestId("trace-order-id").value = orderId;
  const request = ++shown;
  const status = byTestId("trace-status");
  const waterfall = byTestId("waterfall");
  const legend = byTestId("legend");
  // data-request tells a script (or test) which request the finished state belongs to.
  const finish = (state, text, svg = null, legendItems = []) => {
    status.textContent = text;
    waterfall.replaceChildren(...(svg ? [svg] : []));
    legend.replaceChildren(...legendItems);
    waterfall.dataset.state = state;
    waterfall.dataset.request = String(request);
  };
  if (!orderId) {
    finish("empty", "Enter an order id.");
    return;
  }
  status.textContent = `Loading the traces of order ${orderId}…`;
  waterfall.dataset.state = "loading";
  let traces;
  try {
    traces = await tracesOfOrder(traceApiUrl, orderId);
  } catch (error) {
    if (request === shown) finish("error", `Could not load the traces: ${error.message}`);
    return;
  }
  if (request !== shown) return;
  if (!traces.length) {
    finish("empty", `No traces of order ${orderId} (yet: spans are exported when each function finishes).`);
    return;
  }
  const { svg, colours } = renderWaterfall(traces);
  const spanCount = traces.reduce((sum, trace) => sum + trace.spans.length, 0);
  const text = `Order ${orderId}: ${traces.length} traces, ${spanCount} spans. Hover a bar for details.`;
  finish("shown", text, svg, renderLegend(colours));
}

export function setUpTraceView() {
  byTestId("trace-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const orderId = byTestId("trace-order-id").value.trim();
    const target = `#/trace/${encodeURIComponent(orderId)}`;
    // The same hash fires no hashchange: a second click reloads, as spans may have arrived since.
    if (location.hash === target) window.dispatchEvent(new HashChangeEvent("hashchange"));
    else location.hash = target;
  });
}
