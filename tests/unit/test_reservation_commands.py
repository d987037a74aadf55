"""Order events into stock commands, and stock events into what orders record. Pure."""

import json
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from domain.order import Order, evolve
from schemas import topics
from schemas.envelope import Envelope, Payload
from schemas.inventory import (
    BackorderFilled,
    ReservationBackordered,
    ReservationReleased,
    StockLevels,
    StockReceived,
    StockReserved,
)
from schemas.orders import (
    ItemAdded,
    LineItem,
    OrderCancelled,
    OrderConfirmed,
    OrderCreated,
    OrderShipped,
    OrderSubmitted,
)
from streams.folds.backorders import backorder_commands
from streams.folds.inventory_view import fold_inventory_view, inventory_documents
from streams.folds.reservations import stock_commands
from streams.records import Record
from tests.unit.envelopes import envelope

LINES = [
    LineItem(product_id="SKU-A", product_name="Anvil", quantity=2, unit_price=Decimal("5.00")),
    LineItem(product_id="SKU-B", product_name="Bell", quantity=1, unit_price=Decimal("3.00")),
]
SUBMITTED = OrderSubmitted(items=LINES, total_amount=Decimal("13.00"))


def order_events(*payloads: Payload) -> list[Envelope[Payload]]:
    return [envelope(payload, "ORD-1", version) for version, payload in enumerate(payloads, start=1)]


def history(*payloads: Payload) -> tuple[Order, list[Envelope[Payload]]]:
    """The order after the events, as the decider holds it when it derives what the last one calls for."""
    order, events = None, order_events(*payloads)
    for event in events:
        order = evolve(order, event.payload, order_id="ORD-1")
    assert order is not None
    return order, events


def sent(records: list[Record]) -> list[tuple[str, str, str, dict[str, object]]]:
    decoded = [json.loads(record.value) for record in records]
    return [(record.topic, record.key.decode(), body["type"], body["payload"])
            for record, body in zip(records, decoded, strict=True)]


CREATED = OrderCreated(customer_id="C-1", currency="EUR", channel="web")
ADDED = ItemAdded(product_id="SKU-A", product_name="Anvil", quantity=2, unit_price=Decimal("5.00"))


ADDED_B = ItemAdded(product_id="SKU-B", product_name="Bell", quantity=1, unit_price=Decimal("3.00"))


def test_a_submitted_order_reserves_each_line() -> None:
    order, events = history(CREATED, ADDED, ADDED_B, SUBMITTED)
    assert sent(stock_commands(order, events[-1])) == [
        (topics.INVENTORY_COMMANDS, "SKU-A", "ReserveStock",
         {"sku": "SKU-A", "order_id": "ORD-1", "order_version": 4, "quantity": 2, "product_name": "Anvil"}),
        (topics.INVENTORY_COMMANDS, "SKU-B", "ReserveStock",
         {"sku": "SKU-B", "order_id": "ORD-1", "order_version": 4, "quantity": 1, "product_name": "Bell"}),
    ]


@pytest.mark.parametrize(
    ("closing", "command"),
    [(OrderCancelled(reason="no", previous_status="CONFIRMED"), "ReleaseStock"),
     (OrderShipped(carrier="DHL", tracking_number="T-1"), "DeductStock")],
    ids=["cancelled", "shipped"],
)
def test_closing_an_order_releases_or_deducts_every_line_it_held(closing: Payload, command: str) -> None:
    order, events = history(CREATED, ADDED, ADDED_B, SUBMITTED, OrderConfirmed(), closing)
    derived = sent(stock_commands(order, events[-1]))
    assert [(key, kind, payload["order_version"]) for _, key, kind, payload in derived] == [
        ("SKU-A", command, 6), ("SKU-B", command, 6),
    ]


def test_cancelling_a_draft_releases_nothing() -> None:
    order, events = history(CREATED, ADDED, OrderCancelled(reason="no", previous_status="DRAFT"))
    assert stock_commands(order, events[-1]) == []


@pytest.mark.parametrize("steps", [1, 2, 5], ids=["created", "item-added", "confirmed"])
def test_events_that_neither_submit_nor_close_derive_nothing(steps: int) -> None:
    order, events = history(*[CREATED, ADDED, ADDED_B, SUBMITTED, OrderConfirmed()][:steps])
    assert stock_commands(order, events[-1]) == []


def test_the_commands_an_event_derives_have_ids_that_are_functions_of_the_event() -> None:
    order, events = history(CREATED, ADDED, ADDED_B, SUBMITTED)
    first, again = stock_commands(order, events[-1]), stock_commands(order, events[-1])
    ids = [json.loads(record.value)["id"] for record in first]
    assert ids == [json.loads(record.value)["id"] for record in again] and len(set(ids)) == 2


LEVELS = StockLevels(on_hand=3, reserved=3, available=0, backordered=2, open_orders=2)


def stock_event(payload: Payload, version: int) -> Envelope[Payload]:
    return envelope(payload, "SKU-A", version, occurred_at=datetime(2026, 5, 1, tzinfo=UTC))


@pytest.mark.parametrize(
    ("payload", "recorded"),
    [
        (StockReserved(order_id="ORD-1", order_version=3, requested=5, reserved=3, backordered=2, levels=LEVELS), (3, 2)),
        (BackorderFilled(order_id="ORD-1", quantity=2, reserved=5, backordered=0, levels=LEVELS), (5, 0)),
        (ReservationBackordered(order_id="ORD-1", quantity=1, reserved=2, backordered=3, levels=LEVELS), (2, 3)),
    ],
    ids=["reserved-short", "backorder-filled", "reservation-taken-back"],
)
def test_stock_news_of_a_line_goes_to_its_order(payload: Payload, recorded: tuple[int, int]) -> None:
    event = stock_event(payload, 7)
    assert sent(backorder_commands(None, event)) == [(topics.ORDERS_COMMANDS, "ORD-1", "RecordBackorder", {
        "order_id": "ORD-1", "product_id": "SKU-A", "reserved": recorded[0], "backordered": recorded[1],
        "stock_version": 7,
    })]


@pytest.mark.parametrize(
    "payload",
    [StockReserved(order_id="ORD-1", order_version=3, requested=2, reserved=2, backordered=0, levels=LEVELS),
     ReservationReleased(order_id="ORD-1", order_version=5, reserved=2, backordered=0, levels=LEVELS),
     StockReceived(quantity=4, levels=LEVELS)],
    ids=["reserved-in-full", "released", "received"],
)
def test_other_stock_news_tells_no_order(payload: Payload) -> None:
    event = stock_event(payload, 2)
    assert backorder_commands(None, event) == []


def test_the_inventory_document_copies_the_levels_and_keeps_the_receipt_name() -> None:
    received = stock_event(StockReceived(quantity=3, product_name="Anvil", levels=LEVELS), 1)
    reserved = stock_event(
        StockReserved(order_id="ORD-1", order_version=3, requested=5, reserved=3, backordered=2,
                      product_name="Old anvil", levels=LEVELS), 2,
    )
    view = fold_inventory_view(fold_inventory_view(None, received), reserved)
    [action] = inventory_documents(view)
    assert (action.index, action.doc_id, action.version) == ("inventory", "SKU-A", 2)
    assert action.document == {
        "sku": "SKU-A", "product_name": "Anvil", "on_hand": 3, "reserved": 3, "available": 0, "backordered": 2,
        "open_orders": 2, "updated_at": "2026-05-01T00:00:00Z", "version": 2, "behind": None,
    }
