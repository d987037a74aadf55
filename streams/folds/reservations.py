"""Which stock commands an order's events call for: each submitted line reserves, a cancellation releases what
the order reserved, shipping deducts it. Pure.

The per-order view remembers the submitted lines (a cancellation or shipment does not list them) and the last
order version handled. The latest event handled, delivered again, derives the same commands again (same ids; the
stock takes them as repeats), so a crash between storing the view and sending loses nothing. Older events
delivered again derive nothing: when the log is read again from the start (``orderflow reset-views order``
rewinds the topic for every agent reading it), only each order's last step is repeated, and a stock ignores a
release or deduction of an order that holds nothing and a reservation of an order that already holds it.
Orders submitted before this view existed are picked up at their next event; they reserved nothing, so nothing
is released or deducted for them either.
"""

from dataclasses import dataclass, field, replace

from schemas.envelope import Envelope, Payload
from schemas.inventory import DeductStock, ReleaseStock, ReserveStock
from schemas.orders import OrderCancelled, OrderShipped, OrderSubmitted
from streams.es_sink import IndexAction
from streams.folds.derived_commands import derived_command
from streams.projecting import Record

RESERVATION_ACTOR = "system:reservations"
# An order holds stock from submission until it ships or is cancelled.
HOLDING_STATUSES = ("SUBMITTED", "CONFIRMED")


@dataclass(frozen=True)
class OrderLines:
    """An order's submitted lines (product id → quantity), whether it still holds them, and the last version
    handled. The lines stay after the order closes, so a closing event delivered again names them again."""

    version: int
    lines: dict[str, int] = field(default_factory=dict)
    holding: bool = False


def fold_order_lines(view: OrderLines | None, event: Envelope[Payload]) -> OrderLines:
    version = event.version or 0
    if view is not None and version <= view.version:
        return view
    payload = event.payload
    if isinstance(payload, OrderSubmitted):
        return OrderLines(version, {item.product_id: item.quantity for item in payload.items}, holding=True)
    if view is None:
        return OrderLines(version)
    return replace(view, version=version, holding=view.holding and not isinstance(payload, OrderCancelled | OrderShipped))


def order_lines_version(view: OrderLines) -> int:
    return view.version


def no_documents(view: OrderLines, event: Envelope[Payload]) -> list[IndexAction]:
    return []


def stock_command_records(view: OrderLines, event: Envelope[Payload]) -> list[Record]:
    """The stock commands ``event`` calls for, given the order's ``view`` after it."""
    payload, order_id, version = event.payload, event.aggregate_id, event.version or 0
    if version != view.version:
        return []
    held = view.lines
    if isinstance(payload, OrderSubmitted):
        commands = [
            ReserveStock(sku=item.product_id, order_id=order_id, order_version=version, quantity=item.quantity,
                         product_name=item.product_name)
            for item in payload.items
        ]
    elif isinstance(payload, OrderCancelled) and payload.previous_status in HOLDING_STATUSES:
        commands = [ReleaseStock(sku=sku, order_id=order_id, order_version=version) for sku in held]
    elif isinstance(payload, OrderShipped):
        commands = [DeductStock(sku=sku, order_id=order_id, order_version=version) for sku in held]
    else:
        commands = []
    return [derived_command(event, command, RESERVATION_ACTOR) for command in commands]
