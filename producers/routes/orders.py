"""Order command endpoints. Each builds one command and hands it to the bus."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import JSONResponse

from producers.answers import CommandAccepted, CommandDecision, answer
from producers.dependencies import Bus, Context, WaitSeconds
from schemas.envelope import Payload
from schemas.orders import (
    AddItem, CancelOrder, ConfirmOrder, CreateOrder, DeliverOrder, LineItem, OrderId, RecordPayment, RemoveItem,
    ShipOrder, SubmitOrder,
)

router = APIRouter(prefix="/orders", tags=["orders"])

ANSWERS: dict[int | str, dict[str, object]] = {
    202: {"model": CommandAccepted, "description": "Accepted for processing (or the wait ran out)"},
    200: {"model": CommandDecision, "description": "Accepted by the domain (with ?wait)"},
    404: {"model": CommandDecision, "description": "Unknown order (with ?wait)"},
    409: {"model": CommandDecision, "description": "Refused by a rule or a version conflict (with ?wait)"},
}
OrderPath = Annotated[str, Path(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$", max_length=64, examples=["ORD-1001"])]


class CreateOrderBody(CreateOrder):
    order_id: OrderId | None = None  # type: ignore[assignment]


class AddItemBody(LineItem):
    pass


def new_order_id() -> str:
    return f"ORD-{uuid.uuid4().hex[:12].upper()}"


async def _send(payload: Payload, request: Request, bus: Bus, context: Context, wait: float) -> JSONResponse:
    return answer(await bus.send(payload, context, wait), request)


@router.post("", status_code=202, responses={**ANSWERS, 201: {"model": CommandDecision, "description": "Created"}})
async def create_order(body: CreateOrderBody, request: Request, bus: Bus, context: Context, wait: WaitSeconds) -> JSONResponse:
    command = CreateOrder(**{**body.model_dump(exclude={"order_id"}), "order_id": body.order_id or new_order_id()})
    return await _send(command, request, bus, context, wait)


@router.post("/{order_id}/items", status_code=202, responses=ANSWERS)
async def add_item(order_id: OrderPath, body: AddItemBody, request: Request, bus: Bus, context: Context, wait: WaitSeconds) -> JSONResponse:
    return await _send(AddItem(order_id=order_id, **body.model_dump()), request, bus, context, wait)


@router.delete("/{order_id}/items/{product_id}", status_code=202, responses=ANSWERS)
async def remove_item(order_id: OrderPath, product_id: str, request: Request, bus: Bus, context: Context, wait: WaitSeconds) -> JSONResponse:
    return await _send(RemoveItem(order_id=order_id, product_id=product_id), request, bus, context, wait)


class PaymentBody(RecordPayment):
    order_id: OrderId | None = None  # type: ignore[assignment]


class ShipBody(ShipOrder):
    order_id: OrderId | None = None  # type: ignore[assignment]


class CancelBody(CancelOrder):
    order_id: OrderId | None = None  # type: ignore[assignment]


@router.post("/{order_id}/submit", status_code=202, responses=ANSWERS)
async def submit_order(order_id: OrderPath, request: Request, bus: Bus, context: Context, wait: WaitSeconds) -> JSONResponse:
    return await _send(SubmitOrder(order_id=order_id), request, bus, context, wait)


@router.post("/{order_id}/confirm", status_code=202, responses=ANSWERS)
async def confirm_order(order_id: OrderPath, request: Request, bus: Bus, context: Context, wait: WaitSeconds) -> JSONResponse:
    return await _send(ConfirmOrder(order_id=order_id), request, bus, context, wait)


@router.post("/{order_id}/deliver", status_code=202, responses=ANSWERS)
async def deliver_order(order_id: OrderPath, request: Request, bus: Bus, context: Context, wait: WaitSeconds) -> JSONResponse:
    return await _send(DeliverOrder(order_id=order_id), request, bus, context, wait)


@router.post("/{order_id}/payments", status_code=202, responses=ANSWERS)
async def record_payment(order_id: OrderPath, body: PaymentBody, request: Request, bus: Bus, context: Context, wait: WaitSeconds) -> JSONResponse:
    return await _send(RecordPayment(**{**body.model_dump(), "order_id": order_id}), request, bus, context, wait)


@router.post("/{order_id}/ship", status_code=202, responses=ANSWERS)
async def ship_order(order_id: OrderPath, body: ShipBody, request: Request, bus: Bus, context: Context, wait: WaitSeconds) -> JSONResponse:
    return await _send(ShipOrder(**{**body.model_dump(), "order_id": order_id}), request, bus, context, wait)


@router.post("/{order_id}/cancel", status_code=202, responses=ANSWERS)
async def cancel_order(order_id: OrderPath, body: CancelBody, request: Request, bus: Bus, context: Context, wait: WaitSeconds) -> JSONResponse:
    return await _send(CancelOrder(**{**body.model_dump(), "order_id": order_id}), request, bus, context, wait)
