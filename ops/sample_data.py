"""A small, repeatable sample data set sent through the command API like any client would."""

import random
import time
from collections.abc import Iterator
from decimal import Decimal

import httpx

from ops.launcher.errors import LauncherError
from ops.progress import Progress
from ops.settings import Settings

CATALOG = [
    ("P-100", "Mechanical Keyboard", Decimal("89.90")), ("P-101", "Wireless Mouse", Decimal("24.50")),
    ("P-102", "USB-C Cable", Decimal("7.99")), ("P-103", "27 inch Monitor", Decimal("249.00")),
    ("P-104", "Laptop Stand", Decimal("39.95")), ("P-105", "Noise Cancelling Headphones", Decimal("179.00")),
    ("P-106", "Webcam", Decimal("59.90")), ("P-107", "Desk Lamp", Decimal("32.00")),
]
CUSTOMERS = [
    ("C-1", "Ada Lovelace", "ada@example.com"), ("C-2", "Grace Hopper", "grace@example.com"),
    ("C-3", "Alan Turing", "alan@example.com"), ("C-4", "Katherine Johnson", "katherine@example.com"),
    ("C-5", "Edsger Dijkstra", "edsger@example.com"),
]
CITIES = [("Berlin", "10115", "DE"), ("Paris", "75001", "FR"), ("Amsterdam", "1011", "NL"), ("Vienna", "1010", "AT")]
# Stock received per product before the orders: the monitor runs short, so some of its lines are backordered.
STOCK = {"P-100": 40, "P-101": 60, "P-102": 120, "P-103": 4, "P-104": 30, "P-105": 15, "P-106": 25, "P-107": 35}
# (step path, body) applied in order; each order stops after a random number of steps.
LIFECYCLE = [("submit", None), ("confirm", None), ("ship", {"carrier": "DHL", "tracking_number": "TRK"}),
             ("deliver", None)]


def _order_body(rng: random.Random, number: int) -> dict[str, object]:
    customer_id, name, email = rng.choice(CUSTOMERS)
    city, postal_code, country = rng.choice(CITIES)
    lines = rng.sample(CATALOG, rng.randint(1, 3))
    return {
        "order_id": f"ORD-S{number:05d}", "customer_id": customer_id, "customer": {"name": name, "email": email},
        "shipping_address": {"line1": f"{rng.randint(1, 200)} Main Street", "city": city,
                             "postal_code": postal_code, "country": country},
        "items": [{"product_id": pid, "product_name": pname, "quantity": rng.randint(1, 3), "unit_price": str(price)}
                  for pid, pname, price in lines],
    }


def _steps(rng: random.Random, order_id: str) -> Iterator[tuple[str, dict[str, object]]]:
    if rng.random() < 0.15:
        yield "cancel", {"reason": "customer changed their mind"}
        return
    for path, body in LIFECYCLE[: rng.randint(0, len(LIFECYCLE))]:
        yield path, ({**body, "tracking_number": f"TRK-{order_id}"} if body else {})


def load_sample_data(settings: Settings, orders: int = 50, seed: int = 7) -> None:
    rng = random.Random(seed)
    base = f"http://127.0.0.1:{settings.command_api_port}"
    with httpx.Client(base_url=base, timeout=30) as client:
        _receive_stock(client)
        progress = Progress("sample orders sent", total=orders, unit="orders")
        for number in range(1, orders + 1):
            body = _order_body(rng, number)
            _send(client, "/orders", body)
            for path, step in _steps(rng, str(body["order_id"])):
                _send(client, f"/orders/{body['order_id']}/{path}", step)
            progress.advance()
        progress.finish()
    _wait_searchable(settings, [f"ORD-S{number:05d}" for number in range(1, orders + 1)])


def _receive_stock(client: httpx.Client) -> None:
    """One receipt per product; the idempotency key makes a second sample run receive nothing more."""
    for product_id, product_name, _ in CATALOG:
        body = {"quantity": STOCK[product_id], "product_name": product_name}
        _send(client, f"/inventory/{product_id}/receipts", body, {"Idempotency-Key": f"sample-receipt-{product_id}"})
    print(f"sample stock received: {len(CATALOG)} products")


def _send(client: httpx.Client, path: str, body: dict[str, object], headers: dict[str, str] | None = None) -> None:
    response = client.post(path, params={"wait": 10}, json=body, headers=headers)
    # 409: already there from an earlier run (the ids are fixed), which is fine.
    if response.status_code not in (200, 201, 409):
        raise LauncherError(f"sample data: POST {path} answered {response.status_code}: {response.text[:200]}")


def _wait_searchable(settings: Settings, order_ids: list[str], timeout_s: float = 60.0) -> None:
    missing = list(order_ids)
    deadline = time.monotonic() + timeout_s
    with httpx.Client(base_url=f"http://127.0.0.1:{settings.query_api_port}", timeout=10) as client:
        while missing and time.monotonic() < deadline:
            missing = [order_id for order_id in missing if client.get(f"/orders/{order_id}").status_code != 200]
            if missing:
                time.sleep(0.5)
    if missing:
        raise LauncherError(f"{len(missing)} sample orders did not become searchable: see `orderflow logs worker`")
    print(f"sample orders searchable: {len(order_ids)}")
