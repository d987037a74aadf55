// Order search: text with highlights, status and total facets, cursor paging; refreshed while shown.

import { query } from "../api.js";
import { badge, h, highlighted, link, message, money, pager, replace, table, when } from "../dom.js";

const PAGE_SIZE = 20;
const SORTS = { newest: "newest first", oldest: "oldest first", total_desc: "largest total", total_asc: "smallest total", relevance: "relevance" };
// The total facet's ranges as filters (the facet's upper bounds are exclusive, max_total is inclusive).
const TOTAL_RANGES = {
  under_50: ["under 50", "", "49.99"],
  "50_to_200": ["50 to 200", "50", "199.99"],
  "200_to_1000": ["200 to 1,000", "200", "999.99"],
  "1000_and_over": ["1,000 and over", "1000", ""],
};

export async function searchView(context) {
  const params = { q: "", status: "", total: "", sort: "newest", ...context.params };
  let cursors = [null]; // the cursor of each page shown so far; the last one is the current page's
  const results = h("div", { id: "results" });
  const problems = h("div", { class: "problems" });
  const facets = h("aside", { class: "facets", id: "facets" });

  const search = () => {
    cursors = [null];
    context.remember(params);
    return context.live(refresh, problems);
  };
  const refresh = async () => {
    const asked = JSON.stringify([params, cursors]);
    const page = await query("/orders", filters(params, cursors.at(-1)));
    if (asked !== JSON.stringify([params, cursors])) return; // another search or page was asked for meanwhile
    replace(facets, facetLists(page.facets, params, search));
    replace(results, resultList(page, cursors, refreshPage));
  };
  const refreshPage = (next) => {
    cursors = next;
    return context.live(refresh, problems);
  };

  const text = h("input", { type: "search", name: "q", id: "search-text", value: params.q, placeholder: "customer, email, product, address, notes…" });
  const sort = h("select", { name: "sort", id: "search-sort" },
    Object.entries(SORTS).map(([value, label]) => h("option", { value, selected: value === params.sort }, label)));
  const form = h("form", { class: "search", onsubmit: (event) => {
    event.preventDefault();
    Object.assign(params, { q: text.value.trim(), sort: sort.value });
    search();
  } }, text, sort, h("button", { type: "submit" }, "Search"));

  replace(context.root, h("h2", {}, "Orders"), form, problems, h("div", { class: "with-facets" }, facets, results));
  await context.live(refresh, problems);
}

function filters(params, cursor) {
  const [, minTotal, maxTotal] = TOTAL_RANGES[params.total] || [];
  return { q: params.q, status: params.status ? params.status.split(",") : [], min_total: minTotal, max_total: maxTotal,
           sort: params.sort, size: PAGE_SIZE, cursor };
}

function facetLists(found, params, search) {
  const chosen = new Set(params.status ? params.status.split(",") : []);
  const toggleStatus = (status) => {
    chosen.has(status) ? chosen.delete(status) : chosen.add(status);
    params.status = [...chosen].join(",");
    search();
  };
  const chooseTotal = (key) => {
    params.total = params.total === key ? "" : key;
    search();
  };
  const statuses = Object.entries(found.status).map(([status, count]) =>
    facetItem(status, count, chosen.has(status), () => toggleStatus(status)));
  // A chosen status with no match left still shows, so that it can be unchosen.
  const missing = [...chosen].filter((status) => !(status in found.status)).map((status) =>
    facetItem(status, 0, true, () => toggleStatus(status)));
  const totals = Object.entries(TOTAL_RANGES).map(([key, [label]]) =>
    facetItem(label, found.total_ranges[key] ?? 0, params.total === key, () => chooseTotal(key)));
  return [h("h3", {}, "Status"), h("ul", { class: "facet", id: "facet-status" }, statuses, missing),
          h("h3", {}, "Total"), h("ul", { class: "facet", id: "facet-total" }, totals)];
}

function facetItem(label, count, chosen, choose) {
  return h("li", {}, h("button", { type: "button", class: chosen ? "chosen" : "", onclick: choose },
    h("span", {}, label), h("span", { class: "count" }, count)));
}

function resultList(page, cursors, showPage) {
  if (!page.data.length) return message("info", "No orders match.");
  const rows = page.data.map((order) => h("tr", { dataset: { orderId: order.order_id } },
    h("td", {}, link(`#/orders/${encodeURIComponent(order.order_id)}`, order.order_id)),
    h("td", {}, customerCell(order)),
    h("td", {}, badge(order.status)),
    h("td", {}, order.items.map((item) => item.product_name).join(", ") || "–", matches(order.highlights)),
    h("td", { class: "number" }, money(order.total_amount, order.currency)),
    h("td", {}, when(order.created_at))));
  const first = cursors.length === 1;
  return [
    h("p", { class: "summary", id: "search-total" }, `${page.total} order${page.total === 1 ? "" : "s"}`,
      first ? "" : `, page ${cursors.length}`),
    table(["order", "customer", "status", "items", "total", "created"], rows, { class: "orders", id: "search-results" }),
    pager(cursors, page.next_cursor, showPage),
  ];
}

function customerCell(order) {
  const name = order.customer?.name || order.customer_id;
  return [link(`#/customers/${encodeURIComponent(order.customer_id)}`, name),
          order.customer?.email ? h("div", { class: "muted" }, order.customer.email) : null];
}

function matches(highlights) {
  const fragments = Object.values(highlights || {}).flat();
  if (!fragments.length) return null;
  return h("div", { class: "highlights" }, fragments.slice(0, 3).map((fragment) => h("div", {}, "…", highlighted(fragment), "…")));
}
