"""Order command endpoints. Each builds one command and hands it to the bus."""

from typing import Annotated

from fastapi import APIRouter, Path
from fastapi.responses import JSONResponse
from pydantic.config import JsonDict

from producers.answers import ANSWERS, CREATED
from producers.commands import new_aggregate_id
from producers.dependencies import COMMAND_PARAMETERS, Incoming
from producers.routes.common import completed, examples, send
from schemas.orders import (
    AddItem,
    CancelOrder,
    ConfirmOrder,
    CreateOrder,
    DeliverOrder,
    LineItem,
    OrderId,
    ProductId,
    RecordPayment,
    RemoveItem,
    ShipOrder,
    SubmitOrder,
)

router = APIRouter(prefix="/orders", tags=["orders"])

OrderPath = Annotated[str, Path(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$", max_length=64, examples=["ORD-1001"])]
ProductPath = Annotated[ProductId, Path(examples=["P-100"])]
ITEM_EXAMPLE: JsonDict = {"product_id": "P-100", "product_name": "Mechanical keyboard", "quantity": 2, "unit_price": "89.90"}


class CreateOrderBody(CreateOrder):
    model_config = examples({
        "order_id": "ORD-1001", "customer_id": "CUST-1",
        "customer": {"name": "Ada Lovelace", "email": "ada@example.com"}, "currency": "EUR", "items": [ITEM_EXAMPLE],
        "shipping_address": {"line1": "12 Analytical Way", "city": "London", "postal_code": "N1 9GU", "country": "GB"},
        "notes": "Leave at the door",
    })
    order_id: OrderId | None = None  # type: ignore[assignment]  # optional in the body: one is assigned without it


class AddItemBody(LineItem):
    model_config = examples(ITEM_EXAMPLE)


class PaymentBody(RecordPayment):
    model_config = examples({"amount": "179.80", "method": "card", "reference": "PAY-7781"})
    order_id: OrderId | None = None  # type: ignore[assignment]  # optional in the body: the id comes from the path


class ShipBody(ShipOrder):
    model_config = examples({"carrier": "DHL", "tracking_number": "JD014600003828"})
    order_id: OrderId | None = None  # type: ignore[assignment]  # optional in the body: the id comes from the path


class CancelBody(CancelOrder):
    model_config = examples({"reason": "customer changed their mind"})
    order_id: OrderId | None = None  # type: ignore[assignment]  # optional in the body: the id comes from the path


@router.post("", status_code=202, responses={**ANSWERS, **CREATED}, openapi_extra=COMMAND_PARAMETERS)
async def create_order(body: CreateOrderBody, command: Incoming) -> JSONResponse:
    """Create an order (DRAFT), optionally with its first items. Without `order_id` one is assigned."""
    create = completed(CreateOrder, body, order_id=body.order_id or new_aggregate_id("ORD", command.context))
    return await send(create, command)


@router.post("/{order_id}/items", status_code=202, responses=ANSWERS, openapi_extra=COMMAND_PARAMETERS)
async def add_item(order_id: OrderPath, body: AddItemBody, command: Incoming) -> JSONResponse:
    """Add a line to a DRAFT order; the same product merges quantities."""
    return await send(completed(AddItem, body, order_id=order_id), command)


@router.delete("/{order_id}/items/{product_id}", status_code=202, responses=ANSWERS, openapi_extra=COMMAND_PARAMETERS)
async def remove_item(order_id: OrderPath, product_id: ProductPath, command: Incoming) -> JSONResponse:
    """Remove a product's line from a DRAFT order."""
    return await send(completed(RemoveItem, order_id=order_id, product_id=product_id), command)


@router.post("/{order_id}/submit", status_code=202, responses=ANSWERS, openapi_extra=COMMAND_PARAMETERS)
async def submit_order(order_id: OrderPath, command: Incoming) -> JSONResponse:
    """DRAFT → SUBMITTED; the order needs at least one item."""
    return await send(completed(SubmitOrder, order_id=order_id), command)


@router.post("/{order_id}/confirm", status_code=202, responses=ANSWERS, openapi_extra=COMMAND_PARAMETERS)
async def confirm_order(order_id: OrderPath, command: Incoming) -> JSONResponse:
    """SUBMITTED → CONFIRMED."""
    return await send(completed(ConfirmOrder, order_id=order_id), command)


@router.post("/{order_id}/deliver", status_code=202, responses=ANSWERS, openapi_extra=COMMAND_PARAMETERS)
async def deliver_order(order_id: OrderPath, command: Incoming) -> JSONResponse:
    """SHIPPED → DELIVERED."""
    return await send(completed(DeliverOrder, order_id=order_id), command)


@router.post("/{order_id}/payments", status_code=202, responses=ANSWERS, openapi_extra=COMMAND_PARAMETERS)
async def record_payment(order_id: OrderPath, body: PaymentBody, command: Incoming) -> JSONResponse:
    """Record a payment on a SUBMITTED or CONFIRMED order: unpaid → partially_paid → paid, never over the total."""
    return await send(completed(RecordPayment, body, order_id=order_id), command)


@router.post("/{order_id}/ship", status_code=202, responses=ANSWERS, openapi_extra=COMMAND_PARAMETERS)
async def ship_order(order_id: OrderPath, body: ShipBody, command: Incoming) -> JSONResponse:
    """CONFIRMED → SHIPPED, with carrier and tracking number."""
    return await send(completed(ShipOrder, body, order_id=order_id), command)


@router.post("/{order_id}/cancel", status_code=202, responses=ANSWERS, openapi_extra=COMMAND_PARAMETERS)
async def cancel_order(order_id: OrderPath, body: CancelBody, command: Incoming) -> JSONResponse:
    """Cancel a DRAFT, SUBMITTED or CONFIRMED order, with a reason."""
    return await send(completed(CancelOrder, body, order_id=order_id), command)
