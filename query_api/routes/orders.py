"""Order reads: detail and search."""

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from elasticsearch import AsyncElasticsearch, NotFoundError
from fastapi import APIRouter, HTTPException, Query, Request
from pydantic import BaseModel

from query_api.search import SORTS, BadCursor, OrderQuery, encode_cursor, facets, highlights, search_body
from schemas.documents import OrderDocument
from schemas.mappings import ORDERS

router = APIRouter(prefix="/orders", tags=["orders"])
MAX_PAGE = 100


class OrderHit(OrderDocument):
    highlights: dict[str, list[str]] = {}


class OrderPage(BaseModel):
    data: list[OrderHit]
    total: int
    facets: dict[str, dict[str, int]]
    next_cursor: str | None


def _es(request: Request) -> AsyncElasticsearch:
    return request.app.state.es


@router.get("/{order_id}", response_model=OrderDocument)
async def get_order(order_id: str, request: Request) -> dict[str, Any]:
    try:
        found = await _es(request).get(index=ORDERS.alias, id=order_id)
    except NotFoundError:
        raise HTTPException(404, detail=f"order {order_id} not found") from None
    return found["_source"]


@router.get("", response_model=OrderPage)
async def search_orders(
    request: Request,
    q: Annotated[str | None, Query(max_length=200, description="Text: customer, email, products, address, notes")] = None,
    status: Annotated[list[str] | None, Query(description="One or more statuses")] = None,
    customer_id: Annotated[str | None, Query(max_length=64)] = None,
    min_total: Annotated[Decimal | None, Query(ge=0)] = None,
    max_total: Annotated[Decimal | None, Query(ge=0)] = None,
    created_from: Annotated[datetime | None, Query(alias="from")] = None,
    created_to: Annotated[datetime | None, Query(alias="to")] = None,
    sort: Annotated[Literal[tuple(SORTS)], Query()] = "newest",  # type: ignore[valid-type]
    size: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 20,
    cursor: Annotated[str | None, Query(max_length=2000)] = None,
) -> OrderPage:
    query = OrderQuery(q=q.strip() if q and q.strip() else None, status=status, customer_id=customer_id,
                       min_total=min_total, max_total=max_total, created_from=created_from, created_to=created_to,
                       sort=sort, size=size, cursor=cursor)
    try:
        body = search_body(query)
    except BadCursor as error:
        raise HTTPException(422, detail=[{"loc": ["query", "cursor"], "msg": str(error), "type": "value_error"}]) from None
    result = await _es(request).search(index=ORDERS.alias, **body)
    hits = result["hits"]["hits"]
    return OrderPage(
        data=[OrderHit(**hit["_source"], highlights=highlights(hit)) for hit in hits],
        total=result["hits"]["total"]["value"],
        facets=facets(result["aggregations"]),
        next_cursor=encode_cursor(hits[-1]["sort"]) if len(hits) == size else None,
    )
