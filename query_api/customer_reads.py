"""Customer reads as Elasticsearch request bodies and answers. User text only ever goes in as a query value."""

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from domain.statuses import NOT_PLACED
from query_api.answers import SearchAnswer
from query_api.cursors import cursor_shape, decode_cursor, next_cursor
from schemas.documents import CustomerDocument
from schemas.mappings import ORDERS
from schemas.money import Money

NAME_AND_EMAIL = ["name^3", "email^2"]
NEWEST_FIRST: list[dict[str, Any]] = [{"created_at": "desc"}, {"order_id": "asc"}]
NEWEST_FIRST_CURSOR = cursor_shape(NEWEST_FIRST, ORDERS)


class CustomerOrder(BaseModel):
    """One order of a customer, as the customer's order list shows it."""

    order_id: str
    status: str
    total_amount: Money
    currency: str
    item_count: int
    payment_status: str
    created_at: datetime
    submitted_at: datetime | None = None
    cancelled_at: datetime | None = None
    updated_at: datetime
    version: int


class CustomerOrders(BaseModel):
    customer_id: str
    total_orders: int = Field(description="Every order of the customer, whatever its status, as in the customer summary")
    placed_orders: int = Field(
        description=f"Placed orders (neither {' nor '.join(NOT_PLACED)}), as in the customer summary")
    total_spent: Money = Field(description="What the placed orders add up to")
    orders: list[CustomerOrder] = Field(description="This page of the customer's orders of every status, newest first")
    total: int = Field(description="The customer's orders of every status")
    next_cursor: str | None = Field(None, description="Pass as cursor for the next page; null on the last one")


class CustomerPage(BaseModel):
    data: list[CustomerDocument]
    total: int


def customer_text_query(text: str) -> dict[str, Any]:
    """Typo-tolerant on the name and the email's words; the whole email matched exactly ranks first."""
    return {"bool": {"minimum_should_match": 1, "should": [
        {"multi_match": {"query": text, "fields": NAME_AND_EMAIL, "fuzziness": "AUTO", "operator": "and"}},
        {"term": {"email.raw": {"value": text, "case_insensitive": True, "boost": 5}}},
    ]}}


def customer_search_body(text: str | None, size: int) -> dict[str, Any]:
    return {
        "query": customer_text_query(text) if text else {"match_all": {}},
        "sort": [{"_score": "desc"}, {"customer_id": "asc"}] if text else [{"customer_id": "asc"}],
        "size": size,
        "track_total_hits": True,
    }


def customer_orders_body(customer_id: str, size: int, cursor: str | None = None) -> dict[str, Any]:
    """The customer's orders, newest first. Raises ``BadCursor`` for a cursor this API did not give out."""
    body: dict[str, Any] = {
        "query": {"bool": {"filter": [{"term": {"customer_id": customer_id}}]}},
        "sort": NEWEST_FIRST,
        "size": size,
        "track_total_hits": True,
        "_source": list(CustomerOrder.model_fields),
    }
    if cursor:
        body["search_after"] = decode_cursor(cursor, NEWEST_FIRST_CURSOR)
    return body


def customer_orders(customer: CustomerDocument, result: SearchAnswer, size: int) -> CustomerOrders:
    hits = result["hits"]["hits"]
    return CustomerOrders(
        customer_id=customer.customer_id, total_orders=customer.total_orders, placed_orders=customer.placed_orders,
        total_spent=customer.total_spent,
        orders=[CustomerOrder.model_validate(hit["_source"]) for hit in hits],
        total=result["hits"]["total"]["value"],
        next_cursor=next_cursor(hits, size),
    )


def customer_page(result: SearchAnswer) -> CustomerPage:
    return CustomerPage(data=[CustomerDocument.model_validate(hit["_source"]) for hit in result["hits"]["hits"]],
                        total=result["hits"]["total"]["value"])
