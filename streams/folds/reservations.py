"""Which stock commands an order's events call for: each submitted line reserves, a cancellation releases what
the order reserved, shipping deducts it. Pure.

Derived where the order is decided, from the order as the event leaves it, and written in the same transaction
as the event: every event calls for its commands exactly once. Their ids are functions of the event, so the stock
recognises one delivered twice as a repeat.
"""

from domain.order import Order
from domain.statuses import HOLDING_STOCK
from schemas.envelope import Envelope, Payload
from schemas.inventory import DeductStock, ReleaseStock, ReserveStock
from schemas.orders import OrderCancelled, OrderShipped, OrderSubmitted
from streams.folds.derived_commands import derived_command
from streams.records import Record

RESERVATION_ACTOR = "system:reservations"


def stock_commands(order: Order, event: Envelope[Payload]) -> list[Record]:
    """The stock commands ``event`` calls for, given the order after it."""
    payload, order_id, version = event.payload, event.aggregate_id, event.version or 0
    commands: list[Payload]
    if isinstance(payload, OrderSubmitted):
        commands = [
            ReserveStock(sku=item.product_id, order_id=order_id, order_version=version, quantity=item.quantity,
                         product_name=item.product_name)
            for item in payload.items
        ]
    elif isinstance(payload, OrderCancelled) and payload.previous_status in HOLDING_STOCK:
        commands = [ReleaseStock(sku=item.product_id, order_id=order_id, order_version=version)
                    for item in order.items]
    elif isinstance(payload, OrderShipped):
        commands = [DeductStock(sku=item.product_id, order_id=order_id, order_version=version)
                    for item in order.items]
    else:
        commands = []
    return [derived_command(event, command, RESERVATION_ACTOR) for command in commands]
