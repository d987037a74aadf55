"""``kill -9`` of the worker in the middle of a stream of commands loses nothing and leaves no gap.

Every command the API accepted (202) is decided after the restart, and ``orders.events`` holds each
accepted command's events in version order: read by a consumer that drops versions it already has,
each event appears once and the versions run 1..n without a gap.
"""

import json
import os
import signal
import threading
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor

import httpx

from ops.launcher import stack
from ops.launcher.processes import ManagedProcess, pid_alive
from ops.settings import Settings
from schemas.topics import ORDERS_EVENTS
from tests.support import eventually, read_topic, unique_id

ORDERS = 24
ITEMS_PER_ORDER = 6


def order_commands(order_id: str) -> list[tuple[str, dict]]:
    items = [(f"/orders/{order_id}/items", {"product_id": f"P-{n}", "product_name": f"Part {n}", "quantity": n,
                                             "unit_price": "2.50"}) for n in range(1, ITEMS_PER_ORDER + 1)]
    return [("/orders", {"order_id": order_id, "customer_id": "C-CRASH"}), *items, (f"/orders/{order_id}/submit", {})]


def send_all(base_url: str, order_id: str, accepted: list[str], sent_one: threading.Event) -> None:
    """One order's commands in sequence (so they reach Kafka in order), slowly enough to straddle the crash."""
    with httpx.Client(base_url=base_url, timeout=30) as client:
        for path, body in order_commands(order_id):
            response = client.post(path, json=body)
            assert response.status_code == 202, response.text
            accepted.append(response.json()["command_id"])
            sent_one.set()
            time.sleep(0.15)


def kill_worker(settings: Settings) -> int:
    pid = ManagedProcess("worker", settings).pid()
    assert pid is not None, "the worker is not running"
    os.kill(pid, signal.SIGKILL)
    eventually(lambda: not pid_alive(pid), timeout_s=10)
    return pid


def test_kill_9_of_the_worker_loses_and_doubles_nothing(system: Settings, commands: httpx.Client) -> None:
    order_ids = [unique_id("ORD-CRASH") for _ in range(ORDERS)]
    accepted: list[str] = []
    sent_one = threading.Event()
    base_url = f"http://127.0.0.1:{system.command_api_port}"
    with ThreadPoolExecutor(max_workers=8) as pool:
        senders = [pool.submit(send_all, base_url, order_id, accepted, sent_one) for order_id in order_ids]
        assert sent_one.wait(30)
        time.sleep(1.0)
        killed = kill_worker(system)
        stack.up(system)  # restarts the worker while commands keep coming
        for sender in senders:
            sender.result()
    assert ManagedProcess("worker", system).pid() not in (None, killed)
    assert len(accepted) == ORDERS * (ITEMS_PER_ORDER + 2)

    outcomes = {command_id: decided(commands, command_id) for command_id in accepted}
    assert all(outcome["status"] == "accepted" for outcome in outcomes.values()), [
        outcome for outcome in outcomes.values() if outcome["status"] != "accepted"]

    logs = events_by_order(system, set(order_ids))
    for order_id in order_ids:
        versions = [event["version"] for event in logs[order_id]]
        assert versions == list(range(1, len(versions) + 1)), (order_id, versions)
    expected = {event["id"] for outcome in outcomes.values() for event in outcome["events"]}
    logged = {event["id"] for events in logs.values() for event in events}
    assert logged == expected
    assert all(logs[order_id][-1]["type"] == "OrderSubmitted" for order_id in order_ids)


def decided(commands: httpx.Client, command_id: str) -> dict:
    def outcome() -> dict | None:
        answer = commands.get(f"/commands/{command_id}").json()
        return answer if answer["status"] != "pending" else None

    return eventually(outcome, timeout_s=120, interval_s=0.5)


def events_by_order(settings: Settings, order_ids: set[str]) -> dict[str, list[dict]]:
    """Each order's events as a consumer that drops a version it already has sees them; a repeat must be identical."""
    kept: dict[str, list[dict]] = defaultdict(list)
    for record in read_topic(settings.kafka_bootstrap, ORDERS_EVENTS, timeout_s=60):
        key = (record.key() or b"").decode()
        if key not in order_ids:
            continue
        event = json.loads(record.value())
        seen = kept[key]
        if seen and event["version"] <= seen[-1]["version"]:
            assert event == seen[event["version"] - 1], f"version {event['version']} of {key} written twice, differently"
            continue
        seen.append(event)
    return kept
