"""Search bodies: user text only as values, filters combine, cursors round-trip."""

import json
from decimal import Decimal

import pytest

from query_api.search import BadCursor, OrderQuery, decode_cursor, encode_cursor, search_body


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


def test_cursor_round_trips_and_lands_in_search_after() -> None:
    cursor = encode_cursor([1767225600000, "ORD-9"])
    assert decode_cursor(cursor) == [1767225600000, "ORD-9"]
    assert search_body(OrderQuery(cursor=cursor))["search_after"] == [1767225600000, "ORD-9"]


@pytest.mark.parametrize("cursor", ["not base64 !!", encode_cursor({"a": 1}), encode_cursor([{"nested": 1}])])  # type: ignore[arg-type]
def test_a_forged_cursor_is_refused(cursor: str) -> None:
    with pytest.raises(BadCursor):
        decode_cursor(cursor)
