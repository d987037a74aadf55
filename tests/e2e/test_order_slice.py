"""An order travels HTTP -> Kafka -> Faust -> Elasticsearch -> search."""

import json

import httpx

from ops.settings import Settings
from schemas.topics import ORDERS_EVENTS
from tests.support import eventually, read_topic, unique_id


def test_order_with_two_items_is_found_by_product_name_and_logged_as_events(
    system: Settings, commands: httpx.Client, queries: httpx.Client
) -> None:
    order_id = unique_id("ORD")
    product = f"Quokka{order_id[-6:].lower()} Lamp"
    created = commands.post("/orders", params={"wait": 15}, json={
        "order_id": order_id, "customer_id": "C-E2E", "customer": {"name": "Erin Tester", "email": "erin@example.com"}})
    assert created.status_code == 201, created.text
    for product_id, name, price in (("P-1", product, "19.99"), ("P-2", "Plain Cable", "5.00")):
        added = commands.post(f"/orders/{order_id}/items", params={"wait": 15},
                              json={"product_id": product_id, "product_name": name, "quantity": 2, "unit_price": price})
        assert added.status_code == 200, added.text

    def search() -> list[dict] | None:
        found = queries.get("/orders", params={"q": product}).json()["data"]
        return [hit for hit in found if hit["order_id"] == order_id and hit["version"] == 3] or None

    hit = eventually(search)[0]
    assert [item["product_name"] for item in hit["items"]] == [product, "Plain Cable"]
    assert hit["total_amount"] == "49.98"
    assert hit["customer"]["name"] == "Erin Tester"

    detail = queries.get(f"/orders/{order_id}").json()
    assert detail["version"] == 3 and detail["status"] == "DRAFT" and detail["item_count"] == 4

    events = [json.loads(record.value()) for record in read_topic(system.kafka_bootstrap, ORDERS_EVENTS, order_id.encode())]
    assert [(event["type"], event["version"]) for event in events] == [
        ("OrderCreated", 1), ("ItemAdded", 2), ("ItemAdded", 3)]
    assert all(event["aggregate_id"] == order_id and event["occurred_at"].endswith("Z") for event in events)
