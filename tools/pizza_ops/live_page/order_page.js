// The live order view: a form that places an order, then each status of it as it happens.

import { byTestId, clockTime, element } from "./dom.js";
import { OrderWatch } from "./order_watch.js";

let current = null; // the OrderWatch of the order shown; a new order replaces it

async function loadMenu(apiUrl) {
  const select = byTestId("pizza");
  try {
    const response = await fetch(`${apiUrl}/menu`);
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    const { pizzas } = await response.json();
    select.replaceChildren(
      ...pizzas.map(({ name, price, inStock }) => {
        const label = `${name} (${price.value} ${price.currency})${inStock ? "" : ", sold out"}`;
        return element("option", { value: name }, label);
      }),
    );
  } catch (error) {
    showError(`menu: ${error.message}`);
  }
}

function showError(text) {
  const error = byTestId("order-error");
  error.textContent = text;
  error.hidden = !text;
}

function renderStatuses(statuses) {
  const first = statuses.length ? new Date(statuses[0].at) : null;
  byTestId("status-list").replaceChildren(
    ...statuses.map(({ sequence, status, at, reason, channel }) => {
      const when = new Date(at);
      const elapsed = first && sequence > 0 ? ` (+${when - first} ms)` : "";
      return element(
        "li",
        { "data-testid": "status", "data-status": status, "data-sequence": sequence, "data-channel": channel },
        element("span", { class: "status-name" }, status),
        element("time", { datetime: at }, clockTime(when) + elapsed),
        element("span", { class: `channel channel-${channel}`, "data-testid": "channel" }, channel),
        reason ? element("span", { class: "reason" }, reason) : null,
      );
    }),
  );
}

function setConnection(state) {
  const indicator = byTestId("connection");
  indicator.dataset.connection = state;
  indicator.textContent = state;
}

function watch(accepted) {
  current?.detach();
  byTestId("order-id").textContent = accepted.orderId;
  byTestId("order-live").hidden = false;
  const traceLink = byTestId("trace-link");
  traceLink.hidden = true;
  traceLink.href = `#/trace/${encodeURIComponent(accepted.orderId)}`;
  renderStatuses([]);
  current = new OrderWatch(accepted, {
    render: renderStatuses,
    connection: setConnection,
    failed: showError,
    // Traces are complete only once the order is final (the last consumers have exported).
    done: () => (traceLink.hidden = false),
  });
  current.start();
}

async function placeOrder(apiUrl, form) {
  const fields = new FormData(form);
  const body = {
    customerId: fields.get("customerId"),
    orderType: fields.get("orderType"),
    items: [{ pizza: fields.get("pizza"), quantity: Number(fields.get("quantity")) }],
  };
  showError("");
  const response = await fetch(`${apiUrl}/orders`, {
    method: "POST",
    // The key makes a resent request (a double click, a retry) place the order once.
    headers: { "content-type": "application/json", "idempotency-key": crypto.randomUUID() },
    body: JSON.stringify(body),
  });
  const answer = await response.json().catch(() => ({}));
  if (response.status !== 202) {
    showError(`HTTP ${response.status}: ${JSON.stringify(answer)}`);
    return;
  }
  watch(answer);
}

export function setUpOrderView(config) {
  const form = byTestId("order-form");
  byTestId("customer-id").value = `web-${crypto.randomUUID().slice(0, 8)}`;
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    placeOrder(config.apiUrl, form).catch((error) => showError(`order: ${error.message}`));
  });
  loadMenu(config.apiUrl);
}
