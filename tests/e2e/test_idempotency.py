"""``Idempotency-Key``: the same key and body give the same answer and one effect; another body is 422."""

import json
import uuid
from concurrent.futures import ThreadPoolExecutor

import httpx

from ops.settings import Settings
from schemas.topics import ORDERS_EVENTS
from tests.support import read_topic, unique_id

ITEM = {"product_id": "P-1", "product_name": "Widget", "quantity": 2, "unit_price": "10.00"}


def keyed(key: str) -> dict[str, str]:
    return {"Idempotency-Key": key}


def event_types(settings: Settings, order_id: str) -> list[str]:
    records = read_topic(settings.kafka_bootstrap, ORDERS_EVENTS, order_id.encode())
    return [json.loads(record.value())["type"] for record in records]


def test_a_repeated_create_names_the_same_order_and_creates_it_once(system: Settings, commands: httpx.Client) -> None:
    key = str(uuid.uuid4())
    first = commands.post("/orders", params={"wait": 15}, json={"customer_id": "C-IDEM"}, headers=keyed(key))
    again = commands.post("/orders", params={"wait": 15}, json={"customer_id": "C-IDEM"}, headers=keyed(key))
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert event_types(system, first.json()["aggregate_id"]) == ["OrderCreated"]


def test_a_repeated_add_item_adds_once(system: Settings, commands: httpx.Client) -> None:
    order_id = unique_id("ORD")
    commands.post("/orders", params={"wait": 15}, json={"order_id": order_id, "customer_id": "C-IDEM"})
    key = str(uuid.uuid4())
    answers = [commands.post(f"/orders/{order_id}/items", params={"wait": 15}, json=ITEM, headers=keyed(key))
               for _ in range(3)]
    assert {answer.status_code for answer in answers} == {200}
    assert len({answer.json()["command_id"] for answer in answers}) == 1
    different_key = commands.post(f"/orders/{order_id}/items", params={"wait": 15}, json=ITEM, headers=keyed(str(uuid.uuid4())))
    assert different_key.json()["version"] == 3
    assert event_types(system, order_id) == ["OrderCreated", "ItemAdded", "ItemAdded"]


def test_a_key_reused_with_another_body_is_422(commands: httpx.Client) -> None:
    key = str(uuid.uuid4())
    assert commands.post("/orders", json={"customer_id": "C-1"}, headers=keyed(key)).status_code == 202
    other = commands.post("/orders", json={"customer_id": "C-2"}, headers=keyed(key))
    assert other.status_code == 422
    assert other.json()["detail"][0]["field"] == "Idempotency-Key"


def test_concurrent_requests_with_one_key_have_one_effect(system: Settings, commands: httpx.Client) -> None:
    order_id = unique_id("ORD")
    commands.post("/orders", params={"wait": 15}, json={"order_id": order_id, "customer_id": "C-IDEM"})
    key = str(uuid.uuid4())
    base_url = f"http://127.0.0.1:{system.command_api_port}"

    def add() -> httpx.Response:
        return httpx.post(f"{base_url}/orders/{order_id}/items", params={"wait": 15}, json=ITEM, headers=keyed(key), timeout=30)

    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(lambda _: add(), range(8)))
    assert {answer.status_code for answer in answers} == {200}
    assert {answer.json()["version"] for answer in answers} == {2}
    assert event_types(system, order_id) == ["OrderCreated", "ItemAdded"]
