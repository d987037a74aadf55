"""Order statistics as one Elasticsearch aggregation request, using only core aggregations."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

Interval = Literal["hour", "day", "week", "month"]

# Orders that earned nothing: left out of revenue, average order value and top products.
NOT_REVENUE = ("DRAFT", "CANCELLED")
MAX_BUCKETS = 1000
MAX_TOP_PRODUCTS = 50
SHORTEST: dict[Interval, timedelta] = {
    "hour": timedelta(hours=1), "day": timedelta(days=1), "week": timedelta(weeks=1), "month": timedelta(days=28),
}


class TooManyBuckets(ValueError):
    pass


@dataclass(frozen=True)
class StatsQuery:
    created_from: datetime | None = None
    created_to: datetime | None = None
    interval: Interval = "day"
    customer_id: str | None = None
    top: int = 10


def as_utc(moment: datetime | None) -> datetime | None:
    """A datetime without a zone is read as UTC."""
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def check_buckets(query: StatsQuery) -> None:
    """Refuse a window that would need more than ``MAX_BUCKETS`` intervals."""
    if query.created_from is None or query.created_to is None:
        return
    if (query.created_to - query.created_from) / SHORTEST[query.interval] + 1 > MAX_BUCKETS:
        raise TooManyBuckets(f"from..to spans more than {MAX_BUCKETS} {query.interval}s: use a longer interval")


def stats_filters(query: StatsQuery) -> list[dict[str, Any]]:
    clauses: list[dict[str, Any]] = []
    created = {key: moment.isoformat() for key, moment in (("gte", query.created_from), ("lte", query.created_to)) if moment}
    if created:
        clauses.append({"range": {"created_at": created}})
    if query.customer_id:
        clauses.append({"term": {"customer_id": query.customer_id}})
    return clauses


def earning(aggs: dict[str, Any]) -> dict[str, Any]:
    """``aggs`` over the orders that count as revenue."""
    return {"filter": {"bool": {"must_not": [{"terms": {"status": list(NOT_REVENUE)}}]}}, "aggs": aggs}


def top_products(order_by: str, size: int) -> dict[str, Any]:
    return {"terms": {"field": "items.product_id", "size": size, "order": [{order_by: "desc"}, {"_key": "asc"}]},
            "aggs": {"quantity": {"sum": {"field": "items.quantity"}},
                     "revenue": {"sum": {"field": "items.line_total"}},
                     "name": {"terms": {"field": "items.product_name.raw", "size": 1}}}}


def histogram(query: StatsQuery) -> dict[str, Any]:
    spec: dict[str, Any] = {"field": "created_at", "calendar_interval": query.interval, "time_zone": "UTC",
                            "min_doc_count": 0}
    bounds = {key: moment.isoformat() for key, moment in (("min", query.created_from), ("max", query.created_to)) if moment}
    if bounds:
        spec["extended_bounds"] = bounds
    return {"date_histogram": spec, "aggs": {"earning": earning({"revenue": {"sum": {"field": "total_amount"}}})}}


def stats_body(query: StatsQuery) -> dict[str, Any]:
    return {
        "size": 0,
        "track_total_hits": True,
        "query": {"bool": {"filter": stats_filters(query)}},
        "aggs": {
            "status": {"terms": {"field": "status", "size": 20}},
            "over_time": histogram(query),
            "earning": earning({
                "revenue": {"sum": {"field": "total_amount"}},
                "items": {"nested": {"path": "items"}, "aggs": {
                    "by_quantity": top_products("quantity", query.top),
                    "by_revenue": top_products("revenue", query.top),
                }},
            }),
        },
    }
