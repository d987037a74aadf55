"""Stock reads as Elasticsearch request bodies and answers. User text only ever goes in as a query value.

Whether a SKU is low on stock depends on thresholds in the settings, not on the documents, so the flag is worked out
at query time: on each item from its ``available`` quantity, and as a filter from the thresholds, so that a filtered
page and its total agree with the flags of the items.
"""

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, Field

from query_api.answers import SearchAnswer
from query_api.cursors import cursor_shape, decode_cursor, next_cursor
from schemas.documents import InventoryDocument
from schemas.mappings import INVENTORY

BY_SKU: list[dict[str, Any]] = [{"sku": "asc"}]
BY_RELEVANCE: list[dict[str, Any]] = [{"_score": "desc"}, *BY_SKU]
SKU_CURSOR, RELEVANCE_CURSOR = cursor_shape(BY_SKU, INVENTORY), cursor_shape(BY_RELEVANCE, INVENTORY)


@dataclass(frozen=True)
class LowStockThresholds:
    """A SKU is low on stock when its available quantity is at most its threshold: its own, else the default."""

    default: int
    overrides: Mapping[str, int] = field(default_factory=dict)

    def of(self, sku: str) -> int:
        return self.overrides.get(sku, self.default)


class StockItem(InventoryDocument):
    low_stock: bool = Field(description="available is at most low_stock_threshold")
    low_stock_threshold: int = Field(description="This SKU's threshold: its own if configured, else the default")


class StockPage(BaseModel):
    data: list[StockItem]
    total: int = Field(description="Every SKU matching the query and filters")
    next_cursor: str | None = Field(None, description="Pass as cursor for the next page; null on the last one")


@dataclass(frozen=True)
class StockQuery:
    q: str | None = None
    low_stock: bool | None = None
    backordered: bool | None = None
    size: int = 20
    cursor: str | None = None


def stock_text_query(text: str) -> dict[str, Any]:
    """Typo-tolerant on the product name; the SKU itself, matched exactly, ranks first."""
    return {"bool": {"minimum_should_match": 1, "should": [
        {"match": {"product_name": {"query": text, "fuzziness": "AUTO", "operator": "and"}}},
        {"term": {"sku": {"value": text, "case_insensitive": True, "boost": 5}}},
    ]}}


def _at_most(available: int) -> dict[str, Any]:
    return {"range": {"available": {"lte": available}}}


def low_stock_query(thresholds: LowStockThresholds) -> dict[str, Any]:
    """Matches exactly the SKUs whose available quantity is at most their threshold.

    SKUs sharing an override threshold are one clause (a ``terms`` query counts as one), so the query stays small
    however many overrides there are; every other SKU is compared with the default.
    """
    skus_by_threshold: dict[int, list[str]] = defaultdict(list)
    for sku, threshold in thresholds.overrides.items():
        skus_by_threshold[threshold].append(sku)
    overridden = [{"bool": {"filter": [{"terms": {"sku": sorted(skus)}}, _at_most(threshold)]}}
                  for threshold, skus in sorted(skus_by_threshold.items())]
    others: dict[str, Any] = {"filter": [_at_most(thresholds.default)]}
    if thresholds.overrides:
        others["must_not"] = [{"terms": {"sku": sorted(thresholds.overrides)}}]
    return {"bool": {"should": [*overridden, {"bool": others}], "minimum_should_match": 1}}


def _flag(clause: dict[str, Any], wanted: bool) -> dict[str, Any]:
    """``clause`` when ``wanted``, else its exact opposite (every document has the numbers the clauses compare)."""
    return clause if wanted else {"bool": {"must_not": [clause]}}


def stock_filters(query: StockQuery, thresholds: LowStockThresholds) -> list[dict[str, Any]]:
    clauses: list[dict[str, Any]] = []
    if query.low_stock is not None:
        clauses.append(_flag(low_stock_query(thresholds), query.low_stock))
    if query.backordered is not None:
        clauses.append(_flag({"range": {"backordered": {"gt": 0}}}, query.backordered))
    return clauses


def stock_search_body(query: StockQuery, thresholds: LowStockThresholds) -> dict[str, Any]:
    """Raises ``BadCursor`` for a cursor this API did not give out."""
    body: dict[str, Any] = {
        "query": {"bool": {"must": [stock_text_query(query.q) if query.q else {"match_all": {}}],
                           "filter": stock_filters(query, thresholds)}},
        "sort": BY_RELEVANCE if query.q else BY_SKU,
        "size": query.size,
        "track_total_hits": True,
    }
    if query.cursor:
        body["search_after"] = decode_cursor(query.cursor, RELEVANCE_CURSOR if query.q else SKU_CURSOR)
    return body


def stock_item(source: Mapping[str, Any], thresholds: LowStockThresholds) -> StockItem:
    document = InventoryDocument.model_validate(source)
    threshold = thresholds.of(document.sku)
    return StockItem(**document.model_dump(), low_stock=document.available <= threshold, low_stock_threshold=threshold)


def stock_page(result: SearchAnswer, thresholds: LowStockThresholds, size: int) -> StockPage:
    hits = result["hits"]["hits"]
    return StockPage(data=[stock_item(hit["_source"], thresholds) for hit in hits],
                     total=result["hits"]["total"]["value"], next_cursor=next_cursor(hits, size))
