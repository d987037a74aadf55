"""Order reads: detail, timeline and search."""

from typing import Annotated, Any, Literal

from elasticsearch import AsyncElasticsearch
from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, Field

from query_api.answers import orders_counted
from query_api.cursors import next_cursor
from query_api.dependencies import (
    MAX_VERSION,
    READ_YOUR_WRITES,
    READER,
    Amount,
    CreatedWindow,
    MinVersion,
    OrderId,
    Search,
    bad_parameter,
    found_or_404,
)
from query_api.documents import document_source
from query_api.freshness import read_at_least
from query_api.highlighting import drawn_highlights
from query_api.search import HIGHLIGHTED_FIELDS, SORTS, OrderQuery, facets, fragments_body, highlights, search_body
from query_api.timeline import MAX_TIMELINE_PAGE, Timeline, timeline, timeline_body
from schemas.documents import OrderDocument
from schemas.mappings import ORDER_EVENTS, ORDERS
from schemas.orders import OrderStatus

router = APIRouter(prefix="/orders", tags=["orders"], dependencies=[READER])
MAX_PAGE = 100


class OrderDetail(OrderDocument):
    stale: bool = Field(False, description="min_version was asked for and not reached in time")


class OrderHit(OrderDocument):
    highlights: dict[str, list[str]] = {}


class OrderPage(BaseModel):
    data: list[OrderHit]
    total: int
    facets: dict[str, dict[str, int]]
    next_cursor: str | None


@router.get("/{order_id}", response_model=OrderDetail, responses=READ_YOUR_WRITES)
async def get_order(order_id: OrderId, es: Search, response: Response, min_version: MinVersion) -> OrderDetail:
    async def fetch() -> dict[str, Any] | None:
        return await document_source(es, ORDERS.alias, order_id)

    read = await read_at_least(fetch, lambda source: source["version"], min_version)
    return OrderDetail(**found_or_404(read, response, f"order {order_id}"), stale=read.stale)


@router.get("/{order_id}/timeline", response_model=Timeline, responses=READ_YOUR_WRITES)
async def get_timeline(
    order_id: OrderId, es: Search, response: Response, min_version: MinVersion,
    after_version: Annotated[int, Query(ge=0, le=MAX_VERSION, description="Only events after this version (paging)")] = 0,
    size: Annotated[int, Query(ge=1, le=MAX_TIMELINE_PAGE)] = MAX_TIMELINE_PAGE,
) -> Timeline:
    """Every event of the order in version order; min_version counts the events indexed so far."""
    async def fetch() -> Timeline | None:
        page = timeline(order_id, await es.search(index=ORDER_EVENTS.alias, **timeline_body(order_id, size, after_version)), size)
        return page if page.total else None

    read = await read_at_least(fetch, lambda page: page.total, min_version)
    return found_or_404(read, response, f"order {order_id}").model_copy(update={"stale": read.stale})


async def hit_highlights(es: AsyncElasticsearch, index: str, text: str,
                         hits: list[dict[str, Any]]) -> dict[str, dict[str, list[str]]]:
    """Highlights by document id: drawn here, or by Elasticsearch for the hits whose matching text it must cut."""
    drawn = {hit["_id"]: drawn_highlights(hit["_source"], text, HIGHLIGHTED_FIELDS) for hit in hits}
    cut = [order_id for order_id, marks in drawn.items() if marks is None]
    if cut:
        result = await es.search(index=index, **fragments_body(text, cut))
        drawn |= {hit["_id"]: highlights(hit) for hit in result["hits"]["hits"]}
    return {order_id: marks or {} for order_id, marks in drawn.items()}


@router.get("", response_model=OrderPage)
async def search_orders(
    es: Search,
    window: CreatedWindow,
    q: Annotated[str | None, Query(max_length=200, description="Text: customer, email, products, address, notes")] = None,
    status: Annotated[list[OrderStatus] | None, Query(max_length=10, description="One or more statuses")] = None,
    customer_id: Annotated[str | None, Query(max_length=64)] = None,
    min_total: Annotated[Amount | None, Query()] = None,
    max_total: Annotated[Amount | None, Query()] = None,
    sort: Annotated[Literal[tuple(SORTS)], Query()] = "newest",  # type: ignore[valid-type]  # a Literal of SORTS' names
    size: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 20,
    cursor: Annotated[str | None, Query(max_length=2000)] = None,
) -> OrderPage:
    if min_total is not None and max_total is not None and min_total > max_total:
        raise bad_parameter("min_total", "must not be above max_total")
    query = OrderQuery(q=q.strip() if q and q.strip() else None, status=[each.value for each in status] if status else None,
                       customer_id=customer_id, min_total=min_total, max_total=max_total, created_from=window.start,
                       created_to=window.end, sort=sort, size=size, cursor=cursor)
    body = search_body(query)  # a forged cursor is refused here, before Elasticsearch is asked
    result = await es.search(index=ORDERS.alias, **body)
    hits = result["hits"]["hits"]
    marks = await hit_highlights(es, ORDERS.alias, query.q, hits) if query.q else {}
    return OrderPage(
        data=[OrderHit(**hit["_source"], highlights=marks.get(hit["_id"], {})) for hit in hits],
        total=orders_counted(result["aggregations"]["status"]),
        facets=facets(result["aggregations"]),
        next_cursor=next_cursor(hits, size),
    )
