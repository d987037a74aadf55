"""Many concurrent orders over a few SKUs: once they settle, every stock holds exactly what its open orders hold.

For every SKU: ``reserved`` equals the sum, over its open (SUBMITTED or CONFIRMED) orders, of what each order's
line has reserved (its quantity less what the order records as backordered); ``reserved + backordered`` equals the
sum of those lines' quantities; ``available = on_hand − reserved``. Checked in the stock table (its changelog topic,
read with the worker's own codec), in Elasticsearch, after a worker restart and after the read model is rebuilt.
"""

import json
import random
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from confluent_kafka import Producer
from elasticsearch import Elasticsearch

from common.clients import kafka_options
from common.lag import GroupLag
from domain.stock import load_stock
from ops.admin.reset import changelog_topic
from ops.launcher import stack
from ops.launcher.services import worker_services
from ops.rebuild.run import rebuild_now
from ops.rebuild.targets import TARGETS
from ops.settings import Settings
from schemas import topics
from schemas.mappings import INVENTORY
from streams.specs import INVENTORY_AGGREGATE
from tests.e2e.ordering import line
from tests.support import eventually, read_topic, unique_id

WAIT = {"wait": 30}
OPEN = ("SUBMITTED", "CONFIRMED")
ORDERS = 36


@dataclass(frozen=True)
class Stock:
    on_hand: int
    reserved: int
    available: int
    backordered: int


def send_stock_command(commands: httpx.Client, type_name: str, payload: dict[str, Any]) -> None:
    """Through the batch endpoint, then until its outcome says accepted."""
    body = json.dumps({"type": type_name, "payload": payload}) + "\n"
    answer = commands.post("/commands/batch", content=body, headers={"content-type": "application/x-ndjson"})
    result = json.loads(answer.text.splitlines()[0])
    assert result["status"] == 202, result
    outcome = eventually(lambda: (s := commands.get(f"/commands/{result['command_id']}").json())["status"] != "pending"
                         and s, timeout_s=90)
    assert outcome["status"] == "accepted", outcome


def place(commands: httpx.Client, rng: random.Random, skus: list[str]) -> str:
    """An order over one to three of ``skus``, submitted, then cancelled, shipped or left open."""
    order_id = unique_id("ORD-INV")
    chosen = rng.sample(skus, k=rng.randint(1, len(skus)))
    items = [line(sku, f"Stock item {sku}", rng.randint(1, 4), "2.50") for sku in chosen]
    created = commands.post("/orders", params=WAIT, json={"order_id": order_id, "customer_id": "C-INV", "items": items})
    assert created.status_code == 201, created.text
    steps = [("submit", None)] + rng.choice([[], [], [("cancel", {"reason": "no longer needed"})],
                                             [("confirm", None)],
                                             [("confirm", None), ("ship", {"carrier": "DHL", "tracking_number": "T-1"})],
                                             [("confirm", None), ("cancel", {"reason": "changed plans"})]])
    for path, body in steps:
        answer = commands.post(f"/orders/{order_id}/{path}", params=WAIT, json=body)
        assert answer.status_code == 200, answer.text
    return order_id


def expected_holdings(queries: httpx.Client, order_ids: list[str], skus: list[str]) -> dict[str, tuple[int, int]] | None:
    """Per SKU: (reserved, wanted) over the open orders, from the orders' own read model; None until all are indexed
    at their latest status."""
    held = {sku: (0, 0) for sku in skus}
    for order_id in order_ids:
        response = queries.get(f"/orders/{order_id}")
        if response.status_code != 200:
            return None
        order = response.json()
        if order["status"] not in OPEN:
            continue
        for item in order["items"]:
            reserved, wanted = held[item["product_id"]]
            held[item["product_id"]] = (reserved + item["quantity"] - item["backordered"], wanted + item["quantity"])
    return held


def indexed_stock(es: Elasticsearch, sku: str) -> Stock | None:
    found = es.options(ignore_status=404).get(index=INVENTORY.alias, id=sku)
    if not found.get("found"):
        return None
    body = found["_source"]
    return Stock(body["on_hand"], body["reserved"], body["available"], body["backordered"])


def table_stock(system: Settings, skus: list[str]) -> dict[str, Stock]:
    """The latest value of each key in the stock table's changelog (a SKU's stock entry and its orders' entries),
    each SKU loaded from them as the worker loads it."""
    topic = changelog_topic(system, INVENTORY_AGGREGATE.table_name)
    latest: dict[str, bytes] = {}
    for record in read_topic(system.kafka_bootstrap, topic):
        latest[json.loads(record.key())] = record.value()
    stocks = {}
    for sku in skus:
        state = load_stock(sku, latest.get)
        if state is not None:
            levels = state.levels
            stocks[sku] = Stock(levels.on_hand, levels.reserved, levels.available, levels.backordered)
    return stocks


def invariant_broken(stock: Stock | None, reserved: int, wanted: int) -> str | None:
    if stock is None:
        return "missing"
    if stock.reserved != reserved:
        return f"reserved {stock.reserved}, open orders hold {reserved}"
    if stock.reserved + stock.backordered != wanted:
        return f"reserved + backordered {stock.reserved + stock.backordered}, open orders want {wanted}"
    if stock.available != stock.on_hand - stock.reserved:
        return f"available {stock.available} is not on hand {stock.on_hand} - reserved {stock.reserved}"
    return None


