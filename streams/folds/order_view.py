"""The order read view: the domain state plus when each step happened. Pure."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from pydantic_core import to_jsonable_python

from domain.order import Order, evolve
from domain.values import changed
from schemas.envelope import Envelope, Payload
from schemas.mappings import ORDER_EVENTS, ORDERS
from schemas.money import money_text, quantize
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


def order_documents(view: OrderView) -> list[IndexAction]:
    """The order's ``OrderDocument``, rendered as its model dumps it (field for field, in its order) from the view,
    whose values the domain validated already."""
    order = view.order
    items = order.items
    document = {
        "order_id": order.order_id, "customer_id": order.customer_id, "customer": _dumped(order.customer),
        "status": order.status.value, "items": [_line(order, item) for item in items],
        "item_count": sum(item.quantity for item in items),
        "backordered_quantity": sum(order.backordered(item.product_id) for item in items),
        "total_amount": money_text(order.total_amount), "currency": order.currency,
        "payment_status": order.payment_status.value, "amount_paid": money_text(order.amount_paid),
        "shipping": {"carrier": order.carrier, "tracking_number": order.tracking_number},
        "shipping_address": _dumped(order.shipping_address), "notes": order.notes, "channel": order.channel,
        "created_at": view.created_at, "submitted_at": view.submitted_at, "confirmed_at": view.confirmed_at,
        "shipped_at": view.shipped_at, "delivered_at": view.delivered_at, "cancelled_at": view.cancelled_at,
        "cancel_reason": order.cancel_reason, "updated_at": view.updated_at, "version": order.version, "behind": None,
    }
    return [IndexAction(ORDERS.alias, order.order_id, order.version, to_jsonable_python(document))]


def _line(order: Order, item: LineItem) -> dict[str, Any]:
    return {"product_id": item.product_id, "product_name": item.product_name, "quantity": item.quantity,
            "unit_price": money_text(item.unit_price), "line_total": money_text(line_total(item)),
            "backordered": order.backordered(item.product_id)}


def _dumped(value: Payload | None) -> dict[str, Any] | None:
    return value.model_dump(mode="json") if value is not None else None


def order_event_documents(view: OrderView, event: Envelope[Payload]) -> list[IndexAction]:
    """One timeline entry (``OrderEventDocument``): the event, the status it set and the money it moved, rendered as
    the model dumps it from the validated event and view."""
    payload = event.payload
    fields = vars(payload)
    amount = fields.get("total_amount") or fields.get("amount")
    status = STATUS_SET_BY_EVENT.get(event.type)
    entry = to_jsonable_python({
        "event_id": event.id, "type": event.type, "order_id": event.aggregate_id,
        "customer_id": view.order.customer_id, "version": event.version or 0, "occurred_at": event.occurred_at,
        "actor": event.actor, "command_id": event.command_id, "correlation_id": event.correlation_id,
        "status": status.value if status else None, "amount": money_text(amount) if amount is not None else None,
        "currency": view.order.currency, "cancel_reason": fields.get("reason"),
    })
    entry["payload"] = payload.model_dump(mode="json")
    return [IndexAction(ORDER_EVENTS.alias, entry["event_id"], entry["version"], entry)]
