// Stock by SKU with its low-stock and backorder flags; filters for either, cursor paging.

import { query } from "../api.js";
import { badge, h, message, pager, replace, table, when } from "../dom.js";

const PAGE_SIZE = 50;

export async function stockView(context) {
  const params = { q: "", low: "", backordered: "", ...context.params };
  const results = h("div", { id: "stock-results" });
  let cursors = [null];

  const refresh = async () => {
    const page = await query("/inventory", {
      q: params.q, low_stock: params.low ? "true" : "", backordered: params.backordered ? "true" : "",
      size: PAGE_SIZE, cursor: cursors.at(-1),
    });
    replace(results, stockTable(page, cursors, (next) => { cursors = next; return shown(); }));
  };
  const shown = () => refresh().catch((error) => replace(results, message("error", error.message)));

  const text = h("input", { type: "search", id: "stock-text", value: params.q, placeholder: "product name or SKU" });
  const low = h("input", { type: "checkbox", id: "stock-low", checked: Boolean(params.low) });
  const backordered = h("input", { type: "checkbox", id: "stock-backordered", checked: Boolean(params.backordered) });
  const form = h("form", { class: "search", onsubmit: (event) => {
    event.preventDefault();
    Object.assign(params, { q: text.value.trim(), low: low.checked ? "1" : "", backordered: backordered.checked ? "1" : "" });
    context.remember(params);
    cursors = [null];
    shown();
  } }, text, h("label", {}, low, " low stock only"), h("label", {}, backordered, " backordered only"),
  h("button", { type: "submit" }, "Filter"));

  replace(context.root, h("h2", {}, "Stock"), form, results);
  await refresh();
}

function stockTable(page, cursors, showPage) {
  if (!page.data.length) return message("info", "No SKU matches.");
  const rows = page.data.map((item) => h("tr", { dataset: { sku: item.sku }, class: item.low_stock ? "low" : "" },
    h("td", {}, item.sku), h("td", {}, item.product_name || "–"),
    ...[item.on_hand, item.reserved, item.available, item.backordered, item.open_orders, item.low_stock_threshold]
      .map((number) => h("td", { class: "number" }, number)),
    h("td", { class: "flags" }, item.low_stock ? badge("low stock", "low") : null,
      item.backordered > 0 ? badge("backordered", "backordered") : null),
    h("td", {}, when(item.updated_at))));
  return [
    h("p", { class: "summary" }, `${page.total} SKU${page.total === 1 ? "" : "s"}`),
    table(["SKU", "product", "on hand", "reserved", "available", "backordered", "open orders", "threshold", "flags", "updated"],
      rows, { class: "stock", id: "stock-table" }),
    pager(cursors, page.next_cursor, showPage),
  ];
}
