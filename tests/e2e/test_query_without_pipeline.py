"""The query API over real indexes, with documents written straight into the aliases (no pipeline needed):
cursors handed out page on and forged ones are 422, odd ids are looked up as ids, every calendar interval works,
and a customer document indexed before placed_orders existed is answered with both figures."""

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from elasticsearch import Elasticsearch

from ops.settings import Settings
from schemas.mappings import CUSTOMERS, ORDERS
from tests.support import unique_id

TOTALS = ["10.00", "20.00", "30.00"]


def order_document(order_id: str, customer_id: str, total: str, day: int) -> dict[str, Any]:
    at = f"2026-03-{day:02d}T12:00:00Z"
    return {"order_id": order_id, "customer_id": customer_id, "status": "SUBMITTED", "items": [
        {"product_id": "QA-P-1", "product_name": "Lamp", "quantity": 1, "unit_price": total, "line_total": total}],
        "item_count": 1, "total_amount": total, "currency": "EUR", "payment_status": "unpaid", "amount_paid": "0.00",
        "created_at": at, "submitted_at": at, "updated_at": at, "version": 3}


@pytest.fixture(scope="module")
def es(system: Settings) -> Iterator[Elasticsearch]:
    client = Elasticsearch(system.elasticsearch_url)
    yield client
    client.close()


@pytest.fixture(scope="module")
def customer_orders(es: Elasticsearch) -> Iterator[tuple[str, list[str]]]:
    """Three orders of a customer of the test's own, indexed directly and deleted afterwards."""
    customer_id = unique_id("QA-CUST")
    order_ids = [unique_id("QA-ORD") for _ in TOTALS]
    for day, (order_id, total) in enumerate(zip(order_ids, TOTALS, strict=True), start=1):
        es.index(index=ORDERS.alias, id=order_id, document=order_document(order_id, customer_id, total, day))
    es.indices.refresh(index=ORDERS.alias)
    yield customer_id, order_ids
    for order_id in order_ids:
        es.delete(index=ORDERS.alias, id=order_id, refresh=True)


def all_pages(queries: httpx.Client, params: dict[str, Any]) -> list[str]:
    seen: list[str] = []
    cursor = None
    while True:
        page = queries.get("/orders", params={**params, "size": 1, **({"cursor": cursor} if cursor else {})})
        assert page.status_code == 200, page.text
        seen += [order["order_id"] for order in page.json()["data"]]
        cursor = page.json()["next_cursor"]
        if cursor is None:
            return seen


@pytest.mark.parametrize(("sort", "text"), [("newest", None), ("total_desc", None), ("relevance", "lamp")])
def test_every_cursor_handed_out_pages_on(
    queries: httpx.Client, customer_orders: tuple[str, list[str]], sort: str, text: str | None,
) -> None:
    customer_id, order_ids = customer_orders
    params = {"customer_id": customer_id, "sort": sort, **({"q": text} if text else {})}
    assert sorted(all_pages(queries, params)) == sorted(order_ids)


@pytest.mark.parametrize("cursor", ["W10", "WzFlNDAwXQ", "WyJhYmMiLCAiUUEiXQ"])  # [], [1e400], ["abc", "QA"]
@pytest.mark.parametrize("path", ["/orders", "/inventory", "/customers/{customer}/orders"])
def test_a_forged_cursor_is_422_naming_it_before_elasticsearch_sees_it(
    queries: httpx.Client, customer_orders: tuple[str, list[str]], path: str, cursor: str,
) -> None:
    response = queries.get(path.format(customer=customer_orders[0]), params={"cursor": cursor})
    assert response.status_code == 422, response.text
    assert response.json()["detail"][0]["field"] == "cursor"


@pytest.mark.parametrize("path", ["/orders/%2E", "/orders/%2E%2E", "/customers/%2E%2E", "/orders/%2E%2E/timeline"])
def test_dot_ids_are_ids_not_path_segments(queries: httpx.Client, path: str) -> None:
    assert queries.get(path).status_code == 404


@pytest.mark.parametrize("interval", ["1m", "1h", "1d", "1w", "1M", "1q", "1y", "day"])
def test_every_calendar_interval_counts_the_orders(
    queries: httpx.Client, customer_orders: tuple[str, list[str]], interval: str,
) -> None:
    params = {"customer_id": customer_orders[0], "from": "2026-03-01T00:00:00Z", "to": "2026-03-03T23:59:59Z",
              "interval": interval}
    if interval == "1m":
        params["to"] = "2026-03-01T12:30:00Z"
    response = queries.get("/stats/orders", params=params)
    assert response.status_code == 200, response.text
    expected = 1 if interval == "1m" else len(TOTALS)
    assert (response.json()["interval"], sum(entry["orders"] for entry in response.json()["over_time"])) == (
        interval, expected)


def test_a_window_beyond_the_bucket_limit_is_422_naming_the_interval(
    queries: httpx.Client, customer_orders: tuple[str, list[str]],
) -> None:
    """Only `from`: Elasticsearch counts the minutes from 1970 up to the newest order, and refuses."""
    response = queries.get("/stats/orders", params={"from": "1970-01-01T00:00:00Z", "interval": "1m"})
    assert response.status_code == 422, response.text
    assert response.json()["detail"][0]["field"] == "interval"


@pytest.fixture(scope="module")
def customer_indexed_before_placed_orders(es: Elasticsearch, customer_orders: tuple[str, list[str]]) -> Iterator[str]:
    """The customer of ``customer_orders`` as the projector wrote it when total_orders counted placed orders only:
    three placed orders and a draft."""
    customer_id = customer_orders[0]
    by_status = {"DRAFT": 1, "SUBMITTED": 3, "CONFIRMED": 0, "SHIPPED": 0, "DELIVERED": 0, "CANCELLED": 0}
    document = {"customer_id": customer_id, "name": "Legacy Customer", "email": None, "total_orders": 3,
                "total_spent": "60.00", "average_order_value": "20.00", "first_order_at": "2026-03-01T12:00:00Z",
                "last_order_at": "2026-03-03T12:00:00Z", "favourite_products": [], "orders_by_status": by_status,
                "registered_at": None, "updated_at": "2026-03-03T12:00:00Z", "version": 10}
    es.index(index=CUSTOMERS.alias, id=customer_id, document=document, refresh=True)
    yield customer_id
    es.delete(index=CUSTOMERS.alias, id=customer_id, refresh=True)


@pytest.mark.parametrize("path", ["/customers/{customer}", "/customers/{customer}/orders"])
def test_a_customer_indexed_before_placed_orders_counts_every_order_and_the_placed_ones(
    queries: httpx.Client, customer_indexed_before_placed_orders: str, path: str,
) -> None:
    response = queries.get(path.format(customer=customer_indexed_before_placed_orders))
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["total_orders"], body["placed_orders"], body["total_spent"]) == (4, 3, "60.00")
