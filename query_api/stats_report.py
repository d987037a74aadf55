"""The answer of ``GET /stats/orders``, read from the aggregations of ``stats_body``."""

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, Field

from query_api.answers import SearchAnswer, orders_counted
from query_api.stats import NOT_REVENUE, Interval, StatsQuery
from schemas.money import Money, quantize
from schemas.orders import OrderStatus

REVENUE_NOTE = f"Revenue, average order value and top products leave out orders in {' and '.join(NOT_REVENUE)}."


class IntervalStats(BaseModel):
    start: datetime = Field(description="Start of the interval (UTC)")
    orders: int = Field(description="Orders created in the interval, every status")
    revenue_orders: int = Field(description="Of those, orders that count as revenue")
    revenue: Money


class ProductStats(BaseModel):
    product_id: str
    product_name: str | None
    quantity: int
    revenue: Money


class OrderStats(BaseModel):
    created_from: datetime | None = Field(None, serialization_alias="from")
    created_to: datetime | None = Field(None, serialization_alias="to")
    interval: Interval
    customer_id: str | None = None
    revenue_excludes: list[str] = Field(list(NOT_REVENUE), description=REVENUE_NOTE)
    total_orders: int
    orders_by_status: dict[str, int] = Field(description="Every status, zero included")
    revenue_orders: int = Field(description="Orders that count as revenue")
    revenue: Money = Field(description="Sum of total_amount. " + REVENUE_NOTE)
    average_order_value: Money | None = Field(description="null when no order counts as revenue. " + REVENUE_NOTE)
    over_time: list[IntervalStats] = Field(description="Orders by created_at, one entry per interval, empty ones included")
    top_products_by_quantity: list[ProductStats]
    top_products_by_revenue: list[ProductStats]


def money(value: float | None) -> Decimal:
    """Elasticsearch sums money as doubles: back to cents."""
    return quantize(Decimal(repr(value or 0.0)))


def average(revenue: Decimal, orders: int) -> Decimal | None:
    return quantize(revenue / orders) if orders else None


def status_counts(aggregation: dict[str, Any]) -> dict[str, int]:
    counts = {status.value: 0 for status in OrderStatus}
    counts.update({bucket["key"]: bucket["doc_count"] for bucket in aggregation["buckets"]})
    return counts


def interval_stats(bucket: dict[str, Any]) -> IntervalStats:
    return IntervalStats(start=datetime.fromtimestamp(bucket["key"] / 1000, UTC), orders=bucket["doc_count"],
                         revenue_orders=bucket["earning"]["doc_count"], revenue=money(bucket["earning"]["revenue"]["value"]))


def product_stats(bucket: dict[str, Any]) -> ProductStats:
    names = bucket["name"]["buckets"]
    return ProductStats(product_id=bucket["key"], product_name=names[0]["key"] if names else None,
                        quantity=int(bucket["quantity"]["value"]), revenue=money(bucket["revenue"]["value"]))


def top_products(buckets: list[dict[str, Any]], by: str, size: int) -> list[ProductStats]:
    """The ``size`` products with the most ``by`` (``quantity`` or ``revenue``), ties by product id."""
    ranked = sorted(buckets, key=lambda bucket: (-(bucket[by]["value"] or 0.0), bucket["key"]))
    return [product_stats(bucket) for bucket in ranked[:size]]


def order_stats(query: StatsQuery, result: SearchAnswer) -> OrderStats:
    aggregations = result["aggregations"]
    earning = aggregations["earning"]
    products = earning["items"]["products"]["buckets"]
    revenue = money(earning["revenue"]["value"])
    return OrderStats(
        created_from=query.created_from, created_to=query.created_to, interval=query.interval,
        customer_id=query.customer_id, total_orders=orders_counted(aggregations["status"]),
        orders_by_status=status_counts(aggregations["status"]), revenue_orders=earning["doc_count"],
        revenue=revenue, average_order_value=average(revenue, earning["doc_count"]),
        over_time=[interval_stats(bucket) for bucket in aggregations["over_time"]["buckets"]],
        top_products_by_quantity=top_products(products, "quantity", query.top),
        top_products_by_revenue=top_products(products, "revenue", query.top),
    )
