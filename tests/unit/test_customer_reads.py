"""Customer query bodies: user text only as values, sizes passed through, cursors checked; answers shaped."""

import json

import pytest

from query_api.cursors import BadCursor, encode_cursor
from query_api.customer_reads import (
    customer_orders,
    customer_orders_body,
    customer_page,
    customer_search_body,
)
from schemas.documents import CustomerDocument

HOSTILE = '"} , {"script": {"source": "boom"}}'
CUSTOMER = {"customer_id": "C-1", "name": "Ada", "total_orders": 3, "placed_orders": 2, "total_spent": "30.00",
            "orders_by_status": {"DRAFT": 1, "SUBMITTED": 2}, "updated_at": "2026-03-01T12:00:00Z", "version": 7}


def order_hit(order_id: str, created: int) -> dict:
    return {"_source": {"order_id": order_id, "status": "SUBMITTED", "total_amount": "15.00", "currency": "EUR",
                        "item_count": 1, "payment_status": "unpaid", "created_at": "2026-03-01T12:00:00Z",
                        "updated_at": "2026-03-01T12:00:00Z", "version": 3},
            "sort": [created, order_id]}


def test_search_text_goes_only_into_query_values_and_tolerates_typos_on_the_name() -> None:
    body = customer_search_body(HOSTILE, 5)
    fuzzy, exact = body["query"]["bool"]["should"]
    assert fuzzy["multi_match"]["query"] == HOSTILE and fuzzy["multi_match"]["fuzziness"] == "AUTO"
    assert "name^3" in fuzzy["multi_match"]["fields"]
    assert exact["term"]["email.raw"]["value"] == HOSTILE
    assert "script" not in json.dumps({key: value for key, value in body.items() if key != "query"})
    assert body["size"] == 5


def test_search_without_text_lists_customers_by_id() -> None:
    body = customer_search_body(None, 20)
    assert body["query"] == {"match_all": {}} and body["sort"] == [{"customer_id": "asc"}]


def test_a_customers_orders_are_filtered_by_id_newest_first_and_page_with_the_cursor() -> None:
    cursor = encode_cursor([1767225600000, "ORD-9"])
    body = customer_orders_body("C-1", 10, cursor)
    assert body["query"]["bool"]["filter"] == [{"term": {"customer_id": "C-1"}}]
    assert body["sort"][0] == {"created_at": "desc"} and body["search_after"] == [1767225600000, "ORD-9"]
    assert "order_id" in body["_source"] and "items" not in body["_source"]


def test_a_forged_cursor_is_refused() -> None:
    with pytest.raises(BadCursor):
        customer_orders_body("C-1", 10, "not a cursor !!")


def test_a_full_page_of_orders_has_a_next_cursor_and_the_customers_totals() -> None:
    result = {"hits": {"total": {"value": 3}, "hits": [order_hit("ORD-2", 2), order_hit("ORD-1", 1)]}}
    page = customer_orders(CustomerDocument.model_validate(CUSTOMER), result, size=2)
    assert (page.customer_id, page.total_orders, page.placed_orders, str(page.total_spent), page.total) == (
        "C-1", 3, 2, "30.00", 3)
    assert [order.order_id for order in page.orders] == ["ORD-2", "ORD-1"]
    assert page.next_cursor == encode_cursor([1, "ORD-1"])
    assert customer_orders(CustomerDocument.model_validate(CUSTOMER), result, size=5).next_cursor is None


def test_a_customer_page_counts_all_matches() -> None:
    page = customer_page({"hits": {"total": {"value": 9}, "hits": [{"_source": CUSTOMER}]}})
    assert page.total == 9 and page.data[0].name == "Ada"


def test_a_document_indexed_before_placed_orders_reads_with_every_order_and_the_placed_ones() -> None:
    before = {key: value for key, value in CUSTOMER.items() if key != "placed_orders"} | {"total_orders": 2}
    customer = CustomerDocument.model_validate(before)
    assert (customer.total_orders, customer.placed_orders) == (3, 2)
    assert CustomerDocument.model_validate(CUSTOMER) == customer
