"""Elasticsearch stops while commands keep coming; once it is back, every order and event is indexed at its version."""

import time

import httpx
from elasticsearch import Elasticsearch

from ops.launcher import elasticsearch, stack
from ops.settings import Settings
from schemas.mappings import ORDER_EVENTS
from tests.support import eventually, unique_id

ORDERS = 12


def put_through(commands: httpx.Client, order_id: str, items: int) -> int:
    """Create, add ``items`` lines and submit; returns the order's final version."""
    created = commands.post("/orders", params={"wait": 15}, json={"order_id": order_id, "customer_id": "C-OUTAGE"})
    assert created.status_code == 201, created.text
    for n in range(items):
        item = {"product_id": f"P-{n}", "product_name": f"Outage part {n}", "quantity": 1, "unit_price": "3.00"}
        assert commands.post(f"/orders/{order_id}/items", params={"wait": 15}, json=item).status_code == 200
    submitted = commands.post(f"/orders/{order_id}/submit", params={"wait": 15})
    assert submitted.status_code == 200, submitted.text
    return int(submitted.json()["version"])


def test_orders_decided_while_elasticsearch_is_down_are_all_indexed_after(
    system: Settings, commands: httpx.Client, queries: httpx.Client,
) -> None:
    before = {unique_id("ORD-OUT"): 1 for _ in range(2)}
    versions = {order_id: put_through(commands, order_id, items) for order_id, items in before.items()}
    assert elasticsearch.process(system).stop()
    try:
        during = {unique_id("ORD-OUT"): 1 + n % 4 for n in range(ORDERS)}
        versions |= {order_id: put_through(commands, order_id, items) for order_id, items in during.items()}
        time.sleep(3)  # the projector retries against the stopped server for a while
    finally:
        stack.up(system)

    def indexed_version(order_id: str) -> int | None:
        response = queries.get(f"/orders/{order_id}")
        return response.json()["version"] if response.status_code == 200 else None

    eventually(lambda: all(indexed_version(order_id) == version for order_id, version in versions.items()),
               timeout_s=120, interval_s=1)
    client = Elasticsearch(system.elasticsearch_url)
    client.indices.refresh(index=ORDER_EVENTS.alias)
    for order_id, version in versions.items():
        hits = client.search(index=ORDER_EVENTS.alias, query={"term": {"order_id": order_id}}, size=100,
                             version=True)["hits"]["hits"]
        assert sorted(hit["_source"]["version"] for hit in hits) == list(range(1, version + 1)), order_id
        assert all(hit["_version"] == hit["_source"]["version"] for hit in hits)
