"""Order statistics: counts by status, orders and revenue over time, average order value, top products."""

from typing import Annotated, Any

from elasticsearch import BadRequestError
from fastapi import APIRouter, Depends, Query

from query_api.dependencies import READER, CreatedWindow, Search, bad_parameter
from query_api.stats import MAX_TOP_PRODUCTS, Interval, StatsQuery, TooManyBuckets, check_buckets, stats_body
from query_api.stats_report import REVENUE_NOTE, OrderStats, order_stats
from schemas.mappings import ORDERS

router = APIRouter(prefix="/stats", tags=["stats"], dependencies=[READER])


def stats_query(
    window: CreatedWindow,
    interval: Annotated[Interval, Query(description="Width of the over_time entries (calendar, UTC): a word, or "
                                                    "1m, 1h, 1d, 1w, 1M (month), 1q (quarter), 1y")] = "day",
    customer_id: Annotated[str | None, Query(max_length=64, description="Only this customer's orders")] = None,
    top: Annotated[int, Query(ge=1, le=MAX_TOP_PRODUCTS, description="How many top products")] = 10,
) -> StatsQuery:
    query = StatsQuery(created_from=window.start, created_to=window.end, interval=interval,
                       customer_id=customer_id, top=top)
    try:
        check_buckets(query)
    except TooManyBuckets as error:
        raise bad_parameter("interval", str(error)) from None
    return query


def too_many_buckets(error: BadRequestError) -> bool:
    """Elasticsearch refused the histogram for its size (``search.max_buckets``)."""
    cause: Any = error.body.get("error") if isinstance(error.body, dict) else None
    while isinstance(cause, dict):
        if cause.get("type") == "too_many_buckets_exception":
            return True
        cause = cause.get("caused_by")
    return False


@router.get("/orders", response_model=OrderStats, description=f"Orders by created_at. {REVENUE_NOTE}")
async def get_order_stats(query: Annotated[StatsQuery, Depends(stats_query)], es: Search) -> OrderStats:
    try:
        result = await es.search(index=ORDERS.alias, **stats_body(query))
    except BadRequestError as error:
        if too_many_buckets(error):
            raise bad_parameter("interval", "too many intervals: give from and to, or use a longer interval") from None
        raise
    return order_stats(query, result)
