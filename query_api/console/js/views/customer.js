// One customer: the summary, and the customer's orders newest first (paged with the cursor).

import { query } from "../api.js";
import { badge, card, fields, h, link, message, money, replace, table, when } from "../dom.js";

const PAGE_SIZE = 20;

export async function customerView(context, customerId) {
  const path = `/customers/${encodeURIComponent(customerId)}`;
  const [customer, firstPage] = await Promise.all([query(path), query(`${path}/orders`, { size: PAGE_SIZE })]);
  const rows = h("tbody", {});
  const more = h("button", { type: "button", id: "more-orders" }, "More orders");
  const showPage = (page) => {
    rows.append(...page.orders.map(orderRow));
    more.hidden = !page.next_cursor;
    more.onclick = async () => showPage(await query(`${path}/orders`, { size: PAGE_SIZE, cursor: page.next_cursor }));
  };
  const orders = firstPage.orders.length
    ? [h("table", { class: "orders", id: "customer-orders" },
        h("thead", {}, h("tr", {}, ["order", "status", "payment", "items", "total", "created"].map((name) => h("th", {}, name)))),
        rows), more]
    : [message("info", "No orders yet.")];
  replace(context.root,
    h("h2", {}, customer.name || customer.customer_id, h("span", { class: "muted" }, ` ${customer.customer_id}`)),
    h("div", { class: "cards" },
      card("Customer", fields([["name", customer.name], ["email", customer.email], ["registered", when(customer.registered_at)]])),
      card("Orders", fields([
        ["total orders", customer.total_orders], ["placed orders", customer.placed_orders],
        ["total spent", money(customer.total_spent)], ["average order", money(customer.average_order_value)],
        ["first order", when(customer.first_order_at)], ["last order", when(customer.last_order_at)]])),
      card("By status", fields(Object.entries(customer.orders_by_status).map(([status, count]) => [badge(status), count]))),
      card("Favourite products", customer.favourite_products.length
        ? table(["product", "quantity"], customer.favourite_products.map((product) =>
          h("tr", {}, h("td", {}, product.product_name), h("td", { class: "number" }, product.quantity))))
        : message("info", "None yet."))),
    h("h3", {}, `Orders (${firstPage.total})`), orders);
  showPage(firstPage);
}

function orderRow(order) {
  return h("tr", { dataset: { orderId: order.order_id } },
    h("td", {}, link(`#/orders/${encodeURIComponent(order.order_id)}`, order.order_id)),
    h("td", {}, badge(order.status)), h("td", {}, badge(order.payment_status)),
    h("td", { class: "number" }, order.item_count),
    h("td", { class: "number" }, money(order.total_amount, order.currency)), h("td", {}, when(order.created_at)));
}
