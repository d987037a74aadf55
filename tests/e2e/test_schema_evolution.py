"""OrderCreated v1 records, written to the event log as code before v2 wrote them, fold to the same documents as the
records of today's code: live through the worker, and again through ``orderflow rebuild``."""

import json
import uuid
from typing import Any

import httpx
from confluent_kafka import Message, Producer
from pydantic_core import from_json, to_json

from ops.rebuild.run import rebuild_now
from ops.rebuild.targets import TARGETS
from ops.settings import Settings
from schemas.envelope import event_id
from schemas.mappings import ORDER_EVENTS, ORDERS
from schemas.topics import ORDERS_EVENTS
from tests.schema_history import order_created_v1
from tests.support import eventually, read_topic, unique_id

ITEMS = [{"product_id": "P-EVO-1", "product_name": "Walnut desk organiser", "quantity": 2, "unit_price": "24.50"},
         {"product_id": "P-EVO-2", "product_name": "Brass pen", "quantity": 1, "unit_price": "12.00"}]
CREATE = {"customer": {"name": "Grace Hopper", "email": "grace@example.com"}, "currency": "GBP", "items": ITEMS,
          "shipping_address": {"line1": "1 Harbour Road", "city": "Bristol", "postal_code": "BS1 5TT", "country": "GB"},
          "notes": "Gift wrap, please"}
LAST_VERSION = 4  # created, two items added, one removed


def place_order_today(commands: httpx.Client) -> tuple[str, str]:
    """An order through the command API, whose client names no channel: its OrderCreated is v2."""
    order_id, customer_id = unique_id("ORD-EVO"), unique_id("C-EVO")
    body = {**CREATE, "order_id": order_id, "customer_id": customer_id}
    created = commands.post("/orders", params={"wait": 15}, json=body)
    assert created.status_code == 201, created.text
    removed = commands.delete(f"/orders/{order_id}/items/P-EVO-2", params={"wait": 15})
    assert removed.status_code == 200 and removed.json()["version"] == LAST_VERSION, removed.text
    return order_id, customer_id


def as_written_before_v2(event: Message, order_id: str, customer_id: str) -> bytes:
    """The same event of another order and customer, as code before ``OrderCreated`` v2 wrote it."""
    record = from_json(event.value())
    command_id = uuid.uuid5(uuid.UUID(record["command_id"]), order_id)
    if record["type"] == "OrderCreated":
        payload = {**record["payload"], "customer_id": customer_id}
        assert payload.pop("channel") == "api" and record["schema_version"] == 2
        return order_created_v1(order_id, record["occurred_at"], command_id, **payload)
    return to_json({**record, "aggregate_id": order_id, "id": str(event_id(command_id, record["version"])),
                    "command_id": str(command_id), "correlation_id": str(command_id)})


def write_raw(settings: Settings, order_id: str, values: list[bytes]) -> None:
    producer = Producer({"bootstrap.servers": settings.kafka_bootstrap, "partitioner": "murmur2_random"})
    failed: list[str] = []
    for value in values:
        producer.produce(ORDERS_EVENTS, key=order_id.encode(), value=value,
                         on_delivery=lambda error, message: error and failed.append(str(error)))
    assert producer.flush(10) == 0 and not failed, failed


def seen_as(body: dict[str, Any], order_id: str, customer_id: str) -> dict[str, Any]:
    """A document or timeline with its own order and customer ids named alike, so two orders compare."""
    text = json.dumps(body).replace(order_id, "<order>").replace(customer_id, "<customer>")
    return json.loads(text)


def order_and_timeline(queries: httpx.Client, order_id: str, customer_id: str) -> dict[str, Any] | None:
    order = queries.get(f"/orders/{order_id}")
    timeline = queries.get(f"/orders/{order_id}/timeline")
    # Both read models at the last version: the timeline's index refreshes apart from the orders index.
    if (order.status_code != 200 or timeline.status_code != 200 or order.json()["version"] != LAST_VERSION
            or timeline.json()["total"] != LAST_VERSION):
        return None
    return seen_as({"order": order.json(), "timeline": timeline.json()}, order_id, customer_id)


def test_order_created_v1_records_fold_to_the_documents_of_v2_records_live_and_rebuilt(
    system: Settings, commands: httpx.Client, queries: httpx.Client,
) -> None:
    today, today_customer = place_order_today(commands)
    events = read_topic(system.kafka_bootstrap, ORDERS_EVENTS, today.encode())
    assert [from_json(event.value())["type"] for event in events] == ["OrderCreated", "ItemAdded", "ItemAdded",
                                                                      "ItemRemoved"]
    before, before_customer = unique_id("ORD-EVO-V1"), unique_id("C-EVO-V1")
    write_raw(system, before, [as_written_before_v2(event, before, before_customer) for event in events])

    expected = eventually(lambda: order_and_timeline(queries, today, today_customer), timeout_s=60)
    assert expected["order"]["channel"] == "api"
    live = eventually(lambda: order_and_timeline(queries, before, before_customer), timeout_s=60)
    assert live == expected

    for read_model in (ORDERS, ORDER_EVENTS):
        report = rebuild_now(system, TARGETS[read_model.alias], drop_old=True)
        assert report.ok and not [line for line in report.skipped if before in line], report.verification.lines()
    assert order_and_timeline(queries, before, before_customer) == expected


def test_an_order_shows_the_channel_its_client_named(commands: httpx.Client, queries: httpx.Client) -> None:
    order_id = unique_id("ORD-EVO-WEB")
    created = commands.post("/orders", params={"wait": 15}, json={"order_id": order_id, "customer_id": "C-EVO-WEB",
                                                                   "channel": "web"})
    assert created.status_code == 201 and created.json()["events"][0]["schema_version"] == 2, created.text
    order = eventually(lambda: (response := queries.get(f"/orders/{order_id}")).status_code == 200 and response.json())
    assert order["channel"] == "web"
