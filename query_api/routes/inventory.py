"""Stock reads: one SKU, and search with low-stock and backorder filters."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request

from query_api.dependencies import READER, Search, not_found
from query_api.documents import document_source
from query_api.inventory_reads import (
    LowStockThresholds,
    StockItem,
    StockPage,
    StockQuery,
    stock_item,
    stock_page,
    stock_search_body,
)
from schemas.inventory import Sku
from schemas.mappings import INVENTORY

UNREACHABLE: dict[int | str, dict[str, Any]] = {503: {"description": "Elasticsearch is unreachable, retry shortly"}}
router = APIRouter(prefix="/inventory", tags=["inventory"], dependencies=[READER], responses=UNREACHABLE)
MAX_PAGE = 100

SkuPath = Annotated[Sku, Path(examples=["SKU-100"])]


def low_stock_thresholds(request: Request) -> LowStockThresholds:
    settings = request.app.state.settings
    return LowStockThresholds(settings.low_stock_threshold, settings.low_stock_thresholds)


Thresholds = Annotated[LowStockThresholds, Depends(low_stock_thresholds)]


@router.get("/{sku}", response_model=StockItem, responses={404: {"description": "Unknown SKU (never received)"}})
async def get_stock(sku: SkuPath, es: Search, thresholds: Thresholds) -> StockItem:
    """The SKU's stock: on hand, reserved, available, backordered, open orders, and whether it is low."""
    found = await document_source(es, INVENTORY.alias, sku)
    if found is None:
        raise not_found(f"SKU {sku}")
    return stock_item(found, thresholds)


@router.get("", response_model=StockPage)
async def search_stock(
    es: Search,
    thresholds: Thresholds,
    q: Annotated[str | None, Query(max_length=200, description="Product name (typos tolerated) or SKU")] = None,
    low_stock: Annotated[bool | None, Query(description="Only SKUs at or below (true) or above (false) their threshold")] = None,
    backordered: Annotated[bool | None, Query(description="Only SKUs with (true) or without (false) backordered units")] = None,
    size: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 20,
    cursor: Annotated[str | None, Query(max_length=2000, description="next_cursor of the previous page")] = None,
) -> StockPage:
    """SKUs by SKU, or by relevance with `q`; `total` counts every match."""
    query = StockQuery(q=q.strip() if q and q.strip() else None, low_stock=low_stock, backordered=backordered,
                       size=size, cursor=cursor)
    body = stock_search_body(query, thresholds)
    return stock_page(await es.search(index=INVENTORY.alias, **body), thresholds, size)
