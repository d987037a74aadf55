"""Order search as Elasticsearch request bodies. User text only ever goes in as a query *value*."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from query_api.cursors import cursor_shape, decode_cursor
from query_api.highlighting import MAX_FRAGMENTS
from schemas.mappings import ORDERS

FUZZY_FIELDS = ["customer.name^3", "customer.email^2", "notes", "shipping_address.line1", "shipping_address.city",
                "cancel_reason"]
SORTS: dict[str, list[dict[str, Any]]] = {
    "newest": [{"created_at": "desc"}, {"order_id": "asc"}],
    "oldest": [{"created_at": "asc"}, {"order_id": "asc"}],
    "total_desc": [{"total_amount": "desc"}, {"order_id": "asc"}],
    "total_asc": [{"total_amount": "asc"}, {"order_id": "asc"}],
    "relevance": [{"_score": "desc"}, {"order_id": "asc"}],
}
HIGHLIGHTED_FIELDS = [field.split("^")[0] for field in FUZZY_FIELDS]
CURSOR_SHAPES = {name: cursor_shape(sort, ORDERS) for name, sort in SORTS.items()}
TOTAL_RANGES = [{"key": "under_50", "to": 50}, {"key": "50_to_200", "from": 50, "to": 200},
                {"key": "200_to_1000", "from": 200, "to": 1000}, {"key": "1000_and_over", "from": 1000}]


@dataclass(frozen=True)
class OrderQuery:
    q: str | None = None
    status: list[str] | None = None
    customer_id: str | None = None
    min_total: Decimal | None = None
    max_total: Decimal | None = None
    created_from: datetime | None = None
    created_to: datetime | None = None
    sort: str = "newest"
    size: int = 20
    cursor: str | None = None


def text_query(text: str, highlighted: bool = False) -> dict[str, Any]:
    """Typo-tolerant match over the order's text fields and its items' product names; ``highlighted`` asks
    Elasticsearch to highlight the matching items' names."""
    items: dict[str, Any] = {"path": "items", "query": {"match": {"items.product_name": {
        "query": text, "fuzziness": "AUTO", "operator": "and"}}}}
    if highlighted:
        items["inner_hits"] = {"size": MAX_FRAGMENTS, "_source": False, "highlight": {"fields": {"items.product_name": {}}}}
    return {"bool": {"minimum_should_match": 1, "should": [
        {"multi_match": {"query": text, "fields": FUZZY_FIELDS, "fuzziness": "AUTO", "operator": "and"}},
        {"nested": items},
    ]}}


def filters(query: OrderQuery) -> list[dict[str, Any]]:
    clauses: list[dict[str, Any]] = []
    if query.status:
        clauses.append({"terms": {"status": query.status}})
    if query.customer_id:
        clauses.append({"term": {"customer_id": query.customer_id}})
    total = {key: str(value) for key, value in (("gte", query.min_total), ("lte", query.max_total)) if value is not None}
    if total:
        clauses.append({"range": {"total_amount": total}})
    created = {key: value.isoformat() for key, value in (("gte", query.created_from), ("lte", query.created_to)) if value}
    if created:
        clauses.append({"range": {"created_at": created}})
    return clauses


def search_body(query: OrderQuery) -> dict[str, Any]:
    """Raises ``BadCursor`` for a cursor this API did not give out for the sort."""
    sort_name = query.sort if query.q or query.sort != "relevance" else "newest"
    sort = SORTS[sort_name]
    body: dict[str, Any] = {
        "query": {"bool": {"must": [text_query(query.q)] if query.q else [{"match_all": {}}], "filter": filters(query)}},
        "sort": sort,
        "size": query.size,
        # The total is the status facet's sum (``orders_counted``).
        "track_total_hits": False,
        "aggs": {
            "status": {"terms": {"field": "status", "size": 10}},
            "total_ranges": {"range": {"field": "total_amount", "keyed": True, "ranges": TOTAL_RANGES}},
        },
    }
    if query.cursor:
        body["search_after"] = decode_cursor(query.cursor, CURSOR_SHAPES[sort_name])
    if sort_name == "relevance":
        # Scores from the index's term statistics rather than each shard's, so they do not depend on the shard count.
        body["search_type"] = "dfs_query_then_fetch"
    return body


def fragments_body(text: str, order_ids: list[str]) -> dict[str, Any]:
    """Elasticsearch's own highlights of these orders, for values too long to be marked whole
    (``query_api.highlighting``): it splits them into sentence fragments."""
    return {
        "query": {"bool": {"must": [text_query(text, highlighted=True)], "filter": [{"ids": {"values": order_ids}}]}},
        "size": len(order_ids),
        "_source": False,
        "highlight": {"fields": {field: {} for field in HIGHLIGHTED_FIELDS}},
    }


def facets(aggregations: dict[str, Any]) -> dict[str, dict[str, int]]:
    return {
        "status": {bucket["key"]: bucket["doc_count"] for bucket in aggregations["status"]["buckets"]},
        "total_ranges": {key: bucket["doc_count"] for key, bucket in aggregations["total_ranges"]["buckets"].items()},
    }


def highlights(hit: dict[str, Any]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = dict(hit.get("highlight", {}))
    for inner in hit.get("inner_hits", {}).values():
        for inner_hit in inner["hits"]["hits"]:
            for field, fragments in inner_hit.get("highlight", {}).items():
                found.setdefault(field, []).extend(fragments)
    return found
