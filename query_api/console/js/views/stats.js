// Order statistics with charts: orders and revenue over time, the status split, top products. Refreshed while shown.

import { query } from "../api.js";
import { card, fields, h, money, replace } from "../dom.js";

// A window ending now: its length and the width of its intervals.
const RANGES = {
  "1h": ["last hour, per minute", 3600e3, "1m"],
  "24h": ["last 24 hours, per hour", 86400e3, "hour"],
  "7d": ["last 7 days, per day", 7 * 86400e3, "day"],
  "30d": ["last 30 days, per day", 30 * 86400e3, "day"],
};
const COLOURS = ["#2563eb", "#16a34a", "#f59e0b", "#dc2626", "#7c3aed", "#0891b2", "#db2777", "#65a30d"];
// As the status badges show them.
const STATUS_COLOURS = { DRAFT: "#9ca3af", SUBMITTED: "#3b82f6", CONFIRMED: "#6366f1", SHIPPED: "#06b6d4", DELIVERED: "#22c55e", CANCELLED: "#ef4444" };

export async function statsView(context) {
  // from/to/interval in the address pin a window; otherwise a range that ends now.
  const params = { range: "24h", ...context.params };
  const totals = h("div", { class: "cards", id: "stats-totals" });
  const problems = h("div", { class: "problems" });
  const canvases = { overTime: h("canvas", { id: "chart-over-time" }), status: h("canvas", { id: "chart-status" }),
                     products: h("canvas", { id: "chart-products" }) };
  const range = h("select", { id: "stats-range", onchange: () => {
    context.remember({ range: range.value });
    Object.assign(params, { range: range.value, from: undefined, to: undefined, interval: undefined });
    context.live(refresh, problems);
  } }, Object.entries(RANGES).map(([value, [label]]) => h("option", { value, selected: value === params.range }, label)));
  const pinned = params.from && params.to;

  replace(context.root, h("h2", {}, "Stats"),
    h("form", { class: "search" }, pinned ? h("span", {}, `${params.from} to ${params.to} per ${params.interval || "day"}`) : range),
    problems, totals,
    h("div", { class: "charts" },
      chartCard("Orders and revenue over time", canvases.overTime, "wide"),
      chartCard("Orders by status", canvases.status),
      chartCard("Top products by quantity", canvases.products)));
  // Drawn once the canvases are in the page, so that Chart.js sizes each to its box.
  const charts = {
    overTime: chart(canvases.overTime, overTimeConfig()),
    status: chart(canvases.status, { type: "doughnut", data: { labels: [], datasets: [{ data: [], backgroundColor: [] }] },
                                     options: { plugins: { legend: { position: "right" } } } }),
    products: chart(canvases.products, { type: "bar", data: { labels: [], datasets: [{ label: "quantity", data: [], backgroundColor: COLOURS[0] }] },
                                         options: { indexAxis: "y", plugins: { legend: { display: false } } } }),
  };
  context.onClose(() => Object.values(charts).forEach((each) => each.destroy()));
  const refresh = async () => {
    const stats = await query("/stats/orders", statsWindow(params));
    replace(totals, card("Orders", fields([
      ["orders", stats.total_orders], ["placed (revenue)", stats.revenue_orders],
      ["revenue", money(stats.revenue)], ["average order", money(stats.average_order_value)]])));
    draw(charts, stats);
  };
  await context.live(refresh, problems);
}

function statsWindow(params) {
  if (params.from && params.to) return { from: params.from, to: params.to, interval: params.interval || "day", top: 10 };
  const [, length, interval] = RANGES[params.range] || RANGES["24h"];
  const to = new Date();
  return { from: new Date(to - length).toISOString(), to: to.toISOString(), interval, top: 10 };
}

function overTimeConfig() {
  return {
    type: "line",
    data: { labels: [], datasets: [
      { label: "orders", data: [], borderColor: COLOURS[0], backgroundColor: COLOURS[0], yAxisID: "orders", tension: 0.2 },
      { label: "revenue", data: [], borderColor: COLOURS[1], backgroundColor: COLOURS[1], yAxisID: "revenue", tension: 0.2 },
    ] },
    options: {
      interaction: { mode: "index", intersect: false },
      scales: {
        orders: { type: "linear", position: "left", beginAtZero: true, ticks: { precision: 0 }, title: { display: true, text: "orders" } },
        revenue: { type: "linear", position: "right", beginAtZero: true, grid: { drawOnChartArea: false }, title: { display: true, text: "revenue" } },
      },
    },
  };
}

function chartCard(title, canvas, kind = "") {
  return h("section", { class: `card ${kind}` }, h("h3", {}, title), h("div", { class: "chart-box" }, canvas));
}

// Chart.js is vendored and loaded by index.html as the global `Chart`.
function chart(canvas, config) {
  return new Chart(canvas, { ...config, options: { ...config.options, animation: false, maintainAspectRatio: false } });
}

function draw(charts, stats) {
  update(charts.overTime, stats.over_time.map((entry) => label(entry.start, stats.interval)),
    [stats.over_time.map((entry) => entry.orders), stats.over_time.map((entry) => Number(entry.revenue))]);
  const statuses = Object.entries(stats.orders_by_status).filter(([, count]) => count > 0);
  charts.status.data.datasets[0].backgroundColor = statuses.map(([status]) => STATUS_COLOURS[status] || COLOURS[0]);
  update(charts.status, statuses.map(([status]) => status), [statuses.map(([, count]) => count)]);
  const products = stats.top_products_by_quantity;
  update(charts.products, products.map((product) => product.product_name || product.product_id),
    [products.map((product) => product.quantity)]);
}

function update(chartObject, labels, series) {
  chartObject.data.labels = labels;
  series.forEach((data, index) => { chartObject.data.datasets[index].data = data; });
  chartObject.update("none");
}

function label(iso, interval) {
  const text = new Date(iso).toISOString();
  return /^(1m|1h|hour)$/.test(interval) ? text.slice(5, 16).replace("T", " ") : text.slice(0, 10);
}
