"""Search bodies: user text only as values, filters combine, cursors round-trip."""

import json
from decimal import Decimal

import pytest

from query_api.answers import orders_counted
from query_api.cursors import BadCursor, encode_cursor
from query_api.search import OrderQuery, search_body


def test_text_goes_only_into_query_values() -> None:
    hostile = '"} , {"script": {"source": "boom"}}'
    body = search_body(OrderQuery(q=hostile))
    text = body["query"]["bool"]["must"][0]["bool"]["should"]
    assert text[0]["multi_match"]["query"] == hostile
    assert text[1]["nested"]["query"]["match"]["items.product_name"]["query"] == hostile
    assert "script" not in json.dumps({key: value for key, value in body.items() if key != "query"})


def test_filters_combine() -> None:
    body = search_body(OrderQuery(status=["SUBMITTED", "CONFIRMED"], customer_id="C-1",
                                  min_total=Decimal("10"), max_total=Decimal("99.50")))
    assert body["query"]["bool"]["filter"] == [
        {"terms": {"status": ["SUBMITTED", "CONFIRMED"]}},
        {"term": {"customer_id": "C-1"}},
        {"range": {"total_amount": {"gte": "10", "lte": "99.50"}}},
    ]


def test_relevance_sort_without_text_falls_back_to_newest() -> None:
    assert search_body(OrderQuery(sort="relevance"))["sort"][0] == {"created_at": "desc"}
    assert search_body(OrderQuery(q="lamp", sort="relevance"))["sort"][0] == {"_score": "desc"}


@pytest.mark.parametrize(("sort", "text", "values"), [
    ("newest", None, [1767225600000, "ORD-9"]),
    ("total_desc", None, [19.99, "ORD-9"]),
    ("relevance", "lamp", [3.25, "ORD-9"]),
])
def test_cursor_lands_in_search_after(sort: str, text: str | None, values: list[object]) -> None:
    assert search_body(OrderQuery(q=text, sort=sort, cursor=encode_cursor(values)))["search_after"] == values


@pytest.mark.parametrize(("sort", "values"), [
    ("newest", []),
    ("newest", ["ORD-9", 1767225600000]),
    ("newest", [1.5, "ORD-9"]),
    ("total_asc", [float("inf"), "ORD-9"]),
])
def test_a_cursor_in_another_shape_than_the_sort_gives_is_refused(sort: str, values: list[object]) -> None:
    with pytest.raises(BadCursor):
        search_body(OrderQuery(sort=sort, cursor=encode_cursor(values)))


def test_the_total_comes_from_the_status_facet_not_from_counting_hits_again() -> None:
    assert search_body(OrderQuery(q="lamp"))["track_total_hits"] is False
    facet = {"buckets": [{"key": "SUBMITTED", "doc_count": 7}, {"key": "DRAFT", "doc_count": 2}],
             "sum_other_doc_count": 1}
    assert orders_counted(facet) == 10
    assert orders_counted({"buckets": []}) == 0


@pytest.mark.parametrize(("sort", "text", "dfs"), [("relevance", "lamp", True), ("newest", "lamp", False),
                                                   ("relevance", None, False)])
def test_relevance_is_scored_with_the_whole_index_statistics(sort: str, text: str | None, dfs: bool) -> None:
    body = search_body(OrderQuery(q=text, sort=sort))
    assert (body.get("search_type") == "dfs_query_then_fetch") is dfs
