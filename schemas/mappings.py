"""Index mappings of the read models. Only core Elasticsearch features (see DESIGN.md section 2)."""

from dataclasses import dataclass, field
from typing import Any

from schemas.orders import OrderStatus

KEYWORD = {"type": "keyword"}
DATE = {"type": "date"}
LONG = {"type": "long"}
INTEGER = {"type": "integer"}
# Money stays a decimal string in _source; a double gives Kibana and aggregations numbers.
MONEY = {"type": "double"}
TEXT_AND_KEYWORD = {"type": "text", "fields": {"raw": {"type": "keyword", "ignore_above": 256}}}
TEXT = {"type": "text"}
# Whether the view is behind (``schemas.documents.ViewBehind``); added in place at the models' current versions.
BEHIND = {"properties": {"since_version": LONG, "reason": {"type": "keyword", "index": False, "doc_values": False},
                         "waiting_events": INTEGER}}


@dataclass(frozen=True)
class ReadModel:
    alias: str
    version: int
    properties: dict[str, Any]
    settings: dict[str, Any] = field(default_factory=lambda: {"number_of_shards": 1, "number_of_replicas": 0})
    # How soon a write is searchable (Elasticsearch's default: 1s); applied to the serving index in place too.
    refresh_interval: str | None = None

    def live_settings(self) -> dict[str, Any]:
        """The settings that may change on an index in use (``None`` puts back Elasticsearch's default)."""
        return {"refresh_interval": self.refresh_interval}

    def index_name(self, version: int | None = None) -> str:
        return f"{self.alias}-v{self.version if version is None else version}"

    def body(self) -> dict[str, Any]:
        return {"settings": self.settings, "mappings": {"dynamic": "strict", "properties": self.properties}}


ORDER_ITEM = {
    "type": "nested",
    "properties": {
        "product_id": KEYWORD,
        "product_name": TEXT_AND_KEYWORD,
        "quantity": INTEGER,
        "unit_price": MONEY,
        "line_total": MONEY,
        "backordered": INTEGER,
    },
}

ORDERS = ReadModel("orders", 1, {
    "order_id": KEYWORD,
    "customer_id": KEYWORD,
    "customer": {"properties": {"name": TEXT_AND_KEYWORD, "email": TEXT_AND_KEYWORD}},
    "status": KEYWORD,
    "items": ORDER_ITEM,
    "item_count": INTEGER,
    "backordered_quantity": INTEGER,
    "total_amount": MONEY,
    "currency": KEYWORD,
    "payment_status": KEYWORD,
    "amount_paid": MONEY,
    "shipping": {"properties": {"carrier": KEYWORD, "tracking_number": KEYWORD}},
    "shipping_address": {"properties": {
        "line1": TEXT, "line2": TEXT, "city": TEXT_AND_KEYWORD, "postal_code": KEYWORD, "country": KEYWORD,
    }},
    "notes": TEXT,
    # Added at the same version: `init` adds it to the current index (schemas.documents reads older documents).
    "channel": KEYWORD,
    "created_at": DATE,
    "submitted_at": DATE,
    "confirmed_at": DATE,
    "shipped_at": DATE,
    "delivered_at": DATE,
    "cancelled_at": DATE,
    "cancel_reason": TEXT_AND_KEYWORD,
    "updated_at": DATE,
    "version": LONG,
    "behind": BEHIND,
# Searches go to orders: refreshed twice a second, an order is searchable within about a second of its command at
# 500 commands/s (p99 2.0 s against 3.5 s at 1s; the pipeline's throughput did not move).
# Two shards: Elasticsearch searches a request's shards side by side, one thread each, so a search or a stats
# request over a million orders uses two cores instead of one (stats p50 at 1M: 84 ms on one shard, 51 on two,
# same segments). Taken by new indexes: ``orderflow rebuild orders`` moves an existing one.
}, settings={"number_of_shards": 2, "number_of_replicas": 0}, refresh_interval="500ms")

ORDER_EVENTS = ReadModel("order-events", 1, {
    "event_id": KEYWORD,
    "type": KEYWORD,
    "order_id": KEYWORD,
    "customer_id": KEYWORD,
    "version": LONG,
    "occurred_at": DATE,
    "actor": KEYWORD,
    "command_id": KEYWORD,
    "correlation_id": KEYWORD,
    "status": KEYWORD,
    "amount": MONEY,
    "currency": KEYWORD,
    "cancel_reason": KEYWORD,
    "payload": {"type": "object", "enabled": False},
})

# The order statuses (schemas.orders.OrderStatus): one count each, so a status is never guessed by dynamic mapping.
ORDER_STATUSES = tuple(status.value for status in OrderStatus)

CUSTOMERS = ReadModel("customers", 2, {
    "customer_id": KEYWORD,
    "name": TEXT_AND_KEYWORD,
    "email": TEXT_AND_KEYWORD,
    "total_orders": INTEGER,
    # Added at the same version: `init` adds it to the current index (schemas.documents reads older documents).
    "placed_orders": INTEGER,
    "total_spent": MONEY,
    "average_order_value": MONEY,
    "first_order_at": DATE,
    "last_order_at": DATE,
    "favourite_products": {"properties": {"product_id": KEYWORD, "product_name": TEXT_AND_KEYWORD, "quantity": INTEGER}},
    "orders_by_status": {"dynamic": "strict", "properties": {status: INTEGER for status in ORDER_STATUSES}},
    "registered_at": DATE,
    "updated_at": DATE,
    "version": LONG,
    "behind": BEHIND,
})

INVENTORY = ReadModel("inventory", 2, {
    "sku": KEYWORD,
    "product_name": TEXT_AND_KEYWORD,
    "on_hand": INTEGER,
    "reserved": INTEGER,
    "available": INTEGER,
    "backordered": INTEGER,
    "open_orders": INTEGER,
    "updated_at": DATE,
    "version": LONG,
    "behind": BEHIND,
})

READ_MODELS: dict[str, ReadModel] = {model.alias: model for model in (ORDERS, ORDER_EVENTS, CUSTOMERS, INVENTORY)}
