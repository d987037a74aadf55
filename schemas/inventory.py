"""Stock commands and events, keyed by SKU. Commands carry ``sku``; events name it through the envelope.

An order line's product id is its SKU. The commands the worker sends for order lines take any product id: one
that could never be received (not a valid ``Sku``) is simply never tracked.

Every event carries the stock's ``levels`` after it, so a read model copies totals and never adds them up.
"""

from typing import Annotated

from pydantic import AfterValidator, Field

from schemas.envelope import Payload
from schemas.orders import OrderId, ProductId, Text

Sku = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$", examples=["SKU-100"])]
ProductName = Annotated[str, Field(min_length=1, max_length=200)]
# The bound of ``LineItem.quantity``: one receipt or one order line moves at most this many units.
MAX_MOVE = 1_000_000
Quantity = Annotated[int, Field(gt=0, le=MAX_MOVE)]
OrderVersion = Annotated[int, Field(ge=1, description="the version of the order event this command comes from")]


def _changes_something(delta: int) -> int:
    if delta == 0:
        raise ValueError("a stock adjustment must change the quantity")
    return delta


QuantityDelta = Annotated[
    int, Field(ge=-MAX_MOVE, le=MAX_MOVE, json_schema_extra={"not": {"const": 0}}), AfterValidator(_changes_something)
]


# Commands


class ReceiveStock(Payload):
    sku: Sku
    quantity: Quantity
    product_name: ProductName | None = None


class AdjustStock(Payload):
    """A correction after a count, damage or loss: ``quantity_delta`` is added to on-hand stock."""

    sku: Sku
    quantity_delta: QuantityDelta
    reason: Text


class ReserveStock(Payload):
    """Sent for each line of a submitted order."""

    sku: ProductId
    order_id: OrderId
    order_version: OrderVersion
    quantity: Quantity
    product_name: ProductName | None = None


class ReleaseStock(Payload):
    """Sent for each line of a cancelled order."""

    sku: ProductId
    order_id: OrderId
    order_version: OrderVersion


class DeductStock(Payload):
    """Sent for each line of a shipped order."""

    sku: ProductId
    order_id: OrderId
    order_version: OrderVersion


# Events


class StockLevels(Payload):
    """The stock of one SKU after an event. ``open_orders``: orders holding or awaiting it."""

    on_hand: int
    reserved: int
    available: int
    backordered: int
    open_orders: int


class StockReceived(Payload):
    quantity: int
    product_name: str | None = None
    levels: StockLevels


class StockAdjusted(Payload):
    quantity_delta: int
    reason: str
    levels: StockLevels


class StockReserved(Payload):
    """An order line: ``reserved`` of the ``requested`` quantity is set aside, ``backordered`` awaits stock."""

    order_id: str
    order_version: int
    requested: int
    reserved: int
    backordered: int
    product_name: str | None = None
    levels: StockLevels


class BackorderFilled(Payload):
    """``quantity`` of an order's backorder is now reserved; ``reserved`` and ``backordered`` are the order's now."""

    order_id: str
    quantity: int
    reserved: int
    backordered: int
    levels: StockLevels


class ReservationBackordered(Payload):
    """Stock taken away below what is reserved: ``quantity`` of an order's reservation goes back to backorder."""

    order_id: str
    quantity: int
    reserved: int
    backordered: int
    levels: StockLevels


class ReservationReleased(Payload):
    """A cancelled order: its ``reserved`` stock is available again and its ``backordered`` quantity is dropped."""

    order_id: str
    order_version: int
    reserved: int
    backordered: int
    levels: StockLevels


class StockDeducted(Payload):
    """A shipped order: ``quantity`` leaves the stock; ``short`` is the backordered rest it shipped without."""

    order_id: str
    order_version: int
    quantity: int
    short: int
    levels: StockLevels


INVENTORY_COMMANDS: tuple[type[Payload], ...] = (ReceiveStock, AdjustStock, ReserveStock, ReleaseStock, DeductStock)
# Sent by the worker for the lines of submitted, cancelled and shipped orders.
ORDER_LINE_COMMANDS: tuple[type[Payload], ...] = (ReserveStock, ReleaseStock, DeductStock)
INVENTORY_EVENTS: tuple[type[Payload], ...] = (
    StockReceived, StockAdjusted, StockReserved, BackorderFilled, ReservationBackordered, ReservationReleased,
    StockDeducted,
)
