"""After a fault: the event log against the command outcomes, Elasticsearch and the query API.

``assert_recovered`` is the whole check a fault test ends with: every command the API accepted is decided and
reflected in the log exactly once, the log folds to what the client meant, every document in Elasticsearch is at
its aggregate's version in the log, and counts and money (customer totals, revenue, reserved stock) are what the
logged events add up to.
"""

import json
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any, TypeVar

import httpx
from elasticsearch import Elasticsearch

from common.clients import elasticsearch_options
from ops.launcher.services import worker_services
from ops.settings import Settings
from schemas.mappings import INVENTORY, ORDER_EVENTS, ORDERS
from schemas.topics import INVENTORY_EVENTS, ORDERS_EVENTS
from tests.faults.eventlog import Event, LoggedOrder, aggregate_logs, logged_order, reserved_by
from tests.faults.workload import Workload, run_under_fault

T = TypeVar("T")
DECIDED_WITHIN_S = 180.0
PROJECTED_WITHIN_S = 180.0


def settles(read: Callable[[], T], expected: T, timeout_s: float = PROJECTED_WITHIN_S) -> None:
    """Poll ``read`` until it gives ``expected``; fail with the difference otherwise."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if read() == expected:
            return
        time.sleep(1.0)
    assert read() == expected


def decisions(commands: httpx.Client, command_ids: list[str], timeout_s: float = DECIDED_WITHIN_S) -> dict[str, Any]:
    """Each command's decision, once none is pending any more."""
    decided: dict[str, Any] = {}

    def pending() -> list[str]:
        for command_id in [c for c in command_ids if c not in decided]:
            answer = commands.get(f"/commands/{command_id}")
            if answer.status_code == 200 and answer.json()["status"] != "pending":
                decided[command_id] = answer.json()
        return [c for c in command_ids if c not in decided]

    settles(pending, [], timeout_s)
    return decided


def assert_each_command_once(decided: dict[str, Any], logs: dict[str, list[Event]]) -> None:
    """Every command was accepted, its events are in the log exactly as its outcome lists them (an event that
    carries its id and version), and no event in the log comes from anything else."""
    assert [d for d in decided.values() if d["status"] != "accepted"] == []
    logged: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for events in logs.values():
        for event in events:
            logged[event["command_id"]].append((event["id"], event["version"]))
    for command_id, decision in decided.items():
        assert logged.pop(command_id, []) == [(e["id"], e["version"]) for e in decision["events"]], command_id
    assert dict(logged) == {}, "events in the log that no accepted command made"


def assert_as_scripted(workload: Workload, orders: dict[str, LoggedOrder]) -> None:
    """The log says what the client meant: each order's customer, status and lines (quantities and prices)."""
    for script in workload.scripts:
        order = orders[script.order_id]
        assert (order.customer_id, order.status, order.lines) == (script.customer_id, script.status, script.lines)


def assert_orders_indexed_as_logged(es: Elasticsearch, orders: dict[str, LoggedOrder]) -> None:
    """Each order document is at its log version (the document's own and Elasticsearch's), with the logged
    status, lines and total; the order-events index holds each logged event once, at its version."""
    def versions() -> dict[str, int | None]:
        docs = es.mget(index=ORDERS.alias, ids=sorted(orders))["docs"]
        return {doc["_id"]: doc["_version"] if doc["found"] else None for doc in docs}

    settles(versions, {order_id: order.version for order_id, order in orders.items()})
    for doc in es.mget(index=ORDERS.alias, ids=sorted(orders))["docs"]:
        order, source = orders[doc["_id"]], doc["_source"]
        lines = {item["product_id"]: (item["quantity"], Decimal(item["unit_price"])) for item in source["items"]}
        assert (source["version"], source["status"], Decimal(source["total_amount"]), lines) == (
            order.version, order.status, order.total, order.lines), doc["_id"]


def assert_order_events_indexed_as_logged(es: Elasticsearch, logs: dict[str, list[Event]]) -> None:
    es.indices.refresh(index=ORDER_EVENTS.alias)
    hits = es.search(index=ORDER_EVENTS.alias, query={"terms": {"order_id": sorted(logs)}}, version=True,
                     size=sum(len(events) for events in logs.values()) + 100)["hits"]["hits"]
    indexed: dict[str, list[tuple[int, int, str]]] = defaultdict(list)
    for hit in hits:
        indexed[hit["_source"]["order_id"]].append((hit["_source"]["version"], hit["_version"], hit["_source"]["event_id"]))
    expected = {order_id: [(e["version"], e["version"], e["id"]) for e in events] for order_id, events in logs.items()}
    assert {order_id: sorted(rows) for order_id, rows in indexed.items()} == expected


