"""The event log as the source of truth: each aggregate's events, and what an order's events add up to.

The worker writes every event exactly once, in Kafka transactions: a ``read_committed`` reader of an event topic
sees each aggregate's versions 1..n once each and no event id twice. Only a test that delivers records again on
purpose reads the log tolerantly (each version kept once, a repeat identical to the first).
"""

import json
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ops.settings import Settings
from tests.support import read_topic

Event = dict[str, Any]

STATUS_SET_BY = {
    "OrderCreated": "DRAFT", "OrderSubmitted": "SUBMITTED", "OrderConfirmed": "CONFIRMED",
    "OrderShipped": "SHIPPED", "OrderDelivered": "DELIVERED", "OrderCancelled": "CANCELLED",
}
NOT_COUNTED = {"DRAFT", "CANCELLED"}
HOLDING_STOCK = {"SUBMITTED", "CONFIRMED"}


def aggregate_logs(settings: Settings, topic: str, aggregate_ids: set[str],
                   written_once: bool = True) -> dict[str, list[Event]]:
    """Each aggregate's events in version order. ``written_once``: no version of an aggregate and no event id is
    in the log twice (else a repeat must be identical to the first, and is kept once)."""
    kept: dict[str, list[Event]] = defaultdict(list)
    ids: set[str] = set()
    for record in read_topic(settings.kafka_bootstrap, topic, timeout_s=60):
        key = (record.key() or b"").decode("utf-8", "replace")
        if key not in aggregate_ids:
            continue
        event = json.loads(record.value())
        seen = kept[key]
        version = event["version"]
        if seen and version <= seen[-1]["version"]:
            assert not written_once, f"version {version} of {key} is in the log twice"
            assert event == seen[version - 1], f"version {version} of {key} is in the log twice, differently"
            continue
        assert not (written_once and event["id"] in ids), f"event {event['id']} is in the log twice"
        ids.add(event["id"])
        assert version == len(seen) + 1, f"{key}: version {version} follows {len(seen)} in the log"
        seen.append(event)
    return dict(kept)


@dataclass(frozen=True)
class LoggedOrder:
    """An order as its logged events describe it, folded here independently of the domain code."""

    order_id: str
    customer_id: str
    status: str
    lines: dict[str, tuple[int, Decimal]]
    version: int

    @property
    def total(self) -> Decimal:
        return sum((quantity * price for quantity, price in self.lines.values()), Decimal("0.00"))

    @property
    def counted(self) -> bool:
        """Whether it counts in customer totals and revenue."""
        return self.status not in NOT_COUNTED


def logged_order(order_id: str, events: list[Event]) -> LoggedOrder:
    customer_id, status = "", ""
    lines: dict[str, tuple[int, Decimal]] = {}
    for event in events:
        payload = event["payload"]
        if event["type"] == "OrderCreated":
            customer_id = payload["customer_id"]
        elif event["type"] == "ItemAdded":
            quantity = lines.get(payload["product_id"], (0, Decimal(0)))[0] + payload["quantity"]
            lines[payload["product_id"]] = (quantity, Decimal(payload["unit_price"]))
        elif event["type"] == "ItemRemoved":
            del lines[payload["product_id"]]
        elif event["type"] == "OrderSubmitted":
            assert Decimal(payload["total_amount"]) == sum(quantity * price for quantity, price in lines.values())
        status = STATUS_SET_BY.get(event["type"], status)
    return LoggedOrder(order_id, customer_id, status, lines, len(events))


def reserved_by(orders: list[LoggedOrder]) -> dict[str, int]:
    """What the orders holding stock reserve of each product, by the log."""
    reserved: dict[str, int] = defaultdict(int)
    for order in orders:
        if order.status in HOLDING_STOCK:
            for sku, (quantity, _) in order.lines.items():
                reserved[sku] += quantity
    return dict(reserved)
