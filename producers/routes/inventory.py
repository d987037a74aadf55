"""Stock command endpoints, one stock per SKU. Each builds one command and hands it to the bus."""

from typing import Annotated

from fastapi import APIRouter, Path
from fastapi.responses import JSONResponse

from producers.answers import ANSWERS, CREATED
from producers.dependencies import COMMAND_PARAMETERS, Incoming
from producers.routes.common import completed, examples, send
from schemas.inventory import AdjustStock, ReceiveStock, Sku

router = APIRouter(prefix="/inventory", tags=["inventory"])

SkuPath = Annotated[Sku, Path(examples=["SKU-100"])]


class ReceiptBody(ReceiveStock):
    model_config = examples({"quantity": 25, "product_name": "Mechanical keyboard"})
    sku: Sku | None = None  # type: ignore[assignment]  # optional in the body: the id comes from the path


class AdjustmentBody(AdjustStock):
    model_config = examples({"quantity_delta": -2, "reason": "damaged in the warehouse"})
    sku: Sku | None = None  # type: ignore[assignment]  # optional in the body: the id comes from the path


@router.post("/{sku}/receipts", status_code=202, responses={**ANSWERS, **CREATED}, openapi_extra=COMMAND_PARAMETERS)
async def receive_stock(sku: SkuPath, body: ReceiptBody, command: Incoming) -> JSONResponse:
    """Add received units to the SKU's stock; the first receipt starts tracking the SKU (201 with ?wait).
    Backordered order lines are filled from it, oldest first."""
    return await send(completed(ReceiveStock, body, sku=sku), command)


@router.post("/{sku}/adjustments", status_code=202, responses=ANSWERS, openapi_extra=COMMAND_PARAMETERS)
async def adjust_stock(sku: SkuPath, body: AdjustmentBody, command: Incoming) -> JSONResponse:
    """Correct the units on hand by `quantity_delta` (signed, not 0) after a count, damage or loss, with a reason.
    On-hand stock never goes below 0; the SKU must have been received before."""
    return await send(completed(AdjustStock, body, sku=sku), command)