def customer_figures(orders: list[LoggedOrder]) -> dict[str, Any]:
    """A customer's figures as the logged orders add them up: DRAFT and CANCELLED orders count as orders, not as
    placed orders or money."""
    counted = [order for order in orders if order.counted]
    return {"total_orders": len(orders), "placed_orders": len(counted),
            "total_spent": sum((o.total for o in counted), Decimal("0.00")),
            "orders_by_status": dict(Counter(order.status for order in orders))}


def assert_customer_figures(queries: httpx.Client, customer_id: str, orders: list[LoggedOrder]) -> None:
    """The customer summary and the order statistics for the customer agree with the log."""
    expected = customer_figures(orders)

    def summary() -> dict[str, Any] | None:
        answer = queries.get(f"/customers/{customer_id}")
        if answer.status_code != 200:
            return None
        body = answer.json()
        return _figures(body["total_orders"], body["placed_orders"], body["total_spent"], body["orders_by_status"])

    def statistics() -> dict[str, Any]:
        answer = queries.get("/stats/orders", params={"customer_id": customer_id}).json()
        return _figures(answer["total_orders"], answer["revenue_orders"], answer["revenue"], answer["orders_by_status"])

    settles(summary, expected)
    settles(statistics, expected)


def _figures(orders: int, placed: int, money: str, by_status: dict[str, int]) -> dict[str, Any]:
    return {"total_orders": orders, "placed_orders": placed, "total_spent": Decimal(money),
            "orders_by_status": {status: n for status, n in by_status.items() if n}}


def assert_stock_as_logged(settings: Settings, es: Elasticsearch, skus: list[str], orders: list[LoggedOrder],
                           written_once: bool = True) -> None:
    """Each product's reserved stock is what the logged orders hold; its document is at its log version."""
    expected = reserved_by(orders)

    def reserved() -> dict[str, int | None]:
        docs = es.mget(index=INVENTORY.alias, ids=skus)["docs"]
        return {doc["_id"]: doc["_source"]["reserved"] if doc["found"] else None for doc in docs}

    settles(reserved, {sku: expected.get(sku, 0) for sku in skus})
    logs = aggregate_logs(settings, INVENTORY_EVENTS, set(skus), written_once)
    docs = es.mget(index=INVENTORY.alias, ids=skus)["docs"]
    assert {doc["_id"]: (doc["_version"], doc["_source"]["version"]) for doc in docs} == {
        sku: (len(logs[sku]), len(logs[sku])) for sku in skus}


def assert_recovered(settings: Settings, commands: httpx.Client, queries: httpx.Client, workload: Workload,
                     written_once: bool = True) -> None:
    """``written_once``: the event logs hold each event once (``False`` only where a test wrote some again)."""
    decided = decisions(commands, workload.accepted)
    logs = aggregate_logs(settings, ORDERS_EVENTS, workload.order_ids, written_once)
    assert set(logs) == workload.order_ids, f"orders missing from the log: {sorted(workload.order_ids - set(logs))}"
    assert_each_command_once(decided, logs)
    orders = {order_id: logged_order(order_id, events) for order_id, events in logs.items()}
    assert_as_scripted(workload, orders)
    es = Elasticsearch(**elasticsearch_options(settings), request_timeout=30)
    try:
        with workers_reported_on_failure(settings):
            assert_orders_indexed_as_logged(es, orders)
            assert_order_events_indexed_as_logged(es, logs)
            assert_customer_figures(queries, workload.customer_id, list(orders.values()))
            assert_stock_as_logged(settings, es, workload.skus, list(orders.values()), written_once)
    finally:
        es.close()


@contextmanager
def workers_reported_on_failure(settings: Settings) -> Iterator[None]:
    """On a failed check, print what each worker process says of its loops (shown with the failure)."""
    try:
        yield
    except AssertionError:
        for service in worker_services(settings):
            try:
                health = httpx.get(service.health_url(settings), timeout=5).json()
            except (httpx.HTTPError, ValueError) as error:
                health = f"no answer: {error}"
            print(f"{service.name} /health: {json.dumps(health, indent=1)}")
        raise


def assert_survives(settings: Settings, commands: httpx.Client, queries: httpx.Client, workload: Workload,
                    fault: Callable[[], None], times: int = 1, pause_s: float = 0.15) -> None:
    """Send ``workload`` (its products stocked first) while ``fault`` happens ``times`` times, each a second after
    the last, then check that the system recovered."""
    workload.stock(commands)

    def faults() -> None:
        for _ in range(times):
            time.sleep(1.0)
            fault()

    run_under_fault(settings, workload, faults, pause_s)
    assert_recovered(settings, commands, queries, workload)
