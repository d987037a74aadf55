"""Stock query bodies and answers: user text only as values, the low-stock filter exact with per-SKU overrides."""

import json
from typing import Any

import pytest

from query_api.cursors import BadCursor, encode_cursor
from query_api.inventory_reads import (
    LowStockThresholds,
    StockQuery,
    low_stock_query,
    stock_item,
    stock_page,
    stock_search_body,
)

HOSTILE = '"} , {"script": {"source": "boom"}}'
THRESHOLDS = LowStockThresholds(default=5, overrides={"SKU-BIG": 20, "SKU-HUGE": 20, "SKU-NEVER": -1})


def document(sku: str, available: int, backordered: int = 0, **extra: Any) -> dict[str, Any]:
    return {"sku": sku, "product_name": f"Product {sku}", "on_hand": available + 2, "reserved": 2,
            "available": available, "backordered": backordered, "open_orders": 1,
            "updated_at": "2026-03-01T12:00:00Z", "version": 4, **extra}


def matches(clause: dict[str, Any], source: dict[str, Any]) -> bool:
    """Evaluates the query forms these bodies use against one document, as Elasticsearch would."""
    kind, spec = next(iter(clause.items()))
    if kind == "match_all":
        return True
    if kind == "terms":
        (name, values), = spec.items()
        return source[name] in values
    if kind == "range":
        (name, bounds), = spec.items()
        checks = {"lte": lambda a, b: a <= b, "lt": lambda a, b: a < b, "gte": lambda a, b: a >= b, "gt": lambda a, b: a > b}
        return all(checks[op](source[name], bound) for op, bound in bounds.items())
    if kind == "bool":
        required = [*spec.get("must", []), *spec.get("filter", [])]
        should = spec.get("should", [])
        at_least = spec.get("minimum_should_match", 0 if required else 1) if should else 0
        return (all(matches(inner, source) for inner in required)
                and not any(matches(inner, source) for inner in spec.get("must_not", []))
                and sum(matches(inner, source) for inner in should) >= at_least)
    raise AssertionError(f"query form {kind} is not evaluated here")


def filtered(query: StockQuery, documents: list[dict[str, Any]], thresholds: LowStockThresholds = THRESHOLDS) -> set[str]:
    body = stock_search_body(query, thresholds)
    return {source["sku"] for source in documents
            if all(matches(clause, source) for clause in body["query"]["bool"]["filter"])}


STOCK = [
    document("SKU-A", available=0), document("SKU-B", available=5), document("SKU-C", available=6),
    document("SKU-BIG", available=20), document("SKU-HUGE", available=21), document("SKU-NEVER", available=0),
    document("SKU-D", available=0, backordered=3), document("SKU-E", available=100),
]


def test_low_stock_filter_matches_exactly_the_items_flagged_low_with_overrides() -> None:
    flagged = {source["sku"] for source in STOCK if stock_item(source, THRESHOLDS).low_stock}
    assert flagged == {"SKU-A", "SKU-B", "SKU-BIG", "SKU-D"}
    assert filtered(StockQuery(low_stock=True), STOCK) == flagged
    assert filtered(StockQuery(low_stock=False), STOCK) == {source["sku"] for source in STOCK} - flagged


def test_without_overrides_every_sku_is_compared_with_the_default() -> None:
    plain = LowStockThresholds(default=5)
    assert filtered(StockQuery(low_stock=True), STOCK, plain) == {"SKU-A", "SKU-B", "SKU-NEVER", "SKU-D"}
    assert low_stock_query(plain) == {"bool": {"should": [{"bool": {"filter": [{"range": {"available": {"lte": 5}}}]}}],
                                               "minimum_should_match": 1}}


def test_skus_sharing_an_override_threshold_are_one_clause() -> None:
    should = low_stock_query(THRESHOLDS)["bool"]["should"]
    assert should[:2] == [
        {"bool": {"filter": [{"terms": {"sku": ["SKU-NEVER"]}}, {"range": {"available": {"lte": -1}}}]}},
        {"bool": {"filter": [{"terms": {"sku": ["SKU-BIG", "SKU-HUGE"]}}, {"range": {"available": {"lte": 20}}}]}},
    ]
    assert should[2]["bool"]["must_not"] == [{"terms": {"sku": ["SKU-BIG", "SKU-HUGE", "SKU-NEVER"]}}]


