"""Rebuilding the worker's tables: view tables from the event log on request, any table after a lost state folder."""

import shutil

import httpx
import pytest

from ops.cli import main
from ops.launcher import stack
from ops.launcher.services import worker_services
from ops.settings import Settings
from schemas.topics import DEADLETTER
from tests.support import eventually, read_topic, unique_id

ITEM = {"product_id": "P-STATE", "product_name": "State lamp", "quantity": 1, "unit_price": "12.00"}


def order_with_item(commands: httpx.Client) -> str:
    order_id = unique_id("ORD-STATE")
    created = commands.post("/orders", params={"wait": 15},
                            json={"order_id": order_id, "customer_id": "C-STATE", "items": [ITEM]})
    assert created.status_code == 201 and created.json()["version"] == 2
    return order_id


def projected_version(queries: httpx.Client, order_id: str) -> int | None:
    response = queries.get(f"/orders/{order_id}")
    return response.json()["version"] if response.status_code == 200 else None


def add_item_at(commands: httpx.Client, order_id: str, version: int) -> httpx.Response:
    return commands.post(f"/orders/{order_id}/items", params={"wait": 30}, json=ITEM, headers={"If-Match": str(version)})


def test_reset_views_folds_the_event_log_again(
    system: Settings, commands: httpx.Client, queries: httpx.Client, capsys: pytest.CaptureFixture[str],
) -> None:
    order_id = order_with_item(commands)
    eventually(lambda: projected_version(queries, order_id) == 2)
    assert main(["reset-views", "order"]) == 0
    assert "reads orders.events from offset 0 again" in capsys.readouterr().out
    assert add_item_at(commands, order_id, 2).status_code == 200
    # The new event folds onto a view rebuilt from the log: a view missing its history would be a version gap.
    eventually(lambda: projected_version(queries, order_id) == 3, timeout_s=120)
    assert read_topic(system.kafka_bootstrap, DEADLETTER, order_id.encode()) == []


def test_a_lost_state_folder_is_restored_from_the_changelogs(
    system: Settings, commands: httpx.Client, queries: httpx.Client,
) -> None:
    order_id = order_with_item(commands)
    assert all([service.process(system).stop() for service in worker_services(system)])
    shutil.rmtree(system.data_dir / "worker")
    stack.up(system)
    answer = add_item_at(commands, order_id, 2)
    assert answer.status_code == 200 and answer.json()["version"] == 3
    eventually(lambda: projected_version(queries, order_id) == 3, timeout_s=120)


def placed_orders(queries: httpx.Client, customer_id: str) -> tuple[int, str] | None:
    response = queries.get(f"/customers/{customer_id}")
    return (response.json()["placed_orders"], response.json()["total_spent"]) if response.status_code == 200 else None


def test_reset_customer_views_counts_every_order_once(system: Settings, commands: httpx.Client, queries: httpx.Client) -> None:
    customer_id = unique_id("C-STATE")
    for _ in range(2):
        order = commands.post("/orders", params={"wait": 15}, json={"customer_id": customer_id, "items": [ITEM]})
        assert commands.post(f"/orders/{order.json()['aggregate_id']}/submit", params={"wait": 15}).status_code == 200
    eventually(lambda: placed_orders(queries, customer_id) == (2, "24.00"))
    assert main(["reset-views", "customer"]) == 0
    third = commands.post("/orders", params={"wait": 15}, json={"customer_id": customer_id, "items": [ITEM]})
    assert commands.post(f"/orders/{third.json()['aggregate_id']}/submit", params={"wait": 15}).status_code == 200
    # Views and contributions are folded again from offset 0: a contribution kept from before would count twice.
    eventually(lambda: placed_orders(queries, customer_id) == (3, "36.00"), timeout_s=120)
