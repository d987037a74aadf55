"""Customer command endpoints."""

from typing import Annotated

from fastapi import APIRouter, Path
from fastapi.responses import JSONResponse

from producers.answers import ANSWERS, CREATED
from producers.commands import new_aggregate_id
from producers.dependencies import COMMAND_PARAMETERS, Incoming
from producers.routes.common import completed, examples, send
from schemas.customers import CustomerId, RegisterCustomer, UpdateCustomer

router = APIRouter(prefix="/customers", tags=["customers"])

CustomerPath = Annotated[str, Path(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$", max_length=64, examples=["CUST-1"])]


class RegisterCustomerBody(RegisterCustomer):
    model_config = examples({"customer_id": "CUST-1", "name": "Ada Lovelace", "email": "ada@example.com"})
    customer_id: CustomerId | None = None  # type: ignore[assignment]  # optional in the body: one is assigned without it


class UpdateCustomerBody(UpdateCustomer):
    model_config = examples({"email": "ada.lovelace@example.com"})
    customer_id: CustomerId | None = None  # type: ignore[assignment]  # optional in the body: the id comes from the path


@router.post("", status_code=202, responses={**ANSWERS, **CREATED}, openapi_extra=COMMAND_PARAMETERS)
async def register_customer(body: RegisterCustomerBody, command: Incoming) -> JSONResponse:
    """Register a customer; without `customer_id` one is assigned. The id must not be in use."""
    register = completed(RegisterCustomer, body, customer_id=body.customer_id or new_aggregate_id("CUST", command.context))
    return await send(register, command)


@router.patch("/{customer_id}", status_code=202, responses=ANSWERS, openapi_extra=COMMAND_PARAMETERS)
async def update_customer(customer_id: CustomerPath, body: UpdateCustomerBody, command: Incoming) -> JSONResponse:
    """Change a customer's name and/or email."""
    return await send(completed(UpdateCustomer, body, customer_id=customer_id), command)
