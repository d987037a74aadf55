"""The order aggregate's state and ``evolve(state, event)``, pure."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from functools import singledispatch

from domain.statuses import HOLDING_STOCK
from domain.values import changed
from schemas.envelope import Payload
from schemas.money import quantize
from schemas.orders import (
    API_CHANNEL,
    Address,
    BackorderRecorded,
    CustomerInfo,
    ItemAdded,
    ItemRemoved,
    LineItem,
    OrderCancelled,
    OrderConfirmed,
    OrderCreated,
    OrderDelivered,
    OrderShipped,
    OrderStatus,
    OrderSubmitted,
    PaymentRecorded,
)


class PaymentStatus(StrEnum):
    UNPAID = "unpaid"
    PARTIALLY_PAID = "partially_paid"
    PAID = "paid"


@dataclass(frozen=True)
class LineStock:
    """What the stock holds of one line: ``reserved`` set aside, ``backordered`` awaiting stock, as of the stock's
    ``stock_version``."""

    reserved: int
    backordered: int
    stock_version: int


@dataclass(frozen=True)
class Order:
    order_id: str
    customer_id: str
    currency: str
    status: OrderStatus = OrderStatus.DRAFT
    customer: CustomerInfo | None = None
    items: tuple[LineItem, ...] = ()
    amount_paid: Decimal = Decimal("0.00")
    shipping_address: Address | None = None
    notes: str | None = None
    # States stored before orders named their channel are of orders placed through the API.
    channel: str = API_CHANNEL
    carrier: str | None = None
    tracking_number: str | None = None
    cancel_reason: str | None = None
    # Lines the stock could not (or not at once) reserve in full, by product id; untracked products never appear.
    line_stock: Mapping[str, LineStock] = field(default_factory=dict)
    version: int = 0

    @property
    def total_amount(self) -> Decimal:
        return quantize(sum((item.unit_price * item.quantity for item in self.items), Decimal("0")))

    @property
    def payment_status(self) -> PaymentStatus:
        if self.amount_paid <= 0:
            return PaymentStatus.UNPAID
        if self.amount_paid < self.total_amount:
            return PaymentStatus.PARTIALLY_PAID
        return PaymentStatus.PAID

    def item(self, product_id: str) -> LineItem | None:
        for item in self.items:
            if item.product_id == product_id:
                return item
        return None

    def backordered(self, product_id: str) -> int:
        held = self.line_stock.get(product_id)
        return held.backordered if held is not None and self.status in HOLDING_STOCK else 0


def evolve(state: Order | None, event: Payload, *, order_id: str = "") -> Order:
    """Apply one event and count it in ``version``. ``order_id`` names a new order (``OrderCreated`` only)."""
    if isinstance(event, OrderCreated):
        if state is not None:
            raise ValueError(f"order {state.order_id} is created twice")
        return Order(
            order_id=order_id, customer_id=event.customer_id, currency=event.currency, customer=event.customer,
            shipping_address=event.shipping_address, notes=event.notes, channel=event.channel, version=1,
        )
    if state is None:
        raise ValueError(f"{type(event).__name__} applied to an order that does not exist")
    return changed(_evolve_existing(event, state), version=state.version + 1)


@singledispatch
def _evolve_existing(event: Payload, state: Order) -> Order:
    raise ValueError(f"orders do not apply {type(event).__name__}")


@_evolve_existing.register
def _(event: ItemAdded, state: Order) -> Order:
    present = state.item(event.product_id)
    quantity = event.quantity + (present.quantity if present else 0)
    merged = LineItem(
        product_id=event.product_id, product_name=event.product_name, quantity=quantity, unit_price=event.unit_price
    )
    if present is None:
        return changed(state, items=(*state.items, merged))
    return changed(state, items=tuple(merged if item is present else item for item in state.items))


@_evolve_existing.register
def _(event: ItemRemoved, state: Order) -> Order:
    return changed(state, items=tuple(item for item in state.items if item.product_id != event.product_id))


@_evolve_existing.register
def _(event: OrderSubmitted, state: Order) -> Order:
    return changed(state, status=OrderStatus.SUBMITTED)


@_evolve_existing.register
def _(event: PaymentRecorded, state: Order) -> Order:
    return changed(state, amount_paid=event.amount_paid)


@_evolve_existing.register
def _(event: OrderConfirmed, state: Order) -> Order:
    return changed(state, status=OrderStatus.CONFIRMED)


@_evolve_existing.register
def _(event: OrderShipped, state: Order) -> Order:
    return changed(state, status=OrderStatus.SHIPPED, carrier=event.carrier, tracking_number=event.tracking_number)


@_evolve_existing.register
def _(event: OrderDelivered, state: Order) -> Order:
    return changed(state, status=OrderStatus.DELIVERED)


@_evolve_existing.register
def _(event: OrderCancelled, state: Order) -> Order:
    return changed(state, status=OrderStatus.CANCELLED, cancel_reason=event.reason)


@_evolve_existing.register
def _(event: BackorderRecorded, state: Order) -> Order:
    held = LineStock(reserved=event.reserved, backordered=event.backordered, stock_version=event.stock_version)
    return changed(state, line_stock={**state.line_stock, event.product_id: held})
