// One order: items, payment, shipping, dates, and its timeline (each event with what it changed).

import { query } from "../api.js";
import { badge, card, fields, h, link, money, replace, table, when } from "../dom.js";

const MAX_TIMELINE_PAGES = 20; // 20,000 events: more than any order here has

export async function orderView(context, orderId) {
  const path = `/orders/${encodeURIComponent(orderId)}`;
  const [order, events] = await Promise.all([query(path), wholeTimeline(path)]);
  replace(context.root,
    h("h2", {}, `Order ${order.order_id} `, badge(order.status), h("span", { class: "muted" }, ` version ${order.version}`)),
    h("div", { class: "cards" },
      card("Customer", fields([
        ["customer", link(`#/customers/${encodeURIComponent(order.customer_id)}`, order.customer?.name || order.customer_id)],
        ["email", order.customer?.email], ["notes", order.notes]])),
      card("Payment", fields([
        ["total", money(order.total_amount, order.currency)], ["paid", money(order.amount_paid, order.currency)],
        ["payment", badge(order.payment_status)], ["items", order.item_count],
        ["backordered", order.backordered_quantity || "–"]])),
      card("Shipping", fields([
        ["carrier", order.shipping?.carrier], ["tracking", order.shipping?.tracking_number],
        ["address", address(order.shipping_address)]])),
      card("Dates", fields([
        ["created", when(order.created_at)], ["submitted", when(order.submitted_at)],
        ["confirmed", when(order.confirmed_at)], ["shipped", when(order.shipped_at)],
        ["delivered", when(order.delivered_at)], ["cancelled", order.cancelled_at && `${when(order.cancelled_at)}: ${order.cancel_reason}`]]))),
    h("h3", {}, "Items"),
    table(["product", "name", "quantity", "unit price", "line total", "backordered"], order.items.map((item) => h("tr", {},
      h("td", {}, item.product_id), h("td", {}, item.product_name), h("td", { class: "number" }, item.quantity),
      h("td", { class: "number" }, money(item.unit_price)), h("td", { class: "number" }, money(item.line_total)),
      h("td", { class: "number" }, item.backordered || "–"))), { class: "items" }),
    h("h3", {}, `Timeline (${events.length} event${events.length === 1 ? "" : "s"})`),
    h("ol", { class: "timeline", id: "timeline" }, events.map(timelineEntry)));
}

async function wholeTimeline(path) {
  const events = [];
  let after = 0;
  for (let page = 0; page < MAX_TIMELINE_PAGES; page += 1) {
    const timeline = await query(`${path}/timeline`, { after_version: after || "" });
    events.push(...timeline.events);
    if (timeline.next_after_version === null) break;
    after = timeline.next_after_version;
  }
  return events;
}

function timelineEntry(event) {
  return h("li", { class: "event", dataset: { version: event.version, type: event.type } },
    h("div", { class: "event-head" },
      h("span", { class: "version" }, `v${event.version}`), h("strong", {}, event.type),
      event.status ? badge(event.status) : null,
      h("span", { class: "muted" }, `${when(event.occurred_at)} · ${event.actor}`)),
    changes(event.changes));
}

function changes(payload) {
  const entries = Object.entries(payload || {});
  if (!entries.length) return null;
  return h("dl", { class: "changes" }, entries.map(([name, value]) => [h("dt", {}, name), h("dd", {}, shown(value))]));
}

function shown(value) {
  if (value === null || value === undefined) return "–";
  return typeof value === "object" ? JSON.stringify(value) : String(value);
}

function address(value) {
  if (!value) return null;
  return Object.values(value).filter(Boolean).join(", ");
}
