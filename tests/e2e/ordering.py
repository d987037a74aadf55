"""Orders put through the command API for query tests, each command waited for."""

from collections.abc import Iterable
from typing import Any

import httpx

from tests.support import unique_id

Step = tuple[str, dict[str, Any] | None]
SUBMIT: Step = ("submit", None)
CONFIRM: Step = ("confirm", None)


def line(product_id: str, product_name: str, quantity: int, unit_price: str) -> dict[str, Any]:
    return {"product_id": product_id, "product_name": product_name, "quantity": quantity, "unit_price": unit_price}


def cancel(reason: str) -> Step:
    return ("cancel", {"reason": reason})


def decided(response: httpx.Response) -> int:
    """The version an accepted command left the order at."""
    assert response.status_code in (200, 201), response.text
    return int(response.json()["version"])


def step(commands: httpx.Client, order_id: str, action: Step) -> int:
    path, body = action
    return decided(commands.post(f"/orders/{order_id}/{path}", params={"wait": 15}, json=body))


def place_order(commands: httpx.Client, customer_id: str, items: list[dict[str, Any]],
                steps: Iterable[Step] = ()) -> tuple[str, int]:
    """Create an order with ``items``, then take ``steps``; the order id and its last version."""
    order_id = unique_id("ORD")
    version = decided(commands.post("/orders", params={"wait": 15}, json={
        "order_id": order_id, "customer_id": customer_id, "items": items,
        "customer": {"name": f"Query Tester {customer_id}", "email": "query.tester@example.com"}}))
    for action in steps:
        version = step(commands, order_id, action)
    return order_id, version
