// Follows one order's statuses: pushed over the WebSocket while it is open, read from the order's
// status URL before it opens and after it closes. Each status is kept by its index in the order's
// history (the push's `sequence`), so the two channels fill one list without duplicates or gaps.

export const FINAL_STATUSES = new Set(["ACKNOWLEDGED", "CONFIRMED", "FAILED", "COMPENSATION_FAILED"]);
// When a status response gives no Retry-After (it should while the order moves), ask this often.
const DEFAULT_POLL_SECONDS = 1;

const sleep = (seconds) => new Promise((resolve) => setTimeout(resolve, seconds * 1000));

export class OrderWatch {
  // accepted: the 202 body of POST /orders. view: { render(statuses), connection(state), failed(text), done() }.
  constructor(accepted, view) {
    this.orderId = accepted.orderId;
    this.statusUrl = accepted.statusUrl;
    this.watchUrl = accepted.watchUrl || null;
    this.view = view;
    this.statuses = []; // by sequence: { sequence, status, at, reason, channel }
    this.socket = null;
    this.polling = false;
    this.stopped = false;
    this.detached = false;
  }

  start() {
    // Whatever happened before the socket opens is only in the order's history.
    this.readStatus().catch((error) => this.view.failed(`status: ${error.message}`));
    if (this.watchUrl) this.openSocket();
    else this.poll();
  }

  // Stops listening for good and never renders again: the page shows another order now.
  detach() {
    this.detached = true;
    this.stop();
  }

  // Stops listening: the order is final.
  stop() {
    this.stopped = true;
    const socket = this.socket;
    this.socket = null; // so that its close event does not start polling
    if (socket) socket.close(1000, "done");
  }

  get isFinal() {
    return this.statuses.some((entry) => entry && FINAL_STATUSES.has(entry.status));
  }

  openSocket() {
    let socket;
    try {
      socket = new WebSocket(this.watchUrl);
    } catch (error) {
      // A URL the browser refuses (a scheme it will not open from this page, say): poll instead.
      this.view.failed(`watch: ${error.message}`);
      this.poll();
      return;
    }
    this.socket = socket;
    this.view.connection("connecting");
    socket.addEventListener("open", () => {
      if (this.socket !== socket) return;
      this.view.connection("open");
      // From now on every change is pushed; this read covers the ones made while it connected.
      this.readStatus().catch((error) => this.view.failed(`status: ${error.message}`));
    });
    socket.addEventListener("message", (event) => this.onMessage(event.data));
    // An error is always followed by close, so close alone starts the fallback.
    socket.addEventListener("close", () => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.view.connection("closed");
      if (!this.isFinal && !this.stopped) this.poll();
    });
  }

  onMessage(data) {
    let message;
    try {
      message = JSON.parse(data);
    } catch {
      return; // not ours to understand; the status URL still tells the truth
    }
    // The socket carries every order of the customer: only this one's statuses count here.
    if (message.type !== "order.status" || message.orderId !== this.orderId) return;
    if (!Number.isInteger(message.sequence) || message.sequence < 0) return;
    this.record(message.sequence, message, "websocket");
    // A push past a gap means a status was missed (sent before this socket was registered, say).
    if (this.missingBefore(message.sequence)) {
      this.readStatus().catch((error) => this.view.failed(`status: ${error.message}`));
    }
  }

  missingBefore(sequence) {
    for (let index = 0; index < sequence; index += 1) if (!this.statuses[index]) return true;
    return false;
  }

  // One GET of the status URL; returns the seconds its Retry-After asks to wait.
  async readStatus() {
    const response = await fetch(this.statusUrl, { headers: { accept: "application/json" } });
    if (!response.ok) throw new Error(`HTTP ${response.status} from ${this.statusUrl}`);
    const order = await response.json();
    (order.history || []).forEach((change, sequence) => this.record(sequence, change, "polling"));
    const retryAfter = Number(response.headers.get("retry-after"));
    return retryAfter > 0 ? retryAfter : DEFAULT_POLL_SECONDS;
  }

  async poll() {
    if (this.polling) return;
    this.polling = true;
    this.view.connection("polling");
    while (!this.isFinal && !this.stopped) {
      let wait = DEFAULT_POLL_SECONDS;
      try {
        wait = await this.readStatus();
      } catch (error) {
        this.view.failed(`polling: ${error.message} (trying again)`);
      }
      if (!this.isFinal && !this.stopped) await sleep(wait);
    }
    this.polling = false;
  }

  // The first channel to deliver a status keeps it: that is the one that showed it first.
  record(sequence, change, channel) {
    if (this.detached || this.statuses[sequence]) return;
    const { status, at } = change;
    this.statuses[sequence] = { sequence, status, at, reason: change.reason ?? null, channel };
    this.view.render(this.statuses.filter(Boolean));
    if (this.isFinal && !this.stopped) {
      this.stop();
      this.view.connection("closed");
      this.view.done();
    }
  }
}
