// Building the page from data without innerHTML: every text from the APIs becomes a text node.

export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith("on")) element.addEventListener(name.slice(2), value);
    else if (name === "dataset") Object.assign(element.dataset, value);
    else if (name in element && typeof value !== "string") element[name] = value;
    else element.setAttribute(name, value === true ? "" : value);
  }
  append(element, children);
  return element;
}

function append(element, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function replace(element, ...children) {
  element.replaceChildren();
  append(element, children);
  return element;
}

export function link(href, ...children) {
  return h("a", { href }, ...children);
}

// An Elasticsearch highlight fragment: text with <em>…</em> around what matched. Only those marks become
// elements; everything else, tags included, stays text.
export function highlighted(fragment) {
  const parts = fragment.split(/<em>(.*?)<\/em>/s);
  return parts.map((part, index) => (index % 2 ? h("mark", {}, part) : part));
}

export function money(amount, currency = "") {
  if (amount === null || amount === undefined) return "–";
  const value = Number(amount).toLocaleString("en", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  return currency ? `${value} ${currency}` : value;
}

export function when(iso) {
  if (!iso) return "–";
  const moment = new Date(iso);
  return `${moment.toISOString().slice(0, 19).replace("T", " ")} UTC`;
}

export function badge(text, kind = String(text).toLowerCase()) {
  return h("span", { class: `badge badge-${kind}` }, text);
}

export function fields(pairs) {
  return h("dl", { class: "fields" }, pairs.map(([name, value]) => [h("dt", {}, name), h("dd", {}, value ?? "–")]));
}

export function card(title, ...children) {
  return h("section", { class: "card" }, h("h3", {}, title), ...children);
}

export function table(headers, rows, attributes = {}) {
  return h("table", attributes,
    h("thead", {}, h("tr", {}, headers.map((header) => h("th", {}, header)))),
    h("tbody", {}, rows));
}

export function message(kind, text) {
  return h("p", { class: `message message-${kind}`, role: kind === "error" ? "alert" : "status" }, text);
}

// Previous and next buttons over cursor pages: `cursors` holds the cursor of each page shown so far.
export function pager(cursors, nextCursor, showPage) {
  return h("div", { class: "pager" },
    h("button", { type: "button", class: "previous-page", disabled: cursors.length === 1,
                  onclick: () => showPage(cursors.slice(0, -1)) }, "← Previous"),
    h("button", { type: "button", class: "next-page", disabled: !nextCursor,
                  onclick: () => showPage([...cursors, nextCursor]) }, "Next →"));
}
