"""Order command endpoints. Each builds one command and hands it to the bus."""

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import JSONResponse

from producers.answers import ANSWERS, CREATED
from producers.commands import new_aggregate_id
from producers.dependencies import Bus, Context, WaitSeconds
from producers.routes.common import examples, send
from schemas.orders import (
    AddItem, CancelOrder, ConfirmOrder, CreateOrder, DeliverOrder, LineItem, OrderId, ProductId, RecordPayment,
    RemoveItem, ShipOrder, SubmitOrder,
)

router = APIRouter(prefix="/orders", tags=["orders"])

OrderPath = Annotated[str, Path(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$", max_length=64, examples=["ORD-1001"])]
ProductPath = Annotated[ProductId, Path(examples=["P-100"])]
ITEM_EXAMPLE = {"product_id": "P-100", "product_name": "Mechanical keyboard", "quantity": 2, "unit_price": "89.90"}


class CreateOrderBody(CreateOrder):
    model_config = examples({
        "order_id": "ORD-1001", "customer_id": "CUST-1",
        "customer": {"name": "Ada Lovelace", "email": "ada@example.com"}, "currency": "EUR", "items": [ITEM_EXAMPLE],
        "shipping_address": {"line1": "12 Analytical Way", "city": "London", "postal_code": "N1 9GU", "country": "GB"},
        "notes": "Leave at the door",
    })
    order_id: OrderId | None = None  # type: ignore[assignment]


class AddItemBody(LineItem):
    model_config = examples(ITEM_EXAMPLE)


class PaymentBody(RecordPayment):
    model_config = examples({"amount": "179.80", "method": "card", "reference": "PAY-7781"})
    order_id: OrderId | None = None  # type: ignore[assignment]


class ShipBody(ShipOrder):
    model_config = examples({"carrier": "DHL", "tracking_number": "JD014600003828"})
    order_id: OrderId | None = None  # type: ignore[assignment]


class CancelBody(CancelOrder):
    model_config = examples({"reason": "customer changed their mind"})
    order_id: OrderId | None = None  # type: ignore[assignment]


@router.post("", status_code=202, responses={**ANSWERS, **CREATED})
async def create_order(body: CreateOrderBody, request: Request, bus: Bus, context: Context, wait: WaitSeconds) -> JSONResponse:
    """Create an order (DRAFT), optionally with its first items. Without `order_id` one is assigned."""
    command = CreateOrder(**{**body.model_dump(exclude={"order_id"}), "order_id": body.order_id or new_aggregate_id("ORD", context)})
    return await send(command, request, bus, context, wait)


@router.post("/{order_id}/items", status_code=202, responses=ANSWERS)
async def add_item(order_id: OrderPath, body: AddItemBody, request: Request, bus: Bus, context: Context, wait: WaitSeconds) -> JSONResponse:
    """Add a line to a DRAFT order; the same product merges quantities."""
    return await send(AddItem(order_id=order_id, **body.model_dump()), request, bus, context, wait)


@router.delete("/{order_id}/items/{product_id}", status_code=202, responses=ANSWERS)
async def remove_item(order_id: OrderPath, product_id: ProductPath, request: Request, bus: Bus, context: Context, wait: WaitSeconds) -> JSONResponse:
    """Remove a product's line from a DRAFT order."""
    return await send(RemoveItem(order_id=order_id, product_id=product_id), request, bus, context, wait)


@router.post("/{order_id}/submit", status_code=202, responses=ANSWERS)
async def submit_order(order_id: OrderPath, request: Request, bus: Bus, context: Context, wait: WaitSeconds) -> JSONResponse:
    """DRAFT → SUBMITTED; the order needs at least one item."""
    return await send(SubmitOrder(order_id=order_id), request, bus, context, wait)


@router.post("/{order_id}/confirm", status_code=202, responses=ANSWERS)
async def confirm_order(order_id: OrderPath, request: Request, bus: Bus, context: Context, wait: WaitSeconds) -> JSONResponse:
    """SUBMITTED → CONFIRMED."""
    return await send(ConfirmOrder(order_id=order_id), request, bus, context, wait)


@router.post("/{order_id}/deliver", status_code=202, responses=ANSWERS)
async def deliver_order(order_id: OrderPath, request: Request, bus: Bus, context: Context, wait: WaitSeconds) -> JSONResponse:
    """SHIPPED → DELIVERED."""
    return await send(DeliverOrder(order_id=order_id), request, bus, context, wait)


@router.post("/{order_id}/payments", status_code=202, responses=ANSWERS)
async def record_payment(order_id: OrderPath, body: PaymentBody, request: Request, bus: Bus, context: Context, wait: WaitSeconds) -> JSONResponse:
    """Record a payment on a SUBMITTED or CONFIRMED order: unpaid → partially_paid → paid, never over the total."""
    return await send(RecordPayment(**{**body.model_dump(), "order_id": order_id}), request, bus, context, wait)


@router.post("/{order_id}/ship", status_code=202, responses=ANSWERS)
async def ship_order(order_id: OrderPath, body: ShipBody, request: Request, bus: Bus, context: Context, wait: WaitSeconds) -> JSONResponse:
    """CONFIRMED → SHIPPED, with carrier and tracking number."""
    return await send(ShipOrder(**{**body.model_dump(), "order_id": order_id}), request, bus, context, wait)


@router.post("/{order_id}/cancel", status_code=202, responses=ANSWERS)
async def cancel_order(order_id: OrderPath, body: CancelBody, request: Request, bus: Bus, context: Context, wait: WaitSeconds) -> JSONResponse:
    """Cancel a DRAFT, SUBMITTED or CONFIRMED order, with a reason."""
    return await send(CancelOrder(**{**body.model_dump(), "order_id": order_id}), request, bus, context, wait)
