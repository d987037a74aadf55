"""Order statistics as one Elasticsearch aggregation request, using only core aggregations."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from domain.statuses import NOT_PLACED

# Elasticsearch calendar intervals: the words, and the units as Elasticsearch and Kibana write them.
Interval = Literal["hour", "day", "week", "month", "1m", "1h", "1d", "1w", "1M", "1q", "1y"]

# Orders that earned nothing: left out of revenue, average order value and top products.
NOT_REVENUE = tuple(status.value for status in NOT_PLACED)
MAX_BUCKETS = 1000
MAX_TOP_PRODUCTS = 50
# Products summed in one request: every product of the window up to this many, so the top lists are exact on any
# number of shards (a terms aggregation ordered by a sum is only approximately right across shards).
MAX_PRODUCTS = 10_000
# The shortest each interval can be (a calendar month may have 28 days, a quarter 90, a year 365).
SHORTEST: dict[Interval, timedelta] = {
    "1m": timedelta(minutes=1),
    "hour": timedelta(hours=1), "1h": timedelta(hours=1),
    "day": timedelta(days=1), "1d": timedelta(days=1),
    "week": timedelta(weeks=1), "1w": timedelta(weeks=1),
    "month": timedelta(days=28), "1M": timedelta(days=28),
    "1q": timedelta(days=90),
    "1y": timedelta(days=365),
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


def check_buckets(query: StatsQuery) -> None:
    """Refuse a window that would need more than ``MAX_BUCKETS`` intervals."""
    if query.created_from is None or query.created_to is None:
        return
    if (query.created_to - query.created_from) / SHORTEST[query.interval] + 1 > MAX_BUCKETS:
        raise TooManyBuckets(f"from..to spans more than {MAX_BUCKETS} intervals of {query.interval}: use a longer interval")


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


def products() -> dict[str, Any]:
    """Quantity and revenue of each product; the top lists are drawn from it (``stats_report``)."""
    return {"terms": {"field": "items.product_id", "size": MAX_PRODUCTS, "shard_size": MAX_PRODUCTS},
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
        # The total is the status counts' sum (``orders_counted``).
        "track_total_hits": False,
        "query": {"bool": {"filter": stats_filters(query)}},
        "aggs": {
            "status": {"terms": {"field": "status", "size": 20}},
            "over_time": histogram(query),
            "earning": earning({
                "revenue": {"sum": {"field": "total_amount"}},
                "items": {"nested": {"path": "items"}, "aggs": {"products": products()}},
            }),
        },
    }