def test_backordered_filter_both_ways_and_combined_with_low_stock() -> None:
    assert filtered(StockQuery(backordered=True), STOCK) == {"SKU-D"}
    assert "SKU-D" not in filtered(StockQuery(backordered=False), STOCK)
    assert len(filtered(StockQuery(backordered=False), STOCK)) == len(STOCK) - 1
    assert filtered(StockQuery(low_stock=True, backordered=False), STOCK) == {"SKU-A", "SKU-B", "SKU-BIG"}


def test_no_filters_match_everything_sorted_by_sku() -> None:
    body = stock_search_body(StockQuery(), THRESHOLDS)
    assert body["query"]["bool"] == {"must": [{"match_all": {}}], "filter": []}
    assert body["sort"] == [{"sku": "asc"}] and body["track_total_hits"] is True and body["size"] == 20


def test_text_goes_only_into_query_values_is_typo_tolerant_and_sorts_by_relevance() -> None:
    body = stock_search_body(StockQuery(q=HOSTILE, size=7), THRESHOLDS)
    fuzzy, exact = body["query"]["bool"]["must"][0]["bool"]["should"]
    assert fuzzy == {"match": {"product_name": {"query": HOSTILE, "fuzziness": "AUTO", "operator": "and"}}}
    assert exact["term"]["sku"]["value"] == HOSTILE
    assert "script" not in json.dumps({key: value for key, value in body.items() if key != "query"})
    assert body["sort"] == [{"_score": "desc"}, {"sku": "asc"}] and body["size"] == 7


def test_the_cursor_becomes_search_after_and_a_forged_one_is_refused() -> None:
    by_sku = stock_search_body(StockQuery(cursor=encode_cursor(["SKU-9"])), THRESHOLDS)
    by_relevance = stock_search_body(StockQuery(q="lamp", cursor=encode_cursor([1.5, "SKU-9"])), THRESHOLDS)
    assert (by_sku["search_after"], by_relevance["search_after"]) == (["SKU-9"], [1.5, "SKU-9"])
    for forged in ("not a cursor !!", encode_cursor([1.5, "SKU-9"]), encode_cursor([])):
        with pytest.raises(BadCursor):
            stock_search_body(StockQuery(cursor=forged), THRESHOLDS)


@pytest.mark.parametrize(("sku", "available", "low", "threshold"), [
    ("SKU-A", 5, True, 5), ("SKU-A", 6, False, 5), ("SKU-BIG", 20, True, 20), ("SKU-BIG", 21, False, 20),
    ("SKU-NEVER", 0, False, -1),
])
def test_an_item_is_the_document_with_its_threshold_and_flag(sku: str, available: int, low: bool, threshold: int) -> None:
    item = stock_item(document(sku, available), THRESHOLDS)
    assert (item.low_stock, item.low_stock_threshold) == (low, threshold)
    assert item.model_dump(mode="json", exclude={"low_stock", "low_stock_threshold"}) == {
        **document(sku, available), "updated_at": "2026-03-01T12:00:00Z", "behind": None}


def test_a_full_page_has_a_next_cursor_and_the_total_of_every_match() -> None:
    hits = [{"_source": document("SKU-A", 1), "sort": ["SKU-A"]}, {"_source": document("SKU-B", 9), "sort": ["SKU-B"]}]
    result = {"hits": {"total": {"value": 5}, "hits": hits}}
    page = stock_page(result, THRESHOLDS, size=2)
    assert [(item.sku, item.low_stock) for item in page.data] == [("SKU-A", True), ("SKU-B", False)]
    assert page.total == 5 and page.next_cursor == encode_cursor(["SKU-B"])
    assert stock_page(result, THRESHOLDS, size=3).next_cursor is None
