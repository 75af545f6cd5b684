// Small DOM helpers shared by the views; elements are found by their data-testid, which tests use too.

export const byTestId = (testId, root = document) => root.querySelector(`[data-testid="${testId}"]`);

// An element with attributes and children (strings become text nodes, never HTML).
export function element(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
  node.append(...children.filter((child) => child !== null && child !== undefined));
  return node;
}

const SVG_NS = "http://www.w3.org/2000/svg";

export function svgElement(tag, attributes = {}, ...children) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
  node.append(...children.filter((child) => child !== null && child !== undefined));
  return node;
}

// "14:03:07.412" in the browser's time zone: statuses are milliseconds apart.
export function clockTime(date) {
  const pad = (number, width = 2) => String(number).padStart(width, "0");
  const seconds = `${pad(date.getSeconds())}.${pad(date.getMilliseconds(), 3)}`;
  return `${pad(date.getHours())}:${pad(date.getMinutes())}:${seconds}`;
}
