"""An order's summary for the customer projection, sent on keyed by the order's customer id. Pure."""

import uuid

from schemas import topics
from schemas.codec import encode
from schemas.customers import OrderSummary
from schemas.envelope import Envelope, Payload, envelope_of, name_uuid
from streams.folds.order_view import OrderView, line_total
from streams.records import Record

SUMMARY_ACTOR = "system:order-projector"


def order_summary(view: OrderView) -> OrderSummary:
    """Validated in one pass, its lines with it (as dicts: a line model each would be validated on its own)."""
    order = view.order
    return OrderSummary.model_validate({
        "order_id": order.order_id, "order_version": order.version, "status": order.status.value,
        "total_amount": order.total_amount, "currency": order.currency, "created_at": view.created_at,
        "submitted_at": view.submitted_at,
        "items": [{"product_id": item.product_id, "product_name": item.product_name, "quantity": item.quantity,
                   "line_total": line_total(item)} for item in order.items],
    })


def summary_id(order_id: str, order_version: int) -> uuid.UUID:
    """Deterministic: the same order version always has the same summary id."""
    return name_uuid(uuid.NAMESPACE_URL, f"orderflow:order-summary:{order_id}:{order_version}")


def order_summary_records(view: OrderView, event: Envelope[Payload]) -> list[Record]:
    """The view's summary, caused by ``event``; the envelope names the customer, whose projection folds it."""
    summary = order_summary(view)
    customer_id = view.order.customer_id
    envelope = envelope_of(
        summary, id=summary_id(summary.order_id, summary.order_version), aggregate_id=customer_id, version=None,
        occurred_at=view.updated_at, command_id=event.command_id, correlation_id=event.correlation_id,
        actor=SUMMARY_ACTOR,
    )
    return [Record(topics.CUSTOMERS_ORDER_SUMMARIES, customer_id.encode(), encode(envelope))]
