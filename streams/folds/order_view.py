"""The order read view: the domain state plus when each step happened. Pure."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from domain.order import Order, evolve
from domain.values import changed
from schemas.documents import OrderDocument, OrderEventDocument, OrderLine, Shipping
from schemas.envelope import Envelope, Payload
from schemas.mappings import ORDER_EVENTS, ORDERS
from schemas.money import quantize
from schemas.orders import LineItem, OrderStatus
from streams.records import IndexAction

# Which lifecycle timestamp an event sets.
TIMESTAMP_OF_EVENT = {
    "OrderCreated": "created_at",
    "OrderSubmitted": "submitted_at",
    "OrderConfirmed": "confirmed_at",
    "OrderShipped": "shipped_at",
    "OrderDelivered": "delivered_at",
    "OrderCancelled": "cancelled_at",
}

# The status an event moves the order to; derived from the event alone so a replayed entry is identical.
STATUS_SET_BY_EVENT = {
    "OrderCreated": OrderStatus.DRAFT,
    "OrderSubmitted": OrderStatus.SUBMITTED,
    "OrderConfirmed": OrderStatus.CONFIRMED,
    "OrderShipped": OrderStatus.SHIPPED,
    "OrderDelivered": OrderStatus.DELIVERED,
    "OrderCancelled": OrderStatus.CANCELLED,
}


@dataclass(frozen=True)
class OrderView:
    order: Order
    created_at: datetime
    updated_at: datetime
    submitted_at: datetime | None = None
    confirmed_at: datetime | None = None
    shipped_at: datetime | None = None
    delivered_at: datetime | None = None
    cancelled_at: datetime | None = None

    @property
    def version(self) -> int:
        return self.order.version


def fold_order_view(view: OrderView | None, event: Envelope[Payload]) -> OrderView:
    """Apply the next event. The caller has checked ``event.version == view.version + 1``."""
    order = evolve(view.order if view else None, event.payload, order_id=event.aggregate_id)
    if view is None:
        view = OrderView(order=order, created_at=event.occurred_at, updated_at=event.occurred_at)
    stamped = {TIMESTAMP_OF_EVENT[event.type]: event.occurred_at} if event.type in TIMESTAMP_OF_EVENT else {}
    return changed(view, order=order, updated_at=event.occurred_at, **stamped)


def line_total(item: LineItem) -> Decimal:
    return quantize(item.unit_price * item.quantity)


def order_document(view: OrderView) -> OrderDocument:
    order = view.order
    return OrderDocument(
        order_id=order.order_id, customer_id=order.customer_id, customer=order.customer, status=order.status.value,
        items=[OrderLine(**item.model_dump(), line_total=line_total(item), backordered=order.backordered(item.product_id))
               for item in order.items],
        item_count=sum(item.quantity for item in order.items),
        backordered_quantity=sum(order.backordered(item.product_id) for item in order.items),
        total_amount=order.total_amount,
        currency=order.currency, payment_status=order.payment_status.value, amount_paid=order.amount_paid,
        shipping=Shipping(carrier=order.carrier, tracking_number=order.tracking_number),
        shipping_address=order.shipping_address, notes=order.notes, channel=order.channel,
        cancel_reason=order.cancel_reason,
        created_at=view.created_at, submitted_at=view.submitted_at, confirmed_at=view.confirmed_at,
        shipped_at=view.shipped_at, delivered_at=view.delivered_at, cancelled_at=view.cancelled_at,
        updated_at=view.updated_at, version=order.version,
    )


def order_event_document(view: OrderView, event: Envelope[Payload]) -> OrderEventDocument:
    """One timeline entry: the event, the status it set and the money it moved. Built from the validated event and
    view, so not validated again."""
    payload = event.payload
    amount = getattr(payload, "total_amount", None) or getattr(payload, "amount", None)
    status = STATUS_SET_BY_EVENT.get(event.type)
    return OrderEventDocument.model_construct(
        event_id=str(event.id), type=event.type, order_id=event.aggregate_id, customer_id=view.order.customer_id,
        version=event.version or 0, occurred_at=event.occurred_at, actor=event.actor,
        command_id=str(event.command_id), correlation_id=str(event.correlation_id),
        status=status.value if status else None, amount=amount, currency=view.order.currency,
        cancel_reason=getattr(payload, "reason", None), payload=payload.model_dump(mode="json"),
    )


def order_documents(view: OrderView) -> list[IndexAction]:
    order = order_document(view)
    return [IndexAction(ORDERS.alias, order.order_id, order.version, order.model_dump(mode="json"))]


def order_event_documents(view: OrderView, event: Envelope[Payload]) -> list[IndexAction]:
    entry = order_event_document(view, event)
    return [IndexAction(ORDER_EVENTS.alias, entry.event_id, entry.version, entry.model_dump(mode="json"))]