def violations(system: Settings, queries: httpx.Client, order_ids: list[str], skus: list[str]) -> dict[str, str]:
    holdings = expected_holdings(queries, order_ids, skus)
    if holdings is None:
        return {"orders": "not all indexed yet"}
    tables = table_stock(system, skus)
    found = {}
    with Elasticsearch(system.elasticsearch_url) as es:
        indexed = {sku: indexed_stock(es, sku) for sku in skus}
    for sku, (reserved, wanted) in holdings.items():
        for where, stock in (("table", tables.get(sku)), ("index", indexed[sku])):
            if (broken := invariant_broken(stock, reserved, wanted)) is not None:
                found[f"{sku} {where}"] = broken
    return found


def settled(system: Settings, queries: httpx.Client, order_ids: list[str], skus: list[str]) -> None:
    last: dict[str, str] = {}

    def holds() -> bool:
        nonlocal last
        last = violations(system, queries, order_ids, skus)
        return not last

    try:
        eventually(holds, timeout_s=180, interval_s=2)
    except AssertionError:
        pytest.fail(f"the stock invariant does not hold: {last}")


@pytest.fixture(scope="module")
def settled_orders(system: Settings, commands: httpx.Client, queries: httpx.Client) -> tuple[list[str], list[str]]:
    skus = [unique_id("SKU") for _ in range(3)]
    for sku, quantity in zip(skus, (30, 8, 60), strict=True):
        send_stock_command(commands, "ReceiveStock", {"sku": sku, "quantity": quantity, "product_name": f"Item {sku}"})
    rng = random.Random(5)
    seeds = [random.Random(rng.random()) for _ in range(ORDERS)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        placing = [pool.submit(place, commands, seed, skus) for seed in seeds]
        # Stock moves while orders arrive: a receipt fills backorders, a count correction takes some back.
        send_stock_command(commands, "ReceiveStock", {"sku": skus[1], "quantity": 5})
        send_stock_command(commands, "AdjustStock", {"sku": skus[0], "quantity_delta": -3, "reason": "damaged"})
        order_ids = [future.result() for future in placing]
    settled(system, queries, order_ids, skus)
    return order_ids, skus


def test_every_stock_holds_what_its_open_orders_hold(
    system: Settings, queries: httpx.Client, settled_orders: tuple[list[str], list[str]],
) -> None:
    order_ids, skus = settled_orders
    assert violations(system, queries, order_ids, skus) == {}
    with Elasticsearch(system.elasticsearch_url) as es:
        stocks = [indexed_stock(es, sku) for sku in skus]
    assert any(stock is not None and stock.backordered for stock in stocks), "one SKU is meant to run short"


def test_the_invariant_holds_after_a_worker_restart(
    system: Settings, commands: httpx.Client, queries: httpx.Client, settled_orders: tuple[list[str], list[str]],
) -> None:
    order_ids, skus = settled_orders
    assert all([service.process(system).stop() for service in worker_services(system)])
    stack.up(system)
    order_ids.extend(place(commands, random.Random(seed), skus) for seed in range(4))
    settled(system, queries, order_ids, skus)


def test_the_invariant_holds_after_the_inventory_is_rebuilt(
    system: Settings, queries: httpx.Client, settled_orders: tuple[list[str], list[str]],
) -> None:
    order_ids, skus = settled_orders
    report = rebuild_now(system, TARGETS["inventory"], drop_old=True)
    assert report.ok, report.verification.lines()
    settled(system, queries, order_ids, skus)


def caught_up(system: Settings, topic_names: tuple[str, ...]) -> bool:
    lag = GroupLag(kafka_options(system), system.worker_id)
    try:
        return all(row.lag == 0 for row in lag.lag(topic_names))
    finally:
        lag.close()


def test_order_events_delivered_again_reserve_nothing_more(
    system: Settings, queries: httpx.Client, settled_orders: tuple[list[str], list[str]],
) -> None:
    order_ids, skus = settled_orders
    with Elasticsearch(system.elasticsearch_url) as es:
        versions = {sku: es.get(index=INVENTORY.alias, id=sku)["_version"] for sku in skus}
    wanted = {order_id.encode() for order_id in order_ids}
    again = [record for record in read_topic(system.kafka_bootstrap, topics.ORDERS_EVENTS) if record.key() in wanted]
    producer = Producer({"bootstrap.servers": system.kafka_bootstrap})
    for record in again:
        producer.produce(topics.ORDERS_EVENTS, key=record.key(), value=record.value())
    assert producer.flush(30) == 0
    flow = (topics.ORDERS_EVENTS, topics.INVENTORY_COMMANDS, topics.INVENTORY_EVENTS, topics.ORDERS_COMMANDS)
    eventually(lambda: caught_up(system, flow), timeout_s=120, interval_s=1)
    assert violations(system, queries, order_ids, skus) == {}
    with Elasticsearch(system.elasticsearch_url) as es:
        assert {sku: es.get(index=INVENTORY.alias, id=sku)["_version"] for sku in skus} == versions
    assert len(again) >= 2 * len(order_ids)
