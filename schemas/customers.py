"""Customer commands and events. Commands carry ``customer_id``; events name it through the envelope."""

from typing import Annotated, Self

from pydantic import AwareDatetime, Field, model_validator

from schemas.email import Email
from schemas.envelope import Payload
from schemas.money import Money

CustomerId = Annotated[
    str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$", examples=["CUST-1"])
]
CustomerName = Annotated[str, Field(min_length=1, max_length=200, pattern=r"\S", examples=["Ada Lovelace"])]


# Commands


class RegisterCustomer(Payload):
    customer_id: CustomerId
    name: CustomerName
    email: Email


class UpdateCustomer(Payload):
    customer_id: CustomerId
    name: CustomerName | None = None
    email: Email | None = None

    @model_validator(mode="after")
    def _names_a_change(self) -> Self:
        if self.name is None and self.email is None:
            raise ValueError("an update needs a name or an email")
        return self


# Events


class CustomerRegistered(Payload):
    name: str
    email: str


class CustomerUpdated(Payload):
    """Only the fields that changed are set."""

    name: str | None = None
    email: str | None = None


# What the customer projection learns about orders (topic ``customers.order-summaries``, keyed by customer id)


class OrderSummaryLine(Payload):
    product_id: str
    product_name: str
    quantity: int
    line_total: Money


class OrderSummary(Payload):
    """The state of one order at ``order_version``: a later summary of the same order replaces an earlier one."""

    order_id: str
    order_version: int
    status: str
    total_amount: Money
    currency: str
    created_at: AwareDatetime
    submitted_at: AwareDatetime | None = None
    items: list[OrderSummaryLine] = []


CUSTOMER_COMMANDS: tuple[type[Payload], ...] = (RegisterCustomer, UpdateCustomer)
CUSTOMER_EVENTS: tuple[type[Payload], ...] = (CustomerRegistered, CustomerUpdated)
ORDER_SUMMARY_MESSAGES: tuple[type[Payload], ...] = (OrderSummary,)
