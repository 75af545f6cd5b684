// The page's entry point: reads the deployment's configuration, then shows the view the URL's hash
// names: #/order (the default) places and follows an order, #/trace/<orderId> draws its traces.

import { setUpOrderView } from "./order_page.js";
import { byTestId } from "./dom.js";
import { setUpTraceView, showTraces } from "./trace_page.js";

const TRACE_ROUTE = /^#\/trace\/?(.*)$/;

async function loadConfig() {
  // Served by the trace receiver beside this page: the orders API's URL is known only once deployed.
  const response = await fetch("config.json");
  if (!response.ok) throw new Error(`config.json: HTTP ${response.status} ${await response.text()}`);
  return response.json();
}

function route(config) {
  const match = TRACE_ROUTE.exec(location.hash);
  byTestId("order-view").hidden = Boolean(match);
  byTestId("trace-view").hidden = !match;
  if (match) showTraces(config.traceApiUrl, decodeURIComponent(match[1]));
}

async function main() {
  const status = byTestId("config-status");
  let config;
  try {
    config = await loadConfig();
  } catch (error) {
    status.textContent = `no configuration: ${error.message}`;
    status.classList.add("error");
    return;
  }
  status.textContent = `orders API: ${config.apiUrl}`;
  setUpOrderView(config);
  setUpTraceView();
  window.addEventListener("hashchange", () => route(config));
  route(config);
  document.body.dataset.ready = "true"; // for tests and scripts: the page is wired
}

main();
