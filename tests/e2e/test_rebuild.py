"""``orderflow rebuild`` while queries and commands keep coming: no failed query, nothing missing afterwards."""

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import httpx
from elasticsearch import Elasticsearch

from ops.rebuild.run import rebuild_now
from ops.rebuild.targets import TARGETS
from ops.rebuild.verify import indexed_pairs, verify
from ops.settings import Settings
from schemas.mappings import ORDER_EVENTS, ORDERS
from tests.support import eventually, unique_id

ITEM = {"product_id": "P-RB", "product_name": "Rebuild widget", "quantity": 1, "unit_price": "4.00"}


def create_order(client: httpx.Client) -> str:
    order_id = unique_id("ORD-RB")
    assert client.post("/orders", json={"order_id": order_id, "customer_id": "C-REBUILD", "items": [ITEM]}).status_code == 202
    return order_id


def keep_querying(base_url: str, order_id: str, stop: threading.Event) -> tuple[int, list[str]]:
    answered, failures = 0, []
    with httpx.Client(base_url=base_url, timeout=10) as client:
        while not stop.is_set():
            for response in (client.get(f"/orders/{order_id}"), client.get("/orders", params={"q": "rebuild widget"})):
                answered += 1
                if response.status_code != 200:
                    failures.append(f"{response.request.url}: {response.status_code} {response.text[:200]}")
    return answered, failures


def keep_commanding(base_url: str, stop: threading.Event) -> list[str]:
    created = []
    with httpx.Client(base_url=base_url, timeout=10) as client:
        while not stop.is_set():
            created.append(create_order(client))
            time.sleep(0.05)
    return created


def indexed_version(queries: httpx.Client, order_id: str) -> int | None:
    response = queries.get(f"/orders/{order_id}")
    return response.json()["version"] if response.status_code == 200 else None


def test_rebuilding_orders_under_load_fails_no_query_and_misses_no_order(
    system: Settings, commands: httpx.Client, queries: httpx.Client,
) -> None:
    before = [create_order(commands) for _ in range(20)]
    eventually(lambda: all(indexed_version(queries, order_id) == 2 for order_id in before), timeout_s=60)
    stop = threading.Event()
    with ThreadPoolExecutor(max_workers=2) as pool:
        reading = pool.submit(keep_querying, f"http://127.0.0.1:{system.query_api_port}", before[0], stop)
        writing = pool.submit(keep_commanding, f"http://127.0.0.1:{system.command_api_port}", stop)
        try:
            report = rebuild_now(system, TARGETS[ORDERS.alias], drop_old=True)
        finally:
            stop.set()
        answered, failures = reading.result()
        during = writing.result()
    assert failures == [] and answered > 0
    assert report.ok, report.verification.lines()
    assert during, "no command arrived during the rebuild"
    eventually(lambda: all(indexed_version(queries, order_id) == 2 for order_id in before + during), timeout_s=90)
    es = Elasticsearch(system.elasticsearch_url)
    assert list(es.indices.get_alias(name=ORDERS.alias).body) == [report.index]


def test_the_verification_fails_when_a_document_goes_missing(system: Settings) -> None:
    report = rebuild_now(system, TARGETS[ORDERS.alias], drop_old=True)
    assert report.ok and report.dropped
    es = Elasticsearch(system.elasticsearch_url)
    indexed = indexed_pairs(es, TARGETS[ORDERS.alias], report.index)
    victim = next(iter(indexed))
    es.delete(index=report.index, id=victim, refresh=True)
    expected = dict(indexed)
    damaged = verify(expected, indexed_pairs(es, TARGETS[ORDERS.alias], report.index))
    assert not damaged.ok and damaged.missing == [victim]
    repaired = rebuild_now(system, TARGETS[ORDERS.alias], drop_old=True)
    assert repaired.ok and repaired.dropped == [report.index]


def customer_totals(queries: httpx.Client, customer_id: str) -> dict[str, object] | None:
    response = queries.get(f"/customers/{customer_id}")
    if response.status_code != 200:
        return None
    body = response.json()
    return {field: body[field] for field in ("version", "total_orders", "placed_orders", "total_spent", "orders_by_status")}


def test_rebuilding_customers_gives_the_same_totals(system: Settings, commands: httpx.Client, queries: httpx.Client) -> None:
    customer_id = unique_id("C-RB")
    order_ids = [unique_id("ORD-RBC") for _ in range(3)]
    for order_id in order_ids:
        body = {"order_id": order_id, "customer_id": customer_id, "items": [ITEM]}
        assert commands.post("/orders", params={"wait": 15}, json=body).status_code == 201
    for order_id in order_ids[:2]:
        assert commands.post(f"/orders/{order_id}/submit", params={"wait": 15}).status_code == 200
    before = eventually(lambda: (t := customer_totals(queries, customer_id)) and t["placed_orders"] == 2 and t, timeout_s=60)
    assert (before["total_orders"], before["total_spent"]) == (3, "8.00")
    report = rebuild_now(system, TARGETS["customers"], drop_old=True)
    assert report.ok, report.verification.lines()
    assert customer_totals(queries, customer_id) == before


def indexed_event_versions(es: Elasticsearch, index: str, order_id: str) -> list[int]:
    hits = es.search(index=index, query={"term": {"order_id": order_id}}, size=100)["hits"]["hits"]
    return sorted(hit["_source"]["version"] for hit in hits)


def test_rebuilding_from_a_time_indexes_what_events_from_then_on_wrote(
    system: Settings, commands: httpx.Client, queries: httpx.Client,
) -> None:
    before = create_order(commands)
    eventually(lambda: indexed_version(queries, before) == 2, timeout_s=60)
    since = datetime.now(UTC)
    after = create_order(commands)
    assert commands.post(f"/orders/{before}/submit", params={"wait": 15}).status_code == 200
    eventually(lambda: indexed_version(queries, after) == 2 and indexed_version(queries, before) == 3, timeout_s=60)
    report = rebuild_now(system, TARGETS[ORDER_EVENTS.alias], drop_old=True, since=since)
    assert report.ok, report.verification.lines()
    es = Elasticsearch(system.elasticsearch_url)
    es.indices.refresh(index=report.index)
    assert indexed_event_versions(es, report.index, after) == [1, 2]
    assert indexed_event_versions(es, report.index, before) == [3]  # its submission; created before ``since``
    everything = rebuild_now(system, TARGETS[ORDER_EVENTS.alias], drop_old=True)
    assert everything.ok and indexed_event_versions(es, everything.index, before) == [1, 2, 3]
