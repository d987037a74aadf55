"""Customer reads: the summary, the customer's orders, and search by name or email."""

from typing import Annotated, Any

from elasticsearch import AsyncElasticsearch
from fastapi import APIRouter, Path, Query

from query_api.customer_reads import (
    CustomerOrders,
    CustomerPage,
    customer_orders,
    customer_orders_body,
    customer_page,
    customer_search_body,
)
from query_api.dependencies import READER, Search, not_found
from query_api.documents import document_source
from schemas.documents import CustomerDocument
from schemas.mappings import CUSTOMERS, ORDERS

router = APIRouter(prefix="/customers", tags=["customers"], dependencies=[READER])
MAX_PAGE = 100
UNKNOWN: dict[int | str, dict[str, Any]] = {404: {"description": "Unknown customer"}}

CustomerId = Annotated[str, Path(min_length=1, max_length=64)]


async def _customer(es: AsyncElasticsearch, customer_id: str) -> CustomerDocument:
    found = await document_source(es, CUSTOMERS.alias, customer_id)
    if found is None:
        raise not_found(f"customer {customer_id}")
    return CustomerDocument.model_validate(found)


@router.get("/{customer_id}", response_model=CustomerDocument, responses=UNKNOWN)
async def get_customer(customer_id: CustomerId, es: Search) -> CustomerDocument:
    """The customer's summary: total_orders counts every order; placed_orders, total_spent, the average and the
    favourites count placed orders only (neither DRAFT nor CANCELLED)."""
    return await _customer(es, customer_id)


@router.get("/{customer_id}/orders", response_model=CustomerOrders, responses=UNKNOWN)
async def get_customer_orders(
    customer_id: CustomerId, es: Search,
    size: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 20,
    cursor: Annotated[str | None, Query(max_length=2000, description="next_cursor of the previous page")] = None,
) -> CustomerOrders:
    body = customer_orders_body(customer_id, size, cursor)
    customer = await _customer(es, customer_id)
    return customer_orders(customer, await es.search(index=ORDERS.alias, **body), size)


@router.get("", response_model=CustomerPage)
async def search_customers(
    es: Search,
    q: Annotated[str | None, Query(max_length=200, description="Name (typos tolerated) or email")] = None,
    size: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 20,
) -> CustomerPage:
    text = q.strip() if q else None
    return customer_page(await es.search(index=CUSTOMERS.alias, **customer_search_body(text or None, size)))
