"""Order commands and events. Commands carry ``order_id``; events name it through the envelope."""

from enum import StrEnum
from typing import Annotated, ClassVar, Literal

from pydantic import Field

from schemas.email import Email
from schemas.envelope import Payload
from schemas.money import CurrencyCode, Money, PositiveMoney

# Lines of one order at most: a bound on the size of the order's records (its state, its submission, its summary).
MAX_LINES = 500
OrderId = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$", examples=["ORD-1001"])]
ProductId = Annotated[str, Field(min_length=1, max_length=64, examples=["P-100"])]
Text = Annotated[str, Field(min_length=1, max_length=500)]

# Where an order was placed, as the client sending ``CreateOrder`` says. ``api``: a client that names no channel, as
# no client could before ``OrderCreated`` v2.
SalesChannel = Literal["web", "mobile", "store", "phone", "marketplace", "api"]
API_CHANNEL: SalesChannel = "api"


class OrderStatus(StrEnum):
    """An order's status, as documents and events write it. Defined here so that the index mappings can name every
    status without importing the domain; the groups of statuses (placed, holding stock…) are ``domain.statuses``."""

    DRAFT = "DRAFT"
    SUBMITTED = "SUBMITTED"
    CONFIRMED = "CONFIRMED"
    SHIPPED = "SHIPPED"
    DELIVERED = "DELIVERED"
    CANCELLED = "CANCELLED"


class CustomerInfo(Payload):
    name: Annotated[str, Field(min_length=1, max_length=200)]
    email: Email


class Address(Payload):
    line1: Text
    line2: Text | None = None
    city: Annotated[str, Field(min_length=1, max_length=100)]
    postal_code: Annotated[str, Field(min_length=1, max_length=20)]
    country: Annotated[str, Field(pattern=r"^[A-Z]{2}$", examples=["DE"])]


class LineItem(Payload):
    product_id: ProductId
    product_name: Annotated[str, Field(min_length=1, max_length=200)]
    quantity: Annotated[int, Field(gt=0, le=1_000_000)]
    unit_price: PositiveMoney


# Commands


class CreateOrder(Payload):
    order_id: OrderId
    customer_id: Annotated[str, Field(min_length=1, max_length=64)]
    customer: CustomerInfo | None = None
    currency: CurrencyCode = "EUR"
    items: Annotated[list[LineItem], Field(max_length=MAX_LINES)] = []
    shipping_address: Address | None = None
    notes: Annotated[str, Field(max_length=2000)] | None = None
    channel: SalesChannel = API_CHANNEL


class AddItem(LineItem):
    order_id: OrderId


class RemoveItem(Payload):
    order_id: OrderId
    product_id: ProductId


class SubmitOrder(Payload):
    order_id: OrderId


class ConfirmOrder(Payload):
    order_id: OrderId


class DeliverOrder(Payload):
    order_id: OrderId


class RecordPayment(Payload):
    order_id: OrderId
    amount: PositiveMoney
    method: Annotated[str, Field(min_length=1, max_length=50, examples=["card"])]
    reference: Annotated[str, Field(min_length=1, max_length=100)]


class ShipOrder(Payload):
    order_id: OrderId
    carrier: Annotated[str, Field(min_length=1, max_length=100)]
    tracking_number: Annotated[str, Field(min_length=1, max_length=100)]


class CancelOrder(Payload):
    order_id: OrderId
    reason: Text


class RecordBackorder(Payload):
    """Sent by the worker when the stock of a submitted line changes: of the line's quantity, ``reserved`` is set
    aside and ``backordered`` awaits stock. ``stock_version`` (the stock event's version) orders these per product."""

    order_id: OrderId
    product_id: ProductId
    reserved: Annotated[int, Field(ge=0)]
    backordered: Annotated[int, Field(ge=0)]
    stock_version: Annotated[int, Field(ge=1)]


# Events


class OrderCreated(Payload):
    """v2: ``channel``, where the order was placed (v1 records are read as placed through the ``api``)."""

    schema_version: ClassVar[int] = 2

    customer_id: str
    customer: CustomerInfo | None = None
    currency: CurrencyCode
    shipping_address: Address | None = None
    notes: str | None = None
    channel: str


class ItemAdded(Payload):
    """``quantity`` is the quantity added; adding a product already present merges quantities."""

    product_id: str
    product_name: str
    quantity: int
    unit_price: Money


class ItemRemoved(Payload):
    product_id: str


class OrderSubmitted(Payload):
    items: list[LineItem]
    total_amount: Money


class PaymentRecorded(Payload):
    amount: Money
    method: str
    reference: str
    amount_paid: Money
    payment_status: str


class OrderConfirmed(Payload):
    pass


class OrderShipped(Payload):
    carrier: str
    tracking_number: str


class OrderDelivered(Payload):
    pass


class OrderCancelled(Payload):
    reason: str
    previous_status: str


class BackorderRecorded(Payload):
    """A line's stock: ``backordered`` of it awaits stock (0: all of it is reserved now)."""

    product_id: str
    reserved: int
    backordered: int
    stock_version: int


ORDER_COMMANDS: tuple[type[Payload], ...] = (
    CreateOrder, AddItem, RemoveItem, SubmitOrder, RecordPayment, ConfirmOrder, ShipOrder, DeliverOrder, CancelOrder,
)
ORDER_EVENTS: tuple[type[Payload], ...] = (
    OrderCreated, ItemAdded, ItemRemoved, OrderSubmitted, PaymentRecorded, OrderConfirmed, OrderShipped,
    OrderDelivered, OrderCancelled, BackorderRecorded,
)
# Sent by the worker, not by clients.
ORDER_STOCK_COMMANDS: tuple[type[Payload], ...] = (RecordBackorder,)
