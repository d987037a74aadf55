"""The customer read view: who the customer is and the latest summary of each of their orders. Pure.

Order summaries and customer events reach the view in any order relative to each other: a summary replaces the
one of the same order only when its ``order_version`` is newer, customer events fold in version order. The
view's ``version`` (the customer's version plus every order's) therefore grows with each change, never moves
back, and ends at the same number however the facts were interleaved.
"""

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal

from domain.customer import Customer, evolve
from domain.order import OrderStatus
from schemas.customers import OrderSummary
from schemas.documents import CustomerDocument, FavouriteProduct
from schemas.envelope import Envelope, Payload
from schemas.mappings import CUSTOMERS
from schemas.money import quantize
from streams.es_sink import IndexAction
from streams.projecting import in_sequence

# Orders that are not (or no longer) placed: they count in ``orders_by_status`` only.
NOT_PLACED = frozenset({OrderStatus.DRAFT, OrderStatus.CANCELLED})
FAVOURITES = 5


@dataclass(frozen=True)
class CustomerView:
    customer_id: str
    updated_at: datetime
    customer: Customer | None = None
    registered_at: datetime | None = None
    orders: dict[str, OrderSummary] = field(default_factory=dict)

    @property
    def version(self) -> int:
        return customer_version(self) + sum(summary.order_version for summary in self.orders.values())


def customer_version(view: CustomerView) -> int:
    return view.customer.version if view.customer else 0


def fold_customer_view(view: CustomerView | None, event: Envelope[Payload]) -> CustomerView:
    """Apply a customer event or an order summary; returns ``view`` itself when the fact is known already."""
    if isinstance(event.payload, OrderSummary):
        return _fold_summary(view or _new_view(event), event.payload, event.occurred_at)
    return _fold_customer_event(view, event)


def _new_view(event: Envelope[Payload]) -> CustomerView:
    return CustomerView(customer_id=event.aggregate_id, updated_at=event.occurred_at)


def _fold_summary(view: CustomerView, summary: OrderSummary, at: datetime) -> CustomerView:
    known = view.orders.get(summary.order_id)
    if known is not None and known.order_version >= summary.order_version:
        return view
    return replace(view, orders={**view.orders, summary.order_id: summary}, updated_at=max(view.updated_at, at))


def _apply_customer_event(view: CustomerView | None, event: Envelope[Payload]) -> CustomerView:
    view = view or _new_view(event)
    customer = evolve(view.customer, event.payload, customer_id=event.aggregate_id)
    return replace(
        view, customer=customer, registered_at=view.registered_at if view.customer else event.occurred_at,
        updated_at=max(view.updated_at, event.occurred_at),
    )


_fold_customer_event = in_sequence(_apply_customer_event, customer_version)


def placed_at(summary: OrderSummary) -> datetime:
    return summary.submitted_at or summary.created_at


def placed_orders(view: CustomerView) -> list[OrderSummary]:
    """The orders that count in the totals, oldest first."""
    placed = (summary for summary in view.orders.values() if OrderStatus(summary.status) not in NOT_PLACED)
    return sorted(placed, key=lambda summary: (placed_at(summary), summary.order_id))


def orders_by_status(orders: Iterable[OrderSummary]) -> dict[str, int]:
    counts = Counter(summary.status for summary in orders)
    return {status.value: counts[status.value] for status in OrderStatus}


def favourite_products(placed: list[OrderSummary], most: int = FAVOURITES) -> list[FavouriteProduct]:
    """The products bought in the largest quantities (ties by product id), named as in their latest order."""
    quantities: Counter[str] = Counter()
    names: dict[str, str] = {}
    for summary in placed:
        for line in summary.items:
            quantities[line.product_id] += line.quantity
            names[line.product_id] = line.product_name
    ranked = sorted(quantities.items(), key=lambda pair: (-pair[1], pair[0]))[:most]
    return [FavouriteProduct(product_id=product, product_name=names[product], quantity=quantity)
            for product, quantity in ranked]


def customer_document(view: CustomerView) -> CustomerDocument:
    placed = placed_orders(view)
    spent = quantize(sum((summary.total_amount for summary in placed), Decimal("0")))
    return CustomerDocument(
        customer_id=view.customer_id,
        name=view.customer.name if view.customer else None,
        email=view.customer.email if view.customer else None,
        total_orders=len(placed), total_spent=spent,
        average_order_value=quantize(spent / len(placed)) if placed else None,
        first_order_at=placed_at(placed[0]) if placed else None,
        last_order_at=placed_at(placed[-1]) if placed else None,
        favourite_products=favourite_products(placed), orders_by_status=orders_by_status(view.orders.values()),
        registered_at=view.registered_at, updated_at=view.updated_at, version=view.version,
    )


def customer_index_actions(view: CustomerView, event: Envelope[Payload]) -> list[IndexAction]:
    document = customer_document(view)
    return [IndexAction(CUSTOMERS.alias, document.customer_id, document.version, document.model_dump(mode="json"))]
