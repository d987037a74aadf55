"""What a stock's events tell an order about its line: a reservation short of stock, or a backorder that moved.
Pure; derived where the stock is decided, in the same transaction as the event."""

from typing import Any

from schemas.envelope import Envelope, Payload
from schemas.inventory import BackorderFilled, ReservationBackordered, StockReserved
from schemas.orders import RecordBackorder
from streams.folds.derived_commands import derived_command
from streams.records import Record

BACKORDER_ACTOR = "system:inventory"


def backorder_commands(stock: Any, event: Envelope[Payload]) -> list[Record]:
    """The ``RecordBackorder`` an order's line needs after ``event`` (the stock itself is not needed)."""
    payload = event.payload
    if isinstance(payload, StockReserved) and payload.backordered == 0:
        return []
    if not isinstance(payload, StockReserved | BackorderFilled | ReservationBackordered):
        return []
    command = RecordBackorder(
        order_id=payload.order_id, product_id=event.aggregate_id, reserved=payload.reserved,
        backordered=payload.backordered, stock_version=event.version or 1,
    )
    return [derived_command(event, command, BACKORDER_ACTOR)]
