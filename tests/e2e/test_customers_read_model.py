"""Customers and their orders travel through the command API, both projections and the query API."""

import json
import uuid
from datetime import datetime
from typing import Any

import httpx

from tests.support import eventually, unique_id

WAIT = {"wait": 15}


def unique_word() -> str:
    """A made-up word no other test uses: letters only, so the analyzer keeps it as one token."""
    return "Q" + "".join(chr(ord("a") + int(digit, 16) % 26) for digit in uuid.uuid4().hex[:9])


def misspelt(word: str) -> str:
    """One letter replaced: within the fuzziness a search allows."""
    return word[:4] + ("x" if word[4] != "x" else "y") + word[5:]


def accepted(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code in (200, 201), response.text
    return response.json()


def register(commands: httpx.Client, customer_id: str, name: str, email: str) -> None:
    accepted(commands.post("/customers", params=WAIT, json={"customer_id": customer_id, "name": name, "email": email}))


def place_order(commands: httpx.Client, customer_id: str, items: list[tuple[str, int, str]], *steps: str) -> str:
    """Create an order with ``items`` (product id, quantity, unit price) and take it through ``steps``."""
    order_id = unique_id("ORD")
    lines = [{"product_id": product, "product_name": f"Product {product}", "quantity": quantity, "unit_price": price}
             for product, quantity, price in items]
    accepted(commands.post("/orders", params=WAIT, json={"order_id": order_id, "customer_id": customer_id, "items": lines}))
    bodies = {"ship": {"carrier": "DHL", "tracking_number": "TRK-1"}, "cancel": {"reason": "changed my mind"}}
    for step in steps:
        accepted(commands.post(f"/orders/{order_id}/{step}", params=WAIT, json=bodies.get(step)))
    return order_id


def customer_at(queries: httpx.Client, customer_id: str, version: int) -> dict[str, Any] | None:
    response = queries.get(f"/customers/{customer_id}")
    return response.json() if response.status_code == 200 and response.json()["version"] == version else None


def submitted_at(queries: httpx.Client, order_id: str) -> datetime:
    return datetime.fromisoformat(queries.get(f"/orders/{order_id}").json()["submitted_at"])


def test_the_customer_summary_counts_every_order_and_the_money_of_placed_ones_and_lists_every_order(
    commands: httpx.Client, queries: httpx.Client
) -> None:
    customer_id, word = unique_id("CUST"), unique_word()
    register(commands, customer_id, f"Marigold {word}", f"{word.lower()}@example.com")
    shipped = place_order(commands, customer_id, [("P-A", 2, "10.00"), ("P-B", 1, "5.50")],
                          "submit", "confirm", "ship")
    confirmed = place_order(commands, customer_id, [("P-A", 1, "10.00")], "submit", "confirm")
    submitted = place_order(commands, customer_id, [("P-C", 5, "1.00")], "submit")
    cancelled = place_order(commands, customer_id, [("P-D", 10, "100.00")], "submit", "cancel")
    draft = place_order(commands, customer_id, [("P-E", 20, "3.00")])

    # customer 1 + order versions 6 (3 events at creation, submit, confirm, ship) + 4 + 3 + 4 + 2
    customer = eventually(lambda: customer_at(queries, customer_id, 20), timeout_s=60)
    assert (customer["name"], customer["email"]) == (f"Marigold {word}", f"{word.lower()}@example.com")
    assert (customer["total_orders"], customer["placed_orders"]) == (5, 3)
    assert (customer["total_spent"], customer["average_order_value"]) == ("40.50", "13.50")
    assert customer["orders_by_status"] == {
        "DRAFT": 1, "SUBMITTED": 1, "CONFIRMED": 1, "SHIPPED": 1, "DELIVERED": 0, "CANCELLED": 1}
    assert [(f["product_id"], f["product_name"], f["quantity"]) for f in customer["favourite_products"]] == [
        ("P-C", "Product P-C", 5), ("P-A", "Product P-A", 3), ("P-B", "Product P-B", 1)]
    # the first and last submission of any order: the cancelled order was placed last
    assert datetime.fromisoformat(customer["first_order_at"]) == submitted_at(queries, shipped)
    assert datetime.fromisoformat(customer["last_order_at"]) == submitted_at(queries, cancelled)

    def listed() -> dict[str, Any] | None:
        page = queries.get(f"/customers/{customer_id}/orders").json()
        return page if [order["status"] for order in page["orders"]] == [
            "DRAFT", "CANCELLED", "SUBMITTED", "CONFIRMED", "SHIPPED"] else None

    page = eventually(listed, timeout_s=30)
    assert [order["order_id"] for order in page["orders"]] == [draft, cancelled, submitted, confirmed, shipped]
    assert (page["customer_id"], page["total_orders"], page["placed_orders"], page["total_spent"], page["total"]) == (
        customer_id, 5, 3, "40.50", 5)
    assert page["orders"][-1]["total_amount"] == "25.50" and page["next_cursor"] is None

    first = queries.get(f"/customers/{customer_id}/orders", params={"size": 2}).json()
    second = queries.get(f"/customers/{customer_id}/orders", params={"size": 2, "cursor": first["next_cursor"]}).json()
    assert [order["order_id"] for order in first["orders"] + second["orders"]] == [draft, cancelled, submitted, confirmed]

    found = queries.get("/customers", params={"q": f"marigold {misspelt(word)}", "size": 5}).json()
    assert customer_id in [hit["customer_id"] for hit in found["data"]] and found["total"] >= 1
    by_email = queries.get("/customers", params={"q": f"{word.lower()}@example.com"}).json()
    assert by_email["data"][0]["customer_id"] == customer_id


def test_orders_placed_before_the_customer_registers_count_and_the_name_follows(
    commands: httpx.Client, queries: httpx.Client
) -> None:
    customer_id = unique_id("CUST")
    place_order(commands, customer_id, [("P-1", 3, "7.00")], "submit")

    anonymous = eventually(lambda: customer_at(queries, customer_id, 3), timeout_s=60)
    assert (anonymous["name"], anonymous["email"], anonymous["total_orders"], anonymous["placed_orders"],
            anonymous["total_spent"]) == (None, None, 1, 1, "21.00")

    register(commands, customer_id, "Late Registrant", "late@example.com")
    accepted(commands.patch(f"/customers/{customer_id}", params=WAIT, json={"email": "later@example.com"}))
    named = eventually(lambda: customer_at(queries, customer_id, 5), timeout_s=60)
    assert (named["name"], named["email"], named["total_orders"], named["placed_orders"], named["total_spent"]) == (
        "Late Registrant", "later@example.com", 1, 1, "21.00")
    assert named["registered_at"] is not None


def test_a_customer_with_hundreds_of_orders_adds_them_up_and_cancellations_take_them_out(
    commands: httpx.Client, queries: httpx.Client
) -> None:
    customer_id, orders = unique_id("CUST"), 300
    register(commands, customer_id, "Many Orders", "many@example.com")
    lines = []
    for n in range(orders):
        order_id = unique_id("ORD-MANY")
        lines += [
            {"type": "CreateOrder", "payload": {"order_id": order_id, "customer_id": customer_id}},
            {"type": "AddItem", "payload": {"order_id": order_id, "product_id": "P-PEN", "product_name": "Pen",
                                            "quantity": 3, "unit_price": "1.50"}},
            {"type": "SubmitOrder", "payload": {"order_id": order_id}},
            *([{"type": "CancelOrder", "payload": {"order_id": order_id, "reason": "too many"}}] if n % 10 == 0 else []),
        ]
    body = b"".join(json.dumps(line).encode() + b"\n" for line in lines)
    response = commands.post("/commands/batch", content=body, timeout=120)
    assert response.status_code == 200, response.text

    # customer 1 + 270 submitted orders at version 3 + 30 cancelled ones at version 4
    customer = eventually(lambda: customer_at(queries, customer_id, 1 + 270 * 3 + 30 * 4), timeout_s=120)
    assert (customer["total_orders"], customer["placed_orders"]) == (300, 270)
    assert (customer["total_spent"], customer["average_order_value"]) == ("1215.00", "4.50")
    assert (customer["orders_by_status"]["SUBMITTED"], customer["orders_by_status"]["CANCELLED"]) == (270, 30)
    assert customer["favourite_products"] == [{"product_id": "P-PEN", "product_name": "Pen", "quantity": 810}]


def test_unknown_customers_are_404_and_bad_parameters_422(queries: httpx.Client) -> None:
    unknown = unique_id("CUST")
    assert queries.get(f"/customers/{unknown}").status_code == 404
    assert queries.get(f"/customers/{unknown}/orders").status_code == 404
    assert queries.get("/customers", params={"size": 0}).status_code == 422
    assert queries.get("/customers", params={"size": 101}).status_code == 422
    assert queries.get("/customers", params={"q": "x" * 201}).status_code == 422


def test_a_forged_orders_cursor_is_422(commands: httpx.Client, queries: httpx.Client) -> None:
    customer_id = unique_id("CUST")
    register(commands, customer_id, "Cursor Tester", "cursor@example.com")
    eventually(lambda: customer_at(queries, customer_id, 1), timeout_s=60)
    response = queries.get(f"/customers/{customer_id}/orders", params={"cursor": "not a cursor !!"})
    assert response.status_code == 422, response.text
