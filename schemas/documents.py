"""Read documents: what the projectors write to Elasticsearch and the query API returns."""

from datetime import datetime

from pydantic import BaseModel, ConfigDict

from schemas.money import Money
from schemas.orders import Address, CustomerInfo


class Document(BaseModel):
    model_config = ConfigDict(frozen=True)


class OrderLine(Document):
    product_id: str
    product_name: str
    quantity: int
    unit_price: Money
    line_total: Money


class Shipping(Document):
    carrier: str | None = None
    tracking_number: str | None = None


class OrderDocument(Document):
    order_id: str
    customer_id: str
    customer: CustomerInfo | None = None
    status: str
    items: list[OrderLine] = []
    item_count: int = 0
    total_amount: Money
    currency: str
    payment_status: str = "unpaid"
    amount_paid: Money
    shipping: Shipping = Shipping()
    shipping_address: Address | None = None
    notes: str | None = None
    created_at: datetime
    submitted_at: datetime | None = None
    confirmed_at: datetime | None = None
    shipped_at: datetime | None = None
    delivered_at: datetime | None = None
    cancelled_at: datetime | None = None
    cancel_reason: str | None = None
    updated_at: datetime
    version: int


class OrderEventDocument(Document):
    """One event of an order, for timelines and Kibana time series."""

    event_id: str
    type: str
    order_id: str
    customer_id: str | None = None
    version: int
    occurred_at: datetime
    actor: str
    command_id: str
    correlation_id: str
    status: str | None = None
    amount: Money | None = None
    currency: str | None = None
    cancel_reason: str | None = None
    payload: dict
