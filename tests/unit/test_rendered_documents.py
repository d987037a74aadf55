"""The projections render their documents straight to JSON values: each must be exactly what its document model
dumps, field for field and in the model's order."""

from decimal import Decimal
from typing import Any

import pytest
from pydantic import BaseModel

from schemas.codec import decode
from schemas.documents import OrderDocument, OrderEventDocument
from schemas.envelope import Envelope, Payload
from schemas.orders import ORDER_EVENTS as ORDER_EVENT_TYPES
from schemas.orders import (
    AddItem,
    CancelOrder,
    ConfirmOrder,
    CreateOrder,
    RecordBackorder,
    RecordPayment,
    ShipOrder,
    SubmitOrder,
)
from streams.deciding import decide_command
from streams.folds.order_view import OrderView, fold_order_view, order_documents, order_event_documents
from streams.specs import ORDER_AGGREGATE
from tests.unit.builders import build
from tests.unit.envelopes import command

CUSTOMER = {"name": "Ada Lovelace", "email": "ada@example.com"}
ADDRESS = {"line1": "1 Main Street", "city": "Berlin", "postal_code": "10115", "country": "DE"}


def as_model_dumps(model: type[BaseModel], document: dict[str, Any]) -> None:
    dumped = model.model_validate(document).model_dump(mode="json")
    assert list(document) == list(model.model_fields)
    assert document == dumped


def folded(*payloads: Payload) -> list[tuple[OrderView, Envelope[Payload]]]:
    """Each event of the commands with the view as it leaves it."""
    state: Any = None
    view: OrderView | None = None
    steps = []
    for payload in payloads:
        decided = decide_command(ORDER_AGGREGATE, state, command(payload), command(payload).occurred_at)
        assert decided.accepted, decided.outcome
        state = decided.state
        for value in decided.event_values:
            event = decode(value, ORDER_EVENT_TYPES)
            view = fold_order_view(view, event)
            steps.append((view, event))
    return steps


LIFECYCLES = {
    "shipped": (build(CreateOrder, customer=CUSTOMER, shipping_address=ADDRESS, notes="ring twice", channel="web"),
                build(AddItem, unit_price=Decimal("5"), quantity=3), build(SubmitOrder),
                RecordBackorder(order_id="ORD-1", product_id="P-2", reserved=1, backordered=2, stock_version=4),
                build(RecordPayment, amount=Decimal("2.5")), build(ConfirmOrder), build(ShipOrder)),
    "cancelled": (build(CreateOrder, items=[]), build(AddItem), build(SubmitOrder), build(CancelOrder)),
}


@pytest.mark.parametrize("lifecycle", LIFECYCLES)
def test_order_documents_are_what_their_models_dump(lifecycle: str) -> None:
    for view, event in folded(*LIFECYCLES[lifecycle]):
        [order] = order_documents(view)
        as_model_dumps(OrderDocument, order.document)
        [entry] = order_event_documents(view, event)
        as_model_dumps(OrderEventDocument, entry.document)
        assert (entry.doc_id, entry.version) == (str(event.id), event.version)


def test_an_order_document_renders_money_lines_and_times_as_the_model() -> None:
    view, _ = folded(*LIFECYCLES["shipped"])[-1]
    document = order_documents(view)[0].document
    assert document["items"][1] == {"product_id": "P-2", "product_name": "product P-2", "quantity": 3,
                                    "unit_price": "5.00", "line_total": "15.00", "backordered": 0}
    assert (document["amount_paid"], document["total_amount"], document["status"]) == ("2.50", "34.98", "SHIPPED")
    assert document["created_at"] == "2026-03-01T12:00:00Z" and document["customer"] == CUSTOMER
