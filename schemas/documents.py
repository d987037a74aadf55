"""Read documents: what the projectors write to Elasticsearch and the query API returns."""

from datetime import datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, model_validator

from schemas.money import Money
from schemas.orders import API_CHANNEL, Address, CustomerInfo


class Document(BaseModel):
    model_config = ConfigDict(frozen=True)


class ViewBehind(Document):
    """Set while the view cannot apply an event (it is dead-lettered): the document stays at ``since_version``
    until the missing event arrives (e.g. resent corrected from the dead letters) or the read model is rebuilt."""

    since_version: int
    reason: str
    waiting_events: int


class OrderLine(Document):
    product_id: str
    product_name: str
    quantity: int
    unit_price: Money
    line_total: Money
    backordered: int = 0


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
    backordered_quantity: int = 0
    total_amount: Money
    currency: str
    payment_status: str = "unpaid"
    amount_paid: Money
    shipping: Shipping = Shipping()
    shipping_address: Address | None = None
    notes: str | None = None
    # Documents indexed before orders named their channel are of orders placed through the API.
    channel: str = API_CHANNEL
    created_at: datetime
    submitted_at: datetime | None = None
    confirmed_at: datetime | None = None
    shipped_at: datetime | None = None
    delivered_at: datetime | None = None
    cancelled_at: datetime | None = None
    cancel_reason: str | None = None
    updated_at: datetime
    version: int
    behind: ViewBehind | None = None


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
    payload: dict[Any, Any]


class FavouriteProduct(Document):
    product_id: str
    product_name: str
    quantity: int


class CustomerDocument(Document):
    """One customer: who they are (``None`` until registered) and what they ordered.

    ``total_orders`` and ``orders_by_status`` count every order of the customer, whatever its status;
    ``placed_orders``, ``total_spent``, ``average_order_value`` and ``favourite_products`` count placed orders only
    (neither DRAFT nor CANCELLED). ``first_order_at``/``last_order_at`` are the first and last time the customer
    submitted an order, cancelled ones included (they were placed).
    """

    customer_id: str
    name: str | None = None
    email: str | None = None
    total_orders: int = 0
    placed_orders: int = 0
    total_spent: Money = Decimal("0.00")
    average_order_value: Money | None = None
    first_order_at: datetime | None = None
    last_order_at: datetime | None = None
    favourite_products: list[FavouriteProduct] = []
    orders_by_status: dict[str, int] = {}
    registered_at: datetime | None = None
    updated_at: datetime
    version: int
    behind: ViewBehind | None = None

    @model_validator(mode="before")
    @classmethod
    def _written_before_placed_orders(cls, data: Any) -> Any:
        """A document indexed before ``placed_orders`` existed has the placed orders in ``total_orders``; every
        order is the sum of ``orders_by_status``. Read so until ``orderflow rebuild customers`` rewrites it."""
        if isinstance(data, dict) and "total_orders" in data and "placed_orders" not in data:
            return {**data, "placed_orders": data["total_orders"],
                    "total_orders": sum((data.get("orders_by_status") or {}).values())}
        return data


class InventoryDocument(Document):
    """The stock of one SKU. ``available`` = ``on_hand`` − ``reserved``; ``backordered`` is what open orders still
    await; ``open_orders`` counts the orders holding or awaiting stock. The low-stock flag is not stored: it depends
    on thresholds in the query API's settings, so changing them needs no reindexing."""

    sku: str
    product_name: str | None = None
    on_hand: int
    reserved: int
    available: int
    backordered: int
    open_orders: int
    updated_at: datetime
    version: int
    behind: ViewBehind | None = None
